"""Price every visit of a ledger and write the computed columns and the 料金集計 sheet.

Shared by `xlsbridge fees` and the ribbon's 料金計算: ``compute_fees`` is pure over what was read.
``fees_workbook`` writes the result into the ledger file's bytes through services/outputs.py: only the
computed cells of 面会記録 and the generated summary sheet change, every other part of the package is
copied as it was (images, charts, slicers… that openpyxl would drop survive); the same blocks go
into an openpyxl book or the live book through their sinks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..domain.findings import CATALOG, Finding
from ..domain.ledger_fees import FeeSummary, VisitPrice, breakdown_text, case_statements, price_ledger, summarise
from ..i18n import t
from ..domain.layout import FEE_COLUMNS
from ..io.reader import LedgerRead, read_ledger
from ..io.sinks import Written
from .outputs import YEN
from .validate import check_read



@dataclass(frozen=True)
class FeesResult:
    read: LedgerRead
    findings: list[Finding]
    prices: list[VisitPrice]
    summary: FeeSummary
    as_of: date | None = None

    @property
    def priced(self) -> int:
        return sum(1 for p in self.prices if p.breakdown is not None)

    @property
    def unpriced(self) -> int:
        return len(self.prices) - self.priced


def load_and_price(path: Path, *, as_of: date, password: str | None = None) -> FeesResult:
    """Read a ledger file and price it (a command that writes the fees reads through LedgerFile)."""
    return compute_fees(read_ledger(path, password=password), as_of)


def compute_fees(read: LedgerRead, as_of: date) -> FeesResult:
    findings = check_read(read, as_of)
    prices = price_ledger(read.ledger, findings)
    summary = summarise(prices)
    summary.statements = case_statements(read.ledger, prices)
    summary.schedule_count = len(read.ledger.settings.schedules)
    return FeesResult(read, findings, prices, summary, as_of)


def computed_values(vp: VisitPrice, read: LedgerRead) -> dict[str, Any]:
    """The computed cells of one visit row, keyed by layout column key."""
    b = vp.breakdown
    if b is None:
        where = "、".join(vp.blocked_cells) or t("入力", "entries")
        names = [CATALOG[c] for c in vp.blocked_by if c in CATALOG]
        note = t(f"未計算: {where}（{'、'.join(ft.name_ja for ft in names)}）を直してください",
                 f"not priced: fix {where} ({', '.join(ft.name_en for ft in names)})")
        return {c.key: None for c in FEE_COLUMNS} | {"fee.breakdown": note}
    return {
        "fee.base": b.base,
        "fee.child_addon": b.child_addon,
        "fee.extension": b.extension,
        "fee.transport": b.transport,
        "fee.member_discount": b.member_discount,
        "fee.reduction": b.reduction,
        "fee.total": b.total,
        "fee.father_share": b.father_share,
        "fee.mother_share": b.mother_share,
        "fee.due_date": b.due_date,
        "fee.refund": b.refund if b.cancelled else None,
        "fee.breakdown": breakdown_text(b, read.ledger.settings, vp.visit),
    }


def summary_rows(summary: FeeSummary) -> tuple[list, list[list[Any]]]:
    from ..io.report_columns import ReportColumn

    columns = [
        ReportColumn(t("区分", "Scope"), 10), ReportColumn(t("ケースID", "Case"), 10), ReportColumn(t("年月", "Month"), 9),
        ReportColumn(t("実施", "Held"), 6), ReportColumn(t("予定", "Planned"), 6), ReportColumn(t("中止", "Cancelled"), 6),
        ReportColumn(t("未計算", "Unpriced"), 7),
        ReportColumn(t("父請求", "Billed father"), 11, YEN), ReportColumn(t("母請求", "Billed mother"), 11, YEN),
        ReportColumn(t("請求計", "Billed"), 11, YEN),
        ReportColumn(t("父返金", "Refund father"), 11, YEN), ReportColumn(t("母返金", "Refund mother"), 11, YEN),
        ReportColumn(t("返金計", "Refunded"), 11, YEN),
    ]
    schedules = summary.schedule_count > 1
    if schedules:  # which schedule priced the visits, when the settings have more than one
        columns.insert(3, ReportColumn(t("料金表", "Schedule"), 18))
    statements = {s.case_id: s for s in summary.statements}
    deposits = any(s.has_deposit for s in summary.statements)
    if statements:
        columns += [ReportColumn(t("事前面談料", "Pre-consultation"), 10, YEN), ReportColumn(t("契約料", "Contract fees"), 10, YEN),
                    ReportColumn(t("更新料", "Renewal fees"), 10, YEN), ReportColumn(t("預り金(返金)", "Deposits (refunded)"), 11, YEN)]
    if deposits:
        columns += [ReportColumn(t("父預り金", "Father deposited"), 10, YEN), ReportColumn(t("父差引", "Father drawn"), 10, YEN),
                    ReportColumn(t("父残", "Father left"), 10, YEN), ReportColumn(t("母預り金", "Mother deposited"), 10, YEN),
                    ReportColumn(t("母差引", "Mother drawn"), 10, YEN), ReportColumn(t("母残", "Mother left"), 10, YEN),
                    ReportColumn(t("預り金の注意", "Deposit note"), 30)]
    rows: list[list[Any]] = []
    for scope, items in ((t("合計", "Total"), [summary.total]), (t("月別", "By month"), summary.by_month),
                         (t("ケース別", "By case"), summary.by_case), (t("ケース・月別", "Case × month"), summary.by_case_month)):
        for r in items:
            row = [scope, r.case_id, r.month, r.held, r.planned, r.cancelled, r.unpriced,
                   r.billed_father, r.billed_mother, r.billed, r.refunded_father, r.refunded_mother, r.refunded]
            if schedules:
                row.insert(3, "、".join(r.schedules))
            if statements:
                row += _statement_cells(r, summary, deposits)
            rows.append(row)
    return columns, rows


def _statement_cells(r, summary: FeeSummary, deposits: bool) -> list[Any]:
    """The charges outside the visits and the case deposit: per case, and summed on the total row."""
    if r.month is not None:
        return [None] * (11 if deposits else 4)
    picked = [s for s in summary.statements if r.case_id is None or s.case_id == r.case_id]
    if r.case_id is not None and not picked:
        return [None] * (11 if deposits else 4)

    def total(kind: str) -> int:
        return sum(s.charges[kind]["father"] + s.charges[kind]["mother"] for s in picked)

    cells: list[Any] = [total("pre_consultation"), total("contract"), total("renewal"), total("deposit")]
    if deposits:
        with_deposit = [s for s in picked if s.has_deposit]
        if r.case_id is not None and not with_deposit:
            return cells + [None] * 7
        for p in ("father", "mother"):
            cells += [sum(s.deposit_paid[p] for s in with_deposit), sum(s.drawn[p] for s in with_deposit),
                      sum(s.left[p] for s in with_deposit)]
        cells.append(_deposit_note(with_deposit) if r.case_id is not None else
                     t(f"残りが少ないケース {sum(1 for s in with_deposit if s.low)} 件",
                       f"{sum(1 for s in with_deposit if s.low)} cases running low"))
    return cells


def _deposit_note(statements) -> str:
    notes = []
    for s in statements:
        if s.ended:
            refund = s.refund_due
            notes.append(t(f"終了: 預り金の残りを返金（父 {refund['father']:,}円、母 {refund['mother']:,}円）",
                           f"ended: refund what is left (father {refund['father']:,} yen, mother {refund['mother']:,} yen)"))
            continue
        after = s.left_after_planned
        for p in s.low:
            who = t("父", "father") if p == "father" else t("母", "mother")
            if after[p] < 0:
                notes.append(t(f"{who}の預り金は予定の面会までに {-after[p]:,}円不足します。追加の預り金を相談してください",
                               f"the {who}'s deposit falls {-after[p]:,} yen short by the planned visits; ask for more"))
            else:
                notes.append(t(f"{who}の預り金は予定の面会の後 {after[p]:,}円（警告 {s.warn_below:,}円未満）",
                               f"the {who}'s deposit leaves {after[p]:,} yen after the planned visits (below {s.warn_below:,})"))
    return "。".join(notes) if notes else ""


def fees_workbook(data: bytes, result: FeesResult, *, dry_run: bool = False, macros: bool = False) -> Written:
    """Write ``result`` into the workbook file ``data`` (decrypted bytes): the computed columns of
    面会記録 and 料金集計.  With ``dry_run`` only the changes are found.  ``macros``: the file is an
    .xlsm (kept on the openpyxl fallback)."""
    from .outputs import write_fees, write_ledger_file

    return write_ledger_file(data, lambda sink: write_fees(sink, result), dry_run=dry_run, macros=macros)


def ledger_language(read: LedgerRead) -> str:
    """The language of what is written into the ledger: its 設定 row 台帳の言語 ([rules] language)."""
    return read.ledger.settings.rules.language
