"""The ribbon's entry points (xlsbridge/excel/entrypoints.py) run through xlwings' remote engine.

No Excel: each test builds the JSON an Excel client sends (tests/xlwings_payload.py) from the shipped
sample or template workbook, opens it with ``xw.Book(json=...)``, calls the entry point and reads
what it would do to the workbook from ``book.json()["actions"]``: values written where, sheets added,
alerts, screen updating.  The remote engine is xlwings PRO, free for non-commercial use: the tests set
``XLWINGS_LICENSE_KEY=noncommercial``.

Fees are checked against amounts worked out by hand from domain.md (WEK schedule).  Every write is
checked to land in a computed column or a generated sheet, never in a column staff type into, and
the number of actions is the same for a 10-visit and a 2,000-visit ledger.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
import xlwings as xw

from xlsbridge import __version__
from xlsbridge.excel import entrypoints as ep
from xlsbridge.excel.book import as_excel_text, cell_value, read_sheets, wanted_titles, write_columns
from xlsbridge.excel.sink import excel_value, hyperlink_formula
from xlsbridge.io.sinks import Link
from xlsbridge.services.outputs import findings_rows
from xlsbridge.samples.workbooks import SAMPLE_FILE, TEMPLATE_FILE
from xlsbridge.domain.layout import CASES, CHILDREN, CONTACTS, FEE_COLUMNS, RECORD_SHEETS, VISITS
from xlsbridge.io.reader import read_ledger
from xlsbridge.samples.generate import DELIBERATE_MISTAKES, generate_sample
from xlsbridge.io.settings_toml import default_settings
from xlsbridge.io.template import (
    ERROR_CELLS_NAME,
    FINDINGS_HEADERS,
    WARNING_CELLS_NAME,
    build_template,
    highlight_formula,
    workbook_bytes,
)

from tests import xlwings_payload as xp

ROOT = Path(__file__).resolve().parents[2]
WORKBOOKS = ROOT / "workbooks"
AS_OF = date(2026, 3, 1)  # the sample's "today"
GENERATED = ("チェック結果", "料金集計", "期限・年齢")
FEE_HEADERS = [c.header for c in FEE_COLUMNS]
BOOK_NAME = "案件台帳（北陸支部）.xlsx"


@pytest.fixture(autouse=True)
def remote_engine(monkeypatch, tmp_path):
    """xlwings' remote engine with the non-commercial licence key; plans go to a temporary folder."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    if "remote" not in [e.name for e in xw.engines]:
        # xlwings was imported before the key was set (another test module): register the engine now.
        from xlwings.pro import _xlremote

        xw.engines.add(xw.Engine(impl=_xlremote.engine))
    monkeypatch.setenv("XLSBRIDGE_OUTPUT_DIR", str(tmp_path))


@pytest.fixture(scope="module")
def sample_wb():
    return xp.load(WORKBOOKS / SAMPLE_FILE)


@pytest.fixture(scope="module")
def template_wb():
    return xp.load(WORKBOOKS / TEMPLATE_FILE)


def open_book(wb, **kwargs) -> xw.Book:
    kwargs.setdefault("name", BOOK_NAME)
    return xp.remote_book(wb, **kwargs)


def funcs(book) -> list[str]:
    return [a["func"] for a in xp.actions(book)]


def alerts(book) -> list[str]:
    return [a["args"][0] for a in xp.actions(book) if a["func"] == "alert"]


def the_alert(book) -> str:
    found = alerts(book)
    assert len(found) == 1, found
    return found[0]


def writes(book, titles: list[str]) -> list[tuple[dict[str, Any], str | None]]:
    """Each action with the title of the sheet it acts on (positions shift as sheets are added)."""
    titles = list(titles)
    out = []
    for a in xp.actions(book):
        if a["func"] == "addSheet":
            index, name = a["args"]
            titles.insert(index, name)
            out.append((a, name))
            continue
        pos = a["sheet_position"]
        out.append((a, titles[pos] if pos is not None else None))
    return out


def set_values(book, titles: list[str], sheet: str) -> list[dict[str, Any]]:
    return [a for a, s in writes(book, titles) if s == sheet and a["func"] == "setValues"]


def header_row(wb, title: str) -> list[Any]:
    return [c.value for c in wb[title][1]]


# --------------------------------------------------------------------------------------------------
# What the client sends, and the reader reading it
# --------------------------------------------------------------------------------------------------


def test_payload_is_what_the_office_scripts_client_sends(sample_wb):
    payload = xp.build_payload(sample_wb, name=BOOK_NAME, active="面会記録", selection="B5")
    assert payload["client"] == "Microsoft Office Scripts" and payload["version"] == xw.__version__
    assert payload["book"] == {"name": BOOK_NAME, "active_sheet_index": 4, "selection": "B5"}
    visits = next(s for s in payload["sheets"] if s["name"] == "面会記録")
    row2 = visits["values"][1]
    # V-00001 on 2024-04-13, 13:00–15:00; dates and times as the client's toISOString() gives them.
    assert row2[:5] == ["V-00001", "K-0001", "2024-04-13T00:00:00.000Z", "1899-12-30T13:00:00.000Z",
                        "1899-12-30T15:00:00.000Z"]
    assert row2[7] == ""  # an empty cell
    assert row2[6] == 2
    assert len(visits["values"]) == 484 and len(visits["values"][0]) == len(VISITS.columns)
    assert visits["tables"][0]["name"] == "面会記録表"
    # Range names only: the two highlight columns; not the version constant or the OFFSET formula.
    assert {n["name"]: n["address"] for n in payload["names"]} == {ERROR_CELLS_NAME: "$I:$I", WARNING_CELLS_NAME: "$J:$J"}
    assert payload["sheets"][payload["names"][0]["sheet_index"]]["name"] == "チェック結果"
    assert [s["name"] for s in payload["sheets"]][2] == CONTACTS.name  # the client sends every sheet


def test_the_live_book_reads_like_the_file(sample_wb):
    """Dates, times, ratios, numbers and empty cells as xlwings hands them over give the same ledger
    (and the same findings) as reading the file."""
    from_file = read_ledger(WORKBOOKS / SAMPLE_FILE)
    live = ep._read(open_book(sample_wb))
    assert live.ledger == from_file.ledger
    assert live.findings == from_file.findings
    assert live.cells == from_file.cells
    assert live.ledger.template_version == "1.1"


