"""The チェック結果 sheet as one block of values for the live workbook.

Links are HYPERLINK formulas inside the block (one write, however many findings), and the last two
columns list the cells with errors and with warnings as ``面会記録!H33``: the ledger template's
conditional formats (io/template.py) colour every cell listed there, so highlights appear and
disappear with each check without anything being written into the cells staff type in.

The key uses the sheet's name in the layout (``面会記録``), not the tab's title as found: the
template's rules compare against that name, and the reader accepts a tab with stray spaces.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..i18n import t
from ..io.template import ERROR_CELLS_COLUMN, FINDINGS_HEADERS, WARNING_CELLS_COLUMN
from .book import as_excel_text

ERROR_KEYS_INDEX = ord(ERROR_CELLS_COLUMN) - ord("A")  # 0-based positions in a row of the block
WARNING_KEYS_INDEX = ord(WARNING_CELLS_COLUMN) - ord("A")


def hyperlink(sheet: str, cell: str) -> str:
    """A formula that jumps to the cell; quotes inside are doubled as Excel's string syntax wants."""
    quoted = sheet.replace("'", "''")
    target = f"#'{quoted}'!{cell}".replace('"', '""')
    label = f"{sheet}!{cell}".replace('"', '""')
    return f'=HYPERLINK("{target}","{label}")'


def findings_rows(report, titles: Mapping[str, str] | None = None) -> list[list[Any]]:
    """Header and one row per finding.

    ``titles`` maps each layout sheet name to the tab's title in this workbook (``CellResolver.titles``):
    links go to the tab as it is named, the highlight keys use the layout name.
    """
    layout_name = {title: name for name, title in (titles or {}).items()}
    rows: list[list[Any]] = [list(FINDINGS_HEADERS)]
    width = len(FINDINGS_HEADERS)
    for item in report.items:
        key = f"{layout_name.get(item.sheet, item.sheet)}!{item.cell}" if item.cell else None
        if item.cell:
            where: Any = hyperlink(item.sheet, item.cell)
        elif item.row is not None:
            where = as_excel_text(t(f"{item.sheet} {item.row}行", f"{item.sheet} row {item.row}"))
        else:
            where = as_excel_text(item.sheet)
        row: list[Any] = [
            t("エラー", "error") if item.severity == "error" else t("警告", "warning"),
            where,
            as_excel_text(item.message),
            as_excel_text(item.value) if item.value not in (None, "") else None,
            as_excel_text(item.record) if item.record else None,
            item.code,
            as_excel_text(item.sheet),
        ]
        row += [None] * (width - len(row))
        row[ERROR_KEYS_INDEX if item.severity == "error" else WARNING_KEYS_INDEX] = key
        rows.append(row)
    return rows
