"""The live workbook through xlwings: read each sheet in one call, write each block in one call.

Every call here crosses into Excel (a COM round trip on Windows, an action in the remote engine's
reply), and a per-cell loop over a 5,000-row ledger would take minutes.  So reads take a sheet's
whole used range at once and writes build the full 2-D block in Python first.  The number of calls
an action makes does not depend on the number of rows (tests/test_excel_entrypoints.py counts them).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from ..io.cells import FORMULA_LEADERS
from ..io.layout import AREAS_SHEET, CASES, CHILDREN, SETTINGS_SHEET, STAFF, VISITS

# The sheets the ledger reader needs.  連絡先 (contacts) is deliberately never read from Excel.
READ_TITLES = (CASES.name, CHILDREN.name, VISITS.name, STAFF.name, SETTINGS_SHEET, AREAS_SHEET)


def sheet_titles(book) -> list[str]:
    return [s.name for s in book.sheets]


def read_sheets(book, titles: Iterable[str] = READ_TITLES) -> dict[str, list[list[Any]]]:
    """Rows from A1 of each wanted sheet that exists, as plain lists (one Excel call per sheet)."""
    wanted = set(titles)
    out: dict[str, list[list[Any]]] = {}
    for sheet in book.sheets:
        if sheet.name not in wanted:
            continue
        last = sheet.used_range.last_cell
        values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
        out[sheet.name] = [list(r) for r in (values or [])]
    return out


def as_excel_text(value: Any) -> Any:
    """Text from a user that Excel must not take for a formula gets Excel's own text marker (')."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADERS):
        return "'" + value
    return value


def replace_sheet(book, name: str, rows: Sequence[Sequence[Any]], *, after: str | None = None) -> None:
    """Put ``rows`` on sheet ``name`` from A1, creating it or clearing its old content first."""
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


def write_columns(sheet, first_row: int, columns: Mapping[int, list[Any]]) -> int:
    """Write whole columns (1-based index → values from ``first_row``), one call per run of adjacent
    columns; returns the number of calls made."""
    calls = 0
    indexes = sorted(columns)
    run: list[int] = []
    for index in indexes + [None]:  # type: ignore[list-item]
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
