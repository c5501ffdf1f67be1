"""The チェック結果 sheet as one block of values for the live workbook.

Links are HYPERLINK formulas inside the block (one write, however many findings), and the last two
columns list the cells with errors and with warnings: the ledger template's conditional formats
colour every cell listed there, so highlights appear and disappear without touching input cells.
"""

from __future__ import annotations

from typing import Any

from ..i18n import t
from .book import as_excel_text

# The template's conditional formats look for "<sheet>!<cell>" in these columns (see io/template.py).
ERROR_KEYS_COLUMN = "I"
WARNING_KEYS_COLUMN = "J"


def hyperlink(sheet: str, cell: str) -> str:
    """A formula that jumps to the cell; quotes inside are doubled as Excel's string syntax wants."""
    quoted = sheet.replace("'", "''")
    target = f"#'{quoted}'!{cell}".replace('"', '""')
    label = f"{sheet}!{cell}".replace('"', '""')
    return f'=HYPERLINK("{target}","{label}")'


def findings_rows(report) -> list[list[Any]]:
    header = [t("重大度", "Severity"), t("セル", "Cell"), t("内容", "Message"), t("入力値", "Value"),
              t("ケース/記録ID", "Record"), t("コード", "Code"), t("シート", "Sheet"), "",
              t("エラーのセル", "Error cells"), t("注意のセル", "Warning cells")]
    rows: list[list[Any]] = [header]
    for item in report.items:
        key = f"{item.sheet}!{item.cell}" if item.cell else None
        rows.append([
            t("エラー", "error") if item.severity == "error" else t("注意", "warning"),
            hyperlink(item.sheet, item.cell) if item.cell else item.sheet,
            as_excel_text(item.message),
            as_excel_text(item.value) if item.value not in (None, "") else None,
            as_excel_text(item.record) if item.record else None,
            item.code,
            item.sheet,
            None,
            key if item.severity == "error" else None,
            key if item.severity == "warning" else None,
        ])
    return rows
