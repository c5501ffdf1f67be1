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
