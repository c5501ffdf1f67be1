"""Required fields: the columns the layout marks as required must not be empty."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ...io.layout import CASES, CHILDREN, STAFF, VISITS
from ..findings import Finding
from ..ledger import Ledger
from ..settings import Settings
from ._common import field_value, finding

_REQUIRED = {
    layout.name: tuple((c.key, c.header) for c in layout.input_columns if c.required)
    for layout in (CASES, CHILDREN, VISITS, STAFF)
}


def required_fields(ledger: Ledger, settings: Settings, as_of: date) -> Iterable[Finding]:
    for sheet, records, id_key in (
        (CASES.name, ledger.cases, "case_id"),
        (CHILDREN.name, ledger.children, "case_id"),
        (VISITS.name, ledger.visits, "visit_id"),
        (STAFF.name, ledger.staff, None),
    ):
        for rec in records:
            for key, header in _REQUIRED[sheet]:
                if field_value(rec, key) is None:
                    record = getattr(rec, id_key) if id_key else None
                    yield finding("required-missing", sheet, rec.row, key, record=record, header=header)
