"""Writing into a ledger without an openpyxl round trip: the package is copied part by part.

openpyxl loads a whole workbook into objects and writes it back from them, which costs gigabytes on a
50,000-visit ledger and silently drops what openpyxl does not model (images, charts, slicers,
conditional-format extensions, …).  ``XlsxPatch`` instead copies every zip part byte for byte except
the few it must change:

* the cells of one worksheet (the computed columns of 面会記録): the sheet XML is streamed row by row
  through a small tokenizer; a row without changes is copied as it was, and in a changed row only the
  changed cells are rewritten (each keeps its style ``s=``; a new cell takes its column's default
  style from ``<cols>``).  Numbers are ``<v>``, dates Excel serials, text an inline string (never a
  formula).  Header cells of added columns are written too, ``<dimension>`` grows, and an Excel table
  whose right edge the added column touches grows over it;
* generated sheets (料金集計, 期限・年齢): written as sheet XML and registered in ``workbook.xml``,
  its relationships and ``[Content_Types].xml``; an older sheet of that name is removed first, with
  its sheet-scoped defined names (print area, filter database) and the parts only it used;
* ``styles.xml``, only appended to: the few formats, fonts and fills the above need (reused when an
  identical one is there already, so repeated runs do not grow the file).

A package this module cannot rewrite safely (comments, CDATA or processing instructions in the sheet
data, an encoding other than UTF-8, Strict OOXML, a missing part) raises ``PatchUnsupported``: the
caller then uses the openpyxl path, as before.
"""

from __future__ import annotations

import bisect
import io
import itertools
import math
import posixpath
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, Any, Callable, Iterator, Mapping, Sequence
from xml.etree import ElementTree

from . import a1

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_OFFICE_DOCUMENT = NS_DOC_REL + "/officeDocument"
REL_WORKSHEET = NS_DOC_REL + "/worksheet"
REL_STYLES = NS_DOC_REL + "/styles"
REL_SHARED_STRINGS = NS_DOC_REL + "/sharedStrings"
REL_TABLE = NS_DOC_REL + "/table"
REL_CALC_CHAIN = NS_DOC_REL + "/calcChain"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

CHUNK = 1 << 18  # bytes of sheet XML read at a time
MAX_CHANGES_KEPT = 1000  # CellChange records kept (the count covers all of them)


class PatchUnsupported(Exception):
    """The package holds something this module does not rewrite safely; use the openpyxl path."""


@dataclass(frozen=True)
class Formatted:
    """A value that must be shown with ``number_format`` (the cell's style gets that format)."""

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


@dataclass
class PatchResult:
    payload: bytes
    changed: int  # cells whose value changed
    changes: list[CellChange]  # the first MAX_CHANGES_KEPT of them, in sheet order


# ------------------------------------------------------------------------------------------------
# Small XML helpers (text level: the parts are rewritten as text, never re-serialised)
# ------------------------------------------------------------------------------------------------

def column_letters(index: int) -> str:
    """1-based, as the sheet XML counts: 1 → A, 27 → AA."""
    return a1.column_letter(index - 1)


def column_index(letters: str) -> int:
    """A → 1, AA → 27."""
    return a1.column_index(letters) + 1


