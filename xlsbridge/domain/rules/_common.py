"""What the rule modules share: where a finding goes, the ledger's lookups, name folding.

The sheet names and column keys come from ``domain/layout.py``, the one table of the ledger's layout
(pure data, no I/O): a finding names the field, the reader's resolver turns it into a cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..layout import CASES, CHILDREN, RECORD_SHEETS, STAFF, VISITS
from ..findings import Finding, Location
from ..jpcalendar import age_on, grade_label, grade_on
from ..ledger import Case, Child, Ledger, Visit
from ..text import fold  # noqa: F401 — the rules fold names through this module

CASES_SHEET = CASES.name
CHILDREN_SHEET = CHILDREN.name
VISITS_SHEET = VISITS.name
STAFF_SHEET = STAFF.name

# (model key, 日本語, English) for the two parents
PARENTS = (("father", "父", "father"), ("mother", "母", "mother"))

_SHEET_ORDER = {layout.name: i for i, layout in enumerate(RECORD_SHEETS)}
_COLUMN_ORDER = {layout.name: {c.key: i for i, c in enumerate(layout.columns)} for layout in RECORD_SHEETS}


def finding(code: str, sheet: str, row: int | None, field: str | None, value: Any = None,
            record: str | None = None, **params: Any) -> Finding:
    return Finding(code, Location(sheet, row, field), value, params, record)


def sort_key(f: Finding) -> tuple:
    """Sheet order of the workbook, then row, then the layout's column order."""
    loc = f.location
    column = _COLUMN_ORDER.get(loc.sheet, {}).get(loc.field or "", -1)
    return (_SHEET_ORDER.get(loc.sheet, len(_SHEET_ORDER)), loc.sheet, loc.row or 0, column, f.code)


def field_value(record: Any, key: str) -> Any:
    """``"father.name"`` → ``record.father.name``."""
    for part in key.split("."):
        record = getattr(record, part)
    return record


def counts(visit: Visit) -> bool:
    """A visit that happened or is planned (a cancelled one is not a visit for the rules)."""
    return visit.status != "cancelled" and visit.visit_date is not None


def age_at(birth: date, day: date) -> int:
    return age_on(birth, day) if day >= birth else 0


def school_label(birth: date, day: date) -> tuple[str, str]:
    return grade_label(grade_on(birth, day))


@dataclass(frozen=True)
class Index:
    """Lookups every rule needs, built once per ledger."""

    cases: dict[str, Case]
    case_rows: dict[str, int | None]
    children: dict[str, list[Child]]
    visits: dict[str, list[Visit]]  # by case, in date order
    staff_names: frozenset[str]
    counted: dict[str, tuple[Visit, ...]]  # by case, in date order: the visits that count (``counts``)


_last: tuple[Ledger, Index] | None = None


def index(ledger: Ledger) -> Index:
    """The lookups of ``ledger``; the rules of one run share them (the last ledger's are kept)."""
    global _last
    if _last is not None and _last[0] is ledger:
        return _last[1]
    cases = ledger.cases_by_id()
    visits = ledger.visits_of()
    built = Index(
        cases=cases,
        case_rows={cid: c.row for cid, c in cases.items()},
        children=ledger.children_of(),
        visits=visits,
        staff_names=frozenset(fold(s.name) for s in ledger.staff if s.name),
        counted={cid: tuple(v for v in vs if counts(v)) for cid, vs in visits.items()},
    )
    _last = (ledger, built)
    return built
