"""`xlsbridge template upgrade`: ledgers of past template versions (generated here from the version
data in io/upgrade.py) and the shipped sample are carried into the current template without losing a
cell.  The proof reads the saved file back and finds every non-empty input cell of the old ledger in
the new one — by sheet, record ID and header, since columns move and headers are renamed — with the
same value.  Also: version recognition, staff's own columns and sheets, the staff sheet filled from
担当支援員, fees recomputed (hand-worked), the CLI and its refusals.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.table import Table

from tests.ledger_builder import (
    WEK,
    LedgerSpec,
    Text,
    cell_value,
    clean_case,
    clean_child,
    clean_spec,
    clean_visit,
)
from tests.cli_run import xlsbridge as run_in_process
from xlsbridge.errors import UserError
from xlsbridge.domain.layout import (
    CASES,
    CHILDREN,
    CONTACTS,
    RECORD_SHEETS,
    STAFF,
    TEMPLATE_VERSION,
    TEMPLATE_VERSION_NAME,
    VISITS,
)
from xlsbridge.io.reader import read_ledger
from xlsbridge.io.settings_sheet import write_settings_sheets
from xlsbridge.io.template_history import (
    KNOWN_VERSIONS,
    PAST_VERSIONS,
    PastVersion,
    computed_columns,
    detect_version,
    past_version,
    version_key,
)
from xlsbridge.io.upgrade import _uncarried_parts, ledger_version
from xlsbridge.services.upgrade import carry_over, upgrade_file
from xlsbridge.services.validate import validate_workbook

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "workbooks" / "案件台帳サンプル.xlsx"
AS_OF = date(2025, 6, 30)
LAYOUTS = {layout.name: layout for layout in RECORD_SHEETS}
# Today's computed headers (and their aliases) per sheet.
COMPUTED_HEADERS = {layout.name: {h for c in layout.computed_columns for h in (c.header, *c.aliases)}
                    for layout in RECORD_SHEETS}
# The record ID per sheet: rows are matched by it (or by their order where a sheet has none).
ID_KEY = {CASES.name: "case_id", VISITS.name: "visit_id", STAFF.name: "name"}


def xlsbridge(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the CLI in-process as the console script does: (exit code, stdout, stderr)."""
    code, out, err = run_in_process(*args, env=env)
    return code, out.decode("utf-8"), err


# ---- generating a ledger of a past version ------------------------------------------------------


def rich_spec() -> LedgerSpec:
    """Two cases: the clean one, and a handover case with two children, a cancelled visit and odd text."""
    spec = clean_spec()
    spec.cases.append(clean_case(case_id="C-002", applicant="father", custodial="father", ratio="60:40",
                                 support_type="handover", staff="佐藤 一郎・山田 花子", notes=Text("=備考は式ではない")))
    spec.children += [clean_child(case_id="C-002", name="金沢 ふたば", birth_date=date(2017, 9, 1), sex="female"),
                      clean_child(case_id="C-002", name="金沢 みつき", birth_date=date(2019, 12, 24), sex="female")]
    spec.visits += [
        clean_visit(visit_id="V-010", case_id="C-002", visit_date=date(2025, 5, 17), support_type="handover",
                    children=2, start=time(13, 0), end=time(16, 0), staff="佐藤 一郎", municipality="小松市",
                    place="小松市児童館", place_kind="children_centre"),
        clean_visit(visit_id="V-011", case_id="C-002", visit_date=date(2025, 6, 14), support_type="handover",
                    children=2, status="cancelled", cancelled_at=datetime(2025, 6, 13, 11, 30), cancelled_by="father",
                    start=None, end=None, content=None, staff="佐藤 一郎"),
    ]
    spec.contacts.append({"case_id": "C-002", "relation": "mother", "address": "小松市見本町2-2", "phone": "0761-00-0000"})
    return spec


OLD_FEE = 1234  # a stale computed value an old ledger holds: the upgrade must replace it


