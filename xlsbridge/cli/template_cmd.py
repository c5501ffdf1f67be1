"""`xlsbridge template new`: write a fresh, empty ledger workbook for the organisation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..i18n import t
from .options import as_of_option, password_from, password_write_option, today


@click.group(
    epilog="""\b
Example:
  xlsbridge template new 案件台帳.xlsx                          # WEK's fee schedule
  xlsbridge template new 案件台帳.xlsx --settings 団体設定.toml   # your organisation's rules
  xlsbridge template new 案件台帳.xlsx --force                  # replace an existing file
  xlsbridge template upgrade 古い台帳.xlsx --out 新しい台帳.xlsx   # carry a ledger into this version
"""
)
def template() -> None:
    """The ledger template (案件台帳): sheets, tables, drop-downs and the settings sheets.

    `new` writes an empty ledger; `upgrade` carries an existing ledger, with all its data, into the
    template of this xlsbridge version.
    """


@template.command(
    epilog="""\b
Example:
  xlsbridge template new 案件台帳.xlsx
  xlsbridge template new 案件台帳.xlsx --settings xlsbridge/data/settings/example-tokyo.toml
  xlsbridge template new 案件台帳.xlsx --settings 団体設定.toml --force
  xlsbridge template new 案件台帳.xlsx --lite-package https://example.org/xlsbridge-0.1.0-py3-none-any.whl
"""
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--settings", "settings_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Organisation file (.toml, see xlsbridge/data/settings/) written into the 設定 and 区域 "
                   "sheets (default: the shipped WEK schedule).")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@click.option("--lite-package", metavar="SPEC",
              help="What the ledger's xlwings Lite requirements.txt installs as xlsbridge: a requirement "
                   "(default: xlsbridge==this version, from PyPI) or the https URL of the wheel the admin "
                   "publishes (see docs/excel-lite.md).")
def new(path: Path, settings_path: Path | None, force: bool, lite_package: str | None) -> None:
    """Write an empty ledger workbook to PATH.

    Sheets 使い方, ケース, 連絡先, 子ども, 面会記録, 支援員, 設定, 区域: each record sheet is an Excel
    table with drop-downs (support types from the settings, staff from 支援員, ○/×), date and yen
    formats and grey computed fee columns; 設定 and 区域 hold the fee schedule and the area table for
    the admin to edit. The ledger also carries xlwings Lite's requirements.txt (naming xlsbridge) and
    main.py, so staff with the free xlwings Lite add-in get the buttons without installing Python.
    The file is written to a temporary file and renamed into place.
    """
    from ..errors import UserError
    from ..io.settings_toml import default_settings, load_settings_toml
    from ..io.template import build_template, check_new_workbook_path, save_workbook_deterministic

    if settings_path is not None and settings_path.suffix.lower() != ".toml":
        raise UserError(f"--settings には団体設定ファイル (.toml) を指定してください: {settings_path.name}",
                        f"--settings takes an organisation file (.toml): {settings_path.name}")
    check_new_workbook_path(path, force=force)
    if lite_package is not None:
        from ..io.lite_part import check_package_spec

        lite_package = check_package_spec(lite_package)
    settings = default_settings() if settings_path is None else load_settings_toml(settings_path)
    save_workbook_deterministic(build_template(settings), path, lite_requirements=lite_package)
    click.echo(t(f"台帳テンプレートを作成しました: {path}（{settings.organisation}）",
                 f"wrote the ledger template: {path} ({settings.organisation})"))


@template.command(
    epilog="""\b
Exit status: 0 upgraded, 2 nothing written (the message says why).

\b
Example:
  xlsbridge template upgrade 案件台帳.xlsx --out 案件台帳_新.xlsx
  xlsbridge template upgrade 案件台帳.xlsx --out 案件台帳_新.xlsx --settings 団体設定.toml
  LEDGER_PW=secret xlsbridge template upgrade 台帳.xlsx --out 台帳_新.xlsx --password-env LEDGER_PW
"""
)
@click.argument("ledger", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The new ledger (.xlsx). The old one is never changed: keep it until staff have checked the new one.")
@click.option("--settings", "settings_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Organisation file (.toml) for the 設定 and 区域 sheets instead of the ledger's own "
                   "(needed for very old ledgers without a 設定 sheet).")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
@as_of_option
@password_write_option
def upgrade(ledger: Path, out: Path, settings_path: Path | None, force: bool, as_of: date | None,
            password_env: str | None) -> None:
    """Carry LEDGER, with all its data, into the current template version.

    The version the ledger was built from is read from the workbook (設定 sheet, defined name), or
    recognised from its sheets and headers for ledgers older than version records. Every row is
    copied under the current headers (renamed headers are matched through their old names); new
    columns stay empty; new drop-down lists, formats and highlights come from the template; the
    staff's own columns and sheets are kept with their formats; 料金集計, the fee columns and
    チェック結果 are computed again; 計画書_* and 期限・年齢 are kept.

    Before anything is written, every non-empty cell staff typed in the old ledger is looked up in
    the new one and must hold the same value. It prints what changed: columns renamed and added,
    sheets kept and rebuilt, rows carried. Encrypted ledgers stay encrypted with the same password.
    """
    from ..errors import UserError
    from ..io.settings_toml import load_settings_toml
    from ..io.template import check_new_workbook_path
    from ..services.upgrade import upgrade_file
    from ..services.ledger_writes import ledger_update

    if settings_path is not None and settings_path.suffix.lower() != ".toml":
        raise UserError(f"--settings には団体設定ファイル (.toml) を指定してください: {settings_path.name}",
                        f"--settings takes an organisation file (.toml): {settings_path.name}")
    password = password_from(password_env)
    check_new_workbook_path(out, force=force)
    settings = load_settings_toml(settings_path) if settings_path is not None else None
    new, report = upgrade_file(ledger, settings=settings, settings_label=settings_path.name if settings_path else None,
                               as_of=today(as_of), password=password)
    with ledger_update(ledger, out=out, command="xlsbridge template upgrade") as update:
        target = update.save(new, password, add_lite_part=True)
    click.echo(report.render())
    click.echo(t(f"新しい台帳を保存しました: {target}（元の台帳 {ledger.name} は変更していません）",
                 f"saved the new ledger: {target} (the old ledger {ledger.name} is unchanged)"))
