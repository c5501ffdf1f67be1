"""Where a command's results go in a ledger: the ``LedgerSink`` protocol and two of its implementations.

Every output block (the computed fee columns, 料金集計, 期限・年齢, チェック結果) is written by one
function in services/outputs.py against ``LedgerSink``; the medium is the sink's business:

* ``XlsxSink``: a ledger file's package, patched (io/xlsx): only the changed cells and the generated
  sheets are rewritten, every other part is copied byte for byte (``fees``, ``flags``);
* ``OpenpyxlSink``: an openpyxl workbook (a package the patcher refuses, ``validate --annotate``, a
  template upgrade building the new ledger in memory);
* ``XlwingsSink`` (excel/sink.py): the live book in Excel, classic add-in and xlwings Lite.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from .xlsx.cells import cell_link


@dataclass(frozen=True)
class ComputedColumn:
    """A computed column: its header and where the reader found it (0-based; None: add it at the end)."""

    header: str
    index: int | None


@dataclass(frozen=True)
class Link:
    """A cell of the findings sheet that jumps to a cell of the workbook (``label`` is what it shows)."""

    sheet: str
    cell: str

    @property
    def label(self) -> str:
        return f"{self.sheet}!{self.cell}"

    @property
    def target(self) -> str:
        return cell_link(self.sheet, self.cell)


@dataclass(frozen=True)
class CellChange:
    address: str
    old: Any
    new: Any


@dataclass
class Written:
    """What writing through a sink produced: the file (empty for a dry run or a live book) and the changes."""

    payload: bytes = b""
    changed: int = 0  # how many cells change
    changes: list[CellChange] = field(default_factory=list)  # the first of them, in sheet order


KEPT_CHANGES = 1000  # changed cells listed (``--dry-run`` shows 40); ``changed`` counts them all

# The format a computed value is shown with (None: the cell's own); it must depend on the value's type
# only: the patched package asks once per type (services/outputs.fee_number_format: yen, a date).
NumberFormat = Callable[[Any], "str | None"]


class LedgerSink(Protocol):
    def set_computed_columns(self, sheet: str, columns: Sequence[ComputedColumn], rows: Mapping[int, Sequence[Any]],
                             number_format: NumberFormat) -> None:
        """Write ``rows`` (Excel row → one value per column) into the computed ``columns`` of ``sheet``
        (the tab's title); a column not found is added after the last used one, with its header.
        ``rows`` may work a row's values out when asked (services/outputs._FeeRows): ask once a row."""

    def replace_generated_sheet(self, name: str, *, note: str, columns: Sequence[Any], rows: Sequence[Sequence[Any]],
                                after: str | None = None) -> None:
        """Draw a generated sheet (note row, header row, rows), replacing any older one of that name."""

    def write_findings(self, name: str, rows: Sequence[Sequence[Any]]) -> None:
        """Put the findings block (header row first; a ``Link`` where a cell jumps to another) on ``name``."""

    def put_plan_sheets(self, plans: Sequence[Any]) -> list[str]:
        """Each plan (domain/plan.PlanSheet) on its own sheet 計画書_<ケースID>, replacing an older one
        of the same case; returns the sheet names."""


# ------------------------------------------------------------------------------------------------
# The patched package
# ------------------------------------------------------------------------------------------------

class XlsxSink:
    """A ledger file's package patched in place of an openpyxl round trip (io/xlsx)."""

    def __init__(self, data: bytes):
        from .xlsx import XlsxPatch

        self.patch = XlsxPatch(data)

    def set_computed_columns(self, sheet: str, columns: Sequence[ComputedColumn], rows: Mapping[int, Sequence[Any]],
                             number_format: NumberFormat) -> None:
        positions: list[int] = []
        headers: dict[int, str] = {}
        free = None
        for column in columns:
            if column.index is None:  # an older ledger without this computed column: add it at the end
                free = free or self.patch.free_column(sheet)
                headers[free] = column.header
                positions.append(free)
                free += 1
            else:
                positions.append(column.index + 1)

        if isinstance(rows, dict):
            # Each row's values are let go once streamed (the stream asks for each row once): on a
            # 50,000-visit ledger they are tens of megabytes the package being written can use instead.
            pending = dict(rows)
            values: Callable[[int], Sequence[Any]] = pending.pop
        else:  # a mapping that works a row's values out when asked (services/outputs._FeeRows)
            values = rows.__getitem__
        self.patch.set_cells(sheet, positions, sorted(rows), values, headers=headers, number_format=number_format)

    def replace_generated_sheet(self, name: str, *, note: str, columns: Sequence[Any], rows: Sequence[Sequence[Any]],
                                after: str | None = None) -> None:
        self.patch.replace_sheet(name, note=note, columns=columns, rows=rows, after=after)

    def write_findings(self, name: str, rows: Sequence[Sequence[Any]]) -> None:
        from .xlsx import PatchUnsupported

        raise PatchUnsupported("the findings sheet is drawn with openpyxl")

    def put_plan_sheets(self, plans: Sequence[Any]) -> list[str]:
        from .xlsx import PatchUnsupported

        raise PatchUnsupported("plan sheets are drawn with openpyxl")

    def save(self, *, dry_run: bool = False) -> Written:
        found = self.patch.dry_run() if dry_run else self.patch.save()
        changes = [CellChange(c.address, _as_shown(c.old, c.new), c.new) for c in found.changes[:KEPT_CHANGES]]
        return Written(found.payload, found.changed, changes)

    def close(self) -> None:
        self.patch.close()

    def __enter__(self) -> "XlsxSink":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _as_shown(old: Any, new: Any) -> Any:
    """The old value as the change list shows it: a date-time in a date cell as its date."""
    return old.date() if isinstance(old, datetime) and isinstance(new, date) else old


# ------------------------------------------------------------------------------------------------
# An openpyxl workbook
# ------------------------------------------------------------------------------------------------

FINDING_FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}
LINK_COLOR = "0563C1"


