"""Children's age, school year and prefecture at visits; national-programme limits.  Both sides of
each boundary (first visit 2025-04-12 in the clean spec)."""

from __future__ import annotations

from datetime import date

import pytest
from tests.ledger_builder import WEK, address, check, clean_case, clean_child, clean_spec, codes, found

from xlsbridge.domain.layout import CASES, CHILDREN, VISITS

K, V, C = CHILDREN.name, VISITS.name, CASES.name


def _child(**kw):
    spec = clean_spec()
    spec.children[0].update(kw)
    return spec


def test_child_under_three(tmp_path):
    report = check(tmp_path / "a.xlsx", _child(birth_date=date(2022, 4, 13)))  # 2 on 2025-04-12
    assert found(report) == {("child-under-min-age", address(K, "birth_date", 2))}
    assert report.items[0].severity == "warning" and "2歳" in report.items[0].message
    assert "V-001" in report.items[0].message
    assert found(check(tmp_path / "b.xlsx", _child(birth_date=date(2022, 4, 12)))) == set()  # 3 that day


def test_child_in_junior_high(tmp_path):
    # The term began when both parents had signed, 2025-03-25 (school year 2024).  Born 2012-04-01: cohort
    # 2011 (the day before April 2), grade 2024 − 2011 − 6 = 7, already in junior high when the term began:
    # warned, at V-001 (2025-04-12: grade 2025 − 2011 − 6 = 8, age 13).
    report = check(tmp_path / "a.xlsx", _child(birth_date=date(2012, 4, 1)))
    assert found(report) == {("child-junior-high", address(K, "birth_date", 2))}
    assert "中学2年生（13歳）" in report.items[0].message and "V-001" in report.items[0].message
    # Born 2012-04-02: cohort 2012, grade 2024 − 2012 − 6 = 6 on 2025-03-25: 6th grade, not junior high.
    assert found(check(tmp_path / "b.xlsx", _child(birth_date=date(2012, 4, 2)))) == set()


def test_child_who_enters_junior_high_during_the_term_is_covered_until_it_ends(tmp_path):
    # domain.md: a child who becomes a junior-high student during a term stays covered until the term
    # ends; the renewal flag and the renewal check deal with it.  Born 2013-04-01: cohort 2012; on
    # 2025-03-25 (term start) grade 2024 − 2012 − 6 = 6; from 2025-04-01 grade 7.  V-001 (04-12) and
    # V-002 (05-10) are in junior high but inside the term that began in 6th grade.  Before: warned.
    assert found(check(tmp_path / "a.xlsx", _child(birth_date=date(2013, 4, 1)))) == set()
    # After a renewal (2026-03-25) the renewal check says it, once, on the renewal (not at each visit).
    spec = _child(birth_date=date(2013, 4, 1))
    spec.cases[0]["renewals"] = 1
    spec.visits.append(dict(spec.visits[0], visit_id="V-003", visit_date=date(2026, 4, 11)))
    assert found(check(tmp_path / "b.xlsx", spec, as_of=date(2026, 4, 30))) == {
        ("renewal-junior-high", address(K, "birth_date", 2))}


@pytest.mark.parametrize("prefecture,ok", [("富山県", False), ("東京都練馬区", False), ("石川県", True), ("石川", True),
                                           ("石川県金沢市", True), (None, True)])
def test_child_outside_prefecture(tmp_path, prefecture, ok):
    report = check(tmp_path / "l.xlsx", _child(prefecture=prefecture))
    assert found(report) == (set() if ok else {("child-outside-prefecture", address(K, "prefecture", 2))})
    if not ok:
        assert "練馬区" not in (report.items[0].value or "")  # only the prefecture is echoed


def test_birth_date_in_the_future(tmp_path):
    got = found(check(tmp_path / "a.xlsx", _child(birth_date=date(2025, 7, 1))))
    assert ("birth-date-future", address(K, "birth_date", 2)) in got
    assert "birth-date-future" not in codes(check(tmp_path / "b.xlsx", _child(birth_date=date(2025, 6, 30))))


def _national(**case):
    spec = clean_spec()
    spec.cases[0].update({"national_program": True, "child_support_allowance": True, **case})
    return spec


def test_national_clean_case(tmp_path):
    assert found(check(tmp_path / "l.xlsx", _national())) == set()


def test_national_child_age(tmp_path):
    # At V-002 (2025-05-10) a child born 2010-05-10 is 15, one born 2010-05-11 is 14.
    spec = _national()
    spec.children = [clean_child(birth_date=date(2010, 5, 10))]
    report = check(tmp_path / "a.xlsx", spec)
    assert ("national-child-age", address(K, "birth_date", 2)) in found(report)
    assert "15歳未満" in next(i.message for i in report.items if i.code == "national-child-age")
    assert "V-002" in next(i.message for i in report.items if i.code == "national-child-age")
    spec.children = [clean_child(birth_date=date(2010, 5, 11))]
    assert "national-child-age" not in codes(check(tmp_path / "b.xlsx", spec))


