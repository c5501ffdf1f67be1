"""The ledger reader: what staff really type, cells it cannot read, damaged and foreign files."""

from __future__ import annotations

import hashlib
import io
import re
import sys
import zipfile
from datetime import date, datetime, time
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.hostile import compound_file
from tests.ledger_builder import WEK, address, clean_spec, clean_visit, write_ledger
from openpyxl.utils import get_column_letter

from xlsbridge.domain.findings import Location
from xlsbridge.errors import UserError, WorkbookUnusable
from xlsbridge.io import reader as reader_module
from xlsbridge.domain.layout import CASES, VISITS
from xlsbridge.io.reader import column_letter, read_ledger

V, C = VISITS.name, CASES.name


def _read(tmp_path, spec=None, **options):
    return read_ledger(write_ledger(tmp_path / "ledger.xlsx", spec, **options))


def _codes(read) -> set[tuple[str, str]]:
    return {(f.code, f"{read.cells.title(f.location.sheet)}!{f.location.cell}") for f in read.findings}


# ------------------------------------------------------------------------------------------------
# Reading the clean ledger
# ------------------------------------------------------------------------------------------------

def test_reads_the_clean_ledger(tmp_path):
    read = _read(tmp_path)
    ledger = read.ledger
    assert read.findings == ()
    assert [c.case_id for c in ledger.cases] == ["C-001"]
    case = ledger.cases[0]
    assert case.row == 2 and case.status == "active" and case.applicant == "mother"
    assert case.father.contract_date == date(2025, 3, 20) and case.mother.member is True
    assert case.ratio.part("father") == Fraction(1, 2) and case.support_type == "accompanied"
    v1, v2 = ledger.visits
    assert (v1.row, v1.visit_date, v1.start, v1.end, v1.status) == (2, date(2025, 4, 12), time(10), time(12), "held")
    assert (v2.row, v2.status, v2.start, v2.visit_date) == (3, "held", time(10), date(2025, 5, 10))
    assert v1.place_kind == "kids_plaza" and v1.extension_agreed is False
    assert ledger.children[0].birth_date == date(2018, 5, 10)
    assert [s.name for s in ledger.staff] == ["山田 花子", "佐藤 一郎"]
    assert ledger.settings == WEK  # from the 設定 and 区域 sheets
    assert ledger.records_payments is True


def test_cell_resolver(tmp_path):
    cells = _read(tmp_path).cells
    assert cells.address(V, 12, "extension_minutes") == "面会記録!H12"
    assert cells.cell(C, 2, "mother.contract_date") == "L2"
    assert cells.header(V, "extension_minutes") == "延長(分)"
    assert cells.cell(V, None, "visit_date") is None and cells.cell(V, 3, "no-such-field") is None
    assert cells.locate(Location(V, 5, "status")).cell == "M5"


def test_columns_found_by_header_in_any_order_with_aliases_and_own_columns(tmp_path):
    order = ["status", "visit_id", "extension_minutes", "case_id", "visit_date", "support_type", "children",
             "extension_agreed", "place", "place_kind", "municipality", "start", "end", "staff", "content"]
    spec = clean_spec()
    spec.visits[0].update(extension_minutes=30, extension_agreed=True)
    read = _read(tmp_path, spec, columns={V: order},
                 headers={(V, "extension_minutes"): "延長（分）", (V, "visit_date"): " 実施日　",
                          (C, "ratio"): "負担割合（父:母）"},
                 extra_columns={V: ["職員メモ"], C: ["連絡メモ"]})
    # The columns left out are optional: one warning each (the payment columns may be absent).
    assert {(f.code, f.params["header"]) for f in read.findings} == {("column-missing", "中止連絡日時"),
                                                                     ("column-missing", "中止者")}
    visit = read.ledger.visits[0]
    assert (visit.extension_minutes, visit.status, visit.visit_date) == (30, "held", date(2025, 4, 12))
    assert read.cells.address(V, 2, "extension_minutes") == "面会記録!C2"
    assert read.cells.address(V, 2, "status") == "面会記録!A2"
    assert read.ledger.cases[0].ratio is not None


