"""Moving a ledger into the current template without losing anything (`xlsbridge template upgrade`).

A ledger records the template version it was built from (the 設定 sheet's テンプレート版, the defined
name ``xlsbridge_template_version``, the custom document property).  Older ledgers are recognised
by their sheets and headers: every shipped version is data here (:data:`KNOWN_VERSIONS`), and each
renamed header of theirs is an alias of a current column in ``domain/layout.py``.

How a ledger is carried over (:func:`carry_values`; services/upgrade.py recomputes and checks)
  * a fresh workbook is built from the current template and the ledger's settings (or the
    organisation file given), so new columns, drop-down lists, formats and tables come from it;
  * every record sheet's rows are copied under the current headers: columns are matched by header
    text through the aliases, so renamed and moved columns land in the right place; columns the old
    version did not have stay empty; fully blank rows are dropped;
  * the staff's own columns (headers the layout does not know) are appended to the table, values and
    cell formats kept; notes beside a table stay beside it;
  * the computed fee columns and 料金集計 are recomputed (by services/upgrade.py); other generated sheets
    (チェック結果, 期限・年齢, 計画書_*, 実績報告) and the staff's own sheets are copied with their
    formats, merged cells and print settings;
  * a missing 支援員 sheet is added and filled with the names used in 担当支援員, so the staff
    drop-down and the check of names work at once;
  * finally every non-empty input cell of the old ledger is looked up in the new one (by sheet,
    row and header) and must hold the same value — otherwise nothing is written.

What openpyxl cannot carry (charts, pictures, pivot tables) is reported, never dropped silently.
"""

from __future__ import annotations

import io
import re
import zipfile
from copy import copy
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.rules import fold
from ..domain.settings import Settings
from ..errors import UserError
from ..i18n import t
from ..domain.layout import (
    AREAS_SHEET,
    CASES,
    CONTACTS,
    FEE_SUMMARY_SHEET,
    FINDINGS_SHEET,
    RECORD_SHEETS,
    SETTINGS_SHEET,
    STAFF,
    TEMPLATE_VERSION,
    TEMPLATE_VERSION_NAME,
    VISITS,
    Column,
    SheetLayout,
)
from .template_history import VersionInfo, computed_columns, detect_version

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

INSTRUCTIONS_SHEET = "使い方"


def recorded_version(wb: Workbook) -> str | None:
    """The version written in an openpyxl workbook: 設定 sheet, defined name, document property
    (io/template_version.py)."""
    from .template_version import defined_name_version
    from .template_version import recorded_version as recorded

    sheets = {title: [list(r) for r in _rows(wb[title])] for title in wb.sheetnames
              if fold(title) == fold(SETTINGS_SHEET)}

    def in_defined_name() -> str | None:
        name = wb.defined_names.get(TEMPLATE_VERSION_NAME)
        return defined_name_version(name.attr_text) if name is not None else None

    def in_document_property() -> str | None:
        return next((str(p.value) for p in wb.custom_doc_props.props
                     if p.name == TEMPLATE_VERSION_NAME and getattr(p, "value", None)), None)

    return recorded(sheets, in_defined_name, in_document_property)


def headers_of(wb: Workbook) -> dict[str, list[str]]:
    """Sheet title -> the texts of its row 1."""
    out = {}
    for ws in wb.worksheets:
        first = next(_rows(ws, max_row=1), ())
        out[ws.title] = [str(v).strip() for v in first if v is not None and str(v).strip()]
    return out


