"""Visits: what the fee engine refuses, the place, the children, the record of a held visit, the staff.

The fee rules (support type in the schedule in force, extension only where the type has one, in
whole units, within the cap and agreed in advance, a municipality of the area table, a refund that
needs who cancelled and when) are written once, in ``pricing.price_visit``.  This module asks the
engine and turns each ``PricingError`` into a finding at the visit's cell.  The engine stops at the
first problem, so the field it named is set to a neutral value and the visit is priced again, until
it prices or a problem cannot be neutralised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from ..findings import ERROR, WARNING, Finding, FindingType, register
from ..ledger import Case, Ledger, Visit
from ..ledger_fees import pricing_fields
from ..pricing import PricingError, PricingRequest, implausible_notice, price_visit, refusal_key
from ..settings import Settings
from ._common import CASES_SHEET, VISITS_SHEET, finding, fold, index

# PricingError.field -> the visit's column where the finding goes
_LOCATION = {
    "support_type": "support_type",
    "visit_date": "visit_date",
    "children": "children",
    "duration_minutes": "end",
    "extension_minutes": "extension_minutes",
    "extension_agreed": "extension_agreed",
    "municipality": "municipality",
    "cancelled_by": "cancelled_by",
    "cancelled_at": "cancelled_at",
}
# Refusals about the visit's length: their messages show the start and end times.
_TIMED = frozenset({"duration-invalid", "duration-over-included"})
# What to set a refused field to so the rest of the visit can be priced; absent: stop.
_NEUTRAL: dict[str, dict[str, Any]] = {
    "children": {"children": 1},
    "duration_minutes": {"duration_minutes": None},
    "extension_minutes": {"extension_minutes": 0},
    "extension_agreed": {"extension_minutes": 0},
    "cancelled_by": {"cancelled_by": "father"},  # any parent: the cut-off applies to both alike
}


def _neutral_municipality(settings: Settings) -> str | None:
    """An in-area place (no transport, no distance needed) to price the rest of a visit with."""
    area = next((a for a in settings.areas if not a.out_of_area), settings.areas[0] if settings.areas else None)
    return area.municipality if area else None


def _request_fields(case: Case, visit: Visit, settings: Settings, neutral: str | None) -> dict[str, Any] | None:
    if visit.visit_date is None or visit.support_type is None:
        return None  # the required-field rule reports these
    fields = pricing_fields(case, visit)
    if fields["children"] is None:
        fields["children"] = 1
    # The case's reduction is checked once, on the case (rules/contracts.py).
    fields["reduction"] = 0
    if visit.municipality is None and neutral:
        fields["municipality"] = neutral  # required-missing reports it
    return fields


def fee_rules(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    """Every fee rule a visit breaks, from the fee engine.

    The engine is asked once per distinct :func:`~xlsbridge.domain.pricing.refusal_key`: visits that
    agree on everything a refusal depends on are refused alike (a ledger of 50,000 visits has a few
    thousand such keys).
    """
    idx = index(ledger)
    no_case = Case()
    neutral = _neutral_municipality(settings)
    refusals: dict[tuple, list[tuple[str, str | None, Any, dict[str, Any]]]] = {}
    for visit in ledger.visits:
        case = idx.cases.get(visit.case_id or "", no_case)
        fields = _request_fields(case, visit, settings, neutral)
        if fields is None:
            continue
        if visit.status == "cancelled" and visit.cancelled_by is None and visit.cancelled_at is None:
            # Without either, the engine cannot tell this visit was cancelled: say who is missing
            # here and let the engine check the notice time for a parent's cancellation.
            yield finding("cancel-by-missing", VISITS_SHEET, visit.row, "cancelled_by", None, visit.visit_id)
            fields["cancelled_by"] = "father"
        key = refusal_key(fields, settings)
        found = refusals.get(key)
        if found is None:
            found = refusals[key] = list(_refusals(PricingRequest(**fields), settings, neutral))
        for code, field, value, params in found:
            yield finding(code, VISITS_SHEET, visit.row, field, value, visit.visit_id, **timed(code, visit, params))


def timed(code: str, visit: Visit, params: dict[str, Any]) -> dict[str, Any]:
    """A refusal about the visit's length shows the two times it came from (the cached refusals,
    shared by visits of equal length, do not carry them)."""
    if code not in _TIMED or visit.start is None or visit.end is None:
        return params
    span = f"{visit.start:%H:%M}～{visit.end:%H:%M}"
    return {**params, "times_ja": span, "times_en": span.replace("～", "–")}


def _refusals(req: PricingRequest, settings: Settings, neutral: str | None
              ) -> Iterable[tuple[str, str | None, Any, dict[str, Any]]]:
    """(code, column, value, params) of each refusal, setting the refused field to a neutral value and
    pricing again until the visit prices or a refusal cannot be neutralised."""
    for _ in range(len(_LOCATION)):
        try:
            price_visit(req, settings)
            return
        except PricingError as exc:
            params = dict(exc.params)
            value = params.pop("value", None)
            field = "start" if exc.code == "duration-needed" else _LOCATION.get(exc.field)
            yield exc.code, field, value, params
            update = _NEUTRAL.get(exc.field)
            if exc.code == "duration-needed":
                update = {"duration_minutes": 1}  # any time: the first band
            if exc.field == "municipality" and neutral:
                update = {"municipality": neutral}
            if update is None:
                return
            req = req.model_copy(update=update)


_HOME = re.compile(r"(父|母|親)の?(自宅|宅|家|実家)")


register(
    FindingType(
        code="place-parent-home", severity=ERROR, source="Contracts and eligibility",
        name_ja="親の自宅での面会", name_en="Visit at a parent's home",
        template_ja="面会場所が親の自宅になっています。受け渡し・面会は団体が指定する場所（児童館など）に変更してください",
        template_en="the place is a parent's home; hand over and meet only at a place the organisation names (a children's centre …)",
        description_ja="受け渡し・面会の場所は団体が指定する場所で、どちらの親の自宅でもない（場所区分「親の自宅」、または場所に「自宅」）。",
        description_en="Handover and visit places are places the organisation names, never either parent's home (place kind 親の自宅, or 自宅 in the place).",
    ),
)


def places(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    """Never a parent's home: the place kind 親の自宅, or a place written as 父の自宅, 母宅 …"""
    at_home: dict[str | None, bool] = {}  # place text -> names a parent's home (a ledger repeats its places)
    for v in ledger.visits:
        home = at_home.get(v.place)
        if home is None:
            home = at_home[v.place] = _HOME.search(unicodedata.normalize("NFKC", v.place or "")) is not None
        if v.place_kind == "parent_home" or home:
            # The place text is not echoed: it may be an address.
            yield finding("place-parent-home", VISITS_SHEET, v.row,
                          "place_kind" if v.place_kind == "parent_home" else "place", None, v.visit_id)


