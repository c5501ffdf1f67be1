"""Build ledger workbooks in code, for tests: rows are dicts keyed by layout column keys.

    spec = clean_spec()                       # one clean WEK case: C-001, a child, two visits, staff
    spec.visits[0]["extension_minutes"] = 45  # break one rule
    path = write_ledger(tmp_path / "ledger.xlsx", spec)

Values are written the way staff enter them:

* a choice column takes the model value (``"held"``, ``"accompanied"``, ``"father"``) and writes its
  Japanese label (実施, 付き添い型, 父); any other text is written as it is (to test typos);
* ``True``/``False`` in a ○/× column are written as ○/×; a ``Ratio`` as ``1:1``;
* dates, times and datetimes become Excel dates with a date/time number format;
* a string starting with ``=`` becomes a formula (openpyxl saves no cached result for it); wrap it in
  :class:`Text` to store it as text (what Excel keeps for ``'=…`` typed with an apostrophe).

The 設定 and 区域 sheets hold the settings (WEK's by default) in the settings-sheet format.
``write_ledger`` takes options to damage a workbook: rename a sheet, rename or drop a header,
reorder columns, add a staff member's own column, merge cells.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl

from xlsbridge.domain.money import Ratio
from xlsbridge.domain.settings import Settings
from xlsbridge.domain.layout import CASES, CHILDREN, CONTACTS, STAFF, VISITS, Column, SheetLayout
from xlsbridge.io.settings_sheet import write_settings_sheets
from xlsbridge.io.settings_toml import default_settings

WEK: Settings = default_settings()
SHEETS: dict[str, SheetLayout] = {s.name: s for s in (CASES, CONTACTS, CHILDREN, VISITS, STAFF)}
AS_OF = date(2025, 6, 30)  # the day the clean spec is valid on


def clean_case(**overrides: Any) -> dict[str, Any]:
    """Case C-001: both parents pre-consulted and signed in March 2025, accompanied support, WEK rules."""
    row = {
        "case_id": "C-001",
        "application_date": date(2025, 3, 1),
        "status": "active",
        "applicant": "mother",
        "custodial": "mother",
        "father.name": "北陸 太郎",
        "mother.name": "北陸 花子",
        "father.pre_consultation": date(2025, 3, 10),
        "mother.pre_consultation": date(2025, 3, 12),
        "agreement_confirmed": date(2025, 3, 12),
        "father.contract_date": date(2025, 3, 20),
        "mother.contract_date": date(2025, 3, 25),
        "renewals": 0,
        "father.member": False,
        "mother.member": True,
        "ratio": "1:1",
        "support_type": "accompanied",
        "condition": "continuing",
        "frequency": "月1回",
        "national_program": False,
        "child_support_allowance": False,
        "staff": "山田 花子",
    }
    row.update(overrides)
    return row


def clean_child(**overrides: Any) -> dict[str, Any]:
    """Born 2018-05-10: 1st grade in 2025, inside every age rule."""
    row = {"case_id": "C-001", "name": "北陸 一郎", "birth_date": date(2018, 5, 10), "sex": "male",
           "prefecture": "石川県"}
    row.update(overrides)
    return row


def clean_visit(**overrides: Any) -> dict[str, Any]:
    """A held accompanied visit in Kanazawa, complete."""
    row = {
        "visit_id": "V-001",
        "case_id": "C-001",
        "visit_date": date(2025, 4, 12),
        "start": time(10, 0),
        "end": time(12, 0),
        "support_type": "accompanied",
        "children": 1,
        "extension_minutes": 0,
        "extension_agreed": False,
        "place": "金沢市こども広場",
        "place_kind": "kids_plaza",
        "municipality": "金沢市",
        "status": "held",
        "staff": "山田 花子",
        "content": "公園で遊び、予定どおり受け渡した",
    }
    row.update(overrides)
    return row


def clean_staff() -> list[dict[str, Any]]:
    return [{"name": "山田 花子", "active": True}, {"name": "佐藤 一郎", "active": True}]


@dataclass
class LedgerSpec:
    cases: list[dict[str, Any]] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)
    staff: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    settings: Settings = WEK

    def rows(self, sheet: str) -> list[dict[str, Any]]:
        return {CASES.name: self.cases, CHILDREN.name: self.children, VISITS.name: self.visits,
                STAFF.name: self.staff, CONTACTS.name: self.contacts}[sheet]

    def copy(self) -> "LedgerSpec":
        return copy.deepcopy(self)


def clean_spec() -> LedgerSpec:
    """One case that breaks no rule on AS_OF: held visits in April and May (a visit still 予定 after its
    date would be a finding)."""
    return LedgerSpec(
        cases=[clean_case()],
        children=[clean_child()],
        visits=[clean_visit(),
                clean_visit(visit_id="V-002", visit_date=date(2025, 5, 10), content="図書館で読み聞かせ")],
        staff=clean_staff(),
        contacts=[{"case_id": "C-001", "relation": "father", "address": "金沢市広坂1-1-1", "phone": "076-000-0000",
                   "email": "father@example.invalid"}],
    )


class Text(str):
    """A value written as text even when it starts with ``=``."""


def _labels(column: Column, settings: Settings) -> dict[str, str]:
    """Model value -> the label staff pick."""
    if column.key == "support_type":
        return {st.key: st.label_ja for s in settings.schedules for st in s.support_types}
    return {value: label for label, value in column.choices.items()}


def cell_value(column: Column, value: Any, settings: Settings = WEK) -> Any:
    """How a staff member would have entered ``value`` in ``column``."""
    if value is None:
        return None
    if column.kind == "bool" and isinstance(value, bool):
        return "○" if value else "×"
    if column.kind == "ratio" and isinstance(value, Ratio):
        return value.label()
    if column.kind == "choice" and isinstance(value, str):
        return _labels(column, settings).get(value, value)
    return value


_FORMATS = {datetime: "yyyy/m/d h:mm", date: "yyyy/m/d", time: "h:mm"}


def write_ledger(
    path: Path,
    spec: LedgerSpec | None = None,
    *,
    columns: Mapping[str, Iterable[str]] | None = None,
    headers: Mapping[tuple[str, str], str | None] | None = None,
    extra_columns: Mapping[str, Iterable[str]] | None = None,
    sheet_titles: Mapping[str, str] | None = None,
    merge: Mapping[str, Iterable[str]] | None = None,
    blank_rows_before: Mapping[str, Iterable[int]] | None = None,
    settings_sheets: bool = True,
) -> Path:
    """Write ``spec`` as a ledger workbook at ``path`` and return the path.

    columns:           per sheet, the column keys in the order to write (default: the layout's, with the
                       computed fee columns); leave a key out to drop the column.
    headers:           {(sheet, key): header} to misspell a header; None drops the column.
    extra_columns:     per sheet, headers of the staff's own columns, appended with a value in each row.
    sheet_titles:      {layout sheet name: title} to rename a sheet.
    merge:             per sheet, ranges such as "C2:C3" to merge after writing.
    blank_rows_before: per sheet, 0-based indexes of data rows to put a fully blank row in front of.
    """
    spec = spec or clean_spec()
    settings = spec.settings
    headers = dict(headers or {})
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, layout in SHEETS.items():
        ws = wb.create_sheet((sheet_titles or {}).get(name, name))
        keys = list(columns[name]) if columns and name in columns else [c.key for c in layout.columns]
        keys = [k for k in keys if headers.get((name, k), "") is not None]
        by_key = {c.key: c for c in layout.columns}
        extras = list((extra_columns or {}).get(name, []))
        ws.append([headers.get((name, k)) or by_key[k].header for k in keys] + extras)
        blanks = set((blank_rows_before or {}).get(name, []))
        for i, record in enumerate(spec.rows(name)):
            if i in blanks:
                ws.append([])
            ws.append([cell_value(by_key[k], record.get(k), settings) for k in keys]
                      + [f"メモ{i + 1}" for _ in extras])
            for k, cell in zip(keys, ws[ws.max_row]):
                fmt = next((f for t, f in _FORMATS.items() if isinstance(cell.value, t)), None)
                if fmt:
                    cell.number_format = fmt
                if isinstance(record.get(k), Text):
                    cell.data_type = "s"
        for ref in (merge or {}).get(name, []):
            ws.merge_cells(ref)
    if settings_sheets:
        write_settings_sheets(wb, settings)
    wb.save(path)
    return Path(path)


def address(sheet: str, key: str, row: int) -> str:
    """Where ``write_ledger`` (default column order) puts ``key`` on ``row``: ``面会記録!H2``."""
    keys = [c.key for c in SHEETS[sheet].columns]
    index, letters = keys.index(key) + 1, ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{sheet}!{letters}{row}"


def check(path: Path, spec: LedgerSpec | None = None, *, as_of: date = AS_OF, **write_options: Any):
    """Write ``spec`` at ``path`` and validate it: the ValidationReport."""
    from xlsbridge.services.validate import validate_workbook

    return validate_workbook(write_ledger(path, spec, **write_options), as_of=as_of)


def found(report) -> set[tuple[str, str]]:
    """{(code, "面会記録!H2")} of a report (the address is the sheet when a finding has no cell)."""
    return {(item.code, item.address) for item in report.items}


def codes(report) -> set[str]:
    return {item.code for item in report.items}


__all__ = ["AS_OF", "LedgerSpec", "Text", "WEK", "address", "cell_value", "check", "clean_case", "clean_child", "clean_spec",
           "clean_staff", "clean_visit", "codes", "found", "write_ledger"]
