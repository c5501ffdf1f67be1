"""The case ledger (案件台帳) as domain models.

Fields are optional because a ledger is read as staff typed it: a value the reader could not
understand is ``None`` here and a finding there.  Validation rules (``domain/rules``) decide what is
required.  Every record keeps the worksheet row it came from; the adapter maps (sheet, row, field)
to a cell such as ``面会記録!F12``.

Contact details (addresses, phones, e-mails) are deliberately NOT part of these models: they stay in
the ``連絡先`` sheet and never flow into anything xlsbridge produces (domain.md, Privacy).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .money import Ratio
from .settings import Parent, Settings

CaseStatus = Literal["consulting", "active", "closed", "terminated"]
VisitStatus = Literal["planned", "held", "cancelled"]
PlaceKind = Literal["children_centre", "kids_plaza", "office", "public_facility", "parent_home", "other"]
Condition = Literal["short", "continuing"]
Sex = Literal["male", "female"]
CancelledBy = Literal["father", "mother", "organisation"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    row: int | None = None


class ParentRecord(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str | None = None
    pre_consultation: date | None = None
    contract_date: date | None = None
    member: bool = False


class Case(_Record):
    case_id: str | None = None
    application_date: date | None = None
    status: CaseStatus | None = None
    applicant: Parent | None = None
    custodial: Parent | None = None
    father: ParentRecord = ParentRecord()
    mother: ParentRecord = ParentRecord()
    agreement_confirmed: date | None = None
    renewals: int = 0
    ratio: Ratio | None = None
    support_type: str | None = None
    condition: Condition | None = None
    frequency: str | None = None
    national_program: bool = False
    child_support_allowance: bool = False
    reduction: int = 0
    reduction_reason: str | None = None
    staff: str | None = None
    terminated_on: date | None = None
    termination_reason: str | None = None
    review_date: date | None = None
    notes: str | None = None

    def parent(self, which: Parent) -> ParentRecord:
        return self.father if which == "father" else self.mother

    def both_signed_on(self) -> date | None:
        """The day the second parent signed: visits may start from then (domain.md Contracts)."""
        if self.father.contract_date is None or self.mother.contract_date is None:
            return None
        return max(self.father.contract_date, self.mother.contract_date)


class Child(_Record):
    case_id: str | None = None
    name: str | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    prefecture: str | None = None


class Visit(_Record):
    visit_id: str | None = None
    case_id: str | None = None
    visit_date: date | None = None
    start: time | None = None
    end: time | None = None
    support_type: str | None = None
    children: int | None = None
    extension_minutes: int = 0
    extension_agreed: bool = False
    place: str | None = None
    place_kind: PlaceKind | None = None
    municipality: str | None = None
    status: VisitStatus | None = None
    cancelled_at: datetime | None = None
    cancelled_by: CancelledBy | None = None
    staff: str | None = None
    content: str | None = None
    father_paid: date | None = None
    mother_paid: date | None = None
    extra_adults: int = 0  # accompanying adults beyond the one the fee includes (template 1.1)
    costs: int = 0  # actual costs of the visit, yen (template 1.1)

    def duration_minutes(self) -> int | None:
        """Booked time without the extension, when both times are known."""
        if self.start is None or self.end is None:
            return None
        minutes = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return minutes - self.extension_minutes


class StaffMember(_Record):
    name: str | None = None
    active: bool = True


class Ledger(BaseModel):
    """Everything read from one workbook, ready for the pure rules."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    settings: Settings
    cases: tuple[Case, ...] = ()
    children: tuple[Child, ...] = ()
    visits: tuple[Visit, ...] = ()
    staff: tuple[StaffMember, ...] = ()
    template_version: str | None = None
    # True when the visits sheet has the 父入金日 / 母入金日 columns: only then is "unpaid" meaningful.
    records_payments: bool = False

    def cases_by_id(self) -> dict[str, Case]:
        out: dict[str, Case] = {}
        for c in self.cases:
            if c.case_id and c.case_id not in out:
                out[c.case_id] = c
        return out

    def children_of(self) -> dict[str, list[Child]]:
        out: dict[str, list[Child]] = {}
        for ch in self.children:
            if ch.case_id:
                out.setdefault(ch.case_id, []).append(ch)
        return out

    def visits_of(self) -> dict[str, list[Visit]]:
        out: dict[str, list[Visit]] = {}
        for v in self.visits:
            if v.case_id:
                out.setdefault(v.case_id, []).append(v)
        for vs in out.values():
            vs.sort(key=lambda v: (v.visit_date or date.max, v.start or time.min))
        return out
