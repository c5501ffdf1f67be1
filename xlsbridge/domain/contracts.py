"""Contract terms (domain.md "Contracts and eligibility").

Each parent contracts separately; visits start once both have signed; a term lasts
``contract_months`` (WEK: one year) and is renewed a term at a time when both parents wish.
Interpretation: the case's terms run from the day the second parent signed, so both parents'
contracts end together and "renewal" is one event for the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .jpcalendar import add_months, age_on, grade_label, grade_on
from .ledger import Case, Child
from .settings import Rules


@dataclass(frozen=True)
class Term:
    number: int  # 0 = first contract, 1 = first renewal, ...
    start: date
    end: date  # last day covered


# Terms are counted only up to this year: a renewal count that reaches past it is a typing slip
# (rules/contracts.py reports it), and the calendar ends at 9999.
LAST_TERM_YEAR = 2200


def term(start: date, number: int, rules: Rules) -> Term:
    begin = add_months(start, rules.contract_months * number)
    end = add_months(start, rules.contract_months * (number + 1)) - timedelta(days=1)
    return Term(number, begin, end)


def max_renewals(start: date, rules: Rules) -> int:
    """The most renewals whose term ends by the end of LAST_TERM_YEAR."""
    months = (LAST_TERM_YEAR - start.year) * 12 + (12 - start.month)
    return max(months // rules.contract_months - 1, 0)


def renewals_counted(case: Case, rules: Rules) -> int:
    """The case's 更新回数 as the terms count it: never below 0, never past LAST_TERM_YEAR."""
    start = case.both_signed_on()
    renewals = max(case.renewals, 0)
    return renewals if start is None else min(renewals, max_renewals(start, rules))


def current_term(case: Case, rules: Rules) -> Term | None:
    """The term the ledger says the case is in (更新回数 renewals after the first)."""
    start = case.both_signed_on()
    if start is None:
        return None
    return term(start, renewals_counted(case, rules), rules)


def term_on(case: Case, day: date, rules: Rules) -> Term | None:
    """The term covering ``day``, if the case's recorded renewals reach it."""
    start = case.both_signed_on()
    if start is None or day < start:
        return None
    last = renewals_counted(case, rules)
    # The term number is the whole contract periods between the two months, give or take one
    # (a term that starts on the 31st starts on the month's last day in shorter months).
    guess = ((day.year - start.year) * 12 + day.month - start.month) // rules.contract_months
    for n in (guess - 1, guess, guess + 1):
        if 0 <= n <= last:
            t = term(start, n, rules)
            if t.start <= day <= t.end:
                return t
    return None


def contract_end(case: Case, rules: Rules) -> date | None:
    t = current_term(case, rules)
    return t.end if t else None


def excluded_at(child: Child, day: date, rules: Rules) -> tuple[str, str] | None:
    """Why ``child`` is not carried into a term renewed on ``day`` ((ja, en)), or None.

    ``rules.renewal_exclusion``: "junior_high" — a junior-high student (from the April school year);
    "age" — ``exit_age`` or older.  The age is always shown (domain.md).
    """
    if child.birth_date is None:
        return None
    age = age_on(child.birth_date, day) if day >= child.birth_date else 0
    if rules.renewal_exclusion == "junior_high":
        grade = grade_on(child.birth_date, day)
        if grade < 7:
            return None
        ja, en = grade_label(grade)
        return f"{ja}（{age}歳）", f"in {en} (age {age})"
    if age < rules.exit_age:
        return None
    return f"{age}歳（{rules.exit_age}歳以上）", f"aged {age} ({rules.exit_age} or older)"


def next_review(case: Case, as_of: date, interval_months: int) -> date | None:
    """The support plan's next review (見直し予定日): the one entered on the case, or else the first one on
    or after ``as_of`` of the reviews every ``interval_months`` counted from the day both parents had
    signed, each from that date, not from the previous review (domain.md "Support plans and review"):
    a contract of 08-31 has reviews on 11-30, 02-28 (or 29) and 05-31."""
    if case.review_date is not None:
        return case.review_date
    start = case.both_signed_on()
    if start is None:
        return None
    k = 1
    while add_months(start, interval_months * k) < as_of:
        k += 1
    return add_months(start, interval_months * k)
