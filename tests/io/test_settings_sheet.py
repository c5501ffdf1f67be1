"""The settings sheets (設定, 区域): round trip for every shipped profile, staff spellings, and every
invalid cell named in a UserError that says what to fix.  Also the worked examples of docs/fee-rules.md.
"""

from __future__ import annotations

import copy
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from xlsbridge.domain.money import Ratio
from xlsbridge.domain.pricing import PricingError, PricingRequest, price_contract, price_visit
from xlsbridge.errors import UserError
from xlsbridge.io.settings_sheet import (
    SECTION_FEES,
    SECTION_SCHEDULES,
    read_settings_sheets,
    read_template_version,
    settings_sheet_rows,
    write_settings_sheets,
)
from xlsbridge.io.settings_toml import default_settings

PROFILES = ("wek", "example-tokyo", "example-flat")


def sheets_of(settings, version=None) -> dict[str, list[list]]:
    plan = settings_sheet_rows(settings, version)
    return {"設定": copy.deepcopy(plan.settings_rows), "区域": copy.deepcopy(plan.area_rows)}


def saved(settings) -> bytes:
    wb = openpyxl.Workbook()
    write_settings_sheets(wb, settings, template_version="1.0")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def find(rows: list[list], text: str) -> tuple[int, int]:
    """(row index, column index) of the first cell holding ``text``."""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value == text:
                return r, c
    raise AssertionError(f"{text!r} not found")


def header_col(rows: list[list], section: str, header: str) -> tuple[int, int]:
    """(first data row, column) of ``header`` in the table under ``section``."""
    r, _ = find(rows, section)
    c = rows[r + 1].index(header)
    return r + 2, c


def set_cell(rows: list[list], r: int, c: int, value) -> None:
    while len(rows[r]) <= c:
        rows[r].append(None)
    rows[r][c] = value


def error_of(sheets) -> str:
    with pytest.raises(UserError) as info:
        read_settings_sheets(sheets)
    return info.value.ja


def letter(c: int) -> str:
    return openpyxl.utils.get_column_letter(c + 1)


# ---- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PROFILES)
def test_round_trip_rows(name):
    settings = default_settings(name)
    assert read_settings_sheets(sheets_of(settings)) == settings


@pytest.mark.parametrize("name", PROFILES)
def test_round_trip_through_openpyxl_and_calamine(name):
    from python_calamine import CalamineWorkbook

    settings = default_settings(name)
    data = saved(settings)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    rows = {n: [list(r) for r in wb[n].iter_rows(values_only=True)] for n in ("設定", "区域")}
    assert read_settings_sheets(rows) == settings
    assert read_template_version(rows) == "1.0"
    cw = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = {n: cw.get_sheet_by_name(n).to_python() for n in ("設定", "区域")}
    assert read_settings_sheets(rows) == settings


def test_every_profile_exercises_every_rule_kind():
    all_types = [st for n in PROFILES for s in default_settings(n).schedules for st in s.support_types]
    schedules = [s for n in PROFILES for s in default_settings(n).schedules]
    assert {st.child_addon.kind for st in all_types} == {"none", "fraction_of_base", "fixed_per_child"}
    assert any(len(st.base_bands) > 1 for st in all_types)
    assert {st.extension.partial_unit for st in all_types if st.extension} == {"reject", "round_up"}
    assert {st.extension.requires_agreement for st in all_types if st.extension} == {True, False}
    assert {s.member.discount_scope for s in schedules} == {"per_member_parent", "per_visit"}
    assert any(s.member.non_member_percent > 100 for s in schedules)
    assert {s.transport.kind for s in schedules} == {"fare_table", "per_km"}
    assert any(t.charge_percent for s in schedules for t in s.cancellation.tiers)
    assert any(t.fixed_charge for s in schedules for t in s.cancellation.tiers)
    assert any(s.contract.contract_fee and s.contract.renewal_fee and s.contract.deposit for s in schedules)
    assert any(s.effective_to for s in schedules)
    assert any(st.child_addon.included_children > 1 and st.child_addon.max_children for st in all_types)
    assert "online" in default_settings("example-tokyo").support_type_keys
    assert {default_settings(n).rules.renewal_exclusion for n in PROFILES} == {"junior_high", "age"}