class OpenpyxlSink:
    """An openpyxl workbook; ``changes`` lists the computed cells whose value changed.

    ``findings_first``: the findings sheet is moved to the front and shown (the annotated copy is
    handed around to fix entries); otherwise it keeps its place (a template upgrade)."""

    def __init__(self, wb: Any, *, findings_first: bool = False):
        self.wb = wb
        self.findings_first = findings_first
        self.changes: list[CellChange] = []

    def set_computed_columns(self, sheet: str, columns: Sequence[ComputedColumn], rows: Mapping[int, Sequence[Any]],
                             number_format: NumberFormat) -> None:
        from openpyxl.worksheet.table import TableColumn

        from .cells import set_value

        ws = self.wb[sheet]
        positions: list[int] = []
        next_free = ws.max_column + 1
        for column in columns:
            index = column.index
            if index is None:  # an older ledger without this computed column: add it at the end
                index = next_free - 1
                ws.cell(row=1, column=next_free, value=column.header)
                _extend_table(ws, next_free, column.header, TableColumn)
                next_free += 1
            positions.append(index + 1)
        for row, values in rows.items():
            for position, value in zip(positions, values):
                cell = ws.cell(row=row, column=position)
                old = cell.value.date() if hasattr(cell.value, "date") and isinstance(value, date) else cell.value
                if old != value and not (old in (None, "") and value in (None, "")):
                    self.changes.append(CellChange(f"{ws.title}!{cell.coordinate}", old, value))
                    set_value(cell, value)
                fmt = number_format(value)
                if fmt and cell.number_format != fmt:
                    cell.number_format = fmt

    def replace_generated_sheet(self, name: str, *, note: str, columns: Sequence[Any], rows: Sequence[Sequence[Any]],
                                after: str | None = None) -> None:
        from .report_sheets import replace_sheet

        replace_sheet(self.wb, name, note=note, columns=columns, rows=rows, after=after)

    def write_findings(self, name: str, rows: Sequence[Sequence[Any]]) -> None:
        """The template's チェック結果 keeps its header row (the highlight names point at its columns);
        a ledger without one gets it, drawn as the template draws it."""
        from openpyxl.styles import Font, PatternFill
        from openpyxl.worksheet.hyperlink import Hyperlink

        from .cells import set_value
        from .template import findings_sheet_layout

        if name in self.wb.sheetnames:
            ws = self.wb[name]
            if ws.max_row > 1:
                ws.delete_rows(2, ws.max_row - 1)
        else:
            ws = self.wb.create_sheet(name, 0 if self.findings_first else None)
            findings_sheet_layout(ws)
        link_font = Font(color=LINK_COLOR, underline="single")
        severities = {label: kind for kind, label in _severity_labels().items()}
        for r, values in enumerate(rows[1:], start=2):
            for c, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = ws.cell(r, c)
                if isinstance(value, Link):
                    set_value(cell, value.label)
                    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=value.target[1:], display=value.label)
                    cell.font = link_font
                else:
                    set_value(cell, value)
            kind = severities.get(values[0]) if values else None
            if kind in FINDING_FILLS:
                ws.cell(r, 1).fill = PatternFill("solid", fgColor=FINDING_FILLS[kind])
        if self.findings_first:
            self.wb.move_sheet(ws, -self.wb.sheetnames.index(name))
            ws.sheet_properties.tabColor = "C00000"
            for sheet in self.wb.worksheets:
                sheet.sheet_view.tabSelected = False
            ws.sheet_view.tabSelected = True
            self.wb.active = 0


    def put_plan_sheets(self, plans: Sequence[Any]) -> list[str]:
        from .plan_sheet import draw_plan, plan_sheet_name

        names = []
        for plan in plans:
            name = plan_sheet_name(plan.case_id)
            if name in self.wb.sheetnames:
                del self.wb[name]
            draw_plan(self.wb.create_sheet(name), plan)
            names.append(name)
        return names


def _severity_labels() -> dict[str, str]:
    from ..i18n import t

    return {"error": t("エラー", "error"), "warning": t("警告", "warning")}


def _extend_table(ws: Any, column: int, header: str, TableColumn: Any) -> None:
    """Grow the sheet's Excel table over a column added just right of it, so filters keep working."""
    from openpyxl.utils import get_column_letter, range_boundaries

    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if max_col + 1 == column:
            table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(column)}{max_row}"
            table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1, name=header))
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref
            return


__all__ = ["KEPT_CHANGES", "CellChange", "ComputedColumn", "LedgerSink", "Link", "OpenpyxlSink", "Written",
           "XlsxSink"]
