"""What the ribbon buttons run (macros/XlsBridge.bas calls these through xlwings' RunPython).

==========================  ========================  ==============================================
button                      entry point               writes
==========================  ========================  ==============================================
入力チェック                check_entries()           sheet チェック結果 (the template colours the cells)
料金計算                    compute_fees()            the grey computed columns of 面会記録, sheet 料金集計
期限・年齢チェック          check_deadlines()         sheet 期限・年齢
計画書作成 (選択行のケース) make_plan()               a new workbook 計画書_<ケースID>.xlsx beside the ledger
計画書作成 (全ケース)       make_all_plans()          a new workbook 計画書_全ケース_<日付>.xlsx
自己診断                    self_check(addin_version) nothing (an alert)
==========================  ========================  ==============================================

Each entry point is a thin shell over the same service functions as the CLI: read the open book's
sheets (never 連絡先), run the service, write the output blocks, tell staff the result in one
Japanese alert.  Nothing here writes to a cell staff type into: only computed columns and the
sheets xlsbridge generates.  Screen updating is off while writing and back on before the alert.

They take the book as an argument for tests (xlwings' remote engine, ``xw.Book(json=...)``); from
Excel the book is found through ``xw.Book.caller()`` (see :func:`_book`).
"""

from __future__ import annotations

import contextlib
import re
import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from ..errors import UserError
from ..i18n import t
from .book import XwBook
from .buttons import before_write, copy_note

if TYPE_CHECKING:
    from ..io.reader import LedgerRead
    from ..services.validate import ValidationReport

TITLE = "xlsbridge"


def _book(book: XwBook | None) -> XwBook:
    """The staff member's ledger.

    RunPython passes the name of the workbook whose VBA called it; for a ribbon add-in that is
    xlsbridge.xlam itself, so the ledger is the workbook active in that Excel instance.
    """
    if book is not None:
        return book
    import xlwings as xw

    caller = xw.Book.caller()
    if not caller.name.lower().endswith(".xlam"):
        return caller
    try:
        active = caller.app.books.active
        if active is not None and active.name:
            return active
    except Exception:  # no workbook open: Excel has no active workbook to hand over
        pass
    return _NoWorkbook(caller.app)


class _NoWorkbook:
    """Stands in for the ledger when only the add-in is open: the action ends in one message."""

    name = ""
    fullname = ""

    def __init__(self, app: Any) -> None:
        self.app = app

    @property
    def sheets(self) -> Any:
        raise UserError("案件台帳のブックを開き、そのブックを選んでからボタンを押してください",
                        "open the case ledger workbook and select it before pressing the button")

    names = sheets
    selection = sheets


@dataclass
class _Outcome:
    """What to tell staff when the action ends (set by the action, or by the error handler)."""

    message: str | None = None
    title: str = TITLE
    copy: Path | None = None  # the ledger's copy kept before writing


@contextlib.contextmanager
def _staff_action(book: XwBook) -> Iterator[_Outcome]:
    """Screen updating off while writing; the outcome (or any failure) as one alert afterwards.

    An action that writes starts with ``outcome.copy = before_write(book)`` (buttons.py: the workbook
    must be a saved ledger, and a copy of it is kept); the message then says where the copy is.

    A UserError is a plain Japanese message saying what to fix.  An unexpected error shows its type
    and where in xlsbridge it happened, never its text: exception texts can carry cell values (names),
    and xlwings would otherwise show a traceback to staff.
    """
    app = book.app
    outcome = _Outcome()
    app.screen_updating = False
    try:
        yield outcome
        if outcome.message and outcome.copy is not None:
            outcome.message += copy_note(outcome.copy)
    except UserError as exc:
        outcome.message = exc.message()
    except Exception as exc:  # noqa: BLE001 — the last line of defence in front of staff
        outcome.message = unexpected_error_message(exc)
    finally:
        app.screen_updating = True
    if outcome.message:
        app.alert(outcome.message, title=outcome.title)


def unexpected_error_message(exc: BaseException) -> str:
    """The exception's type and the innermost xlsbridge source line, without the exception's text."""
    where = ""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        parts = Path(frame.filename).parts
        if "xlsbridge" in parts:
            where = "/".join(parts[len(parts) - 1 - parts[::-1].index("xlsbridge"):]) + f":{frame.lineno}"
            break
    kind = type(exc).__name__ + (f", {where}" if where else "")
    return t(f"予期しないエラーで中断しました（{kind}）。入力したセルは変更していません。"
             "自己診断ボタンを押し、この画面と自己診断の結果を管理者に伝えてください。",
             f"stopped by an unexpected error ({kind}); no cell you typed in was changed. "
             "Run the self-check and tell your admin what both windows say.")


