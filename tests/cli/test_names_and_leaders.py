"""Issue 14, the smaller items: plan sheet names one per case ID, full-width formula leaders in CSV,
and a Windows program not called a text file."""

from __future__ import annotations

import csv
import io

import openpyxl

from tests import hostile as H
from tests.ledger_builder import AS_OF, Text, clean_case, clean_child, clean_spec, clean_visit, write_ledger

DAY = ("--as-of", AS_OF.isoformat())


def test_case_ids_differing_only_in_refused_characters_get_their_own_plan_sheets(tmp_path):
    """Before: K/0022, K:0022 and K*0022 all became 計画書_K_0022, one plan overwriting another."""
    spec = clean_spec()
    ids = ["K/0022", "K:0022", "K*0022"]
    spec.cases = [clean_case(case_id=Text(i)) for i in ids]
    spec.children = [clean_child(case_id=Text(i)) for i in ids]
    spec.visits = [clean_visit(visit_id=f"V-{n}", case_id=Text(i)) for n, i in enumerate(ids, 1)]
    spec.contacts = []
    ledger = write_ledger(tmp_path / "台帳.xlsx", spec)
    run = H.cli("plan", str(ledger), "--all", *DAY)
    assert run.code == 0, run.stderr
    names = [n for n in openpyxl.load_workbook(ledger, read_only=True).sheetnames if n.startswith("計画書_")]
    assert sorted(names) == sorted(["計画書_K／0022", "計画書_K：0022", "計画書_K＊0022"])
    wb = openpyxl.load_workbook(ledger)
    for name, case_id in zip(["計画書_K／0022", "計画書_K：0022", "計画書_K＊0022"], ids):
        assert case_id in str(wb[name]["A2"].value)  # each sheet holds its own case


def test_csv_quotes_full_width_formula_leaders(tmp_path):
    """Japanese Excel takes ＝, ＋, －, ＠ at the start of a pasted or opened cell as a formula."""
    spec = clean_spec()
    spec.visits[0]["place"] = "＝HYPERLINK(\"http://example.invalid\")"
    spec.visits[0]["municipality"] = "＋金沢市"
    spec.visits[0]["children"] = "－1"
    ledger = write_ledger(tmp_path / "台帳.xlsx", spec)
    run = H.cli("validate", str(ledger), "--format", "csv", *DAY)
    rows = list(csv.reader(io.StringIO(run.stdout.lstrip("\ufeff"))))
    cells = [c for row in rows for c in row]
    assert cells, run.stdout
    assert not [c for c in cells if c[:1] in "＝＋－＠=+-@"], [c for c in cells if c[:1] in "＝＋－＠"]
    assert any(c.startswith("'＋") or c.startswith("'－") or c.startswith("'＝") for c in cells), cells


def test_a_windows_program_is_not_called_a_text_file(tmp_path):
    exe = tmp_path / "台帳.xlsx"
    exe.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4)
    run = H.cli("validate", str(exe), *DAY)
    assert run.code == 2 and "実行ファイル" in run.stderr and "テキスト" not in run.stderr, run.stderr
