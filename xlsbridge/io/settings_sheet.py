"""Settings <-> the workbook's settings sheets (``設定`` and ``区域``), which an admin edits in Excel.

The ``設定`` sheet holds four blocks, each introduced by a title cell in column A:

* ``■ 基本設定`` — one rule per row: 項目 | 値 | 説明 (団体名, 契約期間(月), …);
* ``■ 料金表`` — one row per fee schedule (dates, member pricing, cancellation, transport, contract fees);
* ``■ 支援類型別料金`` — one row per (schedule × support type): base price or duration bands, children,
  extension, whether transport and the member discount apply;
* ``■ 休業日`` — the office's closure days beyond national holidays.

``区域`` is one table: 市町村 | 区域外 | 交通費 | 距離(km) | 見本.

Tables are read by header text, so an admin may reorder columns or add a 備考 column.  Reading takes
plain row lists (``openpyxl`` ``values_only`` or ``python-calamine``), accepts what staff type
(full-width digits, ○/×/はい/いいえ/TRUE, ``1,000円``, trailing spaces) and turns every invalid value
or contradiction into a :class:`UserError` that names the cell (``設定!E14``) and says what to fix.
The format is documented for admins in docs/settings-sheet.md.

The code is split by concern: :mod:`.settings_sheet_cells` reads one cell, :mod:`.settings_sheet_rows`
holds the tables as data, :mod:`.settings_sheet_read` reads the sheets; this module writes them and is
the public entry point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

from ..domain.layout import AREAS_SHEET, SETTINGS_SHEET
from ..domain.settings import PLAN_SOURCE_LABELS, PlanProfile, Settings
from .xlsx.cells import column_letter as _col_letter
from .settings_sheet_cells import BANDS, TIERS
from .settings_sheet_read import read_plan_block, read_settings_sheets, read_template_version
from .settings_sheet_rows import (
    AREA_COLUMNS,
    AREA_NOTE,
    FEE_COLUMNS,
    HOLIDAY_COLUMNS,
    NOTE,
    PLAN_ROWS,
    RULE_ROWS,
    SCHEDULE_COLUMNS,
    SECTION_FEES,
    SECTION_HOLIDAYS,
    SECTION_PLAN,
    SECTION_RULES,
    SECTION_SCHEDULES,
    TEMPLATE_VERSION_KEY,
    TITLE,
    _Col,
)

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = [
    "AREA_COLUMNS", "FEE_COLUMNS", "HOLIDAY_COLUMNS", "PLAN_ROWS", "RULE_ROWS", "SCHEDULE_COLUMNS",
    "SECTION_FEES", "SECTION_HOLIDAYS", "SECTION_PLAN", "SECTION_RULES", "SECTION_SCHEDULES",
    "TEMPLATE_VERSION_KEY", "SheetPlan", "plan_block_rows", "read_plan_block", "read_settings_sheets",
    "read_template_version", "settings_sheet_rows", "write_settings_sheets",
]


def plan_block_rows(profile: PlanProfile) -> list[list[Any]]:
    """The ``■ 計画書の様式`` rows (項目 | 値 | 説明) for a plan-sheet profile."""
    items = " / ".join(f"{i.label}={PLAN_SOURCE_LABELS[i.source]}" for i in profile.extra_items) or "なし"
    values = {"name": profile.name, "min_child_rows": profile.min_child_rows,
              "min_progress_rows": profile.min_progress_rows, "extra_items": items}
    return [[label, values[path], help_text] for label, path, help_text in PLAN_ROWS]


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------


@dataclass
class SheetPlan:
    """What the settings sheets contain, before styling: rows of cell values plus where things are."""

    settings_rows: list[list[Any]]
    area_rows: list[list[Any]]
    titles: list[int] = field(default_factory=list)  # 0-based rows holding a block title
    headers: dict[str, int] = field(default_factory=dict)  # block title -> its header row
    data: dict[str, tuple[int, int]] = field(default_factory=dict)  # block title -> data rows [start, end)


def settings_sheet_rows(settings: Settings, template_version: str | None = None) -> SheetPlan:
    """The cell values of the ``設定`` and ``区域`` sheets for ``settings`` (no styling)."""
    rows: list[list[Any]] = [[TITLE], [NOTE], []]
    plan = SheetPlan(rows, [])

    def block(title: str, header: list[str], body: list[list[Any]]) -> None:
        plan.titles.append(len(rows))
        rows.append([title])
        plan.headers[title] = len(rows)
        rows.append(header)
        plan.data[title] = (len(rows), len(rows) + len(body))
        rows.extend(body)
        rows.append([])

    rules = settings.rules
    body = []
    if template_version is not None:
        body.append([TEMPLATE_VERSION_KEY, template_version, "このブックのテンプレートの版（変更しないでください）"])
    for label, path, codec, help_text in RULE_ROWS:
        value = settings.organisation if path == "organisation" else getattr(rules, path)
        body.append([label, codec.write(value), help_text])
    block(SECTION_RULES, ["項目", "値", "説明"], body)
    block(SECTION_SCHEDULES, [c.header for c in SCHEDULE_COLUMNS],
          [_row_values(SCHEDULE_COLUMNS, s) for s in settings.schedules])
    block(SECTION_FEES, [c.header for c in FEE_COLUMNS],
          [_row_values(FEE_COLUMNS, (s, st)) for s in settings.schedules for st in s.support_types])
    block(SECTION_HOLIDAYS, [c.header for c in HOLIDAY_COLUMNS], [[d] for d in settings.office_holidays])
    if settings.plan != PlanProfile():
        block(SECTION_PLAN, ["項目", "値", "説明"], plan_block_rows(settings.plan))
    rows.pop()  # no blank row after the last block
    plan.area_rows = [[c.header for c in AREA_COLUMNS]] + [_row_values(AREA_COLUMNS, a) for a in settings.areas]
    return plan


def _row_values(columns: Sequence[_Col], obj: Any) -> list[Any]:
    out = []
    for col in columns:
        value = col.get(obj)
        out.append(None if value is None else col.codec.write(value))
    return out


def write_settings_sheets(wb: Workbook, settings: Settings, *, template_version: str | None = None) -> None:
    """Add (or replace) the ``設定`` and ``区域`` sheets of ``wb`` with ``settings``, styled for admins."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.table import Table, TableStyleInfo

    from .cells import set_value

    plan = settings_sheet_rows(settings, template_version)
    title_font = Font(bold=True, size=14)
    block_font = Font(bold=True, size=12, color="1F4E78")
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E78")
    note_font = Font(italic=True, color="595959")
    wrap = Alignment(wrap_text=True, vertical="top")

    ws = _replace_sheet(wb, SETTINGS_SHEET)
    ws.sheet_properties.tabColor = "1F4E78"
    for r, values in enumerate(plan.settings_rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                set_value(ws.cell(r, c), value)
    ws["A1"].font = title_font
    ws["A2"].font = note_font
    for r in plan.titles:
        ws.cell(r + 1, 1).font = block_font
    tables = {SECTION_RULES: None, SECTION_SCHEDULES: SCHEDULE_COLUMNS, SECTION_FEES: FEE_COLUMNS,
              SECTION_HOLIDAYS: HOLIDAY_COLUMNS}
    if SECTION_PLAN in plan.headers:
        tables[SECTION_PLAN] = None  # 項目 | 値 | 説明, styled like 基本設定
    for title, columns in tables.items():
        header = plan.headers[title] + 1
        width = len(plan.settings_rows[header - 1])
        for c in range(1, width + 1):
            cell = ws.cell(header, c)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            if columns is not None and columns[c - 1].help:
                cell.comment = Comment(columns[c - 1].help, "xlsbridge", width=260, height=90)
        ws.row_dimensions[header].height = 30
        start, end = plan.data[title]
        if columns is None:
            for r in range(start + 1, end + 1):
                ws.cell(r, 1).font = Font(bold=True)
                ws.cell(r, 2).alignment = Alignment(horizontal="left")
                ws.cell(r, 3).font = note_font
            continue
        for c, col in enumerate(columns, start=1):
            for r in range(start + 1, max(end, start + 1) + 1):
                cell = ws.cell(r, c)
                if col.codec.number_format:
                    cell.number_format = col.codec.number_format
                if col.codec is TIERS or col.codec is BANDS:
                    cell.alignment = wrap
    # Drop-downs for every choice, on the rows written.
    validations: dict[tuple[str, ...], list[str]] = {}
    for title in (SECTION_SCHEDULES, SECTION_FEES):
        start, end = plan.data[title]
        for c, col in enumerate(tables[title] or ()):
            if col.codec.choices:
                letter = _col_letter(c)
                validations.setdefault(col.codec.choices, []).append(f"{letter}{start + 1}:{letter}{max(end, start + 1)}")
    start, end = plan.data[SECTION_RULES]
    codecs = {label: codec for label, _, codec, _ in RULE_ROWS}
    for r in range(start, end):
        codec = codecs.get(plan.settings_rows[r][0])
        if codec is not None and codec.choices:
            validations.setdefault(codec.choices, []).append(f"B{r + 1}")
    for choices, ranges in validations.items():
        dv = _list_validation(choices)
        for ref in ranges:
            dv.add(ref)
        ws.add_data_validation(dv)
    for c, pair in enumerate(zip_longest(SCHEDULE_COLUMNS, FEE_COLUMNS)):
        width = max(col.width for col in pair if col is not None)
        ws.column_dimensions[_col_letter(c)].width = max(width, 26) if c == 1 else width  # B: the rule values
    ws.freeze_panes = "A3"
    _print_setup(ws)

    areas = _replace_sheet(wb, AREAS_SHEET)
    areas.sheet_properties.tabColor = "1F4E78"
    for r, values in enumerate(plan.area_rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                set_value(areas.cell(r, c), value)
    for c, col in enumerate(AREA_COLUMNS, start=1):
        cell = areas.cell(1, c)
        cell.font, cell.fill = header_font, header_fill
        areas.column_dimensions[_col_letter(c - 1)].width = col.width
    for r in range(2, len(plan.area_rows) + 1):
        areas.cell(r, 3).number_format = "#,##0"
    last = max(len(plan.area_rows), 2)
    table = Table(displayName="区域表", ref=f"A1:{_col_letter(len(AREA_COLUMNS) - 1)}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    areas.add_table(table)
    for c, col in enumerate(AREA_COLUMNS):
        if col.codec.choices:
            dv = _list_validation(col.codec.choices)
            dv.add(f"{_col_letter(c)}2:{_col_letter(c)}1048576")
            areas.add_data_validation(dv)
    note = len(AREA_COLUMNS) + 2
    areas.cell(1, note, AREA_NOTE).font = note_font
    areas.cell(1, note).alignment = wrap
    areas.column_dimensions[_col_letter(note - 1)].width = 60
    areas.freeze_panes = "A2"
    _print_setup(areas)


def _print_setup(ws) -> None:
    from .print_setup import apply_openpyxl

    apply_openpyxl(ws)  # io/print_setup.py: landscape, one page wide


def _list_validation(choices: Sequence[str]):
    """A drop-down that warns (but lets staff keep) a value outside the list: the reader accepts variants."""
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                          showErrorMessage=True, errorStyle="warning", errorTitle="選択肢にない値",
                          error="一覧から選んでください: " + " / ".join(choices))


def _replace_sheet(wb: Workbook, name: str):
    if name in wb.sheetnames:
        index = wb.sheetnames.index(name)
        del wb[name]
        return wb.create_sheet(name, index)
    return wb.create_sheet(name)