def _read(book: XwBook) -> LedgerRead:
    from ..io.reader import read_ledger_rows
    from .book import read_sheets, sheet_titles

    return read_ledger_rows(read_sheets(book), sheet_titles(book))


def _has_name(book: XwBook, name: str) -> bool:
    try:
        return any(n.name.split("!")[-1] == name for n in book.names)
    except Exception:  # an engine that cannot list names: assume the template is current
        return True


# ------------------------------------------------------------------------------------------------
# 入力チェック
# ------------------------------------------------------------------------------------------------

def check_entries(book: XwBook | None = None, *, as_of: date | None = None) -> None:
    """入力チェック: the チェック結果 sheet; the template's conditional formats colour the cells it lists."""
    from ..io.template import ERROR_CELLS_NAME
    from ..services.outputs import write_findings
    from ..services.validate import build_report, check_read
    from .sink import XlwingsSink

    book = _book(book)
    with _staff_action(book) as outcome:
        outcome.copy = before_write(book)
        day = as_of or date.today()
        read = _read(book)
        report = build_report(book.name, read, check_read(read, day), day)
        sink = XlwingsSink(book)
        write_findings(sink, report, read.cells.titles)
        sink.last_sheet.activate()
        message = _check_summary(report)
        if report.items and not _has_name(book, ERROR_CELLS_NAME):
            message += t("\n（この台帳は古いテンプレートのため、該当セルに色は付きません。"
                         "管理者に xlsbridge template upgrade で最新のテンプレートに移してもらってください）",
                         "\n(This ledger predates cell highlighting; ask your admin to upgrade it with "
                         "xlsbridge template upgrade.)")
        outcome.message = message


def _check_summary(report: ValidationReport) -> str:
    if not report.items:
        return t("入力チェック: 問題は見つかりませんでした。", "Check: no problems found.")
    return t(f"入力チェック: エラー {report.errors} 件、警告 {report.warnings} 件。\n"
             "該当するセルは赤（エラー）・黄（警告）で表示されます。「チェック結果」シートのセル番地を"
             "クリックするとそのセルへ移動します。直したらもう一度「入力チェック」を押してください。",
             f"Check: {report.errors} errors, {report.warnings} warnings.\n"
             "The cells are shown red (errors) and yellow (warnings); click an address on the チェック結果 "
             "sheet to jump to it. Press 入力チェック again after fixing them.")


# ------------------------------------------------------------------------------------------------
# 料金計算
# ------------------------------------------------------------------------------------------------

def compute_fees(book: XwBook | None = None, *, as_of: date | None = None) -> None:
    """料金計算: fill the computed columns of 面会記録 and redraw 料金集計."""
    from ..domain.layout import VISITS
    from ..services import fees as fees_service
    from ..services.outputs import write_fees
    from .sink import XlwingsSink

    book = _book(book)
    with _staff_action(book) as outcome:
        outcome.copy = before_write(book)
        result = fees_service.compute_fees(_read(book), as_of or date.today())
        sink = XlwingsSink(book)
        write_fees(sink, result)
        book.sheets[result.read.cells.title(VISITS.name)].activate()
        text = t(f"料金計算: 面会 {len(result.prices)} 件中 {result.priced} 件を計算しました"
                 "（面会記録の灰色の列と「料金集計」シート）。",
                 f"Fees: priced {result.priced} of {len(result.prices)} visits (the grey columns of 面会記録 "
                 "and the 料金集計 sheet).")
        if result.unpriced:
            text += t(f"\n{result.unpriced} 件は入力に誤りがあるため計算していません（内訳の列に直す場所があります。"
                      "「入力チェック」でも確認できます）。",
                      f"\n{result.unpriced} not priced because of entry errors (the 内訳 column says where; "
                      "入力チェック lists them too).")
        outcome.message = text


# ------------------------------------------------------------------------------------------------
# 期限・年齢チェック
# ------------------------------------------------------------------------------------------------

def check_deadlines(book: XwBook | None = None, *, as_of: date | None = None, within: int = 60) -> None:
    """期限・年齢チェック: the 期限・年齢 sheet (renewals, children leaving, reviews, unpaid visits)."""
    from ..i18n import using_lang
    from ..services.fees import ledger_language
    from ..services.flags import compute_flags, sheet_report
    from ..services.outputs import write_flags
    from .sink import XlwingsSink

    book = _book(book)
    with _staff_action(book) as outcome:
        outcome.copy = before_write(book)
        read = _read(book)
        report = compute_flags(read, as_of or date.today(), within)
        sink = XlwingsSink(book)
        with using_lang(ledger_language(read)):  # the sheet in the ledger's language (設定 台帳の言語)
            write_flags(sink, sheet_report(read, report))
        sink.last_sheet.activate()
        if report.flags:
            outcome.message = t(f"期限・年齢チェック: {within} 日以内に対応が必要なものが {len(report.flags)} 件あります"
                                "（「期限・年齢」シート）。",
                                f"Deadlines: {len(report.flags)} items need action within {within} days (sheet 期限・年齢).")
        else:
            outcome.message = t(f"期限・年齢チェック: {within} 日以内に対応が必要なものはありません。",
                                f"Deadlines: nothing needs action within {within} days.")


