"""Drawing the 親子交流支援計画書 on a worksheet: A4 portrait, one page wide, the official order.

The content comes from domain/plan.py (pure); this module only lays it out.  The 支援経過 table
grows with the case's visits and continues on further pages, its header repeated on each page.

Drawing is on openpyxl worksheets.  Each kind of cell style is built once per workbook and copied to
the other cells of that kind, and the form's merges are recorded directly: `plan --all` on a large
ledger draws thousands of sheets, and building fonts and borders cell by cell was most of its time.
A plan drawn INTO the ledger (`plan` without --out, usually one case) still loads and saves the whole
ledger with openpyxl (services/outputs.write_plans through io/sinks.OpenpyxlSink), unlike `fees` and `flags`, which patch the
ledger file with io/xlsx: what openpyxl does not model in the ledger is lost on that path.
"""

from __future__ import annotations

import copy
import re
import weakref
from datetime import date

from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from ..domain.plan import CHILDREN_LABEL, PlanSheet
from ..domain.settings import PlanProfile
from .cells import set_value

FONT = "游ゴシック"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
# Every font and alignment the form uses, made once: openpyxl hashes a style object on every
# assignment, and building them per cell was most of the time of `plan --all` on a large ledger.
_FONTS: dict[tuple[float, bool], Font] = {}
_ALIGNMENTS = {h: Alignment(horizontal=h, vertical="center", wrap_text=True) for h in ("left", "center", "right")}
# Eight columns, ~ 92 characters wide in all: fits A4 portrait with 1.5 cm margins at 100 %.
WIDTHS = (14, 12, 12, 10, 8, 12, 10, 14)
# The national form's rows (the default plan-sheet profile); a profile may ask for more.
MIN_CHILD_ROWS = PlanProfile().min_child_rows
MIN_PROGRESS_ROWS = PlanProfile().min_progress_rows


# Characters Excel refuses in a sheet name, each to its own full-width form: K/0022, K:0022 and
# K*0022 stay three sheets (the reader folds full-width IDs to these, so no ID holds the forms).
_SHEET_SAFE = str.maketrans({"/": "／", "\\": "＼", "?": "？", "*": "＊", "[": "［", "]": "］", ":": "：", "'": "’"})


def plan_sheet_name(case_id: str) -> str:
    """A sheet name Excel accepts (≤ 31 characters, none of []:*?/\\ nor control characters, which
    would also make the workbook's XML unwritable), derived from the case ID, one per case ID: the
    refused characters become their full-width forms, and a name cut to 31 characters ends in a
    short digest of the whole ID."""
    import hashlib

    safe = re.sub(r"[\x00-\x1f\x7f\ufffe\uffff]", "_", case_id.translate(_SHEET_SAFE)).strip() or "ケース"
    name = f"計画書_{safe}"
    if len(name) > 31:
        name = f"{name[:24]}~{hashlib.sha1(case_id.encode('utf-8', 'surrogatepass')).hexdigest()[:6]}"
    return name


def tick(on: bool) -> str:
    return "☑" if on else "☐"


