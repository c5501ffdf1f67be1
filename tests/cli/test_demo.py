"""`xlsbridge demo` (the README's first Quick start command) runs every job and says where the files are."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from xlsbridge.cli.main import cli
from xlsbridge.domain.layout import FEE_SUMMARY_SHEET, FLAGS_SHEET


def test_demo_runs_every_job(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for step in ("1. 入力チェック", "2. 料金計算", "3. 期限・年齢チェック", "4. 計画書作成", "== 出力"):
        assert step in result.output
    assert "エラー 8 件" in result.output  # the sample's deliberate mistakes
    ledger = out / "案件台帳サンプル.xlsx"
    wb = openpyxl.load_workbook(ledger)
    assert FEE_SUMMARY_SHEET in wb.sheetnames and FLAGS_SHEET in wb.sheetnames
    assert (out / "チェック結果付き.xlsx").exists() and (out / "計画書_K-0022.xlsx").exists()
    # a second run starts again from a fresh sample
    again = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert again.exit_code == 0 and "エラー 8 件" in again.output


def test_demo_says_what_the_plan_step_did_and_names_each_output_once(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["--lang", "ja", "demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    plan_part = result.output.split("4. 計画書作成")[1].split("== 出力")[0]
    assert "ケース K-0022 の親子交流支援計画書を作成しました" in plan_part and "計画書_K-0022.xlsx" in plan_part
    listed = [line.rsplit(": ", 1)[1] for line in result.output.split("== 出力")[1].strip().splitlines()]
    assert len(listed) == len(set(listed)), listed  # the ledger is named once
    assert listed[0].endswith("案件台帳サンプル.xlsx")


def test_demo_script_installs_once():
    """scripts/demo.sh installs only when .venv has no xlsbridge (or XLSBRIDGE_REINSTALL=1), so a
    second run neither reinstalls nor prints pip/setuptools output."""
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "scripts" / "demo.sh").read_text(encoding="utf-8")
    install = [line for line in script.splitlines() if "pip install" in line]
    assert len(install) == 1
    assert 'if [ ! -x .venv/bin/xlsbridge ] || [ "${XLSBRIDGE_REINSTALL:-}" = 1 ]; then' in script
    assert script.index("if [ ! -x .venv/bin/xlsbridge ]") < script.index("pip install") < script.index("\nfi\n")
    assert "--upgrade pip" not in script
