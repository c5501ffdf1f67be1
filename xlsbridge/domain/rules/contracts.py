"""Contracts: both parents signed before the first visit, visits inside the term, pre-consultations
a week ahead, children leaving at renewal, the case's support type and reduction (domain.md
"Contracts and eligibility", "Fees: hardship reduction").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..contracts import contract_end, excluded_at, term
from ..findings import Finding
from ..ledger import Case, Child, Ledger, Visit
from ..settings import Rules, Settings
from ._common import CASES_SHEET, CHILDREN_SHEET, PARENTS, VISITS_SHEET, counts, finding, index


def _first_visit(visits: list[Visit]) -> Visit | None:
    return next((v for v in visits if counts(v)), None)


def contract_dates(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    """A visit needs both contracts, on or before its date, and falls inside the term."""
    idx = index(ledger)
    for case in idx.cases.values():
        visits = [v for v in idx.visits.get(case.case_id or "", []) if counts(v)]
        if not visits:
            continue
        signed = case.both_signed_on()
        if signed is None:
            first = visits[0]
            for key, ja, en in PARENTS:
                if case.parent(key).contract_date is None:
                    yield finding("contract-missing", CASES_SHEET, case.row, f"{key}.contract_date", None,
                                  case.case_id, parent_ja=ja, parent_en=en, visit_id=first.visit_id,
                                  date=first.visit_date.isoformat())
            continue
        end = contract_end(case, settings.rules)
        for v in visits:
            if v.visit_date < signed:
                yield finding("visit-before-contract", VISITS_SHEET, v.row, "visit_date", v.visit_date.isoformat(),
                              v.visit_id, signed=signed.isoformat())
            elif end is not None and v.visit_date > end:
                yield finding("visit-after-contract-end", VISITS_SHEET, v.row, "visit_date",
                              v.visit_date.isoformat(), v.visit_id, end=end.isoformat(), renewals=case.renewals)


def pre_consultations(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    """Each parent's pre-consultation, at least ``pre_consultation_days`` before the first visit.

    Needed once a case has a visit (not cancelled); a national-programme case needs both as soon as
    a parent has signed (its plan is drawn up with both parents after the pre-consultations).
    """
    days = settings.rules.pre_consultation_days
    idx = index(ledger)
    for case in idx.cases.values():
        first = _first_visit(idx.visits.get(case.case_id or "", []))
        contracted = case.father.contract_date is not None or case.mother.contract_date is not None
        needed = first is not None or (case.national_program and contracted)
        if not needed:
            continue
        for key, ja, en in PARENTS:
            held = case.parent(key).pre_consultation
            field = f"{key}.pre_consultation"
            if held is None:
                yield finding("pre-consultation-missing", CASES_SHEET, case.row, field, None, case.case_id,
                              parent_ja=ja, parent_en=en, days=days)
            elif first is not None and (first.visit_date - held).days < days:
                yield finding("pre-consultation-late", CASES_SHEET, case.row, field, held.isoformat(), case.case_id,
                              parent_ja=ja, parent_en=en, days=days, first=first.visit_date.isoformat(),
                              visit_id=first.visit_id)


def first_exclusion(case: Case, child: Child, rules: Rules) -> tuple[date, tuple[str, str]] | None:
    """The first recorded renewal at which ``child`` leaves the case, with the reason."""
    start = case.both_signed_on()
    if start is None:
        return None
    for n in range(1, max(case.renewals, 0) + 1):
        renewal = term(start, n, rules).start
        reason = excluded_at(child, renewal, rules)
        if reason is not None:
            return renewal, reason
    return None


def renewal_children(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    """A child who is out at a renewal is not carried into the renewed term."""
    idx = index(ledger)
    for case in idx.cases.values():
        if case.renewals < 1:
            continue
        for child in idx.children.get(case.case_id or "", []):
            hit = first_exclusion(case, child, settings.rules)
            if hit is not None:
                renewal, (ja, en) = hit
                yield finding("renewal-junior-high", CHILDREN_SHEET, child.row, "birth_date",
                              child.birth_date.isoformat(), case.case_id, renewal=renewal.isoformat(),
                              reason_ja=ja, reason_en=en)


def case_support_type(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    """The case's 援助内容 is a support type of the fee schedules."""
    keys = settings.support_type_keys
    if not keys:
        return
    schedule = settings.schedule_on(as_of) or max(settings.schedules, key=lambda s: s.effective_from)
    known = "、".join(f"{s.key}({s.label_ja})" for s in schedule.support_types)
    for case in ledger.cases:
        if case.support_type is not None and case.support_type not in keys:
            yield finding("unknown-support-type", CASES_SHEET, case.row, "support_type", case.support_type,
                          case.case_id, known=known)


def reductions(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    for case in ledger.cases:
        if case.reduction < 0:
            yield finding("reduction-negative", CASES_SHEET, case.row, "reduction", case.reduction, case.case_id)
        elif case.reduction > 0 and not case.reduction_reason:
            yield finding("reduction-reason-missing", CASES_SHEET, case.row, "reduction_reason", case.reduction,
                          case.case_id)
