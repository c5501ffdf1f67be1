"""Termination (援助の中止, domain.md "Contracts and eligibility"): support stops for good.

No visit after the termination date, and a new case for the same person is caught: a case applied
for after a termination, with the same parent name and a child of the same name and birth date.
The findings name case IDs only, never the person.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..findings import ERROR, Finding, FindingType, register
from ..ledger import Case, Ledger
from ..settings import Settings
from ._common import CASES_SHEET, VISITS_SHEET, counts, finding, fold, index


register(
    FindingType(
        code="termination-date-missing", severity=ERROR, source="Contracts and eligibility",
        name_ja="中止日がない", name_en="Termination date missing",
        template_ja="状態が「中止」ですが中止日がありません。援助を中止した日を入力してください",
        template_en="the case is terminated (中止) but has no termination date; enter the day support stopped",
        description_ja="援助中止したケースは中止日が必要（再申込の確認に使う）。",
        description_en="A terminated case needs its termination date (used to catch a new application).",
    ),
)


def termination_date(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    for case in ledger.cases:
        if case.status == "terminated" and case.terminated_on is None:
            yield finding("termination-date-missing", CASES_SHEET, case.row, "terminated_on", None, case.case_id)


register(
    FindingType(
        code="visit-after-termination", severity=ERROR, source="Contracts and eligibility",
        name_ja="援助中止後の面会", name_en="Visit after termination",
        template_ja="実施日 {value} はこのケースの援助中止日 {terminated} より後です。中止したケースの面会は行えません。状態を「中止」にするか日付を確認してください",
        template_en="the visit date {value} is after the case was terminated ({terminated}); no visits after termination — cancel it or check the date",
        description_ja="援助を中止したケースでは、中止日より後に面会（予定・実施）はない。",
        description_en="A terminated case has no planned or held visit after its termination date.",
    ),
)


def visits_after(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    idx = index(ledger)
    for case in idx.cases.values():
        if case.terminated_on is None:
            continue
        for v in idx.visits.get(case.case_id, []):
            if counts(v) and v.visit_date > case.terminated_on:
                yield finding("visit-after-termination", VISITS_SHEET, v.row, "visit_date", v.visit_date.isoformat(),
                              v.visit_id, terminated=case.terminated_on.isoformat())


def _parent_keys(case: Case) -> set[tuple[str, str]]:
    return {(which, fold(case.parent(which).name)) for which in ("father", "mother") if fold(case.parent(which).name)}


register(
    FindingType(
        code="terminated-person-new-case", severity=ERROR, source="Contracts and eligibility",
        name_ja="援助中止した人の再申込", name_en="New case of a terminated person",
        template_ja="ケース {value} は援助を中止したケース {terminated_case}（{terminated} 中止）と同じ親・子どもの申込みです。中止した人には援助を再開できません。受付を確認してください",
        template_en="case {value} has the same parent and child as case {terminated_case}, terminated on {terminated}; support is never given again to that person — review the intake",
        description_ja="中止後に申し込まれたケースで、親の氏名が同じで、氏名・生年月日が同じ子どもがいる。氏名は表示しない。",
        description_en="A case applied for after a termination has the same parent name and a child with the same name and birth date. Names are never printed.",
    ),
)


def returning_person(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    idx = index(ledger)
    terminated = [c for c in idx.cases.values() if c.status == "terminated" and c.terminated_on is not None]
    if not terminated:
        return
    children = {cid: {(fold(ch.name), ch.birth_date) for ch in kids if ch.name and ch.birth_date}
                for cid, kids in idx.children.items()}
    # Each terminated case's parents and children, folded once; found through the parents' keys
    # instead of comparing every case with every terminated one.
    earlier = [(old, _parent_keys(old), children.get(old.case_id, set())) for old in terminated]
    by_parent: dict[tuple[str, str], list[int]] = {}
    for i, (_, keys, _) in enumerate(earlier):
        for key in keys:
            by_parent.setdefault(key, []).append(i)
    for new in idx.cases.values():
        if new.application_date is None:
            continue
        parents = _parent_keys(new)
        hits = sorted({i for key in parents for i in by_parent.get(key, ())})  # in the order of ``terminated``
        if not hits:
            continue
        kids = children.get(new.case_id, set())
        for old, _, old_kids in (earlier[i] for i in hits):
            if old is new or new.application_date <= old.terminated_on:
                continue
            if kids & old_kids:
                yield finding("terminated-person-new-case", CASES_SHEET, new.row, "case_id", new.case_id, new.case_id,
                              terminated_case=old.case_id, terminated=old.terminated_on.isoformat())
                break
