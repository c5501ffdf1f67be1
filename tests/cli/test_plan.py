"""`xlsbridge plan`: the 親子交流支援計画書 read back, and rendered by LibreOffice when present."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xlsbridge.cli.main import cli
from xlsbridge.io.pdf import find_libreoffice

SAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "案件台帳サンプル.xlsx"
ITEMS = ["1. 申込日", "2. 事前相談日", "3. 申請者氏名", "4. 相手方氏名", "5. 親子交流を行う未成年者", "6. 援助内容",
         "7. 援助条件", "8. 支援員氏名", "9. 支援経過"]


def cli_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlsbridge.cli.main", *args], capture_output=True, text=True)


def contact_values() -> set[str]:
    ws = openpyxl.load_workbook(SAMPLE, read_only=True)["連絡先"]
    return {str(v) for row in ws.iter_rows(min_row=2, values_only=True) for v in row[2:] if v}


def all_text(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


@pytest.fixture(scope="module")
def k0028(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "計画書_K-0028.xlsx"
    result = CliRunner().invoke(cli, ["plan", str(SAMPLE), "--case", "K-0028", "--out", str(out),
                                      "--as-of", "2026-03-01"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_items_in_the_official_order(k0028):
    ws = openpyxl.load_workbook(k0028)["計画書_K-0028"]
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value in ITEMS]
    assert labels == ITEMS
    assert ws["A1"].value == "親子交流支援計画書"


def test_era_dates_ticks_and_progress(k0028):
    ws = openpyxl.load_workbook(k0028)["計画書_K-0028"]
    cells = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
    text = "\n".join(map(str, cells.values()))
    # K-0028 applied 2025-07-… : all dates appear as 令和 era dates, never ISO
    assert re.search(r"令和7年\d+月\d+日", text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    # a national-programme case: the note says so; exactly one support type is ticked
    assert "国の親子交流支援事業による支援" in text
    # 6. 援助内容 in the form's own words, one line each
    support = next(v for v in cells.values() if isinstance(v, str) and "(1) 親子交流の連絡調整" in v)
    assert support.count("☑") == 1 and support.splitlines() == [
        "☐(1) 親子交流の連絡調整（日時、場所、時間、方法などの調整を含む）",
        "☐(2) 子の受渡し（援助内容(1)を含む）",
        "☑(3) 親子交流の際の付添い（援助内容(1)(2)を含む）"]
    # 7. 援助条件 with the form's 頻度： and その他（　） blank; K-0028 is continuing, 月1回
    conditions = next(v for v in cells.values() if isinstance(v, str) and "(2) 継続型" in v)
    assert "☑(2) 継続型（頻度：☑月1回・☐2か月に1回・☐その他（　　））" in conditions
    # the next review date is stated, as an era date
    review_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "　見直し予定日")
    assert re.fullmatch(r"令和\d+年\d+月\d+日", ws.cell(review_row, 2).value)
    # the 支援経過 table lists the visits that took place (dated rows under its header), not planned or
    # cancelled ones
    reader = openpyxl.load_workbook(SAMPLE, read_only=True)["面会記録"]
    visits = [r for r in reader.iter_rows(min_row=2, values_only=True) if r[1] == "K-0028" and r[12] == "実施"]
    progress_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "9. 支援経過") + 2
    dated = [ws.cell(r, 1).value for r in range(progress_row, ws.max_row + 1)
             if isinstance(ws.cell(r, 1).value, str) and ws.cell(r, 1).value.startswith("令和")]
    assert len(dated) == len(visits) > 0


def test_no_contact_data_anywhere(k0028):
    values = contact_values()
    assert values  # the sample has addresses, phones and e-mails
    text = "\n".join(all_text(k0028))
    assert not any(v in text for v in values)
    assert not re.search(r"\d{2,4}-\d{2,4}-\d{3,4}", text)  # no phone-number shapes
    assert "@" not in text and "県" not in text.replace("県在住", "")


def test_print_setup_is_a4_portrait_one_page_wide(k0028):
    ws = openpyxl.load_workbook(k0028)["計画書_K-0028"]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"  # 9 = A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows  # the 支援経過 header repeats on every page


def test_all_active_cases(tmp_path):
    out = tmp_path / "all.xlsx"
    result = CliRunner().invoke(cli, ["plan", str(SAMPLE), "--all", "--out", str(out), "--as-of", "2026-03-01"])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(SAMPLE, read_only=True)["ケース"]
    active = [r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[2] == "契約中"]
    assert openpyxl.load_workbook(out).sheetnames == [f"計画書_{c}" for c in active]


def test_into_the_ledger_in_place(tmp_path):
    ledger = tmp_path / "ledger.xlsx"
    shutil.copy(SAMPLE, ledger)
    result = CliRunner().invoke(cli, ["plan", str(ledger), "--case", "K-0001"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(ledger)
    assert "計画書_K-0001" in wb.sheetnames and "連絡先" in wb.sheetnames
    assert list((tmp_path / "xlsbridge_backup").glob("ledger.*.xlsx"))


@pytest.mark.parametrize("args, fragment", [
    (["--case", "K-9999"], "K-9999"),
    (["--case", "K-0001", "--all"], "--case"),
    ([], "--case"),
])
def test_bad_requests_exit_2(args, fragment):
    p = cli_process("plan", str(SAMPLE), *args, "--out", "/tmp/never-written.xlsx")
    assert p.returncode == 2 and fragment in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_pdf_without_libreoffice_says_how_to_install(tmp_path, monkeypatch):
    import xlsbridge.io.pdf as pdf

    monkeypatch.setattr(pdf, "find_libreoffice", lambda: None)
    from xlsbridge.errors import UserError

    with pytest.raises(UserError) as info:
        pdf.convert_to_pdf(tmp_path / "x.xlsx", tmp_path)
    assert "libreoffice" in info.value.ja.lower() and "apt-get install" in info.value.ja


@pytest.mark.libreoffice
@pytest.mark.skipif(find_libreoffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_renders_one_a4_page(k0028, tmp_path):
    out = tmp_path / "plan.xlsx"
    shutil.copy(k0028, out)
    from xlsbridge.io.pdf import convert_to_pdf

    pdf = convert_to_pdf(out, tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if shutil.which("pdfinfo") else ""
    if info:
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        assert pages == 1
        assert (round(width), round(height)) == (595, 842)  # A4 portrait in points
    else:
        assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
        pngs = sorted(tmp_path.glob("page*.png"))
        assert len(pngs) == 1 and pngs[0].stat().st_size > 5000  # something was drawn
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "親子交流支援計画書" in text and "支援経過" in text
        assert not any(v in text for v in contact_values())
