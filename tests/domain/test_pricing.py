"""The fee engine against the rule book (domain.md "Fees", "Payment and cancellation").

Every expected amount is worked out by hand from WEK's leaflet; the arithmetic is in the comment.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from xlsbridge.domain.money import Ratio, split
from xlsbridge.domain.pricing import PricingError, PricingRequest, implausible_notice, price_contract, price_visit
from xlsbridge.domain.settings import (
    Cancellation,
    CancellationTier,
    ChildAddon,
    ContractFees,
    Extension,
    FeeSchedule,
    MemberPricing,
    PriceBand,
    Rules,
    Settings,
    SupportType,
    Transport,
    Area,
)
from xlsbridge.io.settings_toml import default_settings

WEK = default_settings()
DAY = date(2025, 6, 14)  # a Saturday


def quote(**kw) -> dict:
    member = kw.pop("member", "none")
    settings = kw.pop("settings", WEK)
    kw.setdefault("visit_date", DAY)
    return price_visit(PricingRequest.with_member(member, **kw), settings).as_json()


def pricing_error(**kw) -> str:
    with pytest.raises(PricingError) as info:
        quote(**kw)
    return info.value.code


# --- base fees per support type --------------------------------------------------------------


def test_coordination_base_and_even_split():
    # 連絡調整型 1回 2,000円; 1:1 → 1,000 + 1,000
    r = quote(support_type="coordination")
    assert (r["base"], r["gross"], r["total"]) == (2000, 2000, 2000)
    assert (r["father_share"], r["mother_share"]) == (1000, 1000)


def test_coordination_has_no_addons():
    # no child add-on for coordination, and (interpretation) no transport: it is done by e-mail
    r = quote(support_type="coordination", children=3, municipality="七尾市")
    assert (r["child_addon"], r["transport"], r["gross"]) == (0, 0, 2000)
    assert pricing_error(support_type="coordination", extension_minutes=30) == "extension-not-allowed"


def test_handover_extra_children_half_base():
    # 受け渡し型 4,500円; 3 children → 2 extra × (4,500 / 2 = 2,250) = 4,500; gross 9,000
    r = quote(support_type="handover", children=3)
    assert (r["base"], r["child_addon"], r["gross"]) == (4500, 4500, 9000)


def test_handover_has_no_extension():
    assert pricing_error(support_type="handover", extension_minutes=30) == "extension-not-allowed"


def test_accompanied_base_children_extension():
    # 付き添い型 8,500円 (2h); 2 children → +4,250 (half of 8,500); 60 min = 2 × 30 min × 1,000 = 2,000
    # gross 8,500 + 4,250 + 2,000 = 14,750
    r = quote(support_type="accompanied", children=2, extension_minutes=60)
    assert (r["base"], r["child_addon"], r["extension"], r["gross"]) == (8500, 4250, 2000, 14750)


@pytest.mark.parametrize("minutes, amount", [(30, 1000), (90, 3000), (120, 4000)])
def test_accompanied_extension_units(minutes, amount):
    # 30分毎 1,000円, up to 2 hours: minutes / 30 × 1,000
    assert quote(support_type="accompanied", extension_minutes=minutes)["extension"] == amount


@pytest.mark.parametrize(
    "minutes, code",
    [(45, "extension-unit"), (150, "extension-over-cap"), (180, "extension-over-cap"), (-30, "extension-negative")],
)
def test_accompanied_extension_rejected(minutes, code):
    assert pricing_error(support_type="accompanied", extension_minutes=minutes) == code


def test_extension_needs_prior_agreement():
    assert pricing_error(support_type="accompanied", extension_minutes=30, extension_agreed=False) == "extension-not-agreed"
    # no extension: agreement does not matter
    assert quote(support_type="accompanied", extension_agreed=False)["gross"] == 8500


def test_zero_children_rejected():
    assert pricing_error(support_type="handover", children=0) == "children-too-few"


def test_unknown_support_type():
    assert pricing_error(support_type="online") == "unknown-support-type"


# --- transport ------------------------------------------------------------------------------


def test_out_of_area_fare_added():
    # 七尾市 is north of 羽咋市 → out of area; the sample fare in the area table is 1,690
    r = quote(support_type="handover", municipality="七尾市")
    assert (r["transport"], r["gross"]) == (1690, 4500 + 1690)


def test_in_area_no_fare_and_prefecture_prefix_accepted():
    assert quote(support_type="handover", municipality="石川県白山市")["transport"] == 0
    assert quote(support_type="handover", municipality="　金沢市 ")["transport"] == 0


def test_unknown_municipality():
    assert pricing_error(support_type="handover", municipality="富山市") == "municipality-unknown"


@pytest.mark.parametrize("town", ["羽咋市", "志賀町", "中能登町", "七尾市", "穴水町", "輪島市", "能登町", "珠洲市", "小松市", "加賀市"])
def test_every_out_of_area_town_from_the_leaflet_is_out(town):
    assert WEK.area(town).out_of_area and WEK.area(town).fare > 0


@pytest.mark.parametrize("town", ["金沢市", "白山市", "野々市市", "能美市", "川北町", "かほく市", "津幡町", "内灘町", "宝達志水町"])
def test_every_in_area_town_from_the_leaflet_is_in(town):
    assert not WEK.area(town).out_of_area


# --- member discount, ratio, odd yen, reduction ----------------------------------------------


def test_member_discount_off_the_member_parents_share():
    # 4,500 → 2,250 each; father is a member: 2,250 − 500 = 1,750; total 4,000
    r = quote(support_type="handover", member="father")
    assert (r["father_share"], r["mother_share"], r["member_discount"], r["total"]) == (1750, 2250, 500, 4000)


def test_both_members():
    # 2,250 − 500 = 1,750 each; total 3,500
    r = quote(support_type="handover", member="both")
    assert (r["father_share"], r["mother_share"], r["total"]) == (1750, 1750, 3500)


def test_the_issue_example():
    # accompanied, 2 children, 60 min extension, father member:
    # gross 14,750 → 7,375 each; father 7,375 − 500 = 6,875; total 14,250; due 5 days before: 2025-06-09
    r = quote(support_type="accompanied", children=2, extension_minutes=60, member="father")
    assert (r["father_share"], r["mother_share"], r["total"], r["due_date"]) == (6875, 7375, 14250, "2025-06-09")


def test_agreed_ratio():
    # handover in 小松市: 4,500 + 510 = 5,010; 60:40 → 3,006 / 2,004
    r = quote(support_type="handover", municipality="小松市", ratio=Ratio.parse("60:40"))
    assert (r["father_share"], r["mother_share"]) == (3006, 2004)


def test_one_parent_pays_all_and_a_discount_never_goes_below_zero():
    # 1:0 → father pays 4,500; mother (a member) pays 0, so her discount is 0, not −500
    r = quote(support_type="handover", ratio=Ratio.parse("1:0"), member="mother")
    assert (r["father_share"], r["mother_share"], r["member_discount"]) == (4500, 0, 0)


def test_odd_yen_goes_to_the_configured_parent():
    # 2,000 at 1:2 → father's exact part 666.67: father takes the odd yen → 667, mother 1,333
    r = quote(support_type="coordination", ratio=Ratio.parse("1:2"))
    assert (r["father_share"], r["mother_share"]) == (667, 1333)
    mother_takes = WEK.model_copy(update={"rules": Rules(odd_yen_to="mother")})
    r = quote(support_type="coordination", ratio=Ratio.parse("1:2"), settings=mother_takes)
    # mother's exact part 1,333.33 → 1,334; father 666
    assert (r["father_share"], r["mother_share"]) == (666, 1334)


def test_hardship_reduction():
    # 4,500 − 1,000 reduction = 3,500 → 1,750 each
    r = quote(support_type="handover", reduction=1000)
    assert (r["reduction"], r["total"], r["father_share"]) == (1000, 3500, 1750)
    # a reduction of the whole fee leaves nothing to pay: 2,000 − 2,000 = 0
    r = quote(support_type="coordination", reduction=2000)
    assert (r["reduction"], r["total"], r["father_share"], r["mother_share"]) == (2000, 0, 0, 0)
    assert pricing_error(support_type="coordination", reduction=-1) == "reduction-negative"


def test_a_reduction_larger_than_the_fee_is_refused_not_cut():
    # domain.md: "A reduction never exceeds the fee it reduces; a larger one is an input error, not a
    # silent cap."  Before, 5,000 off coordination's 2,000 was silently cut to 2,000.
    with pytest.raises(PricingError) as info:
        quote(support_type="coordination", reduction=5000)
    assert (info.value.code, info.value.field, info.value.params) == (
        "reduction-over-fee", "reduction", {"value": 5000, "fee": 2000})
    # The fee it reduces is the whole visit: handover 4,500 + a 2nd child 2,250 + 小松市 510 = 7,260.
    assert pricing_error(support_type="handover", children=2, municipality="小松市", reduction=7261) == "reduction-over-fee"
    assert quote(support_type="handover", children=2, municipality="小松市", reduction=7260)["total"] == 0


def test_an_accompanied_visit_longer_than_two_hours_is_refused_not_priced_as_two_hours():
    # The accompanied fee buys 120 minutes.  Before, 180 minutes (10:00–13:00, no extension) gave 8,500.
    assert quote(support_type="accompanied", duration_minutes=120)["total"] == 8500
    with pytest.raises(PricingError) as info:
        quote(support_type="accompanied", duration_minutes=180)
    assert (info.value.code, info.value.field) == ("duration-over-included", "duration_minutes")
    assert (info.value.params["value"], info.value.params["limit"]) == (180, 120)
    # 120 booked + 60 extension agreed: 8,500 + 2 × 1,000 = 10,500
    assert quote(support_type="accompanied", duration_minutes=120, extension_minutes=60)["total"] == 10500
    # Types without an included time (handover) have no such limit.
    assert quote(support_type="handover", duration_minutes=300)["total"] == 4500


def test_a_type_priced_by_time_bands_needs_the_time():
    # _other_org's accompanied steps 6,000 (≤ 120 min) / 10,000 (≤ 240 min).  Before, no duration took
    # the cheapest band, 6,000.
    both = dict(settings=_other_org(), municipality="新宿区", member="both", visit_date=date(2025, 1, 10))
    with pytest.raises(PricingError) as info:
        quote(support_type="accompanied", **both)
    assert (info.value.code, info.value.params) == ("duration-needed", {"type_ja": "付き添い"})
    # A flat type of the same schedule needs none: handover 7,000.
    assert quote(support_type="handover", **both)["base"] == 7000


def test_a_capped_member_discount_says_why():
    # coordination 2,000 at 9:1 → father 1,800, mother 200; the mother's ¥500 discount is held to her
    # 200 (a share never goes below zero): total 1,800.
    r = quote(support_type="coordination", member="mother", ratio=Ratio.parse("9:1"))
    assert (r["father_share"], r["mother_share"], r["mother_member_discount"]) == (1800, 0, 200)
    assert r["caps"] == [{"kind": "member_discount", "parent": "mother", "wanted": 500, "applied": 200}]
    assert "caps" not in quote(support_type="coordination", member="mother")  # 1,000 − 500: nothing capped


def test_refunds_add_up_to_what_was_paid_less_500_when_a_parent_paid_less_than_their_part():
    # domain.md: the refunds always add up to what was paid − ¥500; a parent who paid less than their
    # part of the ¥500 gets 0 and the rest comes off the other parent's refund.
    # coordination 2,000 at 9:1, mother a member → father 1,800, mother 0 (above).  Cancelled by the
    # mother the day before at 11:00: ¥500 at 9:1 = 450 / 50; she paid 0, so 0 from her and her 50
    # off the father's refund: father 1,800 − 500 = 1,300, mother 0; 1,300 = 1,800 − 500.
    r = quote(support_type="coordination", member="mother", ratio=Ratio.parse("9:1"),
              cancelled_at=datetime(2025, 6, 13, 11, 0), cancelled_by="mother")
    assert (r["father_refund"], r["mother_refund"], r["refund"], r["cancellation_charge"]) == (1300, 0, 1300, 500)
    assert {"kind": "cancellation_charge", "parent": "mother", "wanted": 50, "applied": 0} in r["caps"]
    # 1:0 — the mother pays nothing: accompanied 8,500 all the father's; he gets 8,000 back.
    r = quote(support_type="accompanied", ratio=Ratio.parse("1:0"),
              cancelled_at=datetime(2025, 6, 13, 11, 0), cancelled_by="father")
    assert (r["father_refund"], r["mother_refund"], r["refund"]) == (8000, 0, 8000)


@pytest.mark.parametrize("notice, start, expected", [
    (datetime(2025, 6, 14, 10, 1), time(10, 0), "after_start"),   # a minute after the visit began
    (datetime(2025, 6, 14, 9, 59), time(10, 0), None),            # the same morning, before it began
    (datetime(2025, 6, 14, 23, 0), None, None),                   # no start time: the visit day counts
    (datetime(2025, 6, 15, 0, 0), None, "after_start"),           # the day after
    (datetime(2025, 4, 15, 9, 0), time(10, 0), None),             # 60 days before (06-14 − 04-15 = 60)
    (datetime(2025, 4, 14, 9, 0), time(10, 0), "too_early"),      # 61 days before
])
def test_implausible_cancellation_notices(notice, start, expected):
    assert implausible_notice(DAY, start, notice, 60) == expected


def test_per_visit_discount_scope_is_a_setting():
    # scope per_visit: one 500 discount for the visit, split 250 / 250 → 2,000 and 2,000
    sched = WEK.schedules[0]
    per_visit = sched.model_copy(update={"member": MemberPricing(discount_scope="per_visit")})
    s = WEK.model_copy(update={"schedules": (per_visit,)})
    r = quote(support_type="handover", member="father", settings=s)
    assert (r["father_share"], r["mother_share"], r["total"]) == (2000, 2000, 4000)


# --- payment and cancellation ----------------------------------------------------------------


def test_due_date_five_days_before():
    assert quote(support_type="handover", visit_date=date(2025, 3, 3))["due_date"] == "2025-02-26"  # across a month


def test_cancel_before_noon_the_day_before_refunds_less_insurance():
    # paid 4,500 (2,250 each); notice 2025-06-13 11:59 < 12:00 → refund 4,500 − 500 = 4,000; 250 each kept
    r = quote(support_type="handover", cancelled_at=datetime(2025, 6, 13, 11, 59), cancelled_by="mother")
    assert (r["refund"], r["father_refund"], r["mother_refund"], r["cancellation_charge"]) == (4000, 2000, 2000, 500)


def test_cancel_at_noon_the_day_before_refunds_nothing():
    r = quote(support_type="handover", cancelled_at=datetime(2025, 6, 13, 12, 0), cancelled_by="father")
    assert (r["refund"], r["father_refund"], r["mother_refund"]) == (0, 0, 0)
    r = quote(support_type="handover", cancelled_at=datetime(2025, 6, 14, 8, 0), cancelled_by="father")
    assert r["refund"] == 0


def test_cancel_days_ahead_is_the_same_tier():
    r = quote(support_type="accompanied", cancelled_at=datetime(2025, 6, 1, 9, 0), cancelled_by="father")
    assert r["refund"] == 8500 - 500


def test_issue_example_cancellations():
    # total 14,250 (father 6,875 / mother 7,375). Before the cut-off: 500 kept, 250 each →
    # father 6,625, mother 7,125, refund 13,750. After: nothing back.
    kw = dict(support_type="accompanied", children=2, extension_minutes=60, member="father", cancelled_by="father")
    before = quote(cancelled_at=datetime(2025, 6, 13, 11, 30), **kw)
    assert (before["refund"], before["father_refund"], before["mother_refund"]) == (13750, 6625, 7125)
    after = quote(cancelled_at=datetime(2025, 6, 13, 12, 30), **kw)
    assert (after["refund"], after["father_refund"], after["mother_refund"]) == (0, 0, 0)


def test_insurance_part_in_the_agreed_ratio():
    # 5,010 at 60:40 → 3,006 / 2,004; 500 kept at 60:40 → 300 / 200; refunds 2,706 / 1,804
    r = quote(support_type="handover", municipality="小松市", ratio=Ratio.parse("60:40"),
              cancelled_at=datetime(2025, 6, 12, 17, 0), cancelled_by="father")
    assert (r["father_refund"], r["mother_refund"], r["refund"]) == (2706, 1804, 4510)


def test_insurance_part_never_exceeds_what_a_parent_paid():
    # coordination 2,000, reduction 1,000 → 1,000 → 500 each; father member → father 0, mother 500.
    # 500 kept at 1:1 = 250 / 250, but father paid 0: his 250 moves to mother → both refunds 0.
    r = quote(support_type="coordination", reduction=1000, member="father",
              cancelled_at=datetime(2025, 6, 10, 10, 0), cancelled_by="mother")
    assert (r["father_share"], r["mother_share"]) == (0, 500)
    assert (r["father_refund"], r["mother_refund"], r["cancellation_charge"]) == (0, 0, 500)


def test_organisation_cancels_full_refund():
    r = quote(support_type="accompanied", cancelled_by="organisation")
    assert (r["refund"], r["father_refund"], r["mother_refund"]) == (8500, 4250, 4250)


def test_parent_cancellation_needs_its_time():
    assert pricing_error(support_type="handover", cancelled_by="father") == "cancel-time-missing"


# --- schedules over time ---------------------------------------------------------------------


def _two_schedules() -> Settings:
    old = WEK.schedules[0]
    types = tuple(
        t.model_copy(update={"base_bands": (PriceBand(price=5000),)}) if t.key == "handover" else t
        for t in old.support_types
    )
    new = old.model_copy(update={"name": "2026改定", "effective_from": date(2026, 4, 1), "support_types": types})
    return WEK.model_copy(update={"schedules": (old, new)})


def test_visit_priced_with_the_schedule_in_force_on_its_date():
    s = _two_schedules()
    assert quote(support_type="handover", visit_date=date(2026, 3, 31), settings=s)["base"] == 4500
    assert quote(support_type="handover", visit_date=date(2026, 4, 1), settings=s)["base"] == 5000
    assert quote(support_type="handover", visit_date=date(2026, 4, 1), settings=s)["schedule"] == "2026改定"


def test_no_schedule_before_the_first():
    assert pricing_error(support_type="handover", visit_date=date(2018, 6, 30)) == "no-fee-schedule"


# --- rule kinds other organisations use (issue: fee schedules for any organisation) ----------


def _other_org() -> Settings:
    visit = SupportType(
        key="accompanied", label_ja="付き添い", label_en="Accompanied",
        base_bands=(PriceBand(up_to_minutes=120, price=6000), PriceBand(up_to_minutes=240, price=10000)),
        included_minutes=240,
        child_addon=ChildAddon(kind="fixed_per_child", amount=1000, included_children=1),
        extension=Extension(unit_minutes=60, unit_price=2500, max_minutes=180, partial_unit="round_up"),
    )
    flat = SupportType(
        key="handover", label_ja="受け渡し", label_en="Handover", base_bands=(PriceBand(price=7000),),
        child_addon=ChildAddon(kind="fixed_per_child", amount=1500, included_children=3),
    )
    sched = FeeSchedule(
        name="example", effective_from=date(2024, 1, 1), support_types=(visit, flat),
        member=MemberPricing(discount_per_use=0, non_member_percent=150),
        cancellation=Cancellation(
            tiers=(CancellationTier(days_before=3, at=time(17, 0)),
                   CancellationTier(days_before=1, at=time(17, 0), charge_percent=50)),
            late_charge_percent=100,
        ),
        transport=Transport(kind="per_km", rate_per_km=30, round_trip=True, staff_count=2),
        contract=ContractFees(contract_fee=10000, renewal_fee=5000, deposit=3000),
    )
    areas = (Area(municipality="新宿区"), Area(municipality="八王子市", out_of_area=True, distance_km="42.5"))
    return Settings(organisation="example", schedules=(sched,), areas=areas, rules=Rules(prefecture="東京都"))


def test_duration_bands():
    s = _other_org()
    both = dict(settings=s, municipality="新宿区", member="both", visit_date=date(2025, 1, 10))
    assert quote(support_type="accompanied", duration_minutes=120, **both)["base"] == 6000
    assert quote(support_type="accompanied", duration_minutes=121, **both)["base"] == 10000
    assert quote(support_type="accompanied", duration_minutes=240, **both)["base"] == 10000
    with pytest.raises(PricingError) as info:
        quote(support_type="accompanied", duration_minutes=241, **both)
    assert info.value.code == "duration-over-bands"


def test_extension_per_hour_round_up():
    # 60-minute units at 2,500; 61 minutes is two started units → 5,000; cap 180
    s = _other_org()
    # (an extension follows the 240 minutes the fee includes)
    kw = dict(settings=s, municipality="新宿区", member="both", visit_date=date(2025, 1, 10), support_type="accompanied",
              duration_minutes=240)
    assert quote(extension_minutes=61, **kw)["extension"] == 5000
    assert quote(extension_minutes=180, **kw)["extension"] == 7500
    with pytest.raises(PricingError):
        quote(extension_minutes=181, **kw)


def test_fixed_amount_per_sibling_and_children_included_in_a_flat_price():
    s = _other_org()
    kw = dict(settings=s, municipality="新宿区", member="both", visit_date=date(2025, 1, 10))
    # accompanied: 1 included, 3 children → 2 × 1,000
    assert quote(support_type="accompanied", children=3, duration_minutes=120, **kw)["child_addon"] == 2000
    # handover: flat 7,000 covers up to 3 children; the 4th adds 1,500
    assert quote(support_type="handover", children=3, **kw)["child_addon"] == 0
    assert quote(support_type="handover", children=4, **kw)["child_addon"] == 1500


def test_non_member_pays_a_multiple_of_the_member_price():
    # handover 7,000 → 3,500 each; the non-member father pays 150 %: 3,500 + 1,750 = 5,250
    s = _other_org()
    r = quote(support_type="handover", settings=s, municipality="新宿区", member="mother", visit_date=date(2025, 1, 10))
    assert (r["father_share"], r["mother_share"], r["non_member_surcharge"], r["total"]) == (5250, 3500, 1750, 8750)


def test_transport_per_km_round_trip_times_staff():
    # 42.5 km × 2 (round trip) × 30 yen × 2 staff = 5,100
    s = _other_org()
    r = quote(support_type="handover", settings=s, municipality="八王子市", member="both", visit_date=date(2025, 1, 10))
    assert r["transport"] == 5100


def test_percentage_cancellation_tiers():
    # visit 2025-01-10, 7,000 total (both members). Notice before 2025-01-07 17:00 → 0 %;
    # before 2025-01-09 17:00 → 50 % = 3,500 kept; later → 100 %.
    s = _other_org()
    kw = dict(settings=s, support_type="handover", municipality="新宿区", member="both",
              visit_date=date(2025, 1, 10), cancelled_by="father")
    assert quote(cancelled_at=datetime(2025, 1, 7, 16, 59), **kw)["refund"] == 7000
    assert quote(cancelled_at=datetime(2025, 1, 7, 17, 0), **kw)["refund"] == 3500
    assert quote(cancelled_at=datetime(2025, 1, 9, 16, 59), **kw)["refund"] == 3500
    assert quote(cancelled_at=datetime(2025, 1, 9, 17, 0), **kw)["refund"] == 0


def test_contract_and_renewal_fees_and_deposit():
    s = _other_org()
    first = price_contract(s, date(2025, 1, 5), renewal=False)
    again = price_contract(s, date(2026, 1, 5), renewal=True)
    assert (first.fee, first.deposit, first.total) == (10000, 3000, 13000)
    assert (again.fee, again.deposit) == (5000, 0)
    # WEK: no application fee (申込金はありません)
    assert price_contract(WEK, date(2025, 1, 5), renewal=False).total == 0


# --- settings that contradict themselves are refused -----------------------------------------


def test_overlapping_schedules_refused():
    a = WEK.schedules[0].model_copy(update={"effective_to": date(2026, 4, 30)})
    b = WEK.schedules[0].model_copy(update={"name": "new", "effective_from": date(2026, 4, 1)})
    with pytest.raises(ValueError, match="重なって"):
        Settings(schedules=(a, b), areas=WEK.areas)


def test_same_start_date_refused():
    with pytest.raises(ValueError, match="2つあります"):
        Settings(schedules=(WEK.schedules[0], WEK.schedules[0]))


def test_included_time_beyond_the_bands_refused():
    with pytest.raises(ValueError, match="基本時間"):
        SupportType(key="x", label_ja="x", label_en="x", included_minutes=300,
                    base_bands=(PriceBand(up_to_minutes=240, price=1),))


def test_extension_cap_must_be_whole_units():
    with pytest.raises(ValueError, match="倍数"):
        Extension(unit_minutes=30, unit_price=1000, max_minutes=100)


# --- properties ------------------------------------------------------------------------------

requests = st.builds(
    dict,
    support_type=st.sampled_from(["coordination", "handover", "accompanied"]),
    visit_date=st.dates(date(2018, 7, 1), date(2035, 12, 31)),
    children=st.integers(1, 5),
    municipality=st.sampled_from([a.municipality for a in WEK.areas]),
    member=st.sampled_from(["none", "father", "mother", "both"]),
    ratio=st.tuples(st.integers(0, 10), st.integers(0, 10)).filter(lambda r: r != (0, 0)),
    reduction=st.integers(0, 20000),
    extension_units=st.integers(0, 4),
    cancel=st.one_of(st.none(), st.tuples(st.integers(-3, 10), st.integers(0, 23)), st.just("organisation")),
)


def _price(p: dict):
    from datetime import timedelta

    kw = dict(p)
    f, m = kw.pop("ratio")
    kw["ratio"] = Ratio.parse(f"{f}:{m}")
    units = kw.pop("extension_units")
    kw["extension_minutes"] = 30 * units if kw["support_type"] == "accompanied" else 0
    cancel = kw.pop("cancel")
    if cancel == "organisation":
        kw["cancelled_by"] = "organisation"
    elif cancel is not None:
        days, hour = cancel
        kw["cancelled_by"] = "father"
        kw["cancelled_at"] = datetime.combine(kw["visit_date"] - timedelta(days=days), time(hour))
    member = kw.pop("member")
    # A reduction is at most the fee it reduces (a larger one is refused): fold the drawn one into it.
    gross = price_visit(PricingRequest.with_member(member, **{**kw, "reduction": 0}), WEK).gross
    kw["reduction"] %= gross + 1
    return price_visit(PricingRequest.with_member(member, **kw), WEK)


@hsettings(max_examples=400, deadline=None)
@given(requests)
def test_shares_add_up_and_nothing_is_negative(p):
    b = _price(p)
    assert b.father_share + b.mother_share == b.total
    assert b.gross == b.base + b.child_addon + b.extension + b.transport
    assert b.total == b.gross - b.reduction - b.member_discount + b.non_member_surcharge
    amounts = [b.base, b.child_addon, b.extension, b.transport, b.gross, b.reduction, b.member_discount,
               b.father_share, b.mother_share, b.total]
    assert all(a >= 0 for a in amounts)
    if b.cancelled:
        assert b.father_refund + b.mother_refund == b.refund
        assert 0 <= b.father_refund <= b.father_share and 0 <= b.mother_refund <= b.mother_share
        assert b.refund + b.cancellation_charge == b.total
        cancel = p["cancel"]
        if cancel not in (None, "organisation") and cancel[0] >= 2:  # a parent, well before the noon cut-off
            # What was paid − ¥500 (or nothing when less than ¥500 was paid), however the shares fell.
            assert b.refund == b.total - min(500, b.total)


@hsettings(max_examples=200, deadline=None)
@given(requests, st.randoms(use_true_random=False))
def test_input_order_does_not_matter(p, rnd):
    items = list(p.items())
    rnd.shuffle(items)
    assert _price(dict(items)) == _price(p)


@given(st.integers(0, 10**7), st.integers(0, 100), st.integers(0, 100), st.sampled_from(["father", "mother"]))
def test_split_is_whole_and_exact(amount, f, m, odd):
    if f == m == 0:
        return
    parts = split(amount, Ratio.parse(f"{f}:{m}"), odd)
    assert parts["father"] + parts["mother"] == amount
    assert min(parts.values()) >= 0
    exact = amount * f / (f + m)
    assert abs(parts["father"] - exact) < 1  # never more than the odd yen away from the exact part
