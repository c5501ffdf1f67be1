"""The command line speaks the clerk's language and writes nothing unasked (issue 18).

Help follows --lang / XLSBRIDGE_LANG (Japanese by default) with the worked examples kept and a line
saying what the command writes; click's own messages are translated and name the nearest command or
option; --lang is accepted anywhere; support types are accepted as staff write them; the nearest
municipality, case ID and staff name are suggested; `flags` lists without writing unless --write.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import click
import openpyxl
import pytest

from tests.cli_run import xlsbridge
from tests.ledger_builder import Text, clean_spec, clean_visit, write_ledger
from xlsbridge.cli.main import COMMANDS, cli

DAY = ["--as-of", "2025-06-30"]


def _paths() -> list[str]:
    """Every command and subcommand as typed: ["validate"], ["template", "new"], …"""
    ctx = click.Context(cli)
    out: list[str] = []
    for name in COMMANDS:
        cmd = cli.get_command(ctx, name)
        out.append(name)
        if isinstance(cmd, click.Group):
            out += [f"{name} {sub}" for sub in cmd.commands]
    return out


@pytest.mark.parametrize("path", _paths())
def test_every_help_is_japanese_by_default_says_what_it_writes_and_keeps_its_example(path):
    code, out, err = xlsbridge(*path.split(), "--help")
    assert code == 0, err
    text = out.decode()
    assert text.startswith("使い方:") and "オプション:" in text, text[:200]
    assert "書き込み:" in text, path
    assert "--lang" in text  # listed in each command's help
    assert "Show this message" not in text and "Usage:" not in text
    if path not in ("template", "settings", "addin"):  # the groups' examples name their subcommands
        assert "例:" in text
        assert text.rstrip().splitlines()[-1].strip().startswith("xlsbridge") or "LEDGER_PW" in text.rstrip().splitlines()[-1]

    code, out, err = xlsbridge(*path.split(), "--help", "--lang", "en")
    text = out.decode()
    assert code == 0 and text.startswith("Usage:") and "Writes:" in text and "書き込み:" not in text, path


def test_every_option_has_japanese_help():
    """A new option without its Japanese help would show English in the Japanese --help."""
    from xlsbridge.cli.help_ja import COMMON_OPTIONS, HELP

    ctx = click.Context(cli)
    missing = []
    for path in _paths():
        words = path.split()
        cmd = cli.get_command(ctx, words[0])
        if len(words) > 1:
            cmd = cmd.commands[words[1]]
        options = HELP.get(f"xlsbridge {path}", {}).get("options", {})
        missing += [f"{path} {p.name}" for p in cmd.params
                    if isinstance(p, click.Option) and p.name not in options and p.name not in COMMON_OPTIONS]
    assert not missing


def test_help_follows_the_environment_variable():
    code, out, _ = xlsbridge("validate", "--help", env={"XLSBRIDGE_LANG": "en"})
    assert code == 0 and "Writes: nothing" in out.decode()
    code, out, _ = xlsbridge("validate", "--help")
    assert "書き込み: なし" in out.decode()


def test_an_unknown_language_names_the_variable():
    code, out, err = xlsbridge("rules", env={"XLSBRIDGE_LANG": "fr"})
    assert code == 2 and out == b""
    assert err == "xlsbridge: 環境変数 XLSBRIDGE_LANG には ja か en を指定してください（値: fr）\n"
    code, _, err = xlsbridge("rules", "--lang", "fr")
    assert code == 2 and err.count("\n") == 1 and "--lang" in err


def test_lang_is_accepted_anywhere_on_the_line():
    before = xlsbridge("--lang", "en", "rules")
    after = xlsbridge("rules", "--lang", "en")
    assert before[0] == after[0] == 0 and before[1] == after[1]
    assert b"kinds of finding" in after[1]
    code, out, _ = xlsbridge("quote", "--type", "handover", "--lang", "en", "--date", "2025-06-14")
    assert code == 0 and b"Base fee" in out


@pytest.mark.parametrize("args, ja, en", [
    (["valdate", "x.xlsx"], "valdate というコマンドはありません。もしかして validate ですか？",
     "no such command: valdate; did you mean validate?"),
    (["template", "nwe", "x.xlsx"], "nwe というコマンドはありません。もしかして new ですか？",
     "no such command: nwe; did you mean new?"),
    (["flags", "x.xlsx", "--withn", "3"], "--withn というオプションはありません。もしかして --within ですか？",
     "no such option: --withn; did you mean --within?"),
    (["flags", "x.xlsx", "--within"], "オプション --within には値を指定してください", "Option '--within' requires an argument"),
    (["flags", "x.xlsx", "--within", "-5"], "--within は 0 以上 3650 以下にしてください（指定: -5）",
     "--within must be between 0 and 3650 (given: -5)"),
    (["quote", "--type", "handover", "--date", "2025-02-30"], "2025-02-30 という日はありません",
     "2025-02-30 is a day that does not exist"),
    (["validate"], "LEDGER を指定してください", "LEDGER is required"),
])
def test_clicks_own_messages_in_both_languages(args, ja, en):
    code, _, err = xlsbridge(*args)
    assert code == 2 and err.count("\n") == 1 and ja in err, err
    assert not any(word in err for word in ("No such", "requires an", "is not in the range", "Error:")), err
    code, _, err = xlsbridge("--lang", "en", *args)
    assert code == 2 and err.count("\n") == 1 and en in err, err


@pytest.mark.parametrize("typed", ["付き添い型", "付き添い", "付添い", "付添型", "つきそい", "Accompanied", "ＡＣＣＯＭＰＡＮＩＥＤ"])
def test_support_types_as_staff_write_them(typed):
    # accompanied on a Saturday in WEK's schedule: 8,500 yen base (shipped leaflet), split 1:1 → 4,250 each
    code, out, err = xlsbridge("quote", "--type", typed, "--date", "2025-06-14", "--json")
    assert code == 0, err
    assert b'"support_type": "accompanied"' in out and b'"base": 8500' in out


@pytest.mark.parametrize("typed", ["受渡し", "受け渡し型", "受渡"])
def test_handover_spellings(typed):
    code, out, err = xlsbridge("quote", "--type", typed, "--date", "2025-06-14", "--json")
    assert code == 0, err
    assert b'"support_type": "handover"' in out and b'"base": 4500' in out


@pytest.mark.parametrize("typed, near", [("小松", "小松市"), ("野々市町", "野々市市"), ("石川県小松", "小松市")])
def test_the_nearest_municipality_is_suggested(typed, near):
    code, _, err = xlsbridge("quote", "--type", "handover", "--date", "2025-06-14", "--municipality", typed)
    assert code == 2 and f"もしかして「{near}」ですか？" in err
    code, _, err = xlsbridge("quote", "--type", "handover", "--date", "2025-06-14", "--municipality", typed, "--lang", "en")
    assert code == 2 and f"did you mean '{near}'?" in err


def _digest(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_mtime_ns, stat.st_mode


def test_flags_lists_without_writing_unless_asked(tmp_path):
    ledger = write_ledger(tmp_path / "台帳.xlsx", clean_spec())
    before = _digest(ledger)
    for fmt in ("text", "json", "csv"):
        code, out, err = xlsbridge("flags", str(ledger), "--format", fmt, *DAY)
        assert code == 0, err
    assert _digest(ledger) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台帳.xlsx"]  # no backup, no lock left

    code, out, err = xlsbridge("flags", str(ledger), "--write", *DAY)
    assert code == 0, err
    assert _digest(ledger)[0] != before[0]
    assert "期限・年齢" in openpyxl.load_workbook(ledger, read_only=True).sheetnames
    assert "xlsbridge_backup" in {p.name for p in tmp_path.iterdir()}


def test_validate_suggests_case_id_and_staff_name(tmp_path):
    spec = clean_spec()
    spec.visits.append(clean_visit(visit_id="V-003", case_id="C-01", visit_date=date(2025, 5, 24)))
    spec.visits.append(clean_visit(visit_id="V-004", staff="山田花", visit_date=date(2025, 5, 31)))
    ledger = write_ledger(tmp_path / "台帳.xlsx", spec)
    code, out, _ = xlsbridge("validate", str(ledger), *DAY)
    text = out.decode()
    assert code == 1
    assert "ケースID「C-01」がケースシートにありません。もしかして「C-001」ですか？" in text, text
    assert "担当支援員「山田花」が支援員シートにありません。もしかして「山田 花子」ですか？" in text, text
    code, out, _ = xlsbridge("validate", str(ledger), *DAY, "--lang", "en")
    assert "did you mean 'C-001'?" in out.decode()


def test_a_ledger_typed_with_other_spellings_is_priced(tmp_path):
    # the clean visit (accompanied, 2 h, 1 child, in Kanazawa, mother a member) with its type written 付添い
    spec = clean_spec()
    spec.visits[0]["support_type"] = Text("付添い")
    spec.cases[0]["support_type"] = Text("付き添い")
    ledger = write_ledger(tmp_path / "台帳.xlsx", spec)
    code, out, err = xlsbridge("validate", str(ledger), *DAY, "--format", "json")
    assert code == 0, out.decode()
    assert b"unknown-support-type" not in out


def test_impossible_date_in_the_ledger_says_the_day_does_not_exist(tmp_path):
    spec = clean_spec()
    spec.visits[1]["visit_date"] = Text("2025-02-30")
    ledger = write_ledger(tmp_path / "台帳.xlsx", spec)
    code, out, _ = xlsbridge("validate", str(ledger), *DAY)
    assert code == 1 and "「2025-02-30」という日はありません" in out.decode()


def test_a_workbook_that_is_not_a_ledger(tmp_path):
    path = tmp_path / "家計簿.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "4月"
    wb.active["A1"] = "食費"
    wb.save(path)
    code, _, err = xlsbridge("validate", str(path))
    assert code == 2 and "このブックは案件台帳ではありません" in err and err.count("\n") == 1
    code, _, err = xlsbridge("validate", str(path), "--lang", "en")
    assert "this workbook is not a case ledger" in err


def test_an_empty_ledger_has_no_findings_to_mention(tmp_path):
    path = tmp_path / "新しい台帳.xlsx"
    assert xlsbridge("template", "new", str(path))[0] == 0
    code, out, err = xlsbridge("fees", str(path), "--dry-run")
    assert code == 0, err
    text = out.decode()
    assert "面会記録に面会がまだありません" in text and "指摘" not in text


@pytest.mark.parametrize("args", [[], ["template"]])
def test_a_command_alone_shows_its_help(args):
    code, out, err = xlsbridge(*args)
    assert code == 0 and err == ""
    assert out.decode().startswith("使い方: xlsbridge")


def test_the_version_in_both_languages():
    from xlsbridge import __version__

    assert xlsbridge("--version") == (0, f"xlsbridge バージョン {__version__}\n".encode(), "")
    assert xlsbridge("--version", "--lang", "en")[1] == f"xlsbridge, version {__version__}\n".encode()