# ------------------------------------------------------------------------------------------------
# 計画書作成
# ------------------------------------------------------------------------------------------------

def make_plan(book: XwBook | None = None, *, as_of: date | None = None, out_dir: Path | None = None) -> Path | None:
    """計画書作成 (選択行のケース): a print-ready workbook of the case in the selected row."""
    book = _book(book)
    with _staff_action(book) as outcome:
        outcome.copy = before_write(book)
        read = _read(book)
        case_id = _selected_case(book, read)
        target, count = _write_plans(book, read, case_id, as_of or date.today(), out_dir)
        outcome.message = _plans_message(count, target)
        return target if isinstance(target, Path) else None
    return None


def make_all_plans(book: XwBook | None = None, *, as_of: date | None = None, out_dir: Path | None = None) -> Path | None:
    """計画書作成 (全ケース): one workbook with a plan sheet per active case (状態 契約中)."""
    book = _book(book)
    with _staff_action(book) as outcome:
        outcome.copy = before_write(book)
        target, count = _write_plans(book, _read(book), None, as_of or date.today(), out_dir)
        outcome.message = _plans_message(count, target)
        return target if isinstance(target, Path) else None
    return None


def _plans_message(count: int, target: Path | str) -> str:
    if isinstance(target, str):  # drawn into the open workbook (xlwings Lite): the first sheet's name
        return t(f"計画書 {count} 件をこのブックのシートに作成しました（「{target}」から）。\n"
                 "印刷は「ファイル」→「印刷」で A4 縦を選んでください。住所・電話・メールは載っていません。",
                 f"Drew {count} plan(s) as sheets of this workbook (from '{target}').\n"
                 "Print with File > Print on A4 portrait; no addresses, phones or e-mails.")
    return t(f"計画書 {count} 件を作成しました:\n{target}\nA4 縦で印刷できます。住所・電話・メールは載っていません。",
             f"Drew {count} plan(s):\n{target}\nReady to print on A4 portrait; no addresses, phones or e-mails.")


def _write_plans(book: XwBook, read: LedgerRead, case_id: str | None, day: date, out_dir: Path | None) -> tuple[Path | str, int]:
    """Plans go to their own workbook: the same A4 layout as `xlsbridge plan --out`, and nothing of
    the ledger (no contact sheet) travels with a form both parents will see.  An older file of the
    same name is replaced, unless it is open in Excel.  In xlwings Lite, which has no files, each
    plan becomes a sheet of the open workbook instead (excel/drawn_sheet.py); the first sheet's name
    is returned in place of the file."""
    from ..io.safe_write import atomic_write, excel_owner_file
    from ..services.plan import plans_for, plans_workbook, select_cases
    from .runtime import in_lite

    plans = plans_for(read, select_cases(read, case_id, case_id is None), day)
    if in_lite():
        from ..services.outputs import write_plans
        from .sink import XlwingsSink

        names = write_plans(XlwingsSink(book), plans)
        return names[0], len(names)
    from ..io.plan_sheet import plan_file_name

    folder = out_dir or output_folder(book)
    target = folder / plan_file_name(case_id, day)
    if excel_owner_file(target).exists():
        raise UserError(f"{target.name} が Excel で開かれています。そのブックを閉じてから、もう一度ボタンを押してください",
                        f"{target.name} is open in Excel; close it and press the button again")
    wb = plans_workbook(plans)
    try:
        from ..io.workbook_io import save_in_memory

        atomic_write(target, lambda tmp: tmp.write_bytes(save_in_memory(wb)))  # no sheet via a temp file
    except OSError as exc:
        raise UserError(f"計画書を保存できませんでした（{type(exc).__name__}）。保存先: {folder}\n"
                        "フォルダーに書き込めるか確かめるか、管理者に XLSBRIDGE_OUTPUT_DIR で保存先を指定してもらってください",
                        f"could not save the plan ({type(exc).__name__}) in {folder}; check that the folder is "
                        "writable, or ask your admin to set XLSBRIDGE_OUTPUT_DIR") from None
    _open_in_excel(book, target)
    return target, len(plans)


