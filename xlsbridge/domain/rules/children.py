"""Children: roughly age 3 to 6th grade, living in the prefecture (domain.md "Contracts and
eligibility"); these are warnings, since the leaflet says "roughly" (概ね) and staff decide.

An age finding goes on the child's row once, naming the first visit it concerns.  The ledger does
not say which of a case's children came to a visit, so every child of the case is considered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from ..findings import Finding
from ..jpcalendar import grade_on
from ..ledger import Ledger
from ..settings import Settings
from ._common import CHILDREN_SHEET, age_at, counts, finding, fold, grade_label, index
from .contracts import first_exclusion


def ages_at_visits(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    rules = settings.rules
    idx = index(ledger)
    for child in ledger.children:
        case = idx.cases.get(child.case_id or "")
        if child.birth_date is None or case is None:
            continue
        visits = [v for v in idx.visits.get(case.case_id, []) if counts(v)]
        # The visits are in date order and age and grade never go down with the date, so the first
        # visit decides "too young" and the last one (before the child leaves) "junior high".
        young = visits[0] if visits and age_at(child.birth_date, visits[0].visit_date) < rules.min_child_age else None
        if young is not None:
            yield finding("child-under-min-age", CHILDREN_SHEET, child.row, "birth_date", child.birth_date.isoformat(),
                          case.case_id, visit_id=young.visit_id, date=young.visit_date.isoformat(),
                          age=age_at(child.birth_date, young.visit_date), min_age=rules.min_child_age)
        # From a renewal that leaves the child out, the renewal error (contracts.py) says it already.
        leaves = first_exclusion(case, child, rules)
        until = leaves[0] if leaves else date.max
        before = [v for v in visits if v.visit_date < until]
        older = None
        if before and grade_on(child.birth_date, before[-1].visit_date) >= 7:
            older = next(v for v in before if grade_on(child.birth_date, v.visit_date) >= 7)
        if older is not None:
            ja, en = grade_label(grade_on(child.birth_date, older.visit_date))
            yield finding("child-junior-high", CHILDREN_SHEET, child.row, "birth_date", child.birth_date.isoformat(),
                          case.case_id, visit_id=older.visit_id, date=older.visit_date.isoformat(),
                          age=age_at(child.birth_date, older.visit_date), grade_ja=ja, grade_en=en)


def _prefecture_stem(name: str) -> str:
    text = fold(name)
    return text[:-1] if len(text) > 2 and text[-1] in "都道府県" else text


def _prefecture_only(text: str) -> str | None:
    """The prefecture part of the cell, never more: staff sometimes type a whole address there."""
    folded = fold(text)
    m = re.match(r"(.{1,3}?[都道府県])", folded)
    if m:
        return m.group(1)
    return folded if len(folded) <= 4 else None


def prefecture(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    wanted = _prefecture_stem(settings.rules.prefecture)
    full = fold(settings.rules.prefecture)
    if not wanted:
        return
    for child in ledger.children:
        if not child.prefecture:
            continue
        # "石川", "石川県" and "石川県金沢市" all live in 石川県.
        if _prefecture_stem(child.prefecture) != wanted and not fold(child.prefecture).startswith(full):
            yield finding("child-outside-prefecture", CHILDREN_SHEET, child.row, "prefecture",
                          _prefecture_only(child.prefecture), child.case_id, prefecture=settings.rules.prefecture)


def birth_dates(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    for child in ledger.children:
        if child.birth_date is not None and child.birth_date > as_of:
            yield finding("birth-date-future", CHILDREN_SHEET, child.row, "birth_date", child.birth_date.isoformat(),
                          child.case_id, as_of=as_of.isoformat())
