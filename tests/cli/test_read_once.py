"""Every command reads (and decrypts) the ledger file once: io/ledger_file.LedgerFile hands the same
bytes to the reader and to the package patched or the workbook loaded.  Before: `fees` read it twice,
`flags --write` up to three times, `validate --annotate`, `report --sheet` and `plan` twice.

Counted with io/xlsx/package.loads(): every read of a workbook file goes through load_workbook_bytes.
The encrypted case matters most: each read there is a full decryption.
"""

from __future__ import annotations

import pytest

from tests import hostile as H
from xlsbridge.io.ledger_file import loads

PASSWORD = "面会-2025#secret"
DAY = ["--as-of", "2025-06-30"]


@pytest.fixture
def ledgers(make_ledger, tmp_path):
    plain = make_ledger(name="台帳.xlsx")
    locked = tmp_path / "暗号.xlsx"
    locked.write_bytes(H.encrypt(plain.read_bytes(), PASSWORD))
    return plain, locked


COMMANDS = {
    "fees": ["fees", "{ledger}", *DAY],
    "fees --dry-run": ["fees", "{ledger}", "--dry-run", *DAY],
    "flags": ["flags", "{ledger}", *DAY],
    "flags --write": ["flags", "{ledger}", "--write", *DAY],
    "validate": ["validate", "{ledger}", *DAY],
    "validate --annotate": ["validate", "{ledger}", "--annotate", "{folder}/チェック.xlsx", *DAY],
    "report --sheet": ["report", "{ledger}", "--sheet", "--from", "2025-04-01", "--to", "2025-06-30", *DAY],
    "plan": ["plan", "{ledger}", "--case", "C-001", *DAY],
}


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_reads_the_ledger_once(name, encrypted, ledgers, tmp_path, monkeypatch):
    monkeypatch.delenv("XLSBRIDGE_PASSWORD", raising=False)
    plain, locked = ledgers
    ledger = locked if encrypted else plain
    args = [a.format(ledger=ledger, folder=tmp_path) for a in COMMANDS[name]]
    env = {"LEDGER_PW": PASSWORD} if encrypted else None
    if encrypted:
        args += ["--password-env", "LEDGER_PW"]
    before = loads()
    run = H.cli(*args, env=env)
    assert run.code in (0, 1), run.stderr
    assert loads() - before == 1, (name, loads() - before)
