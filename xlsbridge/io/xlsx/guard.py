"""What a workbook declares and what it would expand to, checked before any parser allocates it.

The reader (python-calamine) and openpyxl allocate by what the XML says: a sheet's cells span a
rectangle (calamine allocates all of it), the shared-string table says how many strings it holds
(``uniqueCount``: reserved up front), a merged range covers rows that do not exist, a long shared
string is copied into every cell that uses it.  Each is checked here against limits a ledger never
reaches, with the XML grammar the parsers accept:

* The fast path is a byte search that counts every ``<row``/``<c`` start tag (any namespace prefix)
  and the ones written the canonical way (``r="B7"`` first, double quotes, capital letters, as Excel,
  LibreOffice and openpyxl write them).  When every tag is canonical the figures come from the
  canonical references; otherwise a real XML tokenizer (expat) reads the sheet, with quotes of
  either kind, spaces around ``=``, character references, lowercase letters and rows or cells
  without ``r`` counted the way the parsers count them (the next row, the next column).  That slow
  path is bounded: a non-canonical sheet over ``MAX_ODD_SHEET_BYTES`` is refused.
* Every figure is bounded before anything is built from it: ``_quote`` caps what a message repeats.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from ...errors import WorkbookUnusable
from .cells import column_letter

MAX_SHEET_ROWS = 200_000  # rows spanned by a read sheet's cells (Excel allows 1,048,576)
MAX_SHEET_CELLS = 2_500_000  # rows × columns spanned: calamine allocates that whole rectangle
MAX_EXCEL_ROWS, MAX_EXCEL_COLUMNS = 1_048_576, 16_384
MAX_ODD_SHEET_BYTES = 32 << 20  # a sheet not written the usual way is tokenised: at most this much
MAX_EXPANDED_TEXT = 48_000_000  # characters of shared-string text the cells of one sheet repeat
LONG_STRING = 256  # shared strings at least this long are counted cell by cell
MAX_MERGED_CELLS = 2_500_000  # cells covered by merged ranges, within the sheet's data
MAX_WORKBOOK_CELLS = 3_000_000  # cells of all sheets, for the commands that load the whole workbook
MAX_SMALL_PART_BYTES = 4 << 20  # document properties and similar parts no ledger fills
MAX_COMMENTS = 100_000  # notes (comments) in the whole workbook
MAX_QUOTE = 40  # characters of a sheet's or a part's name a message repeats


def _quote(text: str, limit: int = MAX_QUOTE) -> str:
    clean = "".join(ch if ch.isprintable() else "?" for ch in text)
    return clean if len(clean) <= limit else clean[:limit - 1] + "…"


def not_genuine(name: str, ja: str, en: str) -> WorkbookUnusable:
    return WorkbookUnusable(
        f"{name or 'この台帳'} は安全に開けないため読みません: {ja}。Excel が保存した台帳ではない可能性があります。元の台帳を Excel で保存し直したものを指定してください",
        f"{name or 'the ledger'} cannot be opened safely: {en}; it may not be a workbook saved by Excel. Give the ledger as saved by Excel",
    )


# ---------------------------------------------------------------------------------------------
# A sheet's extent
# ---------------------------------------------------------------------------------------------

_ANY_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])")
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")  # a namespace prefix on a cell or row tag
_ROW_TAG = re.compile(rb'<row r="([0-9]{1,7})"')
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]+)"')
_WIDE_COLUMN = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')  # cells from column AA on
_NARROW_COLUMN = re.compile(rb'<c r="([A-Z])[0-9]')


def _greater_than(n: int) -> str:
    """A regular expression for the numbers of as many digits as ``n`` that are greater than it."""
    digits = str(n)
    alternatives = [digits[:i] + f"[{int(d) + 1}-9]" + "[0-9]" * (len(digits) - i - 1)
                    for i, d in enumerate(digits) if d != "9"]
    return "|".join(alternatives) or "(?!)"


def _unusual_cell(last_row: int) -> re.Pattern[bytes]:
    """A cell tag that is not ``<c r="B7"`` first with a row no later than ``last_row``: without a
    reference or with another attribute first, a reference spelt another way, or a later row."""
    later = f"[0-9]{{{len(str(last_row)) + 1},}}|{_greater_than(last_row)}"
    return re.compile(('<c(?![\\w.:-])(?: r="[A-Z]{1,3}(?:' + later + ')"| r="(?![A-Z]{1,3}[0-9]{1,7}")|(?! r="))')
                      .encode())


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class Extent:
    rows: int  # the last row, 1-based
    columns: int  # the last column, 1-based
    cells: int  # cell elements


def sheet_extent(xml: bytes, name: str = "", title: str = "") -> Extent:
    """The last row and column a sheet's cells reach, as calamine and openpyxl would place them (a
    cell's own reference places it, whatever its row says).

    The usual sheet costs four byte searches: the last ``<row r="…">``, one search for any cell
    that is unusual or lies beyond that row (``_unusual_cell``), one for a namespace prefix, and the
    column letters.  ``cells`` is left 0 here (``count_cells`` counts them when needed)."""
    last_row = max(map(int, _ROW_TAG.findall(xml)), default=0)
    if b"\x00" not in xml[:64] and not _PREFIXED.search(xml):  # UTF-16 (NUL bytes) goes to the tokenizer
        if not _unusual_cell(last_row).search(xml):
            rows = last_row if b'<c r="' in xml else 0
        elif not re.search(rb'<c(?![\w.:-])(?! r="[A-Z]{1,3}[0-9]{1,7}")', xml):
            rows = max(map(int, _CELL_ROW.findall(xml)), default=0)  # usual cells, some beyond their row
        else:
            rows = -1
        if rows >= 0:
            letters = set(_WIDE_COLUMN.findall(xml)) or set(_NARROW_COLUMN.findall(xml))
            columns = max((_column_number(c.decode()) for c in letters), default=0)
            return Extent(rows, columns, 0)
    if len(xml) > MAX_ODD_SHEET_BYTES:
        raise not_genuine(name, f"シート「{_quote(title)}」が通常と異なる書き方で {len(xml) >> 20:,} MB あります",
                          f"sheet '{_quote(title)}' is written in an unusual way and is {len(xml) >> 20:,} MB")
    return _tokenised_extent(xml, name, title)


def count_cells(xml: bytes) -> int:
    if b"\x00" in xml[:64]:
        return _tokenised_extent(xml, "", "").cells if len(xml) <= MAX_ODD_SHEET_BYTES else MAX_WORKBOOK_CELLS + 1
    return len(_ANY_CELL.findall(xml)) if _PREFIXED.search(xml) else sum(
        map(xml.count, (b"<c ", b"<c>", b"<c/", b"<c\t", b"<c\n", b"<c\r")))


def _tokenised_extent(xml: bytes, name: str, title: str) -> Extent:
    """The extent from a real XML tokenizer: what the parsers see, whatever the spelling."""
    from xml.parsers import expat

    state = {"row": 0, "col": 0, "rows": 0, "columns": 0, "cells": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local == "row":
            ref = attrs.get("r")
            number = int(ref) if ref is not None and ref.strip().isdigit() and len(ref.strip()) <= 8 else None
            state["row"] = number if number is not None else state["row"] + 1
            if ref is not None and number is None:
                state["row"] = MAX_EXCEL_ROWS + 1  # an r the parsers cannot place: treat as far
            state["col"] = 0
        elif local == "c":
            state["cells"] += 1
            ref = attrs.get("r")
            m = re.fullmatch(r"\s*([A-Za-z]{1,4})([0-9]{1,8})\s*", ref) if ref is not None else None
            if m:  # the cell's own reference places it (calamine), whatever its row says
                state["col"] = _column_number(m.group(1))
                state["rows"] = max(state["rows"], int(m.group(2)))
            elif ref is not None:
                state["col"] = MAX_EXCEL_COLUMNS + 1
            else:  # no reference: the next column of the current row
                state["col"] += 1
                state["rows"] = max(state["rows"], state["row"])
            state["columns"] = max(state["columns"], state["col"])

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        for i in range(0, len(xml), 1 << 20):
            parser.Parse(xml[i:i + (1 << 20)], False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise WorkbookUnusable(
            f"{name} のシート「{_quote(title)}」は壊れていて読めません（XML の誤り）。Excel で開けるか確認し、開けたら保存し直してください",
            f"sheet '{_quote(title)}' of {name} is damaged and cannot be read (bad XML); check that Excel opens it "
            "and save it again",
        ) from None
    return Extent(state["rows"], state["columns"], state["cells"])


def check_extent(extent: Extent, name: str, title: str) -> None:
    if extent.cells > MAX_SHEET_CELLS:
        raise WorkbookUnusable(
            f"{name} のシート「{_quote(title)}」はセルが {extent.cells:,} 個あり大きすぎます（読める上限は {MAX_SHEET_CELLS:,} セル）。"
            "不要な行・列を削除し、保存し直してください",
            f"sheet '{_quote(title)}' of {name} holds {extent.cells:,} cells, too many (the limit is {MAX_SHEET_CELLS:,}); "
            "delete the rows and columns not needed and save it again",
        )
    rows, columns = extent.rows, extent.columns
    if rows > MAX_SHEET_ROWS or columns > MAX_EXCEL_COLUMNS or rows * columns > MAX_SHEET_CELLS:
        shown_rows, shown_columns = min(rows, MAX_EXCEL_ROWS), min(columns, MAX_EXCEL_COLUMNS)
        last = f"{column_letter(max(shown_columns, 1) - 1)}{shown_rows}"
        raise WorkbookUnusable(
            f"{name} のシート「{_quote(title)}」はデータが {last} まで広がっていて大きすぎます（{shown_rows:,} 行 × {shown_columns:,} 列。"
            f"読める上限は {MAX_SHEET_ROWS:,} 行・{MAX_SHEET_CELLS:,} セル）。"
            "最後の行・列へ移動（Ctrl+End）して不要な行・列を削除し、保存し直してください",
            f"sheet '{_quote(title)}' of {name} spreads to {last}, too large ({shown_rows:,} rows × {shown_columns:,} columns; "
            f"the limit is {MAX_SHEET_ROWS:,} rows and {MAX_SHEET_CELLS:,} cells); go to the last cell (Ctrl+End), delete "
            "the rows and columns not needed, and save it again",
        )


# ---------------------------------------------------------------------------------------------
# Shared strings: the declared counts, and the text cells repeat
# ---------------------------------------------------------------------------------------------

SHARED_STRINGS = "xl/sharedStrings.xml"
_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
_SI_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?si>|<(?:[A-Za-z_][\w.-]*:)?si(?:\s[^>]*)?/>")
_V_NUMBER = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>\s*([0-9]{1,10})\s*<")
_V_ODD = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>[^<]*&")


def _root_attributes(xml: bytes) -> dict[str, str]:
    """The attributes of the document element, read by expat from the part's first bytes."""
    from xml.parsers import expat

    found: dict[str, str] = {}

    class _Done(Exception):
        pass

    def start(tag: str, attrs: dict[str, str]) -> None:
        found.update(attrs)
        raise _Done

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        parser.Parse(xml[:1 << 16], False)
    except (_Done, expat.ExpatError):
        pass
    return found


