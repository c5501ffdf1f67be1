"""The content of the 親子交流支援計画書 (domain.md "The plan sheet"), in the official order.

Pure: it turns a case, its children and its visits into the items of the form; the workbook adapter
draws them.  Both parents see this sheet, so it is built only from names, dates and the support
record — the models it reads do not even carry addresses, phones or e-mails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .jpcalendar import age_on, format_era
from .ledger import Case, Child, Ledger, Visit

PARENT_JA = {"father": "父", "mother": "母"}
SEX_JA = {"male": "男", "female": "女"}
STATUS_JA = {"planned": "予定", "held": "実施", "cancelled": "中止"}
SUPPORT_ITEMS = (
    ("coordination", "(1) 連絡調整"),
    ("handover", "(2) 子の受渡し（(1)を含む）"),
    ("accompanied", "(3) 付添い（(1)、(2)を含む）"),
)
SHORT_OPTIONS = ("1回", "2回")
CONTINUING_OPTIONS = ("月1回", "2か月に1回", "その他")


@dataclass(frozen=True)
class PersonItem:
    role: str  # 父 / 母
    name: str
    lives_with_child: bool


@dataclass(frozen=True)
class ChildItem:
    name: str
    birth_era: str
    age: int | None
    sex: str


@dataclass(frozen=True)
class ProgressRow:
    day: str
    time: str
    content: str
    staff: str


@dataclass(frozen=True)
class PlanSheet:
    case_id: str
    application_date: str
    pre_consultation_father: str
    pre_consultation_mother: str
    applicant: PersonItem | None
    other_party: PersonItem | None
    children: tuple[ChildItem, ...]
    support_ticks: tuple[tuple[str, bool], ...]
    support_note: str
    condition_short: bool
    short_ticks: tuple[tuple[str, bool], ...]
    condition_continuing: bool
    continuing_ticks: tuple[tuple[str, bool], ...]
    condition_note: str
    staff: str
    progress: tuple[ProgressRow, ...]
    drawn_on: str


def era(d: date | None) -> str:
    return format_era(d) if d else ""


def build_plan(ledger: Ledger, case: Case, as_of: date) -> PlanSheet:
    children = ledger.children_of().get(case.case_id or "", [])
    visits = ledger.visits_of().get(case.case_id or "", [])
    return PlanSheet(
        case_id=case.case_id or "",
        application_date=era(case.application_date),
        pre_consultation_father=era(case.father.pre_consultation),
        pre_consultation_mother=era(case.mother.pre_consultation),
        applicant=_person(case, case.applicant),
        other_party=_person(case, _other(case.applicant)),
        children=tuple(_child(c, as_of) for c in children),
        support_ticks=tuple((label, case.support_type == key) for key, label in SUPPORT_ITEMS),
        support_note=_support_note(case),
        condition_short=case.condition == "short",
        short_ticks=tuple((o, case.condition == "short" and _freq(case) == o) for o in SHORT_OPTIONS),
        condition_continuing=case.condition == "continuing",
        continuing_ticks=_continuing_ticks(case),
        condition_note=_condition_note(case),
        staff=case.staff or "",
        progress=tuple(_progress(v) for v in visits if v.visit_date is not None),
        drawn_on=era(as_of),
    )


def _other(parent: str | None) -> str | None:
    return {"father": "mother", "mother": "father"}.get(parent or "")


def _person(case: Case, which: str | None) -> PersonItem | None:
    if which not in ("father", "mother"):
        return None
    record = case.parent(which)  # type: ignore[arg-type]
    return PersonItem(PARENT_JA[which], record.name or "", case.custodial == which)


def _child(child: Child, as_of: date) -> ChildItem:
    age = age_on(child.birth_date, as_of) if child.birth_date and child.birth_date <= as_of else None
    return ChildItem(child.name or "", era(child.birth_date), age, SEX_JA.get(child.sex or "", ""))


def _freq(case: Case) -> str:
    return re.sub(r"\s", "", case.frequency or "").replace("ヶ", "か").replace("ケ", "か").replace("カ", "か")


def _continuing_ticks(case: Case) -> tuple[tuple[str, bool], ...]:
    freq = _freq(case)
    known = freq in CONTINUING_OPTIONS[:2]
    on = case.condition == "continuing"
    return tuple(
        (o, on and (freq == o if o != "その他" else bool(freq) and not known)) for o in CONTINUING_OPTIONS
    )


def _condition_note(case: Case) -> str:
    freq = _freq(case)
    if case.condition == "continuing" and freq and freq not in CONTINUING_OPTIONS[:2]:
        return f"その他: {case.frequency}"
    return ""


def _support_note(case: Case) -> str:
    notes = []
    if case.national_program:
        notes.append("国の親子交流支援事業による支援")
    return "、".join(notes)


def _progress(v: Visit) -> ProgressRow:
    when = ""
    if v.start and v.end:
        when = f"{v.start:%H:%M}～{v.end:%H:%M}"
    elif v.start:
        when = f"{v.start:%H:%M}～"
    kind = {"coordination": "連絡調整", "handover": "受渡し", "accompanied": "付添い"}.get(v.support_type or "", v.support_type or "")
    status = STATUS_JA.get(v.status or "", "")
    content = f"{kind}（{status}）"
    if v.content:
        content += f" {v.content}"
    return ProgressRow(era(v.visit_date), when, content, v.staff or "")


def active_cases(ledger: Ledger) -> list[Case]:
    return [c for c in ledger.cases if c.status == "active" and c.case_id]