def write_past_ledger(path: Path, version: PastVersion, spec: LedgerSpec | None = None, *,
                      own_columns: bool = True, own_sheets: bool = True) -> Path:
    """A ledger exactly as template ``version`` laid it out, holding ``spec``'s records.

    With ``own_columns`` the staff added a column to ケース (a date they note) and, in versions
    without fee columns, typed fees by hand into a 合計 column; a note sits beside the 子ども table.
    With ``own_sheets`` there is a formatted memo sheet (merged cells, a formula) and the generated
    期限・年齢 and 計画書_C-001 sheets.
    """
    spec = spec or rich_spec()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if version.instructions:
        wb.create_sheet("使い方")["A1"] = "案件台帳（古い説明）"
    computed_by_sheet = {s.layout: computed_columns(version.version, LAYOUTS[s.layout]) for s in version.sheets}
    for sheet in version.sheets:
        layout = LAYOUTS[sheet.layout]
        ws = wb.create_sheet(sheet.title)
        keys = [k for k, _ in sheet.columns]
        headers = [h for _, h in sheet.columns]
        extras: list[str] = []
        if own_columns and layout is CASES:
            extras = ["連絡メモ日"]
        if own_columns and layout is VISITS and "fee.total" not in keys:
            extras = ["合計"]  # fees typed by hand before the template computed them
        ws.append(headers + extras)
        for i, record in enumerate(spec.rows(layout.name), start=2):
            row = []
            for key in keys:
                if key in computed_by_sheet[layout.name]:
                    row.append("未計算" if key == "fee.breakdown" else OLD_FEE)
                else:
                    row.append(cell_value(layout.column(key), record.get(key), spec.settings))
            for extra in extras:
                row.append(date(2025, 1, i) if extra == "連絡メモ日" else 9000 + i)
            ws.append(row)
            for key, cell in zip(keys, ws[i]):
                if isinstance(cell.value, datetime):
                    cell.number_format = "yyyy/m/d h:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy/m/d"
                elif isinstance(cell.value, time):
                    cell.number_format = "h:mm"
                if isinstance(record.get(key), Text):
                    cell.data_type = "s"
            for cell in ws[i][len(keys):]:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy/m/d"
                    cell.font = Font(italic=True)
        if version.tables:
            end = openpyxl.utils.get_column_letter(len(headers) + len(extras))
            ws.add_table(Table(displayName=layout.table, ref=f"A1:{end}{max(ws.max_row, 2)}"))
        if own_columns and layout is CHILDREN:
            ws.cell(1, len(headers) + 2, "※ 生年月日は母子手帳で確認")
    if version.settings_sheets:
        write_settings_sheets(wb, spec.settings, template_version=version.version)
    if own_sheets:
        memo = wb.create_sheet("事務メモ")
        memo["A1"] = "今月の確認事項"
        memo["A1"].font = Font(bold=True, size=14)
        memo["A1"].fill = PatternFill("solid", fgColor="FFF2CC")
        memo.merge_cells("A1:D1")
        memo["A3"], memo["B3"], memo["C3"] = 3, 4, "=A3+B3"
        memo["A4"] = date(2025, 6, 1)
        memo["A4"].number_format = "yyyy/m/d"
        memo.column_dimensions["A"].width = 30
        from openpyxl.formatting.rule import CellIsRule
        from openpyxl.worksheet.datavalidation import DataValidation

        memo.conditional_formatting.add("B3:B10", CellIsRule(operator="greaterThan", formula=["3"],
                                                             fill=PatternFill("solid", fgColor="FFC7CE")))
        dv = DataValidation(type="list", formula1='"済,未"')
        dv.add("D3:D10")
        memo.add_data_validation(dv)
        memo["D3"] = "済"
        flags = wb.create_sheet("期限・年齢")
        flags.append(["期日", "種類", "ケースID"])
        flags.append([date(2025, 7, 1), "契約更新", "C-001"])
        plan = wb.create_sheet("計画書_C-001")
        plan["A1"] = "親子交流支援計画書"
        plan.merge_cells("A1:H1")
        plan["A3"] = "1. 申込日"
        plan["B3"] = "令和7年3月1日"
    wb.save(path)
    return path


