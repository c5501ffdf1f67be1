"""`xlsbridge addin`: build the Excel add-in (xlsbridge.xlam) from source and install it."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import t


@click.group(
    epilog="""\b
Example:
  xlsbridge addin build                 # writes dist/xlsbridge.xlam and prints its sha256
  xlsbridge addin install --dry-run     # shows where the add-in and settings would go
  xlsbridge addin install               # then restart Excel: the "xlsbridge" tab appears
"""
)
def addin() -> None:
    """The Excel add-in: a ribbon tab "xlsbridge" whose buttons run xlsbridge through xlwings.

    `build` makes xlsbridge.xlam from the VBA sources without Excel (same sources, same bytes).
    `install` puts it where Excel opens it at start and points xlwings at this Python.
    """


@addin.command(
    epilog="""\b
Example:
  xlsbridge addin build
  xlsbridge addin build --out C:\\xlsbridge\\addin
"""
)
@click.option(
    "--out",
    "out_dir",
    default="dist",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write xlsbridge.xlam into (created if missing).",
)
def build(out_dir: Path) -> None:
    """Build xlsbridge.xlam from macros/ and the installed xlwings' VBA; print its path and sha256."""
    from ..addin.build import build_addin, read_addin_version, sha256_of

    path = build_addin(out_dir)
    version = read_addin_version(path)
    click.echo(t(f"アドインを作成しました: {path}", f"built the add-in: {path}"))
    click.echo(t(f"バージョン: {version}", f"version: {version}"))
    click.echo(f"sha256: {sha256_of(path)}")


@addin.command(
    epilog="""\b
Example:
  xlsbridge addin install --dry-run
  xlsbridge addin install
  xlsbridge addin install --file \\\\server\\share\\xlsbridge.xlam   # a copy built elsewhere
"""
)
@click.option("--dry-run", is_flag=True, help="Show what would be done and the warnings; change nothing.")
@click.option(
    "--file",
    "source",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Install this prebuilt xlsbridge.xlam instead of building one.",
)
def install(dry_run: bool, source: Path | None) -> None:
    """Install the add-in for this Windows/macOS user, as `xlwings addin install` does.

    Windows: copies xlsbridge.xlam to %APPDATA%\\Microsoft\\Excel\\XLSTART and sets
    "INTERPRETER_WIN" in the add-in's own %USERPROFILE%\\.xlsbridge\\xlsbridge.conf to this Python.
    macOS: Excel's startup folder, ~/Library/Containers/com.microsoft.Excel/Data/xlsbridge.conf and
    xlwings' AppleScript. xlwings' own xlwings.conf is left alone. Warns about Microsoft Store Python, non-ASCII paths, OneDrive folders and
    add-in files blocked as downloaded. Quit Excel first.
    """
    from ..addin.install import install_addin

    plan = install_addin(dry_run=dry_run, source=source)
    header = (
        t("次の手順を実行します (--dry-run のため何も変更していません):",
          "would do (--dry-run: nothing changed):")
        if dry_run
        else t("インストールしました:", "installed:")
    )
    click.echo(header)
    for step in plan.steps():
        click.echo(f"  - {step}")
    for warning in plan.warnings:
        click.echo(t(f"注意: {warning.message()}", f"warning: {warning.message()}"), err=True)
    if not dry_run:
        click.echo(
            t(
                "Excel を起動し直すと「xlsbridge」タブが表示されます。",
                'Restart Excel: the "xlsbridge" tab appears.',
            )
        )


@addin.command(
    epilog="""\b
Example:
  xlsbridge addin lite --out lite                 # requirements.txt and main.py to paste into xlwings Lite
  xlsbridge addin lite --out lite --wheel         # and the wheel, to publish at an https address
  xlsbridge addin lite --out lite --package https://example.org/dl/xlsbridge-0.1.0-py3-none-any.whl
"""
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write into (created if missing).")
@click.option("--package", metavar="SPEC",
              help="What requirements.txt installs as xlsbridge: a requirement (default: xlsbridge==this "
                   "version, from PyPI) or the https URL of the published wheel.")
@click.option("--wheel", is_flag=True, help="Also write this xlsbridge as a wheel (xlsbridge-VERSION-py3-none-any.whl).")
def lite(out_dir: Path, package: str | None, wheel: bool) -> None:
    """Files for xlwings Lite, the free Excel add-in that runs Python without installing it.

    requirements.txt (naming xlsbridge) and main.py (one import: the six buttons) are what Lite keeps
    in the workbook; ledgers made by `xlsbridge template new` already hold both. Paste them into
    Lite's tabs of an older ledger. See docs/excel-lite.md.
    """
    from ..io.lite_part import check_package_spec
    from ..lite.distribution import write_lite_files

    if package is not None:
        package = check_package_spec(package)
    for path in write_lite_files(out_dir, package=package, wheel=wheel):
        click.echo(t(f"書き出しました: {path}", f"wrote {path}"))
