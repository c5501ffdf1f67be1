"""Funder statistics (実績報告): the figures organisations put in grant and activity reports.

びじっと reports "470 supported visits, 258 parents, 199 children" a year (domain.md [VISIT]); a
prefecture that commissions the national programme asks for its cases and visits.  Pure: a ledger
and its priced visits in, numbers out — never a name, an ID or an address, so a report can be sent
to a funder as it is.

What is counted, for the period and for each calendar month in it (the first and last months cut
to the period):

* visits by support type and status (実施 / 予定 / 中止; a visit without a status is 未入力), by
  their date; visits without a date are counted once, in the period's total, as 日付なし;
* cases supported: distinct cases with at least one held (実施) visit in the period (a visit whose
  case ID is not on the ケース sheet counts as a visit but supports no case: it is reported apart);
* parents supported: the named parents (父氏名 / 母氏名) of those cases, each case's parents counted
  once — a parent is identified by case, as the ledger keeps no other identity across cases;
* children supported: the 子ども rows of those cases; a case with no 子ども row counts the most
  children of its held visits in the period (子ども人数);
* national programme (国の事業): supported cases run under it, and their held visits;
* applications (申込日 in the period) and new contracts (the day the second parent signed);
* fees billed and refunded for held and cancelled visits (planned visits are not billed yet):
  billed is both parents' shares, refunded what cancelled visits give back; visits the fee rules
  could not price (entries with errors) are counted as unpriced, never guessed;
* charges outside the visits on days in the period (事前面談料, 契約料, 更新料, deposits: the refundable
  one per parent and each parent's part of a case deposit the visits are drawn from) — only when the
  settings have any (``ActivityReport.other_charges``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from .ledger import Case, Ledger, Visit
from .ledger_fees import VisitPrice, dated_charges

STATUSES = ("held", "planned", "cancelled", "unknown")
STATUS_JA = {"held": "実施", "planned": "予定", "cancelled": "中止", "unknown": "未入力"}
UNKNOWN_TYPE = "unknown"


@dataclass
class Figures:
    """The counts and amounts of one period (a month, or the whole report period)."""

    label: str  # "2025-04", or "total"
    start: date
    end: date
    visits: dict[tuple[str, str], int] = field(default_factory=dict)  # (support type, status) -> count
    undated: int = 0
    cases: int = 0
    parents: int = 0
    children: int = 0
    national_cases: int = 0
    national_held: int = 0
    applications: int = 0
    new_contracts: int = 0
    billed: int = 0
    refunded: int = 0
    unpriced: int = 0
    unknown_case_held: int = 0  # held visits whose case ID is not on the ケース sheet
    charges: dict[str, int] = field(default_factory=dict)  # kind -> yen charged outside the visits

    def count(self, status: str, support_type: str | None = None) -> int:
        return sum(n for (kind, st), n in self.visits.items()
                   if st == status and (support_type is None or kind == support_type))

    @property
    def held(self) -> int:
        return self.count("held")

    @property
    def planned(self) -> int:
        return self.count("planned")

    @property
    def cancelled(self) -> int:
        return self.count("cancelled")

    @property
    def total_visits(self) -> int:
        return sum(self.visits.values())

    @property
    def net(self) -> int:
        return self.billed - self.refunded


@dataclass
class ActivityReport:
    organisation: str
    start: date
    end: date
    support_types: tuple[tuple[str, str], ...]  # (key, Japanese label), in the settings' order
    months: list[Figures]
    total: Figures
    other_charges: bool = False  # the settings charge something outside the visits
    language: str = "ja"  # the ledger's (設定 台帳の言語): the language of the 実績報告 sheet


def months_between(start: date, end: date) -> list[tuple[str, date, date]]:
    """("2025-04", first day, last day) of each calendar month from ``start`` to ``end``, cut to them."""
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        first = date(year, month, 1)
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        out.append((f"{year:04d}-{month:02d}", max(first, start), min(nxt - timedelta(days=1), end)))
        year, month = nxt.year, nxt.month
    return out


def activity_report(ledger: Ledger, prices: Sequence[VisitPrice], start: date, end: date) -> ActivityReport:
    """The figures of ``ledger`` from ``start`` to ``end`` (both included), per month and in total."""
    if start > end:
        raise ValueError("start after end")
    price_of = {id(p.visit): p for p in prices}
    labels: dict[str, str] = {}
    for schedule in sorted(ledger.settings.schedules, key=lambda s: s.effective_from):
        for st in schedule.support_types:
            labels[st.key] = st.label_ja  # the latest schedule's label wins
    types = [(key, labels[key]) for key in ledger.settings.support_type_keys]
    extra = sorted({v.support_type or UNKNOWN_TYPE for v in ledger.visits} - set(labels))
    types += [(key, "未入力" if key == UNKNOWN_TYPE else key) for key in extra]

    months = [_figures(ledger, price_of, label, first, last) for label, first, last in months_between(start, end)]
    total = _figures(ledger, price_of, "total", start, end)
    total.undated = sum(1 for v in ledger.visits if v.visit_date is None)
    other = any(s.contract.pre_consultation_fee or s.contract.contract_fee or s.contract.renewal_fee
                or s.contract.deposit or s.contract.case_deposit for s in ledger.settings.schedules)
    if other:
        for case in ledger.cases:
            for day, kind, _parent, amount in dated_charges(case, ledger.settings):
                for fig in [total, *months]:
                    if fig.start <= day <= fig.end:
                        fig.charges[kind] = fig.charges.get(kind, 0) + amount
    return ActivityReport(ledger.settings.organisation, start, end, tuple(types), months, total, other,
                          ledger.settings.rules.language)


def _figures(ledger: Ledger, price_of: dict[int, VisitPrice], label: str, start: date, end: date) -> Figures:
    fig = Figures(label, start, end)
    cases = ledger.cases_by_id()
    held_by_case: dict[str, list[Visit]] = {}
    for v in ledger.visits:
        if v.visit_date is None or not start <= v.visit_date <= end:
            continue
        status = v.status or "unknown"
        key = (v.support_type or UNKNOWN_TYPE, status)
        fig.visits[key] = fig.visits.get(key, 0) + 1
        if status == "held" and v.case_id:
            held_by_case.setdefault(v.case_id, []).append(v)
        if status in ("held", "cancelled"):
            price = price_of.get(id(v))
            if price is None or price.breakdown is None:
                fig.unpriced += 1
                continue
            b = price.breakdown
            fig.billed += b.father_share + b.mother_share
            if b.cancelled:
                fig.refunded += (b.father_refund or 0) + (b.mother_refund or 0)
    children_of = ledger.children_of()
    for case_id, held in held_by_case.items():
        case = cases.get(case_id)
        if case is None:  # a visit of a case not on the ケース sheet (a validate error): not a supported case
            fig.unknown_case_held += len(held)
            continue
        fig.cases += 1
        fig.parents += _named_parents(case)
        if case.national_program:
            fig.national_cases += 1
            fig.national_held += len(held)
        rows = children_of.get(case_id, [])
        fig.children += len(rows) if rows else max((v.children or 0) for v in held)
    for case in ledger.cases:
        if case.application_date is not None and start <= case.application_date <= end:
            fig.applications += 1
        signed = case.both_signed_on()
        if signed is not None and start <= signed <= end:
            fig.new_contracts += 1
    return fig


def _named_parents(case: Case) -> int:
    return sum(1 for p in (case.father, case.mother) if p.name and p.name.strip())
