"""Contract terms (domain.md "Contracts and eligibility").

Each parent contracts separately; visits start once both have signed; a term lasts
``contract_months`` (WEK: one year) and is renewed a term at a time when both parents wish.
Interpretation: the case's terms run from the day the second parent signed, so both parents'
contracts end together and "renewal" is one event for the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .jpcalendar import add_months
from .ledger import Case
from .settings import Rules


@dataclass(frozen=True)
class Term:
    number: int  # 0 = first contract, 1 = first renewal, ...
    start: date
    end: date  # last day covered


def term(start: date, number: int, rules: Rules) -> Term:
    begin = add_months(start, rules.contract_months * number)
    end = add_months(start, rules.contract_months * (number + 1)) - timedelta(days=1)
    return Term(number, begin, end)


def current_term(case: Case, rules: Rules) -> Term | None:
    """The term the ledger says the case is in (更新回数 renewals after the first)."""
    start = case.both_signed_on()
    if start is None:
        return None
    return term(start, max(case.renewals, 0), rules)


def term_on(case: Case, day: date, rules: Rules) -> Term | None:
    """The term covering ``day``, if the case's recorded renewals reach it."""
    start = case.both_signed_on()
    if start is None or day < start:
        return None
    for n in range(max(case.renewals, 0) + 1):
        t = term(start, n, rules)
        if t.start <= day <= t.end:
            return t
    return None


def contract_end(case: Case, rules: Rules) -> date | None:
    t = current_term(case, rules)
    return t.end if t else None