def test_sheet_layout_is_what_the_docs_show():
    rows = sheets_of(default_settings(), "1.0")["設定"]
    r, c = header_col(rows, SECTION_FEES, "基本料金")
    keys = [row[1] for row in rows[r:r + 3]]
    assert keys == ["coordination", "handover", "accompanied"]
    assert rows[r + 2][c] == 8500
    r, c = header_col(rows, SECTION_SCHEDULES, "キャンセル")
    assert rows[r][c] == "前日12:00まで 0% +500円"
    tokyo = sheets_of(default_settings("example-tokyo"))["設定"]
    r, c = header_col(tokyo, SECTION_FEES, "基本料金")
    assert "120分まで 12000 / 240分まで 20000" in [row[c] for row in tokyo[r:r + 8]]
    r, c = header_col(tokyo, SECTION_SCHEDULES, "キャンセル")
    assert tokyo[r][c] == "3日前17:00まで 0% / 前日17:00まで 50%"


def test_written_sheets_have_drop_downs_and_text_fraction_cells():
    wb = openpyxl.load_workbook(io.BytesIO(saved(default_settings())))
    ws = wb["設定"]
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"なし,基本料金の割合,1人あたり定額"' in lists and '"○,×"' in lists and '"父,母"' in lists
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    r, c = header_col(rows, SECTION_FEES, "割合")
    assert ws.cell(r + 2, c + 1).number_format == "@"  # so Excel keeps 1/2 as text
    assert wb["区域"].tables["区域表"].ref.startswith("A1:E")


# ---- what staff type --------------------------------------------------------------------------


def test_staff_spellings_are_read():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, _ = find(rows, "契約期間(月)")
    rows[r][1] = "１２か月 "
    r, _ = find(rows, "端数を負担する親")
    rows[r][1] = " 母 "
    r, c = header_col(rows, SECTION_FEES, "基本料金")
    rows[r + 1][c] = "４，５００円"
    r2, c2 = header_col(rows, SECTION_FEES, "交通費")
    rows[r2 + 1][c2] = "はい"
    rows[r2][c2] = "FALSE"
    r3, c3 = header_col(rows, SECTION_FEES, "延長の事前相談")
    rows[r3 + 2][c3] = "○"
    r4, c4 = header_col(rows, SECTION_FEES, "割合")
    rows[r4 + 1][c4] = "50%"
    r5, c5 = header_col(rows, SECTION_SCHEDULES, "キャンセル")
    rows[r5][c5] = "前日の正午まで 0％ ＋500円"
    area = sheets["区域"]
    area[1][0] = "金沢市　"
    area[10][1] = True
    s = read_settings_sheets(sheets)
    wek = default_settings()
    assert s.rules.contract_months == 12 and s.rules.odd_yen_to == "mother"
    handover = s.schedules[0].support_type("handover")
    assert handover.base_bands[0].price == 4500
    assert handover.transport_applies is True
    assert (handover.child_addon.numerator, handover.child_addon.denominator) == (1, 2)
    assert s.schedules[0].support_type("coordination").transport_applies is False
    assert s.schedules[0].support_type("accompanied").extension.requires_agreement is True
    assert s.schedules[0].cancellation == wek.schedules[0].cancellation
    assert s.area("金沢市") is not None and s.area("羽咋市").out_of_area


def test_bands_written_in_hours_and_open_ended():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "基本料金")
    rows[r + 1][c] = "2時間まで 4500 / それ以上 6000"
    bands = read_settings_sheets(sheets).schedules[0].support_type("handover").base_bands
    assert [(b.up_to_minutes, b.price) for b in bands] == [(120, 4500), (None, 6000)]


def test_missing_optional_cells_take_the_defaults():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, _ = find(rows, "見直し間隔(月)")
    rows[r][1] = None
    r, c = header_col(rows, SECTION_FEES, "名称(英語)")
    rows[r][c] = None
    s = read_settings_sheets(sheets)
    assert s.rules.review_interval_months == 3
    assert s.schedules[0].support_type("coordination").label_en == "coordination"


def test_holidays_and_notes_columns():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    rows.append([date(2025, 12, 29), "年末休業"])
    rows.append(["R8.1.2", None])
    r, _ = find(rows, "料金表名")
    rows[r].append("備考（管理者メモ）")
    s = read_settings_sheets(sheets)
    assert s.office_holidays == (date(2025, 12, 29), date(2026, 1, 2))