# ---- reading cells back ------------------------------------------------------------------------


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def input_cells(path: Path, version: PastVersion | None) -> dict[tuple[str, str, str], Any]:
    """{(current sheet, record key, header as it will be now): value} of every non-empty input cell.

    ``version`` None: the current template (the shipped sample).  Headers of the version are turned
    into today's headers through the version data (key -> today's header); the staff's own headers
    stay, except a hand-typed column named like a computed one, which is kept as "<header>(旧)".
    """
    wb = openpyxl.load_workbook(path)
    out: dict[tuple[str, str, str], Any] = {}
    sheets = version.sheets if version else [
        type("S", (), {"title": layout.name, "layout": layout.name,
                       "columns": tuple((c.key, c.header) for c in layout.columns)})() for layout in RECORD_SHEETS]
    for sheet in sheets:
        layout = LAYOUTS[sheet.layout]
        ws = wb[sheet.title]
        by_header = dict((h, k) for k, h in sheet.columns)
        computed = computed_columns(version.version if version else TEMPLATE_VERSION, layout)
        headers = [_text(c.value) for c in ws[1]]
        if "" in headers:  # the table ends at the first blank header; notes beside it are not records
            headers = headers[:headers.index("")]
        id_col = next((i for i, h in enumerate(headers)
                       if layout.name in ID_KEY and by_header.get(h) == ID_KEY[layout.name]), None)
        ordinal = 0
        for row in ws.iter_rows(min_row=2):
            if all(c.value is None for c in row[:len(sheet.columns)]):
                continue
            ordinal += 1
            record = _text(row[id_col].value) if id_col is not None else f"#{ordinal}"
            for header, cell in zip(headers, row):
                if cell.value is None or not header:
                    continue
                key = by_header.get(header)
                if key is not None and key in computed:
                    continue  # ours: recomputed
                if key is not None:
                    new_header = layout.column(key).header
                elif header in COMPUTED_HEADERS.get(layout.name, ()):
                    new_header = f"{header}(旧)"  # typed by hand where today's template computes
                else:
                    new_header = header
                out[(layout.name, record, new_header)] = cell.value
    return out


def new_cells(path: Path) -> dict[tuple[str, str, str], Any]:
    wb = openpyxl.load_workbook(path)
    out: dict[tuple[str, str, str], Any] = {}
    for layout in RECORD_SHEETS:
        ws = wb[layout.name]
        headers = [_text(c.value) for c in ws[1]]
        id_header = layout.column(ID_KEY[layout.name]).header if layout.name in ID_KEY else None
        id_col = headers.index(id_header) if id_header else None
        ordinal = 0
        for row in ws.iter_rows(min_row=2):
            if all(c.value is None for c in row):
                continue
            ordinal += 1
            record = _text(row[id_col].value) if id_col is not None else f"#{ordinal}"
            for header, cell in zip(headers, row):
                if cell.value is not None and header:
                    out[(layout.name, record, header)] = cell.value
    return out


def upgraded(old: Path, tmp_path: Path, *, settings=None, as_of: date = AS_OF) -> Path:
    new, report = upgrade_file(old, settings=settings, settings_label=None, as_of=as_of)
    out = tmp_path / "new.xlsx"
    new.save(out)
    return out


def assert_every_cell_arrives(old: Path, new: Path, version: PastVersion | None) -> int:
    before = input_cells(old, version)
    after = new_cells(new)
    missing = {k: v for k, v in before.items() if k not in after}
    assert not missing, f"cells lost: {list(missing.items())[:5]}"
    changed = {k: (v, after[k]) for k, v in before.items() if after[k] != v}
    assert not changed, f"values changed: {list(changed.items())[:5]}"
    return len(before)


