"""The ledger workbook (案件台帳): a fresh template, or one filled with sample records.

Everything is drawn from ``domain/layout.py`` (sheets, headers, kinds, widths, computed columns) and the
organisation's settings (support types for the drop-downs, the ``設定`` and ``区域`` sheets):

* ``使い方`` (how to use the workbook), then the record sheets ケース, 連絡先, 子ども, 面会記録, 支援員, then
  設定 and 区域;
* each record sheet is an Excel table (ListObject) named per the layout, striped, with a styled and
  frozen header row, drop-downs for every choice and ○/× column, the support types of the settings
  and the staff names of 支援員, and number formats for dates, times and yen;
* computed fee columns are grey and their headers carry the note "自動計算 — 入力しないでください";
* 連絡先 is marked as confidential (red tab, a banner beside the table, the print header);
* an empty ``チェック結果`` sheet (the ribbon's 入力チェック fills it) whose last two columns list the cells
  with errors and with warnings as ``面会記録!H33``; conditional formats on the data area of every sheet
  the checks read colour a cell red / yellow while its address is listed there, so highlights come and go
  without anything being written into the cells staff type in (the defined names ``xlsbridge_error_cells``
  and ``xlsbridge_warning_cells`` point at the two columns);
* the template version is in a defined name and in the custom document properties.

:func:`save_workbook_deterministic` writes the same bytes for the same workbook: openpyxl stamps the
current time into the file, which is replaced by a fixed timestamp, and the zip entries get a fixed date.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..domain.settings import Settings
from ..domain.layout import (
    CONTACTS,
    FINDINGS_SHEET,
    RECORD_SHEETS,
    STAFF,
    TEMPLATE_VERSION,
    TEMPLATE_VERSION_NAME,
    Column,
    SheetLayout,
)
from .codecs import BOOL_CHOICES
from .print_setup import apply_openpyxl, ledger_font, use_ledger_font
from .settings_sheet import write_settings_sheets

if TYPE_CHECKING:
    from openpyxl import Workbook


class LedgerSample(Protocol):
    """Records to put in the record sheets (samples/generate.SampleRecords is one): sheet name ->
    rows, each a mapping of layout column key -> model value.  io/ does not import samples/."""

    sheets: Mapping[str, Sequence[Mapping[str, Any]]]

INSTRUCTIONS_SHEET = "使い方"
STAFF_LIST_NAME = "支援員一覧"
COMPUTED_NOTE = "自動計算 — 入力しないでください"
CONFIDENTIAL = "個人情報: 印刷・共有しない"
TABLE_STYLE = "TableStyleMedium2"
# The committed workbooks must be byte-reproducible: this stands in for "now" in the file.
FIXED_TIMESTAMP = datetime(2026, 3, 1, 0, 0, 0)
MAX_ROW = 1048576

NUMBER_FORMATS = {
    "date": "yyyy/m/d",
    "time": "h:mm",
    "datetime": "yyyy/m/d h:mm",
    "yen": "#,##0",
    "ratio": "@",  # "1:1" typed into a General cell would become a time of day
}
HEADER_FILL = "1F4E78"
COMPUTED_HEADER_FILL = "595959"
COMPUTED_FILL = "D9D9D9"
CONFIDENTIAL_FILL = "C00000"

# The チェック結果 sheet (filled by 入力チェック and validate --annotate, services/outputs.findings_rows): headers in
# row 1; the last two columns list "<sheet>!<cell>" of every error / warning, and the record sheets'
# conditional formats look the cell being drawn up there through these two defined names.
FINDINGS_HEADERS = ("重大度", "セル", "内容", "入力値", "ケース/記録ID", "コード", "シート", "",
                    "エラーのセル", "警告のセル")
FINDINGS_WIDTHS = (8, 16, 80, 16, 12, 24, 10, 2, 16, 16)
ERROR_CELLS_COLUMN = "I"
WARNING_CELLS_COLUMN = "J"
ERROR_CELLS_NAME = "xlsbridge_error_cells"
WARNING_CELLS_NAME = "xlsbridge_warning_cells"
ERROR_HIGHLIGHT = ("FFC7CE", "9C0006")  # fill, font: Excel's "light red fill with dark red text"
WARNING_HIGHLIGHT = ("FFEB9C", "9C5700")  # Excel's "yellow fill with dark yellow text"
HIGHLIGHT_NOTE = "入力チェックが書き込む列です。ここに載ったセルが各シートで赤（エラー）・黄（警告）になります"

Progress = Callable[[str, int, int], None]  # (sheet, rows written, rows in the sheet)


def support_type_labels(settings: Settings) -> dict[str, str]:
    """Support type key -> Japanese label, over every schedule (the latest label wins)."""
    labels: dict[str, str] = {}
    for schedule in sorted(settings.schedules, key=lambda s: s.effective_from):
        for st in schedule.support_types:
            labels[st.key] = st.label_ja
    return {key: labels[key] for key in settings.support_type_keys}


def build_template(settings: Settings, *, sample: LedgerSample | None = None,
                   progress: Progress | None = None) -> Workbook:
    """A ledger workbook for ``settings``: empty, or holding ``sample``'s records."""
    from openpyxl import Workbook
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.workbook.defined_name import DefinedName

    wb = Workbook()
    use_ledger_font(wb)  # 游ゴシック for every cell, as the plan sheet (not openpyxl's Calibri)
    wb.remove(wb.active)
    _instructions(wb.create_sheet(INSTRUCTIONS_SHEET), settings)
    labels = support_type_labels(settings)
    for layout in RECORD_SHEETS:
        rows = sample.sheets.get(layout.name, []) if sample is not None else []
        _record_sheet(wb, layout, rows, labels, progress)
    write_settings_sheets(wb, settings, template_version=TEMPLATE_VERSION)
    findings_sheet_layout(wb.create_sheet(FINDINGS_SHEET))
    for name, letter in ((ERROR_CELLS_NAME, ERROR_CELLS_COLUMN), (WARNING_CELLS_NAME, WARNING_CELLS_COLUMN)):
        wb.defined_names[name] = DefinedName(name, attr_text=f"'{FINDINGS_SHEET}'!${letter}:${letter}")

    wb.defined_names[TEMPLATE_VERSION_NAME] = DefinedName(TEMPLATE_VERSION_NAME, attr_text=f'"{TEMPLATE_VERSION}"')
    staff_col = _letter(STAFF.columns.index(STAFF.column("name")))
    wb.defined_names[STAFF_LIST_NAME] = DefinedName(
        STAFF_LIST_NAME,
        attr_text=f"OFFSET('{STAFF.name}'!${staff_col}$2,0,0,MAX(1,COUNTA('{STAFF.name}'!${staff_col}:${staff_col})-1),1)",
    )
    wb.custom_doc_props.append(StringProperty(name=TEMPLATE_VERSION_NAME, value=TEMPLATE_VERSION))
    wb.custom_doc_props.append(StringProperty(name="xlsbridge_organisation", value=settings.organisation))
    props = wb.properties
    props.title = "案件台帳"
    props.subject = "面会交流支援 案件台帳"
    props.creator = props.lastModifiedBy = "xlsbridge"
    props.created = props.modified = FIXED_TIMESTAMP
    wb.active = 0
    return wb


