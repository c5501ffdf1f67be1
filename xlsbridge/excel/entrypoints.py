"""What the ribbon buttons run (macros/XlsBridge.bas calls these through xlwings' RunPython).

Each entry point is a thin shell over the same service functions as the CLI: read the open book's
sheets, run the service, write the output blocks, tell staff the result in a Japanese alert.  They
take the book as an argument for tests (xlwings' remote engine, ``xw.Book(json=...)``); from Excel,
``xw.Book.caller()`` is used.  Nothing here writes to a cell staff type into.
"""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from ..errors import UserError
from ..i18n import t

TITLE = "xlsbridge"


def _book(book):
    """The staff member's ledger.

    RunPython passes the name of the workbook whose VBA called it; for a ribbon add-in that is
    xlsbridge.xlam itself, so the ledger is the workbook active in that Excel instance.
    """
    if book is not None:
        return book
    import xlwings as xw

    caller = xw.Book.caller()
    if caller.name.lower().endswith(".xlam"):
        return caller.app.books.active
    return caller


@contextlib.contextmanager
def _staff_action(book) -> Iterator[None]:
    """Screen updating off while writing; every failure becomes a plain Japanese alert.

    An unexpected error shows its type only: exception texts can carry cell values (names), and
    xlwings would otherwise show a traceback to staff.
    """
    app = book.app
    app.screen_updating = False
    try:
        yield
    except UserError as exc:
        app.alert(exc.message(), title=TITLE)
    except Exception as exc:  # noqa: BLE001 — the last line of defence in front of staff
        app.alert(t(f"予期しないエラーで中断しました（{type(exc).__name__}）。自己診断ボタンを押し、結果を管理者に伝えてください。",
                    f"stopped by an unexpected error ({type(exc).__name__}); run the self-check and tell your admin."),
                  title=TITLE)
    finally:
        app.screen_updating = True


def _read(book):
    from ..io.reader import read_ledger_rows
    from .book import read_sheets, sheet_titles

    return read_ledger_rows(read_sheets(book), sheet_titles(book))


def check_entries(book=None, *, as_of: date | None = None) -> None:
    """入力チェック: the findings sheet; the template's conditional formats colour the cells it lists."""
    from ..io.layout import FINDINGS_SHEET
    from ..services.validate import build_report, check_read
    from .book import replace_sheet
    from .findings_sheet import findings_rows

    book = _book(book)
    with _staff_action(book):
        day = as_of or date.today()
        read = _read(book)
        report = build_report(book.name, read, check_read(read, day), day)
        replace_sheet(book, FINDINGS_SHEET, findings_rows(report))
        book.app.alert(_summary(report), title=TITLE)


def _summary(report) -> str:
    if not report.items:
        return t("入力チェック: 問題は見つかりませんでした。", "Check: no problems found.")
    return t(f"入力チェック: エラー {report.errors} 件、注意 {report.warnings} 件。「チェック結果」シートの一覧から該当セルへ移動できます。",
             f"Check: {report.errors} errors, {report.warnings} warnings. See the チェック結果 sheet; its links jump to each cell.")


def compute_fees(book=None, *, as_of: date | None = None) -> None:
    """料金計算: fill the computed columns of 面会記録 and redraw 料金集計."""
    from ..io.layout import FEE_COLUMNS, FEE_SUMMARY_SHEET, VISITS
    from ..services import fees as fees_service
    from .book import replace_sheet, write_columns

    book = _book(book)
    with _staff_action(book):
        day = as_of or date.today()
        read = _read(book)
        result = fees_service.compute_fees(read, day)
        sheet = book.sheets[read.cells.title(VISITS.name)]
        last_row = max((vp.visit.row or 0 for vp in result.prices), default=1)
        values_by_row = {vp.visit.row: fees_service.computed_values(vp, read) for vp in result.prices if vp.visit.row}
        columns: dict[int, list[Any]] = {}
        next_free = None
        for spec in FEE_COLUMNS:
            index = read.cells.column(VISITS.name, spec.key)
            if index is None:  # an older ledger without the column: add its header at the end
                next_free = next_free or sheet.used_range.last_cell.column + 1
                sheet.range((1, next_free)).value = spec.header
                index = next_free - 1
                next_free += 1
            columns[index + 1] = [values_by_row.get(r, {}).get(spec.key) for r in range(2, last_row + 1)]
        if last_row >= 2:
            write_columns(sheet, 2, columns)
        cols, rows = fees_service.summary_rows(result.summary)
        replace_sheet(book, FEE_SUMMARY_SHEET, [[c.header for c in cols], *rows], after=sheet.name)
        book.app.alert(t(f"料金計算: 面会 {len(result.prices)} 件中 {result.priced} 件を計算しました。"
                         + (f"{result.unpriced} 件は入力チェックの指摘があるため未計算です（内訳の列を見てください）。" if result.unpriced else ""),
                         f"Fees: priced {result.priced} of {len(result.prices)} visits."
                         + (f" {result.unpriced} not priced because of findings (see the 内訳 column)." if result.unpriced else "")),
                       title=TITLE)


