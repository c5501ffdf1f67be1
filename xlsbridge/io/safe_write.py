"""Writing a ledger without ever losing it.

* A ledger open in Excel is refused: Excel keeps a ``~$<name>`` owner file beside it while open,
  and saving over it would lose the user's unsaved work or be overwritten by Excel later.
* Two clerks (or a scheduled job and a clerk) never write at once: a lock file beside the ledger,
  created atomically, says who holds it; a lock left by a process that died on this machine is taken over.
* The new content goes to a temporary file in the same folder, is flushed to disk, and replaces the
  ledger with one atomic rename; a timestamped copy of the old ledger is kept first.  A process
  killed at any point leaves either the old ledger or the new one, never half of one.
* Only what the user may write is written: a ledger reached through a symbolic link is updated (and
  locked) where it really lives; a read-only ledger or folder, a device or a pipe is refused; a workbook
  open in LibreOffice (``.~lock.<name>#``) is refused like one open in Excel.
* Backups are per ledger (``xlsbridge_backup/<name>.<YYYYmmdd-HHMMSS>[-n].<ext>``); the newest
  ``keep_backups()`` of each ledger stay (default 20, ``XLSBRIDGE_KEEP_BACKUPS``), never pruning the one
  just made, and none is made when nothing changed.
"""

from __future__ import annotations

import contextlib
import getpass
import errno
import json
import os
import re
import shutil
import stat
import socket
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from ..errors import UserError, WorkbookBusy

BACKUP_DIR = "xlsbridge_backup"
KEEP_BACKUPS = 20  # per ledger, unless XLSBRIDGE_KEEP_BACKUPS says otherwise
KEEP_BACKUPS_ENV = "XLSBRIDGE_KEEP_BACKUPS"


def excel_owner_file(path: Path) -> Path:
    """The owner file Excel keeps beside a workbook while it is open: ``~$`` + the file name."""
    return path.with_name("~$" + path.name)


def libreoffice_lock_file(path: Path) -> Path:
    """The lock file LibreOffice keeps beside a document while it is open: ``.~lock.<name>#``."""
    return path.with_name(f".~lock.{path.name}#")


def refuse_if_open_in_excel(path: Path) -> None:
    """Refuse a workbook open in Excel (``~$<name>``) or LibreOffice (``.~lock.<name>#``)."""
    if excel_owner_file(path).exists():
        raise WorkbookBusy(
            f"{path.name} は Excel で開かれています。Excel で閉じてから実行するか、--out で別のファイルに書き出してください",
            f"{path.name} is open in Excel; close it first or write a copy with --out",
        )
    if libreoffice_lock_file(path).exists():
        lock = libreoffice_lock_file(path).name
        raise WorkbookBusy(
            f"{path.name} は LibreOffice で開かれています。LibreOffice で閉じてから実行するか、--out で別のファイルに書き出してください"
            f"（開いていないのにこの表示が続くときは {lock} を削除してください）",
            f"{path.name} is open in LibreOffice; close it first or write a copy with --out "
            f"(if it is not open, delete {lock})",
        )


def real_path(path: Path) -> Path:
    """The file a path names, following symbolic links: a ledger reached through a link is updated,
    locked and backed up where it lives (replacing the link would fork it)."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _no_write_permission(path: Path) -> bool:
    """Read-only by its permission bits (Windows' read-only attribute shows as no write bit), or not
    writable by this user.  Checked on the bits too: the administrator account may write anyway."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(path, os.W_OK)


def refuse_unwritable(path: Path, *, what: str = "台帳", what_en: str = "ledger") -> None:
    """Refuse to replace a file that is not a regular file or is read-only, or one in a folder this
    user cannot write to (checked before any work, so nothing is computed for nothing)."""
    path = Path(path)
    name = path.name
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UserError(f"{name} を確認できません（{exc.strerror}）", f"cannot check {name} ({exc.strerror})") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise UserError(f"{name} は通常のファイルではないので書き込みません（デバイス・パイプ・フォルダーなど）。別のファイル名を指定してください",
                        f"{name} is not a regular file (a device, pipe or folder); it is not written; give another file name")
    if mode is not None and _no_write_permission(path):
        raise UserError(f"{what} {name} は読み取り専用なので書き込みません。書き込んでよいときは読み取り専用を外してから実行してください",
                        f"the {what_en} {name} is read-only and is not written; clear read-only first if it may be changed")
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"出力先のフォルダーがありません: {folder}", f"output folder does not exist: {folder}")
    if not os.access(folder, os.W_OK | os.X_OK) or _no_write_permission(folder):
        raise UserError(f"フォルダー {folder} に書き込む権限がありません（{name} を保存できません）",
                        f"no permission to write in the folder {folder} (cannot save {name})")


