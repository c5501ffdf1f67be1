"""Generated sheets (料金集計, 期限・年齢, チェック結果): replaced as a whole on every run.

These sheets belong to xlsbridge, not to staff: each run removes the old one and draws it again,
so a staff edit there would be lost — the sheets say so in their first row.  Staff-entered sheets
are never touched by this module.
"""

from __future__ import annotations

from typing import Any, Sequence

from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .cells import set_value
from .print_setup import ledger_font
from .report_columns import OVERDUE_FILL, ReportColumn  # noqa: F401 — their home before report_columns.py

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")
NOTE_FONT = ledger_font(size=9, color="666666")


def replace_sheet(wb: Workbook, name: str, *, note: str, columns: Sequence[ReportColumn],
                  rows: Sequence[Sequence[Any]], after: str | None = None) -> Worksheet:
    """Draw a generated sheet: a note row, a frozen header, the rows; any older version is removed."""
    index = None
    if name in wb.sheetnames:
        index = wb.sheetnames.index(name)
        del wb[name]
    elif after and after in wb.sheetnames:
        index = wb.sheetnames.index(after) + 1
    ws = wb.create_sheet(name, index)
    set_value(ws["A1"], note)
    ws["A1"].font = NOTE_FONT
    for col, spec in enumerate(columns, start=1):
        cell = ws.cell(row=2, column=col)
        set_value(cell, spec.header)  # a header may carry ledger text (an unknown support type): never raw
        cell.font = ledger_font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = spec.width
    for r, values in enumerate(rows, start=3):
        for col, (spec, value) in enumerate(zip(columns, values), start=1):
            cell = ws.cell(row=r, column=col)
            set_value(cell, value)
            if spec.number_format and value is not None and not isinstance(value, str):
                cell.number_format = spec.number_format
            if spec.wrap:
                cell.alignment = WRAP
            if spec.negative_fill and isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                cell.fill = PatternFill("solid", fgColor=spec.negative_fill)
    ws.freeze_panes = "A3"
    if rows:
        ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{len(rows) + 2}"
    from .print_setup import apply_openpyxl

    apply_openpyxl(ws)  # io/print_setup.py: orientation, one page wide, the header on every page
    return ws
