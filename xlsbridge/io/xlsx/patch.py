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

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence
from xml.etree import ElementTree

from .cells import column_index, column_letters, quote_sheet
from .xmltext import (
    _append_items,
    _ATTRS,
    _find_block,
    _items,
    _root_prefix,
    _set_attr,
    attrs_of,
    CT_WORKSHEET,
    decode_cell_text,
    escape,
    NS_DOC_REL,
    NS_MAIN,
    PatchUnsupported,
    REL_CALC_CHAIN,
    REL_SHARED_STRINGS,
    REL_STYLES,
    REL_TABLE,
    REL_WORKSHEET,
)
from .styles import _Styles
from .rels import _parse_rels, _Rel, rels_part, workbook_part
from .sheet_cells import _ANY_FORMULA, CellChange, MAX_CHANGES_KEPT
from .sheet_stream import _ref_bounds, _SheetEdit, _SheetWriter, CHUNK, PatchResult
from .generated import _Generated, _generated_sheet_xml
from .zip_out import PackageOut


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


# zlib level of the parts written: zlib's default.  Level 1 deflates a 50,000-visit 面会記録 (80 MB of
# XML) three times as fast (0.9 s -> 0.3 s) but makes the ledger 45 % larger (10.3 -> 14.8 MB), and every
# backup with it; on OneDrive and in xlsbridge_backup/ the size is paid every day, the 0.6 s once a run.
COMPRESS_LEVEL = 6

_RELATIONSHIP = re.compile(r"<(?:[\w.-]+:)?Relationship(?=[\s/>])" + _ATTRS + r"/?>")
_OVERRIDE = re.compile(r"<(?:[\w.-]+:)?Override(?=[\s/>])" + _ATTRS + r"/?>")


class XlsxPatch:
    """Edits to one .xlsx package, applied by ``save`` in a single pass over its zip parts."""

    CONTENT_TYPES = "[Content_Types].xml"

    def __init__(self, data: bytes):
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            self._data = data  # the unchanged parts are copied from it by zip_out's own reader
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
        part = workbook_part(self._member, self.text)
        if part is None:
            raise PatchUnsupported("no workbook part")
        return part

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
                  values: Callable[[int], Sequence[Any]], *, headers: Mapping[int, str] | None = None,
                  number_format: Callable[[Any], str | None] | None = None) -> None:
        """Write ``values(row)`` (one value per column of ``columns``, 1-based) into each row of ``rows``
        (ascending) of sheet ``title``.  A value may be ``Formatted``; None clears the cell.
        ``headers`` are row-1 header cells of added columns; an Excel table whose right edge is just
        left of an added column grows over it.  ``number_format``: the format a value is shown with
        (None: the cell's own), a function of the value's type only (it is asked once per type)."""
        rows = list(rows)
        if any(b <= a for a, b in zip(rows, rows[1:])):
            raise ValueError("rows must be ascending and unique")
        part = self.sheet_part(title)
        self._edits[part.lower()] = _SheetEdit(title, list(columns), rows, values, dict(headers or {}), number_format)
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
            from ..print_setup import print_names

            self._shift_indexes(dropped=index, keep=("_xlnm._FilterDatabase", *print_names(sheet.name)))
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
                book = book[:item.start] + element + book[item.end:]  # kept at its place
                element = ""
                break
        if element:
            book = self._add_defined_name(book, element)
        self._set_text(self.workbook_part, self._add_print_names(book, sheet, index))

    def _add_print_names(self, book: str, sheet: _Generated, index: int) -> str:
        """The sheet's repeated header rows and print area (io/print_setup.py) as its defined names;
        a sheet drawn again lost its old ones in _shift_indexes."""
        from ..print_setup import print_area, print_titles, setup_for

        p = self._book_prefix
        setup = setup_for(sheet.name)
        quoted = quote_sheet(sheet.name)
        for name, value in (("_xlnm.Print_Titles", print_titles(setup, quoted)),
                            ("_xlnm.Print_Area", print_area(setup, quoted, len(sheet.rows) + 2))):
            if value is None:
                continue
            element = f'<{p}definedName name="{name}" localSheetId="{index}">{escape(value)}</{p}definedName>'
            block = _find_block(book, p, "definedNames")
            items = _items(book, p, "definedName", block) if block is not None and not block.self_closing else []
            same = next((i for i in items if attrs_of(i.tag).get("name") == name
                         and attrs_of(i.tag).get("localSheetId") == str(index)), None)
            # kept at its place when drawn again (_shift_indexes keeps the names the setup sets), so a
            # second run gives the same package
            book = book[:same.start] + element + book[same.end:] if same is not None else self._add_defined_name(book, element)
        return book

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

    def _shift_indexes(self, inserted: int | None = None, dropped: int | None = None,
                       keep: tuple[str, ...] | None = None) -> None:
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
                    # the sheet's print area, titles…; its filter range (and the print names its
                    # setup sets, io/print_setup.py) are set again, in place, by the caller
                    text = text if attrs_of(item.tag).get("name") in (keep or ("_xlnm._FilterDatabase",)) else ""
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
        with PackageOut(out, self._data) as zout:  # deflated on a worker thread (zip_out.py)
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
                info._compresslevel = COMPRESS_LEVEL
                self._write_new(zout, info, payload)
        return PatchResult(out.getvalue(), self._changed, list(self._changes))

    @staticmethod
    def _write_new(zout: PackageOut, info: zipfile.ZipInfo, payload: bytes | Callable[[], Iterator[bytes]]) -> None:
        if isinstance(payload, bytes):
            zout.writestr(info, payload)
            return
        with zout.open(info) as dst:
            for chunk in payload():
                dst.write(chunk)

    def _write_part(self, zout: PackageOut, info: zipfile.ZipInfo, key: str, style_part: str | None) -> None:
        if info.filename in self._new:  # a generated sheet drawn again in its part
            self._write_new(zout, self._copy_info(info), self._new[info.filename])
        elif key == style_part and self._style_obj is not None and self._style_obj.changed:
            zout.writestr(self._copy_info(info), self._style_obj.xml.encode("utf-8"))
        elif key in self._dirty:
            zout.writestr(self._copy_info(info), self._text[key].encode("utf-8"))
        elif (edit := self._edits.get(key)) is not None:
            with self.zf.open(info) as src, zout.open(self._copy_info(info)) as dst:
                _SheetWriter(self, edit, info.filename).run(src, dst)
        else:
            zout.copy(self._copy_info(info), info)

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
        copy._compresslevel = COMPRESS_LEVEL  # zipfile's own attribute (3.13 calls it compress_level too)
        return copy

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> "XlsxPatch":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["CellChange", "PatchResult", "PatchUnsupported", "XlsxPatch", "column_letters"]
