"""Fictional but realistic ledger records, deterministic for a seed (the shipped sample and benchmarks).

``generate_sample(cases, seed, start)`` returns row dicts per sheet, keyed by the layout's column keys
(``domain/layout.py``) and holding model values (``"held"``, ``"father"``, ``True``, ``date``…); the
template writer turns them into cell text.  The records follow every rule of domain.md for the WEK
settings (the shipped default): pre-consultations a week before the first visit, both contracts
before any visit, visits inside the contract term and its renewals, extensions only on accompanied
visits in agreed 30-minute units up to 2 hours, national-programme cases at most once a month within
a year, children from age 3 living in 石川県 and never in junior high at a visit or a renewal, held
visits with their times, staff and record, cancellations with the notice time and who cancelled.

Then a small fixed list of deliberate mistakes is injected (one per finding code, see
:data:`DELIBERATE_MISTAKES` and workbooks/README.md): ``xlsbridge validate`` on the sample must find
exactly these.  The generator is plain Python (no pydantic per row), so ~50,000 visits take a few
seconds, with the same distributions as the shipped sample.

Everything is fictional: names are common Japanese names picked at random, addresses are in the
non-existent 見本町, phone numbers are 0X0-0000-xxxx and e-mail addresses are at example.jp.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from ..domain.jpcalendar import add_months, grade_on, is_office_day, junior_high_start, school_year
from ..domain.layout import CASES, CHILDREN, CONTACTS, STAFF, VISITS, SheetLayout
from .vocabulary import (
    SURNAMES, MEN, WOMEN, BOYS, GIRLS, STAFF_MEMBERS, HOME_MUNICIPALITY, IN_AREA, OUT_OF_AREA,
    OTHER_PREFECTURES, NEIGHBOURHOODS, PLACE_KINDS, RATIOS, SUPPORT_TYPES, FREQUENCIES, EXTENSIONS, NOTES,
    CONTENT, PARENT_REASONS, ORG_REASONS, TERMINATION_REASON, REDUCTION_REASON, WHO,
)

SAMPLE_CASES = 40
SAMPLE_SEED = 1
SAMPLE_START = date(2024, 4, 1)
SAMPLE_TODAY = date(2026, 3, 1)


def default_today(start: date) -> date:
    """The "today" the records are written for: 23 months after ``start`` (2024-04-01 → 2026-03-01)."""
    return add_months(start, 23)


@dataclass(frozen=True)
class Mistake:
    """A deliberate mistake: the cell that holds it and the finding code the check must report."""

    sheet: str
    row: int  # worksheet row (the header is row 1)
    column: str  # layout column key
    code: str
    note_ja: str

    @property
    def header(self) -> str:
        return _layout(self.sheet).column(self.column).header

    @property
    def cell(self) -> str:
        """``面会記録!H12``."""
        from openpyxl.utils.cell import get_column_letter

        index = [c.key for c in _layout(self.sheet).columns].index(self.column)
        return f"{self.sheet}!{get_column_letter(index + 1)}{self.row}"


def _layout(sheet: str) -> SheetLayout:
    return next(x for x in (CASES, CONTACTS, CHILDREN, VISITS, STAFF) if x.name == sheet)


@dataclass
class SampleRecords:
    """Row dicts per sheet name (ケース, 連絡先, 子ども, 面会記録, 支援員), keyed by layout column keys."""

    sheets: dict[str, list[dict[str, Any]]]
    today: date
    mistakes: tuple[Mistake, ...] = ()

    @property
    def cases(self) -> list[dict[str, Any]]:
        return self.sheets[CASES.name]

    @property
    def contacts(self) -> list[dict[str, Any]]:
        return self.sheets[CONTACTS.name]

    @property
    def children(self) -> list[dict[str, Any]]:
        return self.sheets[CHILDREN.name]

    @property
    def visits(self) -> list[dict[str, Any]]:
        return self.sheets[VISITS.name]

    @property
    def staff(self) -> list[dict[str, Any]]:
        return self.sheets[STAFF.name]


LedgerSample = SampleRecords  # what the template writer takes

# What each deliberate mistake is, by finding code (the validate rules define the codes).
MISTAKE_NOTES = {
    "extension-unit": "延長45分（30分単位ではない）",
    "extension-not-allowed": "受け渡し型の面会に延長30分",
    "place-parent-home": "場所区分が「親の自宅」",
    "municipality-unknown": "市町村が旧名「野々市町」（区域表は「野々市市」）",
    "visit-before-contract": "2人目の親の契約日より前の面会",
    "held-visit-incomplete": "実施済みの面会に終了時刻がない",
    "cancel-time-missing": "中止した面会に中止連絡日時がない",
    "unknown-case-id": "ケースIDの打ち間違い（末尾の数字が重複）",
}


def _shipped(row: int, column: str, code: str) -> Mistake:
    return Mistake(VISITS.name, row, column, code, MISTAKE_NOTES[code])


# The deliberate mistakes of the shipped sample (generate_sample(40, 1, 2024-04-01)), in row order.  A test
# checks the generator still puts them exactly here; workbooks/README.md lists them for staff.
DELIBERATE_MISTAKES: tuple[Mistake, ...] = (
    _shipped(33, "extension_minutes", "extension-not-allowed"),
    _shipped(38, "municipality", "municipality-unknown"),
    _shipped(171, "extension_minutes", "extension-unit"),
    _shipped(187, "place_kind", "place-parent-home"),
    _shipped(233, "end", "held-visit-incomplete"),
    _shipped(384, "cancelled_at", "cancel-time-missing"),
    _shipped(394, "visit_date", "visit-before-contract"),
    _shipped(402, "case_id", "unknown-case-id"),
)

# Case indices (mod 40) that carry a scenario every sample shows, whatever its size; the rest is random.
_OUT_OF_AREA_SLOTS = (8, 17, 30)
_SCENARIOS = {27: "national", 12: "terminated", 21: "junior_high", 33: "reduction", 5: "nonoichi",
              **{k: "out_of_area" for k in _OUT_OF_AREA_SLOTS}}


def _weighted(rng: random.Random, table: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*table)
    return rng.choices(values, weights)[0]


@lru_cache(maxsize=None)
def _free_days(year: int, month: int) -> tuple[date, ...]:
    """Saturdays, Sundays and national holidays of a month: when visits take place."""
    days = []
    for day in range(1, calendar.monthrange(year, month)[1] + 1):
        d = date(year, month, day)
        if not is_office_day(d):
            days.append(d)
    return tuple(days)


def _office_day(d: date) -> date:
    while not is_office_day(d):
        d += timedelta(days=1)
    return d


def _minutes(t: time, minutes: int) -> time:
    total = t.hour * 60 + t.minute + minutes
    return time(total // 60, total % 60)


# --------------------------------------------------------------------------------------------------
# One case
# --------------------------------------------------------------------------------------------------


@dataclass
class _Case:
    index: int
    application: date
    scenario: str = ""
    case_id: str = ""
    row: dict[str, Any] = field(default_factory=dict)
    children: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)
    first_contract: date | None = None
    both_signed: date | None = None
    latest_pre: date | None = None


class _Generator:
    def __init__(self, cases: int, seed: int, start: date, today: date):
        self.rng = random.Random(seed)
        self.n = cases
        self.start = start
        self.today = today
        self.active_staff = [name for name, active in STAFF_MEMBERS if active]
        self.cancellations = 0
        self.phone = 0

    # ---- dates ----------------------------------------------------------------------------------

    def application_dates(self) -> list[date]:
        first = self.start - timedelta(days=45)
        span = (self.today - timedelta(days=10) - first).days
        out = []
        for i in range(self.n):
            base = first + timedelta(days=span * i // self.n)
            out.append(_office_day(base + timedelta(days=self.rng.randrange(max(1, span // self.n)))))
        return out

    # ---- people ---------------------------------------------------------------------------------

    def child(self, surname: str, birth: date) -> dict[str, Any]:
        sex = self.rng.choice(("male", "female"))
        given = self.rng.choice(BOYS if sex == "male" else GIRLS)
        return {"name": f"{surname} {given}", "birth_date": birth, "sex": sex, "prefecture": "石川県"}

    def births(self, c: _Case, first_visit_after: date) -> list[date]:
        """Birth dates: every child 3+ at application, the eldest in elementary school for a while."""
        rng = self.rng
        if c.scenario == "junior_high":
            # In 6th grade in "today"'s school year: junior high starts the April before the renewal.
            cohort = school_year(self.today) - 12
            eldest = date(cohort, 4, 2) + timedelta(days=rng.randrange(365))
            return [eldest, add_months(eldest, rng.randrange(30, 48))]
        count = _weighted(rng, ((1, 60), (2, 30), (3, 10)))
        while True:
            eldest = c.application - timedelta(days=rng.randrange(3 * 365 + 40, 10 * 365))
            if junior_high_start(eldest) > first_visit_after + timedelta(days=150):
                break
        out = [eldest]
        for _ in range(count - 1):
            younger = out[-1] + timedelta(days=rng.randrange(400, 1500))
            if younger > c.application - timedelta(days=3 * 365 + 40):
                break
            out.append(younger)
        return out

    def address(self, municipality: str | None) -> str:
        rng = self.rng
        where = f"石川県{municipality}" if municipality else rng.choice(OTHER_PREFECTURES)
        return f"{where}見本町{rng.randrange(1, 6)}丁目{rng.randrange(1, 30)}-{rng.randrange(1, 20)}"

    def phone_number(self) -> str:
        self.phone += 1
        prefix = ("090", "080", "070")[(self.phone // 10000) % 3]
        return f"{prefix}-0000-{self.phone % 10000:04d}"

    # ---- the case -------------------------------------------------------------------------------

    def case(self, i: int, application: date) -> _Case:
        rng = self.rng
        c = _Case(i, application, _SCENARIOS.get(i % 40, ""))
        if c.scenario == "junior_high":
            # Signed in April a year before "today"'s next April: the renewal comes after junior high starts.
            next_april = date(school_year(self.today) + 1, 4, 1)
            c.application = _office_day(add_months(next_april, -12) - timedelta(days=8))
        app = c.application
        custodial = "mother" if rng.random() < 0.8 else "father"
        father_surname = rng.choice(SURNAMES)
        mother_surname = father_surname if rng.random() < 0.4 else rng.choice(SURNAMES)
        child_surname = mother_surname if custodial == "mother" else father_surname
        support = "accompanied" if c.scenario in ("national", "junior_high") else _weighted(rng, SUPPORT_TYPES)
        if c.scenario in ("national", "junior_high", "terminated") or rng.random() < 0.85:
            condition = "continuing"
            frequency = "月1回" if c.scenario in ("national", "junior_high") else _weighted(rng, FREQUENCIES)
        else:
            condition, frequency = "short", rng.choice(("1回", "2回"))

        if c.scenario == "junior_high":
            pre = {"father": _office_day(app + timedelta(days=3)), "mother": _office_day(app + timedelta(days=4))}
            signed = {p: _office_day(d + timedelta(days=7)) for p, d in pre.items()}
        else:
            pre = {p: _office_day(app + timedelta(days=rng.randrange(3, 21))) for p in ("father", "mother")}
            signed = {p: _office_day(d + timedelta(days=rng.randrange(7, 22))) for p, d in pre.items()}
        consulting = max(signed.values()) >= self.today - timedelta(days=3)
        if consulting:
            signed = {}
            pre = {p: d for p, d in pre.items() if d < self.today}
        both = max(signed.values()) if signed else None
        first_visit = self.first_free_day(both + timedelta(days=rng.randrange(6, 20))) if both else app

        births = self.births(c, first_visit)
        c.children = [self.child(child_surname, b) for b in births]

        renewals, status = 0, "consulting"
        end = None
        if both is not None:
            status = "active"
            end = add_months(both, 12) - timedelta(days=1)
            while end < self.today:
                renewal = end + timedelta(days=1)
                can_renew = (condition == "continuing" and c.scenario not in ("national", "terminated")
                             and all(grade_on(b, renewal) < 7 for b in births))
                if can_renew and rng.random() < 0.6:
                    renewals += 1
                    end = add_months(both, 12 * (renewals + 1)) - timedelta(days=1)
                else:
                    status = "closed"
                    break

        municipality = HOME_MUNICIPALITY
        if c.scenario == "nonoichi":
            municipality = "野々市市"
        elif c.scenario == "out_of_area":
            municipality = OUT_OF_AREA[(i // 40 + _OUT_OF_AREA_SLOTS.index(i % 40)) % len(OUT_OF_AREA)]
        elif rng.random() < 0.3:
            municipality = rng.choice(IN_AREA)
        staff = rng.choice(self.active_staff)
        ratio = _weighted(rng, RATIOS)
        members = {"father": rng.random() < 0.2, "mother": rng.random() < 0.25}
        reduction = 1000 if c.scenario == "reduction" or (not c.scenario and rng.random() < 0.03) else None

        terminated_on = None
        if both is not None:
            until = min(end - timedelta(days=3), junior_high_start(births[0]) - timedelta(days=1))
            if status == "active":
                until = min(until, self.today + timedelta(days=45))
            dates = self.visit_dates(first_visit, until, frequency)
            if c.scenario == "terminated":
                held = [d for d in dates if d < self.today - timedelta(days=30)]
                keep = held[: max(1, min(len(held), rng.randrange(3, 6)))]
                if keep:
                    terminated_on = _office_day(keep[-1] + timedelta(days=1))
                    status = "terminated"
                dates = keep
            c.visits = [self.visit(c, d, support, staff, municipality) for d in dates]
            self.payments(c, ratio)

        review = None
        if status == "active":  # the next 3-monthly plan review from the contract
            k = 1
            while add_months(both, 3 * k) < self.today:
                k += 1
            review = add_months(both, 3 * k)

        c.first_contract = min(signed.values()) if signed else None
        c.both_signed = both
        c.latest_pre = max(pre.values()) if len(pre) == 2 else None
        c.row = {
            "application_date": app,
            "status": status,
            "applicant": custodial if rng.random() < 0.7 else ("father" if custodial == "mother" else "mother"),
            "custodial": custodial,
            "father.name": f"{father_surname} {rng.choice(MEN)}",
            "mother.name": f"{mother_surname} {rng.choice(WOMEN)}",
            "father.pre_consultation": pre.get("father"),
            "mother.pre_consultation": pre.get("mother"),
            "agreement_confirmed": app,
            "father.contract_date": signed.get("father"),
            "mother.contract_date": signed.get("mother"),
            "renewals": renewals,
            "father.member": members["father"],
            "mother.member": members["mother"],
            "ratio": ratio,
            "support_type": support,
            "condition": condition,
            "frequency": frequency,
            "national_program": c.scenario == "national",
            "child_support_allowance": c.scenario == "national" or rng.random() < 0.25,
            "reduction": reduction,
            "reduction_reason": REDUCTION_REASON if reduction else None,
            "staff": staff,
            "terminated_on": terminated_on,
            "termination_reason": TERMINATION_REASON if terminated_on else None,
            "review_date": review,
            "notes": rng.choice(NOTES) if rng.random() < 0.15 else None,
        }
        other = None if rng.random() < 0.3 else rng.choice((HOME_MUNICIPALITY, *IN_AREA))
        c.contacts = [
            {"relation": parent,
             "address": self.address(municipality if parent == custodial else other),
             "phone": self.phone_number(),
             "email": None}
            for parent in ("father", "mother")
        ]
        return c

    def first_free_day(self, d: date) -> date:
        while not _is_free(d):
            d += timedelta(days=1)
        return d

    def visit_dates(self, first: date, until: date, frequency: str) -> list[date]:
        rng = self.rng
        if first > until:
            return []
        if frequency in ("1回", "2回"):
            dates = [first]
            if frequency == "2回":
                nxt = add_months(first, 1)
                options = [d for d in _free_days(nxt.year, nxt.month) if d <= until]
                if options:
                    dates.append(rng.choice(options))
            return dates
        step = 2 if frequency == "2か月に1回" else 1
        dates = [first]
        month = date(first.year, first.month, 1)
        while True:
            month = add_months(month, step)
            if month > until:
                break
            days = [d for d in _free_days(month.year, month.month) if d <= until]
            if frequency == "月2回":
                for half in ([d for d in days if d.day <= 15], [d for d in days if d.day > 15]):
                    if half:
                        dates.append(rng.choice(half))
            elif days:
                dates.append(rng.choice(days))
        if frequency == "月2回":
            # The first month may also have its second visit after the first one.
            later = [d for d in _free_days(first.year, first.month) if d.day > 15 and d > first and d <= until]
            if first.day <= 15 and later:
                dates.insert(1, rng.choice(later))
        return dates

    def visit(self, c: _Case, d: date, support: str, staff: str, municipality: str) -> dict[str, Any]:
        rng = self.rng
        extension = 0
        if support == "accompanied":
            start = rng.choice((time(10), time(10, 30), time(13), time(13, 30), time(14)))
            if rng.random() < 0.25:
                extension = _weighted(rng, EXTENSIONS)
            end = _minutes(start, 120 + extension)
        elif support == "handover":
            start = rng.choice((time(9, 30), time(10), time(10, 30), time(13)))
            end = _minutes(start, rng.choice((180, 240, 300, 360)))
        else:
            start = rng.choice((time(10), time(11), time(13), time(14)))
            end = _minutes(start, rng.choice((120, 180, 240)))
        kind = _weighted(rng, PLACE_KINDS)
        if kind == "office" and municipality != HOME_MUNICIPALITY:
            kind = "children_centre"
        place = _place(kind, municipality, rng.choice(NEIGHBOURHOODS) if rng.random() < 0.2
                       else NEIGHBOURHOODS[c.index % len(NEIGHBOURHOODS)])
        children = len(c.children)
        if children > 1 and rng.random() < 0.1:
            children -= 1
        visit: dict[str, Any] = {
            "visit_date": d,
            "start": start,
            "end": end,
            "support_type": support,
            "children": children,
            "extension_minutes": extension or None,
            "extension_agreed": True if extension else None,
            "place": place,
            "place_kind": kind,
            "municipality": municipality,
            "status": "planned",
            "cancelled_at": None,
            "cancelled_by": None,
            "staff": staff if rng.random() < 0.85 else rng.choice(self.active_staff),
            "content": None,
            "father_paid": None,
            "mother_paid": None,
        }
        if d < self.today:
            if rng.random() < 0.08:
                self.cancel(visit)
            else:
                visit["status"] = "held"
                text = rng.choice(CONTENT[support])
                visit["content"] = f"{text}。延長{extension}分（事前相談済み）" if extension else text
        return visit

    def cancel(self, visit: dict[str, Any]) -> None:
        """Cancel a visit.  The first three cancellations of a sample are fixed so that every sample
        shows both sides of the noon cut-off (前日 11:30 and 前日 12:00) and one by the organisation."""
        rng = self.rng
        forced = self.cancellations < 3
        kind = ("early", "late", "organisation")[self.cancellations] if forced else _weighted(
            rng, (("early", 45), ("late", 35), ("organisation", 20)))
        self.cancellations += 1
        start = visit["start"]
        who = rng.choice(("father", "mother"))
        if kind == "early":
            days = 1 if forced else rng.randrange(1, 5)
            if forced:
                at = time(11, 30)
            elif days == 1:
                at = time(rng.randrange(8, 12), rng.choice((0, 15, 30, 45)))
            else:
                at = time(rng.randrange(8, 22))
        elif kind == "late":
            if forced:
                days, at = 1, time(12)
            elif rng.random() < 0.5:
                days, at = 1, time(rng.randrange(12, 22), rng.choice((0, 30)))
            else:  # the same morning, before the visit
                days, at = 0, time(rng.randrange(6, max(7, start.hour - 1)), rng.choice((0, 30)))
        else:
            days, at, who = rng.randrange(1, 4), time(rng.randrange(8, 18)), "organisation"
        visit["status"] = "cancelled"
        visit["cancelled_at"] = datetime.combine(visit["visit_date"] - timedelta(days=days), at)
        visit["cancelled_by"] = who
        reasons = ORG_REASONS if who == "organisation" else PARENT_REASONS
        visit["content"] = rng.choice(reasons).format(who=WHO.get(who, ""))
        if visit["extension_minutes"]:
            visit["extension_minutes"] = visit["extension_agreed"] = None
            visit["end"] = _minutes(start, 120)

    def payments(self, c: _Case, ratio: str | None) -> None:
        """Each parent with a share pays between 14 and 5 days before (the due date); later visits may be unpaid yet."""
        rng = self.rng
        parts = (1, 1) if ratio is None else tuple(float(x) for x in ratio.split(":"))
        for visit in c.visits:
            d = visit["visit_date"]
            due = d - timedelta(days=5)
            if visit["status"] == "cancelled" and visit["cancelled_by"] == "organisation" \
                    and visit["cancelled_at"].date() <= due:
                continue
            if visit["status"] == "planned" and due >= self.today and rng.random() < 0.6:
                continue
            for parent, part in zip(("father", "mother"), parts):
                if part > 0:
                    paid = d - timedelta(days=rng.randrange(5, 15))
                    visit[f"{parent}_paid"] = min(paid, self.today - timedelta(days=1)) if paid >= self.today \
                        else paid

    # ---- the whole sample ---------------------------------------------------------------------------

    def run(self, with_mistakes: bool) -> SampleRecords:
        plans = [self.case(i, d) for i, d in enumerate(self.application_dates())]
        plans.sort(key=lambda c: (c.application, c.index))
        width = max(4, len(str(len(plans))))
        for n, c in enumerate(plans, start=1):
            c.case_id = f"K-{n:0{width}d}"
        visits: list[dict[str, Any]] = []
        for c in plans:
            for v in c.visits:
                v["case_id"] = c.case_id
                visits.append(v)
        marks: list[tuple[dict[str, Any], str, str]] = []
        if with_mistakes:
            marks += self.inject_before_sort(plans, visits)
        visits.sort(key=lambda v: (v["visit_date"], v["case_id"], v["start"] or time.min))
        vwidth = max(5, len(str(len(visits))))
        for n, v in enumerate(visits, start=1):
            v["visit_id"] = f"V-{n:0{vwidth}d}"
        if with_mistakes:
            marks += self.inject_after_sort(visits, {id(v) for v, *_ in marks})
        self.overdue_payment(plans, visits, {id(v) for v, *_ in marks})
        rows_of = {id(v): n + 2 for n, v in enumerate(visits)}
        mistakes = tuple(sorted(
            (Mistake(VISITS.name, rows_of[id(v)], column, code, MISTAKE_NOTES[code]) for v, column, code in marks),
            key=lambda m: m.row))

        cases, children, contacts = [], [], []
        for c in plans:
            cases.append({"case_id": c.case_id, **c.row})
            children += [{"case_id": c.case_id, **ch} for ch in c.children]
            for contact in c.contacts:
                tag = "f" if contact["relation"] == "father" else "m"
                contacts.append({"case_id": c.case_id, **contact,
                                 "email": f"{c.case_id.lower()}-{tag}@example.jp"})
        staff = [{"name": name, "active": active} for name, active in STAFF_MEMBERS]
        ordered_visits = [{k: v.get(k) for k in _VISIT_KEYS} for v in visits]
        return SampleRecords(
            sheets={CASES.name: cases, CONTACTS.name: contacts, CHILDREN.name: children,
                    VISITS.name: ordered_visits, STAFF.name: staff},
            today=self.today,
            mistakes=mistakes,
        )

    # ---- deliberate mistakes --------------------------------------------------------------------

    def _pick(self, visits: list[dict[str, Any]], used: set[int], test) -> dict[str, Any] | None:
        candidates = [v for v in visits if id(v) not in used and test(v)]
        if not candidates:
            return None
        chosen = self.rng.choice(candidates)
        used.add(id(chosen))
        return chosen

    def inject_before_sort(self, plans: list[_Case], visits: list[dict[str, Any]]
                           ) -> list[tuple[dict[str, Any], str, str]]:
        national = {c.case_id for c in plans if c.scenario == "national"}
        marks: list[tuple[dict[str, Any], str, str]] = []
        used: set[int] = set()

        def plain(v: dict[str, Any]) -> bool:
            return v["status"] == "held" and v["case_id"] not in national

        v = self._pick(visits, used, lambda v: plain(v) and v["support_type"] == "accompanied"
                       and not v["extension_minutes"])
        if v is not None:
            v["extension_minutes"], v["extension_agreed"] = 45, True
            v["end"] = _minutes(v["start"], 165)
            v["content"] += "。延長45分（事前相談済み）"
            marks.append((v, "extension_minutes", "extension-unit"))
        v = self._pick(visits, used, lambda v: plain(v) and v["support_type"] == "handover")
        if v is not None:
            v["extension_minutes"], v["extension_agreed"] = 30, True
            marks.append((v, "extension_minutes", "extension-not-allowed"))
        v = self._pick(visits, used, lambda v: plain(v) and v["support_type"] == "handover")
        if v is not None:
            v["place"], v["place_kind"] = "父の自宅", "parent_home"
            marks.append((v, "place_kind", "place-parent-home"))
        v = self._pick(visits, used, lambda v: plain(v) and v["municipality"] == "野々市市")
        if v is not None:
            v["municipality"] = "野々市町"
            marks.append((v, "municipality", "municipality-unknown"))
        v = self._pick(visits, used, lambda v: plain(v) and v["support_type"] in ("handover", "coordination"))
        if v is not None:
            v["end"] = None
            marks.append((v, "end", "held-visit-incomplete"))
        v = self._pick(visits, used, lambda v: v["status"] == "cancelled" and v["cancelled_by"] != "organisation"
                       and (v["cancelled_at"].hour, v["cancelled_at"].minute) not in ((11, 30), (12, 0)))
        if v is not None:
            v["cancelled_at"] = None
            marks.append((v, "cancelled_at", "cancel-time-missing"))
        early = self.visit_before_contract(plans, national, used)
        if early is not None:
            visits.append(early)
            marks.append((early, "visit_date", "visit-before-contract"))
        return marks

    def visit_before_contract(self, plans: list[_Case], national: set[str], used: set[int]) -> dict[str, Any] | None:
        """A visit typed between the first and the second parent's contract (after both pre-consultations),
        copied from one of the case's correct held visits."""
        options = []
        for c in plans:
            held = [v for v in c.visits if v["status"] == "held" and id(v) not in used]
            if c.case_id in national or c.both_signed is None or c.latest_pre is None or not held:
                continue
            lo = max(c.first_contract, c.latest_pre + timedelta(days=7))
            days = [lo + timedelta(days=k) for k in range((c.both_signed - lo).days)]
            free = [d for d in days if _is_free(d) and d < self.today]
            if free:
                options.append((held[0], free))
        if not options:
            return None
        template, free = self.rng.choice(options)
        visit = dict(template)
        d = visit["visit_date"] = self.rng.choice(free)
        for parent in ("father", "mother"):
            if template.get(f"{parent}_paid") is not None:
                visit[f"{parent}_paid"] = d - timedelta(days=6)
        return visit

    def inject_after_sort(self, visits: list[dict[str, Any]], used: set[int]
                          ) -> list[tuple[dict[str, Any], str, str]]:
        v = self._pick(visits, set(used), lambda v: v["status"] == "held" and v["end"] is not None
                       and v.get("place_kind") != "parent_home")
        if v is None:
            return []
        v["case_id"] = v["case_id"] + v["case_id"][-1]  # a key pressed twice
        return [(v, "case_id", "unknown-case-id")]

    def overdue_payment(self, plans: list[_Case], visits: list[dict[str, Any]], used: set[int]) -> None:
        """One recent held visit whose father has not paid yet: the 未入金 flag has something to show."""
        for v in reversed(visits):
            if (id(v) not in used and v["status"] == "held"
                    and v["father_paid"] is not None and v["mother_paid"] is not None):
                v["father_paid"] = None
                return


_VISIT_KEYS = tuple(c.key for c in VISITS.input_columns)


def _is_free(d: date) -> bool:
    return d in _free_days(d.year, d.month)


def _place(kind: str, municipality: str, hood: str) -> str:
    if kind == "children_centre":
        return f"{hood}児童館"
    if kind == "kids_plaza":
        return f"こども広場（{municipality}）"
    if kind == "office":
        return "団体事務所 面会室"
    if kind == "public_facility":
        return f"{hood}公園"
    return f"ショッピングセンター{hood}店 キッズスペース"


def generate_sample(cases: int, seed: int, start: date, *, today: date | None = None,
                    mistakes: bool = True) -> SampleRecords:
    """Fictional ledger records for ``cases`` cases, applications from ~``start`` to ``today``.

    Deterministic for (cases, seed, start, today).  ``today`` defaults to :func:`default_today`.
    With ``mistakes`` the deliberate mistakes are injected (``records.mistakes`` says where).
    """
    if cases < 1:
        raise ValueError("cases must be at least 1")
    return _Generator(cases, seed, start, today or default_today(start)).run(mistakes)

