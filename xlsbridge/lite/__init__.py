"""xlsbridge as an xlwings Lite plugin: the ribbon's buttons as Lite scripts.

xlwings Lite (an Excel add-in from the Office add-in store) runs Python through Pyodide inside
Excel, so staff need no Python on their PC.  A workbook lists its packages in Lite's
``requirements.txt`` tab; the ledger made by ``xlsbridge template new`` names xlsbridge there, and
its ``main.py`` tab holds one line, ``from xlsbridge.lite import *``, which puts these scripts in
Lite's script list (Lite lists the ``@script`` functions found in main.py, imported ones included).
``xlsbridge addin lite --out DIR`` writes both files for a ledger made earlier.

Each script is the ribbon button of the same name and nothing more: it calls the entry point the
classic add-in calls (xlsbridge/excel/entrypoints.py) with the book Lite hands over, inside
:func:`xlsbridge.excel.runtime.lite_runtime`, which tells the entry points there are no files:

=====================================  ==========================  ==================================
script (Lite's button)                 entry point                 writes
=====================================  ==========================  ==================================
入力チェック                           check_entries               sheet チェック結果
料金計算                               compute_fees                the grey computed columns, 料金集計
期限・年齢チェック                     check_deadlines             sheet 期限・年齢
計画書作成 (選択行のケース)            make_plan                   sheet 計画書_<ケースID>
計画書作成 (全ケース)                  make_all_plans              a sheet 計画書_<ケースID> per case
自己診断                               self_check                  nothing
=====================================  ==========================  ==================================

The contacts sheet (連絡先) is excluded from what Lite loads for each script (``exclude``), so
its values never reach Python.  Every message the entry point shows with ``app.alert`` is also printed, so it is in Lite's output
pane as well.
"""

from __future__ import annotations

from collections.abc import Callable

import xlwings as xw
from xlwings import script

from ..excel import entrypoints as _entrypoints
from ..excel.runtime import lite_runtime
from ..domain.layout import CONTACTS

# Lite loads every sheet's values for a script unless told otherwise: the contacts sheet (addresses,
# phones of DV survivors) never even reaches Python.
NOT_LOADED = [CONTACTS.name]

SCRIPTS = {  # function name -> the button's name (Lite shows the name)
    "check_entries": "入力チェック",
    "compute_fees": "料金計算",
    "check_deadlines": "期限・年齢チェック",
    "make_plan": "計画書作成 (選択行のケース)",
    "make_all_plans": "計画書作成 (全ケース)",
    "self_check": "自己診断",
}


def _run(action: Callable[[], object], book) -> None:
    with lite_runtime():
        action()
    _print_alerts(book)


def _print_alerts(book) -> None:
    """Lite's output pane gets the alert's text too (the remote engine queues alerts as actions)."""
    try:
        actions = book.json()["actions"]
    except Exception:  # noqa: BLE001 - an engine without queued actions: the alert was shown already
        return
    for action in actions:
        if action.get("func") == "alert" and action.get("args"):
            print(action["args"][0])


@script(name=SCRIPTS["check_entries"], exclude=NOT_LOADED)
def check_entries(book: xw.Book):
    """入力チェック: 入力の誤りを「チェック結果」シートに一覧にし、該当セルに色を付けます。"""
    _run(lambda: _entrypoints.check_entries(book), book)


@script(name=SCRIPTS["compute_fees"], exclude=NOT_LOADED)
def compute_fees(book: xw.Book):
    """料金計算: 面会記録の灰色の列と「料金集計」シートを計算し直します。"""
    _run(lambda: _entrypoints.compute_fees(book), book)


@script(name=SCRIPTS["check_deadlines"], exclude=NOT_LOADED)
def check_deadlines(book: xw.Book):
    """期限・年齢チェック: 60 日以内に対応が必要なものを「期限・年齢」シートに一覧にします。"""
    _run(lambda: _entrypoints.check_deadlines(book), book)


@script(name=SCRIPTS["make_plan"], exclude=NOT_LOADED)
def make_plan(book: xw.Book):
    """計画書作成 (選択行のケース): 選んだ行のケースの計画書をシート「計画書_ケースID」に作ります。"""
    _run(lambda: _entrypoints.make_plan(book), book)


@script(name=SCRIPTS["make_all_plans"], exclude=NOT_LOADED)
def make_all_plans(book: xw.Book):
    """計画書作成 (全ケース): 契約中のケースごとに計画書のシートを作ります。"""
    _run(lambda: _entrypoints.make_all_plans(book), book)


@script(name=SCRIPTS["self_check"], exclude=NOT_LOADED)
def self_check(book: xw.Book):
    """自己診断: xlsbridge・xlwings・Python（Pyodide）・台帳テンプレートの版と、足りないものを表示します。"""
    _run(lambda: _entrypoints.self_check(None, book), book)


__all__ = list(SCRIPTS)
