"""Workbook → PDF through LibreOffice (headless), when it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import UserError

_WINDOWS_CANDIDATES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
_MAC_CANDIDATE = "/Applications/LibreOffice.app/Contents/MacOS/soffice"


def find_libreoffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in (*_WINDOWS_CANDIDATES, _MAC_CANDIDATE):
        if os.path.exists(candidate):
            return candidate
    return None


INSTALL_HINT_JA = ("LibreOffice が見つかりません。PDF にするには LibreOffice をインストールしてください"
                   "（Windows/Mac: https://ja.libreoffice.org から、Debian/Ubuntu: sudo apt-get install libreoffice-calc）。"
                   "PDF なしでも計画書のシートは作成できます")
INSTALL_HINT_EN = ("LibreOffice not found; install it to make PDFs (Windows/Mac: libreoffice.org; "
                   "Debian/Ubuntu: sudo apt-get install libreoffice-calc). The plan sheet itself works without it")


def convert_to_pdf(workbook: Path, out_dir: Path, *, timeout: int = 240) -> Path:
    soffice = find_libreoffice()
    if soffice is None:
        raise UserError(INSTALL_HINT_JA, INSTALL_HINT_EN)
    workbook = Path(workbook)
    with tempfile.TemporaryDirectory(prefix="xlsbridge-lo-") as profile:
        # A private profile: a LibreOffice the user has open does not block or receive our job.
        cmd = [soffice, "--headless", "--norestore", f"-env:UserInstallation={Path(profile).as_uri()}",
               "--convert-to", "pdf", "--outdir", str(out_dir), str(workbook)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise UserError(f"LibreOffice での PDF 変換が {timeout} 秒で終わりませんでした",
                            f"LibreOffice did not finish the PDF conversion in {timeout} s") from None
    pdf = Path(out_dir) / (workbook.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        raise UserError("LibreOffice で PDF に変換できませんでした（LibreOffice を一度起動して初期設定を済ませてください）",
                        "LibreOffice could not convert the workbook to PDF (start LibreOffice once to finish its setup)")
    return pdf