def _rows(ws: Any, **kwargs: Any) -> Any:
    """Row values; a read-only sheet is measured first (some writers record no or a wrong dimension)."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    return ws.iter_rows(values_only=True, **kwargs)


def ledger_version(path: Path, password: str | None = None) -> VersionInfo:
    """The template version of the ledger at ``path`` (read-only; any template, even one the reader refuses)."""
    wb = open_workbook(path, password, read_only=True)
    try:
        return detect_version(headers_of(wb), recorded_version(wb))
    finally:
        wb.close()


def open_workbook(path: Path, password: str | None = None, *, read_only: bool = False) -> Workbook:
    """The ledger as an openpyxl workbook (formulas as formulas), decrypted in memory when needed."""
    from .xlsx.package import load_workbook_bytes
    from .workbook_io import load_for_rewrite

    data = load_workbook_bytes(Path(path), password)
    # read_only here means "only looked at": no check for what a rewrite would lose
    return load_for_rewrite(data, Path(path).name, read_only=read_only, keep_vba=Path(path).suffix.lower() == ".xlsm")


def workbook_settings(wb: Workbook) -> Settings | None:
    """The settings of the 設定 and 区域 sheets, or None when the workbook has no 設定 sheet."""
    from .settings_sheet import read_settings_sheets

    sheets = {ws.title: [list(r) for r in _rows(ws)] for ws in wb.worksheets
              if fold(ws.title) in (fold(SETTINGS_SHEET), fold(AREAS_SHEET))}
    if not any(fold(title) == fold(SETTINGS_SHEET) for title in sheets):
        return None
    return read_settings_sheets(sheets)


def read_ledger_settings(path: Path, password: str | None = None) -> tuple[Settings, VersionInfo]:
    """The settings sheets of a ledger of any template version, and its version (for `settings` and `doctor`)."""
    wb = open_workbook(path, password, read_only=True)
    try:
        version = detect_version(headers_of(wb), recorded_version(wb))
        settings = workbook_settings(wb)
    finally:
        wb.close()
    if settings is None:
        raise UserError(f"{Path(path).name} に「{SETTINGS_SHEET}」シートがありません（テンプレート版 {version.label()}）",
                        f"{Path(path).name} has no '{SETTINGS_SHEET}' sheet (template {version.label()})")
    return settings, version


# --------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------


@dataclass
class SheetCarry:
    """What happened to one record sheet."""

    sheet: str
    source: str | None  # the old sheet's title; None when the old ledger had no such sheet
    rows: int = 0
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old header, current header)
    added: list[str] = field(default_factory=list)  # current columns the old sheet did not have
    extra: list[str] = field(default_factory=list)  # the staff's own columns, kept
    recomputed: list[str] = field(default_factory=list)  # old computed columns (values recomputed)
    side_cells: int = 0  # notes beside the table


@dataclass
class UpgradeReport:
    old: VersionInfo
    new_version: str
    settings_from: str
    sheets: list[SheetCarry] = field(default_factory=list)
    sheets_added: list[str] = field(default_factory=list)
    sheets_kept: list[str] = field(default_factory=list)
    sheets_recomputed: list[str] = field(default_factory=list)
    sheets_dropped: list[str] = field(default_factory=list)  # ours, rebuilt (使い方, 設定, 区域)
    staff_added: list[str] = field(default_factory=list)
    cells_checked: int = 0
    priced: int = 0
    unpriced: int = 0
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def render(self) -> str:
        same = t("（すでに最新の版です。新しいテンプレートで作り直しました）", " (already current; rebuilt)") \
            if self.old.version == self.new_version else ""
        lines = [t(f"テンプレート版: {self.old.label()} → {self.new_version}{same}",
                   f"template version: {self.old.label()} -> {self.new_version}{same}"),
                 t(f"設定: {self.settings_from}", f"settings: {self.settings_from}")]
        for s in self.sheets:
            if s.source is None:
                continue  # listed under 追加したシート
            moved = t(f"（元のシート名 {s.source}）", f" (was {s.source})") if s.source != s.sheet else ""
            lines.append(t(f"{s.sheet}{moved}: {s.rows} 行を引き継ぎました", f"{s.sheet}{moved}: {s.rows} rows carried"))
            if s.renamed:
                lines.append("  " + t("見出しの変更: ", "renamed: ") + "、".join(f"{a} → {b}" for a, b in s.renamed))
            if s.added:
                lines.append("  " + t("追加した列（空欄）: ", "new columns (empty): ") + "、".join(s.added))
            if s.extra:
                lines.append("  " + t("独自の列（そのまま残しました）: ", "own columns kept: ") + "、".join(s.extra))
            if s.recomputed:
                lines.append("  " + t("計算し直した列: ", "recomputed columns: ") + "、".join(s.recomputed))
            if s.side_cells:
                lines.append("  " + t(f"表の横のメモ {s.side_cells} セルを残しました", f"{s.side_cells} note cells beside the table kept"))
        if self.sheets_added:
            lines.append(t("追加したシート: ", "sheets added: ") + "、".join(self.sheets_added))
        if self.staff_added:
            lines.append(t(f"支援員シートに担当支援員の氏名 {len(self.staff_added)} 人を入れました（在籍を確かめてください）",
                           f"{len(self.staff_added)} staff names from 担当支援員 put on the staff sheet (check 在籍)"))
        if self.sheets_kept:
            lines.append(t("そのまま残したシート: ", "sheets kept: ") + "、".join(self.sheets_kept))
        if self.sheets_recomputed:
            lines.append(t("作り直したシート: ", "sheets recomputed: ") + "、".join(self.sheets_recomputed))
        if self.sheets_dropped:
            lines.append(t("新しいテンプレートで作り直したシート: ", "rebuilt from the new template: ") + "、".join(self.sheets_dropped))
        if self.unpriced:
            lines.append(t(f"料金: 計算 {self.priced} 件、未計算 {self.unpriced} 件（入力チェックの指摘を直すと計算されます）",
                           f"fees: {self.priced} priced, {self.unpriced} not priced (fix the validate findings)"))
        else:
            lines.append(t(f"料金: {self.priced} 件すべて計算しました", f"fees: all {self.priced} priced"))
        lines.append(t(f"確認: 元の台帳の入力セル {self.cells_checked} 個がすべて同じ値で新しい台帳にあります",
                       f"checked: all {self.cells_checked} input cells of the old ledger are in the new one, same values"))
        for ja, en in self.warnings:
            lines.append(t(f"注意: {ja}", f"warning: {en}"))
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Carrying a ledger over
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Carried:
    """One input cell of the old ledger and where it went."""

    sheet: str
    old_ref: str
    new_row: int
    new_col: int
    value: Any


@dataclass
class Carried:
    """What ``carry_values`` built: the new workbook, the report so far, the cells carried (checked
    by ``verify_carried`` once the computed columns are recomputed) and whether the template's
    チェック結果 is to be filled again."""

    new: Workbook
    report: UpgradeReport
    cells: list[_Carried]
    findings: bool


def carry_values(old: Workbook, *, settings: Settings | None = None, settings_label: str | None = None,
                 package: bytes | None = None) -> Carried:
    """A workbook of the current template holding everything staff typed in ``old``; and what was done.
    The computed columns and generated sheets are the use case's (services/upgrade.py).

    ``settings``: the organisation file's settings, or None to keep the ledger's own (its 設定 sheet).
    ``package``: the old file's bytes, to report what openpyxl cannot carry (charts, pictures).
    Raises :class:`UserError` when the ledger's version is newer than this xlsbridge, when it has no
    settings and none were given, or when the final check finds a cell that did not arrive.
    """
    from .template import build_template

    version = detect_version(headers_of(old), recorded_version(old))
    if version.newer:
        raise UserError(f"この台帳はテンプレート版 {version.version} で、この xlsbridge（版 {TEMPLATE_VERSION}）より新しいものです。"
                        "xlsbridge を新しくしてください（pip install -U xlsbridge）",
                        f"this ledger uses template {version.version}, newer than this xlsbridge's {TEMPLATE_VERSION}; "
                        "upgrade xlsbridge (pip install -U xlsbridge)")
    if settings is None:
        settings = workbook_settings(old)
        if settings is None:
            raise UserError(f"この台帳（テンプレート版 {version.label()}）には「{SETTINGS_SHEET}」シートがありません。"
                            "--settings 団体設定.toml で料金表などの設定を指定してください",
                            f"this ledger (template {version.label()}) has no '{SETTINGS_SHEET}' sheet; give the "
                            "organisation file with --settings")
        settings_label = t(f"台帳の「{SETTINGS_SHEET}」「{AREAS_SHEET}」シート", f"the ledger's {SETTINGS_SHEET} / {AREAS_SHEET} sheets")
    report = UpgradeReport(version, TEMPLATE_VERSION, settings_label or settings.organisation)

    new = build_template(settings)
    ours = {fold(n) for n in (SETTINGS_SHEET, AREAS_SHEET, INSTRUCTIONS_SHEET)}
    claimed: set[str] = set()
    carried: list[_Carried] = []
    for layout in RECORD_SHEETS:
        source = _find_sheet(old, layout)
        if source is None:
            report.sheets.append(SheetCarry(layout.name, None))
            if layout.name != STAFF.name:
                report.sheets_added.append(layout.name)
            continue
        claimed.add(source.title)
        carry = SheetCarry(layout.name, source.title)
        carried += _carry_sheet(source, new[layout.name], layout, carry, computed_columns(version.version, layout))
        report.sheets.append(carry)
    if _find_sheet(old, STAFF) is None:
        report.staff_added = _fill_staff(new)
        report.sheets_added.append(STAFF.name)
    for title in old.sheetnames:
        if fold(title) in ours:
            claimed.add(title)
            report.sheets_dropped.append(title)
    if not any(fold(t_) == fold(INSTRUCTIONS_SHEET) for t_ in old.sheetnames):
        report.sheets_added.insert(0, INSTRUCTIONS_SHEET)

    # Generated and the staff's own sheets, in their old order, after the template's.
    findings_in_template = FINDINGS_SHEET in new.sheetnames
    for ws in old.worksheets:
        if ws.title in claimed:
            continue
        if ws.title == FEE_SUMMARY_SHEET or (ws.title == FINDINGS_SHEET and findings_in_template):
            continue  # recomputed below, on the new workbook
        title = ws.title
        if title in new.sheetnames:  # the staff's sheet has a name the new template uses
            title = _free_title(new, f"{title}(旧)")
            report.warnings.append((f"シート「{ws.title}」は新しいテンプレートのシートと同じ名前のため「{title}」にしました",
                                    f"the sheet '{ws.title}' clashes with a template sheet; renamed '{title}'"))
        copy_sheet(ws, new.create_sheet(title))
        report.sheets_kept.append(title)
    for chart in getattr(old, "chartsheets", []):
        report.warnings.append((f"グラフシート「{chart.title}」は引き継げません。新しい台帳で作り直してください",
                                f"the chart sheet '{chart.title}' cannot be carried; recreate it"))
    if package is not None:
        report.warnings += _uncarried_parts(package)

    return Carried(new, report, carried, findings_in_template and FINDINGS_SHEET in old.sheetnames)


def _free_title(wb: Workbook, title: str) -> str:
    title, base, n = title[:31], title[:28], 2
    while title in wb.sheetnames:
        title, n = f"{base}({n})", n + 1
    return title


def _find_sheet(wb: Workbook, layout: SheetLayout) -> Worksheet | None:
    wanted = [fold(n) for n in (layout.name, *layout.aliases)]
    for name in wanted:  # the current name first, then the aliases in order
        for ws in wb.worksheets:
            if fold(ws.title) == name:
                return ws
    if layout.name == CONTACTS.name:  # renamed (連絡先 (2), 連絡先（非公開）, Contacts): found by name or headers
        from .contacts import first_row, is_contacts_sheet

        others = {fold(n) for lay in RECORD_SHEETS if lay is not CONTACTS for n in (lay.name, *lay.aliases)}
        for ws in wb.worksheets:
            if fold(ws.title) not in others and is_contacts_sheet(ws.title, first_row(ws)) and \
                    "ケースID" in {fold(h) for h in first_row(ws) if h}:
                return ws
    return None


def _match(layout: SheetLayout, header: Any) -> Column | None:
    text = fold(header)
    if not text:
        return None
    for col in layout.columns:
        if text in {fold(h) for h in (col.header, *col.aliases)}:
            return col
    return None


def _table_span(ws: Worksheet) -> tuple[int, int]:
    """(first, last) 1-based columns of the record table: the Excel table at A1, else row 1's headers."""
    from openpyxl.utils import range_boundaries

    for table in ws.tables.values():
        min_col, min_row, max_col, _ = range_boundaries(table.ref)
        if min_row == 1 and min_col == 1:
            return 1, max_col
    # A plain range: the headers from A up to the first empty header cell; what lies past that gap
    # (a note, a banner) sits beside the table.
    last = 0
    for cell in next(ws.iter_rows(min_row=1, max_row=1), ()):
        if cell.value is None or not str(cell.value).strip():
            break
        last = cell.column
    return 1, last


