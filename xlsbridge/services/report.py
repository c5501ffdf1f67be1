"""`xlsbridge report`: the activity figures for a funder (実績報告), as text, CSV, JSON or a sheet.

The figures come from domain/report.py (pure); fees from the same pricing as `xlsbridge fees`.
Everything here is numbers: no names, case IDs or contact details, so the CSV or the workbook
written with ``--out`` can go to a funder as it is.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..domain.jpcalendar import format_era_or_year as format_era  # --from 1900-01-01 must not crash
from ..domain.report import STATUS_JA, ActivityReport, Figures, activity_report
from ..errors import UserError
from ..i18n import t
from ..io.cells import csv_safe
from ..io.reader import LedgerRead
from ..textfmt import ljust, rjust
from .fees import compute_fees

SCHEMA_VERSION = 1
REPORT_SHEET = "実績報告"
YEN = "#,##0"
SHOWN_STATUSES = ("held", "planned", "cancelled")


def compute_report(read: LedgerRead, start: date, end: date, as_of: date) -> ActivityReport:
    """The report for ``start``..``end``; fees priced as `xlsbridge fees` prices them on ``as_of``."""
    if start > end:
        raise UserError(f"--from（{start.isoformat()}）が --to（{end.isoformat()}）より後です",
                        f"--from ({start.isoformat()}) is after --to ({end.isoformat()})")
    return activity_report(read.ledger, compute_fees(read, as_of).prices, start, end)


@dataclass(frozen=True)
class Measure:
    """One figure of a period, as a column of the CSV / sheet and a key of the JSON."""

    key: str
    ja: str
    en: str
    money: bool = False


def measures(report: ActivityReport) -> list[tuple[Measure, Any]]:
    """(measure, getter) in report order: visits per type and status, totals, people, fees."""
    out: list[tuple[Measure, Any]] = []
    for key, label in report.support_types:
        for status in SHOWN_STATUSES:
            out.append((Measure(f"visits.{key}.{status}", f"{label} {STATUS_JA[status]}", f"{key} {status}"),
                        lambda f, k=key, s=status: f.count(s, k)))
    out += [
        (Measure("visits.held", "実施 計", "held"), lambda f: f.held),
        (Measure("visits.planned", "予定 計", "planned"), lambda f: f.planned),
        (Measure("visits.cancelled", "中止 計", "cancelled"), lambda f: f.cancelled),
        (Measure("visits.unknown", "状態未入力", "status missing"), lambda f: f.count("unknown")),
        (Measure("cases", "支援ケース数", "cases supported"), lambda f: f.cases),
        (Measure("parents", "支援した親の数", "parents supported"), lambda f: f.parents),
        (Measure("children", "支援した子どもの数", "children supported"), lambda f: f.children),
        (Measure("national.cases", "国の事業 ケース数", "national programme cases"), lambda f: f.national_cases),
        (Measure("national.held", "国の事業 実施回数", "national programme visits held"), lambda f: f.national_held),
        (Measure("applications", "申込件数", "applications"), lambda f: f.applications),
        (Measure("new_contracts", "新規契約件数", "new contracts"), lambda f: f.new_contracts),
        (Measure("fees.billed", "利用料 請求額", "fees billed", True), lambda f: f.billed),
        (Measure("fees.refunded", "利用料 返金額", "fees refunded", True), lambda f: f.refunded),
        (Measure("fees.net", "利用料 差引", "fees net", True), lambda f: f.net),
        (Measure("fees.unpriced", "料金未計算の面会", "visits not priced"), lambda f: f.unpriced),
        (Measure("visits.unknown_case_held", "ケース不明の実施面会", "held visits of unknown cases"),
         lambda f: f.unknown_case_held),
    ]
    if report.other_charges:  # charges outside the visits, when the settings have any
        out += [(Measure(f"charges.{kind}", ja, en, True), lambda f, k=kind: f.charges.get(k, 0))
                for kind, ja, en in OTHER_CHARGES]
    return out


OTHER_CHARGES = (
    ("pre_consultation", "事前面談料", "pre-consultation fees"),
    ("contract", "契約料", "contract fees"),
    ("renewal", "更新料", "renewal fees"),
    ("deposit", "預り金（返金する）", "refundable deposits"),
    ("case_deposit", "ケース預り金", "case deposits"),
)


def _period(report: ActivityReport) -> str:
    return t(f"{format_era(report.start)}〜{format_era(report.end)}（{report.start.isoformat()}〜{report.end.isoformat()}）",
             f"{report.start.isoformat()} to {report.end.isoformat()}")


def render_text(report: ActivityReport) -> str:
    total = report.total
    lines = [t(f"実績報告 {report.organisation}", f"Activity report {report.organisation}"),
             t(f"期間: {_period(report)}", f"period: {_period(report)}"), ""]
    lines.append(t(f"面会: 実施 {total.held} 回、予定 {total.planned} 回、中止 {total.cancelled} 回",
                   f"visits: {total.held} held, {total.planned} planned, {total.cancelled} cancelled"))
    for key, label in report.support_types:
        counts = [total.count(s, key) for s in SHOWN_STATUSES]
        if any(counts):
            lines.append(t(f"  {label}: 実施 {counts[0]}、予定 {counts[1]}、中止 {counts[2]}",
                           f"  {key}: {counts[0]} held, {counts[1]} planned, {counts[2]} cancelled"))
    lines.append(t(f"支援: ケース {total.cases} 件、親 {total.parents} 人、子ども {total.children} 人",
                   f"supported: {total.cases} cases, {total.parents} parents, {total.children} children"))
    lines.append(t(f"国の事業: ケース {total.national_cases} 件、実施 {total.national_held} 回",
                   f"national programme: {total.national_cases} cases, {total.national_held} visits held"))
    lines.append(t(f"申込 {total.applications} 件、新規契約 {total.new_contracts} 件",
                   f"{total.applications} applications, {total.new_contracts} new contracts"))
    lines.append(t(f"利用料: 請求 {total.billed:,}円、返金 {total.refunded:,}円、差引 {total.net:,}円",
                   f"fees: billed {total.billed:,} yen, refunded {total.refunded:,} yen, net {total.net:,} yen"))
    if report.other_charges:
        parts = [(ja, en, total.charges.get(kind, 0)) for kind, ja, en in OTHER_CHARGES]
        lines.append(t("面会以外: " + "、".join(f"{ja} {n:,}円" for ja, _, n in parts),
                       "outside visits: " + ", ".join(f"{en} {n:,} yen" for _, en, n in parts)))
    if total.unpriced:
        lines.append(t(f"注意: 料金を計算できない面会が {total.unpriced} 件あり、金額に入っていません"
                       "（xlsbridge validate で指摘を直してください）",
                       f"note: {total.unpriced} visits could not be priced and are not in the amounts (fix the "
                       "validate findings)"))
    if total.unknown_case_held:
        lines.append(t(f"注意: ケースシートにないケースIDの実施面会が {total.unknown_case_held} 件あり、支援ケース数に入っていません",
                       f"note: {total.unknown_case_held} held visits name a case ID not on the ケース sheet and support "
                       "no counted case"))
    if total.count("unknown") or total.undated:
        lines.append(t(f"注意: 状態が空欄の面会 {total.count('unknown')} 件、日付のない面会 {total.undated} 件",
                       f"note: {total.count('unknown')} visits without a status, {total.undated} without a date"))
    lines += ["", t("月別", "By month")]
    heads = [t("年月", "month"), t("実施", "held"), t("予定", "planned"), t("中止", "cancel"), t("ケース", "cases"),
             t("親", "parents"), t("子ども", "children"), t("国の事業", "national"), t("請求額", "billed"),
             t("返金額", "refunded")]
    widths = [8, 6, 6, 6, 8, 6, 8, 9, 12, 10]
    lines.append("  " + ljust(heads[0], widths[0]) + "".join(rjust(h, w) for h, w in zip(heads[1:], widths[1:])))
    for f in [*report.months, total]:
        label = t("合計", "total") if f is total else f.label
        values = [f.held, f.planned, f.cancelled, f.cases, f.parents, f.children, f.national_cases,
                  f"{f.billed:,}", f"{f.refunded:,}"]
        lines.append("  " + ljust(label, widths[0]) + "".join(rjust(str(v), w) for v, w in zip(values, widths[1:])))
    lines.append(t("（ケース・親・子どもは期間内に実施の面会があった数。合計は期間を通した重複なしの数で、月の和ではありません）",
                   "(cases, parents and children with a held visit; the total counts each once over the period, "
                   "not the sum of the months)"))
    return "\n".join(lines) + "\n"


def table(report: ActivityReport) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (each month, then the total) shared by the CSV and the sheet."""
    ms = measures(report)
    header = [t("区分", "scope"), t("開始日", "from"), t("終了日", "to")] + [t(m.ja, m.en) for m, _ in ms]
    rows = []
    for f in [*report.months, report.total]:
        scope = t("合計", "total") if f is report.total else f.label
        rows.append([scope, f.start, f.end] + [get(f) for _, get in ms])
    return header, rows