# --------------------------------------------------------------------------------------------------
# Record sheets
# --------------------------------------------------------------------------------------------------


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _converter(column: Column, labels: Mapping[str, str]) -> Callable[[Any], Any]:
    """Model value (as in the sample rows) -> what the cell holds."""
    if column.key == "support_type":
        return lambda v: labels.get(v, v)
    if column.kind == "bool":
        return lambda v: None if v is None else ("○" if v else "×")
    if column.kind == "choice":
        reverse = {model: text for text, model in column.choices.items()}
        return lambda v: reverse.get(v, v)
    return lambda v: v


def _record_sheet(wb: Workbook, layout: SheetLayout, rows: Sequence[Mapping[str, Any]],
                  labels: Mapping[str, str], progress: Progress | None) -> None:
    from openpyxl.cell.cell import Cell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.table import Table, TableStyleInfo

    ws = wb.create_sheet(layout.name)
    columns = layout.columns
    white_bold = ledger_font(bold=True, color="FFFFFF")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for c, col in enumerate(columns, start=1):
        cell = ws.cell(1, c, col.header)
        cell.font = white_bold
        cell.alignment = centre
        cell.fill = PatternFill("solid", fgColor=COMPUTED_HEADER_FILL if col.computed else HEADER_FILL)
        note = COMPUTED_NOTE if col.computed else col.help_ja
        if note:
            cell.comment = Comment(note, "xlsbridge", width=220, height=60)
        dim = ws.column_dimensions[_letter(c - 1)]
        dim.width = col.width
        if col.kind in NUMBER_FORMATS:
            dim.number_format = NUMBER_FORMATS[col.kind]
        if col.computed:
            dim.fill = PatternFill("solid", fgColor=COMPUTED_FILL)
    ws.row_dimensions[1].height = 30

    # One prototype cell per column carries its data style; each data cell gets a copy (Cell copies it).
    protos = []
    for c, col in enumerate(columns, start=1):
        proto = Cell(ws, row=2, column=c)
        if col.kind in NUMBER_FORMATS:
            proto.number_format = NUMBER_FORMATS[col.kind]
        if col.computed:
            proto.fill = PatternFill("solid", fgColor=COMPUTED_FILL)
        protos.append(proto._style)
    converters = [_converter(col, labels) for col in columns]
    keys = [col.key for col in columns]
    cells = ws._cells
    total = len(rows)
    step = max(1000, total // 20)
    for i, record in enumerate(rows):
        r = i + 2
        for c, key in enumerate(keys):
            value = record.get(key)
            if value is None:
                continue
            value = converters[c](value)
            cell = Cell(ws, row=r, column=c + 1, value=value, style_array=protos[c])
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text typed like a formula stays text
            cells[(r, c + 1)] = cell
        if progress is not None and (i + 1) % step == 0:
            progress(layout.name, i + 1, total)
    if progress is not None and total:
        progress(layout.name, total, total)
    if not rows:
        # The table needs a body row: give it one empty row, styled like data.
        for c in range(len(columns)):
            cells[(2, c + 1)] = Cell(ws, row=2, column=c + 1, style_array=protos[c])

    last_row = max(len(rows), 1) + 1
    table = Table(displayName=layout.table, ref=f"A1:{_letter(len(columns) - 1)}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True, showColumnStripes=False,
                                          showFirstColumn=False, showLastColumn=False)
    ws.add_table(table)
    _validations(ws, layout, labels)
    if layout.name != CONTACTS.name:  # the checks never read 連絡先, so no finding ever points there
        _highlight_rules(ws, layout)
    leading_ids = next((i for i, col in enumerate(columns) if not col.key.endswith("_id")), 0)
    ws.freeze_panes = f"{_letter(leading_ids)}2"
    apply_openpyxl(ws)  # io/print_setup.py: the header (and the IDs) on every page
    if layout.name == CONTACTS.name:
        _mark_confidential(ws, len(columns))


def _validations(ws: Any, layout: SheetLayout, labels: Mapping[str, str]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    groups: dict[tuple[str, str], list[str]] = {}
    for c, col in enumerate(layout.columns):
        if col.computed:
            continue
        if col.key == "support_type":
            choices = tuple(labels.values())
        elif col.kind == "bool":
            choices = BOOL_CHOICES
        elif col.kind == "choice":
            choices = tuple(col.choices)
        elif col.key == "staff":
            groups.setdefault(("staff", STAFF_LIST_NAME), []).append(_letter(c))
            continue
        else:
            continue
        groups.setdefault(("list", '"' + ",".join(choices) + '"'), []).append(_letter(c))
    for (kind, formula), letters in groups.items():
        if kind == "staff":
            # Several staff may share a visit ("山田 花子・佐藤 健"): offer the list, allow other text.
            dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False,
                                showInputMessage=True, promptTitle="担当支援員",
                                prompt="支援員シートの氏名から選びます。複数は「・」で区切って入力できます")
        else:
            shown = formula.strip('"').replace(",", " / ")
            dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                errorStyle="warning", errorTitle="一覧にない値", error=f"一覧から選んでください: {shown}")
        for letter in letters:
            dv.add(f"{letter}2:{letter}{MAX_ROW}")
        ws.add_data_validation(dv)
    computed = [_letter(c) for c, col in enumerate(layout.columns) if col.computed]
    if computed:
        dv = DataValidation(showInputMessage=True, promptTitle="自動計算", allow_blank=True,
                            prompt="料金計算（xlsbridge fees）が書き込む列です。入力しないでください")
        for letter in computed:
            dv.add(f"{letter}2:{letter}{MAX_ROW}")
        ws.add_data_validation(dv)


