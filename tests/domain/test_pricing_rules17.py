"""Issue 17: the fee rules real organisations publish that the settings could not express.

One fictional profile (below, as an admin would write it) uses every new rule; each test works the
amounts out by hand in its comment.  The profile is read from TOML and carried through the 設定 sheet
and back, so every rule is proved to be a field in both places.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from xlsbridge.domain.money import Ratio
from xlsbridge.domain.pricing import PricingError, PricingRequest, price_visit
from xlsbridge.io.settings_sheet import read_settings_sheets, settings_sheet_rows
from xlsbridge.io.settings_toml import check_settings_text, settings_to_toml

PROFILE = """
organisation = "ほしの親子支援（架空）"

[rules]
prefecture = "ほしの県"

[[schedules]]
name = "2025年度"
effective_from = 2025-04-01
insurance_per_visit = 200
costs_split = "equal"

[schedules.member]
discount_per_use = 0
non_member_percent = 150
non_member_applies_to = "excluding_transport"

[schedules.cancellation]
tiers = []
late_charge_percent = 100

[schedules.transport]
kind = "per_km"
rate_per_km = 30
round_trip = true
staff_count = 2
paid_by = "visiting_parent"

[schedules.contract]
pre_consultation_fee = 5000
case_deposit = 50000
deposit_warn_below = 10000

[[schedules.support_types]]
key = "handover"
label_ja = "受け渡し型"
base_bands = [{ price = 6000 }]
transport_staff_count = 1

[[schedules.support_types]]
key = "accompanied"
label_ja = "付き添い型"
label_en = "Accompanied"
base_bands = [{ price = 10000 }]
included_minutes = 120
extension = { unit_minutes = 30, unit_price = 1000, partial_unit = "round_up", requires_agreement = false }
extra_adult_fee = 1500

[[areas]]
municipality = "ほしの市"

