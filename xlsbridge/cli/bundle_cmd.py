"""`xlsbridge bundle`: the folder an admin copies to the staff PCs."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UserError
from ..i18n import t
from ..services.installer import WINDOWS_HOME


@click.command(
    epilog="""\b
Example:
  xlsbridge bundle --out 配布                                  # WEK's settings
  xlsbridge bundle --out 配布 --settings 団体設定.toml --force
  xlsbridge bundle --out 配布 --settings 団体設定.toml --install-dir D:\\xlsbridge
  xlsbridge bundle --out 配布2 --wheelhouse 配布\\wheelhouse      # reuse a wheelhouse, no download
"""
)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write (new, or replaced with --force).")
@click.option("--settings", "settings_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The organisation file (.toml) or a ledger (.xlsx) whose settings the template gets "
                   "(default: the shipped WEK settings).")
@click.option("--install-dir", "install_dir", default=WINDOWS_HOME, show_default=True,
              help="Where install.cmd creates xlsbridge's own Python environment on the staff PCs "
                   "(ASCII only, no spaces; install.cmd also takes another folder as its argument).")
@click.option("--wheel", type=click.Path(dir_okay=False, path_type=Path),
              help="The xlsbridge wheel to ship (default: built from this source checkout).")
@click.option("--wheelhouse", "wheelhouse", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Use the wheels in this folder (e.g. an earlier bundle's wheelhouse) instead of downloading.")
@click.option("--cache", "cache", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where downloaded wheels are kept between runs (default ~/.cache/xlsbridge/wheelhouse).")
@click.option("--force", is_flag=True, help="Replace the folder if it is not empty.")
def bundle(out: Path, settings_path: Path | None, install_dir: str, wheel: Path | None, wheelhouse: Path | None,
           cache: Path | None, force: bool) -> None:
    """Write what staff PCs need into one folder, with a Japanese install guide and an offline installer.

    \b
    install.cmd               the installer: its own venv in C:\\xlsbridge, xlsbridge from the
                              wheelhouse with no internet, the add-in, the self-check
    wheelhouse/               xlsbridge and every dependency for Windows 64-bit, CPython 3.11-3.13
    xlsbridge.xlam            the add-in (built from this package: same version)
    案件台帳テンプレート.xlsx   the ledger template with the organisation's settings
    団体設定.toml              the organisation file it was built from (the admin's copy)
    インストール手順.txt        unblocking, Python from python.org, install.cmd, what breaks it
    SHA256SUMS.txt            checksums to check a copy

    The wheels are downloaded once (pip download for win_amd64) and cached. The folder is written
    next to OUT first and renamed into place when complete.
    """
    import tempfile

    from ..services.bundle import make_bundle
    from ..services.installer import check_home
    from ..services.settings_source import load_settings
    from ..services.wheelhouse import build_own_wheel, download, windows_targets

    check_home(install_dir)
    settings = load_settings(settings_path)  # the shipped WEK settings when none is given
    settings_text = None
    if settings_path is not None and settings_path.suffix.lower() == ".toml":
        settings_text = settings_path.read_text(encoding="utf-8-sig")  # the admin's file, comments and all
    if wheel is not None and (not wheel.is_file() or wheel.suffix != ".whl"):
        raise UserError(f"--wheel には xlsbridge の .whl ファイルを指定してください: {wheel.name}",
                        f"--wheel takes the xlsbridge .whl file: {wheel.name}")
    with tempfile.TemporaryDirectory(prefix="xlsbridge-wheelhouse-") as work:
        if wheelhouse is None:
            wheelhouse = Path(work) / "wheelhouse"
            own = wheel or build_own_wheel(Path(work) / "own")
            for target in windows_targets():
                click.echo(t(f"{target.label()} 用の wheel をそろえています…", f"gathering wheels for {target.label()}…"),
                           err=True)
                download(wheelhouse, [str(own)], target, cache=cache)
        result = make_bundle(out, settings, wheelhouse=wheelhouse, settings_text=settings_text,
                             install_dir=install_dir, force=force)
    click.echo(result.render())