_ATTR = re.compile(r'([^\s=/<>"\']+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_BATTR = re.compile(rb'([^\s=/<>"\']+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_ATTRS = r"""((?:\s+[^\s=/<>"']+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*"""
_ENTITY = re.compile(r"&(?:#(\d+)|#x([0-9A-Fa-f]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ESCAPED_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Characters XML 1.0 cannot hold, and \r (a parser turns it into \n): Excel writes them as _xHHHH_.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def attrs_of(text: str) -> dict[str, str]:
    return {m.group(1): unescape(m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTR.finditer(text)}


def _battrs(raw: bytes) -> dict[bytes, bytes]:
    return {m.group(1): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _BATTR.finditer(raw)}


def unescape(text: str) -> str:
    if "&" not in text:
        return text

    def one(m: re.Match) -> str:
        if m.group(1):
            return chr(int(m.group(1)))
        if m.group(2):
            return chr(int(m.group(2), 16))
        return _NAMED[m.group(3)]

    return _ENTITY.sub(one, text)


def escape(text: str, quote: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def cell_text(value: str) -> str:
    """Text as Excel stores it in a cell: _xHHHH_ for what XML cannot hold, a literal _xHHHH_ kept literal."""
    value = _ESCAPED_CHAR.sub(lambda m: f"_x005F{m.group()}", value)
    return _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


def decode_cell_text(value: str) -> str:
    return _ESCAPED_CHAR.sub(lambda m: chr(int(m.group(1), 16)), value)


def _set_attr(start_tag: str, name: str, value: str) -> str:
    """The start tag with attribute ``name`` set to ``value`` (replaced, or added before the end)."""
    pattern = re.compile(rf'(\s{re.escape(name)}\s*=\s*)(?:"[^"]*"|\'[^\']*\')')
    new = f'{name}="{escape(value, quote=True)}"'
    if pattern.search(start_tag):
        return pattern.sub(lambda m: " " + new, start_tag, count=1)
    end = len(start_tag) - (2 if start_tag.endswith("/>") else 1)
    return f"{start_tag[:end].rstrip()} {new}{start_tag[end:]}"


def _root_prefix(xml: str, namespace: str, part: str) -> str:
    """The prefix (``""`` or ``"x:"``) of the root element, which must be in ``namespace``."""
    m = re.search(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)" + _ATTRS + r"/?>", _skip_prolog(xml, part))
    if m is None:
        raise PatchUnsupported(f"{part}: no root element")
    prefix = m.group(1) or ""
    declared = attrs_of(m.group(3)).get(f"xmlns:{prefix[:-1]}" if prefix else "xmlns")
    if declared != namespace:
        raise PatchUnsupported(f"{part}: root element not in {namespace}")
    return prefix


def _skip_prolog(xml: str, part: str) -> str:
    """``xml`` from its root element on, after checking there is nothing this module cannot handle."""
    body = xml.lstrip("\ufeff")
    if body.startswith("<?xml"):
        end = body.find("?>")
        decl = body[:end]
        enc = re.search(r"""encoding\s*=\s*["']([^"']+)""", decl)
        if enc and enc.group(1).lower().replace("-", "").replace("_", "") != "utf8":
            raise PatchUnsupported(f"{part}: encoding {enc.group(1)}")
        body = body[end + 2:]
    if "<!" in body or "<?" in body:  # comments, CDATA, DTD, processing instructions
        raise PatchUnsupported(f"{part}: comments, CDATA or processing instructions")
    return body


def _start_tag(prefix: str, name: str) -> re.Pattern[str]:
    return re.compile(rf"<{re.escape(prefix)}{name}(?=[\s/>])" + _ATTRS + r"(/?)>")


def _end_tag(prefix: str, name: str) -> re.Pattern[str]:
    return re.compile(rf"</{re.escape(prefix)}{name}\s*>")


@dataclass
class _Block:
    """An element's place in a text: its start tag, and its content up to the end tag."""

    start: int  # of the start tag
    tag_end: int  # just after the start tag
    close: int  # start of the end tag (== tag_end when self-closing)
    end: int  # just after the end tag
    tag: str
    self_closing: bool


def _find_block(xml: str, prefix: str, name: str, pos: int = 0, endpos: int | None = None) -> _Block | None:
    m = _start_tag(prefix, name).search(xml, pos, len(xml) if endpos is None else endpos)
    if m is None:
        return None
    if m.group(2):
        return _Block(m.start(), m.end(), m.end(), m.end(), m.group(0), True)
    e = _end_tag(prefix, name).search(xml, m.end())
    if e is None:
        raise PatchUnsupported(f"no end tag for {name}")
    return _Block(m.start(), m.end(), e.start(), e.end(), m.group(0), False)


def _items(xml: str, prefix: str, name: str, block: _Block) -> list[_Block]:
    """The ``name`` elements directly inside ``block`` (elements that do not nest in themselves)."""
    found = []
    pos = block.tag_end
    while True:
        item = _find_block(xml, prefix, name, pos, block.close)
        if item is None:
            return found
        found.append(item)
        pos = item.end


def _append_items(xml: str, prefix: str, name: str, item_name: str, new_items: list[str], *,
                  insert_at: int | None = None) -> str:
    """Append ``new_items`` to the block ``name`` (created at ``insert_at`` when missing), count updated."""
    block = _find_block(xml, prefix, name)
    if block is None:
        if insert_at is None:
            raise PatchUnsupported(f"no {name}")
        return (f"{xml[:insert_at]}<{prefix}{name} count=\"{len(new_items)}\">{''.join(new_items)}"
                f"</{prefix}{name}>{xml[insert_at:]}")
    count = len(_items(xml, prefix, item_name, block)) + len(new_items)
    tag = _set_attr(block.tag[:-2].rstrip() + ">" if block.self_closing else block.tag, "count", str(count))
    inner = xml[block.tag_end:block.close] + "".join(new_items)
    return f"{xml[:block.start]}{tag}{inner}</{prefix}{name}>{xml[block.end:]}"


# ------------------------------------------------------------------------------------------------
# Values in cells
# ------------------------------------------------------------------------------------------------

_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


def excel_serial(value: date | datetime | time, date1904: bool = False) -> float | int:
    """The serial number Excel stores for a date, date-time or time of day."""
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if isinstance(value, datetime):
        day = value.date()
        fraction = (value - datetime(day.year, day.month, day.day)).total_seconds() / 86400
    else:
        day, fraction = value, 0
    if date1904:
        whole = (day - _EPOCH_1904.date()).days
    else:
        from ..domain.jpcalendar import to_excel_serial

        whole = to_excel_serial(day)
    return whole + fraction if fraction else whole


def from_serial(value: float, date1904: bool = False) -> datetime:
    if date1904:
        base = _EPOCH_1904
    else:
        base = _EPOCH_1900 if value >= 61 else _EPOCH_1900 + timedelta(days=1)  # Excel's 1900-02-29
    return base + timedelta(days=round(value * 86400) / 86400)


def _number_text(value: int | float) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a cell cannot hold NaN or infinity")
        return repr(value) if value != int(value) or abs(value) >= 1e15 else str(int(value))
    return str(int(value))


def _differs(old: Any, new: Any) -> bool:
    """Whether writing ``new`` changes what the cell shows (blank and empty text are the same)."""
    if isinstance(new, date) and not isinstance(new, datetime) and isinstance(old, datetime):
        old = old.date()
    if old in (None, "") and new in (None, ""):
        return False
    return type(old) is bool and type(new) is not bool or old != new


# Built-in number formats (ECMA-376 18.8.30) that can be asked for by their code.
BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
    12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss",
    46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
_BUILTIN_IDS = {code: i for i, code in BUILTIN_FORMATS.items()}
_DATE_BUILTINS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?!h\]|hh\]|m\]|mm\]|s\]|ss\])[^\]]*\]', re.IGNORECASE)
_DATE_PART = re.compile(r"[dmyhs]", re.IGNORECASE)


def is_date_format(code: str | None) -> bool:
    if not code:
        return False
    first = code.split(";")[0]
    return _DATE_PART.search(_FORMAT_NOISE.sub("", first)) is not None and "General" not in first


# ------------------------------------------------------------------------------------------------
# styles.xml: read, and appended to
# ------------------------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _canon(elem: ElementTree.Element) -> tuple:
    return (_local(elem.tag), tuple(sorted((_local(k), v) for k, v in elem.attrib.items())),
            tuple(_canon(c) for c in elem))


def _parse_fragment(xml: str, prefix: str) -> ElementTree.Element:
    """An element written with ``prefix`` for the main namespace, parsed."""
    decl = f' xmlns:{prefix[:-1]}="{NS_MAIN}"' if prefix else ""
    return ElementTree.fromstring(f'<w xmlns="{NS_MAIN}"{decl}>{xml}</w>'.encode("utf-8"))[0]