def render_csv(report: ActivityReport) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(buffer, lineterminator="\r\n")
    header, rows = table(report)
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(v.isoformat() if isinstance(v, date) else v) for v in row])
    return buffer.getvalue()


def render_json(report: ActivityReport) -> str:
    ms = measures(report)

    def figures(f: Figures) -> dict[str, Any]:
        return {"from": f.start.isoformat(), "to": f.end.isoformat(), **{m.key: get(f) for m, get in ms}}

    return json.dumps({
        "schema_version": SCHEMA_VERSION,
        "organisation": report.organisation,
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "support_types": [{"key": k, "label": label} for k, label in report.support_types],
        "undated_visits": report.total.undated,
        "months": [{"month": f.label, **figures(f)} for f in report.months],
        "total": figures(report.total),
    }, ensure_ascii=False, indent=2) + "\n"


def write_report_sheet(wb, report: ActivityReport) -> None:
    """The 実績報告 sheet (generated: replaced on every run), one row per month and the total."""
    from ..i18n import using_lang

    with using_lang(report.language):  # the ledger's language, not the command line's
        _write_report_sheet(wb, report)


def _write_report_sheet(wb, report: ActivityReport) -> None:
    from ..io.report_sheets import ReportColumn, replace_sheet
    from .outputs import GENERATED_NOTE_EN, GENERATED_NOTE_JA

    header, rows = table(report)
    money = {i + 3 for i, (m, _) in enumerate(measures(report)) if m.money}
    columns = [ReportColumn(h, 12 if i < 3 else max(8, min(16, len(h) * 2)),
                            "yyyy/m/d" if i in (1, 2) else YEN if i in money else None)
               for i, h in enumerate(header)]
    note = t(f"{report.organisation} 実績報告 {_period(report)}。", f"{report.organisation} activity report, {_period(report)}. ") + \
        t(GENERATED_NOTE_JA, GENERATED_NOTE_EN)
    replace_sheet(wb, REPORT_SHEET, note=note, columns=columns, rows=rows)


def report_workbook(report: ActivityReport):
    """A new workbook with only the 実績報告 sheet: numbers only, safe to send to a funder."""
    from openpyxl import Workbook

    from ..io.print_setup import use_ledger_font

    wb = Workbook()
    use_ledger_font(wb)
    wb.remove(wb.active)
    write_report_sheet(wb, report)
    return wb
