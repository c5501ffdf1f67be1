"""`xlsbridge flags` on the shipped sample at a fixed date: exactly the expected items."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from xlsbridge.cli.main import cli
from xlsbridge.domain.layout import FLAGS_SHEET

SAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "案件台帳サンプル.xlsx"


def flags_json(*extra: str) -> dict:
    result = CliRunner().invoke(cli, ["flags", str(SAMPLE), "--as-of", "2026-03-01", "--no-write",
                                      "--format", "json", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# The sample as of 2026-03-01, 60 days ahead (to 2026-04-30).  The four kinds worked out by hand:
# - K-0022: contracts 2025-04-03 / 2025-04-04 → the term runs from the later one and ends 2026-04-03;
#   renewal 2026-04-04. Its child born 2013-12-19: cohort 2013, school year 2026 → grade
#   2026 − 2013 − 6 = 7 → 中学1年, age 12 → leaves at the renewal. (The sibling born 2016-10-19: grade 4.)
# - K-0030 / V-00422: held 2026-02-28, due 5 days before = 2026-02-23; mother paid 2026-02-20,
#   father has no 父入金日 → father's share overdue by 6 days.
# - K-0028 (national programme): visits planned 2026-03-28 and 2026-04-11 use March's and April's
#   one visit (due from each month's first day); support began 2025-08-13 (second contract), so its year ends 2026-08-12: outside.
# - review dates come from 見直し予定日 (K-0010: 2026-03-02, one day ahead).
EXPECTED = [
    ("payment-overdue", "K-0030", "2026-02-23", "V-00422"),
    ("national-month-used", "K-0028", "2026-03-01", "V-00451"),
    ("review-due", "K-0010", "2026-03-02", None),
    ("review-due", "K-0015", "2026-03-02", None),
    ("review-due", "K-0034", "2026-03-08", None),
    ("review-due", "K-0035", "2026-03-09", None),
    ("contract-renewal", "K-0020", "2026-03-10", None),
    ("review-due", "K-0020", "2026-03-11", None),
    ("contract-renewal", "K-0021", "2026-03-17", None),
    ("review-due", "K-0021", "2026-03-18", None),
    ("review-due", "K-0005", "2026-03-19", None),
    ("review-due", "K-0030", "2026-03-22", None),
    ("review-due", "K-0026", "2026-03-23", None),
    ("review-due", "K-0031", "2026-03-26", None),
    ("review-due", "K-0036", "2026-03-26", None),
    ("review-due", "K-0012", "2026-03-30", None),
    ("national-month-used", "K-0028", "2026-04-01", "V-00473"),
    ("review-due", "K-0006", "2026-04-03", None),
    ("contract-renewal", "K-0022", "2026-04-03", None),
    ("child-leaves-at-renewal", "K-0022", "2026-04-04", "子ども!30行"),
    ("review-due", "K-0022", "2026-04-04", None),
    ("contract-renewal", "K-0002", "2026-04-07", None),
    ("review-due", "K-0002", "2026-04-08", None),
    ("review-due", "K-0027", "2026-04-14", None),
    ("review-due", "K-0037", "2026-04-15", None),
    ("review-due", "K-0017", "2026-04-20", None),
    ("review-due", "K-0032", "2026-04-21", None),
    ("review-due", "K-0007", "2026-04-25", None),
    ("contract-renewal", "K-0023", "2026-04-29", None),
    ("review-due", "K-0008", "2026-04-30", None),
    ("review-due", "K-0023", "2026-04-30", None),
]


def test_sample_lists_exactly_the_expected_items():
    got = [(f["kind"], f["case_id"], f["due"], f["record"]) for f in flags_json()["flags"]]
    assert got == EXPECTED


def test_hand_worked_details():
    flags = {(f["kind"], f["case_id"], f["due"]): f for f in flags_json()["flags"]}
    leave = flags[("child-leaves-at-renewal", "K-0022", "2026-04-04")]
    assert "中学1年生（12歳）" in leave["action"] and leave["days_left"] == 34
    overdue = flags[("payment-overdue", "K-0030", "2026-02-23")]
    assert overdue["days_left"] == -6 and "父負担" in overdue["action"] and "母負担" not in overdue["action"]
    renew = flags[("contract-renewal", "K-0022", "2026-04-03")]
    assert "令和8年4月4日" in renew["action"]  # the renewal date, in the era form staff use


def test_window_narrows_the_list():
    short = flags_json("--within", "7")["flags"]
    assert [f["due"] for f in short] == ["2026-02-23", "2026-03-01", "2026-03-02", "2026-03-02", "2026-03-08"]


def test_csv_opens_in_excel_and_names_no_one():
    result = CliRunner().invoke(cli, ["flags", str(SAMPLE), "--as-of", "2026-03-01", "--no-write", "--format", "csv"])
    assert result.output.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(result.output.lstrip("\ufeff"))))
    assert rows[0][0] == "kind" and len(rows) == len(EXPECTED) + 1
    wb = openpyxl.load_workbook(SAMPLE, read_only=True)
    names = {c for row in wb["ケース"].iter_rows(min_row=2, values_only=True) for c in row[5:7] if c}
    assert names and not any(name in result.output for name in names)


def test_sheet_is_written_to_the_copy_and_the_ledger_is_untouched(tmp_path):
    ledger = tmp_path / "ledger.xlsx"
    shutil.copy(SAMPLE, ledger)
    out = tmp_path / "with-flags.xlsx"
    result = CliRunner().invoke(cli, ["flags", str(ledger), "--as-of", "2026-03-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert ledger.read_bytes() == SAMPLE.read_bytes()
    ws = openpyxl.load_workbook(out)[FLAGS_SHEET]
    assert [c.value for c in ws[2]][:4] == ["期日", "残り日数", "種類", "ケースID"]
    assert ws.max_row == len(EXPECTED) + 2
    assert ws["D3"].value == "K-0030" and ws["B3"].value == -6


def test_text_output_says_which_child_or_visit_a_flag_is_about():
    # CSV and JSON carry the record; the text list dropped it, so two children of K-0022 could not be
    # told apart.  K-0022's child on 子ども row 30 leaves at the renewal.
    result = CliRunner().invoke(cli, ["flags", str(SAMPLE), "--as-of", "2026-03-01", "--no-write"])
    line = next(ln for ln in result.output.splitlines() if "K-0022" in ln and "更新時に対象外" in ln)
    assert "K-0022 子ども!30行" in line
