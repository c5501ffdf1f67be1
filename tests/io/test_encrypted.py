"""Password-protected ledgers (Excel: ファイル → 情報 → ブックの保護 → パスワードを使用して暗号化).

Read and written with the password from --password-env VAR, XLSBRIDGE_PASSWORD, or one hidden
prompt when stdin is a terminal; the result is written encrypted again with the same password (and a
plain ledger is never encrypted by a password that happens to be set).  Without the password, or
with a wrong one: exit 2 and one line.  The password never appears in any output, log or file.
"""

from __future__ import annotations

import io
import logging
import os
import pty
import select
import sys
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest


from tests import hostile as H
from tests.ledger_builder import AS_OF, write_ledger

from xlsbridge.domain.layout import FLAGS_SHEET, VISITS
from xlsbridge.io.reader import read_ledger
from xlsbridge.io.xlsx.package import is_encrypted
from xlsbridge.services.ledger_writes import ledger_update

PASSWORD = "面会-2025#secret"
ENV = {"LEDGER_PW": PASSWORD}
PW = ["--password-env", "LEDGER_PW"]
DAY = ["--as-of", AS_OF.isoformat()]


@pytest.fixture(autouse=True)
def _no_ambient_password(monkeypatch):
    monkeypatch.delenv("XLSBRIDGE_PASSWORD", raising=False)


def _locked(tmp_path: Path, name: str = "台帳.xlsx") -> Path:
    plain = write_ledger(tmp_path / "plain-source.xlsx")
    path = tmp_path / name
    path.write_bytes(H.encrypt(plain.read_bytes(), PASSWORD))
    plain.unlink()
    return path


def _open(path: Path, password: str | None = PASSWORD) -> openpyxl.Workbook:
    """Decrypt with msoffcrypto (independently of xlsbridge) and load with openpyxl."""
    import msoffcrypto

    data = path.read_bytes()
    if password is not None:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
        data = out.getvalue()
    return openpyxl.load_workbook(io.BytesIO(data))


def _visits(wb) -> list[dict]:
    ws = wb[VISITS.name]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True) if any(row)]


def _assert_priced(wb) -> None:
    """V-001 of the clean spec: accompanied, 1 child, no extension, 金沢市 (in area), mother a member.
    base 8,500; member discount 500 off the mother's share: total 8,500 − 500 = 8,000;
    father 8,500 / 2 = 4,250; mother 4,250 − 500 = 3,750; due 5 days before 2025-04-12 = 2025-04-07."""
    v1 = _visits(wb)[0]
    assert (v1["基本料金"], v1["会員割引"], v1["合計"], v1["父負担"], v1["母負担"]) == (8500, 500, 8000, 4250, 3750)
    assert v1["支払期限"].date() == date(2025, 4, 7)
    assert v1["内訳"] == "付き添い型 8,500 − 会員割引 500 = 8,000円"
    assert "料金集計" in wb.sheetnames


def test_fees_on_an_encrypted_ledger_writes_it_encrypted_again(tmp_path):
    path = _locked(tmp_path)
    old = path.read_bytes()
    run = H.cli("fees", str(path), *DAY, *PW, env=ENV)
    assert run.code == 0, run.stderr
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and is_encrypted(path)
    with pytest.raises(Exception):
        openpyxl.load_workbook(path)  # not readable without the password
    _assert_priced(_open(path))
    backups = list((tmp_path / "xlsbridge_backup").iterdir())
    assert len(backups) == 1 and backups[0].read_bytes() == old  # the backup is the old, still encrypted, file
    assert PASSWORD not in run.stdout + run.stderr


def test_fees_out_copy_of_an_encrypted_ledger_is_encrypted(tmp_path):
    path = _locked(tmp_path)
    out = tmp_path / "料金計算済み.xlsx"
    run = H.cli("fees", str(path), "--out", str(out), *DAY, *PW, env=ENV)
    assert run.code == 0, run.stderr
    assert is_encrypted(out)
    _assert_priced(_open(out))
    assert _visits(_open(path))[0]["合計"] is None  # the ledger itself untouched


