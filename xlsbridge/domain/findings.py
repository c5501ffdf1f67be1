"""Findings: what a check found, where, and what to do about it.

Each kind of finding is a :class:`FindingType` in :data:`CATALOG`, with a stable ``code`` (used in JSON
output and by scripts), a severity, message templates in Japanese and English, a description and the
rule-book section it enforces.  ``docs/rules.md`` is generated from this catalogue
(``xlsbridge rules --markdown``), so the documentation cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..i18n import t

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True, kw_only=True)
class FindingType:
    """One kind of finding, declared with keywords beside the rule that finds it (``register``)."""

    code: str  # stable: scripts and the JSON output rely on it
    severity: Severity
    name_ja: str
    name_en: str
    template_ja: str  # what to fix; ``{value}`` and the rule's parameters are filled in
    template_en: str
    description_ja: str  # the rule, for docs/rules.md and `xlsbridge rules`
    description_en: str
    source: str  # the rule-book section (domain.md), "Section: topic"; "workbook" for how a cell is typed

    def render(self, params: dict[str, Any]) -> str:
        return t(self.template_ja, self.template_en).format_map(_Lenient(params))


class _Lenient(dict):
    """Leave an unknown placeholder visible rather than crash while reporting a finding."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


CATALOG: dict[str, FindingType] = {}


def register(*types: FindingType) -> tuple[FindingType, ...]:
    """Add finding types to the catalogue (each code once); returns them."""
    for ft in types:
        if ft.code in CATALOG:
            raise ValueError(f"finding code {ft.code} registered twice")
        CATALOG[ft.code] = ft
    return types


@dataclass(frozen=True)
class Location:
    """Where a value lives: a sheet, a row and the field (header) name.

    The domain does not know columns (staff may reorder them); the workbook adapter turns a location
    into a cell address such as ``面会記録!F12``.
    """

    sheet: str
    row: int | None = None
    field: str | None = None
    cell: str | None = None  # filled in by the adapter that knows the column

    def address(self) -> str:
        if self.cell:
            return f"{self.sheet}!{self.cell}"
        if self.row is not None:
            return f"{self.sheet}!{self.row}行"
        return self.sheet


@dataclass(frozen=True)
class Finding:
    code: str
    location: Location
    value: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    record: str | None = None  # the case or visit ID the finding is about (never a person's name)

    @property
    def type(self) -> FindingType:
        return CATALOG[self.code]

    @property
    def severity(self) -> Severity:
        return self.type.severity

    def message(self) -> str:
        return self.type.render({"value": self.value, **self.params})
