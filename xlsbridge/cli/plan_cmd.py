"""`xlsbridge plan`: draw the 親子交流支援計画書 of a case, print-ready on A4."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..i18n import t
from .common import collections_paused, report_backup
from .options import as_of_option, force_option, password_from, password_write_option, today

if TYPE_CHECKING:
    from ..domain.plan import PlanSheet


@click.command(
    epilog="""\b
Example:
  xlsbridge plan 案件台帳.xlsx --case K-0001                     # sheet 計画書_K-0001 in the ledger
  xlsbridge plan 案件台帳.xlsx --case K-0001 --out 計画書_K-0001.xlsx --pdf
  xlsbridge plan 案件台帳.xlsx --all --out 計画書_全ケース.xlsx
"""
)
@click.argument("ledger", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--case", "case_id", metavar="ID", help="The case (ケースID) to draw.")
@click.option("--all", "all_active", is_flag=True, help="Draw every active case (状態 契約中).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the plan sheets to this new workbook (holding nothing else) instead of the ledger.")
@click.option("--pdf", is_flag=True, help="Also make a PDF with LibreOffice (must be installed).")
@force_option
@as_of_option
@password_write_option
@collections_paused
def plan(ledger: Path, case_id: str | None, all_active: bool, out: Path | None, pdf: bool, force: bool,
         as_of: date | None, password_env: str | None) -> None:
    """Draw the 親子交流支援計画書 (the national programme's plan form) for a case of LEDGER.

    The items follow the official form in order: 申込日, 事前相談日, 申請者 and 相手方 (父・母,
    同居・別居), 親子交流を行う未成年者 with their era birth dates and ages, 援助内容 and 援助条件
    ticked in the form's own words, 支援員, the next review date (見直し予定日), and the 支援経過
    table of the visits that took place, continuing on further pages. A4 portrait, one
    page wide. Both parents see this form, so it never shows an address, phone number or e-mail.

    Without --out the sheet goes into the ledger (named 計画書_<ケースID>), safely, with a backup.
    """
    from ..io.ledger_file import LedgerFile
    from ..io.workbook_io import open_for_update
    from ..services.ledger_writes import ledger_update
    from ..io.plan_sheet import plans_package
    from ..io.sinks import OpenpyxlSink
    from ..services.outputs import write_plans
    from ..services.plan import plans_for, select_cases

    if bool(case_id) == bool(all_active):
        raise click.UsageError(t("--case ケースID か --all のどちらか一方を指定してください", "give either --case ID or --all"))
    password = password_from(password_env)
    day = today(as_of)
    source = LedgerFile(ledger, password)  # read once: the plans and the workbook they are drawn into
    if out is not None:
        from ..io.safe_write import check_out_target

        check_out_target(out, force=force, source=ledger)  # before the work
        read = source.read()
        plans = plans_for(read, select_cases(read, case_id, all_active), day)
        payload, names = plans_package(plans)  # one plan in memory at a time
        with ledger_update(ledger, out=out, command="xlsbridge plan", force=force) as update:
            update.save_bytes(payload, None)  # a new file: plain, it holds no contact data
        target = out
    else:
        with ledger_update(ledger, out=None, command="xlsbridge plan") as update:
            read = update.use(source).read()
            plans = plans_for(read, select_cases(read, case_id, all_active), day)
            wb = open_for_update(ledger, password, data=source.data)
            names = write_plans(OpenpyxlSink(wb), plans)
            target = update.save(wb, password)
    click.echo(t(f"計画書 {len(names)} 件を作成しました: {target}（シート: {', '.join(names[:10])}{' …' if len(names) > 10 else ''}）",
                 f"drew {len(names)} plan sheet(s) in {target} ({', '.join(names[:10])}{' …' if len(names) > 10 else ''})"))
    report_backup(update)
    if pdf:
        _pdf(plans, target if out is not None else None, ledger)


def _pdf(plans: list[PlanSheet], workbook: Path | None, ledger: Path) -> None:
    import tempfile

    from ..io.pdf import convert_to_pdf
    from ..services.plan import plans_workbook

    if workbook is not None:
        made = convert_to_pdf(workbook, workbook.parent)
    else:
        # The ledger holds contact data: convert a workbook with only the plan sheets.
        from ..io.plan_sheet import plan_file_name

        name = plan_file_name(plans[0].case_id if len(plans) == 1 else None)  # the case ID made safe for a file name
        with tempfile.TemporaryDirectory(prefix="xlsbridge-plan-") as tmp:
            source = Path(tmp) / name
            plans_workbook(plans).save(source)
            made = convert_to_pdf(source, ledger.parent)
    click.echo(t(f"PDF: {made}", f"PDF: {made}"))
