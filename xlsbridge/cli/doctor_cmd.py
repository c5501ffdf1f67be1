"""`xlsbridge doctor`: is everything in place on this PC (and is this ledger usable)?"""

from __future__ import annotations

from pathlib import Path

import click

from .options import password_from, password_option


@click.command(
    epilog="""\b
Exit status: 0 no problem (notes marked △ allowed), 1 a problem (✗) to fix.

\b
Example:
  xlsbridge doctor
  xlsbridge doctor 案件台帳.xlsx
  xlsbridge doctor 案件台帳.xlsx --addin dist\\xlsbridge.xlam
  xlsbridge --lang en doctor
"""
)
@click.argument("ledger", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--addin", "addin_file", type=click.Path(dir_okay=False, path_type=Path),
              help="An add-in file (xlsbridge.xlam) to compare with this package; default: the installed one "
                   "(Windows and macOS).")
@password_option
@click.pass_context
def doctor(ctx: click.Context, ledger: Path | None, addin_file: Path | None, password_env: str | None) -> None:
    """Check this PC's set-up for xlsbridge, and LEDGER when given; say what to do about each problem.

    \b
    - Python (3.11 or newer; not the Microsoft Store one; no non-ASCII folders), xlsbridge, xlwings;
    - the add-in: its version must be this package's version (else the ribbon misbehaves);
    - xlsbridge.conf: the ribbon must start this Python (Windows and macOS);
    - LEDGER: its template version (current, older: upgrade it, newer: update xlsbridge) and whether
      the ribbon can read it;
    - LibreOffice, needed only for PDFs of the plan sheet.

    Nothing is changed. Each line is ✓ fine, △ worth a look, ✗ a problem, with → what to do.
    """
    from ..services.doctor import doctor_checks, render

    checks = doctor_checks(ledger, addin_file=addin_file, password=password_from(password_env))
    click.echo(render(checks))
    ctx.exit(1 if any(c.status == "problem" for c in checks) else 0)