@dataclass
class SharedStrings:
    count: int  # strings present
    long: dict[int, int]  # index -> upper bound of its length, for the long ones


def check_shared_strings(xml: bytes, name: str) -> SharedStrings:
    """Refuse declared counts beyond what the part can hold (calamine reserves ``uniqueCount``
    entries before reading one), and note the long strings for ``check_expanded_text``."""
    declared = _root_attributes(xml)
    starts = [m.start() for m in _SI.finditer(xml)]
    present = len(starts)
    for attr in ("uniqueCount", "count"):
        raw = declared.get(attr)
        if raw is None:
            continue
        value = raw.strip()
        limit = present + 16 if attr == "uniqueCount" else MAX_WORKBOOK_CELLS * 8
        if not value.isdigit() or int(value[:20]) > limit:
            raise not_genuine(name, f"共有文字列の表が {attr}=\"{_quote(value, 20)}\" と宣言していますが、{present:,} 個しかありません",
                              f"the shared-string table declares {attr}=\"{_quote(value, 20)}\" but holds {present:,}")
    long: dict[int, int] = {}
    ends = starts[1:] + [len(xml)]
    for index, (a, b) in enumerate(zip(starts, ends)):
        if b - a >= LONG_STRING:  # bytes of the element: an upper bound of its text's length
            long[index] = b - a
    return SharedStrings(present, long)


