"""Put a worksheet drawn with openpyxl into the open workbook through xlwings.

The plan form is drawn once, on an openpyxl worksheet (io/plan_sheet.py), for every way out: the
CLI's files, the classic add-in's plan workbook and, here, a sheet of the open ledger where there
are no files (xlwings Lite).  This module copies what that worksheet holds into an xlwings sheet:
values in one block, then each kind of formatting as few rectangles as cover it (one action per
rectangle, not per cell): fonts, fills, borders, alignment, wrapping, merged cells, column widths,
row heights, the print area and gridlines.

What xlwings' object model for Lite does not offer is left to Excel's defaults and said in
docs/excel-lite.md: paper size and orientation (A4 portrait is Excel's default in Japan), "fit to
one page wide", print titles and the page-number footer.  Formatting a client cannot apply (the
alignment and gridline calls need Office.js) is skipped rather than failing the action: the values
are what matters on the form.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any

from .book import XwBook, XwRange, as_excel_text

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

    from ..domain.plan import PlanSheet

Rect = tuple[int, int, int, int]  # first row, first column, last row, last column (1-based)


def rectangles(width: int, height: int, value_at: Callable[[int, int], Hashable]) -> list[tuple[Rect, Hashable]]:
    """Rectangles of equal non-None values covering the grid: runs along each row, joined with the
    same run (same columns, same value) on the rows right below.  Deterministic order."""
    done: list[tuple[Rect, Hashable]] = []
    open_runs: dict[tuple[int, int, Hashable], int] = {}  # (first col, last col, value) -> first row
    for row in range(1, height + 1):
        runs: list[tuple[int, int, Hashable]] = []
        col = 1
        while col <= width:
            value = value_at(row, col)
            if value is None:
                col += 1
                continue
            end = col
            while end + 1 <= width and value_at(row, end + 1) == value:
                end += 1
            runs.append((col, end, value))
            col = end + 1
        current = set(runs)
        for key in [k for k in open_runs if k not in current]:
            done.append(((open_runs.pop(key), key[0], row - 1, key[1]), key[2]))
        for key in runs:
            open_runs.setdefault(key, row)
    for key, first in open_runs.items():
        done.append(((first, key[0], height, key[1]), key[2]))
    return sorted(done, key=lambda item: (item[0], repr(item[1])))


def _runs(values: Iterable[tuple[int, Any]]) -> list[tuple[int, int, Any]]:
    """(first, last, value) for consecutive indexes with the same value."""
    out: list[tuple[int, int, Any]] = []
    for index, value in sorted(values):
        if out and out[-1][1] == index - 1 and out[-1][2] == value:
            out[-1] = (out[-1][0], index, value)
        else:
            out.append((index, index, value))
    return out


def _fill(cell: Cell) -> str | None:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return None
    rgb = fill.fgColor.rgb if fill.fgColor is not None else None
    return f"#{rgb[-6:]}" if isinstance(rgb, str) and len(rgb) >= 6 else None


def _boxed(cell: Cell) -> bool | None:
    border = cell.border
    sides = (border.left, border.right, border.top, border.bottom)
    return True if all(side is not None and side.style for side in sides) else None


# What is read from each openpyxl cell and how it is applied to an xlwings range.
def _font_bold(cell: Cell) -> bool | None:
    return True if cell.font is not None and cell.font.b else None


def _font_size(cell: Cell) -> float | None:
    return float(cell.font.sz) if cell.font is not None and cell.font.sz else None


def _font_name(cell: Cell) -> str | None:
    return cell.font.name if cell.font is not None and cell.font.name else None


def _h_align(cell: Cell) -> str | None:
    h = cell.alignment.horizontal if cell.alignment is not None else None
    return h if h in ("left", "center", "right") else None


def _v_align(cell: Cell) -> str | None:
    v = cell.alignment.vertical if cell.alignment is not None else None
    return v if v in ("top", "center", "bottom") else None


def _wrap(cell: Cell) -> bool | None:
    return True if cell.alignment is not None and cell.alignment.wrap_text else None


def _set_borders(rng: XwRange, _value: Any) -> None:
    rng.borders.line_style = "continuous"  # a new border's weight is thin


def _set(attr: str) -> Callable[[Any, Any], None]:
    def apply(rng: XwRange, value: Any) -> None:
        setattr(rng, attr, value)
    return apply


def _set_font(attr: str) -> Callable[[Any, Any], None]:
    def apply(rng: XwRange, value: Any) -> None:
        setattr(rng.font, attr, value)
    return apply


# (what, read from a cell, apply to a range, the style part whose id 0 means "not set").  A format
# with a style part gets a base: its most common value is applied to the whole drawn area in one
# call, and cells that do not set it (the covered cells of a merge, empty spacer cells) count as the
# base, so only the cells that differ become rectangles.
FORMATS: tuple[tuple[str, Callable[[Any], Hashable], Callable[[Any, Any], None], str | None], ...] = (
    ("font name", _font_name, _set_font("name"), "fontId"),
    ("font size", _font_size, _set_font("size"), "fontId"),
    ("bold", _font_bold, _set_font("bold"), None),
    ("fill", _fill, _set("color"), None),
    ("borders", _boxed, _set_borders, None),
    ("horizontal alignment", _h_align, _set("horizontal_alignment"), "alignmentId"),
    ("vertical alignment", _v_align, _set("vertical_alignment"), "alignmentId"),
    ("wrap", _wrap, _set("wrap_text"), "alignmentId"),
)
_UNSET = object()


def _formats_of(cell: Cell, cache: dict[Any, Any]) -> tuple[Any, ...]:
    """The FORMATS values of a cell (``_UNSET`` where its style does not set that part), computed
    once per distinct style: reading openpyxl styles cell by cell was most of the drawing's time."""
    style = getattr(cell, "_style", None)
    if style is None:  # a covered cell of a merge drawn without a frame
        return (_UNSET,) * len(FORMATS)
    key = tuple(style)
    found = cache.get(key)
    if found is None:
        found = cache[key] = tuple(_UNSET if part and getattr(cell._style, part) == 0 else read(cell)
                                   for _, read, _, part in FORMATS)
    return found


