"""`xlsbridge bundle`: the folder an admin copies to the staff PCs."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(
    epilog="""\b
Example:
  xlsbridge bundle --out 配布                                  # WEK's settings
  xlsbridge bundle --out 配布 --settings 団体設定.toml --force
  xlsbridge bundle --out 配布 --settings 団体設定.toml --python "D:\\Python312\\python.exe"
  xlsbridge bundle --out 配布 --wheel dist\\xlsbridge-0.1.0-py3-none-any.whl
"""
)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write (new, or replaced with --force).")
@click.option("--settings", "settings_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The organisation file (.toml) or a ledger (.xlsx) whose settings the template gets "
                   "(default: the shipped WEK settings).")
@click.option("--python", "python", default=r"C:\Python311\python.exe", show_default=True,
              help="Where python.exe will be on the staff PCs (written into xlwings.conf and the guide).")
@click.option("--wheel", type=click.Path(dir_okay=False, path_type=Path),
              help="Also put this xlsbridge wheel in the bundle, for PCs that install without PyPI.")
@click.option("--force", is_flag=True, help="Replace the folder if it is not empty.")
def bundle(out, settings_path, python, wheel, force):
    """Write what staff PCs need into one folder, with a Japanese install guide.

    \b
    xlsbridge.xlam            the add-in (built from this package: same version)
    案件台帳テンプレート.xlsx   the ledger template with the organisation's settings
    団体設定.toml              the organisation file it was built from (the admin's copy)
    xlwings.conf              the line telling Excel which Python to start
    インストール手順.txt        Python from python.org, pip install, the add-in, unblocking,
                              trusted locations, and what breaks it (Store Python, non-ASCII
                              folders, OneDrive)
    SHA256SUMS.txt            checksums to check a copy

    The folder is written next to OUT first and renamed into place when complete.
    """
    from ..services.bundle import make_bundle
    from ..services.settings_source import load_settings

    settings = load_settings(settings_path)  # the shipped WEK settings when none is given
    settings_text = None
    if settings_path is not None and settings_path.suffix.lower() == ".toml":
        settings_text = settings_path.read_text(encoding="utf-8-sig")  # the admin's file, comments and all
    result = make_bundle(out, settings, settings_text=settings_text, python=python, wheel=wheel, force=force)
    click.echo(result.render())