def check_deadlines(book=None, *, as_of: date | None = None, within: int = 60) -> None:
    """期限・年齢チェック: the 期限・年齢 sheet."""
    from ..io.layout import FLAGS_SHEET
    from ..services.flags import compute_flags, flag_columns, flag_rows
    from .book import as_excel_text, replace_sheet

    book = _book(book)
    with _staff_action(book):
        day = as_of or date.today()
        report = compute_flags(_read(book), day, within)
        rows = [[as_excel_text(v) for v in row] for row in flag_rows(report)]
        replace_sheet(book, FLAGS_SHEET, [[c.header for c in flag_columns()], *rows])
        book.app.alert(t(f"期限・年齢チェック: {within} 日以内に対応が必要なものが {len(report.flags)} 件あります（「期限・年齢」シート）。",
                         f"Deadlines: {len(report.flags)} items need action within {within} days (sheet 期限・年齢)."),
                       title=TITLE)


def make_plan(book=None, *, as_of: date | None = None, out_dir: Path | None = None) -> Path | None:
    """計画書作成 (選択行のケース): a print-ready workbook of the selected row's case."""
    book = _book(book)
    with _staff_action(book):
        read = _read(book)
        case_id = _selected_case(book, read)
        return _write_plans(book, read, case_id, False, as_of, out_dir)
    return None


def make_all_plans(book=None, *, as_of: date | None = None, out_dir: Path | None = None) -> Path | None:
    """計画書作成 (全ケース): one workbook with a plan sheet per active case."""
    book = _book(book)
    with _staff_action(book):
        return _write_plans(book, _read(book), None, True, as_of, out_dir)
    return None


def _write_plans(book, read, case_id: str | None, all_active: bool, as_of: date | None, out_dir: Path | None) -> Path:
    """Plans go to their own workbook beside the ledger: the same A4 layout as `xlsbridge plan --out`,
    and nothing of the ledger (no contact sheet) travels with a form both parents will see."""
    from ..io.safe_write import atomic_write, refuse_if_open_in_excel
    from ..services.plan import plans_for, plans_workbook, select_cases

    day = as_of or date.today()
    plans = plans_for(read, select_cases(read, case_id, all_active), day)
    folder = out_dir or _output_folder(book)
    name = f"計画書_{plans[0].case_id}.xlsx" if not all_active else f"計画書_全ケース_{day:%Y%m%d}.xlsx"
    target = folder / name
    if target.exists():
        refuse_if_open_in_excel(target)
    wb = plans_workbook(plans)
    atomic_write(target, lambda tmp: wb.save(tmp))
    book.app.alert(t(f"計画書 {len(plans)} 件を作成しました:\n{target}\nA4 縦で印刷できます。",
                     f"Drew {len(plans)} plan(s):\n{target}\nReady to print on A4 portrait."), title=TITLE)
    return target


def _output_folder(book) -> Path:
    """The ledger's folder when Excel knows it, else the user's Documents (or home)."""
    import os

    override = os.environ.get("XLSBRIDGE_OUTPUT_DIR")
    if override:
        return Path(override)
    try:
        full = Path(book.fullname)
        if full.is_absolute() and full.parent.is_dir():
            return full.parent
    except (NotImplementedError, AttributeError, OSError):
        pass
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def _selected_case(book, read) -> str:
    """The case ID of the selected row on ケース, 子ども or 面会記録."""
    from ..io.layout import CASES, CHILDREN, VISITS

    selection = book.selection
    sheet_name = selection.sheet.name
    row = selection.row
    for layout, records in ((CASES, read.ledger.cases), (CHILDREN, read.ledger.children), (VISITS, read.ledger.visits)):
        if read.cells.title(layout.name) == sheet_name:
            for record in records:
                if record.row == row and record.case_id:
                    return record.case_id
    raise UserError("ケース・子ども・面会記録のいずれかのシートで、計画書を作るケースの行を選択してからボタンを押してください",
                    "select a row of the case on ケース, 子ども or 面会記録 first")


def self_check(addin_version: str | None = None, book=None) -> None:
    """自己診断: versions, interpreter, template version, LibreOffice — with what to do."""
    from ..services.doctor import diagnose, render

    book = _book(book)
    with _staff_action(book):
        template_version = None
        with contextlib.suppress(Exception):
            template_version = _read(book).ledger.template_version
        checks = diagnose(addin_version=addin_version, template_version=template_version, check_template=True)
        book.app.alert(render(checks), title=t("xlsbridge 自己診断", "xlsbridge self-check"))
