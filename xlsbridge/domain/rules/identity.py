"""Identity: every case ID is registered once, every visit ID is unique, every reference resolves."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..findings import ERROR, Finding, FindingType, register
from ..ledger import Ledger
from ..settings import Settings
from ._common import CASES_SHEET, CHILDREN_SHEET, VISITS_SHEET, finding, index


register(
    FindingType(
        code="unknown-case-id", severity=ERROR, source="Contracts and eligibility",
        name_ja="未登録のケースID", name_en="Unknown case ID",
        template_ja="ケースID「{value}」がケースシートにありません。{near_ja}ケースシートに登録するか、IDを直してください",
        template_en="case ID '{value}' is not on the case sheet; {near_en}add the case or correct the ID",
        description_ja="子ども・面会記録のケースIDがケースシートにない。",
        description_en="A child or visit names a case that is not on the case sheet.",
    ),
)


def unknown_case_ids(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    from ..nearest import hint, nearest

    known = index(ledger).cases
    hints: dict[str, tuple[str, str]] = {}
    for sheet, records in ((CHILDREN_SHEET, ledger.children), (VISITS_SHEET, ledger.visits)):
        for rec in records:
            if rec.case_id and rec.case_id not in known:
                record = getattr(rec, "visit_id", None) or rec.case_id
                if rec.case_id not in hints:
                    hints[rec.case_id] = hint(nearest(rec.case_id, known, cutoff=0.8))
                near_ja, near_en = hints[rec.case_id]
                yield finding("unknown-case-id", sheet, rec.row, "case_id", rec.case_id, record,
                              near_ja=near_ja, near_en=near_en)


register(
    FindingType(
        code="duplicate-case-id", severity=ERROR, source="Contracts and eligibility",
        name_ja="ケースIDの重複", name_en="Duplicate case ID",
        template_ja="ケースID「{value}」が{first_row}行目にもあります。別のIDを付けてください",
        template_en="case ID '{value}' is also used on row {first_row}; give this case its own ID",
        description_ja="同じケースIDが2行ある。子ども・面会がどちらのケースか分からなくなる。",
        description_en="Two cases share an ID, so children and visits cannot be told apart.",
    ),
    FindingType(
        code="duplicate-visit-id", severity=ERROR, source="Contracts and eligibility",
        name_ja="記録IDの重複", name_en="Duplicate visit ID",
        template_ja="記録ID「{value}」が{first_row}行目にもあります。別のIDを付けてください",
        template_en="visit ID '{value}' is also used on row {first_row}; give this visit its own ID",
        description_ja="同じ記録IDが2行ある。",
        description_en="Two visits share an ID.",
    ),
)


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
