"""A worksheet streamed row by row: the changed cells rewritten, every other byte copied."""

from __future__ import annotations

import bisect
import itertools
import re
import shutil
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Callable, Sequence

from .cells import column_index, column_letters
from .xmltext import (
    _ATTRS,
    _battrs,
    _find_block,
    _items,
    _root_prefix,
    _set_attr,
    _skip_prolog,
    attrs_of,
    NS_MAIN,
    PatchUnsupported,
)
from .sheet_cells import _CellWriter, _LETTERS, CellChange

if TYPE_CHECKING:
    from .patch import XlsxPatch


CHUNK = 1 << 18  # bytes of sheet XML read at a time


@dataclass
class PatchResult:
    payload: bytes
    changed: int  # cells whose value changed
    changes: list[CellChange]  # the first MAX_CHANGES_KEPT of them, in sheet order


# ------------------------------------------------------------------------------------------------
# The worksheet stream
# ------------------------------------------------------------------------------------------------

@dataclass
class _SheetEdit:
    title: str
    columns: list[int]
    rows: list[int]  # ascending
    values: Callable[[int], Sequence[Any]]
    headers: dict[int, str] = field(default_factory=dict)
    # the format a value is shown with (None: its cell's own), asked once per type of value; a value
    # may also come as a ``Formatted``
    number_format: Callable[[Any], str | None] | None = None

    def has_row(self, number: int) -> bool:
        i = bisect.bisect_left(self.rows, number)
        return i < len(self.rows) and self.rows[i] == number


