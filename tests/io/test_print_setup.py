"""Printable outputs (issue 18): every sheet xlsbridge writes has a print setup (io/print_setup.py),
the ledger has one font, overdue items are coloured, and the demo ledger renders through
LibreOffice on the pages a person expects, nothing clipped.

Before this change the demo ledger printed 41 pages: 料金集計 20 (key columns lost after page 1),
期限・年齢 2 (対応 clipped), the empty チェック結果 4, 面会記録 5 (31 columns shrunk to one page wide).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.cli_run import xlsbridge
from tests.ledger_builder import clean_spec, write_ledger
from xlsbridge.io.print_setup import FONT, SETUPS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "workbooks" / "案件台帳テンプレート.xlsx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _xml(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(member).decode("utf-8")


def test_the_template_prints_every_sheet_as_set_and_uses_one_font():
    wb = openpyxl.load_workbook(TEMPLATE)
    for ws in wb.worksheets:
        setup = SETUPS.get(ws.title)
        assert setup is not None, ws.title
        assert ws.page_setup.orientation == setup.orientation, ws.title
        assert str(ws.page_setup.paperSize) == "9", ws.title  # A4
        if setup.title_rows:
            assert ws.print_title_rows.replace("$", "") == f"{setup.title_rows[0]}:{setup.title_rows[1]}", ws.title
    assert wb["面会記録"].print_title_cols.replace("$", "") == "A:B"  # 面会 ID and ケース ID on the second page across
    names = re.findall(r'<name val="([^"]+)"', _xml(TEMPLATE, "xl/styles.xml"))
    assert names and set(names) == {FONT}, set(names)  # no Calibri left anywhere


def test_generated_sheets_get_their_print_setup_and_overdue_days_a_colour(tmp_path):
    # The clean case's contract (signed 2025-03-20, 12 months) as of 2026-04-15: the renewal fell due
    # 2026-03-20, 26 days ago → 残り日数 -26, coloured; a review on 2026-04-... is still ahead.
    ledger = write_ledger(tmp_path / "台帳.xlsx", clean_spec())
    assert xlsbridge("fees", str(ledger), "--as-of", "2026-04-15")[0] == 0
    code, _, err = xlsbridge("flags", str(ledger), "--write", "--as-of", "2026-04-15")
    assert code == 0, err
    wb = openpyxl.load_workbook(ledger)
    for name in ("料金集計", "期限・年齢"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, name
        assert ws.print_title_rows.replace("$", "") == "1:2", name  # the note and the header on every page
    flags = wb["期限・年齢"]
    days = [(flags.cell(r, 2).value, flags.cell(r, 2).fill.fgColor.rgb) for r in range(3, flags.max_row + 1)]
    assert any(d < 0 for d, _ in days), days
    for d, rgb in days:
        assert (rgb == "FFFFC7CE") == (d < 0), (d, rgb)
    assert flags.cell(3, 6).alignment.wrap_text  # 対応 wraps instead of running off the page


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def _render(ledger: Path, sheet: str, tmp: Path) -> tuple[int, list[str]]:
    """The sheet alone through LibreOffice: its page count and each page's text."""
    wb = openpyxl.load_workbook(ledger)
    for other in wb.sheetnames:
        if other != sheet:
            del wb[other]
    one = tmp / f"{len(list(tmp.glob('*.xlsx')))}.xlsx"
    wb.save(one)
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp), str(one)], capture_output=True, timeout=300, check=True)
    pdf = one.with_suffix(".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    return _pages(pdf), [page for page in text.split("\f") if page.strip()]


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None and os.environ.get("CI") != "true", reason="LibreOffice (soffice) is not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None and os.environ.get("CI") != "true", reason="poppler-utils missing")
def test_the_demo_ledger_prints_readably(tmp_path):
    code, out, err = xlsbridge("demo", "--out", str(tmp_path / "demo"))
    assert code == 0, err
    ledger = tmp_path / "demo" / "案件台帳サンプル.xlsx"
    work = tmp_path / "render"
    work.mkdir()

    # 期限・年齢: 31 items (60 days from 2026-03-01) on one landscape page, every 対応 whole.
    pages, texts = _render(ledger, "期限・年齢", work)
    assert pages == 1
    text = re.sub(r"\s+", "", "".join(texts))
    wb = openpyxl.load_workbook(ledger, read_only=True)
    actions = [row[5] for row in wb["期限・年齢"].iter_rows(min_row=3, values_only=True) if row[5]]
    assert len(actions) == 31
    for action in actions:
        assert re.sub(r"\s+", "", action)[-12:] in text, action  # the end of each 対応 is printed

    # 料金集計: every page has the header (the note and the header repeat) and its last column.
    pages, texts = _render(ledger, "料金集計", work)
    assert 1 < pages <= 16 and len(texts) == pages  # 20 before, with the key columns on page 1 only
    assert all("区分" in page and "返金計" in page for page in texts)

    # The template's empty チェック結果: one page (four before).
    wb_template = TEMPLATE
    pages, _ = _render(wb_template, "チェック結果", work)
    assert pages == 1

    # 面会記録: two pages across with the IDs and the header on each (was 31 columns on one page).
    pages, texts = _render(ledger, "面会記録", work)
    assert pages % 2 == 0 and all("記録ID" in page for page in texts)
