"""Opening a ledger for an update and serialising it again (encrypted again when it was)."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook, load_workbook

from .reader import load_workbook_bytes


def open_for_update(path: Path, password: str | None = None) -> Workbook:
    """The ledger as an editable openpyxl workbook (macros kept for .xlsm)."""
    data = load_workbook_bytes(Path(path), password)
    return load_workbook(io.BytesIO(data), keep_vba=Path(path).suffix.lower() == ".xlsm")


def workbook_bytes(wb: Workbook, password: str | None = None) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    payload = buffer.getvalue()
    return encrypt(payload, password) if password is not None else payload


def encrypt(payload: bytes, password: str) -> bytes:
    """Excel's "Encrypt with Password" (agile encryption), so a protected ledger stays protected."""
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(payload)).encrypt(password, encrypted)
    return encrypted.getvalue()
