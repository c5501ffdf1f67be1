"""Contracts: both parents signed before the first visit, visits inside the term, pre-consultations
a week ahead, children leaving at renewal, the case's support type and reduction (domain.md
"Contracts and eligibility", "Fees: hardship reduction").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..contracts import LAST_TERM_YEAR, contract_end, excluded_at, max_renewals, renewals_counted, term
from ..findings import ERROR, WARNING, Finding, FindingType, register
from ..ledger import Case, Child, Ledger, Visit
from ..ledger_fees import pricing_fields
from ..pricing import PricingError, PricingRequest, price_visit
from ..settings import Rules, Settings
from ._common import CASES_SHEET, CHILDREN_SHEET, PARENTS, VISITS_SHEET, counts, finding, index


def _first_visit(visits: list[Visit]) -> Visit | None:
    return next((v for v in visits if counts(v)), None)


register(
    FindingType(
        code="contract-missing", severity=ERROR, source="Contracts and eligibility",
        name_ja="契約日がない", name_en="Contract date missing",
        template_ja="{parent_ja}の契約日がありませんが、面会 {visit_id}（{date}）があります。契約日を入力するか、面会を見直してください",
        template_en="the {parent_en}'s contract date is empty but visit {visit_id} ({date}) exists; enter the contract date or review the visit",
        description_ja="面会は父母の両方と契約した後に限る。面会（中止を除く）があるのに契約日がない。",
        description_en="Visits start only after both parents signed; a case has a visit (not cancelled) but a parent's contract date is empty.",
    ),
    FindingType(
        code="visit-before-contract", severity=ERROR, source="Contracts and eligibility",
        name_ja="契約前の面会", name_en="Visit before the contract",
        template_ja="実施日 {value} は父母の契約がそろった日 {signed} より前です。契約後の日付にするか、契約日を確認してください",
        template_en="the visit date {value} is before both parents had signed ({signed}); move the visit or check the contract dates",
        description_ja="面会（中止を除く）が、父母の遅い方の契約日より前。",
        description_en="A visit (not cancelled) is dated before the later of the two contract dates.",
    ),
    FindingType(
        code="visit-after-contract-end", severity=ERROR, source="Contracts and eligibility",
        name_ja="契約期間後の面会", name_en="Visit after the contract ends",
        template_ja="実施日 {value} は契約期間（{end} まで、更新{renewals}回）の後です。更新したなら更新回数を直し、そうでなければ日付を確認してください",
        template_en="the visit date {value} is after the contract term ({end}, {renewals} renewal(s)); if the contract was renewed, update the renewal count, otherwise check the date",
        description_ja="契約期間は遅い方の契約日から契約月数（WEKは12か月）×（更新回数+1）、その前日まで。",
        description_en="The term runs from the later contract date for contract months (WEK: 12) × (renewals + 1), to the day before.",
    ),
)


def contract_dates(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    """A visit needs both contracts, on or before its date, and falls inside the term."""
    idx = index(ledger)
    for case in idx.cases.values():
        visits = idx.counted.get(case.case_id or "", ())
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


register(
    FindingType(
        code="pre-consultation-missing", severity=ERROR, source="Contracts and eligibility; National program cases",
        name_ja="事前面談日がない", name_en="Pre-consultation missing",
        template_ja="{parent_ja}の事前面談日がありません。事前面談（初回面会の{days}日以上前）をした日を入力してください",
        template_en="the {parent_en}'s pre-consultation date is empty; enter the day of the pre-consultation (at least {days} days before the first visit)",
        description_ja="面会（中止を除く）があるケース、および契約した国の事業のケースは、父母それぞれの事前面談日が必要。",
        description_en="A case with a visit (not cancelled), and a national-programme case with a contract, needs each parent's pre-consultation date.",
    ),
    FindingType(
        code="pre-consultation-late", severity=ERROR, source="Contracts and eligibility",
        name_ja="事前面談が遅い", name_en="Pre-consultation too late",
        template_ja="{parent_ja}の事前面談日 {value} は初回面会 {first}（{visit_id}）の{days}日前より後です。事前面談は初回面会の{days}日以上前に行ってください（日付の誤りなら直してください）",
        template_en="the {parent_en}'s pre-consultation on {value} is less than {days} days before the first visit {first} ({visit_id}); hold it at least {days} days before, or correct the date",
        description_ja="事前面談は初回面会（中止を除く最初の面会）の1週間以上前（設定 pre_consultation_days）。",
        description_en="Each pre-consultation is at least a week (setting pre_consultation_days) before the first visit that was not cancelled.",
    ),
)


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
    for n in range(1, renewals_counted(case, rules) + 1):
        renewal = term(start, n, rules).start
        reason = excluded_at(child, renewal, rules)
        if reason is not None:
            return renewal, reason
    return None


register(
    FindingType(
        code="renewal-junior-high", severity=ERROR, source="Contracts and eligibility",
        name_ja="更新時に対象外の子ども", name_en="Child not covered after renewal",
        template_ja="この子は更新日 {renewal} に{reason_ja}で、更新後の契約の対象外です。更新回数か、この子を対象に含めているかを見直してください",
        template_en="on the renewal date {renewal} this child is {reason_en}, so not covered after the renewal; review the renewal count or whether the child is still included",
        description_ja="契約更新時に中学生になっている子ども（設定 renewal_exclusion が age なら exit_age 歳以上）は対象外。",
        description_en="At renewal a child who has become a junior-high student (or, with renewal_exclusion = age, is exit_age or older) is no longer covered.",
    ),
)


register(
    FindingType(
        code="renewals-implausible", severity=ERROR, source="Contracts and eligibility",
        name_ja="更新回数が多すぎる", name_en="Too many renewals",
        template_ja="更新回数 {value} 回では契約期間が{year}年を超えます（最大 {most} 回）。更新回数を確認してください",
        template_en="{value} renewals would run the contract past {year} (at most {most}); check the renewal count",
        description_ja="契約期間は契約月数ごとに更新される。更新回数が多すぎて契約期間が2200年を超えるのは入力の誤り。",
        description_en="A term lasts the contract months and is renewed one at a time; a renewal count that runs the "
                       "contract past 2200 is a typing slip.",
    ),
)


def renewal_count(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    """更新回数 within reason: the terms it counts end by LAST_TERM_YEAR."""
    for case in ledger.cases:
        start = case.both_signed_on()
        if start is not None and case.renewals > (most := max_renewals(start, settings.rules)):
            yield finding("renewals-implausible", CASES_SHEET, case.row, "renewals", str(case.renewals),
                          case.case_id, year=LAST_TERM_YEAR, most=most)


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


register(
    FindingType(
        code="reduction-reason-missing", severity=WARNING, source="Fees: hardship reduction",
        name_ja="減額理由がない", name_en="Reduction without a reason",
        template_ja="減額 {value} 円に減額理由がありません。減額理由を入力してください",
        template_en="a reduction of {value} yen has no reason; enter the reason",
        description_ja="減額はケースごとに理由とともに記録する。",
        description_en="A hardship reduction is recorded per case with a reason.",
    ),
)


def reductions(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    """A reduction is recorded with its reason and never exceeds the fee of a visit it reduces (the
    engine refuses one that does: reported here once, on the case, naming the first such visit)."""
    idx = index(ledger)
    for case in ledger.cases:
        if case.reduction < 0:
            yield finding("reduction-negative", CASES_SHEET, case.row, "reduction", case.reduction, case.case_id)
            continue
        if case.reduction > 0 and not case.reduction_reason:
            yield finding("reduction-reason-missing", CASES_SHEET, case.row, "reduction_reason", case.reduction,
                          case.case_id)
        if case.reduction > 0:
            over = _fee_below(case, case.reduction, idx.visits.get(case.case_id or "", []), settings)
            if over is not None:
                visit, fee = over
                day = visit.visit_date.isoformat()
                yield finding("reduction-over-fee", CASES_SHEET, case.row, "reduction", case.reduction, case.case_id,
                              fee=fee, visit_ja=f"（面会 {visit.visit_id}、{day}）", visit_en=f" (visit {visit.visit_id}, {day})")


def _fee_below(case: Case, reduction: int, visits: list[Visit], settings: Settings) -> tuple[Visit, int] | None:
    """The first visit whose fee before the reduction is below ``reduction``, with that fee."""
    for visit in visits:
        if visit.visit_date is None or visit.support_type is None:
            continue
        fields = {**pricing_fields(case, visit), "reduction": 0}
        fields["children"] = fields["children"] or 1
        try:
            fee = price_visit(PricingRequest(**fields), settings).gross
        except (PricingError, ValueError):
            continue  # the visit's own finding says why it cannot be priced
        if reduction > fee:
            return visit, fee
    return None


register(
    FindingType(
        code="agreement-missing", severity=ERROR, source="Contracts and eligibility: written agreement",
        name_ja="合意書の確認がない", name_en="No written agreement",
        template_ja="{what_ja}がありますが、合意書確認日がありません。父母の面会交流の合意を書面で確認し、その日を入力してください",
        template_en="the case has {what_en} but no 合意書確認日; confirm the parents' agreement in writing and enter the date",
        description_ja="父母の面会交流の合意は書面で確認する（合意書確認日）。契約か面会があるのに合意書確認日がないケースは誤り。",
        description_en="The parents' agreement on visitation is confirmed in writing (合意書確認日); a case with contracts "
                       "or visits but no written agreement is an error.",
    ),
)


def written_agreement(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    idx = index(ledger)
    for case in idx.cases.values():
        if case.agreement_confirmed is not None:
            continue
        signed = case.father.contract_date is not None or case.mother.contract_date is not None
        visited = bool(idx.visits.get(case.case_id or ""))
        if signed or visited:
            what_ja = "契約と面会" if signed and visited else ("契約" if signed else "面会")
            what_en = "contracts and visits" if signed and visited else ("a contract" if signed else "visits")
            yield finding("agreement-missing", CASES_SHEET, case.row, "agreement_confirmed", None, case.case_id,
                          what_ja=what_ja, what_en=what_en)