def _carry_sheet(src: Worksheet, dst: Worksheet, layout: SheetLayout, carry: SheetCarry,
                 computed_known: frozenset[str]) -> list[_Carried]:
    """Copy one record sheet's rows under the current headers; the cells copied, for the final check.

    ``computed_known``: the computed columns the old version wrote (recomputed, not copied).
    """
    from openpyxl.cell.cell import MergedCell
    from openpyxl.utils import get_column_letter

    first, last = _table_span(src)
    width = len(layout.columns)
    target: dict[int, int] = {}  # old column -> new column (1-based); absent: computed, recomputed
    used: set[str] = set()
    extra_headers: list[tuple[int, str]] = []
    for c in range(first, last + 1):
        header = src.cell(1, c).value
        col = _match(layout, header)
        if col is not None and col.computed and col.key not in computed_known:
            # The old version had no such computed column: staff typed these values (fees by hand).
            # They are kept as the staff's own column, beside the recomputed one.
            col, header = None, f"{str(header).strip()}(旧)"
        if col is not None and col.key not in used:
            used.add(col.key)
            if col.computed:
                carry.recomputed.append(str(header).strip())
                continue
            target[c] = layout.columns.index(col) + 1
            if str(header).strip() != col.header:
                carry.renamed.append((str(header).strip(), col.header))
            continue
        has_data = any(src.cell(r, c).value is not None for r in range(2, src.max_row + 1))
        if header is None or not str(header).strip():
            if not has_data:
                continue  # an empty column inside the table
            header = f"列{get_column_letter(c)}"
        extra_headers.append((c, str(header).strip()))
    carry.added = [c.header for c in layout.columns if c.key not in used and not c.computed]
    # The staff's own columns go right of the current ones, under unique headers (a table needs them).
    names = {fold(c.header) for c in layout.columns}
    for i, (c, header) in enumerate(extra_headers):
        name, n = header, 2
        while fold(name) in names:
            name, n = f"{header}({n})", n + 1
        names.add(fold(name))
        target[c] = width + i + 1
        carry.extra.append(name if name == header else f"{header} → {name}")
        _copy_header(src.cell(1, c), dst, width + i + 1, name)
        dst.column_dimensions[get_column_letter(width + i + 1)].width = src.column_dimensions[get_column_letter(c)].width or 12

    protos = {col: dst.cell(2, col)._style for col in range(1, width + 1)}  # the template's body row
    formats = {layout.columns.index(col) + 1: col.kind for col in layout.columns}
    carried: list[_Carried] = []
    new_row = 1
    for r in range(2, src.max_row + 1):
        cells = [(c, src.cell(r, c)) for c in range(first, last + 1) if c in target]
        if all(cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()) for _, cell in cells):
            continue
        new_row += 1
        for c, cell in cells:
            if isinstance(cell, MergedCell):
                continue
            col = target[c]
            out = dst.cell(new_row, col)
            if col <= width:
                out._style = copy(protos[col])
                if formats[col] not in ("date", "time", "datetime", "yen", "ratio") and cell.number_format != "General":
                    out.number_format = cell.number_format  # e.g. a date typed in a text column stays a date
            else:
                _copy_style(cell, out)
            _copy_value(cell, out)
            if cell.value is not None and not (isinstance(cell.value, str) and not cell.value.strip()):
                carried.append(_Carried(dst.title, f"{src.title}!{cell.coordinate}", new_row, col, cell.value))
    carry.rows = new_row - 1
    if carry.rows == 0:
        new_row = 2  # the table keeps its one empty body row
    last_col = width + len(extra_headers)
    for table in dst.tables.values():
        table.ref = f"A1:{get_column_letter(last_col)}{new_row}"
    carry.side_cells = _copy_side_cells(src, dst, last, last_col)
    return carried


