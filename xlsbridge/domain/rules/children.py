"""Children: roughly age 3 to 6th grade, living in the prefecture (domain.md "Contracts and
eligibility"); these are warnings, since the leaflet says "roughly" (概ね) and staff decide.

An age finding goes on the child's row once, naming the first visit it concerns.  The ledger does
not say which of a case's children came to a visit, so every child of the case is considered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from ..contracts import term_on
from ..findings import ERROR, WARNING, Finding, FindingType, register
from ..jpcalendar import grade_on
from ..ledger import Case, Ledger
from ..settings import Rules, Settings
from ._common import CHILDREN_SHEET, age_at, finding, fold, grade_label, index
from .contracts import first_exclusion


register(
    FindingType(
        code="child-under-min-age", severity=WARNING, source="Contracts and eligibility",
        name_ja="対象年齢未満の子ども", name_en="Child below the minimum age",
        template_ja="面会 {visit_id}（{date}）の時点で{age}歳です（対象は概ね{min_age}歳から）。対象としてよいか確認してください",
        template_en="the child is {age} at visit {visit_id} ({date}); children are covered from about {min_age}; confirm",
        description_ja="対象は概ね3歳から（設定 min_child_age）。",
        description_en="Children are covered from about age 3 (setting min_child_age).",
    ),
    FindingType(
        code="child-junior-high", severity=WARNING, source="Contracts and eligibility",
        name_ja="中学生の子ども", name_en="Child in junior high",
        template_ja="面会 {visit_id}（{date}）の時点で{grade_ja}（{age}歳）です（対象は概ね小学6年生まで）。対象としてよいか確認してください",
        template_en="the child is in {grade_en} (age {age}) at visit {visit_id} ({date}); children are covered up to about 6th grade; confirm",
        description_ja="対象は概ね小学6年生まで。学年は4月始まりの学年度で計算。契約期間の途中で中学生になった子どもはその期間の終わりまで対象"
                       "（更新時の確認と期限・年齢チェックで扱う）ので、期間の始まりにすでに中学生だった子どもの面会だけを指摘する。",
        description_en="Children are covered up to about 6th grade, by the April school year. A child who becomes a "
                       "junior-high student during a term stays covered until it ends (the renewal check and flag deal "
                       "with it), so only visits of a child already in junior high when the term began are reported.",
    ),
)


def ages_at_visits(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    rules = settings.rules
    idx = index(ledger)
    for child in ledger.children:
        case = idx.cases.get(child.case_id or "")
        if child.birth_date is None or case is None:
            continue
        visits = idx.counted.get(case.case_id, ())
        # The visits are in date order and age and grade never go down with the date, so the first
        # visit decides "too young" and the last one (before the child leaves) "junior high".
        # A child "born" after the visit has a wrong birth date (birth-date-future), not an age of 0.
        young = visits[0] if visits and age_at(child.birth_date, visits[0].visit_date) < rules.min_child_age else None
        if young is not None and child.birth_date <= young.visit_date:
            yield finding("child-under-min-age", CHILDREN_SHEET, child.row, "birth_date", child.birth_date.isoformat(),
                          case.case_id, visit_id=young.visit_id, date=young.visit_date.isoformat(),
                          age=age_at(child.birth_date, young.visit_date), min_age=rules.min_child_age)
        # A child who becomes a junior-high student during a term stays covered until the term ends
        # (domain.md): only a child already in junior high when the term began is warned about here, and
        # from a renewal that leaves the child out, the renewal error (contracts.py) says it already.
        leaves = first_exclusion(case, child, rules)
        until = leaves[0] if leaves else date.max
        before = [v for v in visits if v.visit_date < until]
        # A term starts on or before its visit, so a child not yet in junior high at the last visit was
        # not at any term's start either: most children are settled without looking for the terms.
        older = None
        if before and grade_on(child.birth_date, before[-1].visit_date) >= 7:
            older = next((v for v in before
                          if grade_on(child.birth_date, _term_start(case, v.visit_date, rules)) >= 7), None)
        if older is not None:
            ja, en = grade_label(grade_on(child.birth_date, older.visit_date))
            yield finding("child-junior-high", CHILDREN_SHEET, child.row, "birth_date", child.birth_date.isoformat(),
                          case.case_id, visit_id=older.visit_id, date=older.visit_date.isoformat(),
                          age=age_at(child.birth_date, older.visit_date), grade_ja=ja, grade_en=en)


def _term_start(case: Case, day: date, rules: Rules) -> date:
    """The first day of the contract term covering ``day`` (the day itself without a recorded term)."""
    t = term_on(case, day, rules)
    return t.start if t is not None else day


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


register(
    FindingType(
        code="child-outside-prefecture", severity=WARNING, source="Contracts and eligibility",
        name_ja="県外の子ども", name_en="Child outside the prefecture",
        template_ja="居住都道府県が{prefecture}ではありません（対象は{prefecture}在住の子ども）。確認してください",
        template_en="the child does not live in {prefecture} (children living in {prefecture} are covered); confirm",
        description_ja="対象は団体の都道府県（設定 prefecture）に住む子ども。",
        description_en="Children living in the organisation's prefecture (setting prefecture) are covered.",
    ),
)


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


register(
    FindingType(
        code="birth-date-future", severity=ERROR, source="Japanese calendar rules",
        name_ja="未来の生年月日", name_en="Birth date in the future",
        template_ja="生年月日 {value} が基準日 {as_of} より後です。生年月日を確認してください",
        template_en="the birth date {value} is after {as_of}; check it",
        description_ja="生年月日が基準日より後。",
        description_en="The birth date is after the as-of date.",
    ),
)


def birth_dates(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    for child in ledger.children:
        if child.birth_date is not None and child.birth_date > as_of:
            yield finding("birth-date-future", CHILDREN_SHEET, child.row, "birth_date", child.birth_date.isoformat(),
                          child.case_id, as_of=as_of.isoformat())
