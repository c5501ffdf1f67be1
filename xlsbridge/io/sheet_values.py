"""A sheet's values and its formula and error cells: python-calamine, openpyxl where calamine cannot, and
a byte scan of the sheet XML for ``<f>`` and ``t="e"`` cells."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import WorkbookUnusable
from .xlsx.cells import column_offset as _column_index


_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]+)"')
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f(?=[\s>/])")
_FORMULA_TEXT = re.compile(rb"[^>]*?(?:/>|>([^<]*)<)")  # used with .match at the <f tag's end
_ERROR_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)<")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s")
_CELL_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")


@dataclass
class _Marks:
    """Formula and error cells of one sheet, by (excel row, 0-based column)."""

    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    complete: bool = True  # False: a formula or error cell had no r="…"; openpyxl places them instead


def _scan_marks(xml: bytes) -> _Marks:
    """Find formula and error cells with byte searches (nothing to do in a sheet that has none)."""
    marks = _Marks()
    for m in _formula_tags(xml):
        ref = _cell_ref_before(xml, m.start())
        if ref is None:
            marks.complete = False
            continue
        text = _FORMULA_TEXT.match(xml, m.end())
        formula = html.unescape(text.group(1).decode("utf-8", "replace")) if text and text.group(1) else ""
        marks.formulas[ref] = f"={formula}" if formula else "=…"
    for pos in _error_cells(xml):
        start = xml.rfind(b"<", 0, pos)
        if _CELL_TAG.match(xml, start):
            ref_match = _REF.search(xml, start, pos)
            if ref_match is None:
                marks.complete = False
            else:
                ref = (int(ref_match.group(2)), _column_index(ref_match.group(1).decode()))
                marks.errors[ref] = _error_text(xml, pos)
    return marks


def _byte_positions(xml: bytes, byte: bytes):
    """Where ``byte`` occurs: a one-byte search runs at memchr speed, and the letter looked for here
    (``f``) is rare in a sheet's XML, whose text sits in the shared-string part."""
    pos = xml.find(byte)
    while pos != -1:
        yield pos
        pos = xml.find(byte, pos + 1)


def _formula_tags(xml: bytes):
    """``_FORMULA.finditer(xml)``, found faster: a formula tag holds ``<f`` (no prefix) or ``:f`` (the
    prefix's colon; a prefix holds no ``<`` or ``:``), so only the ``<`` before those ``f`` are tried,
    instead of the pattern at every ``<`` of the sheet."""
    starts = []
    for pos in _byte_positions(xml, b"f"):
        before = xml[pos - 1:pos]
        if before == b"<":
            starts.append(pos - 1)
        elif before == b":":
            start = xml.rfind(b"<", 0, pos)
            if start != -1:
                starts.append(start)
    for start in sorted(set(starts)):
        m = _FORMULA.match(xml, start)
        if m is not None:
            yield m


def _error_cells(xml: bytes):
    """The positions of ``t="e"``, one after the other."""
    pos = xml.find(b't="e"')
    while pos != -1:
        yield pos
        pos = xml.find(b't="e"', pos + 5)


def _error_text(xml: bytes, pos: int) -> str:
    """The cached error (``#N/A``…) of the <c t="e"> whose start tag contains ``pos``."""
    tag_end = xml.find(b">", pos)
    if tag_end == -1 or xml[tag_end - 1:tag_end] == b"/":
        return "#N/A"  # an error cell without its cached text
    close = _CELL_END.search(xml, tag_end)
    value = _ERROR_VALUE.search(xml, tag_end, close.start() if close else len(xml))
    return value.group(1).decode("utf-8", "replace") if value else "#N/A"


def _cell_ref_before(xml: bytes, pos: int) -> tuple[int, int] | None:
    """The r="B7" of the <c> element an <f> at ``pos`` belongs to."""
    start = xml.rfind(b"<", 0, pos)
    while start != -1 and not _CELL_TAG.match(xml, start):
        start = xml.rfind(b"<", 0, start)
        if pos - start > 4096:
            return None
    if start == -1:
        return None
    end = xml.find(b">", start)
    m = _REF.search(xml, start, end + 1)
    if m is None:
        return None
    return int(m.group(2)), _column_index(m.group(1).decode())


# --------------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------------