def test_the_default_variable_xlsbridge_password(tmp_path):
    path = _locked(tmp_path)
    run = H.cli("validate", str(path), *DAY, env={"XLSBRIDGE_PASSWORD": PASSWORD})
    assert run.code == 0, run.stderr
    assert "問題は見つかりませんでした" in run.stdout


@pytest.mark.parametrize("command", [["validate"], ["fees"], ["flags"], ["plan", "--all"]])
def test_without_the_password_exit_2_and_say_how(tmp_path, command):
    path = _locked(tmp_path)
    before = path.read_bytes()
    run = H.cli(command[0], str(path), *command[1:], *DAY)  # stdin is not a terminal: no prompt
    assert run.code == 2
    assert run.stderr.count("\n") == 1
    assert "パスワードで保護されています" in run.stderr and "--password-env" in run.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", [["validate"], ["fees"], ["flags"], ["plan", "--all"]])
def test_a_wrong_password_exit_2(tmp_path, command):
    path = _locked(tmp_path)
    before = path.read_bytes()
    run = H.cli(command[0], str(path), *command[1:], *DAY, *PW, env={"LEDGER_PW": "違う"})
    assert run.code == 2
    assert run.stderr.strip() == f"xlsbridge: {path.name} のパスワードが違います"
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_an_empty_variable_is_named(tmp_path):
    run = H.cli("validate", str(_locked(tmp_path)), *PW, env={"LEDGER_PW": ""})
    assert run.code == 2 and "環境変数 LEDGER_PW にパスワードがありません" in run.stderr


def test_no_password_option_on_the_command_line(tmp_path):
    """A password typed as an argument would stay in the shell history and the process list."""
    run = H.cli("validate", str(_locked(tmp_path)), "--password", PASSWORD)
    assert run.code == 2 and "--password というオプションはありません" in run.stderr


def test_a_plain_ledger_is_never_encrypted_by_a_password_that_happens_to_be_set(tmp_path):
    """Found by this suite: with XLSBRIDGE_PASSWORD set for the protected ledger, `fees` on another,
    plain ledger wrote it back encrypted — locking colleagues out of it."""
    path = write_ledger(tmp_path / "plain.xlsx")
    run = H.cli("fees", str(path), *DAY, env={"XLSBRIDGE_PASSWORD": PASSWORD})
    assert run.code == 0, run.stderr
    assert not is_encrypted(path)
    _assert_priced(openpyxl.load_workbook(path))
    # and at the service level, for any caller that passes a password along
    wb = openpyxl.load_workbook(path)
    with ledger_update(path, out=None, command="test") as update:
        update.save(wb, PASSWORD)
    assert not is_encrypted(path)


def test_annotate_and_flags_keep_the_protection_plan_out_is_plain(tmp_path):
    path = _locked(tmp_path)
    marked = tmp_path / "チェック.xlsx"
    run = H.cli("validate", str(path), "--annotate", str(marked), *DAY, *PW, env=ENV)
    assert run.code == 0, run.stderr
    assert is_encrypted(marked) and "チェック結果" in _open(marked).sheetnames

    run = H.cli("flags", str(path), "--write", *DAY, *PW, env=ENV)
    assert run.code == 0, run.stderr
    assert is_encrypted(path) and FLAGS_SHEET in _open(path).sheetnames

    run = H.cli("plan", str(path), "--case", "C-001", *DAY, *PW, env=ENV)
    assert run.code == 0, run.stderr
    assert is_encrypted(path) and "計画書_C-001" in _open(path).sheetnames

    out = tmp_path / "計画書.xlsx"
    run = H.cli("plan", str(path), "--case", "C-001", "--out", str(out), *DAY, *PW, env=ENV)
    assert run.code == 0, run.stderr
    assert not is_encrypted(out)  # a new file holding only the plan: no contact data to protect
    assert openpyxl.load_workbook(out).sheetnames == ["計画書_C-001"]
    assert read_ledger(path, password=PASSWORD).ledger.cases[0].case_id == "C-001"