def _optional(apply: Callable[[], None], skipped: list[str], what: str) -> None:
    """Formatting the client cannot apply is skipped (and counted), never fatal."""
    try:
        apply()
    except NotImplementedError:
        if what not in skipped:
            skipped.append(what)


def put_drawn_sheet(book: XwBook, ws: Worksheet, name: str | None = None, *, after: str | None = None) -> tuple[Any, list[str]]:
    """Replace (or add) sheet ``name`` (default: the worksheet's title) in the xlwings ``book`` with
    the content and formatting of the openpyxl worksheet ``ws``.  Returns the sheet and the kinds of
    formatting the client could not apply.

    An older sheet of that name is deleted and the new one takes its place, so nothing of an older,
    longer form (merges, borders) survives; a new one goes after ``after`` or last."""
    name = name or ws.title
    existing = [s.name for s in book.sheets]
    if name in existing and len(existing) > 1:
        i = existing.index(name)
        book.sheets[name].delete()
        if i > 0:
            sheet = book.sheets.add(name, after=book.sheets[existing[i - 1]])
        else:
            sheet = book.sheets.add(name, before=book.sheets[existing[1]])
    elif name in existing:  # the book's only sheet: clear it instead
        sheet = book.sheets[name]
        sheet.clear()
    else:
        anchor = book.sheets[after] if after in existing else book.sheets[len(existing) - 1]
        sheet = book.sheets.add(name, after=anchor)

    height, width = ws.max_row, ws.max_column
    grid = [[ws.cell(row=r, column=c) for c in range(1, width + 1)] for r in range(1, height + 1)]
    sheet.range((1, 1)).value = [[as_excel_text(cell.value) for cell in row] for row in grid]

    skipped: list[str] = []
    for first, last, width_value in _runs((i, ws.column_dimensions[_letter(i)].width)
                                           for i in range(1, width + 1) if ws.column_dimensions[_letter(i)].width):
        sheet.range((1, first), (1, last)).column_width = width_value
    heights = [(r, ws.row_dimensions[r].height) for r in range(1, height + 1) if ws.row_dimensions[r].height]
    for first, last, row_height in _runs(heights):
        sheet.range((first, 1), (last, 1)).row_height = row_height

    cache: dict = {}
    styles = [[_formats_of(cell, cache) for cell in row] for row in grid]
    for i, (what, _read, apply, part) in enumerate(FORMATS):
        base = None
        if part:
            seen = Counter(v for row in styles for v in (x[i] for x in row) if v is not _UNSET and v is not None)
            base = seen.most_common(1)[0][0] if seen else None
            if base is not None:
                whole = sheet.range((1, 1), (height, width))
                _optional(lambda: apply(whole, base), skipped, what)

        def value_at(r: int, c: int, i: int = i, base: Any = base) -> Any:
            v = styles[r - 1][c - 1][i]
            return None if v is _UNSET or v == base else v

        for (r1, c1, r2, c2), value in rectangles(width, height, value_at):
            rng = sheet.range((r1, c1), (r2, c2))
            _optional(lambda: apply(rng, value), skipped, what)

    # Merges: ranges of one row with the same columns on consecutive rows become one "merge across".
    single_row = {}
    for merged in ws.merged_cells.ranges:
        if merged.min_row == merged.max_row:
            single_row[(merged.min_row, merged.min_col)] = merged.max_col
        else:
            sheet.range((merged.min_row, merged.min_col), (merged.max_row, merged.max_col)).merge(False)
    for (r1, c1, r2, _c2), c_last in rectangles(width, height, lambda r, c: single_row.get((r, c))):
        sheet.range((r1, c1), (r2, c_last)).merge(r2 > r1)

    area = _print_area(ws.print_area) if ws.print_area else None
    if area:
        _optional(lambda: setattr(sheet.page_setup, "print_area", area), skipped, "print area")
    if ws.sheet_view.showGridLines is False:
        _optional(lambda: setattr(sheet, "show_gridlines", False), skipped, "gridlines")
    return sheet, skipped


def _letter(index: int) -> str:
    from ..io.xlsx.cells import column_letter

    return column_letter(index)


def _print_area(text: str) -> str | None:
    """openpyxl's "'計画書_K-0001'!$A$1:$H$40" -> "A1:H40" (the first area)."""
    first = text.split(",")[0]
    m = re.search(r"\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)$", first)
    return f"{m.group(1)}{m.group(2)}:{m.group(3)}{m.group(4)}" if m else None


def put_plan_sheets(book: XwBook, plans: list[PlanSheet]) -> tuple[list[str], list[str]]:
    """Each plan on its own sheet of the open workbook (計画書_<ケースID>, replacing an older one),
    drawn by the same code as the CLI's plan files; returns the sheet names and the formatting the
    client could not apply.  The first new sheet is activated for printing."""
    from openpyxl import Workbook

    from ..io.plan_sheet import draw_plan, plan_sheet_names

    scratch = Workbook()
    names: list[str] = []
    skipped: list[str] = []
    first = None
    for name, plan in plan_sheet_names(plans):
        ws = scratch.create_sheet(name)
        draw_plan(ws, plan)
        sheet, missing = put_drawn_sheet(book, ws, name)
        scratch.remove(ws)
        first = first or sheet
        names.append(name)
        skipped += [m for m in missing if m not in skipped]
    if first is not None:
        first.activate()
    return names, skipped
