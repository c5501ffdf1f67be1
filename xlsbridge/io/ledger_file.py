"""A ledger file read once per command: its bytes (decrypted) and what the reader makes of them.

A command that reads the ledger and then writes into it (fees, flags --write, validate --annotate,
report --sheet, plan) used to read and decrypt the file once for the ledger and again for the
package to patch or the workbook to load.  ``LedgerFile`` loads the file the first time something
asks for it and hands the same bytes to both; ``loads()`` counts the file reads of the process
(tests and benchmarks check that a command makes one).
"""

from __future__ import annotations

from pathlib import Path

from .reader import LedgerRead, read_ledger_bytes
from .xlsx.package import load_workbook_bytes, loads

__all__ = ["LedgerFile", "loads"]


class LedgerFile:
    def __init__(self, path: Path | str, password: str | None = None):
        self.path = Path(path)
        self.password = password
        self._data: bytes | None = None
        self._read: LedgerRead | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def macros(self) -> bool:
        """An .xlsm: its macros are kept when the workbook is written by openpyxl."""
        return self.path.suffix.lower() == ".xlsm"

    @property
    def data(self) -> bytes:
        """The workbook package (decrypted), past the package checks; read on first use."""
        if self._data is None:
            self._data = load_workbook_bytes(self.path, self.password)
        return self._data

    def read(self) -> LedgerRead:
        """The ledger as the reader reads it, from the same bytes."""
        if self._read is None:
            self._read = read_ledger_bytes(self.data, self.name)
        return self._read
