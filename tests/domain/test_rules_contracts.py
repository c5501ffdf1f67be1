"""Contracts: both signed before a visit, the term with renewals, pre-consultations a week ahead,
children leaving at renewal, the case's support type and reduction.  Both sides of each boundary."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ledger_builder import WEK, address, check, clean_child, clean_spec, clean_visit, codes, found

from xlsbridge.domain.layout import CASES, CHILDREN, VISITS

V, C = VISITS.name, CASES.name


def _visit_on(day: date, **kw):
    spec = clean_spec()
    spec.visits[1].update(visit_date=day, **kw)
    return spec


def test_contract_missing_with_a_visit(tmp_path):
    spec = clean_spec()
    spec.cases[0]["mother.contract_date"] = None
    report = check(tmp_path / "l.xlsx", spec)
    assert found(report) == {("contract-missing", address(C, "mother.contract_date", 2))}
    assert "V-001" in report.items[0].message and "母" in report.items[0].message


def test_contract_missing_not_needed_without_visits(tmp_path):
    spec = clean_spec()
    spec.cases[0].update({"mother.contract_date": None, "father.contract_date": None, "status": "consulting"})
    spec.visits = [clean_visit(status="cancelled", cancelled_by="father", cancelled_at=date(2025, 4, 1))]
    assert "contract-missing" not in codes(check(tmp_path / "l.xlsx", spec))


def test_visit_before_contract(tmp_path):
    # Mother signed 2025-03-25, the later of the two.
    bad = _visit_on(date(2025, 3, 24))
    bad.cases[0].update({"father.pre_consultation": date(2025, 3, 10), "mother.pre_consultation": date(2025, 3, 12)})
    assert ("visit-before-contract", address(V, "visit_date", 3)) in found(check(tmp_path / "a.xlsx", bad))
    ok = _visit_on(date(2025, 3, 25))
    assert found(check(tmp_path / "b.xlsx", ok)) == set()


def test_cancelled_visit_before_contract_is_not_a_visit(tmp_path):
    spec = _visit_on(date(2025, 3, 24), status="cancelled", cancelled_by="organisation")
    assert found(check(tmp_path / "l.xlsx", spec)) == set()


def test_visit_after_contract_end(tmp_path):
    # Term: 2025-03-25 + 12 months - 1 day = 2026-03-24.
    bad = _visit_on(date(2026, 3, 25))
    report = check(tmp_path / "a.xlsx", bad)
    assert found(report) == {("visit-after-contract-end", address(V, "visit_date", 3))}
    assert "2026-03-24" in report.items[0].message
    assert found(check(tmp_path / "b.xlsx", _visit_on(date(2026, 3, 24)))) == set()


def test_renewals_extend_the_term(tmp_path):
    spec = _visit_on(date(2026, 3, 25))
    spec.cases[0]["renewals"] = 1
    assert found(check(tmp_path / "a.xlsx", spec)) == set()
    spec = _visit_on(date(2027, 3, 25))
    spec.cases[0]["renewals"] = 1
    assert found(check(tmp_path / "b.xlsx", spec)) == {("visit-after-contract-end", address(V, "visit_date", 3))}


def test_contract_months_is_a_setting(tmp_path):
    spec = _visit_on(date(2025, 9, 25))
    spec.settings = WEK.model_copy(update={"rules": WEK.rules.model_copy(update={"contract_months": 6})})
    assert found(check(tmp_path / "a.xlsx", spec)) == {("visit-after-contract-end", address(V, "visit_date", 3))}
    spec.visits[1]["visit_date"] = date(2025, 9, 24)
    assert found(check(tmp_path / "b.xlsx", spec)) == set()


def test_pre_consultation_missing(tmp_path):
    spec = clean_spec()
    spec.cases[0]["father.pre_consultation"] = None
    assert found(check(tmp_path / "l.xlsx", spec)) == {
        ("pre-consultation-missing", address(C, "father.pre_consultation", 2))}


def test_pre_consultation_not_needed_before_any_visit(tmp_path):
    spec = clean_spec()
    spec.cases[0].update({"father.pre_consultation": None, "mother.pre_consultation": None, "status": "consulting",
                          "father.contract_date": None, "mother.contract_date": None})
    spec.visits = []
    assert found(check(tmp_path / "l.xlsx", spec)) == set()


def test_pre_consultation_needed_for_a_contracted_national_case_without_visits(tmp_path):
    spec = clean_spec()
    spec.cases[0].update({"mother.pre_consultation": None, "national_program": True, "child_support_allowance": True})
    spec.visits = []
    assert found(check(tmp_path / "l.xlsx", spec)) == {
        ("pre-consultation-missing", address(C, "mother.pre_consultation", 2))}


def test_pre_consultation_seven_days_before_the_first_visit(tmp_path):
    # First visit 2025-04-12: 2025-04-05 is 7 days before (fine), 2025-04-06 is 6 (too late).
    late = clean_spec()
    late.cases[0]["mother.pre_consultation"] = date(2025, 4, 6)
    report = check(tmp_path / "a.xlsx", late)
    assert found(report) == {("pre-consultation-late", address(C, "mother.pre_consultation", 2))}
    assert "2025-04-12" in report.items[0].message and "7日" in report.items[0].message
    ok = clean_spec()
    ok.cases[0]["mother.pre_consultation"] = date(2025, 4, 5)
    assert found(check(tmp_path / "b.xlsx", ok)) == set()


def test_first_visit_ignores_cancelled_ones(tmp_path):
    spec = clean_spec()
    spec.visits[0].update(status="cancelled", cancelled_by="organisation", start=None, end=None, content=None)
    spec.cases[0]["mother.pre_consultation"] = date(2025, 5, 3)  # 7 days before V-002 (2025-05-10)
    assert found(check(tmp_path / "l.xlsx", spec)) == set()


def _renewed(birth: date, **rules):
    spec = clean_spec()
    spec.cases[0].update({"application_date": date(2023, 3, 1), "father.pre_consultation": date(2023, 3, 10),
                          "mother.pre_consultation": date(2023, 3, 10), "father.contract_date": date(2023, 4, 1),
                          "mother.contract_date": date(2023, 4, 1), "renewals": 1})
    spec.children = [clean_child(birth_date=birth)]
    spec.visits = [clean_visit(visit_date=date(2023, 5, 13)), clean_visit(visit_id="V-002", visit_date=date(2024, 5, 11))]
    if rules:
        spec.settings = WEK.model_copy(update={"rules": WEK.rules.model_copy(update=rules)})
    return spec


def test_renewal_junior_high(tmp_path):
    # Renewal on 2024-04-01.  Born 2012-04-01: junior high from 2024-04-01; born 2012-04-02: 6th grade.
    report = check(tmp_path / "a.xlsx", _renewed(date(2012, 4, 1)))
    assert found(report) == {("renewal-junior-high", address(CHILDREN.name, "birth_date", 2))}
    assert "2024-04-01" in report.items[0].message and "中学1年生" in report.items[0].message
    assert "12歳" in report.items[0].message  # the age is shown too
    assert found(check(tmp_path / "b.xlsx", _renewed(date(2012, 4, 2)))) == set()


def test_renewal_exclusion_by_age(tmp_path):
    # exit_age 13 on 2024-04-01: born 2011-04-01 is 13, born 2011-04-02 is 12.
    bad = _renewed(date(2011, 4, 1), renewal_exclusion="age", exit_age=13)
    got = found(check(tmp_path / "a.xlsx", bad))
    assert ("renewal-junior-high", address(CHILDREN.name, "birth_date", 2)) in got
    ok = _renewed(date(2011, 4, 2), renewal_exclusion="age", exit_age=13)
    assert "renewal-junior-high" not in codes(check(tmp_path / "b.xlsx", ok))


def test_no_renewal_no_exclusion(tmp_path):
    spec = _renewed(date(2012, 4, 1))
    spec.cases[0]["renewals"] = 0
    spec.visits = spec.visits[:1]
    assert found(check(tmp_path / "l.xlsx", spec)) == set()


def test_case_support_type_unknown(tmp_path):
    spec = clean_spec()
    spec.cases[0]["support_type"] = "訪問型"
    report = check(tmp_path / "a.xlsx", spec)
    assert ("unknown-support-type", address(C, "support_type", 2)) in found(report)
    assert "accompanied(付き添い型)" in next(i.message for i in report.items if i.code == "unknown-support-type")
    spec.cases[0]["support_type"] = "付き添い"  # without 型: still the accompanied type
    assert found(check(tmp_path / "b.xlsx", spec)) == set()


def test_reduction_negative_and_reason(tmp_path):
    spec = clean_spec()
    spec.cases[0]["reduction"] = -500
    assert found(check(tmp_path / "a.xlsx", spec)) == {("reduction-negative", address(C, "reduction", 2))}
    spec.cases[0]["reduction"] = 1000
    assert found(check(tmp_path / "b.xlsx", spec)) == {("reduction-reason-missing", address(C, "reduction_reason", 2))}
    spec.cases[0]["reduction_reason"] = "ひとり親家庭で収入減"
    assert found(check(tmp_path / "c.xlsx", spec)) == set()


def test_a_case_with_contracts_or_visits_needs_its_written_agreement(tmp_path):
    # domain.md: the parents' agreement is confirmed in writing (合意書確認日); a case with contracts or
    # visits but no written agreement is an error.  Before: nothing was said.
    spec = clean_spec()
    spec.cases[0]["agreement_confirmed"] = None
    report = check(tmp_path / "a.xlsx", spec)
    assert found(report) == {("agreement-missing", address(C, "agreement_confirmed", 2))}
    assert report.items[0].message.startswith("契約と面会がありますが、合意書確認日がありません")
    # Still in consultation (no contract, no visit): nothing to confirm yet.
    spec.cases[0].update({"status": "consulting", "father.contract_date": None, "mother.contract_date": None})
    spec.visits = []
    assert found(check(tmp_path / "b.xlsx", spec)) == set()


def test_a_reduction_larger_than_a_visits_fee_is_reported_on_the_case(tmp_path):
    # C-001's visits are accompanied, 1 child, 金沢市: 8,500 each.  A reduction of 9,000 a visit exceeds
    # the fee it reduces (domain.md: an input error, not a silent cap).  Before: cut to 8,500, nothing said.
    spec = clean_spec()
    spec.cases[0].update(reduction=9000, reduction_reason="生活困窮")
    report = check(tmp_path / "a.xlsx", spec)
    assert found(report) == {("reduction-over-fee", address(C, "reduction", 2))}
    assert report.items[0].message == ("減額 9000 円が面会の料金 8500 円を超えています（面会 V-001、2025-04-12）。"
                                       "減額を料金以下にしてください")
    spec.cases[0]["reduction"] = 8500  # the whole fee: allowed
    assert found(check(tmp_path / "b.xlsx", spec)) == set()


def test_fees_leave_a_case_with_a_reduction_over_the_fee_unpriced(tmp_path):
    from tests.ledger_builder import write_ledger
    from xlsbridge.services.fees import compute_fees, computed_values
    from xlsbridge.io.reader import read_ledger

    spec = clean_spec()
    spec.cases[0].update(reduction=9000, reduction_reason="生活困窮")
    read = read_ledger(write_ledger(tmp_path / "l.xlsx", spec))
    result = compute_fees(read, date(2025, 6, 30))
    assert [vp.breakdown for vp in result.prices] == [None, None]
    assert computed_values(result.prices[0], read)["fee.breakdown"] == f"未計算: {address(C, 'reduction', 2)}（減額が料金を超える）を直してください"


def test_a_renewal_count_past_2200_is_a_finding_not_a_crash(tmp_path):
    # Both signed 2025-03-25, 12-month terms.  Term n runs 2025-03-25 + n years to the day before
    # 2025-03-25 + (n + 1) years: term 174 ends 2200-03-24 (inside 2200), term 175 would end 2201-03-24.
    # (max_renewals: months to the end of 2200 = (2200 − 2025) × 12 + (12 − 3) = 2,109; 2,109 // 12 − 1 = 174.)
    ok = clean_spec()
    ok.cases[0]["renewals"] = 174
    assert "renewals-implausible" not in codes(check(tmp_path / "a.xlsx", ok))
    for renewals in (175, 7974, 10**12):  # 7974 ran the calendar past 9999 (fuzz); 10**12 looped per term
        bad = clean_spec()
        bad.cases[0]["renewals"] = renewals
        report = check(tmp_path / f"b{renewals}.xlsx", bad)
        assert ("renewals-implausible", address(C, "renewals", 2)) in found(report)
        item = next(i for i in report.items if i.code == "renewals-implausible")
        assert "最大 174 回" in item.message and "2200年" in item.message


@settings(max_examples=300, deadline=None)
@given(start=st.dates(date(2000, 1, 1), date(2100, 12, 31)), months=st.integers(1, 36),
       renewals=st.integers(-2, 40), offset=st.integers(-40, 40 * 36 * 31))
def test_term_on_is_the_term_whose_days_hold_the_day(start, months, renewals, offset):
    # term_on finds the term directly; the definition walks the terms one by one.
    from datetime import timedelta

    from xlsbridge.domain.contracts import renewals_counted, term, term_on
    from xlsbridge.domain.ledger import Case
    from xlsbridge.domain.settings import Rules

    rules = Rules(contract_months=months)
    case = Case.model_validate({"row": 2, "case_id": "K-1", "renewals": renewals,
                                "father": {"contract_date": start}, "mother": {"contract_date": start}})
    day = start + timedelta(days=offset)
    walked = next((t for n in range(renewals_counted(case, rules) + 1)
                   if (t := term(start, n, rules)).start <= day <= t.end), None) if day >= start else None
    assert term_on(case, day, rules) == walked