# ---- invalid cells name the cell ---------------------------------------------------------------


def test_overlapping_schedule_dates():
    sheets = sheets_of(default_settings("example-tokyo"))
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_SCHEDULES, "適用終了日")
    rows[r][c] = date(2025, 6, 30)  # the 2023 schedule now runs into the 2025 one
    start = rows[r - 1].index("適用開始日")
    message = error_of(sheets)
    assert message.startswith(f"設定!{letter(start)}{r + 2}（適用開始日）: ")
    assert "重なっています" in message


def test_end_before_start():
    sheets = sheets_of(default_settings("example-tokyo"))
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_SCHEDULES, "適用終了日")
    rows[r][c] = date(2022, 1, 1)
    assert error_of(sheets).startswith(f"設定!{letter(c)}{r + 1}（適用終了日）: ")


def test_band_order():
    sheets = sheets_of(default_settings("example-tokyo"))
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "基本料金")
    rows[r + 2][c] = "240分まで 20000 / 120分まで 12000"
    message = error_of(sheets)
    assert message.startswith(f"設定!{letter(c)}{r + 3}（基本料金）: ")
    assert "小さい順" in message


def test_included_time_beyond_last_band():
    sheets = sheets_of(default_settings("example-tokyo"))
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "基本時間(分)")
    rows[r + 2][c] = 300
    message = error_of(sheets)
    assert message.startswith(f"設定!{letter(rows[r - 1].index('基本料金'))}{r + 3}（基本料金）: ")
    assert "基本時間 300 分" in message


def test_cap_not_a_multiple_of_the_unit():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "延長上限(分)")
    rows[r + 2][c] = 100
    message = error_of(sheets)
    assert message.startswith(f"設定!{letter(c)}{r + 3}（延長上限(分)）: ")
    assert "倍数" in message


def test_bad_number():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "延長単価")
    rows[r + 2][c] = "千円"
    message = error_of(sheets)
    assert message.startswith(f"設定!{letter(c)}{r + 3}（延長単価）: ")
    assert "数として読めません" in message


def test_negative_number():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_SCHEDULES, "会員割引(円)")
    rows[r][c] = -500
    assert error_of(sheets) == f"設定!{letter(c)}{r + 1}（会員割引(円)）: 0 以上にしてください"


def test_unknown_choice():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "子ども加算")
    rows[r + 1][c] = "半額"
    assert error_of(sheets) == (f"設定!{letter(c)}{r + 2}（子ども加算）: 「半額」は選べません。"
                                "次のどれかにしてください: なし / 基本料金の割合 / 1人あたり定額")


def test_unknown_rule_choice_and_unknown_rule():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, _ = find(rows, "更新時の除外")
    rows[r][1] = "高校生"
    assert error_of(sheets).startswith(f"設定!B{r + 1}（更新時の除外）: 「高校生」は選べません")
    sheets = sheets_of(default_settings())
    sheets["設定"][r][0] = "契約の期間"
    assert error_of(sheets).startswith(f"設定!A{r + 1}: 項目「契約の期間」はありません")


def test_unknown_header():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "延長単価")
    rows[r - 1][c] = "延長料金"
    message = error_of(sheets)
    assert message.startswith(f"設定!{letter(c)}{r}: 見出し「延長料金」はこの表の列ではありません")


def test_fraction_that_became_a_date():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "割合")
    rows[r + 1][c] = datetime(2026, 1, 2)
    assert error_of(sheets).startswith(f"設定!{letter(c)}{r + 2}（割合）: 割合が日付に変わっています")


def test_bad_cancellation_text_and_order():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_SCHEDULES, "キャンセル")
    rows[r][c] = "前日まで半額"
    assert error_of(sheets).startswith(f"設定!{letter(c)}{r + 1}（キャンセル）: キャンセル区分「前日まで半額」を読めません")
    rows[r][c] = "前日17:00まで 50% / 3日前17:00まで 0%"
    message = error_of(sheets)
    assert message.startswith(f"設定!{letter(c)}{r + 1}（キャンセル）: ") and "早い締切から順に" in message


def test_extension_without_price():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "延長単価")
    rows[r + 2][c] = None
    assert error_of(sheets) == f"設定!{letter(c)}{r + 3}（延長単価）: 入力してください"


def test_bad_key():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "キー")
    rows[r][c] = "Coordination Type"
    assert error_of(sheets).startswith(f"設定!{letter(c)}{r + 1}（キー）: 英小文字で始まり")