# ---- the proof: nothing is lost -----------------------------------------------------------------


@pytest.mark.parametrize("version", PAST_VERSIONS, ids=lambda v: v.version)
def test_every_input_cell_of_a_past_version_arrives(tmp_path, version):
    old = write_past_ledger(tmp_path / f"old-{version.version}.xlsx", version)
    new = upgraded(old, tmp_path, settings=None if version.settings_sheets else WEK)
    checked = assert_every_cell_arrives(old, new, version)
    # rich_spec: 2 cases × 27-28 filled case cells, 3 children, 4 visits, contacts, plus own columns;
    # a floor that fails if whole sheets were skipped by the matching above.
    assert checked > 100


def test_every_input_cell_of_the_shipped_sample_arrives(tmp_path):
    new = upgraded(SAMPLE, tmp_path, as_of=date(2026, 3, 1))
    checked = assert_every_cell_arrives(SAMPLE, new, None)
    assert checked == 8895  # the sample's non-empty input cells (the upgrade's own check counts the same)


def test_the_proof_can_fail(tmp_path):
    """The comparison is not vacuous: a lost and a changed cell are both caught."""
    version = past_version("0.9")
    old = write_past_ledger(tmp_path / "old.xlsx", version)
    new = upgraded(old, tmp_path)
    wb = openpyxl.load_workbook(new)
    wb[VISITS.name]["B2"] = "C-999"  # change a case ID
    wb.save(new)
    with pytest.raises(AssertionError, match="values changed"):
        assert_every_cell_arrives(old, new, version)
    wb = openpyxl.load_workbook(new)
    wb[CASES.name].delete_rows(3)
    wb.save(new)
    with pytest.raises(AssertionError, match="cells lost"):
        assert_every_cell_arrives(old, new, version)


def test_the_new_ledger_is_current_and_reads_clean(tmp_path):
    old = write_past_ledger(tmp_path / "old.xlsx", past_version("0.9"), clean_spec(), own_sheets=False)
    new = upgraded(old, tmp_path)
    read = read_ledger(new)
    assert read.ledger.template_version == TEMPLATE_VERSION
    assert read.ledger.records_payments  # 父入金日 / 母入金日 exist now (empty)
    report = validate_workbook(new, as_of=AS_OF)
    assert report.items == ()  # the clean spec stays clean: the staff sheet was filled from 担当者
    wb = openpyxl.load_workbook(new)
    assert wb.defined_names[TEMPLATE_VERSION_NAME].attr_text == f'"{TEMPLATE_VERSION}"'


def test_renamed_headers_land_under_todays_names(tmp_path):
    old = write_past_ledger(tmp_path / "old.xlsx", past_version("0.9"))
    new, report = upgrade_file(old, settings=None, settings_label=None, as_of=AS_OF)
    cases = next(s for s in report.sheets if s.sheet == CASES.name)
    assert ("負担割合（父:母）", "負担割合") in cases.renamed
    assert ("担当者", "担当支援員") in cases.renamed
    assert cases.added == ["見直し予定日"]
    assert cases.extra == ["連絡メモ日"]
    visits = next(s for s in report.sheets if s.sheet == VISITS.name)
    assert ("延長", "延長(分)") in visits.renamed and ("キャンセル連絡日時", "中止連絡日時") in visits.renamed
    assert visits.added == ["父入金日", "母入金日", "大人追加(人)", "実費(円)"]  # 1.0 and 1.1 columns
    assert "減額(計算)" in visits.recomputed
    ws = new[CASES.name]
    headers = [c.value for c in ws[1]]
    ratio = headers.index("負担割合") + 1
    assert [ws.cell(r, ratio).value for r in (2, 3)] == ["1:1", "60:40"]
    memo = headers.index("連絡メモ日") + 1
    assert memo == len(CASES.columns) + 1  # the staff's column follows today's columns
    assert ws.cell(2, memo).number_format == "yyyy/m/d" and ws.cell(2, memo).font.i  # format kept
    table = next(iter(ws.tables.values()))
    assert table.ref == f"A1:{openpyxl.utils.get_column_letter(memo)}3"  # the table grew over it
    text = report.render()
    assert "負担割合（父:母） → 負担割合" in text and "追加した列（空欄）: 見直し予定日" in text


