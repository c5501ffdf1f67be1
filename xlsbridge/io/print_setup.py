"""How each sheet of the ledger prints, and the one font of the ledger: data, applied by the writers.

Every sheet xlsbridge writes gets a print setup here — paper, orientation, how many pages wide,
the rows (and columns) repeated on every page, the print area — so the clerk's 印刷 gives pages a
person can read: 料金集計 with its key columns on every page, 期限・年齢 with 対応 whole, an empty
チェック結果 on one page.  The writers apply it: io/report_sheets.py and the workbook builders through
openpyxl (:func:`apply_openpyxl`), the package patcher as sheet XML (:func:`sheet_xml`,
:func:`print_titles`).  One font everywhere (:data:`FONT`): the plan's 游ゴシック, not openpyxl's Calibri.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The one font of the ledger: every cell, every sheet (what Excel for Japanese offices shows).
FONT = "游ゴシック"
FONT_SIZE = 11
FONT_CHARSET = 128  # SHIFTJIS_CHARSET: Excel's own for Japanese fonts
FONT_FAMILY = 3  # modern

A4 = 9  # paperSize of SpreadsheetML


@dataclass(frozen=True)
class PrintSetup:
    orientation: str = "landscape"  # "portrait" | "landscape"
    pages_wide: int = 1  # fit to this many pages wide (0: do not fit, print at 100 %)
    title_rows: tuple[int, int] | None = None  # repeated at the top of every page (1-based, inclusive)
    title_columns: tuple[int, int] | None = None  # repeated at the left of every page
    area_columns: int | None = None  # print only the first N columns (None: every used column)
    paper: int = A4
    centered: bool = True  # horizontally on the page
    page_numbers: bool = True  # "1 / 3" in the footer


# Generated sheets: a note in row 1, the header in row 2 (io/report_sheets.replace_sheet, io/xlsx).
GENERATED_TITLE_ROWS = (1, 2)

SETUPS: dict[str, PrintSetup] = {
    # 13 columns (24 with the statements): one page wide, the scope, case and month on every page.
    "料金集計": PrintSetup("landscape", 1, GENERATED_TITLE_ROWS),
    # 対応 is the widest column: landscape, one page wide, never clipped.
    "期限・年齢": PrintSetup("landscape", 1, GENERATED_TITLE_ROWS),
    "実績報告": PrintSetup("landscape", 1, GENERATED_TITLE_ROWS),
    # The findings themselves (重大度 … シート); the two highlight columns are for the formats only.
    "チェック結果": PrintSetup("landscape", 1, (1, 1), area_columns=7),
    # Record sheets: the header on every page, the IDs at the left when the sheet runs to a second page.
    "ケース": PrintSetup("landscape", 2, (1, 1), (1, 1)),
    "連絡先": PrintSetup("landscape", 1, (1, 1)),
    "子ども": PrintSetup("landscape", 1, (1, 1)),
    "面会記録": PrintSetup("landscape", 2, (1, 1), (1, 2)),
    "支援員": PrintSetup("portrait", 1, (1, 1)),
    "使い方": PrintSetup("portrait", 1, page_numbers=False),
    "設定": PrintSetup("landscape", 1),
    "区域": PrintSetup("landscape", 1, (1, 1)),
}


def setup_for(sheet: str) -> PrintSetup | None:
    return SETUPS.get(sheet)


def _letters(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


# --- openpyxl -----------------------------------------------------------------------------------

def apply_openpyxl(ws: Any, setup: PrintSetup | None = None, *, columns: int | None = None) -> None:
    """Set ``ws``'s print setup (``setup`` or the one for its name); ``columns``: how many are used."""
    setup = setup or setup_for(ws.title)
    if setup is None:
        return
    ps = ws.page_setup
    ps.paperSize = setup.paper
    ps.orientation = setup.orientation
    if setup.pages_wide:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ps.fitToWidth = setup.pages_wide
        ps.fitToHeight = 0  # as many pages tall as the rows need
    ws.print_options.horizontalCentered = setup.centered
    if setup.title_rows:
        ws.print_title_rows = f"{setup.title_rows[0]}:{setup.title_rows[1]}"
    if setup.title_columns:
        ws.print_title_cols = f"{_letters(setup.title_columns[0])}:{_letters(setup.title_columns[1])}"
    if setup.area_columns:  # whole columns: rows a later run adds print too
        ws.print_area = f"A1:{_letters(setup.area_columns)}1048576"  # openpyxl takes no bare A:G
    if setup.page_numbers:
        ws.oddFooter.center.text = "&[Page] / &N"


