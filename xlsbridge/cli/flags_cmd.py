"""`xlsbridge flags`: contracts to renew, children leaving, programme limits, payments, reviews."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..i18n import t
from .common import collections_paused, report_backup
from .options import as_of_option, force_option, password_from, password_write_option, today


@click.command(
    epilog="""\b
Example:
  xlsbridge flags 案件台帳.xlsx                       # next 60 days; the ledger is not changed
  xlsbridge flags 案件台帳.xlsx --as-of 2026-03-01 --within 30
  xlsbridge flags 案件台帳.xlsx --format json > 期限.json   # nightly job: writes nothing
  xlsbridge flags 案件台帳.xlsx --write                # also fill the 期限・年齢 sheet (with a backup)
"""
)
@click.argument("ledger", type=click.Path(dir_okay=False, path_type=Path))
@as_of_option
@click.option("--within", default=60, show_default=True, type=click.IntRange(0, 3650), metavar="DAYS",
              help="How many days ahead to look.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="Output format (json has a schema_version; csv opens in Excel).")
@click.option("--write/--no-write", default=False,
              help="Also write the list to the 期限・年齢 sheet of the ledger (safely, with a backup). "
                   "Without it (or --out) nothing is written.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the ledger with the 期限・年齢 sheet to this new file instead of updating it in place.")
@force_option
@password_write_option
@collections_paused
def flags(ledger: Path, as_of: date | None, within: int, fmt: str, write: bool, out: Path | None, force: bool,
          password_env: str | None) -> None:
    """List what needs action soon in LEDGER.

    \b
    - contracts whose term ends (both parents must renew for the case to go on);
    - children who will be junior-high students at the next renewal and leave then
      (their grade and age on that date);
    - national-programme cases reaching one year, and months whose one visit is used;
    - unpaid shares past their due date (when 父入金日 / 母入金日 are recorded);
    - support plan reviews due (見直し予定日, or every 3 months from the contract).

    Each item has its kind, the case, the date it falls due, the days left and what to do.
    The list names case IDs only, never people or their contact details.
    """
    from ..errors import WorkbookBusy
    from ..io.ledger_file import LedgerFile
    from ..services.fees import ledger_language
    from ..services.flags import compute_flags, flags_workbook, render_csv, render_json, render_text, sheet_report
    from ..services.ledger_writes import ledger_update

    password = password_from(password_env)
    day = today(as_of)
    renderers = {"text": render_text, "json": render_json, "csv": render_csv}
    source = LedgerFile(ledger, password)  # read once: the list, the sheet and the package patched
    if not write and out is None:
        report = compute_flags(source.read(), day, within)
        _emit(renderers[fmt](report), fmt)
        return
    try:
        with ledger_update(ledger, out=out, command="xlsbridge flags", force=force) as update:
            read = update.use(source).read()
            report = compute_flags(read, day, within)
            _emit(renderers[fmt](report), fmt)
            payload = flags_workbook(source.data, sheet_report(read, report), macros=source.macros,
                                     language=ledger_language(read))
            where = update.save_bytes(payload, password)
    except WorkbookBusy as busy:
        # The list is what matters; print it and say why the sheet was not updated.
        report = compute_flags(source.read(), day, within)
        _emit(renderers[fmt](report), fmt)
        click.echo(t(f"期限・年齢シートは更新していません: {busy.message()}", f"sheet not updated: {busy.message()}"), err=True)
        click.get_current_context().exit(busy.exit_code)  # nothing was written: a nightly job must see it
        return
    if fmt == "text" and not update.unchanged:
        click.echo(t(f"期限・年齢シートに書き込みました: {where}", f"written to the 期限・年齢 sheet: {where}"))
    report_backup(update, err=fmt != "text")


def _emit(text: str, fmt: str) -> None:
    if fmt == "csv":  # bytes: UTF-8 with its BOM whatever the console's code page is
        click.echo(text.encode("utf-8"), nl=False)
    else:
        click.echo(text)