class _Styles:
    """The stylesheet: which number format each cell style shows; new styles appended when needed."""

    def __init__(self, xml: str, part: str):
        self.part = part
        self.xml = xml
        self.prefix = _root_prefix(xml, NS_MAIN, part)
        self.changed = False
        root = ElementTree.fromstring(xml.encode("utf-8"))

        def children(name: str) -> list[ElementTree.Element]:
            found = root.find(f"{{{NS_MAIN}}}{name}")
            return list(found) if found is not None else []

        self.formats: dict[int, str] = dict(BUILTIN_FORMATS)
        for nf in children("numFmts"):
            try:
                self.formats[int(nf.get("numFmtId", ""))] = nf.get("formatCode", "")
            except ValueError:
                continue
        self.fonts = children("fonts")
        self.fills = children("fills")
        self.xfs = children("cellXfs")
        if not self.xfs:
            raise PatchUnsupported(f"{part}: no cellXfs")
        self.has_style_xfs = bool(children("cellStyleXfs"))
        self._xf_format = [self._format_id(xf) for xf in self.xfs]
        self._with_format: dict[tuple[int, str], int] = {}
        self._date_styles: dict[int, bool] = {}

    @staticmethod
    def _format_id(xf: ElementTree.Element) -> int:
        try:
            return int(xf.get("numFmtId", "0"))
        except ValueError:
            return 0

    def format_of(self, style: int) -> str:
        if not 0 <= style < len(self._xf_format):
            return "General"
        return self.formats.get(self._xf_format[style], "General")

    def is_date(self, style: int) -> bool:
        known = self._date_styles.get(style)
        if known is None:
            fid = self._xf_format[style] if 0 <= style < len(self._xf_format) else 0
            known = fid in _DATE_BUILTINS or (fid >= 164 and is_date_format(self.formats.get(fid)))
            self._date_styles[style] = known
        return known

    # -- appending (an identical existing element is reused) -------------------------------------

    def format_id(self, code: str) -> int:
        if code in _BUILTIN_IDS:
            return _BUILTIN_IDS[code]
        for fid, existing in self.formats.items():
            if fid >= 164 and existing == code:
                return fid
        fid = max([163, *self.formats]) + 1
        p = self.prefix
        root = _find_block(self.xml, p, "styleSheet")
        if root is None or root.self_closing:
            raise PatchUnsupported(f"{self.part}: no styleSheet")
        item = f'<{p}numFmt numFmtId="{fid}" formatCode="{escape(code, quote=True)}"/>'
        self.xml = _append_items(self.xml, p, "numFmts", "numFmt", [item], insert_at=root.tag_end)
        self.formats[fid] = code
        self.changed = True
        return fid

    def _add(self, block: str, item: str, items: list[ElementTree.Element], xml_item: str) -> int:
        """Index of an element equal to ``xml_item`` among ``items`` (the ``block``), appended when none is."""
        probe = _parse_fragment(xml_item, self.prefix)
        wanted = _canon(probe)
        for i, existing in enumerate(items):
            if _canon(existing) == wanted:
                return i
        self.xml = _append_items(self.xml, self.prefix, block, item, [xml_item])
        items.append(probe)
        self.changed = True
        return len(items) - 1

    def font(self, *, bold: bool = False, size: float | None = None, rgb: str | None = None) -> int:
        """The workbook's default font (fonts[0]) made bold, resized or recoloured."""
        p = self.prefix
        parts = [f"<{p}b/>"] if bold else []
        seen = set()
        for child in (self.fonts[0] if self.fonts else []):
            name = _local(child.tag)
            if name in ("b", "i", "strike", "u", "vertAlign", "outline", "shadow", "condense", "extend") \
                    or (name == "sz" and size is not None) or (name == "color" and rgb is not None):
                continue
            seen.add(name)
            attrs = "".join(f' {_local(k)}="{escape(v, quote=True)}"' for k, v in child.attrib.items())
            parts.append(f"<{p}{name}{attrs}/>")
        if size is not None or "sz" not in seen:
            parts.append(f'<{p}sz val="{_number_text(size if size is not None else 11)}"/>')
        if rgb is not None:
            parts.append(f'<{p}color rgb="{rgb}"/>')
        if "name" not in seen:
            parts.append(f'<{p}name val="Calibri"/>')
        return self._add("fonts", "font", self.fonts, f"<{p}font>{''.join(parts)}</{p}font>")

    def solid_fill(self, rgb: str) -> int:
        p = self.prefix
        xml = (f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{rgb}"/><{p}bgColor indexed="64"/>'
               f"</{p}patternFill></{p}fill>")
        return self._add("fills", "fill", self.fills, xml)

    def cell_style(self, *, number_format: str | None = None, font: int = 0, fill: int = 0,
                   alignment: Mapping[str, str] | None = None) -> int:
        p = self.prefix
        fid = self.format_id(number_format) if number_format else 0
        attrs = f'numFmtId="{fid}" fontId="{font}" fillId="{fill}" borderId="0"'
        if self.has_style_xfs:
            attrs += ' xfId="0"'
        if fid:
            attrs += ' applyNumberFormat="1"'
        if font:
            attrs += ' applyFont="1"'
        if fill:
            attrs += ' applyFill="1"'
        if alignment:
            attrs += ' applyAlignment="1"'
            inner = f"<{p}alignment " + " ".join(f'{k}="{v}"' for k, v in alignment.items()) + "/>"
            xml = f"<{p}xf {attrs}>{inner}</{p}xf>"
        else:
            xml = f"<{p}xf {attrs}/>"
        return self._add_xf(xml, fid)

    def _add_xf(self, xml: str, fid: int) -> int:
        index = self._add("cellXfs", "xf", self.xfs, xml)
        if index == len(self._xf_format):
            self._xf_format.append(fid)
        return index

    def with_format(self, style: int, code: str) -> int:
        """A cell style like ``style`` but showing ``code`` (``style`` itself when it already does)."""
        if self.format_of(style) == code:
            return style
        key = (style, code)
        if key not in self._with_format:
            fid = self.format_id(code)
            items = _items(self.xml, self.prefix, "xf", _find_block(self.xml, self.prefix, "cellXfs"))
            item = items[style] if 0 <= style < len(items) else items[0]
            tag = _set_attr(_set_attr(item.tag, "numFmtId", str(fid)), "applyNumberFormat", "1")
            self._with_format[key] = self._add_xf(tag + self.xml[item.tag_end:item.end], fid)
        return self._with_format[key]


# ------------------------------------------------------------------------------------------------
# Relationships and content types
# ------------------------------------------------------------------------------------------------

def rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


@dataclass
class _Rel:
    id: str
    type: str
    target: str  # as written
    part: str | None  # resolved part name, None for an external target


def _parse_rels(xml: str, source: str) -> list[_Rel]:
    rels = []
    for m in re.finditer(r"<(?:[\w.-]+:)?Relationship(?=[\s/>])" + _ATTRS + r"/?>", xml):
        a = attrs_of(m.group(1))
        external = a.get("TargetMode", "").lower() == "external"
        target = a.get("Target", "")
        rels.append(_Rel(a.get("Id", ""), a.get("Type", ""), target, None if external else resolve(source, target)))
    return rels


# ------------------------------------------------------------------------------------------------
# Cells
# ------------------------------------------------------------------------------------------------

_LETTERS = [""] + [column_letters(i).encode() for i in range(1, 16385)]


def _cell_xml(p: bytes, number: int, col: int, value: Any, style: int | None, date1904: bool,
              extra: bytes = b"") -> bytes:
    """``<c>`` holding ``value``: a number, a date as its serial, text as an inline string (never a formula)."""
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
_STYLE_ATTR = re.compile(rb"""\ss\s*=\s*["']([0-9]+)["']""")
_SPANS = re.compile(rb"""(\sspans\s*=\s*)["']([^"']*)["']""")
_NOISE = re.compile(rb"<[!?]")
_ANY_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")


