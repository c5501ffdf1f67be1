"""``template upgrade``: a ledger of an older template carried into the current one, its results recomputed.

io/upgrade.py carries what staff typed (cell by cell, columns found by their headers); this use case
then recomputes what xlsbridge computes — the fee columns and 料金集計 as `xlsbridge fees` writes them,
and, when the old ledger had one, the template's チェック結果 as 入力チェック fills it (the old cell
addresses no longer hold after columns moved) — through the same output functions as every other
command (services/outputs.py), and finally checks that every carried cell arrived.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from ..domain.layout import FEE_SUMMARY_SHEET, FINDINGS_SHEET
from ..domain.settings import Settings
from ..io.upgrade import UpgradeReport, carry_values, verify_carried


def carry_over(old: Any, *, settings: Settings | None = None, settings_label: str | None = None,
               as_of: date, package: bytes | None = None) -> tuple[Any, UpgradeReport]:
    """A workbook of the current template holding everything of ``old`` (an openpyxl workbook), its
    computed columns and generated sheets recomputed; and what was done.  See io/upgrade.carry_values."""
    carried = carry_values(old, settings=settings, settings_label=settings_label, package=package)
    recompute(carried.new, carried.report, as_of, findings=carried.findings)
    carried.report.cells_checked = verify_carried(carried.new, carried.cells)
    return carried.new, carried.report


def recompute(new: Any, report: UpgradeReport, as_of: date, *, findings: bool) -> None:
    """The computed columns of 面会記録 and 料金集計, as `xlsbridge fees` writes them; with ``findings``
    the template's チェック結果 filled as the ribbon's 入力チェック does."""
    from ..io.reader import read_ledger_rows
    from ..io.sinks import OpenpyxlSink
    from .fees import compute_fees
    from .outputs import write_fees, write_findings
    from .validate import build_report

    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in new.worksheets}
    read = read_ledger_rows(sheets, list(new.sheetnames))
    result = compute_fees(read, as_of)
    sink = OpenpyxlSink(new)
    write_fees(sink, result)
    report.priced, report.unpriced = result.priced, result.unpriced
    report.sheets_recomputed.append(FEE_SUMMARY_SHEET)
    if findings:
        write_findings(sink, build_report("", read, result.findings, as_of), read.cells.titles)
        report.sheets_recomputed.append(FINDINGS_SHEET)


def upgrade_file(path: Path, *, settings: Settings | None, settings_label: str | None, as_of: date,
                 password: str | None = None) -> tuple[Any, UpgradeReport]:
    """:func:`carry_over` for the ledger at ``path`` (read into memory once; the file is not changed)."""
    from ..io.ledger_file import LedgerFile
    from ..io.workbook_io import load_for_rewrite

    source = LedgerFile(path, password)
    old = load_for_rewrite(source.data, source.name)
    new, report = carry_over(old, settings=settings, settings_label=settings_label, as_of=as_of, package=source.data)
    with zipfile.ZipFile(io.BytesIO(source.data)) as package:
        has_macros = "xl/vbaProject.bin" in package.namelist()
    if has_macros:
        report.warnings.append(("元の台帳のマクロ（VBA）は引き継がれません。リボンのボタンはアドイン (xlsbridge.xlam) が出します",
                                "the old ledger's macros (VBA) are not carried; the ribbon buttons come from the add-in"))
    return new, report


__all__ = ["carry_over", "recompute", "upgrade_file"]
