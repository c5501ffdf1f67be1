"""`xlsbridge validate`: check the entries of a ledger workbook."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..i18n import t
from .common import collections_paused, report_backup
from .options import as_of_option, force_option, password_from, password_option, today


@click.command(
    epilog="""\b
Exit status: 0 no errors (warnings allowed), 1 errors found, 2 the file cannot be used.

\b
Example:
  xlsbridge validate 案件台帳.xlsx
  xlsbridge validate 案件台帳.xlsx --as-of 2025-06-30 --format json > check.json
  xlsbridge validate 案件台帳.xlsx --format csv > check.csv          # opens in Excel
  xlsbridge validate 案件台帳.xlsx --annotate 案件台帳_チェック.xlsx   # a marked-up copy
  LEDGER_PW=secret xlsbridge validate protected.xlsx --password-env LEDGER_PW
  xlsbridge --lang en validate ledger.xlsx
"""
)
@click.argument("ledger", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text: grouped by sheet, for people; json: for scripts (docs/validate-json.md); "
                   "csv: UTF-8 with BOM, for Excel.")
@click.option("--annotate", "annotate_out", type=click.Path(dir_okay=False, path_type=Path), metavar="OUT.xlsx",
              help="Also write a copy of the ledger with each finding's cell coloured and commented, and a "
                   "チェック結果 sheet linking to them; the copy leaves out the 連絡先 (contacts) sheet. "
                   "The ledger itself is never changed.")
@force_option
@as_of_option
@password_option
@click.pass_context
@collections_paused
def validate(ctx: click.Context, ledger: Path, fmt: str, as_of: date | None, annotate_out: Path | None, force: bool,
             password_env: str | None) -> None:
    """Check the entries of a case ledger (案件台帳) and list what to fix, cell by cell.

    Reads the workbook without changing or locking it, checks every rule of the rule book
    (see `xlsbridge rules`) and prints each finding with its cell (面会記録!F12), severity and
    what to do. Errors must be fixed; warnings are for staff to confirm.
    """
    from ..io.ledger_file import LedgerFile
    from ..services.validate import annotate, render_csv, render_json, render_text, validate_workbook

    password = password_from(password_env)
    if annotate_out is not None:
        from ..io.safe_write import check_out_target

        annotate_out = check_out_target(annotate_out, force=force, source=ledger, option="--annotate")  # before the work
    source = LedgerFile(ledger, password)  # read once, for the report and the annotated copy
    report = validate_workbook(source, as_of=today(as_of))
    if fmt == "json":
        click.echo(render_json(report), nl=False)
    elif fmt == "csv":
        click.echo(render_csv(report).encode("utf-8"), nl=False)  # bytes: UTF-8 whatever the console uses
    else:
        click.echo(render_text(report), nl=False)
    if annotate_out is not None:
        annotate(ledger, annotate_out, report, password=password, data=source.data)
        click.echo(t(f"チェック結果を書き込んだコピーを保存しました: {annotate_out}",
                     f"wrote a marked-up copy: {annotate_out}"), err=True)
    ctx.exit(1 if report.has_errors else 0)