def output_folder(book: XwBook) -> Path:
    """Where generated files go: $XLSBRIDGE_OUTPUT_DIR, else the ledger's folder when Excel knows it
    (not for a workbook on SharePoint/OneDrive, whose full name is a URL), else Documents (or home)."""
    import os

    override = os.environ.get("XLSBRIDGE_OUTPUT_DIR")
    if override:
        folder = Path(override).expanduser()
        if not folder.is_dir():
            raise UserError(f"保存先フォルダー（XLSBRIDGE_OUTPUT_DIR）がありません: {folder}",
                            f"the output folder (XLSBRIDGE_OUTPUT_DIR) does not exist: {folder}")
        return folder
    with contextlib.suppress(Exception):
        full = Path(book.fullname)
        if full.is_absolute() and full.parent.is_dir():
            return full.parent
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def _open_in_excel(book: XwBook, target: Path) -> None:
    """Open the new workbook for printing (desktop Excel only: the remote engine has no files), then
    make the ledger the active workbook again, so the next button acts on the ledger, not the plan."""
    with contextlib.suppress(Exception):
        if book.app.engine.type == "remote":
            return
        book.app.books.open(str(target))
        book.activate()


def _selected_case(book: XwBook, read: LedgerRead) -> str:
    """The case ID of the selected row(s) on ケース, 子ども or 面会記録."""
    from ..domain.layout import CASES, CHILDREN, VISITS

    try:
        selection = book.selection
        sheet_name = selection.sheet.name
        first = selection.row
        last = first + selection.shape[0] - 1
    except Exception:  # nothing selected, a shape or a chart sheet
        selection = None
    if selection is not None:
        for layout, records in ((CASES, read.ledger.cases), (CHILDREN, read.ledger.children),
                                (VISITS, read.ledger.visits)):
            if read.cells.title(layout.name) != sheet_name:
                continue
            found = sorted({r.case_id for r in records if r.row is not None and first <= r.row <= last and r.case_id})
            if len(found) > 1:
                shown = "、".join(found[:5]) + ("…" if len(found) > 5 else "")
                raise UserError(f"複数のケース（{shown}）の行が選択されています。計画書を作るケースの行を1つだけ選んでから、"
                                "もう一度ボタンを押してください",
                                f"rows of several cases ({', '.join(found[:5])}) are selected; select one row of "
                                "the case and press the button again")
            if found:
                return found[0]
    raise UserError("ケース・子ども・面会記録のいずれかのシートで、計画書を作るケースの行（見出し以外のケースIDのある行）を"
                    "選んでから、もう一度ボタンを押してください。全ケースの計画書は「計画書作成 (全ケース)」で作れます",
                    "select a row of the case (one with a ケースID, not the header) on ケース, 子ども or 面会記録 and "
                    "press the button again; 計画書作成 (全ケース) draws every case")


# ------------------------------------------------------------------------------------------------
# 自己診断
# ------------------------------------------------------------------------------------------------

def self_check(addin_version: str | None = None, book: XwBook | None = None, *,
               xlwings_vba_version: str | None = None) -> None:
    """自己診断: add-in vs package versions (with what to do), interpreter, template version, LibreOffice."""
    from ..services.doctor import diagnose, render
    from .buttons import version_problems

    book = _book(book)
    with _staff_action(book) as outcome:
        outcome.title = t("xlsbridge 自己診断", "xlsbridge self-check")
        from .runtime import in_lite

        checks = diagnose(addin_version=addin_version, template_version=_template_version(book), check_template=True,
                          xlwings_vba_version=xlwings_vba_version, lite=in_lite())
        text = render(checks)
        problems = version_problems(addin_version, xlwings_vba_version)
        if problems:
            text += "\n\n" + "\n\n".join(problems)
        outcome.message = text


def _template_version(book: XwBook) -> str | None:
    """The version on the active workbook's 設定 sheet, else its defined name; None for another
    workbook (io/template_version.py)."""
    from ..domain.layout import SETTINGS_SHEET, TEMPLATE_VERSION_NAME
    from ..io.template_version import defined_name_version, recorded_version
    from .book import read_sheets

    sheets = None
    with contextlib.suppress(Exception):
        sheets = read_sheets(book, (SETTINGS_SHEET,))

    def in_defined_name() -> str | None:
        with contextlib.suppress(Exception):
            return defined_name_version(str(book.names[TEMPLATE_VERSION_NAME].refers_to))  # '="1.0"'
        return None

    return recorded_version(sheets, in_defined_name)


__all__ = ["check_entries", "check_deadlines", "compute_fees", "make_all_plans", "make_plan", "self_check"]