class _SheetWriter:
    """Streams one worksheet's XML from ``src`` to ``dst`` with the cells of ``edit`` written.

    Rows are found with a tokenizer that knows XML's quoting (attribute values may hold ``>``);
    sheet data holding anything but rows (comments, CDATA, processing instructions) is refused.
    """

    def __init__(self, patch: "XlsxPatch", edit: _SheetEdit, part: str):
        self.patch = patch
        self.edit = edit
        self.part = part
        self.styles = patch._styles()
        self.date1904 = patch._date1904()
        self.col_styles: dict[int, int] = {}
        self.orphans: dict[bytes, tuple[str, str]] = {}  # shared formula si -> (formula, its master cell)
        self._style_cache: dict[tuple[int, str], int] = {}
        header_row = [1] if edit.headers and edit.rows[:1] != [1] else []
        self._targets = itertools.chain(header_row, edit.rows)  # rows to write, ascending (row 1 first)
        self.next_row = next(self._targets, None)

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
            gap = s.buf[s.pos:m.start()]
            if gap.strip():
                raise PatchUnsupported(f"{self.part}: content other than rows in sheetData")
            if m.group(0).startswith(b"</"):
                dst.write(gap)
                self._rows_before(None, dst)
                s.pos = m.start()  # </sheetData> and what follows are copied as they are
                return
            if m.group(2):  # <row …/>
                end = m.end()
            else:
                e = row_end.search(s.buf, m.end())
                if e is None:
                    if not s.more():
                        raise PatchUnsupported(f"{self.part}: row not closed")
                    continue
                end = e.end()
            row = s.buf[m.start():end]
            if _NOISE.search(row):
                raise PatchUnsupported(f"{self.part}: comments, CDATA or processing instructions in sheetData")
            r = _ROW_ATTR.search(m.group(1))
            number = int(r.group(1)) if r else last_row + 1
            last_row = number
            dst.write(gap)
            self._rows_before(number, dst)
            if self.next_row == number:
                row = self._patch_row(row, m.end() - m.start(), bool(m.group(2)), number, self._targets_of(number))
                self._advance()
            elif self.orphans and b"si=" in row:
                row = self._patch_row(row, m.end() - m.start(), bool(m.group(2)), number, [])
            dst.write(row)
            s.pos = end

    def _rows_before(self, number: int | None, dst: IO[bytes]) -> None:
        """New rows for edited row numbers the sheet lacks, before row ``number`` (None: all left)."""
        while self.next_row is not None and (number is None or self.next_row < number):
            cells = [self._new_cell(self.next_row, col, value, None, header)
                     for col, value, header in self._targets_of(self.next_row)]
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

    def _targets_of(self, number: int) -> list[tuple[int, Any, bool]]:
        """(column, value, is a header) to write in row ``number``, in column order."""
        found: dict[int, tuple[int, Any, bool]] = {}
        if number != 1 or self.edit.rows[:1] == [1]:  # row 1 may be written only for its headers
            values = self.edit.values(number)
            if len(values) != len(self.edit.columns):
                raise ValueError("values(row) must give one value per column")
            for col, value in zip(self.edit.columns, values):
                found[col] = (col, value, False)
        if number == 1:
            for col, text in self.edit.headers.items():
                found[col] = (col, text, True)
        return [found[c] for c in sorted(found)]

    def _patch_row(self, row: bytes, body_start: int, self_closing: bool, number: int,
                   targets: list[tuple[int, Any, bool]]) -> bytes:
        """The row with ``targets`` written: only the cells that change are rewritten."""
        body_end = body_start if self_closing else row.rfind(b"</")
        pieces: list[bytes] = []
        cursor = last_cell_end = body_start
        ti = col = 0
        left_style: bytes | None = None
        added: list[int] = []
        index = _COLUMN_INDEX
        for c in self.cell_re.finditer(row, self._scan_from(row, body_start, body_end, number, targets), body_end):
            letters = c.group(1)
            if letters is not None:
                col = index[letters]
            else:
                ref = _CELL_REF.fullmatch(_battrs(c.group(2)).get(b"r", b""))
                col = index[ref.group(1)] if ref else col + 1
            while ti < len(targets) and targets[ti][0] < col:  # a new cell before this one
                t_col, value, header = targets[ti]
                new = self._new_cell(number, t_col, value, left_style, header)
                if new:
                    pieces += [row[cursor:c.start()], new]
                    cursor = c.start()
                    added.append(t_col)
                ti += 1
            if ti < len(targets) and targets[ti][0] == col:
                new = self._rewrite(number, col, c, targets[ti][1])
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
        for t_col, value, header in targets[ti:]:
            new = self._new_cell(number, t_col, value, left_style, header)
            if new:
                rest.append(new)
                added.append(t_col)
        if not pieces and not rest:
            return row
        start_tag = self._spans(row[:body_start], added) if added else row[:body_start]
        if self_closing:
            return start_tag[:-2].rstrip() + b">" + b"".join(rest) + b"</" + self.p + b"row>"
        return (start_tag + b"".join(pieces) + row[cursor:last_cell_end] + b"".join(rest)
                + row[max(cursor, last_cell_end):])

    def _scan_from(self, row: bytes, body_start: int, body_end: int, number: int,
                   targets: list[tuple[int, Any, bool]]) -> int:
        """Where the cells that matter start: the cell of the first target when the row has it, or its
        last cell when that lies left of every target; else the row's first cell.  Cells left of it
        are copied without a look (not for row 1, whose header cells lend their style)."""
        if not targets or number == 1 or self.orphans or body_end <= body_start:
            return body_start
        first = targets[0][0]
        found = row.find(b'r="%s%d"' % (_LETTERS[first], number), body_start, body_end)
        lt = row.rfind(b"<", body_start, found) if found >= 0 else row.rfind(b"<" + self.p + b"c ", body_start, body_end)
        if lt < 0:
            return body_start
        m = self.cell_re.match(row, lt)
        if m is None or m.group(1) is None:
            return body_start
        col = _COLUMN_INDEX[m.group(1)]
        return lt if (col == first if found >= 0 else col < first) else body_start

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

    # -- cells ----------------------------------------------------------------------------------

    def _style_for(self, style: int | None, value: Any) -> int | None:
        if isinstance(value, Formatted) and value.value is not None:
            key = (style or 0, value.number_format)
            found = self._style_cache.get(key)
            if found is None:
                found = self._style_cache[key] = self.styles.with_format(*key)
            return found
        return style

    def _new_cell(self, number: int, col: int, value: Any, left_style: bytes | None, header: bool) -> bytes:
        """A cell where there was none: the column's default style (a header: its left neighbour's)."""
        plain = value.value if isinstance(value, Formatted) else value
        if plain is None or plain == "":
            return b""
        if header and left_style is not None and left_style.isdigit():
            style: int | None = int(left_style)
        else:
            style = self.col_styles.get(col)
        if not header:
            self.patch._record(self.edit.title, number, col, None, plain)
        return _cell_xml(self.p, number, col, plain, self._style_for(style, value), self.date1904)

    def _rewrite(self, number: int, col: int, cell: re.Match, value: Any) -> bytes | None:
        """The cell rewritten to hold ``value``, or None when it shows it already (kept byte for byte)."""
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


