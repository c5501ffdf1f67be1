"""The live book as a ``LedgerSink`` (io/sinks.py): the ribbon's and xlwings Lite's output blocks.

Each block is built in Python and written in a fixed number of calls (excel/book.py), however many
rows the ledger has.  Text that Excel would turn into a number, date or formula gets Excel's text
marker; a ``Link`` becomes a HYPERLINK formula with the one quoting of io/xlsx/cells.cell_link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..io.sinks import ComputedColumn, Link, NumberFormat
from .book import XwBook, as_excel_text, format_block, replace_sheet, write_columns


def hyperlink_formula(link: Link) -> str:
    """A formula that jumps to the cell; quotes inside are doubled as Excel's string syntax wants."""
    target = link.target.replace('"', '""')
    label = link.label.replace('"', '""')
    return f'=HYPERLINK("{target}","{label}")'


def excel_value(value: Any) -> Any:
    """One value of a block as it is written to Excel: a link as its formula, text kept as typed."""
    return hyperlink_formula(value) if isinstance(value, Link) else as_excel_text(value)


def print_setup(sheet: Any, name: str) -> None:
    """The sheet's print setup (io/print_setup.py) where xlwings reaches Excel's PageSetup: the classic
    add-in on Windows.  xlwings Lite and the remote engine have no page setup: the sheet prints with
    Excel's defaults there, and a failure here never stops the button that drew the sheet."""
    from ..io.print_setup import setup_for

    setup = setup_for(name)
    if setup is None:
        return
    try:
        page = sheet.api.PageSetup
        page.Orientation = 2 if setup.orientation == "landscape" else 1  # xlLandscape / xlPortrait
        page.PaperSize = setup.paper  # 9: xlPaperA4, as SpreadsheetML numbers it
        if setup.pages_wide:
            page.Zoom = False
            page.FitToPagesWide = setup.pages_wide
            page.FitToPagesTall = False
        if setup.title_rows:
            page.PrintTitleRows = f"${setup.title_rows[0]}:${setup.title_rows[1]}"
        page.CenterHorizontally = setup.centered
        if setup.page_numbers:
            page.CenterFooter = "&P / &N"
    except Exception:  # noqa: BLE001 - Lite, the remote engine, macOS' AppleScript bridge: no PageSetup
        return


class XlwingsSink:
    """An xlwings book (``xw.Book``): the classic add-in's and Lite's."""

    def __init__(self, book: XwBook) -> None:
        self.book = book
        self.last_sheet: Any = None  # the sheet written last, for the entry point to show
        self.skipped: list[str] = []  # formatting the client could not apply (plan sheets in Lite)

    def set_computed_columns(self, sheet: str, columns: Sequence[ComputedColumn], rows: Mapping[int, Sequence[Any]],
                             number_format: NumberFormat) -> None:
        """Every row down to the last used one is written, so a cleared row loses its stale values
        too; the template formats the computed columns already (``number_format`` is not needed)."""
        rows = dict(rows)  # each row's values worked out once (services/outputs hands a lazy mapping)
        target = self.book.sheets[sheet]
        used = target.used_range.last_cell
        last_row = max([used.row, *rows])
        index: list[int] = []
        missing = [c for c in columns if c.index is None]
        first_free = used.column + 1
        # The reader found each computed column by its own header, which no input column shares
        # (tests/excel/test_excel_entrypoints.py keeps it so), so these indexes are never an input column.
        if missing:  # an older ledger without some computed columns: add their headers at the end
            target.range((1, first_free)).value = [[c.header for c in missing]]
        for column in columns:
            if column.index is None:
                index.append(first_free)
                first_free += 1
            else:
                index.append(column.index + 1)
        span = range(2, last_row + 1)
        blank = [None] * len(columns)
        block = {position: [as_excel_text(rows.get(r, blank)[i]) for r in span] for i, position in enumerate(index)}
        if last_row >= 2:
            write_columns(target, 2, block)
        self.last_sheet = target

    def replace_generated_sheet(self, name: str, *, note: str, columns: Sequence[Any], rows: Sequence[Sequence[Any]],
                                after: str | None = None) -> None:
        """A generated sheet like the file's: the note in row 1, headers in row 2, the rows from row 3,
        number formats per column, widths fitted — a fixed number of calls."""
        block = [[note], [c.header for c in columns], *[[as_excel_text(v) for v in row] for row in rows]]
        sheet = replace_sheet(self.book, name, block, after=after)
        format_block(sheet, 3, len(rows), {i: c.number_format for i, c in enumerate(columns, start=1) if c.number_format})
        sheet.range((2, 1), (2 + len(rows), len(columns))).columns.autofit()
        print_setup(sheet, name)
        self.last_sheet = sheet

    def write_findings(self, name: str, rows: Sequence[Sequence[Any]]) -> None:
        header, *body = rows
        self.last_sheet = replace_sheet(self.book, name, [list(header), *[[excel_value(v) for v in r] for r in body]])

    def put_plan_sheets(self, plans: Sequence[Any]) -> list[str]:
        """Drawn by the same code as the files' plans (io/plan_sheet.py) and copied into the book;
        ``skipped`` keeps the formatting the client could not apply."""
        from .drawn_sheet import put_plan_sheets

        names, self.skipped = put_plan_sheets(self.book, list(plans))
        return names


__all__ = ["XlwingsSink", "excel_value", "hyperlink_formula"]
