"""The live workbook through xlwings: read each sheet in one call, write each block in one call.

Every call here crosses into Excel (a COM round trip on Windows, an action in the remote engine's
reply), and a per-cell loop over a 5,000-row ledger would take minutes.  So reads take a sheet's
whole used range at once and writes build the full 2-D block in Python first.  The number of calls
an action makes does not depend on the number of rows (tests/excel/test_excel_entrypoints.py counts them).

What arrives from Excel is not what a file reader sees: xlwings hands over a time of day as a
datetime on Excel's day zero (1899-12-30 14:00), a duration such as a ratio typed as ``60:40`` as a
datetime a few days later, every number as a float and error cells as ``#N/A`` text (asked for with
``err_to_str``).  :func:`cell_value` turns the first two back into what the file reader produces
(``time``, ``timedelta``) so the same ledger reader reads both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..domain.rules import fold
from ..io.cells import FORMULA_LEADERS
from ..domain.layout import AREAS_SHEET, CASES, CHILDREN, CONTACTS, SETTINGS_SHEET, STAFF, VISITS

# The sheets the ledger reader needs.  連絡先 (contacts) is never read from Excel, whatever is asked.
READ_TITLES = (CASES.name, CHILDREN.name, VISITS.name, STAFF.name, SETTINGS_SHEET, AREAS_SHEET)
NEVER_READ = frozenset({fold(CONTACTS.name), *(fold(a) for a in CONTACTS.aliases)})

# xlwings objects, named for what they are (xlwings is imported lazily: the CLI runs without it).
XwBook = Any  # xlwings.Book (or the remote engine's / Lite's book)
XwSheet = Any  # xlwings.Sheet
XwRange = Any  # xlwings.Range

EXCEL_DAY_ZERO = datetime(1899, 12, 30)
# A datetime before this is a time of day or a duration Excel stores as a number of days, not a date.
_DURATION_LIMIT = datetime(1900, 2, 1)


def sheet_titles(book: XwBook) -> list[str]:
    return [s.name for s in book.sheets]


def wanted_titles(titles: Iterable[str], wanted: Iterable[str] = READ_TITLES) -> list[str]:
    """The tabs among ``titles`` that match a wanted sheet with the reader's name folding
    (full-width/half-width, stray spaces), never the contacts sheet."""
    folded = {fold(w) for w in wanted} - NEVER_READ
    return [title for title in titles if fold(title) in folded]


def cell_value(value: Any) -> Any:
    """One value as xlwings returns it → the value the file reader would see for that cell."""
    if isinstance(value, datetime) and value < _DURATION_LIMIT:
        delta = value - EXCEL_DAY_ZERO
        if timedelta(0) <= delta < timedelta(days=1):
            return value.time()
        if delta > timedelta(0):
            return delta
    return value


def read_values(sheet: XwSheet) -> list[list[Any]]:
    """The sheet's values from A1 to the last used cell, as plain row lists (one Excel call)."""
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value
    return [[cell_value(v) for v in row] for row in (values or [])]


def read_sheets(book: XwBook, titles: Iterable[str] = READ_TITLES) -> dict[str, list[list[Any]]]:
    """Rows of each wanted sheet that exists, keyed by the tab's actual title (one call per sheet)."""
    chosen = set(wanted_titles(sheet_titles(book), titles))
    return {sheet.name: read_values(sheet) for sheet in book.sheets if sheet.name in chosen}


# Text Excel would turn into something else when it is written: a number ("001" → 1), a date
# ("2025-06" → Jun-25, "R6.4.1"), a time ("1:1" → 1:01), TRUE/FALSE, an error value.
_NUMBERISH = re.compile(
    r"\s*(?:[RHSTMrhstmＲＨＳＴＭ]|令和|平成|昭和|大正|明治)?"
    r"[\d０-９\s.,:/\-+%()¥￥$年月日時分秒eE]*[\d０-９][\d０-９\s.,:/\-+%()¥￥$年月日時分秒eE]*"
)
_EXCEL_LITERALS = frozenset({"TRUE", "FALSE", "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


def as_excel_text(value: Any) -> Any:
    """Text Excel must keep as typed gets Excel's own text marker (') in front.

    Excel evaluates a string written to a cell as if it were typed: ``=…`` becomes a formula (a name
    typed as ``=HYPERLINK(…)`` must not), ``001`` a number, ``2025-06`` a date, ``1:1`` a time.  The
    apostrophe is not shown and not part of the cell's value.
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_LEADERS) or value.strip().upper() in _EXCEL_LITERALS or _NUMBERISH.fullmatch(value):
        return "'" + value
    return value


def replace_sheet(book: XwBook, name: str, rows: Sequence[Sequence[Any]], *, after: str | None = None) -> XwSheet:
    """Put ``rows`` on sheet ``name`` from A1, creating it (after ``after``, else last) or clearing its
    old content first; returns the sheet."""
    existing = {s.name: s for s in book.sheets}
    if name in existing:
        sheet = existing[name]
        sheet.clear_contents()
    else:
        anchor = existing.get(after) if after else None
        sheet = book.sheets.add(name, after=anchor if anchor is not None else book.sheets[len(existing) - 1])
    width = max((len(r) for r in rows), default=1)
    block = [list(r) + [None] * (width - len(r)) for r in rows]
    if block:
        sheet.range((1, 1)).value = block
    return sheet


def format_block(sheet: XwSheet, first_row: int, height: int, formats: Mapping[int, str]) -> None:
    """Number formats for the columns (1-based index → format) of rows first_row.., one call per run
    of adjacent columns with the same format (also for no rows: the count of calls stays fixed)."""
    height = max(height, 1)
    for start, end, fmt in _runs(formats):
        sheet.range((first_row, start), (first_row + height - 1, end)).number_format = fmt


def _runs(formats: Mapping[int, str]) -> list[tuple[int, int, str]]:
    runs: list[tuple[int, int, str]] = []
    for index in sorted(formats):
        fmt = formats[index]
        if runs and runs[-1][1] == index - 1 and runs[-1][2] == fmt:
            runs[-1] = (runs[-1][0], index, fmt)
        else:
            runs.append((index, index, fmt))
    return runs


def write_columns(sheet: XwSheet, first_row: int, columns: Mapping[int, list[Any]]) -> int:
    """Write whole columns (1-based index → values from ``first_row``), one call per run of adjacent
    columns; returns the number of calls made.  Columns not in ``columns`` are never written, so
    input columns between computed ones are left alone."""
    calls = 0
    run: list[int] = []
    for index in [*sorted(columns), None]:
        if run and (index is None or index != run[-1] + 1):
            height = max(len(columns[c]) for c in run)
            block = [[columns[c][r] if r < len(columns[c]) else None for c in run] for r in range(height)]
            if block:
                sheet.range((first_row, run[0])).value = block
                calls += 1
            run = []
        if index is not None:
            run.append(index)
    return calls