def test_cell_value_turns_excel_day_zero_back_into_times_and_durations():
    assert cell_value(datetime(1899, 12, 30, 14, 0)) == time(14, 0)
    assert cell_value(datetime(1899, 12, 30)) == time(0, 0)
    # "60:40" typed into a General cell is the duration 60:40 = 2 days 12:40 after day zero.
    assert cell_value(datetime(1900, 1, 1, 12, 40)) == timedelta(days=2, hours=12, minutes=40)
    assert cell_value(datetime(2025, 6, 14)) == datetime(2025, 6, 14)
    assert cell_value(2.0) == 2.0 and cell_value("R7.6.14") == "R7.6.14" and cell_value(None) is None


def test_ratios_excel_turned_into_times_and_error_cells_are_read(sample_wb, tmp_path):
    """"1:1" typed into a General cell arrives as 01:01, "60:40" as a duration; an error cell as #N/A."""
    wb = xp.load(WORKBOOKS / SAMPLE_FILE)
    cases = wb[CASES.name]
    ratio = header_row(wb, CASES.name).index("負担割合") + 1
    cases.cell(2, ratio).value = time(1, 1)
    cases.cell(2, ratio).number_format = "h:mm"
    cases.cell(3, ratio).value = timedelta(hours=60, minutes=40)
    cases.cell(3, ratio).number_format = "[h]:mm"
    payload = xp.build_payload(wb)
    sheet = next(s for s in payload["sheets"] if s["name"] == CASES.name)
    assert sheet["values"][1][ratio - 1] == "1899-12-30T01:01:00.000Z"
    assert sheet["values"][2][ratio - 1] == "1900-01-01T12:40:00.000Z"
    visits = next(s for s in payload["sheets"] if s["name"] == VISITS.name)
    visits["values"][2][6] = "#N/A"  # 子ども人数 of V-00002: Office.js gives an error cell as its text
    read = ep._read(xw.Book(json=payload))
    by_id = {c.case_id: c for c in read.ledger.cases}
    assert (by_id["K-0001"].ratio.father, by_id["K-0001"].ratio.mother) == (1, 1)
    assert (by_id["K-0002"].ratio.father, by_id["K-0002"].ratio.mother) == (60, 40)
    errors = [f for f in read.findings if f.code == "cell-error-value"]
    assert [(f.location.sheet, f.location.cell, f.value) for f in errors] == [(VISITS.name, "G3", "#N/A")]


# --------------------------------------------------------------------------------------------------
# 入力チェック
# --------------------------------------------------------------------------------------------------


def test_check_entries_lists_the_findings_and_their_cells(sample_wb):
    book = open_book(sample_wb, active="面会記録", selection="B5")
    ep.check_entries(book, as_of=AS_OF)
    titles = sample_wb.sheetnames
    # The template's empty チェック結果 is cleared and written; screen updating is back on before the alert.
    assert funcs(book) == ["setScreenUpdating", "sheetClearContents", "setValues", "activateSheet",
                           "setScreenUpdating", "alert"]
    acts = xp.actions(book)
    assert acts[0]["args"] == [False] and acts[4]["args"] == [True]
    [block] = set_values(book, titles, "チェック結果")
    assert (block["start_row"], block["start_column"]) == (0, 0)
    rows = block["values"]
    assert rows[0] == list(FINDINGS_HEADERS)
    assert len(rows) == 1 + len(DELIBERATE_MISTAKES)
    # Column I lists exactly the sample's deliberate mistakes (workbooks/README.md); J (warnings) is empty.
    assert {r[8] for r in rows[1:]} == {m.cell for m in DELIBERATE_MISTAKES}
    assert all(r[9] == "" for r in rows[1:])
    first = rows[1]
    assert first[0] == "エラー"
    assert first[1] == '=HYPERLINK("#\'面会記録\'!H33","面会記録!H33")'
    assert first[3] == "'30"  # the value as text: Excel must not turn it back into a number
    assert first[4:7] == ["V-00032", "extension-not-allowed", "面会記録"]
    assert "延長" in first[2]
    text = the_alert(book)
    assert text.startswith("入力チェック: エラー 8 件、警告 0 件。")
    assert "赤（エラー）" in text and "古いテンプレート" not in text
    assert acts[-1]["args"][1] == "xlsbridge"


def test_check_entries_on_an_older_ledger_adds_the_sheet_and_says_highlights_need_an_upgrade(sample_wb):
    book = open_book(sample_wb, drop=("チェック結果",))
    ep.check_entries(book, as_of=AS_OF)
    assert xp.actions(book)[1]["func"] == "addSheet" and xp.actions(book)[1]["args"] == [8, "チェック結果"]
    assert "古いテンプレート" in the_alert(book) and "xlsbridge template upgrade" in the_alert(book)


def test_check_entries_on_a_clean_ledger(template_wb):
    book = open_book(template_wb)
    ep.check_entries(book, as_of=AS_OF)
    [block] = set_values(book, template_wb.sheetnames, "チェック結果")
    assert block["values"] == [list(FINDINGS_HEADERS)]
    assert the_alert(book) == "入力チェック: 問題は見つかりませんでした。"


def test_findings_keys_use_the_layout_name_and_links_the_tab_as_named(sample_wb):
    """A tab typed '面会記録 ' is still read; its links go to that tab, the highlight keys stay 面会記録!…"""
    book = open_book(sample_wb, rename={"面会記録": "面会記録 "})
    ep.check_entries(book, as_of=AS_OF)
    [block] = [a for a in xp.actions(book) if a["func"] == "setValues"]
    row = block["values"][1]
    assert row[1] == '=HYPERLINK("#\'面会記録 \'!H33","面会記録 !H33")'
    assert row[8] == "面会記録!H33"
    assert row[6] == "面会記録 "


def test_findings_rows_put_warnings_in_the_warning_column():
    report = SimpleNamespace(items=[
        SimpleNamespace(severity="warning", sheet="面会記録", cell="P5", row=5, message="支援員シートにない担当者",
                        value="=見本", record="V-1", code="staff-unknown"),
        SimpleNamespace(severity="error", sheet="ケース", cell=None, row=7, message="m", value=None, record=None,
                        code="x"),
    ])
    rows = findings_rows(report, {"面会記録": "面会記録", "ケース": "ケース"})
    assert rows[1][0] == "警告" and rows[1][8] is None and rows[1][9] == "面会記録!P5"
    assert excel_value(rows[1][3]) == "'=見本"  # typed text that looks like a formula stays text
    assert excel_value(rows[1][1]) == '=HYPERLINK("#\'面会記録\'!P5","面会記録!P5")'
    assert rows[2][1] == "ケース 7行" and rows[2][8] is None and rows[2][9] is None
    assert hyperlink_formula(Link("O'Brien", "A1")) == '=HYPERLINK("#\'O\'\'Brien\'!A1","O\'Brien!A1")'