def test_national_age_until_the_end_of_the_school_year(tmp_path):
    # With end_of_school_year, a child born 2010-04-12 is covered until 2026-03-31.
    spec = _national()
    spec.settings = WEK.model_copy(update={"rules": WEK.rules.model_copy(update={"national_age_rule": "end_of_school_year"})})
    spec.children = [clean_child(birth_date=date(2010, 4, 12))]
    assert "national-child-age" not in codes(check(tmp_path / "a.xlsx", spec))
    spec.cases[0]["renewals"] = 1
    spec.visits[1]["visit_date"] = date(2026, 4, 1)
    assert ("national-child-age", address(K, "birth_date", 2)) in found(check(tmp_path / "b.xlsx", spec))


def test_national_one_visit_a_month(tmp_path):
    spec = _national()
    spec.visits[1]["visit_date"] = date(2025, 4, 26)  # planned, same month as V-001
    report = check(tmp_path / "a.xlsx", spec)
    assert found(report) == {("national-monthly-limit", address(V, "visit_date", 3))}
    assert "2025年4月" in report.items[0].message
    spec.visits[1]["visit_date"] = date(2025, 5, 1)
    assert found(check(tmp_path / "b.xlsx", spec)) == set()


def test_national_cancelled_visit_does_not_count(tmp_path):
    spec = _national()
    spec.visits[1].update(visit_date=date(2025, 4, 26), status="cancelled", cancelled_by="organisation")
    assert found(check(tmp_path / "l.xlsx", spec)) == set()


def test_national_one_year(tmp_path):
    # Both signed 2025-03-25: the year ends 2026-03-24 (renewed, so the contract still covers it).
    spec = _national(renewals=1)
    spec.visits[1]["visit_date"] = date(2026, 3, 25)
    assert found(check(tmp_path / "a.xlsx", spec)) == {("national-over-one-year", address(V, "visit_date", 3))}
    spec.visits[1]["visit_date"] = date(2026, 3, 24)
    assert found(check(tmp_path / "b.xlsx", spec)) == set()


def test_national_over_one_year_not_reported_twice_with_the_contract_end(tmp_path):
    spec = _national()
    spec.visits[1]["visit_date"] = date(2026, 3, 25)
    assert found(check(tmp_path / "l.xlsx", spec)) == {("visit-after-contract-end", address(V, "visit_date", 3))}


def test_national_allowance_record(tmp_path):
    report = check(tmp_path / "a.xlsx", _national(child_support_allowance=False))
    assert found(report) == {("national-allowance-missing", address(CASES.name, "child_support_allowance", 2))}
    assert report.items[0].severity == "warning"
    assert found(check(tmp_path / "b.xlsx", clean_spec())) == set()  # not a national case: not needed


def test_national_pre_consultation_of_both_parents(tmp_path):
    spec = _national()
    spec.cases[0]["father.pre_consultation"] = None
    assert found(check(tmp_path / "l.xlsx", spec)) == {
        ("pre-consultation-missing", address(CASES.name, "father.pre_consultation", 2))}


def test_a_future_birth_date_is_not_also_an_age_of_zero(tmp_path):
    # Born 2025-07-01, after AS_OF (2025-06-30) and after both visits: the birth date is wrong; before, the
    # child was also "0 years old at V-001" (child-under-min-age).
    assert found(check(tmp_path / "a.xlsx", _child(birth_date=date(2025, 7, 1)))) == {
        ("birth-date-future", address(K, "birth_date", 2))}


@pytest.mark.parametrize("frequency, wrong", [
    ("月1回", False), ("2か月に1回", False), ("2ヶ月に1回", False), ("年6回", False), ("3か月に1回", False),
    ("月2回", True), ("隔週", True), ("2週間に1回", True), ("週1回", True), ("4週に1回", True), ("年13回", True),
    ("月1〜2回", True), ("2か月に1～2回", False),  # a range allows its upper end
    ("相談して決める", False),  # says no number: nothing to check
])
def test_national_case_planned_more_than_once_a_month(tmp_path, frequency, wrong):
    # domain.md: at most one supported visit per month; a national case planned more often is an error.
    # Every 4 weeks (28 days) puts two visits in a 29–31-day month; 13 a year is more than 12.
    got = found(check(tmp_path / "l.xlsx", _national(frequency=frequency)))
    assert got == ({("national-frequency", address(C, "frequency", 2))} if wrong else set())


def test_national_programme_a_second_time(tmp_path):
    # GOV: 過去に本事業の対象となっていない者.  C-001 (national, closed) supported 北陸 一郎 (2018-05-10);
    # C-002, applied for on 2025-06-01, enrols him in the national programme again.
    spec = _national(status="closed")
    spec.cases.append(clean_case(case_id="C-002", application_date=date(2025, 6, 1), status="consulting",
                                 national_program=True, child_support_allowance=True, **{
                                     "father.contract_date": None, "mother.contract_date": None,
                                     "agreement_confirmed": None}))
    spec.children.append(clean_child(case_id="C-002"))
    report = check(tmp_path / "a.xlsx", spec)
    assert found(report) == {("national-second-time", address(C, "national_program", 3))}
    assert "C-001" in report.items[0].message and "北陸" not in report.items[0].message
    # A different child (another birth date) is not the same person.
    spec.children[1]["birth_date"] = date(2019, 5, 10)
    assert found(check(tmp_path / "b.xlsx", spec)) == set()
    # Nor is C-002 outside the programme.
    spec.children[1]["birth_date"] = date(2018, 5, 10)
    spec.cases[1]["national_program"] = False
    assert found(check(tmp_path / "c.xlsx", spec)) == set()