def check_out_target(out: Path, *, suffixes: tuple[str, ...] = (".xlsx", ".xlsm"), force: bool = False,
                     source: Path | None = None, option: str = "--out") -> Path:
    """Check where ``--out`` would write, before any work: the right kind of file name, a folder that
    exists and may be written, not the input ledger, not a device or pipe, not read-only, not open in
    Excel/LibreOffice, and an existing file only with ``--force``.  Returns the path to write (a
    symbolic link followed)."""
    out = Path(out)
    if suffixes and out.suffix.lower() not in suffixes:
        kinds = "、".join(suffixes)
        raise UserError(f"ファイル名は {kinds} で終えてください: {out.name}",
                        f"the file name must end in {', '.join(suffixes)}: {out.name}")
    target = real_path(out)
    if source is not None and target.resolve() == Path(source).resolve():
        raise UserError(
            f"{option} には元の台帳と別のファイル名を指定してください（台帳そのものを更新するときは {option} を付けずに実行してください）",
            f"{option} needs a file name other than the ledger's (leave {option} off to update the ledger itself)",
        )
    refuse_unwritable(target, what="出力先", what_en="output file")
    if target.exists():
        if not force:
            raise UserError(f"{out.name} はすでにあります。上書きするときは --force を付けてください",
                            f"{out.name} already exists; add --force to overwrite it")
        refuse_if_open_in_excel(target)
    return target


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.xlsbridge-lock")


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some scheduled-task environments
        return "?"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


@contextlib.contextmanager
def ledger_lock(path: Path, command: str = "xlsbridge") -> Iterator[None]:
    """Hold the ledger's write lock for the duration of the block."""
    lock = lock_path(path)
    me = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "user": _user(),
        "since": datetime.now().isoformat(timespec="seconds"),
        "command": command,
    }
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except OSError as exc:
            if not isinstance(exc, FileExistsError):
                raise disk_error(exc, path) from None
            raw = _lock_bytes(lock)
            if raw is None:  # released between our attempt and the read: try again
                continue
            holder = _parse_lock(raw)
            if _stale(lock, holder, me["host"]):
                # Left by a process that died here, or a lock file cut short by a kill before its
                # content was written: take it over, unless it changed since we read it.
                if _lock_bytes(lock) == raw:
                    lock.unlink(missing_ok=True)
                continue
            who = f"{holder.get('user', '?')}@{holder.get('host', '?')}" if holder else "?"
            since = str(holder.get("since", "?")).replace("T", " ") if holder else "?"
            what = holder.get("command", "xlsbridge") if holder else "xlsbridge"
            raise WorkbookBusy(
                f"{path.name} は使用中です（{who} が {since} から {what} を実行中）。終わってからもう一度実行してください。"
                f"使用中でないのにこの表示が続くときは {lock.name} を削除してください",
                f"{path.name} is in use by {who} since {since} ({what}); try again when it has finished. "
                f"If nobody is using it, delete {lock.name}",
            ) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(me, fh)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:  # a full disk: no empty lock may stay behind to say "in use by ?"
            lock.unlink(missing_ok=True)
            raise disk_error(exc, path) from None
        break
    else:  # the lock changed hands under us three times: someone else is busy with it
        raise WorkbookBusy(
            f"{path.name} は使用中です（別の実行がロック {lock.name} を取り合っています）。少し待ってからもう一度実行してください",
            f"{path.name} is in use (other runs are contending for its lock {lock.name}); try again shortly",
        )
    try:
        remove_stale_temps(path)  # ours alone now: any temporary file of this ledger is a dead run's
        yield
    finally:
        lock.unlink(missing_ok=True)


# A lock file with no readable content this old was cut short by a kill before its content was
# written (the content is written right after the file is created).
LOCK_UNREADABLE_GRACE = 10.0  # seconds


def _lock_bytes(lock: Path) -> bytes | None:
    try:
        return lock.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return b""


def _parse_lock(raw: bytes) -> dict | None:
    try:
        holder = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def _stale(lock: Path, holder: dict | None, host: str) -> bool:
    """A lock nobody holds any more: its process died on this machine, or it never got its content."""
    if holder is None:
        try:
            age = datetime.now().timestamp() - lock.stat().st_mtime
        except OSError:
            return False
        return age > LOCK_UNREADABLE_GRACE
    try:
        pid = int(holder.get("pid", 0))
    except (TypeError, ValueError):
        pid = 0
    return holder.get("host") == host and pid > 0 and not _pid_alive(pid)


def _read_lock(lock: Path) -> dict | None:
    raw = _lock_bytes(lock)
    return _parse_lock(raw) if raw else None


TEMP_SUFFIX = ".xlsbridge-tmp"


