"""Validation rules over the ledger: pure functions ``(ledger, settings, as_of) -> findings``.

One small module per area; :data:`RULES` lists every rule in the order they run, and
:func:`validate_ledger` runs them all.  Importing this package registers the rules' finding types in
the catalogue (``catalog_entries``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from ..findings import Finding
from ..ledger import Ledger
from ..settings import Settings
from . import catalog_entries as _catalog_entries  # noqa: F401  (registers the finding types)
from . import children, contracts, identity, national, required, termination, visits
from ._common import fold, sort_key

Rule = Callable[[Ledger, Settings, date], Iterable[Finding]]

RULES: tuple[Rule, ...] = (
    required.required_fields,
    identity.unknown_case_ids,
    identity.duplicate_ids,
    contracts.written_agreement,
    contracts.contract_dates,
    contracts.pre_consultations,
    contracts.renewal_count,
    contracts.renewal_children,
    contracts.case_support_type,
    contracts.reductions,
    visits.fee_rules,
    visits.places,
    visits.children_count,
    visits.held_visits,
    visits.planned_in_the_past,
    visits.cancellation_notices,
    visits.support_types_match,
    visits.staff_known,
    children.ages_at_visits,
    children.prefecture,
    children.birth_dates,
    national.child_age,
    national.monthly_limit,
    national.frequency,
    national.one_year,
    national.eligibility,
    national.second_time,
    termination.termination_date,
    termination.visits_after,
    termination.returning_person,
)


def validate_ledger(ledger: Ledger, as_of: date) -> list[Finding]:
    """Every finding of every rule, once each, sorted by sheet order, row and column."""
    seen: dict[tuple, Finding] = {}
    for rule in RULES:
        for f in rule(ledger, ledger.settings, as_of):
            seen.setdefault((f.code, f.location.sheet, f.location.row, f.location.field), f)
    return sorted(seen.values(), key=sort_key)


__all__ = ["RULES", "Rule", "fold", "sort_key", "validate_ledger"]