# --------------------------------------------------------------------------------------------------
# 料金計算
# --------------------------------------------------------------------------------------------------


def test_compute_fees_fills_the_computed_columns_with_hand_checked_amounts(sample_wb):
    book = open_book(sample_wb, active="面会記録", selection="A2")
    ep.compute_fees(book, as_of=AS_OF)
    titles = sample_wb.sheetnames
    assert funcs(book) == ["setScreenUpdating", "setValues", "addSheet", "setValues", "setNumberFormat",
                           "setAutofit", "activateSheet", "setScreenUpdating", "alert"]
    [fees] = set_values(book, titles, "面会記録")
    base = header_row(sample_wb, "面会記録").index("基本料金")
    # One block from row 2 at 基本料金 (column T), over the 12 computed columns and every row.
    assert (fees["start_row"], fees["start_column"], fees["row_count"], fees["column_count"]) == (1, base, 483, 12)
    assert header_row(sample_wb, "面会記録")[base:base + 12] == FEE_HEADERS
    v = {r + 2: dict(zip(FEE_HEADERS, row)) for r, row in enumerate(fees["values"])}

    def amounts(row: int) -> list:
        return [v[row][h] for h in ("基本料金", "子ども加算", "延長料金", "交通費", "会員割引", "減額", "合計", "父負担", "母負担")]

    # Row 2, V-00001 (K-0001: 付き添い型, 2 children, 金沢市, ratio 1:0, no member), 2024-04-13:
    # base 8,500 + second child 8,500 × 1/2 = 4,250 → 12,750; the father pays all; due 5 days before.
    assert amounts(2) == [8500, 4250, 0, 0, 0, 0, 12750, 12750, 0]
    assert v[2]["支払期限"] == "2024-04-08" and v[2]["返金額"] == ""
    assert v[2]["内訳"] == "付き添い型 8,500 + 子ども加算 4,250 = 12,750円"
    # Row 6, V-00005 (K-0002: 付き添い型, 1 child, 60 min agreed, ratio 40:60, the mother a member):
    # 8,500 + 2 × 1,000 = 10,500; father 10,500 × 40% = 4,200, mother 6,300 − 500 = 5,800; total 10,000.
    assert amounts(6) == [8500, 0, 2000, 0, 500, 0, 10000, 4200, 5800]
    assert v[6]["支払期限"] == "2024-05-01"
    # Row 8, V-00007 (K-0003: 連絡調整型 2,000, ratio 7:3, both parents members):
    # 1,400 − 500 = 900 and 600 − 500 = 100; total 1,000; due 2024-06-01 − 5 = 2024-05-27.
    assert amounts(8) == [2000, 0, 0, 0, 1000, 0, 1000, 900, 100]
    assert v[8]["支払期限"] == "2024-05-27"
    # Row 9, V-00008 (K-0004: 連絡調整型 2,000, 1:1) cancelled by the father on 5/30 09:00, before noon of
    # the day before the 6/1 visit: refund 2,000 − the ¥500 insurance part = 1,500.
    assert amounts(9) == [2000, 0, 0, 0, 0, 0, 2000, 1000, 1000] and v[9]["返金額"] == 1500
    # Row 85, V-00084 (K-0001, 12,750) cancelled 2025-01-04 11:30 for 01-05: 12,750 − 500 = 12,250 back.
    assert v[85]["合計"] == 12750 and v[85]["返金額"] == 12250
    # Row 123, V-00122 (K-0001) cancelled 2025-03-08 12:00 for 03-09 — at noon, not before: no refund.
    assert v[123]["合計"] == 12750 and v[123]["返金額"] == 0
    # Row 78, V-00077 (K-0002) cancelled by the organisation: everything paid comes back,
    # 8,500 − the mother's member discount 500 = 8,000.
    assert v[78]["合計"] == 8000 and v[78]["返金額"] == 8000
    # Row 111, V-00110 (K-0018: 付き添い型, 2 children, 30 min agreed, in 七尾市 — out of area, sample fare
    # 1,690 on 区域 — ratio 1:1, no member): 8,500 + 4,250 + 1,000 + 1,690 = 15,440, 7,720 each.
    assert amounts(111) == [8500, 4250, 1000, 1690, 0, 0, 15440, 7720, 7720]
    # Row 33 holds a deliberate mistake (an extension on a 受け渡し型 visit): not priced, and says where.
    assert amounts(33) == [""] * 9
    assert v[33]["内訳"] == "未計算: 面会記録!H33（延長できない類型）を直してください"

    # 料金集計 is added right after 面会記録, like `xlsbridge fees` draws it: note, headers, rows.
    assert xp.actions(book)[2]["args"] == [5, "料金集計"]
    [summary] = set_values(book, titles, "料金集計")
    rows = summary["values"]
    assert rows[0][0] == "基準日 2026/03/01。このシートは xlsbridge が毎回作り直します。ここには入力しないでください。"
    assert rows[1] == ["区分", "ケースID", "年月", "実施", "予定", "中止", "未計算", "父請求", "母請求", "請求計",
                       "父返金", "母返金", "返金計"]
    assert rows[2][0] == "合計" and rows[2][6] == 8
    # April 2024 holds V-00001 (12,750 / 0), V-00002 and V-00003 (K-0002, 8,000 each: 3,400 / 4,600):
    # father 12,750 + 3,400 + 3,400 = 19,550, mother 4,600 + 4,600 = 9,200, billed 28,750.
    # The month is text Excel must not turn into a date.
    assert rows[3] == ["月別", "", "'2024-04", 3, 0, 0, 0, 19550, 9200, 28750, 0, 0, 0]
    # June 2024: V-00008's refund 1,500 goes back 750 / 750 (ratio 1:1).
    june = next(r for r in rows if r[0] == "月別" and r[2] == "'2024-06")
    assert june[10:13] == [750, 750, 1500]
    yen = next(a for a in xp.actions(book) if a["func"] == "setNumberFormat")
    assert yen["args"] == ["#,##0"] and (yen["start_row"], yen["start_column"], yen["column_count"]) == (2, 7, 6)
    assert xp.actions(book)[6]["sheet_position"] == 4  # back on 面会記録
    assert the_alert(book) == ("料金計算: 面会 483 件中 475 件を計算しました（面会記録の灰色の列と「料金集計」シート）。\n"
                               "8 件は入力に誤りがあるため計算していません（内訳の列に直す場所があります。"
                               "「入力チェック」でも確認できます）。")