def test_fees_are_recomputed_not_copied(tmp_path):
    """V-001: accompanied, 1 child, 2 h, in Kanazawa; mother is a member (WEK).
    base 8,500 split 1:1 = 4,250 each; the member mother gets 500 off hers: 3,750; total 8,000."""
    old = write_past_ledger(tmp_path / "old.xlsx", past_version("0.9"))
    new = upgraded(old, tmp_path)
    ws = openpyxl.load_workbook(new)[VISITS.name]
    headers = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "V-001")
    got = {h: ws.cell(row, headers.index(h) + 1).value for h in ("基本料金", "合計", "父負担", "母負担")}
    assert got == {"基本料金": 8500, "合計": 8000, "父負担": 4250, "母負担": 3750}
    assert OLD_FEE not in [ws.cell(r, headers.index("合計") + 1).value for r in range(2, ws.max_row + 1)]


def test_fees_typed_by_hand_in_an_old_version_are_kept(tmp_path):
    """0.8 had no fee columns: its 合計 column is the staff's, kept as 合計(旧) beside the computed one."""
    old = write_past_ledger(tmp_path / "old.xlsx", past_version("0.8"))
    new = upgraded(old, tmp_path, settings=WEK)
    ws = openpyxl.load_workbook(new)[VISITS.name]
    headers = [c.value for c in ws[1]]
    assert "合計(旧)" in headers and "合計" in headers
    kept = [ws.cell(r, headers.index("合計(旧)") + 1).value for r in range(2, 6)]
    assert kept == [9002, 9003, 9004, 9005]  # 9000 + the old row number


def test_staff_sheet_is_added_from_the_names_in_use(tmp_path):
    old = write_past_ledger(tmp_path / "old.xlsx", past_version("0.9"))
    new, report = upgrade_file(old, settings=None, settings_label=None, as_of=AS_OF)
    # 担当者 "山田 花子" (C-001) and "佐藤 一郎・山田 花子" (C-002); visits add nobody new.
    assert report.staff_added == ["山田 花子", "佐藤 一郎"]
    assert [new[STAFF.name].cell(r, 1).value for r in (2, 3, 4)] == ["山田 花子", "佐藤 一郎", None]
    assert "支援員" in report.sheets_added


def test_own_and_generated_sheets_are_kept_with_formats(tmp_path):
    old = write_past_ledger(tmp_path / "old.xlsx", past_version("0.9"))
    new = upgraded(old, tmp_path)
    wb = openpyxl.load_workbook(new)
    assert {"事務メモ", "期限・年齢", "計画書_C-001", "料金集計"} <= set(wb.sheetnames)
    memo = wb["事務メモ"]
    assert memo["A1"].value == "今月の確認事項" and memo["A1"].font.b and memo["A1"].fill.fgColor.rgb.endswith("FFF2CC")
    assert "A1:D1" in {str(r) for r in memo.merged_cells.ranges}
    assert memo["C3"].value == "=A3+B3"  # a formula stays a formula
    assert memo["A4"].number_format == "yyyy/m/d" and memo.column_dimensions["A"].width == 30
    assert [str(cf.sqref) for cf in memo.conditional_formatting] == ["B3:B10"]  # highlight rule kept
    assert [(dv.formula1, str(dv.sqref)) for dv in memo.data_validations.dataValidation] == [('"済,未"', "D3:D10")]
    assert "A1:H1" in {str(r) for r in wb["計画書_C-001"].merged_cells.ranges}
    assert wb["期限・年齢"]["C2"].value == "C-001"
    children = wb[CHILDREN.name]
    notes = [c.value for c in children[1] if c.value and str(c.value).startswith("※")]
    assert notes == ["※ 生年月日は母子手帳で確認"]  # the note beside the table stays beside it…
    assert children.cell(1, len(CHILDREN.columns) + 2).value == notes[0]  # …one empty column away
    end = openpyxl.utils.get_column_letter(len(CHILDREN.columns))
    assert next(iter(children.tables.values())).ref == f"A1:{end}4"  # …and outside the table (3 children)
    cases = wb[CASES.name]
    notes_col = [c.value for c in cases[1]].index("備考") + 1
    cell = cases.cell(3, notes_col)
    assert cell.value == "=備考は式ではない" and cell.data_type == "s"  # text typed like a formula stays text


