"""Pricing every visit of a ledger, and the summaries staff and funders read.

A visit whose entries break a rule gets no price: a wrong number on a fee statement is worse than
none.  Instead it carries the codes of the findings that stop it, so the fees sheet can point at
the validate report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .findings import Finding, Location
from .ledger import Case, Ledger, Visit
from .money import Ratio, split
from .pricing import Cap, FeeBreakdown, PricingError, PricingRequest, VisitPricer
from .settings import Parent, Settings

VISITS_SHEET = "面会記録"
CASES_SHEET = "ケース"
# Case fields a visit's price depends on: an error there blocks the case's visits.
PRICING_CASE_FIELDS = frozenset({"ratio", "father.member", "mother.member", "reduction"})


@dataclass(frozen=True)
class VisitPrice:
    visit: Visit
    breakdown: FeeBreakdown | None
    blocked_by: tuple[str, ...] = ()  # finding codes; empty when priced
    blocked_cells: tuple[str, ...] = ()


def pricing_request(case: Case, visit: Visit) -> PricingRequest:
    """The fee engine's view of a ledger visit (raises PricingError / ValueError on missing data)."""
    return PricingRequest(**complete_fields(case, visit))


def complete_fields(case: Case, visit: Visit) -> dict[str, Any]:
    """:func:`pricing_fields` of a visit that can be priced: ValueError without its date, support type
    or number of children."""
    if visit.visit_date is None or visit.support_type is None or visit.children is None:
        raise ValueError("incomplete visit")
    return pricing_fields(case, visit)


def pricing_fields(case: Case, visit: Visit) -> dict[str, Any]:
    """The fields of :func:`pricing_request` as a plain dict (cheap: no model is built)."""
    cancelled = visit.status == "cancelled"
    return {
        "support_type": visit.support_type,
        "visit_date": visit.visit_date,
        "children": visit.children,
        "extension_minutes": visit.extension_minutes,
        "extension_agreed": visit.extension_agreed,
        "duration_minutes": visit.duration_minutes(),
        "municipality": visit.municipality or "",
        "father_member": case.father.member,
        "mother_member": case.mother.member,
        "ratio": case.ratio or _EVEN,
        "reduction": case.reduction,
        "cancelled_at": visit.cancelled_at if cancelled else None,
        "cancelled_by": visit.cancelled_by if cancelled else None,
        # Fields a ledger may not record yet: looked up only when the model has them (a missing
        # attribute costs pydantic an exception, 100,000 of them on a 50,000-visit ledger).
        "extra_adults": (getattr(visit, "extra_adults") or 0) if "extra_adults" in _VISIT_FIELDS else 0,
        "costs": (getattr(visit, "costs") or 0) if "costs" in _VISIT_FIELDS else 0,
        "visiting_parent": _OTHER.get(case.custodial or ""),
    }


_OTHER = {"father": "mother", "mother": "father"}
_VISIT_FIELDS = frozenset(Visit.model_fields)


_EVEN = Ratio.even()


