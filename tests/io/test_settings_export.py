"""The organisation file: `settings export` writes a commented TOML that loads back to the same
Settings (every shipped profile, a ledger's settings sheets, awkward values); `settings check` names
the line and key of every problem (or the cell of a ledger); the plan-sheet profile travels through
the TOML, the 設定 sheet and into the drawn 親子交流支援計画書."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.ledger_builder import clean_spec, write_ledger
from tests.cli_run import xlsbridge
from xlsbridge.domain.ledger import Case, Child, Ledger
from xlsbridge.domain.plan import build_plan, national_age_limit_text
from xlsbridge.domain.settings import Area, PlanItem, PlanProfile, Settings, settings_advisories
from xlsbridge.errors import UserError
from xlsbridge.io.plan_sheet import draw_plan
from xlsbridge.io.reader import read_ledger
from xlsbridge.io.settings_sheet import read_settings_sheets, settings_sheet_rows
from xlsbridge.io.settings_toml import (
    SHIPPED,
    check_settings_text,
    default_settings,
    load_settings_toml,
    settings_from_mapping,
    settings_to_toml,
    shipped_text,
)
from xlsbridge.io.upgrade import read_ledger_settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "workbooks" / "案件台帳サンプル.xlsx"


def load(text: str) -> Settings:
    return settings_from_mapping(tomllib.loads(text), "test")




# ---- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_profiles_round_trip(name):
    settings = default_settings(name)
    text = settings_to_toml(settings)
    assert load(text) == settings
    assert settings_to_toml(load(text)) == text  # stable: exporting what was loaded gives the same bytes


def test_every_profile_is_shipped_and_distinct():
    assert set(SHIPPED) == {"wek", "example-tokyo", "example-flat", "example-city"}
    texts = {settings_to_toml(default_settings(n)) for n in SHIPPED}
    assert len(texts) == len(SHIPPED)
    with pytest.raises(UserError):
        shipped_text("../wek")


def test_a_ledgers_settings_round_trip(tmp_path):
    settings, version = read_ledger_settings(SAMPLE)
    assert version.version == "1.1"
    assert load(settings_to_toml(settings)) == settings
    # Another organisation's settings, written into a ledger's sheets and read back from the file.
    spec = clean_spec()
    spec.settings = default_settings("example-tokyo")
    path = write_ledger(tmp_path / "tokyo.xlsx", spec)
    from_sheets, _ = read_ledger_settings(path)
    assert from_sheets == spec.settings
    assert load(settings_to_toml(from_sheets)) == from_sheets


def test_awkward_values_round_trip():
    base = default_settings()
    odd = base.model_copy(update={
        "organisation": 'NPO "ひだまり" \\ 支部\t(改行\nあり)',
        "office_holidays": (date(2025, 12, 29), date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 2), date(2026, 1, 3)),
        "areas": (Area(municipality="= 金沢市", distance_km=Decimal("12.3456789012345678")),
                  Area(municipality="白山市", distance_km=Decimal("7.50")), Area(municipality="能美市", fare=0)),
        "plan": PlanProfile(name="市の様式 #2", min_child_rows=5,
                            extra_items=(PlanItem(label="見直し # 予定日", source="review_date"),)),
    })
    text = settings_to_toml(odd)
    assert load(text) == odd
    assert '"12.3456789012345678"' in text  # more digits than a float holds: written as text, loads exact


def test_key_order_is_fixed():
    text = settings_to_toml(default_settings())
    headers = [line for line in text.splitlines() if line.startswith("[")]
    assert headers[:8] == ["[rules]", "[plan]", "[[schedules]]", "[schedules.member]", "[schedules.cancellation]",
                           "[[schedules.cancellation.tiers]]", "[schedules.transport]", "[schedules.contract]"]
    assert headers[8:11] == ["[[schedules.support_types]]"] * 3
    assert headers[11:] == ["[[areas]]"] * 19
    keys = [m.group(1) for m in re.finditer(r"^(\w+) =", text.split("[rules]")[1].split("[plan]")[0], re.M)]
    assert keys == list(type(default_settings().rules).model_fields)


def test_comments_name_the_settings_sheet_labels():
    text = settings_to_toml(default_settings())
    line = next(x for x in text.splitlines() if x.startswith("contract_months"))
    assert line.split("#", 1)[1].strip().startswith("契約期間(月):")  # the label on the 設定 sheet
    line = next(x for x in text.splitlines() if x.startswith("discount_per_use"))
    assert "会員割引(円)" in line
    assert text.startswith("# 団体設定ファイル（xlsbridge）: NPO法人WEKプロジェクト\n")
    # Each key is explained once: the second schedule of the Tokyo example carries no repeats.
    tokyo = settings_to_toml(default_settings("example-tokyo"))
    assert tokyo.count("# 会員割引(円)") == 1


# ---- checking ------------------------------------------------------------------------------------


BAD = """organisation = "テスト"
[rules]
contract_months = "十二"
prefectur = "石川県"
[[schedules]]
name = "A"
effective_from = 2025-04-01
[[schedules.support_types]]
key = "handover"
label_ja = "受け渡し型"
label_en = "Handover"
base_bands = [{ price = 4500 }]
[[schedules.support_types]]
key = "accompanied"
label_ja = "付き添い型"
label_en = "Accompanied"
base_bands = [{ price = -1 }]
extension = { unit_minutes = 30, unit_price = 1000, max_minutes = 100 }
"""


def test_check_lists_every_problem_with_its_line_and_key():
    settings, problems = check_settings_text(BAD, "bad.toml")
    assert settings is None
    found = [(p.line, p.key, p.ja) for p in problems]
    assert found == [
        (3, "rules.contract_months", "整数で書いてください（例 500。引用符は付けません）"),
        (4, "rules.prefectur", "この項目はありません。綴りを確かめてください（docs/admin.md に項目の一覧があります）"),
        (17, "schedules[1].support_types[2].base_bands[1].price", "0 以上にしてください"),
        (18, "schedules[1].support_types[2].extension", "延長の上限 100 分が単位 30 分の倍数ではありません"),
    ]


def test_check_reports_a_syntax_error_with_its_line():
    settings, problems = check_settings_text('organisation = "x"\n[rules\n', "broken.toml")
    assert settings is None and problems[0].line == 2 and "TOML" in problems[0].ja


def test_loading_a_bad_file_names_the_first_problem(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_settings_toml(path)
    assert info.value.ja == ("設定ファイル bad.toml の 3行目 rules.contract_months: 整数で書いてください（例 500。引用符は付けません）"
                             "（ほか 3 件: xlsbridge settings check bad.toml で一覧）")


def test_advisories():
    notes = [ja for ja, _ in settings_advisories(default_settings())]
    assert notes == ["区域: 羽咋市 ほか 9 件の交通費は見本の金額です。実際の運賃を確かめて書き換え、見本（fare_is_sample）を消してください"]
    tokyo = default_settings("example-tokyo")
    gap = tokyo.model_copy(update={"schedules": (tokyo.schedules[0].model_copy(update={"effective_to": date(2025, 2, 28)}),
                                                 tokyo.schedules[1]),
                                   "areas": tokyo.areas + (Area(municipality="とおく市", out_of_area=True),)})
    notes = [ja for ja, _ in settings_advisories(gap)]
    assert any("2025-02-28" in n and "2025-04-01" in n for n in notes)  # March is covered by no schedule
    assert any("とおく市 に距離(km)がありません" in n for n in notes)


# ---- the commands --------------------------------------------------------------------------------


def test_export_to_stdout_is_the_toml_in_utf8():
    code, out, err = xlsbridge("settings", "export", str(SAMPLE))
    assert code == 0, err
    assert out.decode("utf-8") == settings_to_toml(read_ledger(SAMPLE).ledger.settings)


def test_export_out_refuses_to_overwrite_then_template_new_uses_it(tmp_path):
    org = tmp_path / "団体設定.toml"
    code, _, err = xlsbridge("settings", "export", "--shipped", "example-city", "--out", str(org))
    assert code == 0, err
    code, _, err = xlsbridge("settings", "export", "--shipped", "wek", "--out", str(org))
    assert code == 2 and "--force" in err
    ledger = tmp_path / "台帳.xlsx"
    code, _, err = xlsbridge("template", "new", str(ledger), "--settings", str(org))
    assert code == 0, err
    assert read_ledger(ledger).ledger.settings == default_settings("example-city")  # plan profile included


def test_check_command_exit_codes(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(shipped_text("example-flat"), encoding="utf-8")
    code, out, _ = xlsbridge("settings", "check", str(good))
    assert code == 0 and out.decode("utf-8").startswith("✓ good.toml: 正しく読めました（NPO法人ひだまり面会支援（架空の例）、料金表 1 件")
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    code, out, _ = xlsbridge("settings", "check", str(bad))
    lines = out.decode("utf-8").splitlines()
    assert code == 1 and lines[0] == "✗ bad.toml 3行目 rules.contract_months: 整数で書いてください（例 500。引用符は付けません）"
    assert lines[-1] == "問題 4 件"
    code, _, err = xlsbridge("settings", "check", str(tmp_path / "none.toml"))
    assert code == 2 and err.count("\n") == 1


def test_check_a_ledger_names_the_cell(tmp_path):
    path = write_ledger(tmp_path / "台帳.xlsx", clean_spec())
    code, out, _ = xlsbridge("settings", "check", str(path))
    assert code == 0 and "✓ 台帳.xlsx" in out.decode("utf-8")
    wb = openpyxl.load_workbook(path)
    ws = wb["設定"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "契約期間(月)")
    ws.cell(row, 2).value = "一年"
    wb.save(path)
    code, out, _ = xlsbridge("settings", "check", str(path))
    assert code == 1
    assert out.decode("utf-8").splitlines()[0].startswith(f"✗ 設定!B{row}（契約期間(月)）: 「一年」を数として読めません")


# ---- the plan-sheet profile -----------------------------------------------------------------------


def test_plan_profile_travels_through_the_settings_sheet():
    city = default_settings("example-city")
    plan = settings_sheet_rows(city)
    assert read_settings_sheets({"設定": plan.settings_rows, "区域": plan.area_rows}) == city
    # WEK's form is the default: its sheet has no 計画書 block at all (the template is unchanged).
    wek = settings_sheet_rows(default_settings())
    assert not any(row and row[0] == "■ 計画書の様式" for row in wek.settings_rows)


def test_a_bad_plan_item_names_its_cell():
    city = default_settings("example-city")
    plan = settings_sheet_rows(city)
    rows = plan.settings_rows
    r = next(i for i, row in enumerate(rows) if row and row[0] == "追加項目")
    rows[r][1] = "見直し予定日=見直し日 / 対象年齢=国の事業の年齢上限"
    with pytest.raises(UserError) as info:
        read_settings_sheets({"設定": rows, "区域": plan.area_rows})
    assert info.value.ja.startswith(f"設定!B{r + 1}（追加項目）: 追加項目「見直し予定日=見直し日」を読めません")


def _plan_ledger(settings: Settings) -> tuple[Ledger, Case]:
    case = Case(row=2, case_id="C-001", application_date=date(2025, 3, 1), applicant="mother", custodial="mother",
                status="active", review_date=date(2025, 9, 1),
                father={"name": "北陸 太郎", "contract_date": date(2025, 3, 20)},
                mother={"name": "北陸 花子", "contract_date": date(2025, 3, 25)})
    children = (Child(row=2, case_id="C-001", name="一郎", birth_date=date(2018, 5, 10)),
                Child(row=3, case_id="C-001", name="花", birth_date=date(2016, 2, 29)))
    return Ledger(settings=settings, cases=(case,), children=children), case


def test_age_limit_text_hand_worked():
    rules = default_settings("example-city").rules  # 15, to the end of the school year
    children = [Child(birth_date=date(2018, 5, 10)), Child(birth_date=date(2016, 2, 29))]
    # Born 2018-05-10: school cohort 2018, reaches 15 in school year 2033 → 2034-03-31 (令和16年).
    # Born 2016-02-29: cohort 2015 (before April 2) → 2031-03-31 (令和13年).
    assert national_age_limit_text(children, rules) == "15歳に達した年度末まで（1人目 令和16年3月31日まで、2人目 令和13年3月31日まで）"
    under = default_settings().rules  # WEK: under 15
    # The day before the 15th birthday: 2033-05-09; a Feb 29 child turns 15 on 2031-03-01 → 2031-02-28.
    assert national_age_limit_text(children, under) == "15歳未満（1人目 令和15年5月9日まで、2人目 令和13年2月28日まで）"


def test_plan_sheet_draws_the_municipal_variant():
    ledger, case = _plan_ledger(default_settings("example-city"))
    plan = build_plan(ledger, case, date(2025, 7, 1))
    # contract: both signed 2025-03-25, 12 months → the term ends 2026-03-24.
    assert plan.extra_items == (("見直し予定日", "令和7年9月1日"), ("支援の終了予定日", "令和8年3月24日"),
                                ("対象年齢", "15歳に達した年度末まで（1人目 令和16年3月31日まで、2人目 令和13年3月31日まで）"))
    ws = openpyxl.Workbook().active
    draw_plan(ws, plan)
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert labels.index("9. 見直し予定日") < labels.index("10. 支援の終了予定日") < labels.index("11. 対象年齢") \
        < labels.index("12. 支援経過")
    assert "様式: ほしの市様式（架空）" in ws.cell(2, 1).value
    assert "　見直し予定日" not in labels  # the review date is stated once, as the city's item 9
    children_rows = labels.index("6. 援助内容") - labels.index("5. 親子交流を行う未成年者") - 2  # its header row, a blank row
    assert children_rows == 4  # the city's form keeps four child rows
    title = labels.index("12. 支援経過") + 1  # its row
    # the title, the table's header row, sixteen 支援経過 rows, the privacy note one row below them
    assert ws.print_area == f"'Sheet'!$A$1:$H${title + 1 + 16 + 2}"


def test_plan_sheet_default_form_is_unchanged():
    ledger, case = _plan_ledger(default_settings())
    plan = build_plan(ledger, case, date(2025, 7, 1))
    assert plan.extra_items == () and (plan.min_child_rows, plan.min_progress_rows) == (3, 12)
    ws = openpyxl.Workbook().active
    draw_plan(ws, plan)
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert "9. 支援経過" in labels and "8. 支援員氏名" in labels
    assert ws.cell(2, 1).value == "ケースID: C-001　　作成日: 令和7年7月1日"


def test_plan_command_uses_the_ledgers_plan_profile(tmp_path):
    """End to end: a ledger made with the city's settings draws the city's form with `xlsbridge plan`."""
    spec = clean_spec()
    spec.settings = default_settings("example-city")
    spec.cases[0]["review_date"] = date(2025, 9, 1)
    ledger = write_ledger(tmp_path / "台帳.xlsx", spec)
    out = tmp_path / "計画書.xlsx"
    code, _, err = xlsbridge("plan", str(ledger), "--case", "C-001", "--out", str(out), "--as-of", "2025-07-01")
    assert code == 0, err
    ws = openpyxl.load_workbook(out).worksheets[0]
    rows = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert rows["9. 見直し予定日"] == "令和7年9月1日"
    # clean_case: both parents signed by 2025-03-25; a 12-month term ends 2026-03-24.
    assert rows["10. 支援の終了予定日"] == "令和8年3月24日"
    # clean_child born 2018-05-10 → the March 31 after turning 15 in school year 2033: 2034-03-31.
    assert rows["11. 対象年齢"] == "15歳に達した年度末まで（1人目 令和16年3月31日まで）"
    assert "12. 支援経過" in rows


def test_check_refuses_transport_without_areas_in_a_file_and_a_ledger(tmp_path):
    # WEK's types charge transport; without [[areas]] no visit could be priced (every place unknown)
    text = shipped_text("wek")
    no_areas = text[:text.index("[[areas]]")]
    path = tmp_path / "no-areas.toml"
    path.write_text(no_areas, encoding="utf-8")
    code, out, _ = xlsbridge("settings", "check", str(path))
    first = out.decode("utf-8").splitlines()[0]
    assert code == 1 and first.startswith("✗ no-areas.toml ") and "行目 schedules[1].support_types[" in first
    assert "区域表" in first
    # the same settings in a ledger: the 区域 sheet's first row is named
    ledger = write_ledger(tmp_path / "台帳.xlsx", clean_spec())
    wb = openpyxl.load_workbook(ledger)
    areas = wb["区域"]
    areas.delete_rows(2, areas.max_row)
    wb.save(ledger)
    code, out, _ = xlsbridge("settings", "check", str(ledger))
    assert code == 1 and out.decode("utf-8").startswith("✗ 区域!A2: 区域表")