def draw_plan(ws: Worksheet, plan: PlanSheet) -> None:
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    r = 1
    _merge(ws, r, 1, 8, frame=False)
    _put(ws, r, 1, "親子交流支援計画書", size=16, bold=True, align="center", border=False)
    ws.row_dimensions[r].height = 30
    r += 1
    _merge(ws, r, 1, 8, frame=False)
    form = f"　　様式: {plan.form_name}" if plan.form_name != PlanProfile().name else ""
    _put(ws, r, 1, f"ケースID: {plan.case_id}　　作成日: {plan.drawn_on}{form}", size=9, align="right", border=False)
    r += 2

    r = _row(ws, r, "1. 申込日", [(plan.application_date, 7)])
    r = _row(ws, r, "2. 事前相談日", [("父", 1), (plan.pre_consultation_father, 2), ("母", 1), (plan.pre_consultation_mother, 3)])
    for label, person in (("3. 申請者氏名", plan.applicant), ("4. 相手方氏名", plan.other_party)):
        name = person.name if person else ""
        role = person.role if person else ""
        lives = person.lives_with_child if person else None
        r = _row(ws, r, label, [
            (name, 3),
            (f"{tick(role == '父')}父 {tick(role == '母')}母", 2),
            (f"子どもと {tick(lives is True)}同居 {tick(lives is False)}別居", 2),
        ])
    r += 1
    children_top = r
    r = _header(ws, r, f"5. {CHILDREN_LABEL}", [("氏名", 3), ("生年月日", 2), ("年齢", 1), ("性別", 1)])
    for i in range(max(plan.min_child_rows, len(plan.children))):
        child = plan.children[i] if i < len(plan.children) else None
        r = _row(ws, r, "", [
            (child.name if child else "", 3),
            (child.birth_era if child else "", 2),
            (f"（{child.age}歳）" if child and child.age is not None else "", 1),
            (f"{tick(child.sex == '男')}男 {tick(child.sex == '女')}女" if child else "☐男 ☐女", 1),
        ])
    ws.merge_cells(start_row=children_top, start_column=1, end_row=r - 1, end_column=1)
    r += 1
    support = "\n".join(f"{tick(on)}{label}" for label, on in plan.support_ticks)
    r = _row(ws, r, "6. 援助内容", [(support, 7)], height=48)
    r = _row(ws, r, "　備考", [(plan.support_note, 7)])
    short = "・".join(f"{tick(on)}{o}" for o, on in plan.short_ticks)
    # 継続型（頻度：月1回・2か月に1回・その他（　　）), the other frequency written in the blank.
    cont = "・".join(f"{tick(on)}{o}" + (f"（{plan.continuing_other or '　　'}）" if o == "その他" else "")
                    for o, on in plan.continuing_ticks)
    conditions = f"{tick(plan.condition_short)}(1) 短期型（{short}）\n{tick(plan.condition_continuing)}(2) 継続型（頻度：{cont}）"
    r = _row(ws, r, "7. 援助条件", [(conditions, 7)], height=32)
    r = _row(ws, r, "　備考", [(plan.condition_note, 7)])
    r = _row(ws, r, "8. 支援員氏名", [(plan.staff, 7)])
    if plan.review_date is not None:  # else the profile prints it among its items
        r = _row(ws, r, "　見直し予定日", [(plan.review_date, 7)])
    number = 9
    for label, text in plan.extra_items:  # the profile's items, numbered on from 8
        r = _row(ws, r, f"{number}. {label}", [(text, 7)], height=32 if len(text) > 40 else 22)
        number += 1
    r += 1
    _merge(ws, r, 1, 8, frame=False)
    _put(ws, r, 1, f"{number}. 支援経過", bold=True, border=False)
    r += 1
    header_row = r
    # 内容 is what staff write most: five of the eight columns (52 characters), 日付 one (a date fits in 14).
    r = _header(ws, r, None, [("日付", 1), ("時間", 1), ("内容", 5), ("支援員氏名", 1)])
    for i in range(max(plan.min_progress_rows, len(plan.progress))):
        row = plan.progress[i] if i < len(plan.progress) else None
        r = _cells(ws, r, 1, [
            (row.day if row else "", 1), (row.time if row else "", 1),
            (row.content if row else "", 5), (row.staff if row else "", 1),
        ], height=30)
    _merge(ws, r + 1, 1, 8, frame=False)
    _put(ws, r + 1, 1, "この計画書には住所・電話番号・メールアドレスを記載しません（父母双方が閲覧します）。", size=8, border=False)

    ps = ws.page_setup
    ps.paperSize = ws.PAPERSIZE_A4
    ps.orientation = "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ps.fitToWidth = 1
    ps.fitToHeight = 0  # as many pages tall as the 支援経過 needs
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = f"A1:H{r + 1}"
    ws.oddFooter.center.text = "&P / &N"
    ws.sheet_view.showGridLines = False


class _StyleCache:
    """The cell styles of one workbook by what they hold.  The first cell of a kind is styled through
    openpyxl (which registers the font, border… in the workbook); the others get a copy of its style
    ids, as openpyxl's own copy of a worksheet does."""

    def __init__(self) -> None:
        self.arrays: dict[tuple, object] = {}

    def apply(self, cell, key: tuple, size: float, bold: bool, align: str, border: bool, fill: PatternFill | None) -> None:
        found = self.arrays.get(key)
        if found is not None:
            cell._style = copy.copy(found)
            return
        if key[0] == "merged":  # a cell covered by a merge: the frame (and the fill) only
            cell.border = BOX
        else:
            cell.font = _font(size, bold)
            cell.alignment = _ALIGNMENTS[align]
            if border:
                cell.border = BOX
        if fill is not None:
            cell.fill = fill
        self.arrays[key] = copy.copy(cell._style)


_CACHES: "weakref.WeakKeyDictionary[object, _StyleCache]" = weakref.WeakKeyDictionary()


def _styles(ws: Worksheet) -> _StyleCache:
    cache = _CACHES.get(ws.parent)
    if cache is None:
        cache = _CACHES[ws.parent] = _StyleCache()
    return cache


def _font(size: float, bold: bool) -> Font:
    font = _FONTS.get((size, bold))
    if font is None:
        font = _FONTS[(size, bold)] = Font(name=FONT, size=size, bold=bold)
    return font


def _put(ws: Worksheet, row: int, col: int, value: str, *, size: float = 10.5, bold: bool = False,
         align: str = "left", border: bool = True, fill: PatternFill | None = None) -> None:
    cell = ws.cell(row=row, column=col)
    set_value(cell, value)
    _styles(ws).apply(cell, ("cell", size, bold, align, border, id(fill) if fill is not None else None),
                      size, bold, align, border, fill)


