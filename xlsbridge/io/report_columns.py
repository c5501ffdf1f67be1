"""The columns of a generated sheet (料金集計, 期限・年齢, …), apart from io/report_sheets.py so that
the patched-package path (io/xlsx) describes its sheets without importing openpyxl (~20 MB)."""

from __future__ import annotations

from dataclasses import dataclass

OVERDUE_FILL = "FFC7CE"  # Excel's light red: 残り日数 below zero


@dataclass(frozen=True)
class ReportColumn:
    header: str
    width: float = 12
    number_format: str | None = None
    wrap: bool = False  # long text (期限・年齢's 対応) wraps within the column instead of running off the page
    negative_fill: str | None = None  # a number below zero gets this fill (an overdue 残り日数)