def price_ledger(ledger: Ledger, findings: list[Finding]) -> list[VisitPrice]:
    errors_by_row: dict[tuple[str, int], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.severity == "error" and f.location.row is not None:
            if f.location.sheet == CASES_SHEET and f.location.field not in PRICING_CASE_FIELDS:
                continue
            errors_by_row[(f.location.sheet, f.location.row)].append(f)
    cases = ledger.cases_by_id()
    case_rows = {c.case_id: c.row for c in ledger.cases if c.case_id}
    out: list[VisitPrice] = []
    price = VisitPricer(ledger.settings)
    for visit in ledger.visits:
        blocking = list(errors_by_row.get((VISITS_SHEET, visit.row or -1), []))
        case = cases.get(visit.case_id or "")
        if case is not None:
            blocking += errors_by_row.get((CASES_SHEET, case_rows.get(case.case_id) or -1), [])
        if blocking or case is None:
            out.append(_blocked(visit, blocking))
            continue
        try:
            out.append(VisitPrice(visit, price(complete_fields(case, visit))))
        except (PricingError, ValueError) as exc:
            code = exc.code if isinstance(exc, PricingError) else "visit-incomplete"
            row = (Location(VISITS_SHEET, visit.row).address(),) if visit.row else ()
            out.append(VisitPrice(visit, None, (code,), row))  # the row to fix, with its `!`, never a bare code
    return out


def _blocked(visit: Visit, blocking: list[Finding]) -> VisitPrice:
    codes = tuple(dict.fromkeys(f.code for f in blocking)) or ("unknown-case-id",)
    cells = tuple(dict.fromkeys(f.location.address() for f in blocking))
    return VisitPrice(visit, None, codes, cells)


@dataclass
class SummaryRow:
    """Totals for one case in one month (or for a whole case / month when the other key is None)."""

    case_id: str | None
    month: str | None  # "2025-06"
    held: int = 0
    planned: int = 0
    cancelled: int = 0
    unpriced: int = 0
    billed_father: int = 0
    billed_mother: int = 0
    refunded_father: int = 0
    refunded_mother: int = 0
    schedules: dict[str, None] = field(default_factory=dict)  # the schedules that priced its visits, in order

    @property
    def billed(self) -> int:
        return self.billed_father + self.billed_mother

    @property
    def refunded(self) -> int:
        return self.refunded_father + self.refunded_mother


@dataclass
class FeeSummary:
    by_case_month: list[SummaryRow] = field(default_factory=list)
    by_month: list[SummaryRow] = field(default_factory=list)
    by_case: list[SummaryRow] = field(default_factory=list)
    total: SummaryRow = field(default_factory=lambda: SummaryRow(None, None))
    # Each case's charges outside the visits and its deposit (``case_statements``); empty when the
    # settings have none.  ``schedule_count``: how many schedules the settings have (the 料金表 column
    # is drawn when there is a choice).
    statements: list["CaseStatement"] = field(default_factory=list)
    schedule_count: int = 1


def summarise(prices: list[VisitPrice]) -> FeeSummary:
    """Visits and amounts billed to each parent, and refunds, per case and month.

    A cancelled visit was billed (payment is due 5 days before) and then partly refunded, so it
    counts in both columns; an unpriced visit counts only as unpriced.
    """
    # Rows are made only when a key is first seen (setdefault would build one per visit to throw away).
    cells: dict[tuple[str, str], SummaryRow] = {}
    for vp in prices:
        v = vp.visit
        if v.visit_date is None or not v.case_id:
            continue
        key = (v.case_id, f"{v.visit_date.year:04d}-{v.visit_date.month:02d}")
        row = cells.get(key)
        if row is None:
            row = cells[key] = SummaryRow(*key)
        _add(row, vp)

    summary = FeeSummary(by_case_month=[cells[k] for k in sorted(cells)])
    months: dict[str, SummaryRow] = {}
    cases: dict[str, SummaryRow] = {}
    for row in summary.by_case_month:
        month = months.get(row.month or "")
        if month is None:
            month = months[row.month or ""] = SummaryRow(None, row.month)
        case = cases.get(row.case_id or "")
        if case is None:
            case = cases[row.case_id or ""] = SummaryRow(row.case_id, None)
        _merge(month, row)
        _merge(case, row)
        _merge(summary.total, row)
    summary.by_month = [months[k] for k in sorted(months)]
    summary.by_case = [cases[k] for k in sorted(cases)]
    return summary


def _add(row: SummaryRow, vp: VisitPrice) -> None:
    status = vp.visit.status
    if vp.breakdown is None:
        row.unpriced += 1
        return
    b = vp.breakdown
    row.schedules.setdefault(b.schedule, None)
    if status == "held":
        row.held += 1
    elif status == "cancelled":
        row.cancelled += 1
    else:
        row.planned += 1
    row.billed_father += b.father_share
    row.billed_mother += b.mother_share
    if b.cancelled:
        row.refunded_father += b.father_refund or 0
        row.refunded_mother += b.mother_refund or 0


def _merge(target: SummaryRow, row: SummaryRow) -> None:
    # Spelt out field by field: called for every case-month three times (40,000 rows on 50,000 visits),
    # where a loop of getattr/setattr over the names cost four times as much.
    target.held += row.held
    target.planned += row.planned
    target.cancelled += row.cancelled
    target.unpriced += row.unpriced
    target.billed_father += row.billed_father
    target.billed_mother += row.billed_mother
    target.refunded_father += row.refunded_father
    target.refunded_mother += row.refunded_mother
    for name in row.schedules:
        target.schedules.setdefault(name, None)


_WHO = {"father": ("父", "father"), "mother": ("母", "mother")}


def cap_note(cap: Cap) -> tuple[str, str]:
    """Why an amount of the breakdown is less than the rule's figure, (ja, en)."""
    ja, en = _WHO[cap.parent]
    other_ja, other_en = _WHO["mother" if cap.parent == "father" else "father"]
    if cap.kind == "member_discount":
        return (f"{ja}の会員割引 {cap.wanted:,}円は{ja}の負担額 {cap.applied:,}円まで",
                f"the {en}'s member discount of {cap.wanted:,} yen is held to the {en}'s share, {cap.applied:,} yen")
    return (f"{ja}の支払額が差引分の{ja}の割合 {cap.wanted:,}円より少ないため{ja}から {cap.applied:,}円、"
            f"残り {cap.wanted - cap.applied:,}円は{other_ja}の返金から差し引き",
            f"the {en} paid less than their part of the amount kept ({cap.wanted:,} yen): {cap.applied:,} yen "
            f"from the {en}, the other {cap.wanted - cap.applied:,} yen off the {other_en}'s refund")


def breakdown_text(b: FeeBreakdown, settings: Settings, visit: Visit) -> str:
    """The short 内訳 text of the fees sheet, e.g. ``付き添い型 8,500 + 子2人目 4,250 + 延長60分 2,000 …``.

    With more than one schedule in the settings the text starts with the name of the one that priced
    the visit (``［2025年度料金表］ …``).
    """
    parts = [f"{b.support_type_ja} {b.base:,}"]
    if b.child_addon:
        parts.append(f"子ども加算 {b.child_addon:,}")
    if b.extension:
        parts.append(f"延長{visit.extension_minutes}分 {b.extension:,}")
    if b.extra_adults:
        parts.append(f"大人追加 {b.extra_adults:,}")
    if b.transport:
        payer = ""
        schedule = next((s for s in settings.schedules if s.name == b.schedule), None)
        if schedule is not None and schedule.transport.paid_by == "visiting_parent":
            payer = "・父負担" if b.father_transport else "・母負担"
        parts.append(f"交通費({visit.municipality}{payer}) {b.transport:,}")
    text = " + ".join(parts)
    if len(settings.schedules) > 1:
        text = f"［{b.schedule}］ {text}"
    if b.reduction:
        text += f" − 減額 {b.reduction:,}"
    if b.member_discount:
        text += f" − 会員割引 {b.member_discount:,}"
    if b.non_member_surcharge:
        text += f" + 非会員 {b.non_member_surcharge:,}"
    if b.insurance:
        text += f" + 保険料 {b.insurance:,}"
    if b.costs:
        text += f" + 実費 {b.costs:,}"
    text += f" = {b.total:,}円"
    if b.cancelled:
        text += f"（中止: 返金 {b.refund or 0:,}円）"
    for cap in b.caps:
        text += f"（{cap_note(cap)[0]}）"
    return text



# --------------------------------------------------------------------------------------------------
# Charges outside the visits, and the deposit the visits are drawn from: each case's statement
# --------------------------------------------------------------------------------------------------

PARENTS: tuple[Parent, ...] = ("father", "mother")
CHARGE_KINDS = ("pre_consultation", "contract", "renewal", "deposit")  # per parent, from the settings


@dataclass(frozen=True)
class CaseStatement:
    """What each parent of one case pays besides the visits, and where the case deposit stands.

    ``charges[kind][parent]``: 事前面談料 (one per pre-consultation recorded), 契約料 at the parent's
    contract, 更新料 at each recorded renewal, and the refundable deposit per parent — each under the
    schedule in force on its day.  ``deposit_paid``: the parent's part of the case deposit (the ratio);
    ``drawn``: what held and cancelled visits took from it (the share, less any refund); ``planned``:
    what the planned visits will take; ``left`` = paid − drawn.  ``low``: the parents whose part left
    after the planned visits is below the schedule's warning threshold (or below zero).
    """

    case_id: str
    charges: dict[str, dict[Parent, int]]
    deposit_schedule: str | None = None
    deposit_paid: dict[Parent, int] = field(default_factory=lambda: {"father": 0, "mother": 0})
    drawn: dict[Parent, int] = field(default_factory=lambda: {"father": 0, "mother": 0})
    planned: dict[Parent, int] = field(default_factory=lambda: {"father": 0, "mother": 0})
    warn_below: int = 0
    low: tuple[Parent, ...] = ()
    ended: bool = False  # the case is closed or terminated: what is left is refunded

    @property
    def refund_due(self) -> dict[Parent, int]:
        """What each parent gets back of the case deposit when the case has ended (0 while it runs)."""
        return {p: max(0, self.left[p]) if self.ended else 0 for p in PARENTS}

    @property
    def left(self) -> dict[Parent, int]:
        return {p: self.deposit_paid[p] - self.drawn[p] for p in PARENTS}

    @property
    def left_after_planned(self) -> dict[Parent, int]:
        return {p: self.deposit_paid[p] - self.drawn[p] - self.planned[p] for p in PARENTS}

    def charged(self, parent: Parent) -> int:
        """Everything outside the visits the parent pays (the case deposit included)."""
        return sum(c[parent] for c in self.charges.values()) + self.deposit_paid[parent]

    @property
    def has_deposit(self) -> bool:
        return self.deposit_schedule is not None


def case_statements(ledger: Ledger, prices: list[VisitPrice]) -> list[CaseStatement]:
    """One statement per case with a charge outside the visits or a case deposit (in case order)."""
    settings = ledger.settings
    if not any(_has_case_charges(s) for s in settings.schedules):
        return []
    by_case: dict[str, list[VisitPrice]] = defaultdict(list)
    for vp in prices:
        if vp.visit.case_id:
            by_case[vp.visit.case_id].append(vp)
    out = []
    for case in ledger.cases:
        if not case.case_id:
            continue
        statement = case_statement(case, by_case.get(case.case_id, []), settings)
        if statement is not None:
            out.append(statement)
    return out


def _has_case_charges(schedule) -> bool:
    c = schedule.contract
    return bool(c.pre_consultation_fee or c.contract_fee or c.renewal_fee or c.deposit or c.case_deposit)


def dated_charges(case: Case, settings: Settings) -> list[tuple[date, str, Parent, int]]:
    """(day, kind, parent, yen) of every charge outside the visits: kind one of :data:`CHARGE_KINDS`
    or "case_deposit" (the parent's part of the case deposit, on the day the second parent signed).
    Each under the schedule in force on its day; zero amounts are left out."""
    from .contracts import renewals_counted, term
    from .pricing import schedule_on

    out: list[tuple[date, str, Parent, int]] = []
    for p in PARENTS:
        rec = case.parent(p)
        if rec.pre_consultation is not None:
            s = schedule_on(settings, rec.pre_consultation)
            out.append((rec.pre_consultation, "pre_consultation", p, s.contract.pre_consultation_fee if s else 0))
        if rec.contract_date is not None:
            s = schedule_on(settings, rec.contract_date)
            if s is not None:
                out.append((rec.contract_date, "contract", p, s.contract.contract_fee))
                out.append((rec.contract_date, "deposit", p, s.contract.deposit))
    start = case.both_signed_on()
    if start is not None:
        for n in range(1, renewals_counted(case, settings.rules) + 1):
            day = term(start, n, settings.rules).start
            s = schedule_on(settings, day)
            for p in PARENTS:
                out.append((day, "renewal", p, s.contract.renewal_fee if s else 0))
        s = schedule_on(settings, start)
        if s is not None and s.contract.case_deposit:
            parts = split(s.contract.case_deposit, case.ratio or _EVEN, settings.rules.odd_yen_to)
            out += [(start, "case_deposit", p, parts[p]) for p in PARENTS]
    return [c for c in out if c[3]]


def case_statement(case: Case, prices: list[VisitPrice], settings: Settings) -> CaseStatement | None:
    from .pricing import schedule_on

    charges: dict[str, dict[Parent, int]] = {k: {"father": 0, "mother": 0} for k in CHARGE_KINDS}
    for _day, kind, p, amount in dated_charges(case, settings):
        if kind in charges:
            charges[kind][p] += amount
    start = case.both_signed_on()
    deposit_day = start or min((vp.visit.visit_date for vp in prices if vp.visit.visit_date), default=None)
    schedule = schedule_on(settings, deposit_day) if deposit_day is not None else None
    if schedule is None or schedule.contract.case_deposit == 0:
        if not any(any(c.values()) for c in charges.values()):
            return None
        return CaseStatement(case.case_id or "", charges)
    ratio = case.ratio or _EVEN
    paid = split(schedule.contract.case_deposit, ratio, settings.rules.odd_yen_to)
    drawn: dict[Parent, int] = {"father": 0, "mother": 0}
    planned: dict[Parent, int] = {"father": 0, "mother": 0}
    for vp in prices:
        b = vp.breakdown
        if b is None:
            continue
        target = planned if vp.visit.status == "planned" else drawn
        for p in PARENTS:
            refund = (b.father_refund if p == "father" else b.mother_refund) or 0
            target[p] += b.share(p) - refund
    warn = schedule.contract.deposit_warn_below
    after = {p: paid[p] - drawn[p] - planned[p] for p in PARENTS}
    ended = case.status in ("closed", "terminated")
    low = () if ended else tuple(p for p in PARENTS if after[p] < warn or after[p] < 0)
    return CaseStatement(case.case_id or "", charges, schedule.name, paid, drawn, planned, warn, low, ended)
