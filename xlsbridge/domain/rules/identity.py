"""Identity: every case ID is registered once, every visit ID is unique, every reference resolves."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..findings import Finding
from ..ledger import Ledger
from ..settings import Settings
from ._common import CASES_SHEET, CHILDREN_SHEET, VISITS_SHEET, finding, index


def unknown_case_ids(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    known = index(ledger).cases
    for sheet, records in ((CHILDREN_SHEET, ledger.children), (VISITS_SHEET, ledger.visits)):
        for rec in records:
            if rec.case_id and rec.case_id not in known:
                record = getattr(rec, "visit_id", None) or rec.case_id
                yield finding("unknown-case-id", sheet, rec.row, "case_id", rec.case_id, record)


def duplicate_ids(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    for code, sheet, records, key in (
        ("duplicate-case-id", CASES_SHEET, ledger.cases, "case_id"),
        ("duplicate-visit-id", VISITS_SHEET, ledger.visits, "visit_id"),
    ):
        first: dict[str, int | None] = {}
        for rec in records:
            value = getattr(rec, key)
            if not value:
                continue
            if value in first:
                yield finding(code, sheet, rec.row, key, value, value, first_row=first[value])
            else:
                first[value] = rec.row
