"""Updating a ledger: in place (refuse if open in Excel, lock, back up, atomic rename) or as a new file.

The lock is taken before the ledger is read, so a second clerk's run cannot slip in between our
read and our write and have its changes overwritten.  A ledger reached through a symbolic link is
updated where it lives; a read-only ledger is refused before any work; when the new content equals
the old, nothing is written and no backup is made (``LedgerUpdate.unchanged``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import Iterator

from ..io.safe_write import (
    atomic_write,
    check_out_target,
    ledger_lock,
    make_backup,
    real_path,
    refuse_if_open_in_excel,
    refuse_unwritable,
    save_copy,
)


@dataclass
class LedgerUpdate:
    ledger: Path
    out: Path | None
    backup: Path | None = None
    unchanged: bool = False  # the new content equalled the old: nothing was written
    source: Any = None  # the io/ledger_file.LedgerFile the command read: its bytes are not read again

    def open(self, password: str | None) -> Any:
        """The ledger, read once for the whole command (io/ledger_file.LedgerFile)."""
        from ..io.ledger_file import LedgerFile

        return self.use(LedgerFile(self.ledger, password))

    def use(self, source: Any) -> Any:
        self.source = source
        return source

    def _original(self, password: str | None) -> bytes:
        """The ledger's workbook bytes (decrypted): the ones the command read, else read now."""
        from ..io.xlsx.package import load_workbook_bytes

        if self.source is not None and self.source.path.resolve() == self.ledger.resolve():
            return self.source.data
        return load_workbook_bytes(self.ledger, password)

    @property
    def target(self) -> Path:
        return self.out or self.ledger

    def save(self, wb, password: str | None, *, add_lite_part: bool = False) -> Path:
        """Write ``wb`` to the target: encrypted with ``password`` when the ledger was encrypted
        (a protected ledger, or its --out copy, stays protected), plain when it was not.

        openpyxl drops the ledger's xlwings Lite part (requirements.txt and main.py, so the staff's
        buttons): it is carried over from the ledger, or, with ``add_lite_part`` (a template
        upgrade), added when the ledger had none."""
        from ..io.workbook_io import workbook_bytes  # openpyxl (~20 MB) only for the commands that use it

        return self.save_bytes(self._lite_part(workbook_bytes(wb), password, add_lite_part), password)

    def _lite_part(self, payload: bytes, password: str | None, add: bool) -> bytes:
        from ..io.lite_part import carry_lite_part, default_requirements, part_files, read_lite_part, with_lite_part

        try:
            original = self._original(password)
        except Exception:  # noqa: BLE001 - an unreadable original has no part to carry
            original = b""
        payload = carry_lite_part(original, payload) if original else payload
        if add and read_lite_part(payload) is None:
            payload = with_lite_part(payload, part_files(default_requirements()))
        return payload

    def save_bytes(self, payload: bytes, password: str | None) -> Path:
        """Write an already serialised workbook (e.g. io/xlsx's output) to the target, encrypted
        as ``save`` does."""
        from ..io.xlsx.package import is_encrypted

        if password is not None and not is_encrypted(self.ledger):
            password = None  # never encrypt a plain ledger with a password that happened to be set
        plain = payload
        if password is not None:
            from ..io.workbook_io import encrypt  # imports openpyxl: only when it is needed

            payload = encrypt(payload, password)

        def write(tmp: Path) -> None:
            tmp.write_bytes(payload)

        if self.out is not None:
            save_copy(self.ledger, self.out, write)
        elif _same_content(self.ledger, plain, password, self):
            self.unchanged = True
        else:
            self.backup = make_backup(self.ledger)
            atomic_write(self.ledger, write)
        return self.target


@contextlib.contextmanager
def ledger_update(ledger: Path, *, out: Path | None, command: str, read_only: bool = False,
                  force: bool = False) -> Iterator[LedgerUpdate]:
    """Hold what an in-place update needs for the whole read-compute-write cycle.  The target is
    checked first (``--out``: see ``check_out_target``; in place: writable, not open elsewhere),
    so nothing is computed for a write that would be refused."""
    ledger = real_path(Path(ledger))
    if out is not None and not read_only:
        out = check_out_target(out, force=force, source=ledger)
    update = LedgerUpdate(ledger, out)
    if out is not None or read_only:
        yield update
        return
    if ledger.exists():  # a missing ledger: reading it says so
        refuse_unwritable(ledger)
    refuse_if_open_in_excel(ledger)
    with ledger_lock(ledger, command):
        yield update


def _same_content(ledger: Path, plain: bytes, password: str | None, update: LedgerUpdate) -> bool:
    """Whether the workbook ``plain`` holds exactly what the ledger holds now (part by part, so a
    re-zipped but equal package counts as equal; an encrypted ledger is compared decrypted, in memory)."""
    import io
    import zipfile

    try:
        current = ledger.read_bytes() if password is None else update._original(password)
    except Exception:  # noqa: BLE001 — unreadable now: certainly write
        return False
    if current == plain:
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(current)) as old, zipfile.ZipFile(io.BytesIO(plain)) as new:
            a = {i.filename: (i.CRC, i.file_size) for i in old.infolist()}
            b = {i.filename: (i.CRC, i.file_size) for i in new.infolist()}
            if a != b:
                return False
            return all(old.read(name) == new.read(name) for name in a)
    except Exception:  # noqa: BLE001 — a package zipfile cannot list: write
        return False