def test_the_password_is_never_logged(tmp_path, caplog):
    """Every logger at DEBUG (msoffcrypto logs key material at that level): neither the password nor
    the derived key bytes' text form of it appear in any record or output."""
    path = _locked(tmp_path)
    with caplog.at_level(logging.DEBUG):
        runs = [H.cli("validate", str(path), *DAY, *PW, env=ENV), H.cli("fees", str(path), *DAY, *PW, env=ENV)]
    assert all(r.code == 0 for r in runs), [r.stderr for r in runs]
    text = caplog.text + "".join(r.stdout + r.stderr for r in runs)
    assert PASSWORD not in text and PASSWORD.encode("utf-8").hex() not in text


# ------------------------------------------------------------------------------------------------
# The prompt at a terminal: a real pseudo-terminal, the child reading with echo off
# ------------------------------------------------------------------------------------------------

def _at_terminal(args: list[str], typed: str | None, timeout: float = 60) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its controlling terminal and stdin/stdout/stderr;
    type ``typed`` + Enter when the password prompt shows.  (exit code, everything the terminal showed)."""
    env = {k: v for k, v in os.environ.items() if k not in ("XLSBRIDGE_PASSWORD", "LEDGER_PW")}
    env["COLUMNS"] = "200"
    pid, fd = pty.fork()
    if pid == 0:  # the child
        try:
            os.execve(sys.executable, [sys.executable, "-m", "xlsbridge.cli.main", *args], env)
        finally:
            os._exit(127)
    screen = b""
    prompts = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if fd in ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            screen += chunk
            if "パスワード:".encode() in screen and prompts == 0:
                prompts = 1
                if typed is not None:
                    os.write(fd, typed.encode("utf-8") + b"\r")
                else:
                    os.write(fd, b"\x04")  # Ctrl+D: nothing typed
        else:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
    else:
        os.kill(pid, 9)
        pytest.fail(f"the child did not finish: {screen.decode('utf-8', 'replace')}")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), screen.decode("utf-8", "replace")


def test_prompt_once_hidden_when_stdin_is_a_terminal(tmp_path):
    path = _locked(tmp_path)
    code, screen = _at_terminal(["fees", str(path), *DAY], PASSWORD)
    assert code == 0, screen
    assert screen.count("パスワード:") == 1  # asked once, though fees reads the ledger twice
    assert f"{path.name} はパスワードで保護されています。パスワード:" in screen
    assert PASSWORD not in screen  # not echoed
    assert "保存しました" in screen
    assert is_encrypted(path)
    _assert_priced(_open(path))  # written again with the password typed


def test_prompt_wrong_password_exit_2_asked_once(tmp_path):
    path = _locked(tmp_path)
    before = path.read_bytes()
    code, screen = _at_terminal(["validate", str(path), *DAY], "違う")
    assert code == 2
    assert screen.count("パスワード:") == 1
    assert f"{path.name} のパスワードが違います" in screen and "違う" not in screen.replace("違います", "")
    assert "Traceback" not in screen
    assert path.read_bytes() == before


def test_prompt_not_shown_for_a_plain_ledger(tmp_path):
    path = write_ledger(tmp_path / "plain.xlsx")
    code, screen = _at_terminal(["validate", str(path), *DAY], None)
    assert code == 0, screen
    assert "パスワード" not in screen


def test_prompt_nothing_typed(tmp_path):
    code, screen = _at_terminal(["validate", str(_locked(tmp_path)), *DAY], "")
    assert code == 2 and "パスワードが入力されませんでした" in screen