def highlight_formula(names_cells: str, sheet: str) -> str:
    """True while the cell being drawn is listed as ``<sheet>!<cell>`` in the column ``names_cells``.

    ``ADDRESS(ROW(),COLUMN(),4)`` is the drawn cell's own relative address ("H33"), so one rule covers
    the whole data area.  The sheet is the layout's name, a constant in the rule, and the findings
    sheet writes the layout's name too: a tab the reader accepts under another spelling ("面会記録 ")
    still matches.  Excel allows defined names that point at another sheet in a rule (Excel 2007
    allowed nothing else); LibreOffice renders the same rule (tests/excel/test_excel_entrypoints.py).
    """
    return f'COUNTIF({names_cells},"{sheet}!"&ADDRESS(ROW(),COLUMN(),4))>0'


def _highlight_rules(ws: Any, layout: SheetLayout) -> None:
    """Errors red, then warnings yellow, over the header and data area (a duplicate header is a finding)."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    area = f"A1:{_letter(len(layout.columns) - 1)}{MAX_ROW}"
    for name, (fill, font) in ((ERROR_CELLS_NAME, ERROR_HIGHLIGHT), (WARNING_CELLS_NAME, WARNING_HIGHLIGHT)):
        rule = FormulaRule(formula=[highlight_formula(name, layout.name)], stopIfTrue=True,
                           fill=PatternFill("solid", start_color=fill, end_color=fill), font=Font(color=font))
        ws.conditional_formatting.add(area, rule)


def findings_sheet_layout(ws: Any) -> None:
    """An empty チェック結果 with its headers, so the two defined names resolve before the first check."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    for c, (header, width) in enumerate(zip(FINDINGS_HEADERS, FINDINGS_WIDTHS), start=1):
        cell = ws.cell(1, c, header or None)
        if header:
            cell.font = ledger_font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[_letter(c - 1)].width = width
    for letter in (ERROR_CELLS_COLUMN, WARNING_CELLS_COLUMN):
        ws[f"{letter}1"].comment = Comment(HIGHLIGHT_NOTE, "xlsbridge", width=220, height=80)
    ws.freeze_panes = "A2"
    apply_openpyxl(ws)  # the findings only, on one page across; empty: one page