def test_contacts_are_carried_but_never_printed(tmp_path):
    old = write_past_ledger(tmp_path / "old.xlsx", past_version("0.9"))
    out = tmp_path / "new.xlsx"
    code, stdout, stderr = xlsbridge("template", "upgrade", str(old), "--out", str(out))
    assert code == 0, stderr
    assert "見本町" not in stdout + stderr and "北陸" not in stdout + stderr  # no address, no name
    ws = openpyxl.load_workbook(out)[CONTACTS.name]
    assert [ws.cell(r, 3).value for r in (2, 3)] == ["金沢市広坂1-1-1", "小松市見本町2-2"]


# ---- versions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", KNOWN_VERSIONS, ids=lambda v: v.version)
def test_every_past_header_is_an_alias_of_todays_column(version):
    """The alias table knows every header a shipped version used (else its column would be 'own')."""
    from xlsbridge.io.upgrade import _find_sheet, _match

    for sheet in version.sheets:
        layout = LAYOUTS[sheet.layout]
        wb = openpyxl.Workbook()
        wb.active.title = sheet.title
        assert _find_sheet(wb, layout) is not None, sheet.title
        for key, header in sheet.columns:
            col = _match(layout, header)
            assert col is not None and col.key == key, (sheet.title, header)


@pytest.mark.parametrize("version", PAST_VERSIONS, ids=lambda v: v.version)
def test_version_is_recognised(tmp_path, version):
    path = write_past_ledger(tmp_path / "old.xlsx", version)
    info = ledger_version(path)
    assert info.version == version.version
    assert info.recorded == version.settings_sheets  # 0.8 had no 設定 sheet: recognised from headers


def test_version_recognised_with_staff_columns_and_the_sample_is_current():
    assert ledger_version(SAMPLE).version == "1.1" and ledger_version(SAMPLE).recorded
    headers = {s.title: [h for _, h in s.columns] + ["独自の列"] for s in past_version("0.9").sheets}
    assert detect_version(headers, None).version == "0.9"
    assert detect_version({"Sheet1": ["a"]}, None).version is None


def test_version_numbers_compare_as_numbers():
    assert version_key("1.10") > version_key("1.9") > version_key("0.9")
    assert version_key("beta") is None
    assert [v.version for v in PAST_VERSIONS] == [v.version for v in KNOWN_VERSIONS
                                                   if version_key(v.version) < version_key(TEMPLATE_VERSION)]


def test_a_newer_ledger_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    write_settings_sheets(wb, WEK, template_version="9.0")
    with pytest.raises(UserError) as info:
        carry_over(wb, as_of=AS_OF)
    assert "9.0" in info.value.ja and "pip install -U xlsbridge" in info.value.ja


def test_a_ledger_without_settings_needs_the_organisation_file(tmp_path):
    old = write_past_ledger(tmp_path / "old.xlsx", past_version("0.8"))
    code, stdout, stderr = xlsbridge("template", "upgrade", str(old), "--out", str(tmp_path / "new.xlsx"))
    assert code == 2 and stdout == ""
    assert stderr.count("\n") == 1 and "--settings" in stderr  # one line, says what to do
    toml = ROOT / "xlsbridge" / "data" / "settings" / "wek.toml"
    code, stdout, stderr = xlsbridge("template", "upgrade", str(old), "--out", str(tmp_path / "new.xlsx"),
                                     "--settings", str(toml))
    assert code == 0, stderr
    assert "ケース（元のシート名 案件一覧）: 2 行を引き継ぎました" in stdout
    assert "設定: wek.toml" in stdout