def test_compute_fees_works_each_rows_cells_out_once(sample_wb, monkeypatch):
    """services/outputs hands the sink a mapping that works a row's cells out when asked; the live
    book reads it column by column, so it takes each row once first (483 visit rows in the sample)."""
    from xlsbridge.services import fees

    calls = []
    computed = fees.computed_values
    monkeypatch.setattr(fees, "computed_values", lambda vp, read: calls.append(vp.visit.row) or computed(vp, read))
    ep.compute_fees(open_book(sample_wb, active="面会記録", selection="A2"), as_of=AS_OF)
    assert len(calls) == len(set(calls)) == 483


def test_compute_fees_on_a_ledger_without_computed_columns_adds_their_headers_at_the_end(sample_wb):
    wb = xp.load(WORKBOOKS / SAMPLE_FILE)
    ws = wb["面会記録"]
    ws.delete_cols(VISITS.columns.index(VISITS.column("fee.base")) + 1, len(FEE_COLUMNS))
    book = open_book(wb)
    ep.compute_fees(book, as_of=AS_OF)
    written = set_values(book, wb.sheetnames, "面会記録")
    headers, block = written
    width = len(VISITS.columns) - len(FEE_COLUMNS)  # 19 input columns, A..S
    assert (headers["start_row"], headers["start_column"]) == (0, width)
    assert headers["values"] == [FEE_HEADERS]
    assert (block["start_row"], block["start_column"], block["column_count"]) == (1, width, 12)
    assert block["values"][0][:9] == [8500, 4250, 0, 0, 0, 0, 12750, 12750, 0]


def test_no_input_column_of_the_visits_sheet_shares_a_header_with_a_computed_one():
    """compute_fees writes where the reader found each computed header: that is never an input column
    as long as no header or alias is shared (a new alias must not break this)."""
    from xlsbridge.domain.rules import fold

    def names(columns):
        return {fold(h) for c in columns for h in (c.header, *c.aliases)}

    assert names(VISITS.input_columns).isdisjoint(names(VISITS.computed_columns))


def test_write_columns_never_writes_between_the_given_columns():
    calls = []

    class Sheet:
        def range(self, cell):
            return _Recorder(calls, cell)

    # Columns 20-21 and 23 (22 is an input column staff moved between computed ones): two blocks.
    assert write_columns(Sheet(), 2, {20: [1, 2], 21: [3, 4], 23: [5]}) == 2
    assert calls == [((2, 20), [[1, 3], [2, 4]]), ((2, 23), [[5]])]


class _Recorder:
    def __init__(self, calls, cell):
        object.__setattr__(self, "_calls", calls)
        object.__setattr__(self, "_cell", cell)

    def __setattr__(self, name, value):
        assert name == "value"
        self._calls.append((self._cell, value))


# --------------------------------------------------------------------------------------------------
# 期限・年齢チェック
# --------------------------------------------------------------------------------------------------


def test_check_deadlines_draws_the_flags_sheet(sample_wb):
    book = open_book(sample_wb)
    ep.check_deadlines(book, as_of=AS_OF)
    # two number formats: 期日 as a date, 残り日数 with overdue (negative) days in red
    assert funcs(book) == ["setScreenUpdating", "addSheet", "setValues", "setNumberFormat", "setNumberFormat",
                           "setAutofit", "activateSheet", "setScreenUpdating", "alert"]
    assert [a["args"] for a in xp.actions(book) if a["func"] == "setNumberFormat"] == [["yyyy/m/d"], ["0;[Red]-0"]]
    assert xp.actions(book)[1]["args"] == [9, "期限・年齢"]
    [block] = set_values(book, sample_wb.sheetnames + ["期限・年齢"], "期限・年齢")
    rows = block["values"]
    assert rows[0][0].startswith("基準日 令和8年3月1日 から 60 日以内。")
    assert rows[1] == ["期日", "残り日数", "種類", "ケースID", "対象", "対応"]
    # V-00422 (K-0030) on 2026-02-28, the father has not paid: due 5 days before, 6 days overdue.
    assert rows[2][:5] == ["2026-02-23", -6, "未入金", "K-0030", "V-00422"]
    # K-0022's child enters junior high on 2026-04-01, before the renewal on 2026-04-04 (34 days on).
    leaving = next(r for r in rows[2:] if r[2] == "更新時に対象外となる子ども")
    assert leaving[:4] == ["2026-04-04", 34, "更新時に対象外となる子ども", "K-0022"]
    assert "中学1年生" in leaving[5]
    assert len(rows) - 2 == 31
    fmt = next(a for a in xp.actions(book) if a["func"] == "setNumberFormat")
    assert fmt["args"] == ["yyyy/m/d"] and (fmt["start_row"], fmt["start_column"], fmt["row_count"]) == (2, 0, 31)
    assert the_alert(book) == "期限・年齢チェック: 60 日以内に対応が必要なものが 31 件あります（「期限・年齢」シート）。"


def test_the_ribbons_deadlines_sheet_is_in_the_ledgers_language(tmp_path):
    """A ledger whose 設定 says 台帳の言語 英語 gets an English 期限・年齢 from the Japanese ribbon; the
    message box stays in the staff's language."""
    wb = openpyxl.load_workbook(WORKBOOKS / SAMPLE_FILE)
    ws = wb["設定"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "台帳の言語")
    ws.cell(row, 2).value = "英語"
    path = tmp_path / "english.xlsx"
    wb.save(path)
    english = xp.load(path)
    book = open_book(english)
    ep.check_deadlines(book, as_of=AS_OF)
    [block] = set_values(book, english.sheetnames + ["期限・年齢"], "期限・年齢")
    rows = block["values"]
    assert rows[0][0].startswith("As of 2026-03-01, within 60 days.")
    assert rows[1] == ["Due", "Days left", "Kind", "Case", "Record", "What to do"]
    assert the_alert(book).startswith("期限・年齢チェック: 60 日以内に対応が必要なものが 31 件")