def _copy_side_cells(src: Worksheet, dst: Worksheet, old_last: int, new_last: int) -> int:
    """Cells right of the old table (notes, a banner) go to the same offset right of the new one."""
    from openpyxl.cell.cell import MergedCell

    count = 0
    for row in src.iter_rows(min_col=old_last + 1):
        for cell in row:
            if isinstance(cell, MergedCell) or cell.value is None:
                continue
            col = new_last + (cell.column - old_last)
            while dst.cell(cell.row, col).value not in (None, cell.value):
                col += 1  # never over something the template put there
            out = dst.cell(cell.row, col)
            if out.value == cell.value:
                continue  # the template draws it already (連絡先's confidential banner)
            _copy_style(cell, out)
            _copy_value(cell, out)
            count += 1
    return count


def _copy_value(cell: Any, out: Any) -> None:
    out.value = cell.value
    if cell.data_type == "s" and isinstance(cell.value, str) and cell.value.startswith("="):
        out.data_type = "s"  # text typed like a formula stays text
    if cell.comment is not None:
        from openpyxl.comments import Comment

        out.comment = Comment(cell.comment.text, cell.comment.author or "", width=cell.comment.width,
                              height=cell.comment.height)
    if cell.hyperlink is not None:
        out.hyperlink = copy(cell.hyperlink)


