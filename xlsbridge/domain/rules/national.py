"""National programme cases (親子交流支援事業, domain.md "National program cases"): children under 15,
at most one supported visit a calendar month, support for one year at most, and the eligibility
record.  The pre-consultation of both parents is checked with the others (contracts.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from fractions import Fraction

from ..contracts import contract_end
from ..findings import ERROR, WARNING, Finding, FindingType, register
from ..jpcalendar import add_months, end_of_school_year_turning
from ..ledger import Case, Child, Ledger
from ..settings import Rules, Settings
from ._common import CASES_SHEET, CHILDREN_SHEET, VISITS_SHEET, age_at, counts, finding, fold, index


def _national_cases(ledger: Ledger) -> Iterable[Case]:
    return (c for c in index(ledger).cases.values() if c.national_program)


def _too_old(child: Child, day: date, rules: Rules) -> bool:
    if rules.national_age_rule == "end_of_school_year":
        return day > end_of_school_year_turning(child.birth_date, rules.national_max_age)
    return age_at(child.birth_date, day) >= rules.national_max_age


def _limit_text(child: Child, rules: Rules) -> tuple[str, str]:
    n = rules.national_max_age
    if rules.national_age_rule == "end_of_school_year":
        end = end_of_school_year_turning(child.birth_date, n).isoformat()
        return f"{n}歳に達した年度末（{end}）まで", f"children until the March 31 after turning {n} ({end})"
    return f"{n}歳未満", f"children under {n}"


register(
    FindingType(
        code="national-child-age", severity=ERROR, source="National program cases",
        name_ja="国の事業: 対象年齢超過", name_en="National programme: child too old",
        template_ja="国の事業: 面会 {visit_id}（{date}）の時点で{age}歳です（対象は{limit_ja}）。国の事業の対象か確認してください",
        template_en="national programme: the child is {age} at visit {visit_id} ({date}); the programme covers {limit_en}",
        description_ja="国の事業の対象は15歳未満（設定 national_max_age、national_age_rule が end_of_school_year なら15歳に達した年度末まで）。",
        description_en="The national programme covers children under 15 (setting national_max_age; with national_age_rule = end_of_school_year, until the March 31 after turning 15).",
    ),
)


def child_age(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    rules = settings.rules
    idx = index(ledger)
    for case in _national_cases(ledger):
        visits = idx.counted.get(case.case_id, ())
        for child in idx.children.get(case.case_id, []):
            if child.birth_date is None:
                continue
            late = next((v for v in visits if _too_old(child, v.visit_date, rules)), None)
            if late is not None:
                ja, en = _limit_text(child, rules)
                yield finding("national-child-age", CHILDREN_SHEET, child.row, "birth_date",
                              child.birth_date.isoformat(), case.case_id, visit_id=late.visit_id,
                              date=late.visit_date.isoformat(), age=age_at(child.birth_date, late.visit_date),
                              limit_ja=ja, limit_en=en)


register(
    FindingType(
        code="national-monthly-limit", severity=ERROR, source="National program cases",
        name_ja="国の事業: 月1回超過", name_en="National programme: more than one visit a month",
        template_ja="国の事業: {month_ja}の面会（予定・実施）がこれで{count}回目です（月1回まで）。別の月にするか、国の事業外の扱いを検討してください",
        template_en="national programme: this is visit {count} in {month_en} (planned or held); at most one a month — move it to another month",
        description_ja="国の事業の面会は月1回まで（予定と実施を数え、中止は数えない）。",
        description_en="At most one supported visit a calendar month (planned and held count, cancelled do not).",
    ),
)


def monthly_limit(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    """Held and planned visits count; a cancelled one does not."""
    idx = index(ledger)
    for case in _national_cases(ledger):
        seen: dict[tuple[int, int], int] = {}
        for v in idx.visits.get(case.case_id, []):
            if not counts(v):
                continue
            month = (v.visit_date.year, v.visit_date.month)
            seen[month] = seen.get(month, 0) + 1
            if seen[month] > 1:
                yield finding("national-monthly-limit", VISITS_SHEET, v.row, "visit_date", v.visit_date.isoformat(),
                              v.visit_id, count=seen[month], month_ja=f"{month[0]}年{month[1]}月",
                              month_en=f"{month[0]}-{month[1]:02d}")


register(
    FindingType(
        code="national-over-one-year", severity=ERROR, source="National program cases",
        name_ja="国の事業: 1年超過", name_en="National programme: over one year",
        template_ja="国の事業: 実施日 {value} は支援開始 {start} から1年（{end} まで）を過ぎています。国の事業の支援は1年までです",
        template_en="national programme: the visit date {value} is more than a year after support began ({start}; the year ends {end}); the programme supports for one year at most",
        description_ja="国の事業の支援期間は1年まで（父母の契約がそろった日から）。",
        description_en="National-programme support lasts at most one year from the day both parents had signed.",
    ),
)


def one_year(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    """Support lasts a year from the day both parents had signed.

    A visit after the contract term itself is reported by the contract rule, not twice.
    """
    idx = index(ledger)
    for case in _national_cases(ledger):
        start = case.both_signed_on()
        if start is None:
            continue
        year_end = add_months(start, 12) - timedelta(days=1)
        term_end = contract_end(case, settings.rules) or year_end
        for v in idx.visits.get(case.case_id, []):
            if counts(v) and year_end < v.visit_date <= term_end:
                yield finding("national-over-one-year", VISITS_SHEET, v.row, "visit_date", v.visit_date.isoformat(),
                              v.visit_id, start=start.isoformat(), end=year_end.isoformat())


register(
    FindingType(
        code="national-allowance-missing", severity=WARNING, source="National program cases",
        name_ja="国の事業: 児童扶養手当の確認なし", name_en="National programme: allowance not recorded",
        template_ja="国の事業のケースに児童扶養手当の受給確認が記録されていません。要件を確認し「○」を入力してください",
        template_en="national programme case without the child-rearing allowance (児童扶養手当) check; confirm eligibility and enter ○",
        description_ja="国の事業の要件: 同居親が児童扶養手当を受給（または同程度の所得）。",
        description_en="Eligibility: the custodial parent receives 児童扶養手当 (or has a similar income).",
    ),
)


def eligibility(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    for case in _national_cases(ledger):
        if not case.child_support_allowance:
            yield finding("national-allowance-missing", CASES_SHEET, case.row, "child_support_allowance", None,
                          case.case_id)


def visits_per_month(frequency: str | None) -> Fraction | None:
    """How many visits a month a planned frequency means: 月1回 → 1, 2か月に1回 → 1/2, 月2回 → 2,
    隔週 / 2週間に1回 → 2 (a visit every N weeks, N ≤ 4, puts two in some month), 週1回 → 4, 年6回 → 1/2.
    None when the text says no frequency (短期型's 1回 / 2回, free text)."""
    text = fold(frequency).replace("ヶ", "か").replace("ケ", "か").replace("カ", "か").replace("ヵ", "か")
    if not text:
        return None
    if text in ("毎月", "月一回", "月に一回"):
        return Fraction(1)
    if text in ("毎週",):
        return Fraction(4)
    if text in ("隔週",):
        return Fraction(2)
    text = re.sub(r"(\d+)[~〜～\-ー・](\d+)回", r"\2回", text)  # 月1〜2回: the most it allows
    m = re.fullmatch(r"(?:(\d+)か?月|月)に?(\d+)回(?:程度|まで)?", text)
    if m:
        return Fraction(int(m.group(2)), int(m.group(1) or 1))
    m = re.fullmatch(r"(?:(\d+)週間?|週)に?(\d+)回(?:程度|まで)?", text)
    if m:
        weeks, times = int(m.group(1) or 1), int(m.group(2))
        per_month = Fraction(times * 4, weeks)
        return max(per_month, Fraction(2 * times)) if weeks <= 4 else per_month  # ≤ 4 weeks: two in some month
    m = re.fullmatch(r"年に?(\d+)回(?:程度|まで)?", text)
    if m:
        return Fraction(int(m.group(1)), 12)
    return None


register(
    FindingType(
        code="national-frequency", severity=ERROR, source="National program cases: frequency",
        name_ja="国の事業: 月1回を超える頻度", name_en="National programme: planned more than monthly",
        template_ja="国の事業のケースの頻度「{value}」は月1回を超えています。国の事業の面会は月1回までです。頻度を直すか、国の事業外の扱いを検討してください",
        template_en="the national-programme case is planned at '{value}', more than once a month; the programme supports "
                    "at most one visit a month",
        description_ja="国の事業の面会は月1回まで。月1回を超える頻度（月2回、隔週、週1回…）で計画したケースは誤り。",
        description_en="At most one supported visit a month: a national case planned more often (月2回, 隔週, 週1回 …) "
                       "is an error.",
    ),
)


def frequency(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    for case in _national_cases(ledger):
        per_month = visits_per_month(case.frequency) if case.condition != "short" else None
        if per_month is not None and per_month > 1:
            yield finding("national-frequency", CASES_SHEET, case.row, "frequency", case.frequency, case.case_id)


register(
    FindingType(
        code="national-second-time", severity=ERROR, source="National program cases: eligibility",
        name_ja="国の事業: 2回目の利用", name_en="National programme: supported before",
        template_ja="このケースの子どもは、終了した国の事業のケース {other_case} で支援を受けています。国の事業の対象は過去に本事業の対象となっていない者です。国の事業の扱いを見直してください",
        template_en="a child of this case was supported by the closed national-programme case {other_case}; the "
                    "programme is for those it has not supported before",
        description_ja="国の事業の要件: 過去に本事業の対象となっていない者。終了（または中止）した国の事業のケースと同じ子ども（氏名・生年月日が同じ）が、"
                       "別の国の事業のケースに登録されている。氏名は表示しない。",
        description_en="Eligibility: not supported by the programme before. A child (same name and birth date) of a "
                       "closed or terminated national case is in another national case. Names are never printed.",
    ),
)


def second_time(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    idx = index(ledger)
    national = list(_national_cases(ledger))
    done = [c for c in national if c.status in ("closed", "terminated")]
    if not done:
        return
    supported: dict[tuple[str, date], Case] = {}  # child (folded name, birth) -> the first closed case
    for case in done:
        for child in idx.children.get(case.case_id, []):
            if child.name and child.birth_date:
                supported.setdefault((fold(child.name), child.birth_date), case)
    for case in national:
        for child in idx.children.get(case.case_id, []):
            earlier = supported.get((fold(child.name), child.birth_date)) if child.name and child.birth_date else None
            if earlier is not None and earlier is not case and _began_before(earlier, case):
                yield finding("national-second-time", CASES_SHEET, case.row, "national_program", None, case.case_id,
                              other_case=earlier.case_id)
                break


def _began_before(earlier: Case, later: Case) -> bool:
    """``earlier`` was applied for (or, without dates, listed) before ``later``."""
    a, b = earlier.application_date, later.application_date
    if a is not None and b is not None:
        return a < b or (a == b and (earlier.row or 0) < (later.row or 0))
    return (earlier.row or 0) < (later.row or 0)
