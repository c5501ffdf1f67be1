"""`xlsbridge template new`: write a fresh, empty ledger workbook for the organisation."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import t


@click.group(
    epilog="""\b
Example:
  xlsbridge template new 案件台帳.xlsx                          # WEK's fee schedule
  xlsbridge template new 案件台帳.xlsx --settings 団体設定.toml   # your organisation's rules
  xlsbridge template new 案件台帳.xlsx --force                  # replace an existing file
"""
)
def template():
    """The ledger template (案件台帳): sheets, tables, drop-downs and the settings sheets."""


@template.command(
    epilog="""\b
Example:
  xlsbridge template new 案件台帳.xlsx
  xlsbridge template new 案件台帳.xlsx --settings xlsbridge/data/settings/example-tokyo.toml
  xlsbridge template new 案件台帳.xlsx --settings 団体設定.toml --force
"""
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--settings", "settings_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Organisation file (.toml, see xlsbridge/data/settings/) written into the 設定 and 区域 "
                   "sheets (default: the shipped WEK schedule).")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def new(path, settings_path, force):
    """Write an empty ledger workbook to PATH.

    Sheets 使い方, ケース, 連絡先, 子ども, 面会記録, 支援員, 設定, 区域: each record sheet is an Excel
    table with drop-downs (support types from the settings, staff from 支援員, ○/×), date and yen
    formats and grey computed fee columns; 設定 and 区域 hold the fee schedule and the area table for
    the admin to edit. The file is written to a temporary file and renamed into place.
    """
    from ..errors import UserError
    from ..io.settings_toml import default_settings, load_settings_toml
    from ..io.template import build_template, check_new_workbook_path, save_workbook_deterministic

    if settings_path is not None and settings_path.suffix.lower() != ".toml":
        raise UserError(f"--settings には団体設定ファイル (.toml) を指定してください: {settings_path.name}",
                        f"--settings takes an organisation file (.toml): {settings_path.name}")
    check_new_workbook_path(path, force=force)
    settings = default_settings() if settings_path is None else load_settings_toml(settings_path)
    save_workbook_deterministic(build_template(settings), path)
    click.echo(t(f"台帳テンプレートを作成しました: {path}（{settings.organisation}）",
                 f"wrote the ledger template: {path} ({settings.organisation})"))
