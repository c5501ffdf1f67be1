"""What needs action soon, for `xlsbridge flags` and the ribbon's 期限・年齢チェック."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..domain.flags import Flag, upcoming_flags
from ..domain.jpcalendar import format_era_or_year as format_era  # --as-of 1900-01-01 must not crash
from ..i18n import t
from ..io.cells import csv_safe
from ..io.reader import LedgerRead
from ..textfmt import ljust, rjust
from .fees import compute_fees

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class FlagsReport:
    as_of: date
    within: int
    flags: list[Flag]


def compute_flags(read: LedgerRead, as_of: date, within: int) -> FlagsReport:
    fees = compute_fees(read, as_of)
    return FlagsReport(as_of, within, upcoming_flags(read.ledger, fees.prices, as_of, within))


def flag_columns() -> list:
    from ..io.report_columns import OVERDUE_FILL, ReportColumn

    return [
        ReportColumn(t("期日", "Due"), 12, "yyyy/m/d"),
        # overdue: a light red cell where the sink fills cells, red digits everywhere (the ribbon's too)
        ReportColumn(t("残り日数", "Days left"), 8, "0;[Red]-0", negative_fill=OVERDUE_FILL),
        ReportColumn(t("種類", "Kind"), 22), ReportColumn(t("ケースID", "Case"), 10),
        ReportColumn(t("対象", "Record"), 10), ReportColumn(t("対応", "What to do"), 90, wrap=True),
    ]


def flag_rows(report: FlagsReport) -> list[list[Any]]:
    return [[f.due, f.days_left, f.name, f.case_id, f.record or "", f.action] for f in report.flags]


def render_text(report: FlagsReport) -> str:
    head = t(f"基準日 {format_era(report.as_of)}（{report.as_of.isoformat()}）から {report.within} 日以内: {len(report.flags)} 件",
             f"as of {report.as_of.isoformat()}, within {report.within} days: {len(report.flags)} items")
    lines = [head]
    for f in report.flags:
        days = t(f"{f.days_left}日後", f"in {f.days_left} d") if f.days_left >= 0 else t(f"{-f.days_left}日超過", f"{-f.days_left} d overdue")
        about = f"{f.case_id} {f.record}" if f.record else f.case_id  # which child or visit, as CSV and JSON say
        lines.append(f"  {f.due.isoformat()} {rjust(days, 10)}  {ljust(f.name, 26)} {ljust(about, 8)} {f.action}")
    return "\n".join(lines)


def render_json(report: FlagsReport) -> str:
    return json.dumps({
        "schema_version": SCHEMA_VERSION,
        "as_of": report.as_of.isoformat(),
        "within_days": report.within,
        "flags": [{"kind": f.kind, "name": f.name, "case_id": f.case_id, "due": f.due.isoformat(),
                   "days_left": f.days_left, "record": f.record, "action": f.action} for f in report.flags],
    }, ensure_ascii=False, indent=2)


def render_csv(report: FlagsReport) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["kind", t("種類", "name"), t("ケースID", "case_id"), t("期日", "due"), t("残り日数", "days_left"),
                     t("対象", "record"), t("対応", "action")])
    for f in report.flags:
        writer.writerow([csv_safe(v) for v in (f.kind, f.name, f.case_id, f.due.isoformat(), f.days_left, f.record or "", f.action)])
    return buffer.getvalue()


def sheet_report(read: LedgerRead, report: FlagsReport) -> FlagsReport:
    """``report`` in the ledger's language, for its 期限・年齢 sheet (worked out again only when the
    command line speaks another language)."""
    from ..i18n import get_lang, using_lang
    from .fees import ledger_language

    language = ledger_language(read)
    if language == get_lang():
        return report
    with using_lang(language):
        return compute_flags(read, report.as_of, report.within)


def flags_workbook(data: bytes, report: FlagsReport, *, macros: bool = False, language: str = "ja") -> bytes:
    """The workbook file ``data`` (decrypted bytes) with the 期限・年齢 sheet drawn again; every other
    part of the package is copied as it was (services/outputs.py).  ``macros``: the file is an .xlsm
    (kept on the openpyxl fallback, for a package the patcher refuses)."""
    from ..i18n import using_lang
    from .outputs import write_flags, write_ledger_file

    with using_lang(language):  # the ledger's language (services.fees.ledger_language)
        return write_ledger_file(data, lambda sink: write_flags(sink, report), macros=macros).payload