def test_optional_column_missing_is_a_warning_payment_columns_are_not(tmp_path):
    keys = [c.key for c in VISITS.columns if c.key not in ("content", "father_paid", "mother_paid")]
    read = _read(tmp_path, columns={V: keys})
    assert [(f.code, f.params["header"], f.location.row) for f in read.findings] == [("column-missing", "内容", 1)]
    assert read.ledger.records_payments is False


def test_duplicate_header_reads_the_left_column(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[V]
    ws.cell(1, ws.max_column + 1, "状態")
    ws.cell(2, ws.max_column, "中止")
    wb.save(path)
    read = read_ledger(path)
    assert read.ledger.visits[0].status == "held"
    (f,) = read.findings
    assert f.code == "header-duplicate" and f.location.cell == f"{get_column_letter(ws.max_column)}1"


def test_blank_rows_in_the_middle_are_skipped_and_rows_kept(tmp_path):
    read = _read(tmp_path, blank_rows_before={V: [1], C: []})
    assert [v.row for v in read.ledger.visits] == [2, 4]
    assert read.findings == ()


def test_sheet_title_with_stray_spaces_is_found(tmp_path):
    read = _read(tmp_path, sheet_titles={V: "面会記録 "})
    assert len(read.ledger.visits) == 2
    assert read.cells.address(V, 2, "visit_id") == "面会記録 !A2"


# ------------------------------------------------------------------------------------------------
# What staff type
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed,expected", [
    ("R7.4.12", date(2025, 4, 12)),
    ("令和7年4月12日", date(2025, 4, 12)),
    ("２０２５/４/１２", date(2025, 4, 12)),
    ("2025-04-12  ", date(2025, 4, 12)),
    (45759, date(2025, 4, 12)),  # an Excel serial in a cell without a date format
    (datetime(2025, 4, 12, 0, 0), date(2025, 4, 12)),
])
def test_dates_as_staff_type_them(tmp_path, typed, expected):
    spec = clean_spec()
    spec.visits[0]["visit_date"] = typed
    read = _read(tmp_path, spec)
    assert read.ledger.visits[0].visit_date == expected and read.findings == ()


@pytest.mark.parametrize("typed,expected", [("14時30分", time(14, 30)), ("１４：３０", time(14, 30)), (0.5, time(12)),
                                            (" 9:05 ", time(9, 5))])
def test_times_as_staff_type_them(tmp_path, typed, expected):
    spec = clean_spec()
    spec.visits[0].update(start=time(9), end=typed)
    assert _read(tmp_path, spec).ledger.visits[0].end == expected


@pytest.mark.parametrize("typed,expected", [("○", True), ("◯", True), ("はい", True), ("TRUE", True), (True, True),
                                            (1, True), ("有", True), ("×", False), ("いいえ", False), ("false", False),
                                            (False, False), (0, False), ("無", False), (" ○ ", True), (None, False)])
def test_bools_as_staff_type_them(tmp_path, typed, expected):
    spec = clean_spec()
    spec.cases[0]["father.member"] = typed
    read = _read(tmp_path, spec)
    assert read.ledger.cases[0].father.member is expected and read.findings == ()


@pytest.mark.parametrize("typed,father", [("60:40", Fraction(3, 5)), ("６０：４０", Fraction(3, 5)), ("50%", Fraction(1, 2)),
                                          (0.6, Fraction(3, 5)), ("2対1", Fraction(2, 3)), ("1:0", Fraction(1)),
                                          (time(1, 1), Fraction(1, 2)), (None, None)])
def test_ratios_as_staff_type_them(tmp_path, typed, father):
    # time(1, 1): "1:1" typed into a General cell, which Excel turned into 1:01.
    spec = clean_spec()
    spec.cases[0]["ratio"] = typed
    read = _read(tmp_path, spec)
    ratio = read.ledger.cases[0].ratio
    assert read.findings == ()
    assert (ratio.part("father") if ratio else None) == father


@pytest.mark.parametrize("typed,expected", [("３０", 30), ("30分", 30), (" 60 ", 60), (60.0, 60), ("1,000円", 1000)])
def test_numbers_stored_as_text(tmp_path, typed, expected):
    spec = clean_spec()
    spec.visits[0].update(extension_minutes=typed, extension_agreed=True, end=time(13))
    spec.cases[0].update(reduction=typed, reduction_reason="理由")
    read = _read(tmp_path, spec)
    assert read.ledger.visits[0].extension_minutes == expected and read.ledger.cases[0].reduction == expected