def test_check_deadlines_with_nothing_due(template_wb):
    book = open_book(template_wb)
    ep.check_deadlines(book, as_of=AS_OF)
    assert the_alert(book) == "期限・年齢チェック: 60 日以内に対応が必要なものはありません。"


# --------------------------------------------------------------------------------------------------
# Nothing is written into an input column
# --------------------------------------------------------------------------------------------------

ENTRY_POINTS = {
    "check_entries": lambda book: ep.check_entries(book, as_of=AS_OF),
    "compute_fees": lambda book: ep.compute_fees(book, as_of=AS_OF),
    "check_deadlines": lambda book: ep.check_deadlines(book, as_of=AS_OF),
    "make_plan": lambda book: ep.make_plan(book, as_of=AS_OF),
    "make_all_plans": lambda book: ep.make_all_plans(book, as_of=AS_OF),
    "self_check": lambda book: ep.self_check(__version__, book),
}
NOT_WRITES = {"setScreenUpdating", "alert", "addSheet", "activateSheet"}


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_no_action_writes_into_an_input_column(sample_wb, name):
    book = open_book(sample_wb, active="ケース", selection="A3")
    ENTRY_POINTS[name](book)
    headers = header_row(sample_wb, "面会記録")
    computed = {i for i, h in enumerate(headers) if h in FEE_HEADERS}
    assert len(computed) == 12
    for action, sheet in writes(book, sample_wb.sheetnames):
        if action["func"] in NOT_WRITES:
            continue
        if sheet in GENERATED:
            continue
        # The only writes outside generated sheets: values into 面会記録's computed columns.
        assert sheet == "面会記録" and action["func"] == "setValues", (name, action["func"], sheet)
        span = set(range(action["start_column"], action["start_column"] + action["column_count"]))
        assert span <= computed and action["start_row"] >= 1, (name, action)
    assert funcs(book)[0] == "setScreenUpdating" and funcs(book)[-2:] == ["setScreenUpdating", "alert"]


# --------------------------------------------------------------------------------------------------
# The number of Excel calls does not grow with the ledger
# --------------------------------------------------------------------------------------------------


def _ledger(cases: int, seed: int, visits: int):
    """A generated ledger cut to exactly ``visits`` visits, with a known error on row 3 (45 minutes)."""
    records = generate_sample(cases, seed, date(2024, 4, 1))
    del records.sheets[VISITS.name][visits:]
    records.sheets[VISITS.name][1]["extension_minutes"] = 45
    return xp.load(workbook_bytes(build_template(default_settings(), sample=records)))


@pytest.fixture(scope="module")
def small_and_large():
    return _ledger(2, 5, 10), _ledger(190, 5, 2000)


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_the_number_of_actions_does_not_depend_on_the_number_of_visits(small_and_large, template_wb, name):
    sequences = []
    for wb in small_and_large:
        book = open_book(wb, active="ケース", selection="A2")
        ENTRY_POINTS[name](book)
        sequences.append(funcs(book))
        if name == "compute_fees":  # the whole fee block is still one write
            [block] = set_values(book, wb.sheetnames, "面会記録")
            assert block["row_count"] == wb["面会記録"].max_row - 1
    small, large = sequences
    assert len(small) == len(large) and small == large, (small, large)
    assert "alert" in small and len(small) <= 10
    # An empty ledger (the template) too: no action is skipped when there is nothing to list.
    book = open_book(template_wb, active="ケース", selection="A2")
    ENTRY_POINTS[name](book)
    assert len(funcs(book)) == len(small)


def test_the_generated_ledgers_have_the_sizes_the_test_needs(small_and_large):
    small, large = small_and_large
    assert (small["面会記録"].max_row - 1, large["面会記録"].max_row - 1) == (10, 2000)


# --------------------------------------------------------------------------------------------------
# 計画書作成
# --------------------------------------------------------------------------------------------------