class _Stream:
    """Bytes of a zip member read CHUNK at a time; ``buf[pos:]`` is what has not been handled yet."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.buf = b""
        self.pos = 0

    def more(self) -> bool:
        chunk = self.raw.read(CHUNK)
        if not chunk:
            return False
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True


_CELL_REF = re.compile(rb"([A-Z]{1,3})([0-9]+)")
_COLUMN_INDEX = {letters: i for i, letters in enumerate(_LETTERS) if i}
_ROW_ATTR = re.compile(rb"""\sr\s*=\s*["']([0-9]+)["']""")
_SPANS = re.compile(rb"""(\sspans\s*=\s*)["']([^"']*)["']""")
_NOISE = re.compile(rb"<[!?]")


class _SheetWriter(_CellWriter):
    """Streams one worksheet's XML from ``src`` to ``dst`` with the cells of ``edit`` written.

    Rows are found with a tokenizer that knows XML's quoting (attribute values may hold ``>``);
    sheet data holding anything but rows (comments, CDATA, processing instructions) is refused.
    """

    def __init__(self, patch: "XlsxPatch", edit: _SheetEdit, part: str):
        super().__init__(patch, edit)
        self.part = part
        header_row = [1] if edit.headers and edit.rows[:1] != [1] else []
        self._targets = itertools.chain(header_row, edit.rows)  # rows to write, ascending (row 1 first)
        self.next_row = next(self._targets, None)
        # the edited columns in sheet order (None: a column given twice, sorted out row by row)
        order = sorted(range(len(edit.columns)), key=edit.columns.__getitem__)
        self._order = order if len(set(edit.columns)) == len(order) else None
        self._in_order = self._order == list(range(len(order)))  # values(row) comes in sheet order

    def _advance(self) -> None:
        self.next_row = next(self._targets, None)

    # -- the stream -----------------------------------------------------------------------------

    def run(self, src: IO[bytes], dst: IO[bytes]) -> None:
        s = _Stream(src)
        while True:
            m = re.search(rb"<([\w.-]+:)?sheetData(?=[\s/>])" + _ATTRS.encode() + rb"(/?)>", s.buf)
            if m is not None:
                break
            if not s.more():
                raise PatchUnsupported(f"{self.part}: no sheetData")
        try:
            head = s.buf[:m.start()].decode("utf-8")
        except UnicodeDecodeError:
            raise PatchUnsupported(f"{self.part}: not UTF-8") from None
        prefix = _root_prefix(head, NS_MAIN, self.part)
        if (m.group(1) or b"").decode() != prefix:
            raise PatchUnsupported(f"{self.part}: sheetData in another namespace")
        p = self.p = prefix.encode()
        self._cell_open = b"<" + p + b"c "
        dst.write(self._head(head, prefix).encode("utf-8"))
        # group 1: the column letters when r="" comes first (as every writer puts it), group 2: all attributes
        self.cell_re = re.compile(rb"<" + re.escape(p) + rb"c(?=[\s/>])(?=\s+r=\"([A-Z]{1,3})[0-9]+\")?" + _ATTRS.encode()
                                  + rb"(?:/>|>(.*?)</" + re.escape(p) + rb"c\s*>)", re.DOTALL)
        e = re.escape(p)
        self._f_re = re.compile(rb"<" + e + rb"f(?=[\s/>])" + _ATTRS.encode() + rb"(?:/>|>(.*?)</" + e + rb"f\s*>)", re.DOTALL)
        self._rph_re = re.compile(rb"<" + e + rb"rPh(?=[\s/>]).*?</" + e + rb"rPh\s*>", re.DOTALL)
        self._t_re = re.compile(rb"<" + e + rb"t(?:\s[^>]*)?>(.*?)</" + e + rb"t\s*>", re.DOTALL)
        self._v_re = re.compile(rb"<" + e + rb"v(?:\s[^>]*)?>(.*?)</" + e + rb"v\s*>", re.DOTALL)
        self._v_only = (b"<" + p + b"v>", b"</" + p + b"v>")
        s.pos = m.end()
        if m.group(3):  # <sheetData/>
            dst.write(m.group(0)[:-2].rstrip() + b">")
            self._rows_before(None, dst)
            dst.write(b"</" + p + b"sheetData>")
        else:
            dst.write(m.group(0))
            self._rows(s, dst)
        dst.write(s.buf[s.pos:])
        shutil.copyfileobj(s.raw, dst, CHUNK)

    def _rows(self, s: _Stream, dst: IO[bytes]) -> None:
        p = re.escape(self.p)
        row_or_end = re.compile(rb"<" + p + rb"row(?=[\s/>])" + _ATTRS.encode() + rb"(/?)>|</" + p + rb"sheetData\s*>")
        row_end = re.compile(rb"</" + p + rb"row\s*>")
        last_row = 0
        while True:
            m = row_or_end.search(s.buf, s.pos)
            if m is None:
                if not s.more():
                    raise PatchUnsupported(f"{self.part}: sheetData not closed")
                continue
            start = m.start()
            gap = s.buf[s.pos:start]
            if gap:
                if gap.strip():
                    raise PatchUnsupported(f"{self.part}: content other than rows in sheetData")
                dst.write(gap)
            if s.buf.startswith(b"</", start):
                self._rows_before(None, dst)
                s.pos = start  # </sheetData> and what follows are copied as they are
                return
            self_closing = bool(m.group(2))
            if self_closing:  # <row …/>
                end = m.end()
            else:
                e = row_end.search(s.buf, m.end())
                if e is None:
                    if gap:  # written already: read on from the row
                        s.pos = start
                    if not s.more():
                        raise PatchUnsupported(f"{self.part}: row not closed")
                    continue
                end = e.end()
            row = s.buf[start:end]
            if _NOISE.search(row):
                raise PatchUnsupported(f"{self.part}: comments, CDATA or processing instructions in sheetData")
            r = _ROW_ATTR.search(m.group(1))
            number = int(r.group(1)) if r else last_row + 1
            last_row = number
            if self.next_row is not None and self.next_row < number:
                self._rows_before(number, dst)
            if self.next_row == number:
                row = self._patch_row(row, m.end() - start, self_closing, number, *self._targets_of(number))
                self.next_row = next(self._targets, None)
            elif self.orphans and b"si=" in row:
                row = self._patch_row(row, m.end() - start, self_closing, number, [], [], None)
            dst.write(row)
            s.pos = end

    def _rows_before(self, number: int | None, dst: IO[bytes]) -> None:
        """New rows for edited row numbers the sheet lacks, before row ``number`` (None: all left)."""
        while self.next_row is not None and (number is None or self.next_row < number):
            cols, values, headers = self._targets_of(self.next_row)
            cells = [self._new_cell(self.next_row, col, value, None, headers is not None and headers[i])
                     for i, (col, value) in enumerate(zip(cols, values))]
            p = self.p
            dst.write(b"<" + p + b'row r="' + str(self.next_row).encode() + b'">' + b"".join(cells)
                      + b"</" + p + b"row>")
            self._advance()

    # -- the parts before sheetData -------------------------------------------------------------

    def _head(self, head: str, prefix: str) -> str:
        _skip_prolog(head, self.part)
        cols = _find_block(head, prefix, "cols")
        if cols is not None and not cols.self_closing:
            for col in _items(head, prefix, "col", cols):
                a = attrs_of(col.tag)
                try:
                    lo, hi, style = int(a.get("min", "0")), int(a.get("max", "0")), int(a.get("style", "0"))
                except ValueError:
                    continue
                if style:
                    for c in range(max(lo, 1), min(hi, 16384) + 1):
                        self.col_styles[c] = style
        dim = _find_block(head, prefix, "dimension")
        edit = self.edit
        cols_used = [*edit.columns, *edit.headers]
        rows_used = [*edit.rows[:1], *edit.rows[-1:], *([1] if edit.headers else [])]
        if dim is None or not cols_used or not rows_used:
            return head
        ref = attrs_of(dim.tag).get("ref", "")
        new = (min(cols_used), min(rows_used), max(cols_used), max(rows_used))
        bounds = _ref_bounds(ref)
        if bounds is not None:
            new = (min(new[0], bounds[0]), min(new[1], bounds[1]), max(new[2], bounds[2]), max(new[3], bounds[3]))
        text = f"{column_letters(new[0])}{new[1]}:{column_letters(new[2])}{new[3]}"
        if text == ref:
            return head
        return head[:dim.start] + _set_attr(dim.tag, "ref", text) + head[dim.tag_end:]

    # -- rows -----------------------------------------------------------------------------------

    def _targets_of(self, number: int) -> tuple[list[int], Sequence[Any], list[bool] | None]:
        """The columns to write in row ``number`` (in column order), their values, and which of them are
        headers (None: none)."""
        if number != 1 and self._order is not None:  # the usual row: the columns in order, no header
            values = self.edit.values(number)
            if len(values) != len(self.edit.columns):
                raise ValueError("values(row) must give one value per column")
            if not self._in_order:
                values = [values[i] for i in self._order]
            return self._sorted_columns, values, None
        found: dict[int, tuple[Any, bool]] = {}
        if number != 1 or self.edit.rows[:1] == [1]:  # row 1 may be written only for its headers
            values = self.edit.values(number)
            if len(values) != len(self.edit.columns):
                raise ValueError("values(row) must give one value per column")
            for col, value in zip(self.edit.columns, values):
                found[col] = (value, False)
        if number == 1:
            for col, text in self.edit.headers.items():
                found[col] = (text, True)
        cols = sorted(found)
        return cols, [found[c][0] for c in cols], [found[c][1] for c in cols]

    def _patch_row(self, row: bytes, body_start: int, self_closing: bool, number: int,
                   cols: list[int], values: Sequence[Any], headers: list[bool] | None) -> bytes:
        """The row with ``values`` written into ``cols``: only the cells that change are rewritten."""
        body_end = body_start if self_closing else row.rfind(b"</")
        if headers is None and cols and not self.orphans and body_end > body_start:
            # the usual row: every target right of the row's last cell (the computed columns, empty)
            lt = row.rfind(self._cell_open, body_start, body_end)
            last = self.cell_re.match(row, lt) if lt >= 0 else None
            if last is not None and last.group(1) is not None and last.end() == body_end:
                if _COLUMN_INDEX[last.group(1)] < cols[0]:
                    at_once = self._row_cells(number, cols, values)
                    if at_once is not None:
                        tail, added = at_once
                    else:
                        rest: list[bytes] = []
                        added = []
                        self._new_cells(number, cols, values, 0, rest, added)
                        tail = b"".join(rest)
                    if not tail:
                        return row
                    return self._spans(row[:body_start], added) + row[body_start:body_end] + tail + row[body_end:]
                if self._holds_already(row, body_start, body_end, number, cols, values):
                    return row
        pieces: list[bytes] = []
        cursor = last_cell_end = body_start
        ti = col = 0
        n = len(cols)
        left_style: bytes | None = None
        added: list[int] = []
        index = _COLUMN_INDEX
        for c in self.cell_re.finditer(row, self._scan_from(row, body_start, body_end, number, cols), body_end):
            letters = c.group(1)
            if letters is not None:
                col = index[letters]
            else:
                ref = _CELL_REF.fullmatch(_battrs(c.group(2)).get(b"r", b""))
                col = index[ref.group(1)] if ref else col + 1
            while ti < n and cols[ti] < col:  # a new cell before this one
                new = self._new_cell(number, cols[ti], values[ti], left_style, headers is not None and headers[ti])
                if new:
                    pieces += [row[cursor:c.start()], new]
                    cursor = c.start()
                    added.append(cols[ti])
                ti += 1
            if ti < n and cols[ti] == col:
                new = self._rewrite(number, col, c, values[ti])
                ti += 1
                if new is not None:
                    pieces += [row[cursor:c.start()], new]
                    cursor = c.end()
            elif self.orphans and c.group(3) and b"si=" in c.group(3):
                fixed = self._fix_dependent(number, col, c.group(0), c.group(3))
                if fixed is not None:
                    pieces += [row[cursor:c.start()], fixed]
                    cursor = c.end()
            if number == 1:
                left_style = _battrs(c.group(2)).get(b"s")
            last_cell_end = c.end()
        rest = []
        if headers is None and left_style is None:
            self._new_cells(number, cols, values, ti, rest, added)
        else:
            for i in range(ti, n):
                new = self._new_cell(number, cols[i], values[i], left_style, headers is not None and headers[i])
                if new:
                    rest.append(new)
                    added.append(cols[i])
        if not pieces and not rest:
            return row
        start_tag = self._spans(row[:body_start], added) if added else row[:body_start]
        if self_closing:
            return start_tag[:-2].rstrip() + b">" + b"".join(rest) + b"</" + self.p + b"row>"
        return (start_tag + b"".join(pieces) + row[cursor:last_cell_end] + b"".join(rest)
                + row[max(cursor, last_cell_end):])

    def _scan_from(self, row: bytes, body_start: int, body_end: int, number: int, cols: list[int]) -> int:
        """Where the cells that matter start: the cell of the first target when the row has it, or its
        last cell when that lies left of every target; else the row's first cell.  Cells left of it
        are copied without a look (not for row 1, whose header cells lend their style)."""
        if not cols or number == 1 or self.orphans or body_end <= body_start:
            return body_start
        first = cols[0]
        found = row.find(b'r="%s%d"' % (_LETTERS[first], number), body_start, body_end)
        lt = row.rfind(b"<", body_start, found) if found >= 0 else row.rfind(b"<" + self.p + b"c ", body_start, body_end)
        if lt < 0:
            return body_start
        m = self.cell_re.match(row, lt)
        if m is None or m.group(1) is None:
            return body_start
        col = _COLUMN_INDEX[m.group(1)]
        return lt if (col == first if found >= 0 else col < first) else body_start

    def _holds_already(self, row: bytes, body_start: int, body_end: int, number: int, cols: list[int],
                       values: Sequence[Any]) -> bool:
        """Whether the row ends with the very cells a first run writes (a re-run of fees: the usual
        case), each in its column's style (which shows the value's format already), and no cell of a
        target column comes before them; then ``_rewrite`` would keep every one of them as it is."""
        expected = self._expected_cells(number, cols, values)
        if not expected or not row.endswith(expected, body_start, body_end):
            return False
        start = body_end - len(expected)
        if start == body_start:
            return True
        lt = row.rfind(self._cell_open, body_start, start)
        before = self.cell_re.match(row, lt) if lt >= 0 else None
        return (before is not None and before.group(1) is not None and before.end() == start
                and _COLUMN_INDEX[before.group(1)] < cols[0])

    @staticmethod
    def _spans(start_tag: bytes, added: list[int]) -> bytes:
        """``spans`` (a hint of the row's first and last columns) widened over added cells."""
        m = _SPANS.search(start_tag)
        if m is None:
            return start_tag
        lo, hi = min(added), max(added)
        for part in m.group(2).split():
            a, _, b = part.partition(b":")
            if a.isdigit() and b.isdigit():
                lo, hi = min(lo, int(a)), max(hi, int(b))
        return start_tag[:m.start()] + m.group(1) + f'"{lo}:{hi}"'.encode() + start_tag[m.end():]


def _ref_bounds(ref: str) -> tuple[int, int, int, int] | None:
    """(first column, first row, last column, last row) of ``A1`` or ``A1:C9``."""
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?([0-9]+)(?::\$?([A-Z]{1,3})\$?([0-9]+))?", ref.strip())
    if m is None:
        return None
    c1, r1 = column_index(m.group(1)), int(m.group(2))
    c2, r2 = (column_index(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
    return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)