def test_choices_fold_width_and_spaces(tmp_path):
    spec = clean_spec()
    spec.visits[0].update(status=" 実施 ", support_type="付き添い", place_kind="こども広場　")
    spec.cases[0].update(support_type="Accompanied")
    read = _read(tmp_path, spec)
    assert read.findings == ()
    assert (read.ledger.visits[0].status, read.ledger.visits[0].support_type) == ("held", "accompanied")
    assert read.ledger.cases[0].support_type == "accompanied"


# ------------------------------------------------------------------------------------------------
# Cells it cannot read: findings, never exceptions
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sheet,key,typed,code", [
    (V, "visit_date", "2025/13/01", "cell-impossible-date"),
    (V, "visit_date", "2025-02-30", "cell-impossible-date"),
    (V, "visit_date", "来週の土曜", "cell-unreadable-date"),
    (V, "visit_date", True, "cell-unreadable-date"),
    (V, "end", "25:00", "cell-unreadable-time"),
    (V, "cancelled_at", date(2025, 4, 11), "cell-unreadable-datetime"),  # a date without the time
    (V, "cancelled_at", "4月11日の昼", "cell-unreadable-datetime"),
    (V, "children", "二人", "cell-not-a-number"),
    (V, "children", 1.5, "cell-not-a-number"),
    (V, "extension_minutes", "abc", "cell-not-a-number"),
    (C, "reduction", "千円", "cell-not-a-number"),
    (V, "status", "実施済", "cell-unknown-choice"),
    (C, "applicant", "祖母", "cell-unknown-choice"),
    (C, "father.member", "たぶん", "cell-unknown-choice"),
    (C, "ratio", "0:0", "ratio-invalid"),
    (C, "ratio", "-1:1", "ratio-invalid"),
    (C, "ratio", "半々", "ratio-invalid"),
    (C, "ratio", 1.5, "ratio-invalid"),
    (C, "ratio", "#N/A", "cell-error-value"),
])
def test_unreadable_cells_become_findings(tmp_path, sheet, key, typed, code):
    spec = clean_spec()
    spec.rows(sheet)[0][key] = typed
    read = _read(tmp_path, spec)
    assert (code, address(sheet, key, 2)) in _codes(read)
    assert (sheet, 2, key) in read.unread
    finding = next(f for f in read.findings if f.code == code)
    assert finding.record == ("V-001" if sheet == V else "C-001")
    assert finding.message()  # renders


def test_unknown_choice_lists_the_choices(tmp_path):
    spec = clean_spec()
    spec.visits[0]["status"] = "実施済"
    (f,) = [f for f in _read(tmp_path, spec).findings if f.code == "cell-unknown-choice"]
    assert "予定、実施、中止" in f.message() and "状態" in f.message()


