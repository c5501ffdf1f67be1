"""Writing a ledger without ever losing it.

* A ledger open in Excel is refused: Excel keeps a ``~$<name>`` owner file beside it while open,
  and saving over it would lose the user's unsaved work or be overwritten by Excel later.
* Two clerks (or a scheduled job and a clerk) never write at once: a lock file beside the ledger,
  created atomically, says who holds it; a lock left by a process that died on this machine is taken over.
* The new content goes to a temporary file in the same folder, is flushed to disk, and replaces the
  ledger with one atomic rename; a timestamped copy of the old ledger is kept first.  A process
  killed at any point leaves either the old ledger or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import shutil
import socket
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from ..errors import UserError, WorkbookBusy

BACKUP_DIR = "xlsbridge_backup"
KEEP_BACKUPS = 30


def excel_owner_file(path: Path) -> Path:
    """The owner file Excel keeps beside a workbook while it is open: ``~$`` + the file name."""
    return path.with_name("~$" + path.name)


def refuse_if_open_in_excel(path: Path) -> None:
    if excel_owner_file(path).exists():
        raise WorkbookBusy(
            f"{path.name} は Excel で開かれています。Excel で閉じてから実行するか、--out で別のファイルに書き出してください",
            f"{path.name} is open in Excel; close it first or write a copy with --out",
        )


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
        except FileExistsError:
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
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me, fh)
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


def backup(path: Path, now: datetime | None = None) -> Path:
    """Copy the ledger to ``xlsbridge_backup/<stem>.<YYYYmmdd-HHMMSS><suffix>`` and prune old copies."""
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{stamp}-{n}{path.suffix}"
        n += 1
    # Copied under a temporary name and renamed: a kill mid-copy never leaves a half file that
    # looks like a backup.
    atomic_write(target, lambda tmp: shutil.copy2(path, tmp), temp_for=path)
    old = sorted(folder.glob(f"{glob_escape(path.stem)}.*{glob_escape(path.suffix)}"))
    for stale in old[:-KEEP_BACKUPS]:
        stale.unlink(missing_ok=True)
    return target


def atomic_write(path: Path, write: Callable[[Path], None], *, temp_for: Path | None = None) -> None:
    """Call ``write(tmp)`` to produce the new file, then move it over ``path`` in one rename.

    The temporary file sits in the same folder (a rename across folders is not atomic) and is
    named after ``temp_for`` (default ``path``) so the ledger's lock holder can clear it up after a kill.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(Path(temp_for or path)), suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
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
    """Write a new file (``--out``); never over the source ledger itself."""
    source, out = Path(source), Path(out)
    if out.exists() and source.exists() and out.resolve() == source.resolve():
        raise UserError(
            "--out に元の台帳と同じファイルは指定できません（上書きするときは --out を付けずに実行してください）",
            "--out must differ from the input ledger (leave --out off to update the ledger in place)",
        )
    if not out.parent.exists():
        raise UserError(f"出力先のフォルダがありません: {out.parent}", f"output folder does not exist: {out.parent}")
    if out.exists():
        refuse_if_open_in_excel(out)
        # Writing over an existing workbook — maybe another ledger someone is updating — under its lock.
        with ledger_lock(out, "xlsbridge --out"):
            atomic_write(out, write)
        return
    atomic_write(out, write)