[[areas]]
municipality = "かわせみ市"
out_of_area = true
distance_km = 20
"""

DAY = date(2025, 6, 14)


def _load(text: str):
    settings, problems = check_settings_text(text, "rules17.toml")
    assert settings is not None, [p.message() for p in problems]
    return settings


S = _load(PROFILE)


def price(settings=S, **kw):
    kw.setdefault("visit_date", DAY)
    kw.setdefault("municipality", "ほしの市")
    kw.setdefault("father_member", True)
    kw.setdefault("mother_member", True)
    kw.setdefault("visiting_parent", "father")
    return price_visit(PricingRequest(**kw), settings)


def variant(**update):
    """The profile with some of its schedule's fields changed ("transport__paid_by": a sub-table's)."""
    schedule = S.schedules[0]
    changes = {}
    for key, value in update.items():
        if "__" in key:
            sub, name = key.split("__")
            changes[sub] = (changes.get(sub) or getattr(schedule, sub)).model_copy(update={name: value})
        else:
            changes[key] = value
    return S.model_copy(update={"schedules": (schedule.model_copy(update=changes),)})


# --- the profile is a field in the TOML file and in the 設定 sheet -----------------------------------


def test_the_profile_survives_the_settings_sheet_and_the_exported_toml():
    plan = settings_sheet_rows(S)
    assert read_settings_sheets({"設定": plan.settings_rows, "区域": plan.area_rows}) == S
    assert _load(settings_to_toml(S)) == S


def test_label_en_may_be_left_out_in_toml_like_on_the_sheet():
    # handover has no label_en: like an empty 名称(英語) cell it is the key
    assert S.schedules[0].support_type("handover").label_en == "handover"
    assert S.schedules[0].support_type("accompanied").label_en == "Accompanied"


def test_the_new_columns_are_on_the_sheet():
    plan = settings_sheet_rows(S)
    header = plan.settings_rows[plan.headers["■ 料金表"]]
    row = plan.settings_rows[plan.data["■ 料金表"][0]]
    cells = dict(zip(header, row))
    assert cells["非会員料金の対象"] == "交通費を除く"
    assert cells["交通費の負担"] == "別居親"
    assert (cells["事前面談料"], cells["ケース預り金"], cells["預り金の警告(円)"]) == (5000, 50000, 10000)
    assert (cells["保険料(1回)"], cells["実費の負担"]) == (200, "折半")
    fee_header = plan.settings_rows[plan.headers["■ 支援類型別料金"]]
    first, second = (dict(zip(fee_header, plan.settings_rows[r])) for r in range(*plan.data["■ 支援類型別料金"]))
    assert (first["交通費の支援員数"], second["交通費の支援員数"]) == (1, None)
    assert (second["大人追加(円)"], second["延長上限(分)"]) == (1500, None)


# --- an extension with no upper limit ------------------------------------------------------------------


def test_an_extension_without_max_minutes_has_no_cap():
    # 付き添い型 10,000 + 300 minutes = 10 units × 1,000 = 10,000 → fee 20,000, 10,000 each;
    # insurance 200 → 100 each: father 10,100, mother 10,100, total 20,200
    b = price(support_type="accompanied", duration_minutes=120, extension_minutes=300)
    assert (b.base, b.extension, b.gross, b.insurance) == (10000, 10000, 20000, 200)
    assert (b.father_share, b.mother_share, b.total) == (10100, 10100, 20200)


# --- extra adults (大人追加) ------------------------------------------------------------------------------


def test_each_extra_adult_adds_the_types_fee():
    # 付き添い型 10,000 + 2 extra adults × 1,500 = 13,000; + insurance 200 → 6,600 each, total 13,200
    b = price(support_type="accompanied", extra_adults=2)
    assert (b.extra_adults, b.gross, b.total) == (3000, 13000, 13200)
    assert (b.father_share, b.mother_share) == (6600, 6600)
    # a type without the fee adds nothing: 受け渡し型 6,000 + 200 = 6,200
    assert price(support_type="handover", extra_adults=2).total == 6200


# --- staff per support type, transport paid by the visiting parent --------------------------------------


def test_per_km_transport_counts_the_staff_of_the_support_type():
    # かわせみ市 20 km, round trip, 30 yen/km: handover with 1 staff 20 × 2 × 30 × 1 = 1,200;
    # accompanied takes the schedule's 2 staff: 20 × 2 × 30 × 2 = 2,400
    assert price(support_type="handover", municipality="かわせみ市").transport == 1200
    assert price(support_type="accompanied", municipality="かわせみ市").transport == 2400


def test_the_visiting_parent_pays_the_transport_alone():
    # 受け渡し型 6,000 at 1:1 → 3,000 each; the father visits: transport 1,200 is his alone;
    # insurance 200 → 100 each.  Father 3,000 + 1,200 + 100 = 4,300, mother 3,000 + 100 = 3,100; 7,400
    b = price(support_type="handover", municipality="かわせみ市")
    assert (b.father_transport, b.mother_transport) == (1200, 0)
    assert (b.father_share, b.mother_share, b.total) == (4300, 3100, 7400)
    # the mother visits: the other way round
    b = price(support_type="handover", municipality="かわせみ市", visiting_parent="mother")
    assert (b.father_share, b.mother_share) == (3100, 4300)


def test_split_transport_stays_split_by_the_ratio():
    # paid_by = ratio: 6,000 + 1,200 = 7,200 at 1:1 → 3,600 + 100 insurance each = 3,700 / 3,700
    b = price(variant(transport__paid_by="ratio"), support_type="handover", municipality="かわせみ市")
    assert (b.father_share, b.mother_share) == (3700, 3700)


def test_a_reduction_comes_off_the_fee_before_the_transport_the_visiting_parent_pays():
    # fee 6,000 − reduction 2,000 = 4,000 → 2,000 each; transport 1,200 to the father;
    # father 2,000 + 1,200 + 100 = 3,300, mother 2,100
    b = price(support_type="handover", municipality="かわせみ市", reduction=2000)
    assert (b.father_share, b.mother_share) == (3300, 2100)
    # a reduction larger than the fee also reduces the transport: 7,000 off 7,200 leaves 200 of transport
    b = price(support_type="handover", municipality="かわせみ市", reduction=7000)
    assert (b.father_transport, b.father_share, b.mother_share) == (200, 300, 100)


def test_no_visiting_parent_is_a_refusal_not_a_guess():
    with pytest.raises(PricingError) as info:
        price(support_type="handover", municipality="かわせみ市", visiting_parent=None)
    assert info.value.code == "visiting-parent-unknown"
    # in-area nothing is transported, so nothing needs the visiting parent
    assert price(support_type="handover", visiting_parent=None).total == 6200


# --- the non-member surcharge that leaves the transport out ---------------------------------------------


def test_the_non_member_surcharge_can_leave_the_transport_out():
    # father not a member, visiting: his fee share 3,000 × 50 % = 1,500 (not on his 1,200 transport);
    # father 3,000 + 1,200 + 1,500 + 100 = 5,800, mother 3,100, total 8,900
    b = price(support_type="handover", municipality="かわせみ市", father_member=False)
    assert b.non_member_surcharge == 1500
    assert (b.father_share, b.mother_share, b.total) == (5800, 3100, 8900)
    # non_member_applies_to = all multiplies the transport too: (3,000 + 1,200) × 50 % = 2,100 → 6,400
    b = price(variant(member__non_member_applies_to="all"), support_type="handover", municipality="かわせみ市",
              father_member=False)
    assert (b.non_member_surcharge, b.father_share) == (2100, 6400)


def test_split_transport_is_left_out_of_the_surcharge_by_each_parents_part():
    # paid_by = ratio, both non-members: 7,200 → 3,600 each, of which transport 600;
    # surcharge (3,600 − 600) × 50 % = 1,500 each; + 100 insurance → 5,200 each, total 10,400
    b = price(variant(transport__paid_by="ratio"), support_type="handover", municipality="かわせみ市",
              father_member=False, mother_member=False)
    assert (b.non_member_surcharge, b.father_share, b.mother_share) == (3000, 5200, 5200)


# --- actual costs and insurance ---------------------------------------------------------------------------


def test_actual_costs_split_half_each_and_insurance_by_the_ratio():
    # 受け渡し型 6,000 at 2:1 → 4,000 / 2,000; insurance 200 at 2:1: the father (odd yen) 134, mother 66;
    # costs 1,001 half each, the odd yen to the father: 501 / 500.
    # father 4,000 + 134 + 501 = 4,635, mother 2,000 + 66 + 500 = 2,566, total 7,201
    b = price(support_type="handover", ratio=Ratio.parse("2:1"), costs=1001)
    assert (b.insurance, b.costs, b.gross) == (200, 1001, 6000)
    assert (b.father_share, b.mother_share, b.total) == (4635, 2566, 7201)


@pytest.mark.parametrize("rule, father, mother", [
    # by the ratio 2:1: 1,001 → father 668 (667.33 rounded up), mother 333
    ("ratio", 4000 + 134 + 668, 2000 + 66 + 333),
    # the visiting parent (the father) pays all 1,001
    ("visiting_parent", 4000 + 134 + 1001, 2000 + 66),
])
def test_actual_costs_follow_the_chosen_rule(rule, father, mother):
    b = price(variant(costs_split=rule), support_type="handover", ratio=Ratio.parse("2:1"), costs=1001)
    assert (b.father_share, b.mother_share) == (father, mother)


def test_a_cancelled_visit_is_not_insured_and_its_costs_are_not_refunded():
    # notice after the last cut-off (no tiers, late 100 %): the 6,000 is kept, refund 0; no insurance;
    # the room hire of 800 was spent: 400 each on top.  Father 3,400, mother 3,400
    b = price(support_type="handover", costs=800, cancelled_by="father", cancelled_at=datetime(2025, 6, 13, 9, 0))
    assert (b.insurance, b.refund) == (0, 0)
    assert (b.father_share, b.mother_share, b.total) == (3400, 3400, 6800)


def test_negative_adults_and_costs_are_refused():
    for kw, code in (({"extra_adults": -1}, "adults-negative"), ({"costs": -5}, "costs-negative")):
        with pytest.raises(PricingError) as info:
            price(support_type="accompanied", **kw)
        assert info.value.code == code


# --- defaults that surprised --------------------------------------------------------------------------


def _without(section: str) -> str:
    """PROFILE without one table (the header and its keys up to the next blank line)."""
    start = PROFILE.index(section)
    end = PROFILE.index("\n\n", start)
    return PROFILE[:start] + PROFILE[end + 2:]


def test_left_out_cancellation_tiers_are_none_not_weks_noon_rule():
    # No [schedules.cancellation]: no cut-off and no late charge — a cancellation refunds all 6,000
    # (plus no insurance: the visit did not take place).  Before: WEK's "noon the day before, 500 kept".
    settings = _load(_without("[schedules.cancellation]"))
    rule = settings.schedules[0].cancellation
    assert (rule.tiers, rule.late_charge_percent) == ((), 0)
    b = price(settings, support_type="handover", cancelled_by="father", cancelled_at=datetime(2025, 6, 13, 9, 0))
    assert (b.refund, b.cancellation_charge) == (6000, 0)
    # the same on the 設定 sheet: an empty キャンセル cell and 締切後の負担(%) mean none
    plan = settings_sheet_rows(S)
    header = plan.settings_rows[plan.headers["■ 料金表"]]
    row = plan.settings_rows[plan.data["■ 料金表"][0]]
    row[header.index("キャンセル")] = None
    row[header.index("締切後の負担(%)")] = None
    read = read_settings_sheets({"設定": plan.settings_rows, "区域": plan.area_rows})
    assert (read.schedules[0].cancellation.tiers, read.schedules[0].cancellation.late_charge_percent) == ((), 0)


def test_the_wek_profile_keeps_its_noon_rule():
    from xlsbridge.io.settings_toml import default_settings

    tier, = default_settings().schedules[0].cancellation.tiers
    assert (tier.days_before, tier.at.hour, tier.fixed_charge) == (1, 12, 500)


def test_settings_check_refuses_transport_without_areas():
    text = PROFILE[:PROFILE.index("[[areas]]")]
    settings, problems = check_settings_text(text, "no-areas.toml")
    assert settings is None
    # line of handover's transport: the first type that charges it; its [[schedules.support_types]] header
    first_type_line = text.splitlines().index("[[schedules.support_types]]") + 1
    assert [(p.line, p.key) for p in problems] == [(first_type_line, "schedules[1].support_types[1].transport_applies")]
    assert "区域表" in problems[0].ja


def test_a_schedule_overlap_names_its_line():
    second = PROFILE[PROFILE.index("[[schedules]]"):PROFILE.index("[[areas]]")].replace(
        'name = "2025年度"', 'name = "2025年度後期"').replace("effective_from = 2025-04-01", "effective_from = 2025-10-01")
    first = PROFILE[:PROFILE.index("[[areas]]")].replace(
        "effective_from = 2025-04-01", "effective_from = 2025-04-01\neffective_to = 2025-12-31")
    text = first + second + PROFILE[PROFILE.index("[[areas]]"):]
    settings, problems = check_settings_text(text, "overlap.toml")
    assert settings is None
    line = text.splitlines().index("effective_from = 2025-10-01") + 1
    assert [(p.line, p.key) for p in problems] == [(line, "schedules[2].effective_from")]
    assert "重なっています" in problems[0].ja


def test_a_wrong_choice_is_named_with_its_japanese_term():
    text = PROFILE.replace('costs_split = "equal"', 'costs_split = "half"')
    _, problems = check_settings_text(text, "bad-choice.toml")
    assert problems[0].key == "schedules[1].costs_split"
    assert problems[0].ja == '次のどれかにしてください: "ratio"（負担割合） / "equal"（折半） / "visiting_parent"（別居親）'


def test_the_exported_holiday_comment_says_due_dates_do_not_move():
    # domain.md keeps due dates as plain calendar days: 2025-06-14 − 5 = 2025-06-09 even on a holiday
    text = settings_to_toml(S)
    line = next(x for x in text.splitlines() if x.startswith("office_holidays"))
    assert "支払期限は暦日で数え、休業日・祝日でも動きません" in line
    on_holiday = S.model_copy(update={"office_holidays": (date(2025, 6, 9),)})
    assert price(on_holiday, support_type="handover").due_date == date(2025, 6, 9)


# --- the shipped flat example: pre-consultation fee and a case deposit drawn down ---------------------


def test_flat_example_case_statement_draws_the_deposit_down():
    # example-flat: 事前面談料 2,000 per parent, 登録料 3,000 per parent, case deposit 30,000 at 60:40 →
    # father 18,000, mother 12,000.  付き添い型 9,000 in ひだまり市, no members → 5,400 / 3,600 a visit.
    # Two held visits draw 10,800 / 7,200: left 7,200 / 4,800 (the mother's part is already under the
    # 5,000 warning); the planned third takes 5,400 / 3,600 more → 1,800 / 1,200: both warned.
    from xlsbridge.domain.ledger import Case, Ledger, ParentRecord, Visit
    from xlsbridge.domain.ledger_fees import case_statement, price_ledger
    from xlsbridge.io.settings_toml import default_settings

    flat = default_settings("example-flat")
    case = Case(case_id="C-1", custodial="mother", ratio=Ratio.parse("60:40"), row=2,
                father=ParentRecord(pre_consultation=date(2025, 4, 1), contract_date=date(2025, 4, 10)),
                mother=ParentRecord(pre_consultation=date(2025, 4, 2), contract_date=date(2025, 4, 12)))
    visits = tuple(Visit(visit_id=f"V-{i}", case_id="C-1", visit_date=day, support_type="accompanied", children=1,
                         municipality="ひだまり市", status=status, row=i + 1)
                   for i, (day, status) in enumerate([(date(2025, 5, 10), "held"), (date(2025, 6, 14), "held"),
                                                      (date(2025, 7, 12), "planned")], start=1))
    ledger = Ledger(settings=flat, cases=(case,), visits=visits)
    prices = price_ledger(ledger, [])
    assert [(p.breakdown.father_share, p.breakdown.mother_share) for p in prices] == [(5400, 3600)] * 3
    s = case_statement(case, prices, flat)
    assert s.charges["pre_consultation"] == {"father": 2000, "mother": 2000}
    assert s.charges["contract"] == {"father": 3000, "mother": 3000}
    assert s.deposit_paid == {"father": 18000, "mother": 12000}
    assert (s.drawn, s.left) == ({"father": 10800, "mother": 7200}, {"father": 7200, "mother": 4800})
    assert s.left_after_planned == {"father": 1800, "mother": 1200} and s.low == ("father", "mother")
    # everything outside the visits the father pays: 2,000 + 3,000 + 18,000 = 23,000
    assert s.charged("father") == 23000
    assert s.refund_due == {"father": 0, "mother": 0}  # the case still runs
    # the case ends after the two held visits (the planned one dropped): 7,200 / 4,800 are refunded
    ended = case.model_copy(update={"status": "closed"})
    s = case_statement(ended, prices[:2], flat)
    assert s.refund_due == {"father": 7200, "mother": 4800} and s.low == ()


def test_a_place_listed_twice_names_the_line_of_the_second():
    text = PROFILE + '\n[[areas]]\nmunicipality = "かわせみ市"\n'
    settings, problems = check_settings_text(text, "twice.toml")
    assert settings is None
    line = len(text.splitlines())  # the second かわせみ市, on the last line
    assert [(p.line, p.key) for p in problems] == [(line, "areas[3].municipality")]
    assert "2回" in problems[0].ja
