"""Text-level XML helpers for the patcher: parts are rewritten as text, never re-serialised."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree


NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_OFFICE_DOCUMENT = NS_DOC_REL + "/officeDocument"
REL_WORKSHEET = NS_DOC_REL + "/worksheet"
REL_STYLES = NS_DOC_REL + "/styles"
REL_SHARED_STRINGS = NS_DOC_REL + "/sharedStrings"
REL_TABLE = NS_DOC_REL + "/table"
REL_CALC_CHAIN = NS_DOC_REL + "/calcChain"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


class PatchUnsupported(Exception):
    """The package holds something this module does not rewrite safely; use the openpyxl path."""


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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _canon(elem: ElementTree.Element) -> tuple:
    return (_local(elem.tag), tuple(sorted((_local(k), v) for k, v in elem.attrib.items())),
            tuple(_canon(c) for c in elem))


def _parse_fragment(xml: str, prefix: str) -> ElementTree.Element:
    """An element written with ``prefix`` for the main namespace, parsed."""
    decl = f' xmlns:{prefix[:-1]}="{NS_MAIN}"' if prefix else ""
    return ElementTree.fromstring(f'<w xmlns="{NS_MAIN}"{decl}>{xml}</w>'.encode("utf-8"))[0]