def _set_cached(path: Path, ref: str, cached: str, error: bool = False) -> None:
    """Give a formula cell written by openpyxl the cached result Excel would have saved."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    for name, xml in parts.items():
        if name.startswith("xl/worksheets/") and f'r="{ref}"'.encode() in xml:
            pattern = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*)>(<f>[^<]*</f>)<v>\s*</v></c>')
            kind = b' t="e"' if error else b""
            new, n = pattern.subn(lambda m: b'<c r="' + ref.encode() + b'"' + m.group(1) + kind + b">" + m.group(2)
                                  + b"<v>" + cached.encode() + b"</v></c>", xml)
            if n:
                parts[name] = new
                break
    else:
        raise AssertionError(f"no formula cell {ref}")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_formula_with_a_saved_result_is_read_and_flagged(tmp_path):
    spec = clean_spec()
    spec.visits[0]["visit_date"] = "=DATE(2025,4,12)"
    path = write_ledger(tmp_path / "l.xlsx", spec)
    _set_cached(path, "C2", "45759")
    read = read_ledger(path)
    assert read.ledger.visits[0].visit_date == date(2025, 4, 12)
    (f,) = read.findings
    assert (f.code, f.location.cell, f.value, f.severity) == ("cell-formula", "C2", "=DATE(2025,4,12)", "warning")
    assert (V, 2, "visit_date") not in read.unread


def test_formula_without_a_saved_result_counts_as_empty(tmp_path):
    spec = clean_spec()
    spec.visits[0]["children"] = "=1+1"
    read = _read(tmp_path, spec)
    assert read.ledger.visits[0].children is None
    assert _codes(read) == {("cell-formula", address(V, "children", 2))}


def test_formula_result_that_is_an_error(tmp_path):
    spec = clean_spec()
    spec.visits[0]["children"] = "=1/0"
    path = write_ledger(tmp_path / "l.xlsx", spec)
    _set_cached(path, "G2", "#DIV/0!", error=True)
    read = read_ledger(path)
    found = {(f.code, f.location.cell, f.value) for f in read.findings}
    assert found == {("cell-formula", "G2", "=1/0"), ("cell-error-value", "G2", "#DIV/0!")}
    assert (V, 2, "children") in read.unread


def _rewrite_sheet(path: Path, marker: bytes, change) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    name = next(n for n, xml in parts.items() if n.startswith("xl/worksheets/") and marker in xml)
    parts[name] = change(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)


def test_cells_without_references_are_placed_by_openpyxl(tmp_path):
    # Some writers leave out r="G2" and let the order place the cells; the byte scan cannot place a
    # formula or an error then, and openpyxl is asked instead.
    spec = clean_spec()
    spec.visits[0].update(children="=1+1", extension_minutes="#N/A")
    path = write_ledger(tmp_path / "l.xlsx", spec)

    def drop_refs(xml: bytes) -> bytes:
        row = re.search(rb'<row r="2".*?</row>', xml, re.S).group(0)
        return xml.replace(row, re.sub(rb' r="[A-H]2"', b"", row))

    _rewrite_sheet(path, b"<f>1+1</f>", drop_refs)
    read = read_ledger(path)
    assert {(f.code, f.location.cell, f.value) for f in read.findings} == {
        ("cell-formula", "G2", "=1+1"), ("cell-error-value", "H2", "#N/A")}
    assert read.ledger.visits[0].visit_date == date(2025, 4, 12)


def test_error_cell_without_cached_text_does_not_borrow_the_next_value(tmp_path):
    spec = clean_spec()
    spec.visits[0].update(extension_minutes="#N/A", extension_agreed=0)  # I2 holds <v>0</v>

    def self_closing(xml: bytes) -> bytes:
        new, n = re.subn(rb'(<c r="H2"[^>]*t="e"[^>]*)><v>#N/A</v></c>', rb"\1/>", xml)
        assert n == 1 and b'<c r="I2" t="n"><v>0</v>' in new
        return new

    path = write_ledger(tmp_path / "l.xlsx", spec)
    _rewrite_sheet(path, b"#N/A", self_closing)
    (f,) = read_ledger(path).findings
    assert (f.code, f.location.cell, f.value) == ("cell-error-value", "H2", "#N/A")


def test_formulas_in_computed_and_own_columns_are_fine(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[V]
    total = [c.column for c in ws[1] if c.value == "合計"][0]
    ws.cell(2, total, "=1+1")
    ws.cell(1, ws.max_column + 1, "職員メモ")
    ws.cell(2, ws.max_column, "=A2")
    wb.save(path)
    assert read_ledger(path).findings == ()


def test_merged_cells(tmp_path):
    spec = clean_spec()
    spec.visits.append(clean_visit(visit_id="V-003", visit_date=date(2025, 6, 14)))
    read = _read(tmp_path, spec, merge={V: ["B3:B4"]})
    assert _codes(read) == {("merged-cell", "面会記録!B3")}
    f = read.findings[0]
    assert f.value == "B3:B4" and f.severity == "error"
    assert {(V, 3, "case_id"), (V, 4, "case_id")} <= read.unread


def test_merged_cells_in_own_columns_are_ignored(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", extra_columns={V: ["職員メモ"]})
    wb = openpyxl.load_workbook(path)
    ws = wb[V]
    col = get_column_letter(ws.max_column)
    ws.merge_cells(f"{col}2:{col}3")
    wb.save(path)
    assert read_ledger(path).findings == ()


# ------------------------------------------------------------------------------------------------
# Workbooks that cannot be used: WorkbookUnusable with a clear message
# ------------------------------------------------------------------------------------------------

def _unusable(path: Path) -> str:
    with pytest.raises(WorkbookUnusable) as info:
        read_ledger(path)
    return info.value.ja


def test_renamed_sheet(tmp_path):
    message = _unusable(write_ledger(tmp_path / "l.xlsx", sheet_titles={V: "面会記録2024"}))
    assert "シート「面会記録」がありません" in message
    assert "「ケース」" in message and "「面会記録2024」" in message  # the sheets found
    assert "「面会記録2024」の名前を「面会記録」に戻して" in message


def test_misspelled_required_header(tmp_path):
    message = _unusable(write_ledger(tmp_path / "l.xlsx", headers={(V, "visit_date"): "実施目"}))
    assert "シート「面会記録」" in message and "「実施日」" in message and "いちばん近い見出し: 「実施目」" in message


def test_settings_sheet_missing(tmp_path):
    with pytest.raises(UserError) as info:
        read_ledger(write_ledger(tmp_path / "l.xlsx", settings_sheets=False))
    assert info.value.exit_code == 2 and "「設定」シートがありません" in info.value.ja


def test_missing_file_and_folder(tmp_path):
    assert "ありません" in _unusable(tmp_path / "nothing.xlsx")
    assert "フォルダ" in _unusable(tmp_path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "空のファイル" in _unusable(path)


def test_csv_renamed_to_xlsx(tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_text("ケースID,申込日\nC-001,2025/3/1\n", encoding="cp932")
    assert "CSV" in _unusable(path)


def test_html_saved_as_xlsx(tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_text("<html><table><tr><td>1</td></tr></table></html>", encoding="utf-8")
    assert "HTML" in _unusable(path)


def test_random_bytes_and_foreign_zip(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(bytes(range(256)) * 4)
    assert "Excel ブック（.xlsx）ではありません" in _unusable(path)
    doc = tmp_path / "b.xlsx"
    with zipfile.ZipFile(doc, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert "Word" in _unusable(doc)


def test_truncated_workbook(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx")
    path.write_bytes(path.read_bytes()[:3000])
    assert "壊れて" in _unusable(path)


def test_old_xls_workbook(tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(compound_file({"Workbook": b"\x09\x08" + b"\0" * 100}))
    message = _unusable(path)
    assert "Excel 97-2003" in message and ".xls" in message and ".xlsx" in message


def _encrypted(tmp_path, password: str) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_ledger(tmp_path / "plain.xlsx")
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain.read_bytes())).encrypt(password, out)
    path = tmp_path / "locked.xlsx"
    path.write_bytes(out.getvalue())
    return path


def test_encrypted_workbook(tmp_path):
    path = _encrypted(tmp_path, "面会2025")
    assert "パスワード" in _unusable(path) and "--password-env" in _unusable(path)
    with pytest.raises(WorkbookUnusable) as info:
        read_ledger(path, password="違う")
    assert "パスワードが違います" in info.value.ja
    read = read_ledger(path, password="面会2025")
    assert [v.visit_id for v in read.ledger.visits] == ["V-001", "V-002"]


# ------------------------------------------------------------------------------------------------
# Reading changes nothing, reads no contact data, and falls back to openpyxl
# ------------------------------------------------------------------------------------------------

def test_reading_does_not_change_the_file(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx")
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    read_ledger(path)
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.xlsx"]  # no lock or temporary file


def test_contacts_are_never_read(tmp_path):
    read = _read(tmp_path)
    dump = read.ledger.model_dump_json()
    for secret in ("広坂", "076-000-0000", "example.invalid"):
        assert secret not in dump


def test_openpyxl_fallback_when_calamine_cannot_read(tmp_path, monkeypatch):
    import python_calamine

    def refuse(*args, **kwargs):
        raise python_calamine.CalamineError("unsupported")

    spec = clean_spec()
    spec.visits[0]["extension_minutes"] = "abc"
    path = write_ledger(tmp_path / "l.xlsx", spec)
    expected = read_ledger(path)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", refuse)
    fallback = read_ledger(path)
    assert fallback.ledger == expected.ledger
    assert [(f.code, f.location) for f in fallback.findings] == [(f.code, f.location) for f in expected.findings]


def test_template_version_from_the_template(tmp_path):
    from xlsbridge.domain.layout import TEMPLATE_VERSION
    from xlsbridge.io.template import build_template

    path = tmp_path / "t.xlsx"
    build_template(WEK).save(path)
    assert read_ledger(path).ledger.template_version == TEMPLATE_VERSION


@given(st.integers(min_value=0, max_value=16383))
def test_column_letters_match_excel(index):
    assert column_letter(index) == get_column_letter(index + 1)
    assert reader_module._column_index(column_letter(index)) == index


@pytest.mark.slow
def test_large_ledger(tmp_path):
    from tests.benchmarks.bench_reader import big_ledger

    path = big_ledger(tmp_path / "big.xlsx", 10_000)
    read = read_ledger(path)
    assert len(read.ledger.visits) == 10_000 and read.findings == ()
    assert read.ledger.visits[-1].row == 10_001
    assert read.cells.address(V, 10_001, "visit_date") == "面会記録!C10001"


# ------------------------------------------------------------------------------------------------
# Rows handed over (the live workbook through xlwings)
# ------------------------------------------------------------------------------------------------

def _live_rows(path: Path) -> tuple[dict[str, list[list]], list[str]]:
    """What xlwings hands over: every value, dates as datetime, times as day fractions, None for empty."""
    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = {}
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append([(v.hour * 3600 + v.minute * 60) / 86400 if isinstance(v, time) else v for v in row])
        sheets[ws.title] = rows
    return sheets, wb.sheetnames


def test_rows_read_like_the_file(tmp_path):
    from xlsbridge.io.reader import read_ledger_rows

    spec = clean_spec()
    spec.visits[0]["extension_minutes"] = "abc"
    path = write_ledger(tmp_path / "l.xlsx", spec)
    sheets, titles = _live_rows(path)
    live, from_file = read_ledger_rows(sheets, titles), read_ledger(path)
    assert live.ledger == from_file.ledger
    assert [(f.code, f.location) for f in live.findings] == [(f.code, f.location) for f in from_file.findings]
    assert live.cells.address(V, 2, "extension_minutes") == "面会記録!H2"


def test_rows_missing_sheet(tmp_path):
    from xlsbridge.io.reader import read_ledger_rows

    sheets, titles = _live_rows(write_ledger(tmp_path / "l.xlsx"))
    del sheets[V]
    titles.remove(V)
    with pytest.raises(WorkbookUnusable) as info:
        read_ledger_rows(sheets, titles)
    assert "シート「面会記録」がありません" in info.value.ja


# ------------------------------------------------------------------------------------------------
# Records built without validation (reader._builder): exactly the models validation makes
# ------------------------------------------------------------------------------------------------

def _same_models(fast, slow) -> None:
    for name in ("cases", "children", "visits", "staff"):
        a, b = getattr(fast.ledger, name), getattr(slow.ledger, name)
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert x == y and repr(x) == repr(y) and hash(x) == hash(y)
            assert x.model_fields_set == y.model_fields_set
            assert [(k, type(v)) for k, v in x.__dict__.items()] == [(k, type(v)) for k, v in y.__dict__.items()]
            # no larger either (50,000 visits: 25 MB more when the field set was presized)
            assert sys.getsizeof(x.__dict__) == sys.getsizeof(y.__dict__)
            assert sys.getsizeof(x.model_fields_set) == sys.getsizeof(y.model_fields_set)
    assert fast.findings == slow.findings and fast.unread == slow.unread


def test_records_built_directly_are_the_models_validation_makes(sample_ledger, make_ledger, monkeypatch):
    # The sample (483 visits, its 8 mistakes) and a ledger whose cells give a bool where a number goes and
    # a formula row (read cell by cell): each record equal, field by field and type by type, to the
    # record pydantic validates, and the builder was used for the visits of the sample.
    spec = clean_spec()
    spec.visits.append(clean_visit(visit_id="V-003", children=True, extension_minutes="=1+1"))
    odd = make_ledger(spec)
    used: list[str] = []
    build = reader_module._builder

    def spy(model, keys, columns):
        made = build(model, keys, columns)
        used.append(f"{model.__name__}:{'built' if made else 'validated'}")
        return made

    for path in (sample_ledger, odd):
        used.clear()
        monkeypatch.setattr(reader_module, "_builder", spy)
        fast = read_ledger(path)
        if path == sample_ledger:
            assert "Visit:built" in used
        monkeypatch.setattr(reader_module, "_builder", lambda *args: None)
        _same_models(fast, read_ledger(path))
