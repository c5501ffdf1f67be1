"""What stands between a ribbon button and its entry point: versions, the right workbook, a copy.

macros/XlsBridge.bas runs every button as ``press(entry, addin_version, xlwings_vba_version)``.
Before the entry point of :mod:`xlsbridge.excel.entrypoints` runs:

* the add-in must be the one built for this package, and the xlwings VBA inside it the version of
  the xlwings package here (pyproject.toml pins it): otherwise one Japanese message says how to fix
  it, and nothing runs (自己診断 always runs: it is how staff find out);

and each action that writes (every button but 自己診断), inside the entry point's error handling:

* the workbook must be a ledger (:func:`require_ledger`), and saved to a file when Excel runs on the
  desktop (:func:`require_saved`: outputs go beside it, and the copy needs a file);
* a copy of the ledger file is kept first (:func:`keep_copy`), the same ``xlsbridge_backup/`` copy
  the CLI keeps before it writes (:func:`xlsbridge.io.safe_write.make_backup`), and the message says
  where it is (:func:`copy_note`).  Excel clears its undo list after a macro, so this is the way back.

The VBA side checks what Python cannot see or cannot start without (Protected View, no workbook,
an unsaved workbook, no Python, no xlsbridge): see macros/XlsBridge.bas.
"""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

from .. import __version__
from ..errors import UserError
from ..i18n import t
from .book import XwBook

ENTRY_POINTS = ("check_entries", "compute_fees", "check_deadlines", "make_plan", "make_all_plans", "self_check")
ASK_ADMIN = ("管理者に、配布フォルダーの install.cmd をこの PC でもう一度実行してもらってください。",
             "ask your admin to run install.cmd of the bundle on this PC again.")


def version_problems(addin_version: str | None, xlwings_vba_version: str | None) -> list[str]:
    """What differs between the add-in and the Python packages, each with how to fix it."""
    import xlwings

    problems = []
    if addin_version is not None and addin_version != __version__:
        problems.append(t(
            f"アドイン（{addin_version}）と Python の xlsbridge（{__version__}）の版が違います。"
            "Excel をすべて閉じ、コマンドプロンプトで「xlsbridge addin install」を実行してから Excel を起動し直すか、"
            + ASK_ADMIN[0],
            f"the add-in ({addin_version}) and xlsbridge in Python ({__version__}) differ. Quit Excel, run "
            f"'xlsbridge addin install' in a command prompt and start Excel again, or {ASK_ADMIN[1]}"))
    if xlwings_vba_version is not None and xlwings_vba_version != xlwings.__version__:
        problems.append(t(
            f"アドインの中の xlwings（{xlwings_vba_version}）と Python の xlwings（{xlwings.__version__}）の版が違います。"
            f"コマンドプロンプトで「python -m pip install xlwings=={xlwings_vba_version}」を実行するか、" + ASK_ADMIN[0],
            f"the add-in's xlwings VBA ({xlwings_vba_version}) and the xlwings package ({xlwings.__version__}) differ. "
            f"Run 'python -m pip install xlwings=={xlwings_vba_version}', or {ASK_ADMIN[1]}"))
    return problems


def press(entry: str, addin_version: str | None = None, xlwings_vba_version: str | None = None,
          book: XwBook | None = None) -> Path | None:
    """One ribbon button: check the versions, then run the entry point ``entry`` on the active ledger."""
    from . import entrypoints

    if entry not in ENTRY_POINTS:
        raise ValueError(f"unknown entry point {entry!r}")
    if entry == "self_check":
        return entrypoints.self_check(addin_version, book, xlwings_vba_version=xlwings_vba_version)
    book = entrypoints._book(book)
    problems = version_problems(addin_version, xlwings_vba_version)
    if problems:
        book.app.alert("\n\n".join(problems), title=entrypoints.TITLE)
        return None
    return getattr(entrypoints, entry)(book)


# --- the workbook ------------------------------------------------------------------------------


def require_ledger(book: XwBook) -> None:
    """A workbook with neither a ケース nor a 面会記録 sheet is not a ledger: say so, not "sheet missing"."""
    from ..domain.layout import CASES, VISITS
    from .book import sheet_titles, wanted_titles

    titles = sheet_titles(book)
    if not wanted_titles(titles, (CASES.name, VISITS.name)):
        raise UserError(
            f"開いているブック「{book.name}」は案件台帳ではありません（「{CASES.name}」「{VISITS.name}」シートがありません）。"
            "案件台帳のブックを開いて選んでから、もう一度ボタンを押してください。",
            f"the open workbook {book.name} is not a case ledger (it has no {CASES.name} or {VISITS.name} sheet); "
            "select the ledger workbook and press the button again")


def is_desktop(book: XwBook) -> bool:
    """Excel on Windows or macOS (not xlwings' remote engine, where the workbook has no file here)."""
    try:
        return book.app.engine.type != "remote"
    except Exception:  # noqa: BLE001 — an engine that cannot say: treat it as desktop Excel
        return True


def is_saved_path(fullname: str) -> bool:
    """Excel's FullName of a saved workbook has a folder (Windows, macOS or a URL); a new one is "Book1"."""
    return "/" in fullname or "\\" in fullname or PureWindowsPath(fullname).drive != ""


def require_saved(book: XwBook) -> None:
    if is_desktop(book) and not is_saved_path(str(book.fullname)):
        raise UserError(
            f"このブック（{book.name}）はまだ保存されていません。ボタンは結果を台帳と同じフォルダーに保存し、"
            "書き込む前に台帳の控えを残します。先に「名前を付けて保存」で保存してから、もう一度ボタンを押してください。",
            f"this workbook ({book.name}) has not been saved yet. The buttons save their outputs beside the ledger "
            "and keep a copy of it first: save it (Save As) and press the button again")


def ledger_file(book: XwBook) -> Path | None:
    """The ledger's file on this PC; None for the remote engine or a workbook on SharePoint/OneDrive (a URL)."""
    if not is_desktop(book):
        return None
    fullname = str(book.fullname)
    if "://" in fullname:
        return None
    path = Path(fullname)
    return path if path.is_absolute() and path.is_file() else None


def keep_copy(book: XwBook) -> Path | None:
    """Copy the ledger's file (as last saved) into xlsbridge_backup/ beside it; None when there is no file.

    Pressing buttons without saving in between leaves the file as it was: its newest copy is named
    again instead of filling the retention with identical copies."""
    import filecmp

    from ..io.safe_write import backups_of, make_backup

    path = ledger_file(book)
    if path is None:
        return None
    try:
        existing = backups_of(path)
        if existing and filecmp.cmp(existing[-1], path, shallow=False):
            return existing[-1]
        return make_backup(path)
    except OSError as exc:
        raise UserError(
            f"書き込む前の台帳の控えを作れませんでした（{type(exc).__name__}）。台帳のフォルダーに書き込めるか確かめてください。"
            "台帳は変更していません。",
            f"could not keep a copy of the ledger before writing ({type(exc).__name__}); check that its folder is "
            "writable. The ledger was not changed") from None


def before_write(book: XwBook) -> Path | None:
    """The checks and the copy every writing button makes first; the copy's path, if one was made."""
    require_ledger(book)
    require_saved(book)
    return keep_copy(book)


def copy_note(copy: Path | None) -> str:
    if copy is None:
        return ""
    return t(f"\n\n書き込む前の台帳の控え（最後に保存した状態）: {copy}\n"
             "元に戻すには、この台帳を保存せずに閉じるか、控えのファイルを開いてください。",
             f"\n\nA copy of the ledger as last saved, from before this run: {copy}\n"
             "To go back, close the ledger without saving, or open the copy.")