def _plan_values(path: Path) -> dict[str, list[list[Any]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c for c in row] for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


@pytest.mark.parametrize("sheet, selection, case_id", [
    ("ケース", "C4", "K-0003"),     # row 4 of ケース is K-0003
    ("子ども", "B2:D2", None),      # the first child's case
    ("面会記録", "F9", "K-0004"),   # V-00008 belongs to K-0004
])
def test_make_plan_draws_the_case_of_the_selected_row(sample_wb, tmp_path, sheet, selection, case_id):
    if case_id is None:
        case_id = sample_wb[CHILDREN.name]["A2"].value
    book = open_book(sample_wb, active=sheet, selection=selection)
    target = ep.make_plan(book, as_of=AS_OF)
    assert target == tmp_path / f"計画書_{case_id}.xlsx" and target.exists()
    assert funcs(book) == ["setScreenUpdating", "setScreenUpdating", "alert"]  # nothing written to the ledger
    assert the_alert(book) == (f"計画書 1 件を作成しました:\n{target}\nA4 縦で印刷できます。"
                               "住所・電話・メールは載っていません。")
    drawn = _plan_values(target)
    assert list(drawn) == [f"計画書_{case_id}"]
    assert not (tmp_path / f"~${target.name}").exists()


def test_make_plan_draws_what_xlsbridge_plan_out_draws(sample_wb, tmp_path):
    book = open_book(sample_wb, active="ケース", selection="A3")
    target = ep.make_plan(book, as_of=AS_OF)
    cli_out = tmp_path / "cli.xlsx"
    p = subprocess.run([sys.executable, "-m", "xlsbridge.cli.main", "plan", str(WORKBOOKS / SAMPLE_FILE), "--case",
                        "K-0002", "--out", str(cli_out), "--as-of", AS_OF.isoformat()],
                       capture_output=True, text=True, encoding="utf-8")
    assert p.returncode == 0, p.stderr
    assert target.name == "計画書_K-0002.xlsx"
    assert _plan_values(target) == _plan_values(cli_out)


def test_plans_hold_no_contact_details(sample_wb):
    private = _contact_values(sample_wb)
    book = open_book(sample_wb)
    target = ep.make_all_plans(book, as_of=AS_OF)
    assert target.name == "計画書_全ケース_20260301.xlsx"
    drawn = _plan_values(target)
    assert len(drawn) == 32  # the sample's 32 cases 契約中
    assert the_alert(book).startswith("計画書 32 件を作成しました:")
    text = json.dumps(drawn, ensure_ascii=False, default=str)
    assert not [v for v in private if v in text]


@pytest.mark.parametrize("sheet, selection", [
    ("使い方", "A5"),      # not a record sheet
    ("支援員", "A3"),      # a record sheet without cases
    ("ケース", "A1"),      # the header row
    ("ケース", "A300"),    # below the records
    ("ケース", None),      # no cell selected (a shape)
])
def test_make_plan_without_a_case_row_selected_explains_in_japanese(sample_wb, tmp_path, sheet, selection):
    book = open_book(sample_wb, active=sheet, selection=selection)
    assert ep.make_plan(book, as_of=AS_OF) is None
    assert the_alert(book).startswith("ケース・子ども・面会記録のいずれかのシートで、計画書を作るケースの行")
    assert funcs(book) == ["setScreenUpdating", "setScreenUpdating", "alert"]
    assert list(tmp_path.glob("*.xlsx")) == []


def test_make_plan_refuses_rows_of_several_cases(sample_wb):
    book = open_book(sample_wb, active="ケース", selection="A2:C4")
    assert ep.make_plan(book, as_of=AS_OF) is None
    assert the_alert(book).startswith("複数のケース（K-0001、K-0002、K-0003）の行が選択されています。")
    # Several rows of one case are fine: 面会記録 rows 3-4 are both K-0002.
    book = open_book(sample_wb, active="面会記録", selection="A3:A4")
    assert ep.make_plan(book, as_of=AS_OF).name == "計画書_K-0002.xlsx"


def test_make_plan_does_not_overwrite_a_plan_open_in_excel(sample_wb, tmp_path):
    (tmp_path / "計画書_K-0002.xlsx").write_bytes(b"old")
    (tmp_path / "~$計画書_K-0002.xlsx").write_bytes(b"x")
    book = open_book(sample_wb, active="ケース", selection="A3")
    assert ep.make_plan(book, as_of=AS_OF) is None
    assert the_alert(book) == "計画書_K-0002.xlsx が Excel で開かれています。そのブックを閉じてから、もう一度ボタンを押してください"
    assert (tmp_path / "計画書_K-0002.xlsx").read_bytes() == b"old"


def test_plans_go_beside_the_ledger_or_into_documents(monkeypatch, tmp_path):
    monkeypatch.delenv("XLSBRIDGE_OUTPUT_DIR")
    ledger_dir = tmp_path / "共有" / "台帳"
    ledger_dir.mkdir(parents=True)
    assert ep.output_folder(SimpleNamespace(fullname=str(ledger_dir / "案件台帳.xlsx"))) == ledger_dir
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    # The remote engine (and a workbook on SharePoint) has no local folder: Documents.
    assert ep.output_folder(SimpleNamespace(fullname="案件台帳.xlsx")) == home / "Documents"
    assert ep.output_folder(SimpleNamespace(fullname="https://example.sharepoint.com/台帳.xlsx")) == home / "Documents"
    monkeypatch.setenv("XLSBRIDGE_OUTPUT_DIR", str(tmp_path / "missing"))
    with pytest.raises(Exception) as exc:
        ep.output_folder(SimpleNamespace(fullname="x.xlsx"))
    assert "保存先フォルダー（XLSBRIDGE_OUTPUT_DIR）がありません" in str(exc.value)


def test_plan_file_names():
    from xlsbridge.io.plan_sheet import plan_file_name

    assert plan_file_name("K-0001", AS_OF) == "計画書_K-0001.xlsx"
    assert plan_file_name("2025/03 A:1", AS_OF) == "計画書_2025_03_A_1.xlsx"
    assert plan_file_name(None, AS_OF) == "計画書_全ケース_20260301.xlsx"


def test_make_plan_opens_the_new_workbook_in_desktop_excel(sample_wb, tmp_path):
    """On the desktop engines the plan is opened for printing; the remote engine has no files."""
    opened = []
    remote = open_book(sample_wb, active="ケース", selection="A3")
    ep._open_in_excel(remote, tmp_path / "x.xlsx")
    assert xp.actions(remote) == []
    desktop = SimpleNamespace(app=SimpleNamespace(engine=SimpleNamespace(type="desktop"),
                                                  books=SimpleNamespace(open=opened.append)))
    ep._open_in_excel(desktop, tmp_path / "x.xlsx")
    assert opened == [str(tmp_path / "x.xlsx")]


# --------------------------------------------------------------------------------------------------
# 自己診断
# --------------------------------------------------------------------------------------------------


def test_self_check_matching_versions(sample_wb):
    book = open_book(sample_wb)
    ep.self_check(__version__, book)
    text = the_alert(book)
    assert f"✓ アドインと Python パッケージの版: アドイン {__version__} / パッケージ {__version__}" in text
    assert f"✓ xlsbridge: {__version__}" in text and f"✓ xlwings: {xw.__version__}" in text
    assert sys.executable in text  # the interpreter xlwings started
    assert "✓ 台帳のテンプレート版: 台帳 1.1 / 最新 1.1" in text
    assert "LibreOffice（PDF 作成用）" in text
    assert "xlsbridge addin install" not in text
    assert xp.actions(book)[-1]["args"][1] == "xlsbridge 自己診断"


def test_self_check_version_mismatch_says_what_to_do(sample_wb):
    book = open_book(sample_wb)
    ep.self_check("0.0.1", book)
    text = the_alert(book)
    assert f"✗ アドインと Python パッケージの版: アドイン 0.0.1 / パッケージ {__version__}" in text
    assert "Excel をすべて閉じ、コマンドプロンプトで「xlsbridge addin install」を実行して" in text


def test_self_check_on_a_workbook_that_is_not_a_ledger():
    payload = {"client": xp.CLIENT, "version": xw.__version__, "names": [],
               "book": {"name": "Book1", "active_sheet_index": 0, "selection": "A1"},
               "sheets": [{"name": "Sheet1", "values": [[""]], "pictures": [], "tables": []}]}
    book = xw.Book(json=payload)
    ep.self_check(__version__, book)
    assert "△ 台帳のテンプレート版: 記録がありません" in the_alert(book)


# --------------------------------------------------------------------------------------------------
# Robustness: one Japanese alert, never a traceback, never a value from the ledger
# --------------------------------------------------------------------------------------------------

LEDGER_ACTIONS = [n for n in ENTRY_POINTS if n != "self_check"]


@pytest.mark.parametrize("name", LEDGER_ACTIONS)
def test_a_missing_sheet_is_one_japanese_alert(sample_wb, name):
    book = open_book(sample_wb, drop=(CHILDREN.name,), active="ケース", selection="A3")
    ENTRY_POINTS[name](book)
    assert funcs(book) == ["setScreenUpdating", "setScreenUpdating", "alert"]
    assert the_alert(book).startswith("シート「子ども」がありません（あるシート: 「使い方」、「ケース」、「連絡先」")


def test_invalid_settings_are_one_japanese_alert_with_the_cell(sample_wb):
    wb = xp.load(WORKBOOKS / SAMPLE_FILE)
    assert wb["設定"]["A8"].value == "契約期間(月)"
    wb["設定"]["B8"] = "十二"
    book = open_book(wb)
    ep.compute_fees(book, as_of=AS_OF)
    assert funcs(book) == ["setScreenUpdating", "setScreenUpdating", "alert"]
    text = the_alert(book)
    assert "設定!B8" in text and "十二" in text


@pytest.mark.parametrize("name", LEDGER_ACTIONS)
def test_an_unexpected_error_shows_its_type_only(sample_wb, monkeypatch, name):
    import xlsbridge.io.reader as reader

    def broken(*args, **kwargs):
        raise ValueError("北陸 太郎 090-0000-1234 石川県見本町1-2")

    monkeypatch.setattr(reader, "read_ledger_rows", broken)
    book = open_book(sample_wb, active="ケース", selection="A3")
    ENTRY_POINTS[name](book)
    assert funcs(book) == ["setScreenUpdating", "setScreenUpdating", "alert"]
    text = the_alert(book)
    assert text.startswith("予期しないエラーで中断しました（ValueError, xlsbridge/")
    assert "入力したセルは変更していません" in text
    assert not any(s in text for s in ("北陸", "090", "見本町", "Traceback"))


def test_unexpected_error_message_names_the_xlsbridge_line():
    try:
        ep._read(None)
    except Exception as exc:  # noqa: BLE001
        text = ep.unexpected_error_message(exc)
    assert re.search(r"（AttributeError, xlsbridge/excel/book\.py:\d+）", text), text


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_contact_details_never_reach_an_action(sample_wb, name):
    """The client sends the 連絡先 sheet with every call; nothing of it may come back to Excel."""
    private = _contact_values(sample_wb)
    assert len(private) > 100
    book = open_book(sample_wb, active="ケース", selection="A3")
    ENTRY_POINTS[name](book)
    text = json.dumps(xp.actions(book), ensure_ascii=False, default=str)
    assert not [v for v in private if v in text]


def _contact_values(wb) -> set[str]:
    ws = wb[CONTACTS.name]
    keys = [c.key for c in CONTACTS.columns]
    private = set()
    for row in ws.iter_rows(min_row=2, values_only=True):
        for key, value in zip(keys, row):
            if key in ("address", "phone", "email") and value:
                private.add(str(value))
    return private


class _SpySheet:
    def __init__(self, name: str, rows: list[list[Any]], touched: list[str]):
        self.name = name
        self._rows = rows
        self._touched = touched
        last = SimpleNamespace(row=len(rows), column=max(len(r) for r in rows))
        self.used_range = SimpleNamespace(last_cell=last)

    def range(self, *args):
        self._touched.append(self.name)
        rows = self._rows
        return SimpleNamespace(options=lambda **kw: SimpleNamespace(value=rows))


def test_read_sheets_folds_tab_names_and_never_touches_contacts():
    touched: list[str] = []
    titles = ["使い方", "ケース", "連絡先 ", "子ども", "面会記録 ", "支援員", "設定", "区域", "ＣＯＮＴＡＣＴ"]
    sheets = [_SpySheet(t, [["h"], [datetime(1899, 12, 30, 9, 30)]], touched) for t in titles]
    book = SimpleNamespace(sheets=sheets)
    got = read_sheets(book)
    assert sorted(got) == sorted(["ケース", "子ども", "面会記録 ", "支援員", "設定", "区域"])
    assert "連絡先 " not in touched and "使い方" not in touched
    assert got["面会記録 "] == [["h"], [time(9, 30)]]
    # Even asked for by name, the contacts sheet is not read.
    assert read_sheets(book, (CONTACTS.name, " 連絡先")) == {}
    assert wanted_titles(["連絡先", "面会記録"], ["連絡先", "面会記録"]) == ["面会記録"]


def test_a_stray_space_in_a_tab_name_still_computes_fees_on_that_tab(sample_wb):
    book = open_book(sample_wb, rename={"面会記録": "面会記録 "})
    ep.compute_fees(book, as_of=AS_OF)
    titles = [t if t != "面会記録" else "面会記録 " for t in sample_wb.sheetnames]
    [fees] = set_values(book, titles, "面会記録 ")
    assert fees["values"][0][:9] == [8500, 4250, 0, 0, 0, 0, 12750, 12750, 0]


# --------------------------------------------------------------------------------------------------
# Called from the add-in: the caller is xlsbridge.xlam
# --------------------------------------------------------------------------------------------------


def test_book_is_the_active_workbook_when_the_caller_is_the_addin(sample_wb, monkeypatch):
    ledger = open_book(sample_wb)
    addin = SimpleNamespace(name="xlsbridge.xlam", app=SimpleNamespace(books=SimpleNamespace(active=ledger)))
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: addin))
    assert ep._book(None) is ledger
    ep.check_entries(as_of=AS_OF)  # as RunPython calls it: no argument
    assert the_alert(ledger).startswith("入力チェック: エラー 8 件")
    # Called from a macro-enabled ledger itself, the caller is the ledger.
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: ledger))
    assert ep._book(None) is ledger
    given = object()
    assert ep._book(given) is given