def check_expanded_text(xml: bytes, strings: SharedStrings, name: str, title: str) -> None:
    """Refuse a sheet whose cells would repeat more than MAX_EXPANDED_TEXT characters of long
    shared strings (one 32,000-character string in 5,100 cells is 163 million characters)."""
    if not strings.long:
        return
    if _V_ODD.search(xml):  # a value spelt with character references: count every cell as the longest
        total = len(_ANY_CELL.findall(xml)) * max(strings.long.values())
    else:
        total = 0
        for m in _V_NUMBER.finditer(xml):  # numbers too: an overcount, never an undercount
            total += strings.long.get(int(m.group(1)), 0)
            if total > MAX_EXPANDED_TEXT:
                break
    if total > MAX_EXPANDED_TEXT:
        raise not_genuine(name, f"シート「{_quote(title)}」のセルが長い文字列を繰り返し、展開すると {MAX_EXPANDED_TEXT:,} 文字を超えます",
                          f"the cells of sheet '{_quote(title)}' repeat long strings, more than {MAX_EXPANDED_TEXT:,} "
                          "characters expanded")


# ---------------------------------------------------------------------------------------------
# Merged ranges
# ---------------------------------------------------------------------------------------------

def clip_merges(merged: list[tuple[tuple[int, int], tuple[int, int]]], data_rows: int, name: str,
                title: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Merged ranges (0-based, inclusive) cut to the rows that hold data; refuse when they still
    cover more than MAX_MERGED_CELLS cells (a range to row 1,048,576 covers no more than the data)."""
    clipped, covered = [], 0
    for (r0, c0), (r1, c1) in merged:
        if r0 >= data_rows:
            continue
        r1 = min(r1, data_rows - 1)
        c1 = min(c1, MAX_EXCEL_COLUMNS - 1)
        covered += (r1 - r0 + 1) * (c1 - c0 + 1)
        if covered > MAX_MERGED_CELLS:
            raise not_genuine(name, f"シート「{_quote(title)}」の結合セルが {MAX_MERGED_CELLS:,} セルを超えます",
                              f"the merged cells of sheet '{_quote(title)}' cover more than {MAX_MERGED_CELLS:,} cells")
        clipped.append(((r0, c0), (r1, c1)))
    return clipped


# ---------------------------------------------------------------------------------------------
# Loading the whole workbook with openpyxl (annotate, plan into the ledger, report --sheet, upgrade)
# ---------------------------------------------------------------------------------------------

_COMMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?comment[\s>]")
_MERGE_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell[\s/>]")
_MERGE_REF = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref\s*=\s*["']\s*\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"""
                        rb"""(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?\s*["']""")


