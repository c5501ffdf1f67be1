"""Only the settings of a ledger (設定 and 区域 sheets), for `quote --settings LEDGER.xlsx`."""

from __future__ import annotations

import io
from pathlib import Path

from ..domain.settings import Settings
from ..errors import WorkbookUnusable
from ..domain.layout import AREAS_SHEET, SETTINGS_SHEET
from ..domain.rules import fold as fold_title
from .xlsx.package import load_workbook_bytes
from .settings_sheet import read_settings_sheets


def read_workbook_settings(path: Path, *, password: str | None = None) -> Settings:
    import python_calamine

    data = load_workbook_bytes(Path(path), password)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine's errors carry no user data; the message below says what to do
        raise WorkbookUnusable(f"{Path(path).name} を読めません。Excel で開けるか確認してください",
                               f"cannot read {Path(path).name}; check that Excel opens it") from None
    wanted = {fold_title(SETTINGS_SHEET), fold_title(AREAS_SHEET)}
    try:
        rows = {title: book.get_sheet_by_name(title).to_python() for title in book.sheet_names
                if fold_title(title) in wanted}
    finally:
        book.close()
    return read_settings_sheets(rows)
