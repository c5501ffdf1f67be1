"""`xlsbridge sample`: a ledger filled with fictional records, for training, demos and benchmarks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..i18n import t
from .common import DATE


@click.command(
    epilog="""\b
Example:
  xlsbridge sample --cases 40 --seed 1 --out 練習用台帳.xlsx                # like the shipped sample
  xlsbridge sample --cases 4800 --seed 7 --out bench.xlsx --force          # ~50,000 visits
  xlsbridge sample --cases 100 --seed 2 --start 2025-04-01 --out 2025.xlsx
"""
)
@click.option("--cases", type=click.IntRange(min=1), default=40, show_default=True,
              help="Number of cases; each has about 10 visits (4,800 cases ≈ 50,000 visits).")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed: the same seed gives the same file.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook to write (.xlsx).")
@click.option("--start", type=DATE, default="2024-04-01", show_default=True,
              help="Around when the first applications come in; the records are written as of 23 months later.")
@click.option("--no-mistakes", is_flag=True, help="Leave out the deliberate mistakes (a ledger that validates clean).")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def sample(cases: int, seed: int, out: Path, start: date, no_mistakes: bool, force: bool) -> None:
    """Write a ledger workbook with fictional but realistic records (WEK fee schedule).

    Cases over two years with every support type, members and non-members, agreed ratios, out-of-area
    visits, cancellations before and after the noon cut-off and by the organisation, a national
    programme case, a terminated case and a child entering junior high before renewal. All names,
    addresses (見本町), phone numbers (0X0-0000-xxxx) and e-mail addresses (example.jp) are fictional.
    A few deliberate mistakes are included for `xlsbridge validate` to find (see workbooks/README.md).
    Deterministic: the same options write the same bytes. Progress goes to stderr.
    """
    import time

    from ..samples.generate import generate_sample
    from ..io.settings_toml import default_settings
    from ..io.template import build_template, check_new_workbook_path, save_workbook_deterministic

    check_new_workbook_path(out, force=force)

    started = time.perf_counter()
    records = generate_sample(cases, seed, start, mistakes=not no_mistakes)
    click.echo(t(f"生成: ケース {len(records.cases):,} 件、面会 {len(records.visits):,} 件"
                 f"（{time.perf_counter() - started:.1f} 秒）",
                 f"generated {len(records.cases):,} cases, {len(records.visits):,} visits "
                 f"({time.perf_counter() - started:.1f} s)"), err=True)
    big = len(records.visits) >= 5000

    def progress(sheet: str, done: int, total: int) -> None:
        if big:
            click.echo(t(f"  {sheet}: {done:,} / {total:,} 行", f"  {sheet}: {done:,} / {total:,} rows"), err=True)

    wb = build_template(default_settings(), sample=records, progress=progress)
    if big:
        click.echo(t("保存中…", "saving…"), err=True)
    save_workbook_deterministic(wb, out)
    click.echo(t(f"サンプル台帳を作成しました: {out}（{time.perf_counter() - started:.1f} 秒、基準日 {records.today}）",
                 f"wrote the sample ledger: {out} ({time.perf_counter() - started:.1f} s, as of {records.today})"),
               err=True)
    if records.mistakes:
        click.echo(t(f"わざと入れた誤り: {len(records.mistakes)} 件（" + "、".join(m.cell for m in records.mistakes) + "）",
                     f"deliberate mistakes: {len(records.mistakes)} (" + ", ".join(m.cell for m in records.mistakes) + ")"),
                   err=True)