class _Values:
    """Rows of a sheet as lists of values: python-calamine, or openpyxl when calamine cannot read the file."""

    def __init__(self, data: bytes, name: str):
        import python_calamine

        self._data = data
        self._name = name
        self._openpyxl = None
        try:
            self._calamine = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            self.titles = list(self._calamine.sheet_names)
        except Exception:  # calamine refuses some packages other writers produce; openpyxl may read them
            self._calamine = None
            self._openpyxl = self._open_openpyxl()
            self.titles = list(self._openpyxl.sheetnames)

    def _open_openpyxl(self):
        import openpyxl

        try:
            return openpyxl.load_workbook(io.BytesIO(self._data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged package
            raise WorkbookUnusable(
                f"{self._name} は壊れていて読めません（{type(exc).__name__}）。Excel で開けるか確認し、開けたら保存し直してください",
                f"{self._name} is damaged and cannot be read ({type(exc).__name__}); check that Excel opens it "
                "and save it again",
            ) from None

    def rows(self, title: str) -> tuple[list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]:
        """All rows from A1, and the merged ranges (0-based, inclusive)."""
        if self._calamine is not None:
            try:
                sheet = self._calamine.get_sheet_by_name(title)
                return sheet.to_python(skip_empty_area=False), list(sheet.merged_cell_ranges or [])
            except Exception:  # a sheet calamine cannot parse: read it with openpyxl instead
                self._openpyxl = self._openpyxl or self._open_openpyxl()
        ws = self._openpyxl[title]
        ws.reset_dimensions()
        rows = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        return rows, []  # read-only openpyxl does not expose merged ranges

    def marks(self, title: str) -> _Marks:
        """Formula and error cells found by openpyxl, for a sheet the byte scan could not place."""
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(self._data), read_only=True, data_only=False)
        try:
            ws = wb[title]
            ws.reset_dimensions()
            marks = _Marks()
            for row in ws.iter_rows(min_row=1, min_col=1):
                for cell in row:
                    if cell.data_type == "f":
                        marks.formulas[(cell.row, cell.column - 1)] = str(cell.value)
                    elif cell.data_type == "e":
                        marks.errors[(cell.row, cell.column - 1)] = str(cell.value)
            return marks
        finally:
            wb.close()

    def close(self) -> None:
        if self._calamine is not None:
            self._calamine.close()
        if self._openpyxl is not None:
            self._openpyxl.close()


# --------------------------------------------------------------------------------------------
# The sheets a ledger read needs, read ahead on a worker thread
# --------------------------------------------------------------------------------------------

class SheetReads:
    """The rows and the formula/error cells of the sheets a read needs, each sheet checked first.

    Each sheet passes ``package.check_extent`` on the calling thread (before calamine allocates
    it) and its XML is scanned there for formula and error cells; calamine then reads it on one
    worker thread.  calamine releases Python's lock while it parses, so the small sheets are parsed
    while the caller checks the large one, and the largest (面会記録) while the caller turns the
    others into records.  ``prefetch`` checks the sheets smallest first and hands each to the
    worker as soon as it passed; a sheet not prefetched is checked and read when asked for.  Where
    no thread can start (Pyodide, in which xlwings Lite runs Python), every sheet is read when
    asked for, on the calling thread.
    """

    def __init__(self, package: Any, values: _Values, name: str):
        self._package = package
        self._values = values
        self._name = name
        self._marks: dict[str, _Marks] = {}
        self._pending: dict[str, Any] = {}  # title -> concurrent.futures.Future of values.rows(title)
        self._pool: Any = None  # the worker (a ThreadPoolExecutor), False where threads cannot start

    def prefetch(self, titles: list[str]) -> None:
        for title in sorted(dict.fromkeys(titles), key=self._package.sheet_size):
            self._check(title, read_ahead=True)

    def rows(self, title: str) -> tuple[list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]:
        future = self._pending.pop(title, None)
        if future is not None:
            return future.result()
        self._check(title)
        return self._values.rows(title)

    def marks(self, title: str) -> _Marks:
        """Formula and error cells (openpyxl places those the byte scan could not)."""
        self._check(title)
        found = self._marks[title]
        return found if found.complete else self._values.marks(title)

    def _check(self, title: str, *, read_ahead: bool = False) -> None:
        """The size check, then (``read_ahead``) the sheet handed to the worker, then the formula/error
        scan of the XML the check inflated, made while calamine parses; once per sheet."""
        if title in self._marks:
            return
        xml = self._package.check_extent(title, self._name)
        if read_ahead:
            self._read_ahead(title)
        self._marks[title] = _scan_marks(xml) if xml is not None else _Marks()

    def _read_ahead(self, title: str) -> None:
        if self._pool is False:
            return
        try:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsbridge-read")
            self._pending[title] = self._pool.submit(self._values.rows, title)
        except RuntimeError:  # "can't start new thread": read each sheet when asked for
            self._pool = False

    def close(self) -> None:
        """Wait for the worker (a read under way ends; those not started are dropped)."""
        if self._pool:
            self._pool.shutdown(wait=True, cancel_futures=True)