def _ref_bounds(ref: str) -> tuple[int, int, int, int] | None:
    """(first column, first row, last column, last row) of ``A1`` or ``A1:C9``."""
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?([0-9]+)(?::\$?([A-Z]{1,3})\$?([0-9]+))?", ref.strip())
    if m is None:
        return None
    c1, r1 = column_index(m.group(1)), int(m.group(2))
    c2, r2 = (column_index(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
    return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)


# ------------------------------------------------------------------------------------------------
# Generated sheets
# ------------------------------------------------------------------------------------------------

@dataclass
class _Generated:
    name: str
    note: str
    columns: Sequence[Any]  # each with .header, .width, .number_format (io.report_sheets.ReportColumn)
    rows: Sequence[Sequence[Any]]
    after: str | None


NOTE_RGB = "FF666666"  # io/report_sheets.NOTE_FONT
HEADER_RGB = "FFDDEBF7"  # io/report_sheets.HEADER_FILL


def _generated_sheet_xml(sheet: _Generated, styles: _Styles, date1904: bool, selected: bool) -> Callable[[], Iterator[bytes]]:
    """What io/report_sheets.replace_sheet draws: a note, a bold header (frozen), the rows, a filter.

    The styles are added now (before styles.xml is written); the sheet XML is produced when the
    package is written, a thousand rows at a time, never as one string."""
    note_style = styles.cell_style(font=styles.font(size=9, rgb=NOTE_RGB))
    header_style = styles.cell_style(font=styles.font(bold=True), fill=styles.solid_fill(HEADER_RGB),
                                     alignment={"horizontal": "center", "vertical": "center", "wrapText": "1"})
    formats = {spec.number_format: styles.cell_style(number_format=spec.number_format)
               for spec in sheet.columns if spec.number_format}
    last_col = column_letters(max(len(sheet.columns), 1))
    last_row = len(sheet.rows) + 2
    selected_attr = ' tabSelected="1"' if selected else ""

    def chunks() -> Iterator[bytes]:
        head = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_DOC_REL}">'
            f'<dimension ref="A1:{last_col}{last_row}"/>'
            f'<sheetViews><sheetView{selected_attr} workbookViewId="0">'
            '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A3" sqref="A3"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
        )
        if sheet.columns:
            head += "<cols>" + "".join(f'<col min="{i}" max="{i}" width="{_number_text(float(spec.width))}" customWidth="1"/>'
                                       for i, spec in enumerate(sheet.columns, start=1)) + "</cols>"
        yield head.encode("utf-8") + b"<sheetData>"
        yield b'<row r="1">' + _cell_xml(b"", 1, 1, sheet.note, note_style, date1904) + b"</row>"
        yield b'<row r="2">' + b"".join(_cell_xml(b"", 2, i, spec.header, header_style, date1904)
                                       for i, spec in enumerate(sheet.columns, start=1)) + b"</row>"
        batch: list[bytes] = []
        for r, values in enumerate(sheet.rows, start=3):
            cells = []
            for i, (spec, value) in enumerate(zip(sheet.columns, values), start=1):
                if value is None:
                    continue
                style = formats[spec.number_format] if spec.number_format and not isinstance(value, str) else None
                cells.append(_cell_xml(b"", r, i, value, style, date1904))
            batch.append(b'<row r="%d">' % r + b"".join(cells) + b"</row>")
            if len(batch) == 1000:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch)
        tail = f'<autoFilter ref="A2:{last_col}{last_row}"/>' if sheet.rows else ""
        tail += '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
        yield b"</sheetData>" + tail.encode("utf-8")

    return chunks


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


# ------------------------------------------------------------------------------------------------
# The package
# ------------------------------------------------------------------------------------------------

@dataclass
class _Sheet:
    name: str
    sheet_id: int
    rid: str
    part: str | None


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return len(data)


_RELATIONSHIP = re.compile(r"<(?:[\w.-]+:)?Relationship(?=[\s/>])" + _ATTRS + r"/?>")
_OVERRIDE = re.compile(r"<(?:[\w.-]+:)?Override(?=[\s/>])" + _ATTRS + r"/?>")