class _FakeApp:
    def __init__(self):
        self.events: list[tuple[str, Any]] = []
        self.books = SimpleNamespace(active=None)

    def __setattr__(self, name, value):
        if name == "screen_updating":
            self.events.append(("screen_updating", value))
        object.__setattr__(self, name, value)

    def alert(self, prompt, title=None, **kwargs):
        self.events.append(("alert", prompt))


def test_with_only_the_addin_open_the_buttons_ask_for_the_ledger(monkeypatch):
    app = _FakeApp()
    addin = SimpleNamespace(name="XLSBRIDGE.XLAM", app=app)
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: addin))
    ep.compute_fees(as_of=AS_OF)
    ep.make_plan(as_of=AS_OF)
    ask = "案件台帳のブックを開き、そのブックを選んでからボタンを押してください"
    assert app.events == [("screen_updating", False), ("screen_updating", True), ("alert", ask)] * 2
    app.events.clear()
    ep.self_check(__version__)  # the self-check still works, without a ledger
    [(_, text)] = [e for e in app.events if e[0] == "alert"]
    assert "△ 台帳のテンプレート版: 記録がありません" in text and f"パッケージ {__version__}" in text


# --------------------------------------------------------------------------------------------------
# Excel text
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+81", "'+81"), ("-", "'-"), ("001", "'001"),
    ("2025-06", "'2025-06"), ("1:1", "'1:1"), ("R6.4.1", "'R6.4.1"), ("令和6年4月1日", "'令和6年4月1日"),
    ("TRUE", "'TRUE"), ("#N/A", "'#N/A"), ("３０", "'３０"),
    ("K-0001", "K-0001"), ("付き添い型 8,500 = 8,500円", "付き添い型 8,500 = 8,500円"), ("", ""), (None, None), (5, 5),
])
def test_as_excel_text(value, expected):
    assert as_excel_text(value) == expected


