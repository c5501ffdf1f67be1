"""Termination (援助の中止, domain.md "Contracts and eligibility"): support stops for good.

No visit after the termination date, and a new case for the same person is caught: a case applied
for after a termination, with the same parent name and a child of the same name and birth date.
The findings name case IDs only, never the person.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..findings import Finding
from ..ledger import Case, Ledger
from ..settings import Settings
from ._common import CASES_SHEET, VISITS_SHEET, counts, finding, fold, index


def termination_date(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    for case in ledger.cases:
        if case.status == "terminated" and case.terminated_on is None:
            yield finding("termination-date-missing", CASES_SHEET, case.row, "terminated_on", None, case.case_id)


def visits_after(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    idx = index(ledger)
    for case in idx.cases.values():
        if case.terminated_on is None:
            continue
        for v in idx.visits.get(case.case_id, []):
            if counts(v) and v.visit_date > case.terminated_on:
                yield finding("visit-after-termination", VISITS_SHEET, v.row, "visit_date", v.visit_date.isoformat(),
                              v.visit_id, terminated=case.terminated_on.isoformat())


def _parent_keys(case: Case) -> set[tuple[str, str]]:
    return {(which, fold(case.parent(which).name)) for which in ("father", "mother") if fold(case.parent(which).name)}


def returning_person(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    idx = index(ledger)
    terminated = [c for c in idx.cases.values() if c.status == "terminated" and c.terminated_on is not None]
    if not terminated:
        return
    children = {cid: {(fold(ch.name), ch.birth_date) for ch in kids if ch.name and ch.birth_date}
                for cid, kids in idx.children.items()}
    # Each terminated case's parents and children, folded once; found through the parents' keys
    # instead of comparing every case with every terminated one.
    earlier = [(old, _parent_keys(old), children.get(old.case_id, set())) for old in terminated]
    by_parent: dict[tuple[str, str], list[int]] = {}
    for i, (_, keys, _) in enumerate(earlier):
        for key in keys:
            by_parent.setdefault(key, []).append(i)
    for new in idx.cases.values():
        if new.application_date is None:
            continue
        parents = _parent_keys(new)
        hits = sorted({i for key in parents for i in by_parent.get(key, ())})  # in the order of ``terminated``
        if not hits:
            continue
        kids = children.get(new.case_id, set())
        for old, _, old_kids in (earlier[i] for i in hits):
            if old is new or new.application_date <= old.terminated_on:
                continue
            if kids & old_kids:
                yield finding("terminated-person-new-case", CASES_SHEET, new.row, "case_id", new.case_id, new.case_id,
                              terminated_case=old.case_id, terminated=old.terminated_on.isoformat())
                break
