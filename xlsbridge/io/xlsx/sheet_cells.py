"""The cells of a streamed worksheet (sheet_stream.py): new ones (one by one, or a row at a time from a
template per shape of row), the ones a re-run keeps, rewritten ones and what they held before."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

from .cells import _differs, _number_text, column_letters, excel_serial, from_serial
from .xmltext import _battrs, cell_text, decode_cell_text, escape, unescape

if TYPE_CHECKING:
    from .patch import XlsxPatch
    from .sheet_stream import _SheetEdit


MAX_CHANGES_KEPT = 1000  # CellChange records kept (the count covers all of them)


class Formatted(NamedTuple):
    """A value that must be shown with ``number_format`` (the cell's style gets that format).

    A named tuple, not a dataclass: one is made per computed cell (600,000 on a 50,000-visit ledger)."""

    value: Any
    number_format: str


@dataclass(frozen=True)
class CellChange:
    sheet: str
    row: int
    column: int  # 1-based
    old: Any
    new: Any

    @property
    def address(self) -> str:
        return f"{self.sheet}!{column_letters(self.column)}{self.row}"


_LETTERS = [""] + [column_letters(i).encode() for i in range(1, 16385)]


def _cell_xml(p: bytes, number: int, col: int, value: Any, style: int | None, date1904: bool,
              extra: bytes = b"") -> bytes:
    """``<c>`` holding ``value``: a number, a date as its serial, text as an inline string (never a formula)."""
    kind = type(value)
    if kind is int:  # the usual computed cell (yen): the bytes the general path below writes, made at once
        if style:
            return b'<%sc r="%s%d" s="%d"%s><%sv>%d</%sv></%sc>' % (p, _LETTERS[col], number, style, extra, p, value, p, p)
        return b'<%sc r="%s%d"%s><%sv>%d</%sv></%sc>' % (p, _LETTERS[col], number, extra, p, value, p, p)
    head = b'<%sc r="%s%d"%s%s' % (p, _LETTERS[col], number, b' s="%d"' % style if style else b"", extra)
    if value is None:
        return head + b"/>"
    if isinstance(value, bool):
        return head + b' t="b"><%sv>%s</%sv></%sc>' % (p, b"1" if value else b"0", p, p)
    if isinstance(value, (date, time)):
        value = excel_serial(value, date1904)
    if isinstance(value, (int, float)):
        return head + b"><%sv>%s</%sv></%sc>" % (p, _number_text(value).encode(), p, p)
    if not isinstance(value, str):
        raise TypeError(f"cannot write a {type(value).__name__} into a cell")
    text = escape(cell_text(value)).encode("utf-8")
    space = b' xml:space="preserve"' if value != value.strip() or "\n" in value else b""
    return head + b' t="inlineStr"><%sis><%st%s>%s</%st></%sis></%sc>' % (p, p, space, text, p, p, p)


_STYLE_ATTR = re.compile(rb"""\ss\s*=\s*["']([0-9]+)["']""")
_ANY_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")


class _Serials(dict):
    """day -> its Excel serial number, worked out on first sight (a ledger repeats its days)."""

    def __init__(self, date1904: bool):
        super().__init__()
        self.date1904 = date1904

    def __missing__(self, day: date) -> int:
        serial = self[day] = excel_serial(day, self.date1904)
        return serial


class _CellWriter:
    """The cell half of ``_SheetWriter``: what a cell becomes.  ``p`` (the sheet's namespace prefix)
    and the body patterns (``_f_re`` …) are set by ``_SheetWriter.run`` once it has read the sheet's head."""

    p: bytes
    _f_re: re.Pattern[bytes]
    _rph_re: re.Pattern[bytes]
    _t_re: re.Pattern[bytes]
    _v_re: re.Pattern[bytes]
    _v_only: tuple[bytes, bytes]

    def __init__(self, patch: "XlsxPatch", edit: "_SheetEdit"):
        self.patch = patch
        self.edit = edit
        self.styles = patch._styles()
        self.date1904 = patch._date1904()
        self.col_styles: dict[int, int] = {}  # column -> its default style (<cols>)
        self.orphans: dict[bytes, tuple[str, str]] = {}  # shared formula si -> (formula, its master cell)
        self._sorted_columns = sorted(edit.columns)
        self._style_cache: dict[tuple[int, str], int] = {}
        self._formats: dict[type, str | None] = {}  # edit.number_format's answer, per type of value
        self._number_cells: dict[tuple[int, str | None], bytes] = {}  # (column, format) -> % (row, number)
        self._serials = _Serials(self.date1904)  # day -> its serial number, each worked out once
        self._shapes: dict[tuple[type, ...], Any] = {}  # the types of a row's values -> _row_plan
        self._kept_shapes: dict[tuple[type, ...], Any] = {}  # the same for the cells a re-run keeps
        # (column, format) -> (the column's style, its whole-number template) when that style shows the format
        self._kept_cells: dict[tuple[int, str | None], tuple[int, bytes]] = {}

    def _expected_cells(self, number: int, cols: list[int], values: Sequence[Any]) -> bytes | None:
        """The cells ``_rewrite`` keeps as they are for these values: each in its column's style, when
        that style is set and shows the value's format (None: some column has no such style)."""
        made = self._from_template(number, cols, values, self._kept_shapes, kept=True)
        if made is not None:
            return made[0]
        has_format = self.edit.number_format is not None
        cells: list[bytes] = []
        for i in range(len(cols)):
            value = values[i]
            if type(value) is Formatted:
                plain, fmt = value
            else:
                plain, fmt = value, (self._format_of(value) if has_format else None)
            if plain is None or plain == "":
                continue  # no cell is written for it, and a cell there would be cleared
            col = cols[i]
            key = (col, fmt)
            template = self._kept_cells.get(key)
            if template is None:
                style = self.col_styles.get(col)
                if not style or (fmt is not None and self.styles.format_of(style) != fmt):
                    return None
                template = self._kept_cells[key] = (style, self._number_cell(col, style))
            style, number_cell = template
            kind = type(plain)
            if kind is int:
                cells.append(number_cell % (number, plain))
            elif kind is date:
                serial = self._serials[plain]
                cells.append(number_cell % (number, serial))
            else:
                cells.append(_cell_xml(self.p, number, col, plain, style, self.date1904))
        return b"".join(cells)

    # -- cells ----------------------------------------------------------------------------------

    def _style_for(self, style: int | None, value: Any) -> int | None:
        if isinstance(value, Formatted) and value.value is not None:
            key = (style or 0, value.number_format)
            found = self._style_cache.get(key)
            if found is None:
                found = self._style_cache[key] = self.styles.with_format(*key)
            return found
        return style

    def _format_of(self, value: Any) -> str | None:
        """The format ``edit.number_format`` gives a value of this type (asked once per type)."""
        kind = type(value)
        try:
            return self._formats[kind]
        except KeyError:
            number_format = self.edit.number_format
            fmt = self._formats[kind] = (number_format(value) or None) if number_format is not None else None
            return fmt

    def _new_cell(self, number: int, col: int, value: Any, left_style: bytes | None, header: bool) -> bytes:
        """A cell where there was none: the column's default style (a header: its left neighbour's)."""
        if type(value) is Formatted:
            plain, fmt = value
        else:
            plain = value
            fmt = self._format_of(value) if self.edit.number_format is not None else None
        if plain is None or plain == "":
            return b""
        if not header:  # patch._record, inline: this runs for every computed cell
            patch = self.patch
            patch._changed += 1
            if len(patch._changes) < MAX_CHANGES_KEPT:
                patch._changes.append(CellChange(self.edit.title, number, col, None, plain))
            kind = type(plain)
            if kind is int or kind is date:  # the usual computed cell (yen, a day): bytes made at once
                if kind is date:
                    serial = self._serials[plain]
                else:
                    serial = plain
                cell = self._number_cells.get((col, fmt))
                if cell is None:
                    cell = self._number_cells[(col, fmt)] = self._number_cell(col, self._styled(self.col_styles.get(col), fmt))
                return cell % (number, serial)
            return _cell_xml(self.p, number, col, plain, self._styled(self.col_styles.get(col), fmt), self.date1904)
        style = int(left_style) if left_style is not None and left_style.isdigit() else self.col_styles.get(col)
        return _cell_xml(self.p, number, col, plain, self._styled(style, fmt), self.date1904)

    def _row_cells(self, number: int, cols: list[int], values: Sequence[Any]) -> tuple[bytes, list[int]] | None:
        """All the new cells of a usual row at once, from a template per shape of row (the types of
        its values): the bytes ``_new_cells`` makes, and the columns written.  None: made cell by cell
        (while the first MAX_CHANGES_KEPT changes are listed one by one; a value of another kind)."""
        patch = self.patch
        if len(patch._changes) < MAX_CHANGES_KEPT:
            return None
        made = self._from_template(number, cols, values, self._shapes, kept=False)
        if made is not None:
            patch._changed += len(made[1])
        return made

    def _from_template(self, number: int, cols: list[int], values: Sequence[Any],
                       plans: dict[tuple[type, ...], Any], kept: bool) -> tuple[bytes, list[int]] | None:
        """The cells of a usual row from the template of its shape in ``plans`` (see ``_row_plan``)."""
        if cols is not self._sorted_columns:
            return None
        shape = tuple(map(type, values))
        plan = plans.get(shape)
        if plan is None:
            plan = plans[shape] = self._row_plan(cols, values, shape, kept)
        if plan is False:
            return None
        template, picks, days, texts, added = plan
        if not added:
            return b"", added
        picked = picks(values)
        args = list(picked) if len(added) > 1 else [picked]
        for j in days:
            day = args[j]
            serial = self._serials[day]
            args[j] = serial
        for j, col, style in texts:
            text = args[j]
            if text == "":
                return None
            args[j] = _cell_xml(self.p, number, col, text, style, self.date1904)
        return template.replace(b"\0", b"%d" % number) % tuple(args), added

    def _row_plan(self, cols: list[int], values: Sequence[Any], shape: tuple[type, ...], kept: bool) -> Any:
        """(template, itemgetter of the values written, their positions holding days, (position,
        column, style) of texts, the columns written) for rows of this shape; False when a value is of
        another kind.  New cells (``kept`` False): styles are made (styles.xml appended to) in the order
        ``_new_cells`` makes them.  Kept cells (``_expected_cells``): each in its column's style, False
        when a column has none that shows the value's format; nothing is made."""
        pieces: list[bytes] = []
        picked: list[int] = []
        days: list[int] = []
        texts: list[tuple[int, int, int | None]] = []
        added: list[int] = []
        for i, kind in enumerate(shape):
            if kind is type(None):
                continue
            if kind is not int and kind is not date and kind is not str:
                return False
            col = cols[i]
            fmt = self._format_of(values[i]) if self.edit.number_format is not None else None
            if kept:
                style = self.col_styles.get(col)
                if not style or (fmt is not None and self.styles.format_of(style) != fmt):
                    return False
            else:
                style = self._styled(self.col_styles.get(col), fmt)
            j = len(picked)
            picked.append(i)
            added.append(col)
            if kind is str:
                texts.append((j, col, style))
                pieces.append(b"%s")
            else:
                if kind is date:
                    days.append(j)
                pieces.append(self._number_cell(col, style).replace(b"%d", b"\0", 1))  # \0: the row's number
        return b"".join(pieces), operator.itemgetter(*picked) if picked else None, days, texts, added

    def _new_cells(self, number: int, cols: list[int], values: Sequence[Any], start: int,
                   cells: list[bytes], added: list[int]) -> None:
        """``_new_cell`` for each column of ``cols[start:]`` (no header), appended to ``cells`` and its
        column to ``added``; whole numbers and days made here at once (600,000 cells at 50,000 visits)."""
        formats, number_cells = self._formats, self._number_cells
        has_format = self.edit.number_format is not None
        patch = self.patch
        changes = patch._changes
        title = self.edit.title
        counted = 0
        for i in range(start, len(cols)):
            value = values[i]
            kind = type(value)
            if kind is not int and kind is not date:
                if value is not None:
                    new = self._new_cell(number, cols[i], value, None, False)
                    if new:
                        cells.append(new)
                        added.append(cols[i])
                continue
            col = cols[i]
            fmt = (formats[kind] if kind in formats else self._format_of(value)) if has_format else None
            counted += 1  # patch._record, inline
            if len(changes) < MAX_CHANGES_KEPT:
                changes.append(CellChange(title, number, col, None, value))
            cell = number_cells.get((col, fmt))
            if cell is None:
                cell = number_cells[(col, fmt)] = self._number_cell(col, self._styled(self.col_styles.get(col), fmt))
            if kind is date:
                serial = self._serials[value]
                cells.append(cell % (number, serial))
            else:
                cells.append(cell % (number, value))
            added.append(col)
        patch._changed += counted

    def _styled(self, style: int | None, fmt: str | None) -> int | None:
        """``style`` with the number format ``fmt`` (None: as it is)."""
        if fmt is None:
            return style
        key = (style or 0, fmt)
        found = self._style_cache.get(key)
        if found is None:
            found = self._style_cache[key] = self.styles.with_format(*key)
        return found

    def _number_cell(self, col: int, style: int | None) -> bytes:
        """``<c>`` of a whole number in column ``col``, as a template for ``% (row, number)``: the bytes
        ``_cell_xml`` writes for it."""
        p = self.p
        return (b'<%sc r="%s' % (p, _LETTERS[col]) + b"%d"
                + b'"%s><%sv>' % (b' s="%d"' % style if style else b"", p) + b"%d" + b"</%sv></%sc>" % (p, p))

    def _rewrite(self, number: int, col: int, cell: re.Match, value: Any) -> bytes | None:
        """The cell rewritten to hold ``value``, or None when it shows it already (kept byte for byte)."""
        if self.edit.number_format is not None and type(value) is not Formatted:
            fmt = self._format_of(value)
            if fmt is not None:
                value = Formatted(value, fmt)
        plain = value.value if isinstance(value, Formatted) else value
        s = _STYLE_ATTR.search(cell.group(2))
        if s is not None and plain is not None and plain != "":  # a re-run: the very bytes we would write?
            style = int(s.group(1))
            if cell.group(0) == _cell_xml(self.p, number, col, plain, self._style_for(style, value), self.date1904):
                return None
        attrs, body = _battrs(cell.group(2)), cell.group(3)
        raw_style = attrs.get(b"s", b"")
        style = int(raw_style) if raw_style.isdigit() else None
        new_style = self._style_for(style, value)
        old = self._old_value(attrs, body, style or 0)
        differs = _differs(old, plain)
        if not differs and new_style == style:
            return None
        if body and _ANY_FORMULA.search(body):
            self._orphan(number, col, body)
        if differs:
            self.patch._record(self.edit.title, number, col, old, plain)
        keep = b"".join(b" " + k + (b"='" + v + b"'" if b'"' in v else b'="' + v + b'"') for k, v in attrs.items()
                        if k not in (b"r", b"s", b"t", b"cm", b"vm"))
        return _cell_xml(self.p, number, col, None if plain == "" else plain, new_style, self.date1904, keep)

    def _old_value(self, attrs: dict[bytes, bytes], body: bytes | None, style: int) -> Any:
        """What the cell holds, as openpyxl shows it (a formula as ``=…``, a date-formatted number as a datetime)."""
        if not body:
            return None
        t = attrs.get(b"t", b"n")
        start, end = self._v_only
        if body.startswith(start) and body.endswith(end) and body.count(b"<") == 2:  # the usual <v>…</v>
            raw = unescape(body[len(start):-len(end)].decode("utf-8"))
        else:
            f = self._f_re.search(body)
            if f is not None and f.group(2):
                return "=" + unescape(f.group(2).decode("utf-8"))
            if t == b"inlineStr":
                parts = self._t_re.findall(self._rph_re.sub(b"", body))
                return decode_cell_text(unescape(b"".join(parts).decode("utf-8")))
            v = self._v_re.search(body)
            if v is None:
                return None
            raw = unescape(v.group(1).decode("utf-8"))
        if t == b"s":
            try:
                return self.patch._shared_string(int(raw))
            except (ValueError, IndexError):
                return raw
        if t in (b"str", b"e", b"inlineStr"):
            return decode_cell_text(raw)
        if t == b"b":
            return raw.strip() in ("1", "true")
        if t == b"d":
            try:
                return datetime.fromisoformat(raw.strip())
            except ValueError:
                return raw
        try:
            number: int | float = int(raw) if not ("." in raw or "e" in raw or "E" in raw) else float(raw)
        except ValueError:
            return raw
        if self.styles.is_date(style):
            try:
                return from_serial(number, self.date1904)
            except (OverflowError, ValueError):
                return number
        return number

    # -- shared formulas whose master cell is overwritten ---------------------------------------

    def _formula(self, body: bytes) -> re.Match | None:
        return self._f_re.search(body)

    def _orphan(self, number: int, col: int, body: bytes) -> None:
        f = self._formula(body)
        if f is None:
            return
        a = _battrs(f.group(1))
        if a.get(b"t") == b"shared" and b"ref" in a and b"si" in a and f.group(2):
            self.orphans[a[b"si"]] = (unescape(f.group(2).decode("utf-8")), f"{column_letters(col)}{number}")

    def _fix_dependent(self, number: int, col: int, cell: bytes, body: bytes) -> bytes | None:
        """A cell sharing the formula of an overwritten master cell, given that formula in its own terms."""
        f = self._formula(body)
        if f is None:
            return None
        a = _battrs(f.group(1))
        master = self.orphans.get(a.get(b"si", b""))
        if a.get(b"t") != b"shared" or master is None or b"ref" in a:
            return None
        from openpyxl.formula.translate import Translator

        formula, origin = master
        here = f"{column_letters(col)}{number}"
        translated = Translator("=" + formula, origin=origin).translate_formula(here)[1:]
        new_f = b"<" + self.p + b"f>" + escape(translated).encode("utf-8") + b"</" + self.p + b"f>"
        start = cell.rfind(body)
        return cell[:start] + body[:f.start()] + new_f + body[f.end():] + cell[start + len(body):]
