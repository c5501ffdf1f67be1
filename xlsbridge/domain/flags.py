"""What needs action soon: contract renewals, children leaving, programme limits, payments, reviews.

``upcoming_flags(ledger, prices, as_of, within)`` is pure.  Each flag has a kind, the case, the date
it falls due, days left (negative: overdue) and what to do, in Japanese and English.  Flags name
case IDs, never parents' names or contact details (a flags list is printed and shared in the office).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..i18n import t
from .contracts import current_term, excluded_at, next_review
from .jpcalendar import add_months
from .jpcalendar import format_era_or_year as format_era  # ledger dates before 昭和 must not stop the list
from .jpcalendar import format_era_year_month_or_year as format_era_year_month
from .ledger import Case, Child, Ledger
from .settings import Rules
from .ledger_fees import VisitPrice, case_statement

ACTIVE = ("active",)


@dataclass(frozen=True)
class FlagKind:
    code: str
    name_ja: str
    name_en: str


KINDS = {
    k.code: k
    for k in (
        FlagKind("contract-renewal", "契約更新", "Contract renewal"),
        FlagKind("child-leaves-at-renewal", "更新時に対象外となる子ども", "Child leaves at renewal"),
        FlagKind("national-year-end", "国の事業 1年到達", "National programme: one year reached"),
        FlagKind("national-month-used", "国の事業 月1回の枠使用済み", "National programme: month's visit used"),
        FlagKind("payment-overdue", "未入金", "Payment overdue"),
        FlagKind("review-due", "支援計画の見直し", "Support plan review"),
        FlagKind("deposit-low", "預り金の残り", "Deposit running low"),
    )
}


@dataclass(frozen=True)
class Flag:
    kind: str
    case_id: str
    due: date
    days_left: int
    action: str
    detail: str = ""
    record: str | None = None  # visit ID or child row, when the flag is about one

    @property
    def name(self) -> str:
        k = KINDS[self.kind]
        return t(k.name_ja, k.name_en)


def upcoming_flags(ledger: Ledger, prices: list[VisitPrice], as_of: date, within: int = 60) -> list[Flag]:
    horizon = as_of + timedelta(days=within)
    flags: list[Flag] = []
    children = ledger.children_of()
    visits = ledger.visits_of()
    rules = ledger.settings.rules
    for case in ledger.cases:
        if case.status not in ACTIVE or not case.case_id:
            continue
        now = current_term(case, rules)
        if now is not None and now.end <= horizon:
            renewal = now.end + timedelta(days=1)
            flags.append(_flag("contract-renewal", case, now.end, as_of,
                               t(f"契約は {format_era(now.end)} まで。継続するには父母とも更新契約が必要です（更新日 {format_era(renewal)}）",
                                 f"the contract ends on {now.end}; both parents must renew to continue (renewal {renewal})")))
            for child in children.get(case.case_id, []):
                leaving = _leaves_at(child, renewal, rules)
                if leaving:
                    flags.append(_flag("child-leaves-at-renewal", case, renewal, as_of, leaving,
                                       record=f"子ども!{child.row}行" if child.row else None))
        if case.national_program:
            flags += _national(case, visits.get(case.case_id, []), as_of, horizon, ledger)
        flags += _review(case, as_of, horizon, rules.review_interval_months)
    flags += _payments(prices, ledger, as_of)
    flags += _deposits(prices, ledger, as_of, horizon)
    flags.sort(key=lambda f: (f.due, f.case_id, f.kind))
    return flags


def _flag(kind: str, case: Case, due: date, as_of: date, action: str, detail: str = "", record: str | None = None) -> Flag:
    return Flag(kind, case.case_id or "", due, (due - as_of).days, action, detail, record)


def _leaves_at(child: Child, renewal: date, rules: Rules) -> str | None:
    """What to do about a child who is out at the renewal (domain.md: junior high at renewal), or None."""
    reason = excluded_at(child, renewal, rules)
    if reason is None:
        return None
    ja, en = reason
    return t(f"更新日 {format_era(renewal)} に{ja}: 更新の対象外です。父母に説明し、契約更新の子どもから外してください",
             f"on renewal ({renewal}) the child is {en}: not covered after renewal")


def _national(case: Case, visits: list, as_of: date, horizon: date, ledger: Ledger) -> list[Flag]:
    """National programme: support lasts at most a year, at most one supported visit a month."""
    out: list[Flag] = []
    start = case.both_signed_on()
    if start is not None:
        year_end = add_months(start, 12) - timedelta(days=1)
        if year_end <= horizon:
            out.append(_flag("national-year-end", case, year_end, as_of,
                             t(f"国の事業の支援は1年まで（{format_era(year_end)}）。終了か自費での継続かを父母と確認してください",
                               f"national programme support ends after one year ({year_end}); agree with the parents how to go on")))
    month = date(as_of.year, as_of.month, 1)
    while month <= horizon:
        used = [v for v in visits if v.visit_date and v.status in ("planned", "held")
                and (v.visit_date.year, v.visit_date.month) == (month.year, month.month)]
        if used:
            # The limit binds for the whole month: it is due from the month's first day (or today).
            out.append(_flag("national-month-used", case, max(month, as_of), as_of,
                             t(f"{format_era_year_month(month)}は面会（{used[0].visit_id}）で月1回の枠を使用済み。同じ月に追加しないでください",
                               f"{month:%Y-%m} already has its one supported visit ({used[0].visit_id}); do not add another"),
                             record=used[0].visit_id))
        month = add_months(month, 1)
    return out


def _review(case: Case, as_of: date, horizon: date, interval: int) -> list[Flag]:
    due = next_review(case, as_of, interval)
    if due is None:
        return []
    note = ""
    if case.review_date is None:
        note = t(f"（見直し予定日が未入力のため契約日から{interval}か月ごとで計算）",
                 f" (no review date entered: every {interval} months from the contract)")
    if due > horizon:
        return []
    return [_flag("review-due", case, due, as_of,
                  t(f"支援計画（意向・課題・支援内容）を見直し、次の見直し予定日を入力してください{note}",
                    f"review the support plan (wishes, issues, support) and enter the next review date{note}"))]


def _payments(prices: list[VisitPrice], ledger: Ledger, as_of: date) -> list[Flag]:
    """Unpaid shares past their due date — only when the ledger records payments at all."""
    if not ledger.records_payments:
        return []
    cases = ledger.cases_by_id()
    out: list[Flag] = []
    for vp in prices:
        b, v = vp.breakdown, vp.visit
        if b is None or v.status == "cancelled" and v.cancelled_by == "organisation":
            continue
        if b.due_date >= as_of:
            continue
        case = cases.get(v.case_id or "")
        if case is None or case.status not in ACTIVE + ("closed",):
            continue
        for parent, share, paid in (("father", b.father_share, v.father_paid), ("mother", b.mother_share, v.mother_paid)):
            if share > 0 and paid is None:
                who = t("父", "father") if parent == "father" else t("母", "mother")
                out.append(_flag("payment-overdue", case, b.due_date, as_of,
                                 t(f"{who}負担 {share:,}円（{v.visit_id}、{format_era(v.visit_date)}）が未入金です。入金を確認し{who}入金日を入力してください",
                                   f"the {who}'s share of {share:,} yen for {v.visit_id} is unpaid; confirm and enter the payment date"),
                                 record=v.visit_id))
    return out


def _deposits(prices: list[VisitPrice], ledger: Ledger, as_of: date, horizon: date) -> list[Flag]:
    """A case deposit the visits are drawn from: the visit after which a parent's part left falls below
    the schedule's warning threshold (or below zero), so staff ask for more before it runs out."""
    if not any(s.contract.case_deposit for s in ledger.settings.schedules):
        return []
    by_case: dict[str, list[VisitPrice]] = {}
    for vp in prices:
        if vp.visit.case_id:
            by_case.setdefault(vp.visit.case_id, []).append(vp)
    out: list[Flag] = []
    for case in ledger.cases:
        if case.status not in ACTIVE or not case.case_id:
            continue
        visits = by_case.get(case.case_id, [])
        statement = case_statement(case, visits, ledger.settings)
        if statement is None or not statement.low:
            continue
        left = dict(statement.deposit_paid)
        flagged: set[str] = set()
        for vp in sorted((v for v in visits if v.breakdown and v.visit.visit_date), key=lambda v: v.visit.visit_date):
            b = vp.breakdown
            for parent in statement.low:
                refund = (b.father_refund if parent == "father" else b.mother_refund) or 0
                left[parent] -= b.share(parent) - refund
                if parent not in flagged and (left[parent] < statement.warn_below or left[parent] < 0):
                    flagged.add(parent)
                    day = vp.visit.visit_date
                    if day > horizon:
                        continue
                    who = t("父", "father") if parent == "father" else t("母", "mother")
                    out.append(_flag("deposit-low", case, day, as_of,
                                     t(f"{who}の預り金の残りが {vp.visit.visit_id}（{format_era(day)}）の後 {left[parent]:,}円になります"
                                       f"（警告 {statement.warn_below:,}円未満）。追加の預り金を{who}と相談してください",
                                       f"the {who}'s deposit leaves {left[parent]:,} yen after {vp.visit.visit_id} ({day}), "
                                       f"below {statement.warn_below:,}; agree more with the {who}"),
                                     record=vp.visit.visit_id))
    return out
