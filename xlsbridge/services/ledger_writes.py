"""Updating a ledger: in place (refuse if open in Excel, lock, back up, atomic rename) or as a new file.

The lock is taken before the ledger is read, so a second clerk's run cannot slip in between our
read and our write and have its changes overwritten.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..io.safe_write import atomic_write, backup, ledger_lock, refuse_if_open_in_excel, save_copy
from ..io.workbook_io import workbook_bytes


@dataclass
class LedgerUpdate:
    ledger: Path
    out: Path | None
    backup: Path | None = None

    @property
    def target(self) -> Path:
        return self.out or self.ledger

    def save(self, wb, password: str | None) -> Path:
        """Write ``wb`` to the target: encrypted with ``password`` when the ledger was encrypted
        (a protected ledger, or its --out copy, stays protected), plain when it was not."""
        return self.save_bytes(workbook_bytes(wb), password)

    def save_bytes(self, payload: bytes, password: str | None) -> Path:
        """Write an already serialised workbook (e.g. io/xlsx_patch's output) to the target, encrypted
        as ``save`` does."""
        from ..io.reader import is_encrypted
        from ..io.workbook_io import encrypt

        if password is not None and not is_encrypted(self.ledger):
            password = None  # never encrypt a plain ledger with a password that happened to be set
        if password is not None:
            payload = encrypt(payload, password)

        def write(tmp: Path) -> None:
            tmp.write_bytes(payload)

        if self.out is not None:
            save_copy(self.ledger, self.out, write)
        else:
            self.backup = backup(self.ledger)
            atomic_write(self.ledger, write)
        return self.target


@contextlib.contextmanager
def ledger_update(ledger: Path, *, out: Path | None, command: str, read_only: bool = False) -> Iterator[LedgerUpdate]:
    """Hold what an in-place update needs for the whole read-compute-write cycle."""
    ledger = Path(ledger)
    update = LedgerUpdate(ledger, out)
    if out is not None or read_only:
        yield update
        return
    refuse_if_open_in_excel(ledger)
    with ledger_lock(ledger, command):
        yield update