def _copy_style(cell: Any, out: Any) -> None:
    if cell.has_style:
        out.font = copy(cell.font)
        out.fill = copy(cell.fill)
        out.border = copy(cell.border)
        out.alignment = copy(cell.alignment)
        out.protection = copy(cell.protection)
        out.number_format = cell.number_format


def _copy_header(cell: Any, dst: Worksheet, col: int, name: str) -> None:
    """A staff column's header, styled like the template's headers."""
    out = dst.cell(1, col)
    out._style = copy(dst.cell(1, 1)._style)
    out.value = name


def copy_sheet(src: Worksheet, dst: Worksheet) -> None:
    """Values, formats, merged cells, sizes, tables, drop-downs and print settings of a sheet."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.worksheet.table import Table

    for row in src.iter_rows():
        for cell in row:
            if isinstance(cell, MergedCell) or (cell.value is None and not cell.has_style and cell.comment is None):
                continue
            out = dst.cell(cell.row, cell.column)
            _copy_style(cell, out)
            _copy_value(cell, out)
    for rng in src.merged_cells.ranges:
        dst.merge_cells(str(rng))
    for key, dim in src.column_dimensions.items():
        new = dst.column_dimensions[key]
        new.width, new.hidden = dim.width, dim.hidden
        if dim.min and dim.max:
            new.min, new.max = dim.min, dim.max
    for key, dim in src.row_dimensions.items():
        new = dst.row_dimensions[key]
        new.height, new.hidden = dim.height, dim.hidden
    dst.freeze_panes = src.freeze_panes
    dst.sheet_state = src.sheet_state
    dst.sheet_properties.tabColor = copy(src.sheet_properties.tabColor)
    dst.sheet_properties.pageSetUpPr = copy(src.sheet_properties.pageSetUpPr)
    dst.sheet_view.showGridLines = src.sheet_view.showGridLines
    for attr in ("orientation", "paperSize", "scale", "fitToHeight", "fitToWidth", "firstPageNumber",
                 "useFirstPageNumber", "pageOrder", "blackAndWhite", "draft", "cellComments", "errors", "copies"):
        setattr(dst.page_setup, attr, getattr(src.page_setup, attr))
    dst.print_options = copy(src.print_options)
    dst.page_margins = copy(src.page_margins)
    dst.HeaderFooter = copy(src.HeaderFooter)
    if src.print_title_rows:
        dst.print_title_rows = src.print_title_rows
    if src.print_title_cols:
        dst.print_title_cols = src.print_title_cols
    if src.print_area:
        dst.print_area = [ref.split("!")[-1] for ref in src.print_area.split(",")]
    if src.auto_filter.ref:
        dst.auto_filter.ref = src.auto_filter.ref
    for dv in src.data_validations.dataValidation:
        dst.add_data_validation(copy(dv))
    for rng in src.conditional_formatting:
        for rule in rng.rules:
            dst.conditional_formatting.add(str(rng.sqref), copy(rule))
    taken = {t.displayName for ws in dst.parent.worksheets for t in ws.tables.values()}
    for table in src.tables.values():
        name, n = table.displayName, 2
        while name in taken:  # a table name the template uses (連絡先表 on a renamed contacts sheet)
            name, n = f"{table.displayName}_{n}", n + 1
        taken.add(name)
        new_table = Table(displayName=name, ref=table.ref)
        new_table.tableStyleInfo = copy(table.tableStyleInfo)
        dst.add_table(new_table)


def _fill_staff(new: Workbook) -> list[str]:
    """The names used in 担当支援員 (ケース and 面会記録), one row each on the new 支援員 sheet."""
    from .cells import set_value

    names: dict[str, str] = {}
    for layout in (CASES, VISITS):
        ws = new[layout.name]
        col = [c.key for c in layout.columns].index("staff") + 1
        for r in range(2, ws.max_row + 1):
            value = ws.cell(r, col).value
            if not isinstance(value, str):
                continue
            for part in re.split(r"[、,，・/／]+", value):
                name = part.strip()
                if name and fold(name) not in names:
                    names[fold(name)] = name
    ws = new[STAFF.name]
    proto = ws.cell(2, 1)._style
    for i, name in enumerate(names.values(), start=2):
        out = ws.cell(i, 1)
        out._style = copy(proto)
        set_value(out, name)
    if names:
        from openpyxl.utils import get_column_letter

        for table in ws.tables.values():
            table.ref = f"A1:{get_column_letter(len(STAFF.columns))}{len(names) + 1}"
    return list(names.values())


def _uncarried_parts(package: bytes) -> list[tuple[str, str]]:
    """Charts, pictures and pivot tables of the old file: openpyxl does not carry them."""
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile:
        return []
    found = []
    for prefix, ja, en in (("xl/charts/", "グラフ", "charts"), ("xl/media/", "画像", "pictures"),
                           ("xl/pivotTables/", "ピボットテーブル", "pivot tables")):
        n = sum(1 for name in names if name.startswith(prefix) and not name.endswith("/"))
        if n:
            found.append((f"元の台帳の{ja}（{n} 個）は引き継げません。元の台帳から新しい台帳へ手で写してください",
                          f"the old ledger's {en} ({n}) cannot be carried; copy them by hand"))
    return found


def verify_carried(new: Workbook, carried: list[_Carried]) -> int:
    """Every carried input cell holds its old value in the new workbook; else nothing may be written."""
    for item in carried:
        got = new[item.sheet].cell(item.new_row, item.new_col).value
        if got != item.value:
            raise UserError(f"内部エラー: {item.old_ref} の値が新しい台帳に正しく移りませんでした。何も書き込んでいません。"
                            "この表示を開発者に知らせてください",
                            f"internal error: the value of {item.old_ref} did not arrive in the new ledger; nothing "
                            "was written. Please report this")
    return len(carried)
