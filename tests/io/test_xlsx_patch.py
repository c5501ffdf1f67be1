"""io/xlsx (the patcher): writing cells and generated sheets into a ledger package without an openpyxl round trip.

Every output is checked the ways Excel's strictness is approximated here: openpyxl loads it and reads
back what was set (values and styles), python-calamine reads it, LibreOffice converts it to PDF, and
every zip part the patch did not mean to change is byte-identical to the input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine

from xlsbridge.domain.layout import FEE_COLUMNS, FEE_SUMMARY_SHEET, FLAGS_SHEET, VISITS
from xlsbridge.io.report_sheets import ReportColumn
from xlsbridge.io.xlsx import Formatted, PatchUnsupported, XlsxPatch
from xlsbridge.io.xlsx.cells import excel_serial

SAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "案件台帳サンプル.xlsx"
AS_OF = dt.date(2026, 3, 1)
VISITS_PART = "xl/worksheets/sheet5.xml"  # 面会記録 in the shipped sample
YEN, DAY = "#,##0", "yyyy/m/d"


@pytest.fixture(scope="module")
def sample() -> bytes:
    return SAMPLE.read_bytes()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def patched(data: bytes, title: str, columns, rows, values, **kwargs):
    with XlsxPatch(data) as patch:
        patch.set_cells(title, columns, rows, values, **kwargs)
        return patch.save()


def load(data: bytes, **kwargs) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), **kwargs)


def calamine_rows(data: bytes, title: str) -> list[list]:
    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        return wb.get_sheet_by_name(title).to_python(skip_empty_area=False)
    finally:
        wb.close()


def row_xml(data: bytes, part: str, row: int) -> bytes:
    xml = parts(data)[part]
    start = xml.index(b'<row r="%d"' % row)
    return xml[start:xml.index(b"</row>", start) + 6]


# ------------------------------------------------------------------------------------------------
# Cells
# ------------------------------------------------------------------------------------------------

def test_values_are_written_with_their_type_and_the_column_style(sample):
    # T..W, AC, AE of row 2 (V-00001) are empty in the sample; the template styles those columns.
    result = patched(sample, "面会記録", [20, 21, 29, 31], [2],
                     lambda r: [Formatted(8500, YEN), 12.5, Formatted(dt.date(2024, 4, 1), DAY), "内訳 & <注>"])
    ws = load(result.payload)["面会記録"]
    assert (ws["T2"].value, ws["U2"].value, ws["AC2"].value, ws["AE2"].value) == (
        8500, 12.5, dt.datetime(2024, 4, 1), "内訳 & <注>")
    assert (ws["T2"].number_format, ws["AC2"].number_format) == (YEN, DAY)
    # the grey fill of the computed columns comes from their <col style=…> (13, 14, 15 in the sample)
    assert {ws[a].fill.fgColor.rgb for a in ("T2", "U2", "AC2", "AE2")} == {"00D9D9D9"}
    xml = row_xml(result.payload, VISITS_PART, 2)
    # 2024-04-01 is serial 45383: 2024-01-01 is 45292, + 31 (Jan) + 29 (Feb) + 31 (Mar)
    assert b'<c r="AC2" s="14"><v>45383</v></c>' in xml
    assert b'<c r="T2" s="13"><v>8500</v></c>' in xml
    assert '<c r="AE2" s="15" t="inlineStr"><is><t>内訳 &amp; &lt;注&gt;</t></is></c>'.encode() in xml
    assert calamine_rows(result.payload, "面会記録")[1][19:31:] == [8500.0, 12.5, "", "", "", "", "", "", "",
                                                                  dt.date(2024, 4, 1), "", "内訳 & <注>"]
    assert (result.changed, [c.address for c in result.changes]) == (
        4, ["面会記録!T2", "面会記録!U2", "面会記録!AC2", "面会記録!AE2"])


def test_text_is_never_a_formula_and_odd_characters_survive(sample):
    texts = ["=HYPERLINK(\"x\")", "a\x07b", "_x0041_ literal", "  spaced\nlines", "\r"]
    result = patched(sample, "面会記録", [20, 21, 22, 23, 24], [3], lambda r: texts)
    xml = row_xml(result.payload, VISITS_PART, 3)
    assert b"<f" not in xml
    assert all(re.search(rb'<c r="%s3" s="13" t="inlineStr">' % ref, xml) for ref in (b"T", b"U", b"V", b"W", b"X"))
    assert [c.data_type for c in load(result.payload)["面会記録"][3][19:24]] == ["s"] * 5
    # Excel's _xHHHH_ escapes: a control character, and a literal "_x0041_" kept literal (_x005F_ = "_")
    assert b"a_x0007_b" in xml and b"_x005F_x0041_ literal" in xml and b"_x000D_" in xml
    assert calamine_rows(result.payload, "面会記録")[2][19:24] == texts


def test_an_existing_cell_keeps_its_style_and_new_cells_go_in_column_order(sample):
    # row 5 holds A..G, J..M, P..R: H, I, N, O and S are missing; R5 (父入金日) has style 5 (a date)
    before = row_xml(sample, VISITS_PART, 5)
    result = patched(sample, "面会記録", [8, 14, 18, 19, 20], [5],
                     lambda r: [60, dt.date(2024, 5, 1), Formatted(dt.date(2024, 5, 2), DAY), "x", None])
    after = row_xml(result.payload, VISITS_PART, 5)
    refs = re.findall(rb'<c r="([A-Z]+)5"', after)
    assert refs == [b"A", b"B", b"C", b"D", b"E", b"F", b"G", b"H", b"J", b"K", b"L", b"M", b"N", b"P", b"Q",
                    b"R", b"S"]
    assert b'<c r="R5" s="5"><v>45414</v></c>' in after  # 2024-05-02: 45383 + 30 (April) + 1; s=5 shows yyyy/m/d
    assert b'<c r="N5" s="12"><v>45413</v></c>' in after  # no format asked: N's <col style="12"> (a date-time)
    assert b'<c r="H5"><v>60</v></c>' in after  # no column style, no format asked for
    # every cell not written is the same bytes as before
    for ref in (b"A5", b"F5", b"Q5"):
        pattern = re.compile(rb'<c r="' + ref + rb'".*?</c>')
        assert pattern.search(after).group() == pattern.search(before).group()
    ws = load(result.payload)["面会記録"]
    assert (ws["N5"].number_format, ws["R5"].number_format) == ("yyyy/m/d h:mm", DAY)


def test_a_format_a_cell_lacks_gets_a_style_made_from_its_own(sample):
    # G (子ども人数) has no column style; asking for yen clones xf 0 with #,##0 (numFmtId 3)
    first = patched(sample, "面会記録", [7], [2, 3], lambda r: [Formatted(r, YEN)])
    ws = load(first.payload)["面会記録"]
    assert (ws["G2"].value, ws["G2"].number_format, ws["G3"].number_format) == (2, YEN, YEN)
    s2 = re.search(rb'<c r="G2" s="(\d+)"', row_xml(first.payload, VISITS_PART, 2)).group(1)
    s3 = re.search(rb'<c r="G3" s="(\d+)"', row_xml(first.payload, VISITS_PART, 3)).group(1)
    assert s2 == s3  # one new style for both cells
    again = patched(first.payload, "面会記録", [7], [2, 3], lambda r: [Formatted(r, YEN)])
    assert again.changed == 0 and parts(again.payload)["xl/styles.xml"] == parts(first.payload)["xl/styles.xml"]


def test_rows_are_streamed_only_changed_rows_differ(sample):
    result = patched(sample, "面会記録", [20], [7], lambda r: [Formatted(4500, YEN)])
    old, new = parts(sample)[VISITS_PART], parts(result.payload)[VISITS_PART]
    # the sheet differs from the input by row 7 only (its cell T7 added; the dimension already covers it)
    assert new == old.replace(row_xml(sample, VISITS_PART, 7), row_xml(result.payload, VISITS_PART, 7))


def test_missing_rows_are_created_and_the_dimension_grows(sample):
    result = patched(sample, "面会記録", [20], [600, 601], lambda r: [Formatted(r, YEN)])
    ws = load(result.payload)["面会記録"]
    assert (ws["T600"].value, ws["T601"].value) == (600, 601)
    assert b'<dimension ref="A1:AG601"/>' in parts(result.payload)[VISITS_PART]


def test_clearing_a_value_keeps_the_styled_cell(sample):
    first = patched(sample, "面会記録", [20], [2], lambda r: [Formatted(100, YEN)])
    cleared = patched(first.payload, "面会記録", [20], [2], lambda r: [None])
    assert b'<c r="T2" s="13"/>' in row_xml(cleared.payload, VISITS_PART, 2)
    assert [(c.address, c.old, c.new) for c in cleared.changes] == [("面会記録!T2", 100, None)]


def test_rows_and_cells_without_r_and_a_prefixed_namespace():
    """Other writers may prefix the main namespace (x:) and leave r="" off rows and cells."""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>h</x:t></x:is></x:c></x:row>'
             '<x:row><x:c><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    data = _package(sheet)
    result = patched(data, "S", [2, 3], [2], lambda r: [20, 30])
    xml = parts(result.payload)["xl/worksheets/sheet1.xml"].decode()
    # row 2 is the second row (no r=""), B2 its second cell: rewritten; C2 added after it
    assert '<x:c r="B2"><x:v>20</x:v></x:c><x:c r="C2"><x:v>30</x:v></x:c></x:row>' in xml
    assert [c.value for c in load(result.payload)["S"][2]] == [1, 20, 30]


def _package(sheet_xml: str, *, workbook_pr: str = "") -> bytes:
    """A minimal package with one sheet named S (and no styles beyond one)."""
    files = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>",
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{workbook_pr}'
        '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>",
        "xl/styles.xml": '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border/></borders><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellXfs>'
        "</styleSheet>",
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return out.getvalue()


def test_old_text_from_shared_strings_as_excel_writes_them():
    """Excel keeps text in sharedStrings.xml: rich-text runs, and furigana (rPh) that is not the text."""
    sst = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">'
           "<si><t>基本</t></si>"
           "<si><r><t>内</t></r><r><rPr><b/></rPr><t>訳</t></r><rPh sb=\"0\" eb=\"2\"><t>ウチワケ</t></rPh></si></sst>")
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row></sheetData></worksheet>')
    data = _with_sst(_package(sheet), sst)
    result = patched(data, "S", [1, 2], [1], lambda r: ["基本", "内訳 2"])
    assert [(c.address, c.old, c.new) for c in result.changes] == [("S!B1", "内訳", "内訳 2")]
    xml = parts(result.payload)["xl/worksheets/sheet1.xml"]
    assert b'<c r="A1" t="s"><v>0</v></c>' in xml  # unchanged: kept as it was
    assert [c.value for c in load(result.payload)["S"][1]] == ["基本", "内訳 2"]


def _with_sst(data: bytes, sst: str) -> bytes:
    src = parts(data)
    src["xl/sharedStrings.xml"] = sst.encode()
    src["xl/_rels/workbook.xml.rels"] = src["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    src["[Content_Types].xml"] = src["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in src.items():
            zf.writestr(name, payload)
    return out.getvalue()


def test_the_1904_date_system():
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>')
    data = _package(sheet, workbook_pr='<workbookPr date1904="1"/>')
    result = patched(data, "S", [1], [1], lambda r: [Formatted(dt.date(2024, 4, 1), DAY)])
    # 1904 system: days since 1904-01-01 = 45383 - 1462 (the two systems are 1,462 days apart)
    assert b"<v>43921</v>" in parts(result.payload)["xl/worksheets/sheet1.xml"]
    assert load(result.payload)["S"]["A1"].value == dt.datetime(2024, 4, 1)
    assert excel_serial(dt.date(2024, 4, 1), True) == 43921


def test_what_the_patcher_cannot_rewrite_safely_is_refused():
    commented = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                 '<row r="1"><!-- </row> --><c r="A1"><v>1</v></c></row></sheetData></worksheet>')
    with pytest.raises(PatchUnsupported):
        patched(_package(commented), "S", [1], [1], lambda r: [2])
    cdata = commented.replace("<!-- </row> -->", "").replace("<v>1</v>", "<is><t><![CDATA[<x>]]></t></is>")
    with pytest.raises(PatchUnsupported):
        patched(_package(cdata), "S", [1], [1], lambda r: [2])


def test_a_shared_formula_whose_master_is_overwritten_is_spelled_out_in_its_dependents():
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>2</v></c></row>'
             '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
             '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>6</v></c></row>'
             "</sheetData></worksheet>")
    result = patched(_package(sheet), "S", [2], [1], lambda r: [99])
    ws = load(result.payload)["S"]
    assert (ws["B1"].value, ws["B2"].value, ws["B3"].value) == (99, "=A2*2", "=A3*2")
    assert (result.changes[0].old, result.changes[0].new) == ("=A1*2", 99)


def test_the_calculation_chain_goes_when_a_listed_formula_cell_is_overwritten(sample):
    data = _with_parts(sample, {"xl/calcChain.xml": '<calcChain xmlns="http://schemas.openxmlformats.org/'
                                                    'spreadsheetml/2006/main"><c r="T2" i="5"/></calcChain>'},
                       rel=("http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain",
                            "calcChain.xml"))
    untouched = patched(data, "面会記録", [20], [3], lambda r: [1])
    assert "xl/calcChain.xml" in parts(untouched.payload)  # T3 is not in the chain
    dropped = patched(data, "面会記録", [20], [2], lambda r: [1])
    out = parts(dropped.payload)
    assert "xl/calcChain.xml" not in out and b"calcChain" not in out["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in out["[Content_Types].xml"]
    load(dropped.payload)


def _with_parts(data: bytes, extra: dict[str, str], *, rel: tuple[str, str] | None = None) -> bytes:
    src = parts(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in src.items():
            if rel and name == "xl/_rels/workbook.xml.rels":
                payload = payload.replace(b"</Relationships>", f'<Relationship Id="rIdX" Type="{rel[0]}" '
                                                               f'Target="{rel[1]}"/></Relationships>'.encode())
            if name == "[Content_Types].xml":
                payload = payload.replace(b"</Types>", b"".join(
                    f'<Override PartName="/{n}" ContentType="application/xml"/>'.encode() for n in extra) + b"</Types>")
            zf.writestr(name, payload)
        for name, text in extra.items():
            zf.writestr(name, text)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------
# Added columns, tables
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def without_computed_columns(sample) -> bytes:
    """The sample as an older ledger: 面会記録 without its 12 computed columns (T..AE) in cells or table."""
    wb = load(sample)
    ws = wb["面会記録"]
    ws.delete_cols(20, 14)  # the 12 computed columns and 1.1's 大人追加(人) / 実費(円) after them
    table = ws.tables["面会記録表"]
    table.ref = table.autoFilter.ref = f"A1:S{ws.max_row}"
    del table.tableColumns[19:]
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_headers_of_added_columns_and_the_table_grows_over_them(without_computed_columns):
    data = without_computed_columns
    with XlsxPatch(data) as patch:
        free = patch.free_column("面会記録")
        assert free == 20  # A..S hold the 19 input columns
        patch.set_cells("面会記録", [20, 21], [2], lambda r: [Formatted(8500, YEN), "memo"],
                        headers={20: "基本料金", 21: "内訳"})
        result = patch.save()
    ws = load(result.payload)["面会記録"]
    table = ws.tables["面会記録表"]
    assert (table.ref, table.autoFilter.ref) == ("A1:U484", "A1:U484")
    assert [c.name for c in table.tableColumns][-3:] == ["母入金日", "基本料金", "内訳"]
    assert [c.id for c in table.tableColumns][-2:] == [20, 21]
    assert (ws["T1"].value, ws["U1"].value, ws["T2"].value, ws["U2"].value) == ("基本料金", "内訳", 8500, "memo")
    assert ws["T1"].fill.fgColor.rgb == ws["S1"].fill.fgColor.rgb  # a header looks like its neighbour
    assert b'<dimension ref="A1:U484"/>' in parts(result.payload)[VISITS_PART]
    assert [c.address for c in result.changes] == ["面会記録!T2", "面会記録!U2"]  # headers are not changes


def test_fees_on_an_older_ledger_fill_the_added_columns(without_computed_columns, tmp_path):
    from xlsbridge.io.reader import read_ledger
    from xlsbridge.services.fees import compute_fees, fees_workbook

    path = tmp_path / "old.xlsx"
    path.write_bytes(without_computed_columns)
    written = fees_workbook(without_computed_columns, compute_fees(read_ledger(path), AS_OF))
    path.write_bytes(written.payload)
    again = read_ledger(path)
    assert {spec.key: again.cells.column(VISITS.name, spec.key) for spec in FEE_COLUMNS}["fee.base"] == 19  # T
    ws = load(written.payload)["面会記録"]
    assert [ws.cell(1, c).value for c in range(20, 32)] == [spec.header for spec in FEE_COLUMNS]
    assert ws.tables["面会記録表"].ref == "A1:AE484"
    # V-00001: accompanied, 2 children → 8,500 + 4,250 = 12,750 (tests/cli/test_fees_cli.py)
    assert (ws["T2"].value, ws["U2"].value, ws["Z2"].value) == (8500, 4250, 12750)


# ------------------------------------------------------------------------------------------------
# Generated sheets
# ------------------------------------------------------------------------------------------------

COLUMNS = [ReportColumn("区分", 10), ReportColumn("金額", 11, YEN), ReportColumn("期日", 12, DAY)]
ROWS = [["合計", 1500, dt.date(2026, 3, 5)], ["=1+1", None, None]]


def test_a_generated_sheet_is_drawn_like_report_sheets_draws_it(sample):
    with XlsxPatch(sample) as patch:
        patch.replace_sheet(FEE_SUMMARY_SHEET, note="メモ", columns=COLUMNS, rows=ROWS, after="面会記録")
        result = patch.save()
    wb = load(result.payload)
    assert wb.sheetnames.index(FEE_SUMMARY_SHEET) == wb.sheetnames.index("面会記録") + 1
    ws = wb[FEE_SUMMARY_SHEET]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["メモ", None, None], ["区分", "金額", "期日"], ["合計", 1500, dt.datetime(2026, 3, 5)], ["=1+1", None, None]]
    assert ws["A4"].data_type == "s"  # text, not a formula
    assert (ws["A1"].font.sz, ws["A1"].font.color.rgb) == (9, "FF666666")
    head = ws["B2"]
    assert head.font.b and head.fill.fgColor.rgb == "FFDDEBF7" and head.alignment.horizontal == "center"
    assert head.alignment.wrap_text
    assert (ws["B3"].number_format, ws["C3"].number_format) == (YEN, DAY)
    assert (ws.freeze_panes, ws.auto_filter.ref) == ("A3", "A2:C4")
    assert [ws.column_dimensions[c].width for c in "ABC"] == [10, 11, 12]
    # sheet-scoped names of the sheets after the new one moved with them
    assert wb["支援員"].print_title_rows == "$1:$1" and wb["面会記録"].print_title_rows == "$1:$1"
    assert calamine_rows(result.payload, FEE_SUMMARY_SHEET)[2] == ["合計", 1500.0, dt.date(2026, 3, 5)]


def test_generated_cells_keep_their_style_whatever_row_they_are_on(sample):
    """A generated sheet's whole numbers and texts are written from per-column templates: each cell
    still gets its column's format, the overdue fill below zero (a float too) and wrapping, and the
    same text on many rows (the scope, a case) stays itself, escaped and spaced as written."""
    columns = [ReportColumn("区分", 10), ReportColumn("残り日数", 8, "0", negative_fill="FFC7CE"),
               ReportColumn("対応", 30, wrap=True), ReportColumn("金額", 11, YEN)]
    rows = [["ケース別", 3, " 連絡 & <確認>", 1500], ["ケース別", -2, "連絡", -300], ["月別", -0.5, None, True],
            ["ケース別", 0, " 連絡 & <確認>", 0], [None, -2, "連絡", 2.5]]
    with XlsxPatch(sample) as patch:
        patch.replace_sheet("期限・年齢", note="メモ", columns=columns, rows=rows)
        result = patch.save()
    ws = load(result.payload)["期限・年齢"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=3)] == rows
    red = [[ws.cell(r, 2).fill.fgColor.rgb == "FFFFC7CE" for r in range(3, 8)]]
    assert red == [[False, True, True, False, True]]  # -2, -0.5 and -2 are overdue
    assert {ws.cell(r, 2).number_format for r in range(3, 8)} == {"0"}
    assert all(ws.cell(r, 3).alignment.wrap_text for r in (3, 4, 6, 7))
    assert [ws.cell(r, 4).number_format for r in range(3, 8)] == [YEN, YEN, YEN, YEN, YEN]
    assert ws["C6"].value == " 連絡 & <確認>" and ws["A6"].number_format == "General"


def test_only_the_parts_the_patch_means_to_change_change(sample, tmp_path):
    """fees on the sample: 面会記録, 料金集計 (new) and the parts registering it and its styles."""
    from xlsbridge.io.reader import read_ledger
    from xlsbridge.services.fees import compute_fees, fees_workbook

    written = fees_workbook(sample, compute_fees(read_ledger(SAMPLE), AS_OF))
    before, after = parts(sample), parts(written.payload)
    changed = {name for name in before if after.get(name) != before[name]}
    assert changed == {VISITS_PART, "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                       "[Content_Types].xml"}
    assert set(after) - set(before) == {"xl/worksheets/sheet10.xml"}
    # styles.xml was only appended to: its first cell styles are as they were
    assert after["xl/styles.xml"].startswith(before["xl/styles.xml"][:before["xl/styles.xml"].index(b"<fonts")])


def test_a_rerun_gives_the_same_package(sample, tmp_path):
    from xlsbridge.io.reader import read_ledger
    from xlsbridge.services.fees import compute_fees, fees_workbook
    from xlsbridge.services.flags import compute_flags, flags_workbook

    path = tmp_path / "ledger.xlsx"
    first = fees_workbook(sample, compute_fees(read_ledger(SAMPLE), AS_OF))
    path.write_bytes(first.payload)
    second = fees_workbook(first.payload, compute_fees(read_ledger(path), AS_OF))
    assert second.changed == 0 and second.payload == first.payload
    flagged = flags_workbook(first.payload, compute_flags(read_ledger(path), AS_OF, 60))
    path.write_bytes(flagged)
    assert flags_workbook(flagged, compute_flags(read_ledger(path), AS_OF, 60)) == flagged
    assert load(flagged).sheetnames[-1] == FLAGS_SHEET


def test_a_rerun_row_kept_at_a_glance_is_the_row_the_cell_by_cell_path_keeps(sample, monkeypatch):
    """A re-run keeps a row whose computed cells are the very ones a first run writes without looking
    at them one by one (_holds_already); rows with a changed amount, a refund added or a text cleared
    go cell by cell.  Both ways give the same package and the same changes."""
    from xlsbridge.io.xlsx.sheet_stream import _SheetWriter
    from xlsbridge.services.outputs import fee_number_format

    columns = list(range(20, 32))  # T..AE, the computed columns of 面会記録

    def first(r):
        return [r * 10, 0, None, 5, 0, 0, r * 10 + 5, 3, 2, dt.date(2024, 4, r % 28 + 1), None, f"内訳 {r} & <x>"]

    def second(r):
        values = first(r)
        if r % 7 == 0:
            values[0] += 1  # a changed amount
        if r % 11 == 0:
            values[10] = 300  # a refund where there was none
        if r % 13 == 0:
            values[11] = None  # the text cleared
        return values

    rows = range(2, 485)
    once = patched(sample, "面会記録", columns, rows, first, number_format=fee_number_format)
    kept = []
    holds = _SheetWriter._holds_already
    monkeypatch.setattr(_SheetWriter, "_holds_already", lambda self, *a: kept.append(holds(self, *a)) or kept[-1])
    fast = patched(once.payload, "面会記録", columns, rows, second, number_format=fee_number_format)
    monkeypatch.setattr(_SheetWriter, "_holds_already", lambda self, *a: False)
    slow = patched(once.payload, "面会記録", columns, rows, second, number_format=fee_number_format)
    assert fast.payload == slow.payload and (fast.changed, fast.changes) == (slow.changed, slow.changes)
    # rows 2..484: 69 multiples of 7, 44 of 11, 37 of 13; 6 of 77, 5 of 91, 3 of 143, none of 1001
    touched = 69 + 44 + 37 - 6 - 5 - 3
    assert kept.count(True) == len(rows) - touched and fast.changed == 69 + 44 + 37
    assert patched(fast.payload, "面会記録", columns, rows, second, number_format=fee_number_format).payload == fast.payload


def test_replacing_a_generated_sheet_drops_what_staff_hung_on_it(sample):
    """An old 料金集計 with a print area and a comment (parts only it uses): both go, it keeps its place."""
    wb = load(sample)
    old = wb.create_sheet(FEE_SUMMARY_SHEET, 5)
    old["A1"] = "古い集計"
    old["B2"] = "=SUM(1,2)"
    old.print_area = "A1:C3"
    old["A1"].comment = openpyxl.comments.Comment("メモ", "staff")
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    old_part = XlsxPatch(data).sheet_part(FEE_SUMMARY_SHEET)
    with XlsxPatch(data) as patch:
        patch.replace_sheet(FEE_SUMMARY_SHEET, note="新", columns=COLUMNS, rows=ROWS)
        result = patch.save()
    after = load(result.payload)
    assert after.sheetnames == wb.sheetnames  # same place
    ws = after[FEE_SUMMARY_SHEET]
    assert ws["A1"].value == "新" and ws["A1"].comment is None and not ws.print_area
    assert ws.auto_filter.ref == "A2:C4"
    out = parts(result.payload)
    assert old_part in out and not any(name.startswith("xl/comments/") and name not in parts(data) for name in out)
    assert len([n for n in out if n.startswith("xl/comments/")]) == len([n for n in parts(data) if n.startswith("xl/comments/")]) - 1
    # the staff's print area went; the sheet's own setup (io/print_setup.py) repeats the note and header
    names = re.findall(rb'<definedName name="([^"]+)" localSheetId="5"[^>]*>([^<]*)', out["xl/workbook.xml"])
    assert (b"_xlnm.Print_Titles", "'料金集計'!$1:$2".encode()) in names
    assert not any(name == b"_xlnm.Print_Area" for name, _ in names)
    assert after["支援員"].print_title_rows == "$1:$1"


def test_features_openpyxl_would_drop_survive(sample):
    """A part openpyxl does not model (here a custom XML part and an x14 extension in a sheet) is kept."""
    ext = (b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
           b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings/>'
           b"</ext></extLst></worksheet>")
    src = parts(sample)
    src[VISITS_PART] = src[VISITS_PART].replace(b"</worksheet>", ext)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in src.items():
            zf.writestr(name, payload)
        zf.writestr("customXml/item1.xml", "<keep>me</keep>")
    data = out.getvalue()
    result = patched(data, "面会記録", [20], [2], lambda r: [1])
    after = parts(result.payload)
    assert after["customXml/item1.xml"] == b"<keep>me</keep>" and after[VISITS_PART].endswith(ext)
    round_trip = io.BytesIO()
    load(data).save(round_trip)  # what the openpyxl path did
    assert "customXml/item1.xml" not in parts(round_trip.getvalue())


# ------------------------------------------------------------------------------------------------
# The services: same results as the openpyxl path
# ------------------------------------------------------------------------------------------------

def test_fees_writes_what_the_openpyxl_path_writes(sample, tmp_path):
    """Every cell of every sheet: value and number format, after a staff edit to two computed cells."""
    from xlsbridge.io.reader import read_ledger
    from xlsbridge.io.workbook_io import open_for_update, workbook_bytes
    from xlsbridge.io.sinks import OpenpyxlSink
    from xlsbridge.services.fees import compute_fees, fees_workbook
    from xlsbridge.services.outputs import write_fees

    wb = load(sample)
    ws = wb[VISITS.name]
    ws["T2"] = 1  # a wrong 基本料金
    ws["AC2"] = dt.datetime(2030, 1, 1)  # a wrong 支払期限
    ws["AC2"].number_format = DAY
    path = tmp_path / "edited.xlsx"
    wb.save(path)
    result = compute_fees(read_ledger(path), AS_OF)
    openpyxl_wb = open_for_update(path)
    sink = OpenpyxlSink(openpyxl_wb)
    write_fees(sink, result)
    expected_changes = sink.changes
    expected = load(workbook_bytes(openpyxl_wb))
    dry = fees_workbook(path.read_bytes(), result, dry_run=True)
    written = fees_workbook(path.read_bytes(), result)
    got = load(written.payload)
    assert dry.payload == b"" and dry.changed == written.changed == len(expected_changes)
    listed = [(c.address, c.old, c.new) for c in dry.changes]
    assert len(listed) == min(1000, len(expected_changes))  # the first 1,000 are kept (40 are shown)
    assert listed == [(c.address, c.old, c.new) for c in expected_changes][:len(listed)]
    assert ("面会記録!T2", 1, 8500) in [(c.address, c.old, c.new) for c in dry.changes]
    assert ("面会記録!AC2", dt.date(2030, 1, 1), dt.date(2024, 4, 8)) in [(c.address, c.old, c.new) for c in dry.changes]
    assert got.sheetnames == expected.sheetnames
    for sheet in expected.worksheets:
        mine = got[sheet.title]
        for row in sheet.iter_rows(min_row=1, max_row=max(sheet.max_row, mine.max_row),
                                   max_col=max(sheet.max_column, mine.max_column)):
            for cell in row:
                other = mine[cell.coordinate]
                assert other.value == cell.value, (sheet.title, cell.coordinate)
                if cell.value is not None:
                    assert other.number_format == cell.number_format, (sheet.title, cell.coordinate)


def test_a_package_the_patcher_refuses_is_written_through_openpyxl(sample, tmp_path):
    from xlsbridge.io.reader import read_ledger
    from xlsbridge.services.fees import compute_fees, fees_workbook

    src = parts(sample)
    src[VISITS_PART] = src[VISITS_PART].replace(b'<row r="2">', b'<!-- staff --><row r="2">', 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in src.items():
            zf.writestr(name, payload)
    path = tmp_path / "commented.xlsx"
    path.write_bytes(out.getvalue())
    written = fees_workbook(path.read_bytes(), compute_fees(read_ledger(path), AS_OF))
    ws = load(written.payload)[VISITS.name]
    assert (ws["T2"].value, ws["Z2"].value) == (8500, 12750) and written.changed > 0
    assert FEE_SUMMARY_SHEET in load(written.payload).sheetnames


# ------------------------------------------------------------------------------------------------
# Streaming, and the strict readers
# ------------------------------------------------------------------------------------------------

def test_memory_stays_far_below_the_sheet_size():
    """A 20,000-row sheet of ten text cells a row (~ 18 MB of XML, like 面会記録 at this many visits):
    patching a column of every row holds a few 256 KB chunks and the compressed output, not the sheet."""
    cells = "".join(f'<c r="{c}{{r}}" t="inlineStr"><is><t>{c} 記録の内容 ' + "あ" * 20 + "</t></is></c>" for c in "ABCDEFGHIJ")
    rows = "".join(f'<row r="{r}">' + cells.replace("{r}", str(r)) + "</row>" for r in range(1, 20_001))
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="A1:J20000"/><sheetData>{rows}</sheetData></worksheet>')
    size = len(sheet.encode())
    data = _package(sheet)
    del cells, rows, sheet
    numbers = list(range(1, 20_001))
    tracemalloc.start()
    try:
        with XlsxPatch(data) as patch:
            patch.set_cells("S", [11], numbers, lambda r: [r * 2])
            result = patch.save()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 16_000_000 and result.changed == 20_000
    # measured: ~ 7 MB: the output package ~ 0.6 MB, the stream ~ 2 MB, and the pieces of XML on their
    # way to the zip worker (io/xlsx/zip_out.py: one filling, one queued, one being deflated; 2 MB
    # each, a constant whatever the sheet's size); the sheet is 25 MB
    from xlsbridge.io.xlsx import zip_out

    assert peak < size / 5 + 2 * zip_out.PIECE, (peak, size)
    assert load(result.payload, read_only=True)["S"]["K20000"].value == 40_000


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed")
def test_libreoffice_converts_the_written_ledger(sample, tmp_path):
    from xlsbridge.io.pdf import convert_to_pdf
    from xlsbridge.io.reader import read_ledger
    from xlsbridge.services.fees import compute_fees, fees_workbook
    from xlsbridge.services.flags import compute_flags, flags_workbook

    written = fees_workbook(sample, compute_fees(read_ledger(SAMPLE), AS_OF)).payload
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(written)
    path.write_bytes(flags_workbook(written, compute_flags(read_ledger(path), AS_OF, 60)))
    pdf = convert_to_pdf(path, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    rows = calamine_rows(path.read_bytes(), FLAGS_SHEET)
    assert rows[1][:4] == ["期日", "残り日数", "種類", "ケースID"]


# ------------------------------------------------------------------------------------------------
# io/plan_sheet draws with shared styles (not io/xlsx, but the same performance work)
# ------------------------------------------------------------------------------------------------

def _look(cell) -> tuple:
    b = cell.border
    return (cell.value, cell.font.name, cell.font.sz, cell.font.b, cell.fill.fgColor.rgb if cell.fill.fill_type else None,
            tuple(getattr(b, side).style for side in ("left", "right", "top", "bottom")),
            cell.alignment.horizontal, cell.alignment.vertical, cell.alignment.wrap_text)


def test_plan_styles_are_the_same_in_a_new_workbook_and_in_the_ledger(sample):
    """Styles are made once per workbook and copied: a plan drawn into the ledger (whose workbook has
    many styles already) must look exactly like one drawn into a new workbook."""
    from xlsbridge.io.reader import read_ledger
    from xlsbridge.io.sinks import OpenpyxlSink
    from xlsbridge.services.outputs import write_plans
    from xlsbridge.services.plan import plans_for, plans_workbook, select_cases

    read = read_ledger(SAMPLE)
    plans = plans_for(read, select_cases(read, "K-0022", False), AS_OF)
    fresh = plans_workbook(plans).worksheets[0]
    ledger = load(sample)
    write_plans(OpenpyxlSink(ledger), plans)
    drawn = ledger[fresh.title]
    assert sorted(map(str, drawn.merged_cells.ranges)) == sorted(map(str, fresh.merged_cells.ranges))
    for row in fresh.iter_rows(min_row=1, max_row=fresh.max_row, max_col=8):
        for cell in row:
            assert _look(drawn[cell.coordinate]) == _look(cell), cell.coordinate
    thin = ("thin",) * 4
    # 1. 申込日 (row 4: title, case line, a blank row): a bold grey label, then B4:H4 merged, every
    # covered cell framed (or the box would show gaps), none filled
    assert _look(fresh["A4"])[:6] == ("1. 申込日", "游ゴシック", 10.5, True, "00F2F2F2", thin)
    assert "B4:H4" in map(str, fresh.merged_cells.ranges)
    assert all(_look(fresh.cell(4, c))[5] == thin and _look(fresh.cell(4, c))[4] is None for c in range(2, 9))
    # the title: 16 pt bold, centred, merged over A1:H1 without a frame
    assert _look(fresh["A1"]) == ("親子交流支援計画書", "游ゴシック", 16, True, None, (None,) * 4, "center", "center", True)
    assert all(_look(fresh.cell(1, c))[5] == (None,) * 4 for c in range(2, 9))
    # the 支援経過 header: all eight cells framed and grey, its texts centred and bold
    header = next(r for r in range(1, fresh.max_row + 1) if fresh.cell(r, 1).value == "日付")
    assert all(_look(fresh.cell(header, c))[4:6] == ("00F2F2F2", thin) for c in range(1, 9))
    assert _look(fresh.cell(header, 3))[0:4] == ("内容", "游ゴシック", 10.5, True)  # five columns from C


def test_plans_written_a_sheet_at_a_time_make_the_same_package(sample):
    """plans_package streams each drawn sheet into the package; the parts are those openpyxl's save of
    services.plan.plans_workbook writes (core.xml holds the time of writing)."""
    from xlsbridge.io.plan_sheet import plans_package
    from xlsbridge.io.reader import read_ledger
    from xlsbridge.io.sinks import OpenpyxlSink
    from xlsbridge.services.outputs import write_plans
    from xlsbridge.services.plan import plans_for, plans_workbook, select_cases

    read = read_ledger(SAMPLE)
    plans = plans_for(read, select_cases(read, None, True), AS_OF)
    # "X/1" and "X:1" (/ and : are not allowed in sheet names) give two sheets, 計画書_X／1 and
    # 計画書_X：1; the same case drawn twice replaces the earlier and goes last, as OpenpyxlSink.put_plan_sheets does
    plans = [*plans, dataclasses.replace(plans[0], case_id="X/1"), dataclasses.replace(plans[1], case_id="X:1"),
             dataclasses.replace(plans[1], case_id="X/1")]
    payload, names = plans_package(plans)
    expected = plans_workbook(plans)
    buffer = io.BytesIO()
    expected.save(buffer)
    assert names == expected.sheetnames and names[-2:] == ["計画書_X：1", "計画書_X／1"]
    assert names.count("計画書_X／1") == 1
    mine, theirs = parts(payload), parts(buffer.getvalue())
    assert set(mine) == set(theirs)
    assert [name for name in mine if mine[name] != theirs[name]] in ([], ["docProps/core.xml"])
    wb = load(payload)
    assert wb.sheetnames == names and wb[names[0]]["A1"].value == "親子交流支援計画書"
    assert wb[names[0]].print_title_rows == expected[names[0]].print_title_rows


def test_a_number_format_gives_the_package_formatted_values_give():
    """set_cells(number_format=…) (asked once per type; whole numbers and days written by the row's
    fast path) writes the very bytes that values handed in as Formatted write (the general path), on
    rows of every shape: targets right of the last cell, a row with spans, one holding a target cell
    already, a self-closed row, an empty row, a missing row, cells without r=""."""
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<cols><col min="3" max="3" style="0" width="9"/></cols><dimension ref="A1:B7"/><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row>'
             '<row r="2" spans="1:2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c></row>'
             '<row r="3"><c r="A3"><v>1</v></c><c r="D3"><v>7</v></c></row>'
             '<row r="4"/>'
             '<row r="5"></row>'
             '<row r="7"><c><v>1</v></c><c><v>2</v></c></row>'
             '<row r="8"><c r="F8"><v>1</v></c></row>'
             '</sheetData></worksheet>')
    data = _package(sheet)
    day, moment = dt.date(2024, 3, 19), dt.datetime(2024, 3, 19, 13, 30)
    rows = {r: [r * 100, day, None, f"内訳 {r}", moment, 0, True, 2.5] for r in (2, 3, 4, 5, 6, 7, 8)}

    def number_format(value):
        if isinstance(value, dt.date):
            return DAY
        return YEN if isinstance(value, int) and not isinstance(value, bool) else None

    def formatted(r):
        return [Formatted(v, f) if (f := number_format(v)) else v for v in rows[r]]

    columns = [3, 4, 5, 6, 7, 8, 9, 10]
    by_type = patched(data, "S", columns, sorted(rows), rows.__getitem__, number_format=number_format)
    by_value = patched(data, "S", columns, sorted(rows), formatted)
    assert by_type.payload == by_value.payload
    assert (by_type.changed, by_type.changes) == (by_value.changed, by_value.changes)
    xml = parts(by_type.payload)["xl/worksheets/sheet1.xml"]
    # row 2: appended after B2, spans widened over them; 2024-03-19 is serial 45370
    assert b'<row r="2" spans="1:10"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="C2" s="1"><v>200</v></c>' in xml
    assert b'<c r="D2" s="2"><v>45370</v></c>' in xml
    ws = load(by_type.payload)["S"]
    assert [ws.cell(3, c).value for c in columns] == [300, dt.datetime(2024, 3, 19), None, "内訳 3",
                                                        moment, 0, True, 2.5]
    assert (ws["C6"].number_format, ws["D6"].number_format, ws["H8"].value) == (YEN, DAY, 0)


def test_fee_cells_are_worked_out_while_the_sheet_streams(sample):
    """services/outputs hands the sink a mapping that works each visit row's cells out when asked: the
    patched file asks for every row once, in sheet order, during save (overlapping the zip worker),
    and the package is the one a plain dict of the same rows gives."""
    from xlsbridge.io.reader import read_ledger
    from xlsbridge.io.sinks import XlsxSink
    from xlsbridge.services import outputs
    from xlsbridge.services.fees import compute_fees

    result = compute_fees(read_ledger(SAMPLE), AS_OF)
    asked: list[int] = []

    class Spy(outputs._FeeRows):
        def __getitem__(self, row):
            asked.append(row)
            return super().__getitem__(row)

    with XlsxSink(sample) as sink:
        columns = [outputs.ComputedColumn(s.header, result.read.cells.column(VISITS.name, s.key)) for s in FEE_COLUMNS]
        rows = Spy(result)
        sink.set_computed_columns("面会記録", columns, rows, outputs.fee_number_format)
        assert asked == []  # nothing worked out before the package is written
        lazy = sink.save()
    assert asked == sorted(rows) and len(asked) == 483  # every visit row of the sample, once, in order
    with XlsxSink(sample) as sink:
        sink.set_computed_columns("面会記録", columns, {r: rows[r] for r in rows}, outputs.fee_number_format)
        eager = sink.save()
    assert lazy.payload == eager.payload and lazy.changed == eager.changed > 0


def test_rows_made_from_a_template_per_shape_are_the_rows_made_cell_by_cell(sample, monkeypatch):
    """Once the first 1,000 changes are listed, a usual row's new cells are made at once from a
    template per shape of row (the types of its values).  Rows of every shape (amounts, days, no
    value, text to escape, empty text, a bool, a float, a date-time, a Formatted) give the package and
    the counts that making each cell on its own gives."""
    from xlsbridge.io.xlsx.sheet_stream import _SheetWriter
    from xlsbridge.services.outputs import fee_number_format

    columns = list(range(20, 32))  # T..AE, empty in most rows of the sample

    def values(r):
        row = [r * 10, r % 3, None, 5, 0, 0, r * 10 + 5, 3, 2, dt.date(2024, 4, r % 28 + 1), None, f"内訳 {r} & <x> "]
        odd = r % 9
        if odd == 1:
            row[10] = 300  # a refund: another shape
        elif odd == 2:
            row[11] = ""  # empty text: no cell
        elif odd == 3:
            row[2] = True
        elif odd == 4:
            row[2] = 2.5
        elif odd == 5:
            row[9] = dt.datetime(2024, 4, 1, 9, 30)
        elif odd == 6:
            row[0] = Formatted(r, "0.00")
        return row

    rows = range(2, 485)
    made = []
    at_once = _SheetWriter._row_cells
    monkeypatch.setattr(_SheetWriter, "_row_cells", lambda self, *a: made.append(at_once(self, *a)) or made[-1])
    templated = patched(sample, "面会記録", columns, rows, values, number_format=fee_number_format)
    monkeypatch.setattr(_SheetWriter, "_row_cells", lambda self, *a: None)
    cell_by_cell = patched(sample, "面会記録", columns, rows, values, number_format=fee_number_format)
    assert templated.payload == cell_by_cell.payload
    assert (templated.changed, templated.changes) == (cell_by_cell.changed, cell_by_cell.changes)
    assert sum(m is not None for m in made) > 150  # rows 2..484 past the first 1,000 changes, of the shapes it takes
    ws = load(templated.payload)["面会記録"]
    assert (ws["T480"].value, ws["AC480"].value, ws["AE480"].value) == (4800, dt.datetime(2024, 4, 5), "内訳 480 & <x> ")
    assert (ws["T480"].number_format, ws["AC480"].number_format) == (YEN, DAY)


@pytest.mark.parametrize("chunk", [7, 64, 1 << 18])
def test_whitespace_between_rows_is_kept_wherever_the_reads_cut_the_sheet(monkeypatch, chunk):
    """A pretty-printed sheet (a new line and spaces between rows) read 7 bytes at a time: every gap
    is copied once, in its place, whether a row is complete in what was read or not."""
    from xlsbridge.io.xlsx import sheet_stream

    monkeypatch.setattr(sheet_stream, "CHUNK", chunk)
    rows = "".join(f'\n  <row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 6))
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<sheetData>{rows}\n</sheetData></worksheet>')
    result = patched(_package(sheet), "S", [2], [2, 4, 7], lambda r: [r * 10])
    xml = parts(result.payload)["xl/worksheets/sheet1.xml"].decode()
    expected = "".join(f'\n  <row r="{r}"><c r="A{r}"><v>{r}</v></c>' + (f'<c r="B{r}"><v>{r * 10}</v></c>' if r in (2, 4) else "")
                       + "</row>" for r in range(1, 6))
    assert xml == sheet.replace(rows + "\n</sheetData>", expected + '\n<row r="7"><c r="B7"><v>70</v></c></row></sheetData>')
