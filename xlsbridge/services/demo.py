"""`xlsbridge demo`: every staff job on a fresh copy of the fictional sample ledger.

It runs the same service functions as the commands, in the order an office would: check the
entries, price the visits, list what needs action, draw a plan sheet.  The sample is built from code
(identical to workbooks/案件台帳サンプル.xlsx) so the demo works from any installation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..i18n import t

DEMO_CASE = "K-0022"  # a case whose child enters junior high at the coming renewal


@dataclass
class DemoResult:
    folder: Path
    outputs: list[tuple[str, Path]] = field(default_factory=list)


def run_demo(folder: Path, say: Callable[[str], None]) -> DemoResult:
    from ..samples.workbooks import SAMPLE_FILE, sample_workbook
    from ..io.pdf import find_libreoffice
    from ..io.reader import read_ledger
    from ..samples.generate import SAMPLE_TODAY
    from ..io.template import save_workbook_deterministic
    from . import fees as fees_service
    from . import flags as flags_service
    from . import plan as plan_service
    from . import validate as validate_service
    from .ledger_writes import ledger_update

    folder.mkdir(parents=True, exist_ok=True)
    result = DemoResult(folder)
    ledger = folder / SAMPLE_FILE
    save_workbook_deterministic(sample_workbook(), ledger)
    day = SAMPLE_TODAY
    say(t(f"== サンプル台帳を作成: {ledger}（基準日 {day.isoformat()}）", f"== sample ledger written: {ledger} (as of {day})"))

    say(t("\n== 1. 入力チェック (xlsbridge validate)", "\n== 1. Check entries (xlsbridge validate)"))
    report = validate_service.validate_workbook(ledger, as_of=day)
    say(validate_service.render_text(report).rstrip())
    annotated = folder / t("チェック結果付き.xlsx", "annotated.xlsx")
    validate_service.annotate(ledger, annotated, report)
    result.outputs.append((t("指摘のセルに色とコメントを付けたコピー", "copy with findings marked"), annotated))

    say(t("\n== 2. 料金計算 (xlsbridge fees)", "\n== 2. Price the visits (xlsbridge fees)"))
    with ledger_update(ledger, out=None, command="xlsbridge demo") as update:
        priced = fees_service.compute_fees(read_ledger(ledger), day)
        written = fees_service.fees_workbook(ledger.read_bytes(), priced)
        update.save_bytes(written.payload, None)
    say(t(f"面会 {len(priced.prices)} 件: 計算 {priced.priced} 件、未計算 {priced.unpriced} 件（入力チェックの指摘あり）。"
          f"請求 {priced.summary.total.billed:,}円、返金 {priced.summary.total.refunded:,}円、更新したセル {written.changed}",
          f"{len(priced.prices)} visits: {priced.priced} priced, {priced.unpriced} not priced (findings). "
          f"Billed {priced.summary.total.billed:,} yen, refunded {priced.summary.total.refunded:,} yen, {written.changed} cells updated"))
    result.outputs.insert(0, (t("サンプル台帳（架空のデータ。料金の列、料金集計、期限・年齢 を書き込み済み）",
                                "sample ledger (fictional data, with the fee columns, 料金集計 and 期限・年齢 filled)"), ledger))

    say(t("\n== 3. 期限・年齢チェック (xlsbridge flags)", "\n== 3. Deadlines and ages (xlsbridge flags)"))
    with ledger_update(ledger, out=None, command="xlsbridge demo") as update:
        report_flags = flags_service.compute_flags(read_ledger(ledger), day, 60)
        update.save_bytes(flags_service.flags_workbook(ledger.read_bytes(), report_flags), None)
    say(flags_service.render_text(report_flags))

    say(t(f"\n== 4. 計画書作成 (xlsbridge plan --case {DEMO_CASE})", f"\n== 4. Plan sheet (xlsbridge plan --case {DEMO_CASE})"))
    read = read_ledger(ledger)
    plans = plan_service.plans_for(read, plan_service.select_cases(read, DEMO_CASE, False), day)
    plan_file = folder / f"計画書_{DEMO_CASE}.xlsx"
    plan_service.plans_workbook(plans).save(plan_file)
    for plan in plans:
        say(t(f"ケース {plan.case_id} の親子交流支援計画書を作成しました: {plan_file}"
              f"（子ども {len(plan.children)} 人、支援経過 {len(plan.progress)} 件、見直し予定日 {plan.review_date or '―'}）",
              f"drew the plan sheet of case {plan.case_id}: {plan_file}"
              f" ({len(plan.children)} children, {len(plan.progress)} visits in 支援経過, review {plan.review_date or '-'})"))
    result.outputs.append((t("親子交流支援計画書（A4 縦）", "plan sheet (A4 portrait)"), plan_file))
    if find_libreoffice():
        from ..io.pdf import convert_to_pdf

        pdf = convert_to_pdf(plan_file, folder)
        result.outputs.append((t("計画書の PDF", "plan sheet PDF"), pdf))
    else:
        say(t("（LibreOffice がないため PDF は作成しません）", "(no LibreOffice: no PDF)"))

    say(t("\n== 出力", "\n== Outputs"))
    for label, path in result.outputs:
        say(f"  {label}: {path}")
    return result