def _merge(ws: Worksheet, row: int, col: int, span: int, *, frame: bool, fill: PatternFill | None = None) -> None:
    """Merge ``span`` cells of a row whose cells are not drawn yet; with ``frame`` each covered cell
    gets the frame (and the fill), so the box shows no gaps.

    What ``ws.merge_cells`` does for a range whose first cell has no border yet, without its passes
    over the range (copying that first cell's borders, none, onto the edges) and over every range
    already merged on the sheet (ours never overlap)."""
    ws.merged_cells.ranges.add(MergedCellRange(ws, f"{get_column_letter(col)}{row}:{get_column_letter(col + span - 1)}{row}"))
    styles = _styles(ws)
    key = ("merged", id(fill) if fill is not None else None)
    for c in range(col + 1, col + span):
        cell = MergedCell(ws, row=row, column=c)
        ws._cells[(row, c)] = cell
        if frame:
            styles.apply(cell, key, 0, False, "left", True, fill)


def _cells(ws: Worksheet, row: int, col: int, parts: list[tuple[str, int]], *, height: float = 22,
           fill: PatternFill | None = None, bold: bool = False) -> int:
    for text, span in parts:
        if span > 1:
            _merge(ws, row, col, span, frame=True, fill=fill)
        _put(ws, row, col, text, fill=fill, bold=bold, align="center" if fill is not None else "left")
        col += span
    ws.row_dimensions[row].height = height
    return row + 1


def _row(ws: Worksheet, row: int, label: str, parts: list[tuple[str, int]], *, height: float = 22) -> int:
    _put(ws, row, 1, label, bold=True, fill=LABEL_FILL)
    return _cells(ws, row, 2, parts, height=height)


def _header(ws: Worksheet, row: int, label: str | None, parts: list[tuple[str, int]]) -> int:
    if label is None:
        return _cells(ws, row, 1, parts, fill=LABEL_FILL, bold=True)
    _put(ws, row, 1, label, bold=True, fill=LABEL_FILL)
    return _cells(ws, row, 2, parts, fill=LABEL_FILL, bold=True)


_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')  # control characters: Windows refuses them too


def plan_file_name(case_id: str | None, day: date | None = None) -> str:
    """The one builder of a plan workbook's file name: 計画書_K-0001.xlsx for one case (characters
    Windows refuses in file names become _), 計画書_全ケース_20260301.xlsx for all of them (without
    ``day``: 計画書_全ケース.xlsx).  Sheet names: ``plan_sheet_name``."""
    if case_id is None:
        return f"計画書_全ケース_{day:%Y%m%d}.xlsx" if day is not None else "計画書_全ケース.xlsx"
    return f"計画書_{_UNSAFE_FILE_CHARS.sub('_', case_id).strip('._') or 'ケース'}.xlsx"


def plan_sheet_names(plans: list[PlanSheet]) -> list[tuple[str, PlanSheet]]:
    """(sheet name, plan) in workbook order: a later plan whose name is taken replaces the earlier one
    and goes last, as io/sinks.OpenpyxlSink.put_plan_sheets does."""
    named: dict[str, PlanSheet] = {}
    for plan in plans:
        name = plan_sheet_name(plan.case_id)
        named.pop(name, None)
        named[name] = plan
    return list(named.items())


def plans_package(plans: list[PlanSheet]) -> tuple[bytes, list[str]]:
    """A new workbook holding only the plan sheets, as .xlsx bytes, and its sheet names.

    The same workbook as ``services.plan.plans_workbook(plans).save(…)``, written a sheet at a time:
    each sheet goes into the package as soon as it is drawn and its cells are dropped, so memory
    holds one plan rather than all of them (3,466 plans of a 50,000-visit ledger held ~280 MB), and
    no sheet passes through a temporary file (openpyxl's save writes each sheet to one first).
    """
    import io
    import zipfile

    from openpyxl import Workbook
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter

    class _Writer(ExcelWriter):
        def _write_worksheets(self) -> None:  # written one by one below
            pass

    from .print_setup import use_ledger_font

    wb = Workbook()
    use_ledger_font(wb)  # as plans_workbook: the ledger's font in every cell
    wb.remove(wb.active)
    out = io.BytesIO()
    archive = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    writer = _Writer(wb, archive)
    names = []
    for index, (name, plan) in enumerate(plan_sheet_names(plans), start=1):
        ws = wb.create_sheet(name)
        draw_plan(ws, plan)
        ws._id = index
        sheet = WorksheetWriter(ws, out=io.BytesIO())
        sheet.write()
        ws._rels = sheet._rels
        if ws._rels:  # the form has no drawings, comments or tables
            raise ValueError("a plan sheet with relationships cannot be written a sheet at a time")
        archive.writestr(ws.path[1:], sheet.out.getvalue())
        writer.manifest.append(ws)
        ws._cells.clear()  # what is kept: the title, page setup and print titles, for workbook.xml
        ws.merged_cells.ranges.clear()
        ws.row_dimensions.clear()
        names.append(name)
    writer.save()  # styles, workbook.xml (print titles and areas), content types
    return out.getvalue(), names
