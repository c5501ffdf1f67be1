"""Drawing the 親子交流支援計画書 on a worksheet: A4 portrait, one page wide, the official order.

The content comes from domain/plan.py (pure); this module only lays it out.  The 支援経過 table
grows with the case's visits and continues on further pages, its header repeated on each page.
"""

from __future__ import annotations

import re

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..domain.plan import PlanSheet
from .cells import set_value

FONT = "游ゴシック"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
# Eight columns, ~ 92 characters wide in all: fits A4 portrait with 1.5 cm margins at 100 %.
WIDTHS = (14, 12, 12, 10, 8, 12, 10, 14)
MIN_CHILD_ROWS = 3
MIN_PROGRESS_ROWS = 12


def plan_sheet_name(case_id: str) -> str:
    """A sheet name Excel accepts (≤ 31 characters, none of []:*?/\\), derived from the case ID."""
    safe = re.sub(r"[\[\]:*?/\\']", "_", case_id).strip() or "ケース"
    return f"計画書_{safe}"[:31]


def tick(on: bool) -> str:
    return "☑" if on else "☐"


def draw_plan(ws: Worksheet, plan: PlanSheet) -> None:
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    r = 1
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=8)
    _put(ws, r, 1, "親子交流支援計画書", size=16, bold=True, align="center", border=False)
    ws.row_dimensions[r].height = 30
    r += 1
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=8)
    _put(ws, r, 1, f"ケースID: {plan.case_id}　　作成日: {plan.drawn_on}", size=9, align="right", border=False)
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
    r = _header(ws, r, "5. 子ども", [("氏名", 3), ("生年月日", 2), ("年齢", 1), ("性別", 1)])
    for i in range(max(MIN_CHILD_ROWS, len(plan.children))):
        child = plan.children[i] if i < len(plan.children) else None
        r = _row(ws, r, "", [
            (child.name if child else "", 3),
            (child.birth_era if child else "", 2),
            (f"（{child.age}歳）" if child and child.age is not None else "", 1),
            (f"{tick(child.sex == '男')}男 {tick(child.sex == '女')}女" if child else "☐男 ☐女", 1),
        ])
    ws.merge_cells(start_row=children_top, start_column=1, end_row=r - 1, end_column=1)
    r += 1
    support = "　".join(f"{tick(on)}{label}" for label, on in plan.support_ticks)
    r = _row(ws, r, "6. 援助内容", [(support, 7)], height=32)
    r = _row(ws, r, "　備考", [(plan.support_note, 7)])
    short = "・".join(f"{tick(on)}{o}" for o, on in plan.short_ticks)
    cont = "・".join(f"{tick(on)}{o}" for o, on in plan.continuing_ticks)
    conditions = f"{tick(plan.condition_short)}(1) 短期型（{short}）　{tick(plan.condition_continuing)}(2) 継続型（{cont}）"
    r = _row(ws, r, "7. 援助条件", [(conditions, 7)], height=32)
    r = _row(ws, r, "　備考", [(plan.condition_note, 7)])
    r = _row(ws, r, "8. 支援員氏名", [(plan.staff, 7)])
    r += 1
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=8)
    _put(ws, r, 1, "9. 支援経過", bold=True, border=False)
    r += 1
    header_row = r
    r = _header(ws, r, None, [("日付", 2), ("時間", 1), ("内容", 4), ("支援員氏名", 1)])
    for i in range(max(MIN_PROGRESS_ROWS, len(plan.progress))):
        row = plan.progress[i] if i < len(plan.progress) else None
        r = _cells(ws, r, 1, [
            (row.day if row else "", 2), (row.time if row else "", 1),
            (row.content if row else "", 4), (row.staff if row else "", 1),
        ], height=30)
    ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=8)
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


def _put(ws: Worksheet, row: int, col: int, value: str, *, size: float = 10.5, bold: bool = False,
         align: str = "left", border: bool = True, fill: PatternFill | None = None) -> None:
    cell = ws.cell(row=row, column=col)
    set_value(cell, value)
    cell.font = Font(name=FONT, size=size, bold=bold)
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    if border:
        cell.border = BOX
    if fill is not None:
        cell.fill = fill


def _cells(ws: Worksheet, row: int, col: int, parts: list[tuple[str, int]], *, height: float = 22,
           fill: PatternFill | None = None, bold: bool = False) -> int:
    for text, span in parts:
        if span > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)
        for c in range(col, col + span):  # borders on every merged cell, or the frame shows gaps
            ws.cell(row=row, column=c).border = BOX
            if fill is not None:
                ws.cell(row=row, column=c).fill = fill
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
