"""styles.xml: which number format each cell style shows; fonts, fills and formats appended when needed."""

from __future__ import annotations

import re
from typing import Mapping
from xml.etree import ElementTree

from .cells import _number_text
from .xmltext import (
    _append_items,
    _canon,
    _find_block,
    _items,
    _local,
    _parse_fragment,
    _root_prefix,
    _set_attr,
    escape,
    NS_MAIN,
    PatchUnsupported,
)


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