def test_charts_and_pictures_are_reported_not_dropped_silently():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("xl/charts/chart1.xml", "<c/>")
        zf.writestr("xl/media/image1.png", b"\x89PNG")
        zf.writestr("xl/media/image2.png", b"\x89PNG")
    warnings = [ja for ja, _ in _uncarried_parts(buffer.getvalue())]
    assert warnings == ["元の台帳のグラフ（1 個）は引き継げません。元の台帳から新しい台帳へ手で写してください",
                        "元の台帳の画像（2 個）は引き継げません。元の台帳から新しい台帳へ手で写してください"]


# ---- the command --------------------------------------------------------------------------------


def test_cli_refuses_to_overwrite_and_to_write_over_the_input(tmp_path):
    old = write_past_ledger(tmp_path / "old.xlsx", past_version("0.9"))
    out = tmp_path / "new.xlsx"
    out.write_bytes(b"keep")
    code, _, stderr = xlsbridge("template", "upgrade", str(old), "--out", str(out))
    assert code == 2 and "--force" in stderr
    assert out.read_bytes() == b"keep"
    code, _, stderr = xlsbridge("template", "upgrade", str(old), "--out", str(old), "--force")
    assert code == 2 and stderr.count("\n") == 1
    assert openpyxl.load_workbook(old).sheetnames[0] == "ケース"  # untouched


def test_cli_keeps_an_encrypted_ledger_encrypted(tmp_path, monkeypatch):
    from xlsbridge.io.workbook_io import encrypt

    plain = write_past_ledger(tmp_path / "plain.xlsx", past_version("0.9"), own_sheets=False)
    old = tmp_path / "locked.xlsx"
    old.write_bytes(encrypt(plain.read_bytes(), "pw-123"))
    monkeypatch.setenv("LEDGER_PW", "pw-123")
    out = tmp_path / "new.xlsx"
    code, _, stderr = xlsbridge("template", "upgrade", str(old), "--out", str(out), "--password-env", "LEDGER_PW")
    assert code == 0, stderr
    assert out.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # an encrypted (OLE) package, not a plain zip
    assert read_ledger(out, password="pw-123").ledger.template_version == TEMPLATE_VERSION


def test_cli_prints_what_changed(tmp_path):
    old = write_past_ledger(tmp_path / "old.xlsx", past_version("0.9"))
    code, stdout, stderr = xlsbridge("template", "upgrade", str(old), "--out", str(tmp_path / "new.xlsx"),
                                     "--as-of", "2025-06-30")
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0] == f"テンプレート版: 0.9 → {TEMPLATE_VERSION}"
    assert "ケース: 2 行を引き継ぎました" in lines and "面会記録: 4 行を引き継ぎました" in lines
    assert any(line.startswith("そのまま残したシート: 事務メモ、期限・年齢、計画書_C-001") for line in lines)
    assert any("入力セル" in line and "すべて同じ値" in line for line in lines)


def test_sample_upgrade_counts_rows(tmp_path):
    new, report = upgrade_file(SAMPLE, settings=None, settings_label=None, as_of=date(2026, 3, 1))
    rows = {s.sheet: s.rows for s in report.sheets}
    # workbooks/README.md: 40 cases, 57 children, 483 visits, 7 staff; 2 contact rows per case.
    assert rows == {CASES.name: 40, CONTACTS.name: 80, CHILDREN.name: 57, VISITS.name: 483, STAFF.name: 7}
    assert report.cells_checked == 8895
    assert Counter(s.added == [] for s in report.sheets)[True] == 5  # nothing new in the current template