def _mark_confidential(ws: Any, width: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws.sheet_properties.tabColor = CONFIDENTIAL_FILL
    col = width + 2  # one empty column between the table and the banner
    banner = ws.cell(1, col, CONFIDENTIAL)
    banner.font = ledger_font(bold=True, color="FFFFFF", size=12)
    banner.fill = PatternFill("solid", fgColor=CONFIDENTIAL_FILL)
    banner.alignment = Alignment(horizontal="center", vertical="center")
    lines = ("住所・電話・メールは支援の連絡のためだけに使います。",
             "計画書・料金明細・相手方の親に渡す書類には載せません。",
             "このシートを印刷・転送しないでください。")
    for r, line in enumerate(lines, start=2):
        ws.cell(r, col, line).font = ledger_font(bold=True, color=CONFIDENTIAL_FILL)
    ws.column_dimensions[_letter(col - 1)].width = 46
    for part in (ws.oddHeader.center, ws.evenHeader.center, ws.firstHeader.center):
        part.text = CONFIDENTIAL
        part.color = CONFIDENTIAL_FILL


# --------------------------------------------------------------------------------------------------
# 使い方
# --------------------------------------------------------------------------------------------------


def _instructions(ws: Any, settings: Settings) -> None:
    from openpyxl.styles import Alignment, Font

    types = "、".join(support_type_labels(settings).values())
    lines: list[tuple[str, str]] = [
        ("title", f"案件台帳（面会交流支援）— {settings.organisation}"),
        ("note", f"テンプレート版 {TEMPLATE_VERSION}。このシートは説明だけです。入力は各シートの表にします。"),
        ("head", "シート"),
        ("text", "ケース — 1行に1ケース。申込日、父母の事前面談日・契約日、更新回数、負担割合、援助内容、国の事業かどうか。"),
        ("text", "連絡先 — 父母の住所・電話・メール。個人情報です。印刷・共有せず、他の書類に写さないでください。"),
        ("text", "子ども — 1行に1人。ケースID、氏名、生年月日、性別、居住都道府県。"),
        ("text", "面会記録 — 1行に1回の面会（予定・実施・中止）。灰色の列は料金計算が書き込む列です。"),
        ("text", "支援員 — 担当支援員の氏名。ここにある氏名が「担当支援員」の選択肢になります。"),
        ("text", "設定・区域 — 料金表・規則・区域（交通費）。管理者が編集します（書き方は docs/settings-sheet.md）。"),
        ("head", "入力のきまり"),
        ("text", "日付は 2025/6/14、R7.6.14、令和7年6月14日 のどれでも入力できます。全角数字も読めます。"),
        ("text", "時刻は 14:00、日時（中止連絡日時）は 2025/6/13 11:30 のように日付と時刻の両方を入力します。"),
        ("text", "○/× の列は一覧から ○ か × を選びます（一覧にない はい/いいえ は Excel が受け付けません。以前に入力した はい/いいえ は xlsbridge が読めます）。選択肢の列も一覧から選びます。"),
        ("text", f"支援類型: {types}。延長は延長(分)に分で入力し、事前に相談したら延長事前相談を ○ にします。"),
        ("text", "負担割合は 父:母 で入力します（例 1:1、60:40、1:0）。空欄は 1:1 です。"),
        ("text", "面会場所は団体が指定する場所（児童館など）にします。親の自宅は使えません。"),
        ("text", "中止した面会は、状態を「中止」にし、中止連絡日時と中止者（父/母/団体）を必ず入力します。"),
        ("text", "行を追加するときは表のすぐ下の行に入力します（表が自動で広がり、選択肢と書式も引き継がれます）。"),
        ("head", "チェックと計算"),
        ("text", "リボンの「入力チェック」、または xlsbridge validate 台帳.xlsx で入力の誤りをセル番地つきで表示します。"),
        ("text", "入力チェックの結果は「チェック結果」シートに一覧になり、該当するセルが赤（エラー）・黄（警告）になります。"
                 "直してもう一度「入力チェック」を押すと色が消えます。"),
        ("text", "「料金計算」で面会記録の灰色の列（基本料金〜内訳）を計算します。灰色の列には入力しないでください。"),
        ("text", "「期限・年齢チェック」で契約更新・中学進学・見直し・未入金を一覧にします。"),
        ("text", "「計画書作成」で親子交流支援計画書（A4）を作ります。計画書には住所・電話は載りません。"),
    ]
    styles = {"title": ledger_font(bold=True, size=16), "head": ledger_font(bold=True, size=12, color=HEADER_FILL),
              "note": ledger_font(italic=True, color="595959"), "text": ledger_font(size=11)}
    for r, (kind, text) in enumerate(lines, start=1):
        cell = ws.cell(r, 1, text)
        cell.font = styles[kind]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 100
    ws.row_dimensions[1].height = 26
    ws.sheet_view.showGridLines = False
    apply_openpyxl(ws)


# --------------------------------------------------------------------------------------------------
# Deterministic save
# --------------------------------------------------------------------------------------------------

_ZIP_DATE = FIXED_TIMESTAMP.timetuple()[:6]
_W3CDTF = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _zip_entry(name: str) -> zipfile.ZipInfo:
    fixed = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    fixed.compress_type = zipfile.ZIP_DEFLATED
    fixed.create_system = 0
    fixed.external_attr = 0
    return fixed


def workbook_bytes(wb: Workbook, *, lite_requirements: str | None = None) -> bytes:
    """The .xlsx bytes of ``wb``, identical for identical content (fixed timestamps, fixed zip dates),
    with the xlwings Lite part (io/lite_part.py): requirements.txt naming xlsbridge, or
    ``lite_requirements`` (e.g. the URL of the admin's wheel), and main.py's one import."""
    from .lite_part import default_requirements, part_files, with_lite_part

    wb.properties.created = wb.properties.modified = FIXED_TIMESTAMP
    from .print_setup import name_every_font
    from .workbook_io import save_in_memory

    name_every_font(wb)  # a bold or coloured font written without a name is the ledger's font too

    raw = io.BytesIO(save_in_memory(wb))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(lambda m: m[1] + _W3CDTF.encode() + m[3], data)
            dst.writestr(_zip_entry(info.filename), data, compresslevel=6)
    return with_lite_part(out.getvalue(), part_files(default_requirements(lite_requirements)), zip_entry=_zip_entry)


def check_new_workbook_path(path: Path, *, force: bool) -> None:
    """Refuse a path a new workbook cannot be written to: not .xlsx, existing (without ``force``), in a
    missing folder, or open in Excel."""
    from .safe_write import check_out_target

    check_out_target(path, suffixes=(".xlsx",), force=force)


def save_workbook_deterministic(wb: Workbook, path: Path | str, *, lite_requirements: str | None = None) -> None:
    """Write ``wb`` to ``path`` byte-reproducibly, through a temporary file and one rename."""
    from .safe_write import atomic_write

    path = Path(path)
    data = workbook_bytes(wb, lite_requirements=lite_requirements)
    existed = path.exists()
    atomic_write(path, lambda tmp: tmp.write_bytes(data))
    if not existed:
        # The temporary file was private (0600); a new workbook gets the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(path, 0o666 & ~umask)

