"""Required fields: the columns the layout marks as required must not be empty."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from operator import attrgetter

from ..findings import ERROR, Finding, FindingType, register
from ..layout import CASES, CHILDREN, STAFF, VISITS
from ..ledger import Ledger
from ..settings import Settings
from ._common import finding

_REQUIRED = {
    layout.name: tuple((c.key, c.header) for c in layout.input_columns if c.required)
    for layout in (CASES, CHILDREN, VISITS, STAFF)
}
# The required fields of a sheet read in one call (attrgetter follows "father.contract_date").
_VALUES = {sheet: attrgetter(*(key for key, _ in fields)) if fields else None for sheet, fields in _REQUIRED.items()}


register(
    FindingType(
        code="required-missing", severity=ERROR, source="Contracts and eligibility",
        name_ja="必須項目が空", name_en="Required field empty",
        template_ja="{header}が空です。入力してください",
        template_en="{header} is empty; fill it in",
        description_ja="台帳の必須列（ケースID、実施日、状態など）が空。",
        description_en="A required column (case ID, visit date, status …) is empty.",
    ),
)


def required_fields(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    for sheet, records, id_key in (
        (CASES.name, ledger.cases, "case_id"),
        (CHILDREN.name, ledger.children, "case_id"),
        (VISITS.name, ledger.visits, "visit_id"),
        (STAFF.name, ledger.staff, None),
    ):
        fields, values = _REQUIRED[sheet], _VALUES[sheet]
        if values is None:
            continue
        for rec in records:
            got = values(rec)
            if len(fields) == 1:
                got = (got,)
            if None not in got:
                continue
            for (key, header), value in zip(fields, got):
                if value is None:
                    record = getattr(rec, id_key) if id_key else None
                    yield finding("required-missing", sheet, rec.row, key, record=record, header=header)
