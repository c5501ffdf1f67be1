"""`xlsbridge fees`: price every visit and fill the computed columns of 面会記録."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..i18n import t
from .common import collections_paused, report_backup
from .options import as_of_option, force_option, password_from, password_write_option, today

if TYPE_CHECKING:
    from ..io.sinks import Written
    from ..services.fees import FeesResult


@click.command(
    epilog="""\b
Example:
  xlsbridge fees 案件台帳.xlsx                    # update in place (a backup is kept)
  xlsbridge fees 案件台帳.xlsx --dry-run          # show what would change, write nothing
  xlsbridge fees 案件台帳.xlsx --out 料金計算済み.xlsx
"""
)
@click.argument("ledger", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the result to this new workbook instead of updating the ledger.")
@click.option("--dry-run", is_flag=True, help="Print what would change and write nothing.")
@force_option
@as_of_option
@password_write_option
@collections_paused
def fees(ledger: Path, out: Path | None, dry_run: bool, force: bool, as_of: date | None,
         password_env: str | None) -> None:
    """Price every visit of LEDGER with the fee schedule in its settings sheet.

    Fills the computed columns of 面会記録 (基本料金 … 返金額, 内訳) and redraws the 料金集計 sheet
    (visits, amounts billed to each parent and refunds, per case and per month). Cells staff typed
    are never changed. A visit whose entries have an error gets no price; its 内訳 cell points at
    the validate finding to fix instead.

    Without --out the ledger is updated in place, safely: a timestamped copy is kept in the folder
    xlsbridge_backup beside it, the new file is written to a temporary file and renamed, and a
    ledger open in Excel is refused (close it, or use --out).
    """
    from ..services.fees import compute_fees, fees_workbook
    from ..services.ledger_writes import ledger_update

    password = password_from(password_env)
    with ledger_update(ledger, out=out, command="xlsbridge fees", read_only=dry_run, force=force) as update:
        source = update.open(password)  # read once: the ledger priced and the package patched
        result = compute_fees(source.read(), today(as_of))
        written = fees_workbook(source.data, result, dry_run=dry_run, macros=source.macros)
        _report(result)
        if dry_run:
            _report_dry_run(written)
            return
        where = update.save_bytes(written.payload, password)
    if update.unchanged:
        report_backup(update)
        return
    click.echo(t(f"変更したセル: {written.changed}。保存しました: {where}", f"cells changed: {written.changed}; saved {where}"))
    report_backup(update)


def _report(result: FeesResult) -> None:
    if not result.prices:
        click.echo(t("面会記録に面会がまだありません（計算するものはありません）", "no visits in 面会記録 yet (nothing to price)"))
    elif result.unpriced:
        click.echo(t(f"面会 {len(result.prices)} 件: 計算 {result.priced} 件、未計算 {result.unpriced} 件"
                     "（入力チェックの指摘あり: xlsbridge validate で確認してください）",
                     f"{len(result.prices)} visits: {result.priced} priced, {result.unpriced} not priced "
                     "(entry errors: see xlsbridge validate)"))
    else:
        click.echo(t(f"面会 {len(result.prices)} 件: すべて計算しました", f"{len(result.prices)} visits: all priced"))
    click.echo(t(f"料金集計: 請求 {result.summary.total.billed:,}円、返金 {result.summary.total.refunded:,}円",
                 f"summary: billed {result.summary.total.billed:,} yen, refunded {result.summary.total.refunded:,} yen"))
    statements = result.summary.statements
    if statements:
        other = sum(s.charged("father") + s.charged("mother") for s in statements)
        low = sum(1 for s in statements if s.low)
        click.echo(t(f"面会以外の費用（事前面談料・契約料・更新料・預り金）: {other:,}円、預り金の残りが少ないケース {low} 件（料金集計のケース別）",
                     f"charges outside visits (pre-consultation, contract, renewal, deposits): {other:,} yen; "
                     f"{low} cases with a deposit running low (料金集計, by case)"))


def _report_dry_run(written: Written) -> None:
    click.echo(t(f"変更されるセル: {written.changed}（--dry-run: 何も書き込んでいません）",
                 f"cells that would change: {written.changed} (--dry-run: nothing written)"))
    for change in written.changes[:40]:
        click.echo(f"  {change.address}: {_show(change.old)} → {_show(change.new)}")
    if written.changed > 40:
        click.echo(t(f"  …ほか {written.changed - 40} セル", f"  … and {written.changed - 40} more cells"))


def _show(value: Any) -> str:
    return "（空）" if value in (None, "") else str(value)