def test_repeated_support_type():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "キー")
    rows[r + 2][c] = "handover"
    message = error_of(sheets)
    assert message.startswith(f"設定!{letter(c)}{r + 3}（キー）: ") and "重複" in message


def test_fee_row_of_an_unknown_schedule():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "料金表名")
    rows[r + 1][c] = "WEK 2019年"
    assert error_of(sheets).startswith(f"設定!{letter(c)}{r + 2}（料金表名）: 料金表「WEK 2019年」が")


def test_schedule_without_fee_rows():
    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_SCHEDULES, "料金表名")
    rows.insert(r + 1, list(rows[r]))
    rows[r + 1][c] = "2027年改定"
    rows[r + 1][rows[r - 1].index("適用開始日")] = date(2027, 4, 1)
    assert error_of(sheets).startswith(f"設定!{letter(c)}{r + 2}（料金表名）: 料金表「2027年改定」の支援類型別料金がありません")


def test_duplicate_area():
    sheets = sheets_of(default_settings())
    area = sheets["区域"]
    area.append(["金沢市 ", "×", None, None, None])
    message = error_of(sheets)
    assert message.startswith(f"区域!A{len(area)}（市町村）: ") and "2回" in message


def test_area_bad_distance():
    sheets = sheets_of(default_settings("example-tokyo"))
    sheets["区域"][3][3] = "7キロくらい"
    assert error_of(sheets).startswith("区域!D4（距離(km)）: ")


def test_missing_sheet_and_block():
    sheets = sheets_of(default_settings())
    del sheets["区域"]
    assert "「区域」シートがありません" in error_of(sheets)
    sheets = sheets_of(default_settings())
    r, _ = find(sheets["設定"], SECTION_FEES)
    sheets["設定"][r][0] = "支援類型の料金"
    assert "■ 支援類型別料金" in error_of(sheets)


def test_error_message_has_no_traceback_and_english():
    from xlsbridge.i18n import set_lang

    sheets = sheets_of(default_settings())
    rows = sheets["設定"]
    r, c = header_col(rows, SECTION_FEES, "延長上限(分)")
    rows[r + 2][c] = 100
    with pytest.raises(UserError) as info:
        read_settings_sheets(sheets)
    assert "\n" not in info.value.ja and "\n" not in info.value.en
    assert info.value.en.startswith(f"設定!{letter(c)}{r + 3}（延長上限(分)）: extension cap 100 min")
    set_lang("en")
    try:
        assert str(info.value) == info.value.en
    finally:
        set_lang("ja")


# ---- docs/fee-rules.md: the worked examples --------------------------------------------------

WEK = default_settings("wek")
TOKYO = default_settings("example-tokyo")
FLAT = default_settings("example-flat")
DAY = date(2025, 6, 14)


def price(settings, **kw):
    kw.setdefault("visit_date", DAY)
    kw.setdefault("municipality", settings.areas[0].municipality)
    return price_visit(PricingRequest(**kw), settings)


def both(**kw):
    return dict(father_member=True, mother_member=True, **kw)


