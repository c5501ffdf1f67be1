"""`xlsbridge report`: activity figures for a funder (実績報告) over a period."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..i18n import t
from .common import DATE, collections_paused, report_backup
from .options import as_of_option, force_option, password_from, password_write_option, today


@click.command(
    epilog="""\b
Example:
  xlsbridge report 案件台帳.xlsx --from 2025-04-01 --to 2026-03-31
  xlsbridge report 案件台帳.xlsx --from R7.4.1 --to R8.3.31 --format csv > 実績_2025年度.csv
  xlsbridge report 案件台帳.xlsx --from 2025-04-01 --to 2026-03-31 --sheet          # 実績報告 sheet in the ledger
  xlsbridge report 案件台帳.xlsx --from 2025-04-01 --to 2026-03-31 --out 実績報告.xlsx  # only the figures
"""
)
@click.argument("ledger", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "start", type=DATE, required=True, help="First day of the period (e.g. 2025-04-01, R7.4.1).")
@click.option("--to", "end", type=DATE, required=True, help="Last day of the period (included).")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True,
              help="text for people; csv (UTF-8 with BOM) opens in Excel; json has a schema_version.")
@click.option("--sheet", is_flag=True,
              help="Also write the 実績報告 sheet into the ledger (safely, with a backup).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the 実績報告 sheet to this new workbook holding nothing else (to send to a funder).")
@force_option
@as_of_option
@password_write_option
@collections_paused
def report(ledger: Path, start: date, end: date, fmt: str, sheet: bool, out: Path | None, force: bool,
           as_of: date | None, password_env: str | None) -> None:
    """Count what the organisation did in a period: the figures grant and activity reports ask for.

    \b
    Per month and in total:
    - visits by support type and status (実施 / 予定 / 中止);
    - cases, parents and children supported (with a held visit in the period; in the total each
      is counted once over the whole period);
    - national programme (国の事業) cases and their visits;
    - applications and new contracts;
    - fees billed and refunded for held and cancelled visits (priced as `xlsbridge fees` does;
      visits with entry errors are counted as not priced, never guessed).

    Numbers only: no names, case IDs or contact details appear in any format.
    """
    from ..io.ledger_file import LedgerFile
    from ..services.ledger_writes import ledger_update
    from ..services.report import compute_report, render_csv, render_json, render_text, report_workbook, write_report_sheet

    password = password_from(password_env)
    day = today(as_of)
    renderers = {"text": render_text, "csv": render_csv, "json": render_json}
    source = LedgerFile(ledger, password)  # read once: the figures and the workbook the sheet goes into
    if out is not None:
        from ..io.safe_write import check_out_target

        check_out_target(out, force=force, source=ledger)  # before the work
        result = compute_report(source.read(), start, end, day)
        _emit(renderers[fmt](result), fmt)
        with ledger_update(ledger, out=out, command="xlsbridge report", force=force) as update:
            target = update.save(report_workbook(result), None)  # numbers only: a plain file
        _status(t(f"実績報告を保存しました: {target}", f"saved the report: {target}"), fmt)
        return
    if not sheet:
        _emit(renderers[fmt](compute_report(source.read(), start, end, day)), fmt)
        return
    from ..errors import WorkbookBusy
    from ..io.workbook_io import open_for_update

    try:
        with ledger_update(ledger, out=None, command="xlsbridge report") as update:
            result = compute_report(update.use(source).read(), start, end, day)
            wb = open_for_update(ledger, password, data=source.data)
            write_report_sheet(wb, result)
            target = update.save(wb, password)
    except WorkbookBusy as busy:
        # The figures are what matters: print them, and say why the sheet was not written.
        _emit(renderers[fmt](compute_report(source.read(), start, end, day)), fmt)
        click.echo(t(f"実績報告シートは書き込んでいません: {busy.message()}", f"sheet not written: {busy.message()}"), err=True)
        click.get_current_context().exit(busy.exit_code)  # nothing was written: a nightly job must see it
        return
    _emit(renderers[fmt](result), fmt)
    if not update.unchanged:
        _status(t(f"実績報告シートに書き込みました: {target}", f"written to the 実績報告 sheet: {target}"), fmt)
    report_backup(update, err=fmt != "text")


def _emit(text: str, fmt: str) -> None:
    if fmt == "csv":  # bytes: UTF-8 with its BOM whatever the console's code page is
        click.echo(text.encode("utf-8"), nl=False)
    else:
        click.echo(text, nl=False)


def _status(text: str, fmt: str) -> None:
    click.echo(text, err=fmt != "text")  # machine formats keep stdout to the data
