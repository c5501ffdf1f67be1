"""The content of the 親子交流支援計画書 (domain.md "The plan sheet"), in the official order.

Pure: it turns a case, its children and its visits into the items of the form; the workbook adapter
draws them.  Both parents see this sheet, so it is built only from names, dates and the support
record — the models it reads do not even carry addresses, phones or e-mails.

The organisation's plan-sheet profile (``Settings.plan``) sets the municipality's variant: how many
child and 支援経過 rows the form keeps, and extra items printed after 8. 支援員氏名 (見直し予定日,
the end of the term, the programme's age cap …), each taken from a closed list of case data.
The default profile is the national form exactly as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .contracts import contract_end, next_review
from .jpcalendar import age_on, end_of_school_year_turning
from .jpcalendar import format_era_or_year as format_era  # a ledger date before 昭和 must not stop the plan
from .ledger import Case, Child, Ledger, Visit
from .settings import PlanItem, Rules

PARENT_JA = {"father": "父", "mother": "母"}
SEX_JA = {"male": "男", "female": "女"}
# 6. 援助内容 in the national form's own words (domain.md "The plan sheet").
SUPPORT_ITEMS = (
    ("coordination", "(1) 親子交流の連絡調整（日時、場所、時間、方法などの調整を含む）"),
    ("handover", "(2) 子の受渡し（援助内容(1)を含む）"),
    ("accompanied", "(3) 親子交流の際の付添い（援助内容(1)(2)を含む）"),
)
CHILDREN_LABEL = "親子交流を行う未成年者"  # the form's field 5
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
    review_date: str | None  # 見直し予定日: entered, or counted from the contract date [CFC]; None: an extra item
    progress: tuple[ProgressRow, ...]
    drawn_on: str
    # The profile's part (defaults: the national form as WEK prints it).
    extra_items: tuple[tuple[str, str], ...] = ()  # (label, text) after 8. 支援員氏名
    min_child_rows: int = 3
    min_progress_rows: int = 12
    form_name: str = "国の様式"
    continuing_other: str = ""  # the その他（　） blank of 継続型's 頻度


def era(d: date | None) -> str:
    return format_era(d) if d else ""


def build_plan(ledger: Ledger, case: Case, as_of: date, *,
               children_by_case: dict[str, list[Child]] | None = None,
               visits_by_case: dict[str, list[Visit]] | None = None) -> PlanSheet:
    """The plan of one case.  Drawing many plans, pass the ledger's groupings once
    (``ledger.children_of()``, ``ledger.visits_of()``): each call regroups the whole ledger."""
    if children_by_case is None:
        children_by_case = ledger.children_of()
    if visits_by_case is None:
        visits_by_case = ledger.visits_of()
    children = children_by_case.get(case.case_id or "", [])
    visits = visits_by_case.get(case.case_id or "", [])
    profile = ledger.settings.plan
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
        condition_note="",
        staff=case.staff or "",
        # stated once: as the profile's own item when it has one, else on its own row
        review_date=None if any(i.source == "review_date" for i in profile.extra_items)
        else era(next_review(case, as_of, ledger.settings.rules.review_interval_months)),
        # Progress is what took place: held visits and contacts, not planned or cancelled ones.
        progress=tuple(_progress(v) for v in visits if v.visit_date is not None and v.status == "held"),
        drawn_on=era(as_of),
        extra_items=tuple((item.label, plan_item_text(item, case, children, ledger.settings.rules, as_of))
                          for item in profile.extra_items),
        min_child_rows=profile.min_child_rows,
        min_progress_rows=profile.min_progress_rows,
        form_name=profile.name,
        continuing_other=_other_frequency(case),
    )


def plan_item_text(item: PlanItem, case: Case, children: list[Child], rules: Rules, as_of: date) -> str:
    """What an extra item of the profile shows for ``case`` ("" when the ledger has no value)."""
    source = item.source
    if source == "review_date":
        return era(next_review(case, as_of, rules.review_interval_months))
    if source == "agreement_confirmed":
        return era(case.agreement_confirmed)
    if source == "father.contract_date":
        return era(case.father.contract_date)
    if source == "mother.contract_date":
        return era(case.mother.contract_date)
    if source == "contract_end":
        return era(contract_end(case, rules))
    if source == "renewals":
        return f"{case.renewals}回"
    if source == "national_age_limit":
        return national_age_limit_text(children, rules)
    raise ValueError(f"unknown plan item source {source!r}")


def national_age_limit_text(children: list[Child], rules: Rules) -> str:
    """The programme's age cap as the municipality counts it, and each child's last covered day.

    "15歳未満（1人目 令和10年5月9日まで）" or "15歳に達した年度末まで（1人目 令和11年3月31日まで）":
    children are numbered in the order of the 子ども rows (the form lists their names above).
    """
    n = rules.national_max_age
    if rules.national_age_rule == "end_of_school_year":
        rule = f"{n}歳に達した年度末まで"
        last = [end_of_school_year_turning(c.birth_date, n) if c.birth_date else None for c in children]
    else:
        rule = f"{n}歳未満"
        last = [_day_before_birthday(c.birth_date, n) if c.birth_date else None for c in children]
    days = [f"{i}人目 {era(d)}まで" for i, d in enumerate(last, start=1) if d is not None]
    return f"{rule}（{'、'.join(days)}）" if days else rule


def _day_before_birthday(birth: date, age: int) -> date:
    """The last day a child is younger than ``age`` (the eve of that birthday; Feb 29 → Feb 28)."""
    try:
        birthday = birth.replace(year=birth.year + age)
    except ValueError:  # born Feb 29, the birthday falls in a common year: age_on counts it from Mar 1
        birthday = date(birth.year + age, 3, 1)
    return birthday - timedelta(days=1)


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


def _other_frequency(case: Case) -> str:
    """What goes in the form's その他（　） blank: a continuing frequency other than its two choices."""
    freq = _freq(case)
    if case.condition == "continuing" and freq and freq not in CONTINUING_OPTIONS[:2]:
        return (case.frequency or "").strip()
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
    content = {"coordination": "連絡調整", "handover": "子の受渡し", "accompanied": "付添い"}.get(
        v.support_type or "", v.support_type or "")
    if v.content:
        content += f" {v.content}"
    return ProgressRow(era(v.visit_date), when, content, v.staff or "")


def active_cases(ledger: Ledger) -> list[Case]:
    return [c for c in ledger.cases if c.status == "active" and c.case_id]