def merged_cells(xml: bytes) -> int:
    """Cells covered by a sheet's merged ranges, whole (openpyxl makes an object for each); a merge
    whose reference cannot be read counts as the whole sheet."""
    tags = len(_MERGE_TAG.findall(xml)) if b"mergeCell" in xml else 0
    if not tags:
        return 0
    refs = _MERGE_REF.findall(xml)
    if len(refs) != tags:
        return MAX_EXCEL_ROWS * MAX_EXCEL_COLUMNS
    total = 0
    for c0, r0, c1, r1 in refs:
        c1, r1 = c1 or c0, r1 or r0
        rows = abs(int(r1) - int(r0)) + 1
        columns = abs(_column_number(c1.decode()) - _column_number(c0.decode())) + 1
        total += rows * columns
    return total


def _comments(xml: bytes) -> int:
    if b":comment" in xml:
        return len(_COMMENT.findall(xml))
    return xml.count(b"<comment ") + xml.count(b"<comment>")
_SMALL_PARTS = re.compile(r"^(?:docProps/|customXml/|xl/(?:styles|theme/|calcChain|persons/))", re.IGNORECASE)


def check_whole_workbook(zf: zipfile.ZipFile, name: str) -> None:
    """The limits the reader applies, over every sheet (連絡先 too: openpyxl loads them all), plus the
    parts only openpyxl reads: document properties, notes, styles."""
    total_cells, comments, merged = 0, 0, 0
    strings = None
    names = zf.namelist()
    if SHARED_STRINGS in names:
        strings = check_shared_strings(zf.read(SHARED_STRINGS), name)
    for part in names:
        info = zf.getinfo(part)
        if _SMALL_PARTS.match(part) and info.file_size > MAX_SMALL_PART_BYTES:
            raise not_genuine(name, f"部品 {_quote(part)} が {info.file_size >> 20:,} MB あります（通常は数 KB）",
                              f"part {_quote(part)} is {info.file_size >> 20:,} MB (normally a few KB)")
        if part.startswith("xl/worksheets/") and part.endswith(".xml"):
            xml = zf.read(part)
            extent = sheet_extent(xml, name, part)
            extent.cells = extent.cells or count_cells(xml)
            check_extent(extent, name, part)
            if strings is not None:
                check_expanded_text(xml, strings, name, part)
            total_cells += extent.cells
            merged += merged_cells(xml)
            if merged > MAX_MERGED_CELLS:
                raise not_genuine(name, f"結合セルがブック全体で {MAX_MERGED_CELLS:,} セルを超えます（シート部品 {_quote(part)}）",
                                  f"merged ranges cover more than {MAX_MERGED_CELLS:,} cells (sheet part {_quote(part)})")
        elif part.startswith("xl/comments") and part.endswith(".xml"):
            if zf.getinfo(part).file_size > MAX_COMMENTS * 400:  # more bytes than the notes allowed can take
                comments = MAX_COMMENTS + 1
            else:
                comments += _comments(zf.read(part))
        if total_cells > MAX_WORKBOOK_CELLS or comments > MAX_COMMENTS:
            what = (f"セルが {MAX_WORKBOOK_CELLS:,} 個", f"more than {MAX_WORKBOOK_CELLS:,} cells") \
                if total_cells > MAX_WORKBOOK_CELLS else (f"メモ（コメント）が {MAX_COMMENTS:,} 個", f"more than {MAX_COMMENTS:,} notes")
            raise not_genuine(name, f"ブック全体で{what[0]}を超えます", f"the workbook holds {what[1]}")