# --------------------------------------------------------------------------------------------------
# The template's highlights
# --------------------------------------------------------------------------------------------------


def test_template_highlights_listed_cells_on_every_sheet_the_checks_read(template_wb):
    wb = openpyxl.load_workbook(WORKBOOKS / TEMPLATE_FILE)
    assert wb.defined_names[ERROR_CELLS_NAME].attr_text == "'チェック結果'!$I:$I"
    assert wb.defined_names[WARNING_CELLS_NAME].attr_text == "'チェック結果'!$J:$J"
    assert [c.value for c in wb["チェック結果"][1]] == [h or None for h in FINDINGS_HEADERS]
    for layout in RECORD_SHEETS:
        ws = wb[layout.name]
        rules = [(str(cf.sqref), r.formula[0], r.dxf.fill.fgColor.rgb[-6:], r.stopIfTrue)
                 for cf in ws.conditional_formatting for r in cf.rules]
        if layout.name == CONTACTS.name:
            assert rules == []
            continue
        last = openpyxl.utils.get_column_letter(len(layout.columns))
        assert rules == [
            (f"A1:{last}1048576", f'COUNTIF(xlsbridge_error_cells,"{layout.name}!"&ADDRESS(ROW(),COLUMN(),4))>0', "FFC7CE", True),
            (f"A1:{last}1048576", f'COUNTIF(xlsbridge_warning_cells,"{layout.name}!"&ADDRESS(ROW(),COLUMN(),4))>0', "FFEB9C", True),
        ]
    assert highlight_formula("n", "面会記録") == 'COUNTIF(n,"面会記録!"&ADDRESS(ROW(),COLUMN(),4))>0'


def _ppm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P6" and parts[3] == b"255"
    return int(parts[1]), int(parts[2]), parts[4]


def _boxes(width: int, pixels: bytes, colours: dict[str, tuple[int, int, int]]) -> dict[str, tuple | None]:
    """Bounding box (x0, y0, x1, y1) of the pixels close to each colour, or None."""
    found: dict[str, list[int] | None] = {k: None for k in colours}
    for i in range(0, len(pixels), 3):
        r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
        for key, (cr, cg, cb) in colours.items():
            if abs(r - cr) <= 4 and abs(g - cg) <= 4 and abs(b - cb) <= 4:
                x, y = (i // 3) % width, (i // 3) // width
                box = found[key]
                found[key] = [x, y, x, y] if box is None else [min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y)]
    return {k: tuple(v) if v else None for k, v in found.items()}


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice (soffice) and poppler (pdftoppm) are needed")
def test_libreoffice_colours_the_cells_the_findings_sheet_lists(tmp_path):
    """The check's own block written into a copy: the listed cells render red / yellow, nothing else."""
    records = generate_sample(1, 3, date(2024, 4, 1), mistakes=False)
    del records.sheets[VISITS.name][6:]
    records.sheets[VISITS.name][1]["extension_minutes"] = 45  # row 3: an error in 延長(分) (column H)
    records.sheets[VISITS.name][3]["staff"] = "見本 次郎"      # row 5: a warning in 担当支援員 (column P)
    wb = build_template(default_settings(), sample=records)
    book = open_book(xp.load(workbook_bytes(wb)))
    ep.check_entries(book, as_of=AS_OF)
    [block] = [a for a in xp.actions(book) if a["func"] == "setValues"]
    keys = [(r[8], r[9]) for r in block["values"][1:]]
    assert ("面会記録!H3", "") in keys and ("", "面会記録!P5") in keys

    def render(with_findings: bool, name: str) -> Path:
        copy = xp.load(workbook_bytes(wb))
        for title in copy.sheetnames:
            if title not in ("面会記録", "チェック結果"):
                del copy[title]  # print only 面会記録 (page 1) and the findings
        if with_findings:
            findings = copy["チェック結果"]
            for r, row in enumerate(block["values"], start=1):
                for c, value in enumerate(row, start=1):
                    findings.cell(r, c, value if value != "" else None)
        copy.save(tmp_path / f"{name}.xlsx")
        return tmp_path / f"{name}.xlsx"

    files = [render(True, "with"), render(False, "without")]
    profile = (tmp_path / "profile").as_uri()
    p = subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile}", "--convert-to",
                        "pdf", "--outdir", str(tmp_path), *map(str, files)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    colours = {"error": (0xFF, 0xC7, 0xCE), "warning": (0xFF, 0xEB, 0x9C)}
    boxes = {}
    for name in ("with", "without"):
        subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "150", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True, timeout=120)
        [ppm] = tmp_path.glob(f"{name}-*.ppm")
        width, _, pixels = _ppm(ppm)
        boxes[name] = _boxes(width, pixels, colours)
    assert boxes["without"] == {"error": None, "warning": None}
    error, warning = boxes["with"]["error"], boxes["with"]["warning"]
    assert error is not None and warning is not None
    # H3 is left of and above P5; each highlight is one cell, not a band across the sheet.
    assert error[2] < warning[0] and error[3] < warning[1]
    for x0, y0, x1, y1 in (error, warning):
        assert 0 < y1 - y0 < 40 and 0 < x1 - x0 < 200
