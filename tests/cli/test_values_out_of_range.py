"""Issue 14 item 10: absurd values and options are findings or one line with exit 2, never a traceback.

A traceback exits 1, which validate documents as "errors found": a nightly job would take a crash
for findings.  Before: a 400-digit number in 子ども人数, 延長(分), 減額 or 更新回数 raised OverflowError
in every command; 父契約日 9999-12-31, ``flags --as-of 9999-12-01`` and ``report --from 0001-01-01
--to 9999-12-31`` likewise.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests import hostile as H
from tests.ledger_builder import AS_OF, clean_spec, write_ledger

DAY = ("--as-of", AS_OF.isoformat())
HUGE = "1" * 400


def _no_traceback(run: H.Run) -> None:
    assert "Traceback" not in run.stderr and "Error:" not in run.stderr, run.stderr[-2000:]


@pytest.mark.parametrize("where, field, value", [
    ("visits", "children", HUGE),
    ("visits", "extension_minutes", HUGE),
    ("cases", "reduction", HUGE),
    ("cases", "renewals", HUGE),
    ("visits", "children", 1e300),
    ("cases", "father.contract_date", date(9999, 12, 31)),
    ("cases", "mother.contract_date", date(1, 1, 1)),
])
def test_absurd_cell_values_are_findings(where, field, value, tmp_path):
    spec = clean_spec()
    getattr(spec, where)[0][field] = value
    ledger = write_ledger(tmp_path / "台帳.xlsx", spec)
    run = H.cli("validate", str(ledger), "--format", "json", *DAY)
    _no_traceback(run)
    assert run.code == 1, run.stderr
    found = json.loads(run.stdout)["findings"]
    codes = {f["code"] for f in found}
    assert codes & {"cell-not-a-number", "cell-unreadable-date"}, codes
    shown = [str(f.get("value")) for f in found]
    assert all(len(v) <= 60 for v in shown), shown  # the 400 digits are not repeated
    for command in (["fees", str(ledger)], ["flags", str(ledger)], ["plan", str(ledger), "--all"],
                    ["report", str(ledger), "--from", "2025-04-01", "--to", "2026-03-31"]):
        run = H.cli(*command, *DAY)
        _no_traceback(run)
        assert run.code in (0, 1), (command, run.code, run.stderr)


@pytest.mark.parametrize("args", [
    ["flags", "{ledger}", "--as-of", "9999-12-01"],
    ["report", "{ledger}", "--from", "0001-01-01", "--to", "9999-12-31"],
    ["quote", "--date", "9999-12-31", "--type", "accompanied", "--children", "1"],
])
def test_far_dates_in_options_are_one_line(args, tmp_path):
    ledger = write_ledger(tmp_path / "台帳.xlsx", clean_spec())
    run = H.cli(*[a.format(ledger=ledger) for a in args])
    _no_traceback(run)
    assert run.code == 2, (run.code, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "1900年から2200年までの日付" in lines[0], run.stderr