def _temp_prefix(path: Path) -> str:
    """Temporary files are ``.<name>.<random>.xlsbridge-tmp``: hidden on Linux and macOS, and never
    ending in .xlsx, so neither staff double-clicking in the folder nor a script globbing ``*.xlsx``
    takes a half-written file for a ledger."""
    return f".{path.name}."


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete the temporary files a killed run left for ``path`` (beside it and in the backup
    folder).  Call only while holding the ledger's lock: then no live run is writing them."""
    removed = []
    for folder in (path.parent, path.parent / BACKUP_DIR):
        if not folder.is_dir():
            continue
        for stale in folder.glob(f"{glob_escape(_temp_prefix(path))}*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                stale.unlink()
                removed.append(stale)
    return removed


def glob_escape(text: str) -> str:
    import glob

    return glob.escape(text)


_BACKUP_NAME = re.compile(r"^(?P<stem>.*)\.(?P<stamp>[0-9]{8}-[0-9]{6})(?:-(?P<n>[0-9]+))?(?P<suffix>\.[^.]*)$")


def keep_backups() -> int:
    """How many backups of each ledger stay: ``XLSBRIDGE_KEEP_BACKUPS`` (1 or more), default 20."""
    raw = os.environ.get(KEEP_BACKUPS_ENV, "").strip()
    if not raw:
        return KEEP_BACKUPS
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise UserError(f"環境変数 {KEEP_BACKUPS_ENV} は 1 以上の整数にしてください（今: {raw[:20]}）",
                        f"the environment variable {KEEP_BACKUPS_ENV} must be a whole number of 1 or more (now: {raw[:20]})")
    return int(raw)


def backups_of(path: Path) -> list[Path]:
    """This ledger's backups (exactly: 台帳.xlsx's, not 台帳.R6.xlsx's), oldest first."""
    path = Path(path)
    folder = path.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        m = _BACKUP_NAME.match(entry.name)
        if m and m["stem"] == path.stem and m["suffix"] == path.suffix and entry.is_file():
            found.append(((m["stamp"], int(m["n"] or 0)), entry))
    return [entry for _, entry in sorted(found)]


def prune_backups(path: Path, keep: int | None = None, *, protect: Path | None = None) -> list[Path]:
    """Delete this ledger's oldest backups beyond ``keep`` (default ``keep_backups()``); never
    ``protect`` (the one just made).  Returns what was deleted."""
    keep = keep_backups() if keep is None else keep
    old = [p for p in backups_of(path) if p != protect]
    removed = []
    for stale in old[:max(0, len(old) - (keep - (protect is not None)))]:
        with contextlib.suppress(OSError):
            stale.unlink()
            removed.append(stale)
    return removed


def make_backup(path: Path, *, keep: int | None = None, now: datetime | None = None) -> Path:
    """Copy the ledger to ``xlsbridge_backup/<stem>.<YYYYmmdd-HHMMSS>[-n]<suffix>`` (the copy is
    written under a temporary name and renamed), then keep the newest ``keep`` of this ledger's
    backups, the new one always among them.  Returns the backup's path."""
    path = real_path(Path(path))
    folder = path.parent / BACKUP_DIR
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise disk_error(exc, folder) from None
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{stamp}-{n}{path.suffix}"
        n += 1
    # Copied under a temporary name and renamed: a kill mid-copy never leaves a half file that
    # looks like a backup.
    atomic_write(target, lambda tmp: shutil.copy2(path, tmp), temp_for=path)
    prune_backups(path, keep, protect=target)
    return target


backup = make_backup  # the name the services used first


def disk_error(exc: OSError, path: Path) -> UserError:
    """An OS error while writing, as one line that says what to do."""
    name = Path(path).name
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return UserError(f"ディスクに空きがないため {name} を保存できません。空きを作ってからもう一度実行してください（台帳は変更していません）",
                         f"the disk is full, so {name} cannot be saved; free some space and run again (the ledger is unchanged)")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return UserError(f"{name} を保存する権限がありません（フォルダーが読み取り専用です）。台帳は変更していません",
                         f"no permission to save {name} (the folder is read-only); the ledger is unchanged")
    return UserError(f"{name} を保存できません（{exc.strerror or type(exc).__name__}）。台帳は変更していません",
                     f"cannot save {name} ({exc.strerror or type(exc).__name__}); the ledger is unchanged")


def atomic_write(path: Path, write: Callable[[Path], None], *, temp_for: Path | None = None) -> None:
    """Call ``write(tmp)`` to produce the new file, then move it over ``path`` in one rename.

    The temporary file sits in the same folder (a rename across folders is not atomic) and is
    named after ``temp_for`` (default ``path``) so the ledger's lock holder can clear it up after a kill.
    """
    path = Path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(Path(temp_for or path)), suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise disk_error(exc, path) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise disk_error(exc, path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_copy(source: Path, out: Path, write: Callable[[Path], None]) -> None:
    """Write a new file (``--out``); never over the source ledger itself, never over a device, a
    pipe or a read-only file (an existing file is replaced only when the command was given --force,
    which ``check_out_target`` checked before the work)."""
    source, out = Path(source), real_path(Path(out))
    if out.exists() and source.exists() and out.resolve() == source.resolve():
        raise UserError(
            "--out に元の台帳と同じファイルは指定できません（上書きするときは --out を付けずに実行してください）",
            "--out must differ from the input ledger (leave --out off to update the ledger in place)",
        )
    refuse_unwritable(out, what="出力先", what_en="output file")
    if out.exists():
        refuse_if_open_in_excel(out)
        # Writing over an existing workbook — maybe another ledger someone is updating — under its lock.
        with ledger_lock(out, "xlsbridge --out"):
            atomic_write(out, write)
        return
    atomic_write(out, write)
