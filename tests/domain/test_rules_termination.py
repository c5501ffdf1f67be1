"""Termination: no visits after it, its date recorded, and the terminated person never supported again."""

from __future__ import annotations

from datetime import date

from tests.ledger_builder import address, check, clean_case, clean_child, clean_spec, codes, found

from xlsbridge.domain.layout import CASES, VISITS


def _terminated(day: date | None = date(2025, 5, 1)):
    spec = clean_spec()
    spec.cases[0].update(status="terminated", terminated_on=day, termination_reason="子の連れ去りの試み")
    return spec


def test_termination_date_missing(tmp_path):
    spec = _terminated(None)
    assert found(check(tmp_path / "a.xlsx", spec)) == {("termination-date-missing", address(CASES.name, "terminated_on", 2))}
    assert found(check(tmp_path / "b.xlsx", _terminated(date(2025, 5, 10)))) == set()


def test_visit_after_termination(tmp_path):
    # V-002 is planned for 2025-05-10.
    report = check(tmp_path / "a.xlsx", _terminated(date(2025, 5, 9)))
    assert found(report) == {("visit-after-termination", address(VISITS.name, "visit_date", 3))}
    assert found(check(tmp_path / "b.xlsx", _terminated(date(2025, 5, 10)))) == set()


def test_cancelled_visit_after_termination_is_fine(tmp_path):
    spec = _terminated(date(2025, 5, 1))
    spec.visits[1].update(status="cancelled", cancelled_by="organisation")
    assert found(check(tmp_path / "l.xlsx", spec)) == set()


def _returning(applied: date, child_birth: date = date(2018, 5, 10), mother: str = "北陸　花子"):
    spec = _terminated(date(2025, 5, 10))
    spec.cases.append(clean_case(case_id="C-002", application_date=applied, status="consulting",
                                 **{"mother.name": mother, "father.name": "別の 父",
                                    "father.contract_date": None, "mother.contract_date": None}))
    spec.children.append(clean_child(case_id="C-002", name="北陸一郎", birth_date=child_birth))
    return spec


def test_terminated_person_in_a_new_case(tmp_path):
    report = check(tmp_path / "a.xlsx", _returning(date(2025, 6, 1)))
    assert found(report) == {("terminated-person-new-case", address(CASES.name, "case_id", 3))}
    item = report.items[0]
    assert "C-001" in item.message and "C-002" in item.message
    text = item.message + (item.value or "")
    for name in ("北陸", "花子", "一郎"):
        assert name not in text  # case IDs only, never the person


def test_new_case_applied_before_the_termination_is_not_flagged(tmp_path):
    assert "terminated-person-new-case" not in codes(check(tmp_path / "a.xlsx", _returning(date(2025, 5, 10))))


def test_same_parent_other_child_is_not_flagged(tmp_path):
    spec = _returning(date(2025, 6, 1), child_birth=date(2018, 5, 11))
    assert "terminated-person-new-case" not in codes(check(tmp_path / "a.xlsx", spec))


def test_other_parent_same_child_name_is_not_flagged(tmp_path):
    spec = _returning(date(2025, 6, 1), mother="南 花子")
    assert "terminated-person-new-case" not in codes(check(tmp_path / "a.xlsx", spec))
