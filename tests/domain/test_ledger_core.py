"""Pure ledger-level rules: pricing every visit, summaries, flags and the plan sheet content.

The ledgers are built as models here (no workbook), so each rule is tested on its own; the
workbook round trips are in test_fees_cli.py, test_flags_cli.py and test_plan.py.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from xlsbridge.domain.contracts import next_review
from xlsbridge.domain.findings import CATALOG, Finding, FindingType, Location
from xlsbridge.domain.flags import upcoming_flags
from xlsbridge.domain.ledger import Case, Child, Ledger, ParentRecord, Visit
from xlsbridge.domain.ledger_fees import breakdown_text, price_ledger, summarise
from xlsbridge.domain.money import Ratio
from xlsbridge.domain.plan import build_plan
from xlsbridge.i18n import set_lang
from xlsbridge.io.settings_toml import default_settings

WEK = default_settings()
set_lang("ja")


def case(**kw) -> Case:
    base = dict(
        case_id="C001", row=2, status="active", applicant="mother", custodial="mother",
        application_date=date(2025, 3, 1),
        father=ParentRecord(name="山田 太郎", pre_consultation=date(2025, 3, 10), contract_date=date(2025, 4, 1)),
        mother=ParentRecord(name="山田 花子", pre_consultation=date(2025, 3, 11), contract_date=date(2025, 4, 3)),
        support_type="accompanied", condition="continuing", frequency="月1回", staff="支援員A",
    )
    base.update(kw)
    return Case(**base)


def visit(n: int, **kw) -> Visit:
    base = dict(visit_id=f"V{n:03d}", row=n + 1, case_id="C001", visit_date=date(2025, 6, 14),
                start=time(10), end=time(12), support_type="accompanied", children=1, place_kind="children_centre",
                municipality="金沢市", status="held", staff="支援員A", content="公園で遊んだ")
    base.update(kw)
    return Visit(**base)


def ledger(cases, visits=(), children=(), **kw) -> Ledger:
    return Ledger(settings=WEK, cases=tuple(cases), visits=tuple(visits), children=tuple(children), **kw)


# --- pricing the ledger ----------------------------------------------------------------------


def test_the_breakdown_text_says_why_an_amount_was_capped():
    # handover 4,500 at 1:0: the father pays it all, the mother nothing; her ¥500 member discount is held
    # to her share, 0.  Total 4,500.
    c = case(support_type="handover", ratio=Ratio.parse("1:0"),
             mother=ParentRecord(name="x", contract_date=date(2025, 4, 3), member=True))
    v = visit(1, support_type="handover", start=None, end=None)
    [vp] = price_ledger(ledger([c], [v]), [])
    assert breakdown_text(vp.breakdown, WEK, v) == "受け渡し型 4,500 = 4,500円（母の会員割引 500円は母の負担額 0円まで）"


def test_ledger_visits_use_the_cases_ratio_membership_and_reduction():
    # handover 4,500; case ratio 60:40, mother a member, reduction 500:
    # 4,500 − 500 = 4,000 → 2,400 / 1,600; mother −500 → 1,100; total 3,500
    c = case(support_type="handover", ratio=Ratio.parse("60:40"), reduction=500,
             mother=ParentRecord(name="x", contract_date=date(2025, 4, 3), member=True))
    [vp] = price_ledger(ledger([c], [visit(1, support_type="handover", start=None, end=None)]), [])
    b = vp.breakdown
    assert (b.father_share, b.mother_share, b.total) == (2400, 1100, 3500)


def test_duration_comes_from_the_times_without_the_extension():
    # 10:00–12:30 with a 30-minute extension: booked 120 min; extension 1 × 1,000
    [vp] = price_ledger(ledger([case()], [visit(1, end=time(12, 30), extension_minutes=30, extension_agreed=True)]), [])
    assert (vp.breakdown.base, vp.breakdown.extension) == (8500, 1000)


@pytest.fixture
def codes(monkeypatch):
    """Finding types for these tests only (the real ones belong to the validation rules)."""
    for code, severity in (("test-visit-error", "error"), ("test-case-error", "error"), ("test-warning", "warning")):
        monkeypatch.setitem(CATALOG, code, FindingType(code=code, severity=severity, name_ja=code, name_en=code, template_ja="", template_en="", description_ja="", description_en="", source="test"))


def test_a_visit_with_an_error_is_not_priced_and_points_at_the_finding(codes):
    v = visit(1)
    finding = Finding("test-visit-error", Location("面会記録", 2, "visit_date", cell="C2"), record="V001")
    [vp] = price_ledger(ledger([case()], [v]), [finding])
    assert vp.breakdown is None
    assert vp.blocked_by == ("test-visit-error",) and vp.blocked_cells == ("面会記録!C2",)


def test_an_error_on_the_cases_ratio_blocks_its_visits_but_other_case_errors_do_not(codes):
    v = visit(1)
    ratio_error = Finding("test-case-error", Location("ケース", 2, "ratio", cell="P2"))
    late_consult = Finding("test-case-error", Location("ケース", 2, "father.pre_consultation", cell="H2"))
    assert price_ledger(ledger([case()], [v]), [ratio_error])[0].breakdown is None
    assert price_ledger(ledger([case()], [v]), [late_consult])[0].breakdown is not None


def test_warnings_do_not_block(codes):
    w = Finding("test-warning", Location("面会記録", 2, "visit_date", cell="C2"))
    assert price_ledger(ledger([case()], [visit(1)]), [w])[0].breakdown is not None


def test_unknown_case_is_not_priced():
    [vp] = price_ledger(ledger([case()], [visit(1, case_id="C999")]), [])
    assert vp.breakdown is None and vp.blocked_by == ("unknown-case-id",)


def test_summary_per_case_and_month():
    # June: held 8,500 (4,250 each) + cancelled before the cut-off 8,500 − 500 refund;
    # July: held 8,500. Case C001 billed 25,500 in all, refunded 8,000.
    visits = [
        visit(1, visit_date=date(2025, 6, 14)),
        visit(2, visit_date=date(2025, 6, 28), status="cancelled", cancelled_by="mother",
              cancelled_at=datetime(2025, 6, 26, 9, 0)),
        visit(3, visit_date=date(2025, 7, 12)),
    ]
    s = summarise(price_ledger(ledger([case()], visits), []))
    june, july = s.by_month
    assert (june.month, june.held, june.cancelled, june.billed, june.refunded) == ("2025-06", 1, 1, 17000, 8000)
    assert (june.refunded_father, june.refunded_mother) == (4000, 4000)
    assert (july.held, july.billed) == (1, 8500)
    assert (s.total.billed, s.total.refunded) == (25500, 8000)
    assert [(r.case_id, r.month) for r in s.by_case_month] == [("C001", "2025-06"), ("C001", "2025-07")]


def test_breakdown_text():
    v = visit(1, children=2, extension_minutes=60, extension_agreed=True, end=time(13), municipality="小松市")
    [vp] = price_ledger(ledger([case()], [v]), [])
    # 8,500 + 4,250 + 2,000 + 510 = 15,260
    assert breakdown_text(vp.breakdown, WEK, v) == (
        "付き添い型 8,500 + 子ども加算 4,250 + 延長60分 2,000 + 交通費(小松市) 510 = 15,260円")


# --- flags -----------------------------------------------------------------------------------


def kinds(flags):
    return sorted((f.kind, f.case_id, f.due.isoformat()) for f in flags)


def test_contract_renewal_flag_inside_the_window_only():
    # both signed 2025-04-03 → term ends 2026-04-02; as of 2026-02-01 that is 60 days ahead
    c = case(review_date=date(2030, 1, 1))
    fl = upcoming_flags(ledger([c]), [], as_of=date(2026, 2, 1), within=60)
    assert kinds(fl) == [("contract-renewal", "C001", "2026-04-02")]
    assert fl[0].days_left == 60
    assert upcoming_flags(ledger([c]), [], as_of=date(2026, 2, 1), within=59) == []


def test_renewals_move_the_term():
    # 1 renewal: the term runs 2026-04-03 .. 2027-04-02
    c = case(renewals=1, review_date=date(2030, 1, 1))
    assert kinds(upcoming_flags(ledger([c]), [], as_of=date(2027, 3, 1))) == [("contract-renewal", "C001", "2027-04-02")]


def test_child_entering_junior_high_at_renewal():
    # renewal 2026-04-03 falls in school year 2026.
    # Born 2014-04-01: cohort 2013 (before 4/2) → g = 2026 − 2013 − 6 = 7 → 中学1年: leaves.
    # Born 2014-04-02: cohort 2014 → g = 2026 − 2014 − 6 = 6 → 小学6年: stays.
    c = case(review_date=date(2030, 1, 1))
    kids = [Child(case_id="C001", row=2, name="一郎", birth_date=date(2014, 4, 1)),
            Child(case_id="C001", row=3, name="二郎", birth_date=date(2014, 4, 2))]
    fl = upcoming_flags(ledger([c], children=kids), [], as_of=date(2026, 3, 1))
    leave = [f for f in fl if f.kind == "child-leaves-at-renewal"]
    assert len(leave) == 1 and leave[0].record == "子ども!2行"
    assert "中学1年生（12歳）" in leave[0].action  # age on 2026-04-03 of a child born 2014-04-01: 12


def test_age_rule_setting():
    rules = WEK.rules.model_copy(update={"renewal_exclusion": "age", "exit_age": 12})
    s = WEK.model_copy(update={"rules": rules})
    c = case(review_date=date(2030, 1, 1))
    kids = [Child(case_id="C001", row=2, birth_date=date(2014, 4, 2))]  # 12 on 2026-04-03, grade 6
    led = Ledger(settings=s, cases=(c,), children=tuple(kids))
    assert [f.kind for f in upcoming_flags(led, [], as_of=date(2026, 3, 1))].count("child-leaves-at-renewal") == 1


def test_national_programme_year_and_month_limit():
    # signed 2025-04-03 → one year ends 2026-04-02; a planned visit on 2026-03-14 uses March's slot
    c = case(national_program=True, review_date=date(2030, 1, 1))
    v = visit(1, visit_date=date(2026, 3, 14), status="planned")
    fl = upcoming_flags(ledger([c], [v]), [], as_of=date(2026, 3, 1), within=45)
    assert ("national-year-end", "C001", "2026-04-02") in kinds(fl)
    assert ("national-month-used", "C001", "2026-03-01") in kinds(fl)
    assert not any(f.kind == "national-month-used" and f.due.month == 4 for f in fl)


def test_review_due_from_the_entered_date_or_every_three_months():
    c = case(review_date=date(2026, 3, 10))
    assert ("review-due", "C001", "2026-03-10") in kinds(upcoming_flags(ledger([c]), [], as_of=date(2026, 3, 1)))
    # no date entered: 2025-04-03 + 3-month steps → 2025-07-03, 10-03, 2026-01-03, 04-03
    c = case(review_date=None)
    fl = upcoming_flags(ledger([c]), [], as_of=date(2026, 1, 10), within=30)
    assert not any(f.kind == "review-due" for f in fl)
    fl = upcoming_flags(ledger([c]), [], as_of=date(2026, 3, 10), within=30)
    assert ("review-due", "C001", "2026-04-03") in kinds(fl)


def test_review_dates_are_counted_from_the_contract_date_not_chained_at_month_ends():
    # domain.md: a contract of 08-31 has reviews on 11-30, 02-28 (or 29) and 05-31, each counted from the
    # contract date.  Before, each was counted from the previous one: 11-30 → 02-28 → 05-28.
    c = case(review_date=None, father=ParentRecord(contract_date=date(2025, 8, 20)),
             mother=ParentRecord(contract_date=date(2025, 8, 31)))
    due = [f.due for f in upcoming_flags(ledger([c]), [], as_of=date(2026, 3, 1), within=120) if f.kind == "review-due"]
    assert due == [date(2026, 5, 31)]  # 2025-08-31 + 6 months = 02-28 (passed), + 9 months = 05-31
    assert next_review(c, date(2025, 9, 1), 3) == date(2025, 11, 30)
    assert next_review(c, date(2025, 12, 1), 3) == date(2026, 2, 28)
    assert next_review(c, date(2026, 3, 1), 3) == date(2026, 5, 31)
    assert next_review(c, date(2027, 12, 1), 3) == date(2028, 2, 29)  # 2025-08-31 + 30 months, a leap year


def test_unpaid_shares_only_when_payments_are_recorded():
    c = case(review_date=date(2030, 1, 1))
    v = visit(1, visit_date=date(2025, 6, 14), father_paid=date(2025, 6, 1))  # due 2025-06-09
    led = ledger([c], [v], records_payments=True)
    prices = price_ledger(led, [])
    fl = [f for f in upcoming_flags(led, prices, as_of=date(2025, 6, 10)) if f.kind == "payment-overdue"]
    assert len(fl) == 1 and "母負担 4,250円" in fl[0].action and fl[0].days_left == -1
    # on the due date itself nothing is overdue yet
    assert all(f.kind != "payment-overdue" for f in upcoming_flags(led, prices, as_of=date(2025, 6, 9)))
    led_no_columns = ledger([c], [v], records_payments=False)
    assert all(f.kind != "payment-overdue" for f in upcoming_flags(led_no_columns, prices, as_of=date(2025, 7, 1)))


def test_inactive_cases_raise_no_contract_flags():
    c = case(status="closed", review_date=date(2026, 3, 10))
    assert upcoming_flags(ledger([c]), [], as_of=date(2026, 3, 1)) == []


def test_flags_never_show_names():
    c = case(review_date=date(2026, 3, 10), national_program=True)
    kids = [Child(case_id="C001", row=2, name="一郎", birth_date=date(2014, 4, 1))]
    fl = upcoming_flags(ledger([c], [visit(1, visit_date=date(2026, 3, 14))], kids), [], as_of=date(2026, 3, 1))
    text = " ".join(f.action + f.detail for f in fl)
    assert fl and not any(n in text for n in ("山田", "太郎", "花子", "一郎"))


# --- plan sheet content ----------------------------------------------------------------------


def test_plan_items():
    c = case(condition="continuing", frequency="2ヶ月に1回")
    kids = [Child(case_id="C001", name="一郎", birth_date=date(2017, 5, 5), sex="male")]
    visits = [visit(1, visit_date=date(2025, 6, 14)), visit(2, visit_date=date(2025, 5, 10), status="cancelled")]
    p = build_plan(ledger([c], visits, kids), c, as_of=date(2025, 7, 1))
    assert p.application_date == "令和7年3月1日"
    assert (p.pre_consultation_father, p.pre_consultation_mother) == ("令和7年3月10日", "令和7年3月11日")
    assert (p.applicant.role, p.applicant.name, p.applicant.lives_with_child) == ("母", "山田 花子", True)
    assert (p.other_party.role, p.other_party.lives_with_child) == ("父", False)
    assert p.children[0].birth_era == "平成29年5月5日" and p.children[0].age == 8  # 2017-05-05 → 2025-07-01
    assert [on for _, on in p.support_ticks] == [False, False, True]
    assert p.condition_continuing and dict(p.continuing_ticks)["2か月に1回"]
    # progress rows: only what took place (the cancelled 05-10 visit is not progress)
    assert [r.day for r in p.progress] == ["令和7年6月14日"]
    assert p.progress[0].time == "10:00～12:00" and p.progress[0].content == "付添い 公園で遊んだ"


def test_plan_other_frequency_goes_in_the_forms_blank_not_the_note():
    # The form: (2) 継続型（頻度：月1回・2か月に1回・その他（　　））.  Before, 「その他: 3か月に1回」 went to 備考.
    c = case(condition="continuing", frequency="3か月に1回")
    p = build_plan(ledger([c]), c, as_of=date(2025, 7, 1))
    assert dict(p.continuing_ticks)["その他"] and p.continuing_other == "3か月に1回" and p.condition_note == ""
    p = build_plan(ledger([case()]), case(), as_of=date(2025, 7, 1))  # 月1回: a choice of the form
    assert dict(p.continuing_ticks)["月1回"] and p.continuing_other == ""


def test_plan_progress_lists_only_held_visits_and_states_the_next_review():
    visits = [visit(1, visit_date=date(2025, 5, 10), status="held", support_type="coordination", content="日程を調整"),
              visit(2, visit_date=date(2025, 6, 14), status="cancelled", content=None),
              visit(3, visit_date=date(2025, 7, 12), status="planned", start=None, end=None, content=None)]
    c = case()  # both signed 2025-04-03, no review date entered
    p = build_plan(ledger([c], visits), c, as_of=date(2025, 7, 1))
    assert [(r.day, r.content) for r in p.progress] == [("令和7年5月10日", "連絡調整 日程を調整")]
    # 2025-04-03 + 3 months = 2025-07-03, the first review on or after 07-01
    assert p.review_date == "令和7年7月3日"
    p = build_plan(ledger([case(review_date=date(2025, 9, 1))]), case(review_date=date(2025, 9, 1)), as_of=date(2025, 7, 1))
    assert p.review_date == "令和7年9月1日"  # the one entered wins