def ledger_font(**kwargs: Any):
    """An openpyxl Font in the ledger's font (bold, size, colour … as given)."""
    from openpyxl.styles import Font

    kwargs.setdefault("name", FONT)
    kwargs.setdefault("charset", FONT_CHARSET)
    kwargs.setdefault("family", FONT_FAMILY)
    return Font(**kwargs)


def use_ledger_font(wb: Any) -> None:
    """Make the ledger's font the workbook's default (every cell without a font of its own)."""
    from openpyxl.utils.indexed_list import IndexedList

    font = ledger_font(sz=FONT_SIZE)
    wb._fonts = IndexedList([font])  # fonts[0]: the default of every cell
    wb._named_styles["Normal"].font = font


def name_every_font(wb: Any) -> None:
    """Give every font of ``wb`` that has no name the ledger's (a ``Font(bold=True)`` anywhere), in
    place: the fonts keep their positions, so every cell keeps its font."""
    from copy import copy

    from openpyxl.utils.indexed_list import IndexedList

    named = []
    for font in wb._fonts:
        if font.name is None:
            font = copy(font)
            font.name, font.charset, font.family = FONT, FONT_CHARSET, FONT_FAMILY
        named.append(font)
    wb._fonts = IndexedList(named)


# --- sheet XML (io/xlsx, the package patcher) ------------------------------------------------------

def sheet_xml(setup: PrintSetup | None) -> tuple[str, str, str]:
    """(``<sheetPr>`` for the start, ``<printOptions>`` before the margins, ``<pageSetup>`` and
    ``<headerFooter>`` after them) of a worksheet, in SpreadsheetML's order."""
    if setup is None:
        return "", "", ""
    sheet_pr = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if setup.pages_wide else ""
    options = '<printOptions horizontalCentered="1"/>' if setup.centered else ""
    fit = f' fitToWidth="{setup.pages_wide}" fitToHeight="0"' if setup.pages_wide else ""
    after = f'<pageSetup paperSize="{setup.paper}" orientation="{setup.orientation}"{fit}/>'
    if setup.page_numbers:
        after += "<headerFooter><oddFooter>&amp;C&amp;P / &amp;N</oddFooter></headerFooter>"
    return sheet_pr, options, after


def print_titles(setup: PrintSetup | None, quoted_sheet: str) -> str | None:
    """The value of the sheet's _xlnm.Print_Titles defined name, or None."""
    if setup is None:
        return None
    parts = []
    if setup.title_columns:
        a, b = setup.title_columns
        parts.append(f"{quoted_sheet}!${_letters(a)}:${_letters(b)}")
    if setup.title_rows:
        a, b = setup.title_rows
        parts.append(f"{quoted_sheet}!${a}:${b}")
    return ",".join(parts) or None


def print_names(sheet: str) -> tuple[str, ...]:
    """The defined names the sheet's setup sets (kept in place when a generated sheet is drawn again)."""
    setup = setup_for(sheet)
    if setup is None:
        return ()
    names = ("_xlnm.Print_Titles",) if setup.title_rows or setup.title_columns else ()
    return names + (("_xlnm.Print_Area",) if setup.area_columns else ())


def print_area(setup: PrintSetup | None, quoted_sheet: str, rows: int) -> str | None:
    if setup is None or not setup.area_columns:
        return None
    return f"{quoted_sheet}!$A:${_letters(setup.area_columns)}"