class XlsxPatch:
    """Edits to one .xlsx package, applied by ``save`` in a single pass over its zip parts."""

    CONTENT_TYPES = "[Content_Types].xml"

    def __init__(self, data: bytes):
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise PatchUnsupported("not a zip package") from exc
        self._names = {info.filename.lower(): info.filename for info in self.zf.infolist()}
        self._text: dict[str, str] = {}  # parts read as text, by part name (lower case)
        self._dirty: set[str] = set()  # parts whose text changed (lower case)
        self._new: dict[str, bytes | Callable[[], Iterator[bytes]]] = {}  # parts added (or drawn again)
        self._removed: set[str] = set()  # parts dropped (lower case)
        self._edits: dict[str, _SheetEdit] = {}  # worksheet part (lower case) -> cell edits
        self._generated: list[_Generated] = []
        self._style_obj: _Styles | None = None
        self._sst: list[str] | None = None
        self._formulas_dropped = False
        self._changed = 0
        self._changes: list[CellChange] = []
        self.workbook_part = self._main_part()
        self._book_prefix = _root_prefix(self.text(self.workbook_part), NS_MAIN, self.workbook_part)
        self._rels_part = rels_part(self.workbook_part)
        self._max_sheet_id = max([0, *(s.sheet_id for s in self.sheets())])

    # -- parts ----------------------------------------------------------------------------------

    def _member(self, part: str) -> str | None:
        if part.lower() in self._removed:
            return None
        return self._names.get(part.lower())

    def has(self, part: str) -> bool:
        return self._member(part) is not None or part in self._new

    def text(self, part: str) -> str:
        key = part.lower()
        if key in self._text:
            return self._text[key]
        member = self._member(part)
        if member is None:
            raise PatchUnsupported(f"missing part {part}")
        raw = self.zf.read(member)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise PatchUnsupported(f"{part}: not UTF-8") from None
        self._text[key] = text
        return text

    def _set_text(self, part: str, text: str) -> None:
        self._text[part.lower()] = text
        self._dirty.add(part.lower())

    def _main_part(self) -> str:
        if self._member("_rels/.rels") is not None:
            for rel in _parse_rels(self.text("_rels/.rels"), ""):
                if rel.type == REL_OFFICE_DOCUMENT and rel.part:
                    return rel.part
        if self._member("xl/workbook.xml") is not None:
            return "xl/workbook.xml"
        raise PatchUnsupported("no workbook part")

    def _workbook_rels(self) -> list[_Rel]:
        return _parse_rels(self.text(self._rels_part), self.workbook_part)

    def _rel_of_type(self, rel_type: str) -> str | None:
        return next((r.part for r in self._workbook_rels() if r.type == rel_type and r.part and self.has(r.part)), None)

    def sheets(self) -> list[_Sheet]:
        rels = {r.id: r for r in self._workbook_rels()}
        xml = self.text(self.workbook_part)
        block = _find_block(xml, self._book_prefix, "sheets")
        if block is None or block.self_closing:
            return []
        found = []
        for item in _items(xml, self._book_prefix, "sheet", block):
            a = attrs_of(item.tag)
            rid = next((v for k, v in a.items() if k.endswith(":id") and not k.startswith("xmlns")), "")
            rel = rels.get(rid)
            sheet_id = a.get("sheetId", "0")
            found.append(_Sheet(a.get("name", ""), int(sheet_id) if sheet_id.isdigit() else 0, rid,
                                rel.part if rel is not None and rel.type == REL_WORKSHEET else None))
        return found

    def sheet_part(self, title: str) -> str:
        for sheet in self.sheets():
            if sheet.name == title and sheet.part and self.has(sheet.part):
                return sheet.part
        raise PatchUnsupported(f"no worksheet part for the sheet {title!r}")

    def _date1904(self) -> bool:
        m = _find_block(self.text(self.workbook_part), self._book_prefix, "workbookPr")
        return m is not None and attrs_of(m.tag).get("date1904", "").lower() in ("1", "true")

    def _styles(self) -> _Styles:
        if self._style_obj is None:
            part = self._rel_of_type(REL_STYLES)
            if part is None:
                raise PatchUnsupported("no styles part")
            self._style_obj = _Styles(self.text(part), part)
        return self._style_obj

    def _shared_string(self, index: int) -> str:
        if self._sst is None:
            self._sst = []
            part = self._rel_of_type(REL_SHARED_STRINGS)
            if part is not None:
                t, rph, si = f"{{{NS_MAIN}}}t", f"{{{NS_MAIN}}}rPh", f"{{{NS_MAIN}}}si"
                with self.zf.open(self._member(part)) as fh:
                    for _, elem in ElementTree.iterparse(fh, events=("end",)):
                        if elem.tag == si:
                            phonetic = {id(x) for r in elem.iter(rph) for x in r.iter(t)}
                            text = "".join(x.text or "" for x in elem.iter(t) if id(x) not in phonetic)
                            self._sst.append(decode_cell_text(text))
                            elem.clear()
        return self._sst[index]

    def _record(self, sheet: str, row: int, col: int, old: Any, new: Any) -> None:
        self._changed += 1
        if len(self._changes) < MAX_CHANGES_KEPT:
            self._changes.append(CellChange(sheet, row, col, old, new))

    # -- what callers ask for -------------------------------------------------------------------

    def free_column(self, title: str) -> int:
        """The first column (1-based) right of every cell of sheet ``title``."""
        pattern = re.compile(rb"""<(?:[\w.-]+:)?c\s[^>]*?\br\s*=\s*["']([A-Z]{1,3})[0-9]""")
        widest = 0
        tail = b""
        with self.zf.open(self._member(self.sheet_part(title))) as fh:
            while chunk := fh.read(CHUNK):
                data = tail + chunk
                for letters in set(pattern.findall(data)):
                    widest = max(widest, column_index(letters.decode()))
                tail = data[-256:]
        return widest + 1

    def set_cells(self, title: str, columns: Sequence[int], rows: Sequence[int],
                  values: Callable[[int], Sequence[Any]], *, headers: Mapping[int, str] | None = None) -> None:
        """Write ``values(row)`` (one value per column of ``columns``, 1-based) into each row of ``rows``
        (ascending) of sheet ``title``.  A value may be ``Formatted``; None clears the cell.
        ``headers`` are row-1 header cells of added columns; an Excel table whose right edge is just
        left of an added column grows over it."""
        rows = list(rows)
        if any(b <= a for a, b in zip(rows, rows[1:])):
            raise ValueError("rows must be ascending and unique")
        part = self.sheet_part(title)
        self._edits[part.lower()] = _SheetEdit(title, list(columns), rows, values, dict(headers or {}))
        if headers:
            self._grow_tables(part, dict(headers))

    def replace_sheet(self, name: str, *, note: str, columns: Sequence[Any], rows: Sequence[Sequence[Any]],
                      after: str | None = None) -> None:
        """A generated sheet: a note row, a bold header row, the rows, frozen panes and a filter.  An
        older sheet of that name is replaced at its place; a new one goes after ``after``, else last."""
        self._generated.append(_Generated(name, note, columns, rows, after))

    # -- tables ---------------------------------------------------------------------------------

    def _grow_tables(self, sheet_part: str, headers: dict[int, str]) -> None:
        rels = rels_part(sheet_part)
        if self._member(rels) is None:
            return
        for rel in _parse_rels(self.text(rels), sheet_part):
            if rel.type != REL_TABLE or rel.part is None or self._member(rel.part) is None:
                continue
            xml = self.text(rel.part)
            prefix = _root_prefix(xml, NS_MAIN, rel.part)
            table = _find_block(xml, prefix, "table")
            a = attrs_of(table.tag)
            bounds = _ref_bounds(a.get("ref", ""))
            if bounds is None or bounds[1] != 1 or a.get("headerRowCount", "1") == "0":
                continue
            c1, r1, c2, r2 = bounds
            added = []
            for col in sorted(headers):
                if col == c2 + 1:
                    added.append(headers[col])
                    c2 = col
            if not added:
                continue
            ref = f"{column_letters(c1)}{r1}:{column_letters(c2)}{r2}"
            xml = xml[:table.start] + _set_attr(table.tag, "ref", ref) + xml[table.tag_end:]
            auto = _find_block(xml, prefix, "autoFilter")
            if auto is not None:
                xml = xml[:auto.start] + _set_attr(auto.tag, "ref", ref) + xml[auto.tag_end:]
            columns = _find_block(xml, prefix, "tableColumns")
            if columns is None:
                raise PatchUnsupported(f"{rel.part}: no tableColumns")
            ids = [attrs_of(c.tag).get("id", "0") for c in _items(xml, prefix, "tableColumn", columns)]
            next_id = max([0, *(int(i) for i in ids if i.isdigit())]) + 1
            new = [f'<{prefix}tableColumn id="{next_id + i}" name="{escape(h, quote=True)}"/>' for i, h in enumerate(added)]
            self._set_text(rel.part, _append_items(xml, prefix, "tableColumns", "tableColumn", new))

    # -- workbook.xml edits for generated sheets ------------------------------------------------

    def _add_generated(self, sheet: _Generated) -> None:
        styles = self._styles()
        sheets = self.sheets()
        folded = sheet.name.casefold()
        old = next((i for i, s in enumerate(sheets) if s.name.casefold() == folded), None)
        p = self._book_prefix
        if old is not None and sheets[old].part and self.has(sheets[old].part):
            # Drawn again in the same part: the sheet keeps its place, id and relationship, and a
            # second run with the same content gives the same package.
            index, part = old, self._member(sheets[old].part)
            self._clear_sheet(sheets[old], index)
            self._shift_indexes(dropped=index)
        else:
            if old is not None:  # a chart sheet or a broken entry under that name: replaced by a worksheet
                index = old
                self._remove_sheet(sheets[old], old)
            else:
                after = next((i for i, s in enumerate(sheets) if s.name == sheet.after), None)
                index = after + 1 if after is not None else len(sheets)
                self._shift_indexes(inserted=index)
            part = self._fresh_part("xl/worksheets/sheet{}.xml")
            rid = self._add_relationship(REL_WORKSHEET, part)
            self._max_sheet_id += 1
            element = (f'<{p}sheet xmlns:r="{NS_DOC_REL}" name="{escape(sheet.name, quote=True)}" '
                       f'sheetId="{self._max_sheet_id}" r:id="{rid}"/>')
            book = self.text(self.workbook_part)
            block = _find_block(book, p, "sheets")
            if block is None:
                raise PatchUnsupported("workbook without sheets")
            if block.self_closing:
                book = book[:block.start] + block.tag[:-2].rstrip() + ">" + element + f"</{p}sheets>" + book[block.end:]
            else:
                items = _items(book, p, "sheet", block)
                at = items[index].start if index < len(items) else block.close
                book = book[:at] + element + book[at:]
            self._set_text(self.workbook_part, book)
            self._add_content_type(part, CT_WORKSHEET)
        book = self.text(self.workbook_part)
        view = _find_block(book, p, "workbookView")
        active = attrs_of(view.tag).get("activeTab", "0") if view is not None else "0"
        self._new[part] = _generated_sheet_xml(sheet, styles, self._date1904(), selected=(active == str(index)))
        last = column_letters(max(len(sheet.columns), 1))
        ref = f"{quote_sheet(sheet.name)}!$A$2:${last}${len(sheet.rows) + 2}"
        element = (f'<{p}definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
                   f"{escape(ref)}</{p}definedName>") if sheet.rows else ""
        block = _find_block(book, p, "definedNames")
        for item in _items(book, p, "definedName", block) if block is not None and not block.self_closing else []:
            a = attrs_of(item.tag)
            if a.get("name") == "_xlnm._FilterDatabase" and a.get("localSheetId") == str(index):
                self._set_text(self.workbook_part, book[:item.start] + element + book[item.end:])  # kept at its place
                return
        if element:
            self._set_text(self.workbook_part, self._add_defined_name(book, element))

    def _has_formula(self, part: str) -> bool:
        """Whether a worksheet part holds a formula (read CHUNK at a time)."""
        tail = b""
        with self.zf.open(self._member(part)) as fh:
            while chunk := fh.read(CHUNK):
                if _ANY_FORMULA.search(tail + chunk):
                    return True
                tail = chunk[-64:]
        return False

    def _clear_sheet(self, sheet: _Sheet, index: int) -> None:
        """Before a sheet part is written anew: the parts only it used (drawings, comments, tables…)
        go, with its relationships part; a formula in it means the calculation chain must go too."""
        if self._has_formula(sheet.part):
            self._formulas_dropped = True
        rels = rels_part(sheet.part)
        if self._member(rels) is None:
            return
        before = self._reachable()
        self._removed.add(rels.lower())
        for part in before - self._reachable():
            self._remove_part(part)

    def _add_defined_name(self, book: str, element: str) -> str:
        p = self._book_prefix
        block = _find_block(book, p, "definedNames")
        if block is not None:
            if block.self_closing:
                return book[:block.start] + block.tag[:-2].rstrip() + ">" + element + f"</{p}definedNames>" + book[block.end:]
            return book[:block.close] + element + book[block.close:]
        for name in ("externalReferences", "functionGroups", "sheets"):  # definedNames comes after these
            found = _find_block(book, p, name)
            if found is not None:
                return book[:found.end] + f"<{p}definedNames>{element}</{p}definedNames>" + book[found.end:]
        raise PatchUnsupported("workbook without sheets")

    def _shift_indexes(self, inserted: int | None = None, dropped: int | None = None) -> None:
        """Sheet indexes in defined names and the workbook views: +1 from ``inserted`` on (a sheet put
        in there); names scoped to sheet ``dropped`` removed (a sheet replaced there)."""
        p = self._book_prefix
        book = self.text(self.workbook_part)
        block = _find_block(book, p, "definedNames")
        if block is not None and not block.self_closing:
            pieces = [book[:block.tag_end]]
            pos = block.tag_end
            for item in _items(book, p, "definedName", block):
                pieces.append(book[pos:item.start])
                local = attrs_of(item.tag).get("localSheetId", "")
                text = book[item.start:item.end]
                if local.isdigit() and dropped is not None and int(local) == dropped:
                    # the sheet's print area, titles…; its filter range is set again by the caller
                    text = text if attrs_of(item.tag).get("name") == "_xlnm._FilterDatabase" else ""
                elif local.isdigit() and inserted is not None and int(local) >= inserted:
                    text = _set_attr(item.tag, "localSheetId", str(int(local) + 1)) + book[item.tag_end:item.end]
                pieces.append(text)
                pos = item.end
            book = "".join(pieces) + book[pos:]
        if inserted is not None:
            views = _find_block(book, p, "bookViews")
            if views is not None and not views.self_closing:
                for view in reversed(_items(book, p, "workbookView", views)):
                    tag = view.tag
                    for attr in ("activeTab", "firstSheet"):
                        value = attrs_of(tag).get(attr, "")
                        if value.isdigit() and int(value) >= inserted:
                            tag = _set_attr(tag, attr, str(int(value) + 1))
                    book = book[:view.start] + tag + book[view.tag_end:]
        self._set_text(self.workbook_part, book)

    def _remove_sheet(self, sheet: _Sheet, index: int) -> None:
        """Take a sheet out: its element, relationship, the defined names scoped to it and the parts
        only it used.  The sheet put in its place takes its index, so no other index moves."""
        self._shift_indexes(dropped=index)
        p = self._book_prefix
        book = self.text(self.workbook_part)
        item = _items(book, p, "sheet", _find_block(book, p, "sheets"))[index]
        self._set_text(self.workbook_part, book[:item.start] + book[item.end:])
        if sheet.part and self.has(sheet.part) and self._has_formula(sheet.part):
            self._formulas_dropped = True
        before = self._reachable()
        self._drop_relationship(lambda a: a.get("Id") == sheet.rid)
        gone = before - self._reachable()
        for part in gone | ({sheet.part} if sheet.part else set()):
            self._remove_part(part)

    def _drop_relationship(self, match: Callable[[dict[str, str]], bool]) -> None:
        xml = self.text(self._rels_part)
        for m in _RELATIONSHIP.finditer(xml):
            if match(attrs_of(m.group(1))):
                self._set_text(self._rels_part, xml[:m.start()] + xml[m.end():])
                return

    def _reachable(self) -> set[str]:
        """Parts reachable from the package's relationships, through every relationship part."""
        seen: set[str] = set()
        todo = [""]
        while todo:
            source = todo.pop()
            rels = "_rels/.rels" if source == "" else rels_part(source)
            if not self.has(rels):
                continue
            for rel in _parse_rels(self.text(rels), source):
                if rel.part and rel.part.lower() not in seen and self.has(rel.part):
                    seen.add(rel.part.lower())
                    todo.append(rel.part)
        return seen

    def _remove_part(self, part: str) -> None:
        rels = rels_part(part)
        for name in (part, rels):
            if self._member(name) is not None:
                self._removed.add(name.lower())
        ct = self.text(self.CONTENT_TYPES)
        for m in _OVERRIDE.finditer(ct):
            if attrs_of(m.group(1)).get("PartName", "").lstrip("/").lower() == part.lower():
                self._set_text(self.CONTENT_TYPES, ct[:m.start()] + ct[m.end():])
                return

    def _fresh_part(self, pattern: str) -> str:
        taken = set(self._names) | {n.lower() for n in self._new}
        n = 1
        while pattern.format(n).lower() in taken:
            n += 1
        return pattern.format(n)

    def _add_relationship(self, rel_type: str, part: str) -> str:
        xml = self.text(self._rels_part)
        ids = {r.id for r in _parse_rels(xml, self.workbook_part)}
        n = len(ids) + 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        end = re.search(r"</([\w.-]+:)?Relationships\s*>", xml)
        if end is None:
            raise PatchUnsupported("workbook relationships not closed")
        target = posixpath.relpath(part, posixpath.dirname(self.workbook_part))
        element = f'<{end.group(1) or ""}Relationship Id="{rid}" Type="{rel_type}" Target="{escape(target, quote=True)}"/>'
        self._set_text(self._rels_part, xml[:end.start()] + element + xml[end.start():])
        return rid

    def _add_content_type(self, part: str, content_type: str) -> None:
        ct = self.text(self.CONTENT_TYPES)
        end = re.search(r"</([\w.-]+:)?Types\s*>", ct)
        if end is None:
            raise PatchUnsupported("[Content_Types].xml not closed")
        element = f'<{end.group(1) or ""}Override PartName="/{escape(part, quote=True)}" ContentType="{content_type}"/>'
        self._set_text(self.CONTENT_TYPES, ct[:end.start()] + element + ct[end.start():])

    def _drop_calc_chain(self) -> None:
        """Excel's calculation chain lists the formula cells; one listed cell that no longer holds a
        formula makes Excel repair the file, so the chain goes (Excel rebuilds it)."""
        part = self._rel_of_type(REL_CALC_CHAIN)
        if part is not None:
            self._drop_relationship(lambda a: a.get("Type") == REL_CALC_CHAIN)
            self._remove_part(part)

    # -- writing --------------------------------------------------------------------------------

    def _calc_chain_lists_edited_cells(self) -> bool:
        """Whether Excel's calculation chain lists a cell about to be written (a formula overwritten)."""
        part = self._rel_of_type(REL_CALC_CHAIN)
        if part is None or not self._edits:
            return False
        ids = {s.sheet_id: s.part.lower() for s in self.sheets() if s.part}
        sheet_id = None
        for m in re.finditer(r"<(?:[\w.-]+:)?c(?=[\s/>])" + _ATTRS + r"/?>", self.text(part)):
            a = attrs_of(m.group(1))
            if a.get("i", "").isdigit():
                sheet_id = int(a["i"])
            edit = self._edits.get(ids.get(sheet_id, ""))
            ref = re.fullmatch(r"([A-Z]{1,3})([0-9]+)", a.get("r", ""))
            if edit is None or ref is None:
                continue
            row, col = int(ref.group(2)), column_index(ref.group(1))
            if (col in edit.columns and edit.has_row(row)) or (row == 1 and col in edit.headers):
                return True
        return False

    def save(self) -> PatchResult:
        """The new package: parts in their order, those not edited copied with their bytes unchanged,
        added parts last.  Call once."""
        for sheet in self._generated:
            self._add_generated(sheet)
        if self._formulas_dropped or self._calc_chain_lists_edited_cells():
            self._drop_calc_chain()
        style_part = self._styles().part.lower() if (self._edits or self._style_obj is not None) else None
        infos = [i for i in self.zf.infolist() if i.filename.lower() not in self._removed]
        keys = [i.filename.lower() for i in infos]
        last_edit = max((n for n, key in enumerate(keys) if key in self._edits), default=-1)
        # A cell may need a new style while its sheet streams: styles.xml is written after the sheet.
        defer_styles = style_part in keys and keys.index(style_part) < last_edit
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info, key in zip(infos, keys):
                if key == style_part and defer_styles:
                    continue
                self._write_part(zout, info, key, style_part)
            if defer_styles:
                self._write_part(zout, infos[keys.index(style_part)], style_part, style_part)
            for part, payload in self._new.items():
                if part.lower() in keys:
                    continue
                info = zipfile.ZipInfo(part, (1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                self._write_new(zout, info, payload)
        return PatchResult(out.getvalue(), self._changed, list(self._changes))

    @staticmethod
    def _write_new(zout: zipfile.ZipFile, info: zipfile.ZipInfo, payload: bytes | Callable[[], Iterator[bytes]]) -> None:
        if isinstance(payload, bytes):
            zout.writestr(info, payload)
            return
        with zout.open(info, "w") as dst:
            for chunk in payload():
                dst.write(chunk)

    def _write_part(self, zout: zipfile.ZipFile, info: zipfile.ZipInfo, key: str, style_part: str | None) -> None:
        if info.filename in self._new:  # a generated sheet drawn again in its part
            self._write_new(zout, self._copy_info(info), self._new[info.filename])
        elif key == style_part and self._style_obj is not None and self._style_obj.changed:
            zout.writestr(self._copy_info(info), self._style_obj.xml.encode("utf-8"))
        elif key in self._dirty:
            zout.writestr(self._copy_info(info), self._text[key].encode("utf-8"))
        else:
            edit = self._edits.get(key)
            with self.zf.open(info) as src, zout.open(self._copy_info(info), "w") as dst:
                if edit is not None:
                    _SheetWriter(self, edit, info.filename).run(src, dst)
                else:
                    shutil.copyfileobj(src, dst, CHUNK)

    def dry_run(self) -> PatchResult:
        """The cell changes ``save`` would make, found by streaming the edited sheets into nothing."""
        for key, edit in self._edits.items():
            with self.zf.open(self._names[key]) as src:
                _SheetWriter(self, edit, self._names[key]).run(src, _Discard())
        return PatchResult(b"", self._changed, list(self._changes))

    @staticmethod
    def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
        copy = zipfile.ZipInfo(info.filename, info.date_time)
        copy.compress_type = info.compress_type if info.compress_type == zipfile.ZIP_STORED else zipfile.ZIP_DEFLATED
        copy.external_attr = info.external_attr
        return copy

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> "XlsxPatch":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["CellChange", "Formatted", "PatchResult", "PatchUnsupported", "XlsxPatch", "column_letters",
           "excel_serial", "from_serial"]