register(
    FindingType(
        code="children-more-than-case", severity=ERROR, source="Fees",
        name_ja="子ども人数がケースより多い", name_en="More children than the case has",
        template_ja="子ども人数 {value} 人がケース {case} の子どもシートの登録 {count} 人より多くなっています。人数を直すか、子どもシートに登録してください",
        template_en="{value} children at the visit but case {case} has {count} on the children sheet; correct the number or add the child",
        description_ja="面会の子ども人数が、そのケースの子どもシートの人数を超える。",
        description_en="A visit has more children than its case lists on the children sheet.",
    ),
)


def children_count(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    idx = index(ledger)
    for v in ledger.visits:
        if v.children is None or v.case_id not in idx.cases:
            continue
        registered = len(idx.children.get(v.case_id, []))
        if v.children > registered:
            yield finding("children-more-than-case", VISITS_SHEET, v.row, "children", v.children, v.visit_id,
                          case=v.case_id, count=registered)


_HELD_NEEDS = (("start", "開始時刻"), ("end", "終了時刻"), ("staff", "担当支援員"), ("content", "内容"))


register(
    FindingType(
        code="held-visit-incomplete", severity=ERROR, source="Support plans and review",
        name_ja="実施記録の不足", name_en="Held visit incomplete",
        template_ja="実施済みの面会に{header}がありません。入力してください",
        template_en="the held visit has no {header}; fill it in",
        description_ja="状態「実施」の面会には開始・終了時刻、担当支援員、内容（何があったか）の記録が要る。",
        description_en="A held visit needs its start and end time, staff and a record of what happened.",
    ),
)


def held_visits(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    """A held visit records its times, who supported it and what happened."""
    for v in ledger.visits:
        if v.status != "held":
            continue
        for key, header in _HELD_NEEDS:
            if getattr(v, key) is None:
                yield finding("held-visit-incomplete", VISITS_SHEET, v.row, key, None, v.visit_id, header=header)


register(
    FindingType(
        code="visit-type-differs", severity=WARNING, source="Support types",
        name_ja="援助内容と違う支援類型", name_en="Support type differs from the case",
        template_ja="支援類型「{value}」がケースの援助内容「{case_type}」と違います。どちらかを直してください（援助内容を変えたなら計画書も見直してください）",
        template_en="the support type '{value}' differs from the case's '{case_type}'; correct one of them (and the plan if the support changed)",
        description_ja="面会の支援類型がケースの援助内容（計画書の援助内容）と違う。",
        description_en="A visit's support type differs from the case's support type (as in the plan).",
    ),
)


def support_types_match(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    idx = index(ledger)
    labels = {st.key: st.label_ja for s in settings.schedules for st in s.support_types}
    for v in ledger.visits:
        case = idx.cases.get(v.case_id or "")
        if case is None or case.support_type not in labels or v.support_type not in labels:
            continue  # an unknown type is reported as such (unknown-support-type)
        if v.support_type != case.support_type:
            yield finding("visit-type-differs", VISITS_SHEET, v.row, "support_type",
                          labels.get(v.support_type, v.support_type), v.visit_id,
                          case_type=labels.get(case.support_type, case.support_type))


_SEPARATORS = re.compile(r"[、,・/]+")


def staff_names(text: str) -> list[str]:
    """The names in a staff cell; several are separated by 、 , ・ or /."""
    return [n for n in (fold(part) for part in _SEPARATORS.split(unicodedata.normalize("NFKC", text))) if n]


register(
    FindingType(
        code="staff-unknown", severity=WARNING, source="The plan sheet",
        name_ja="支援員シートにない担当者", name_en="Staff member not on the staff sheet",
        template_ja="担当支援員「{value}」が支援員シートにありません。{near_ja}支援員シートに追加するか、表記を合わせてください",
        template_en="staff member '{value}' is not on the staff sheet; {near_en}add them or match the spelling",
        description_ja="担当支援員が支援員シートにない（表記ゆれ、退職者の誤入力）。複数名は「、」「・」で区切る。",
        description_en="The staff name is not on the staff sheet (a spelling variant or a mistake); separate several names with 、 or ・.",
    ),
)


def staff_known(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    from ..nearest import hint, nearest

    known = index(ledger).staff_names
    on_sheet = [s.name for s in ledger.staff if s.name]
    hints: dict[str, tuple[str, str]] = {}
    unknown: dict[str, list[str]] = {}  # staff cell text -> its names not on the staff sheet
    for sheet, records, id_key in ((CASES_SHEET, ledger.cases, "case_id"), (VISITS_SHEET, ledger.visits, "visit_id")):
        for rec in records:
            if not rec.staff:
                continue
            names = unknown.get(rec.staff)
            if names is None:
                names = unknown[rec.staff] = [name for name in staff_names(rec.staff) if name not in known]
            for name in names:
                if name not in hints:
                    hints[name] = hint(nearest(name, on_sheet, cutoff=0.5))
                near_ja, near_en = hints[name]
                yield finding("staff-unknown", sheet, rec.row, "staff", name, getattr(rec, id_key),
                              near_ja=near_ja, near_en=near_en)


register(
    FindingType(
        code="cancel-notice-implausible", severity=WARNING, source="Payment and cancellation: cancellation notice",
        name_ja="中止連絡日時の確認", name_en="Cancellation notice to confirm",
        template_ja="中止連絡日時 {value} が{reason_ja}です。入力の誤りでないか確認してください（料金は規則どおりに計算しています）",
        template_en="the cancellation notice {value} is {reason_en}; check it (the fee follows the rule as entered)",
        description_ja="面会の開始より後、または面会日の何か月も前（設定 notice_max_days_before、60日）の中止連絡は、ほとんどが入力の誤り。"
                       "料金は規則どおりに計算し、職員が確認する。",
        description_en="A notice after the visit began, or months before it (setting notice_max_days_before, 60 days), "
                       "is almost always a typing mistake: priced by the rule, and a person confirms it.",
    ),
)


def cancellation_notices(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    days = settings.rules.notice_max_days_before
    for v in ledger.visits:
        if v.status != "cancelled" or v.cancelled_at is None or v.visit_date is None:
            continue
        reason = implausible_notice(v.visit_date, v.start, v.cancelled_at, days)
        if reason is None:
            continue
        if reason == "after_start":
            began = f"{v.visit_date.isoformat()} {v.start:%H:%M}" if v.start else v.visit_date.isoformat()
            ja, en = f"面会の開始（{began}）より後", f"after the visit began ({began})"
        else:
            ja, en = f"面会日 {v.visit_date.isoformat()} の{days}日より前", f"more than {days} days before the visit ({v.visit_date.isoformat()})"
        yield finding("cancel-notice-implausible", VISITS_SHEET, v.row, "cancelled_at",
                      f"{v.cancelled_at:%Y-%m-%d %H:%M}", v.visit_id, reason_ja=ja, reason_en=en)


register(
    FindingType(
        code="visit-still-planned", severity=WARNING, source="Support plans and review: recording visits",
        name_ja="日付を過ぎた予定", name_en="Past visit still planned",
        template_ja="実施日 {value} を過ぎても状態が「予定」のままです。実施したなら「実施」にして時刻・担当・内容を、中止なら「中止」にして中止者・中止連絡日時を入力してください",
        template_en="the visit date {value} has passed but the status is still planned; record it as held (times, staff, "
                    "content) or cancelled (who, when notified)",
        description_ja="面会日を過ぎた「予定」の面会は、実施か中止かを記録する（支援経過と料金はその記録で決まる）。",
        description_en="A planned visit whose date has passed is recorded as held or cancelled (the support record and "
                       "the fees depend on it).",
    ),
)


def planned_in_the_past(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    for v in ledger.visits:
        if v.status == "planned" and v.visit_date is not None and v.visit_date < as_of:
            yield finding("visit-still-planned", VISITS_SHEET, v.row, "status", v.visit_date.isoformat(), v.visit_id)
