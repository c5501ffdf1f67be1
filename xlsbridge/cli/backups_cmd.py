"""`xlsbridge backups`: list a ledger's backups, and restore one."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import t
from .common import report_backup


@click.command(
    epilog="""\b
Example:
  xlsbridge backups 案件台帳.xlsx                 # list the backups of this ledger, newest first
  xlsbridge backups 案件台帳.xlsx --restore 1     # put the newest backup back (the current one is kept too)
"""
)
@click.argument("ledger", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--restore", "choice", metavar="N|FILE",
              help="Put back backup number N of the list (1 = newest), or the backup with this file name. "
                   "Written like every update: refused while the ledger is open in Excel, under the lock, "
                   "with a backup of the current ledger first.")
def backups(ledger: Path, choice: str | None) -> None:
    """List the backups xlsbridge kept of LEDGER (folder xlsbridge_backup beside it), or restore one.

    Every in-place write (fees, flags, plan, report --sheet) first copies the ledger there, unless
    nothing changed. The newest 20 of each ledger are kept; set XLSBRIDGE_KEEP_BACKUPS to keep
    another number. Only --restore writes.
    """
    from ..errors import UserError
    from ..io.safe_write import BACKUP_DIR, backups_of, real_path

    ledger = real_path(ledger)
    found = list(reversed(backups_of(ledger)))  # newest first
    if choice is None:
        if not found:
            click.echo(t(f"{ledger.name} のバックアップはありません（{ledger.parent / BACKUP_DIR}）",
                         f"no backups of {ledger.name} ({ledger.parent / BACKUP_DIR})"))
            return
        click.echo(t(f"{ledger.name} のバックアップ {len(found)} 件（新しい順、{ledger.parent / BACKUP_DIR}）:",
                     f"{len(found)} backup(s) of {ledger.name} (newest first, in {ledger.parent / BACKUP_DIR}):"))
        click.echo(t("  番号  作成日時             大きさ(バイト)  ファイル", "   no.  made                 size (bytes)  file"))
        for n, path in enumerate(found, 1):
            stamp = path.name[len(ledger.stem) + 1:len(ledger.stem) + 16]  # YYYYmmdd-HHMMSS: when the copy was made
            when = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}"
            click.echo(f"  {n:>4}  {when}  {path.stat().st_size:>14,}  {path.name}")
        return
    picked = _pick(found, choice)
    if picked is None:
        raise UserError(f"バックアップ「{choice[:60]}」はありません。xlsbridge backups {ledger.name} で一覧を確認してください",
                        f"no backup '{choice[:60]}'; list them with xlsbridge backups {ledger.name}")
    from ..services.ledger_writes import ledger_update

    payload = picked.read_bytes()
    with ledger_update(ledger, out=None, command="xlsbridge backups --restore") as update:
        update.save_bytes(payload, None)  # byte for byte: an encrypted backup stays encrypted
    if not update.unchanged:
        click.echo(t(f"{picked.name} を {ledger} に戻しました", f"restored {picked.name} to {ledger}"))
    report_backup(update)


def _pick(found: list[Path], choice: str) -> Path | None:
    text = choice.strip()
    if text.isdigit() and 1 <= int(text) <= len(found):
        return found[int(text) - 1]
    return next((p for p in found if p.name == text or str(p) == text), None)
