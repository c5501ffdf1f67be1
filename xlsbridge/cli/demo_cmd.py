"""`xlsbridge demo`: see every job run on the fictional sample ledger."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(
    epilog="""\b
Example:
  xlsbridge demo                       # into ./xlsbridge-demo
  xlsbridge demo --out /tmp/試し
  xlsbridge --lang en demo
"""
)
@click.option("--out", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("xlsbridge-demo"),
              show_default=True, help="Folder for the demo's files (created if missing; its sample files are replaced).")
def demo(folder: Path) -> None:
    """Run validate, fees, flags and plan on a fresh copy of the sample ledger.

    The sample holds about 40 fictional cases over two years (every support type, members, agreed
    ratios, out-of-area visits, cancellations on both sides of the noon cut-off, a national-programme
    case, a terminated case) and eight deliberate mistakes for the check to find. "Today" is fixed
    at 2026-03-01 so the output is the same on every run.
    """
    from ..services.demo import run_demo

    run_demo(folder, click.echo)