@pytest.mark.parametrize("settings, request_, expected", [
    (WEK, dict(support_type="handover"), dict(total=4500, father_share=2250, due_date=date(2025, 6, 9))),
    (TOKYO, both(support_type="accompanied", duration_minutes=120), dict(base=13000, total=13000)),
    (TOKYO, both(support_type="accompanied", duration_minutes=180), dict(base=22000, total=22000)),
    (TOKYO, both(support_type="accompanied", duration_minutes=120, visit_date=date(2024, 6, 15)), dict(total=12000)),
    (WEK, dict(support_type="coordination", children=3), dict(total=2000)),
    (WEK, dict(support_type="handover", children=2), dict(total=6750)),
    (TOKYO, both(support_type="handover", children=3), dict(total=8500)),
    (FLAT, dict(support_type="handover", children=3), dict(total=5000)),
    (WEK, dict(support_type="accompanied", children=2, extension_minutes=60, father_member=True),
     dict(gross=14750, father_share=6875, mother_share=7375, total=14250)),
    (TOKYO, both(support_type="accompanied", duration_minutes=240, extension_minutes=90, extension_agreed=False),
     dict(extension=11000, total=33000)),
    (TOKYO, both(support_type="online", duration_minutes=60, extension_minutes=15, extension_agreed=False),
     dict(total=6000)),
    (WEK, dict(support_type="handover", father_member=True), dict(father_share=1750, mother_share=2250, total=4000)),
    (FLAT, dict(support_type="handover", ratio=Ratio.parse("60:40"), mother_member=True),
     dict(father_share=2400, mother_share=1600, total=4000)),
    (TOKYO, dict(support_type="handover", father_member=True), dict(father_share=3250, mother_share=4875, total=8125)),
    (WEK, dict(support_type="handover", municipality="小松市"), dict(transport=510, total=5010)),
    (WEK, dict(support_type="coordination", municipality="小松市"), dict(transport=0, total=2000)),
    (FLAT, dict(support_type="handover", municipality="はるかぜ市"), dict(total=5620)),
    (TOKYO, both(support_type="handover", municipality="かわせみ市"), dict(transport=1440, total=7940)),
    (WEK, dict(support_type="accompanied", reduction=2000), dict(total=6500, father_share=3250)),
    (WEK, dict(support_type="accompanied", ratio=Ratio.parse("2:1")), dict(father_share=5667, mother_share=2833)),
    (TOKYO, both(support_type="handover"), dict(due_date=date(2025, 6, 7))),
    (FLAT, dict(support_type="handover"), dict(due_date=date(2025, 6, 11))),
    (WEK, dict(support_type="accompanied", cancelled_at=datetime(2025, 6, 13, 11, 30), cancelled_by="mother"),
     dict(refund=8000, father_refund=4000)),
    (WEK, dict(support_type="accompanied", cancelled_at=datetime(2025, 6, 13, 12, 0), cancelled_by="mother"),
     dict(refund=0)),
    (WEK, dict(support_type="accompanied", cancelled_at=datetime(2025, 6, 14, 7, 0), cancelled_by="organisation"),
     dict(refund=8500)),
    (TOKYO, both(support_type="handover", cancelled_at=datetime(2025, 6, 11, 16), cancelled_by="father"),
     dict(refund=6500)),
    (TOKYO, both(support_type="handover", cancelled_at=datetime(2025, 6, 12, 10), cancelled_by="father"),
     dict(refund=3250, cancellation_charge=3250)),
    (TOKYO, both(support_type="handover", cancelled_at=datetime(2025, 6, 13, 18), cancelled_by="father"),
     dict(refund=0)),
    (FLAT, dict(support_type="accompanied", cancelled_at=datetime(2025, 6, 12, 17), cancelled_by="father"),
     dict(refund=9000)),
    (FLAT, dict(support_type="accompanied", cancelled_at=datetime(2025, 6, 13, 11), cancelled_by="father"),
     dict(refund=8000)),
    (FLAT, dict(support_type="accompanied", cancelled_at=datetime(2025, 6, 13, 12), cancelled_by="father"),
     dict(refund=0)),
])
def test_fee_rules_doc_examples(settings, request_, expected):
    b = price(settings, **request_)
    assert {k: getattr(b, k) for k in expected} == expected


@pytest.mark.parametrize("settings, request_, code", [
    (TOKYO, both(support_type="accompanied", duration_minutes=300), "duration-over-bands"),
    (FLAT, dict(support_type="handover", children=4), "children-too-many"),
    (WEK, dict(support_type="accompanied", extension_minutes=45), "extension-unit"),
    (WEK, dict(support_type="accompanied", extension_minutes=150), "extension-over-cap"),
    (WEK, dict(support_type="accompanied", extension_minutes=60, extension_agreed=False), "extension-not-agreed"),
])
def test_fee_rules_doc_refusals(settings, request_, code):
    with pytest.raises(PricingError) as info:
        price(settings, **request_)
    assert info.value.code == code


def test_fee_rules_doc_contract_fees():
    first = price_contract(TOKYO, date(2025, 5, 1), renewal=False)
    renewal = price_contract(TOKYO, date(2026, 5, 1), renewal=True)
    assert (first.fee, first.deposit, renewal.fee, renewal.deposit) == (10000, 10000, 5000, 0)
    assert price_contract(FLAT, date(2025, 5, 1), renewal=False).fee == 3000
    assert TOKYO.area("かわせみ市").distance_km == Decimal(24)
    assert WEK.area("小松市").fare_is_sample
