"""`xlsbridge settings`: the organisation file (団体設定.toml) an admin keeps under version control."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import t
from .options import password_from, password_option


@click.group(
    epilog="""\b
Example:
  xlsbridge settings export 案件台帳.xlsx > 団体設定.toml     # the ledger's 設定 / 区域 sheets as a file
  xlsbridge settings check 団体設定.toml                      # what is wrong, with the line and key
  xlsbridge template new 案件台帳.xlsx --settings 団体設定.toml
"""
)
def settings() -> None:
    """The organisation's settings as a TOML file: fee schedules, areas, rules, holidays, plan form.

    The same settings live in a ledger's 設定 and 区域 sheets. `export` writes them as a commented
    file to keep under version control; `check` says what is wrong in a file or in a ledger's sheets.
    """


@settings.command(
    epilog="""\b
Example:
  xlsbridge settings export 案件台帳.xlsx > 団体設定.toml
  xlsbridge settings export 案件台帳.xlsx --out 団体設定.toml --force
  xlsbridge settings export --shipped example-tokyo --out 見本設定.toml   # a starting point
"""
)
@click.argument("source", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of the screen.")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
@click.option("--shipped", metavar="NAME",
              help="Export a profile shipped with xlsbridge instead (wek, example-tokyo, example-flat, example-city).")
@password_option
def export(source: Path | None, out: Path | None, force: bool, shipped: str | None,
           password_env: str | None) -> None:
    """Write the settings of SOURCE (a ledger .xlsx, or a .toml to tidy) as a commented TOML file.

    Every key is written, in a fixed order, with the 設定 sheet's label beside it, so two exports
    of the same settings are identical and a change shows as a small diff. Loading the file back
    gives exactly the same settings. UTF-8.
    """
    from ..errors import UserError
    from ..io.settings_toml import settings_to_toml

    if (source is None) == (shipped is None):
        raise click.UsageError(t("台帳（または .toml）か --shipped のどちらか一方を指定してください",
                                 "give either a ledger (or .toml) or --shipped"))
    from ..io.safe_write import atomic_write, check_out_target

    if out is not None:  # checked before the work, as every write command does
        out = check_out_target(out, suffixes=(".toml",), force=force)
    from ..services.settings_source import load_settings

    settings = load_settings(source, password=password_from(password_env), shipped=shipped)
    text = settings_to_toml(settings)
    if out is None:
        click.echo(text.encode("utf-8"), nl=False)  # bytes: UTF-8 whatever the console's code page is
        return
    atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))
    click.echo(t(f"設定を書き出しました: {out}（{settings.organisation}）", f"wrote the settings: {out} ({settings.organisation})"))


@settings.command(
    epilog="""\b
Exit status: 0 the settings are valid (notes allowed), 1 something to fix, 2 the file cannot be used.

\b
Example:
  xlsbridge settings check 団体設定.toml
  xlsbridge settings check 案件台帳.xlsx
"""
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@password_option
@click.pass_context
def check(ctx: click.Context, path: Path, password_env: str | None) -> None:
    """Check an organisation file (.toml) or a ledger's 設定 / 区域 sheets and say what is wrong.

    A .toml is checked whole: every problem is listed with its line and its key (e.g. "45行目
    schedules[2].support_types[3].extension.max_minutes"). A ledger's sheets stop at the first
    problem, named by its cell (設定!E14). Valid settings are summarised, with notes on what will
    still surprise someone: sample fares, out-of-area places adding nothing, missing distances,
    days no fee schedule covers.
    """
    from ..domain.settings import settings_advisories
    from ..errors import UserError, WorkbookUnusable

    suffix = path.suffix.lower()
    if suffix == ".toml":
        from ..io.settings_toml import check_settings_text

        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise UserError(f"設定ファイルがありません: {path}", f"settings file not found: {path}") from None
        except UnicodeDecodeError:
            raise UserError(f"{path.name} を読めません。UTF-8 で保存してください", f"cannot read {path.name}; save it as UTF-8") from None
        settings, problems = check_settings_text(text, path.name)
        if settings is None:
            for p in problems:
                click.echo(f"✗ {path.name} {p.message()}")
            click.echo(t(f"問題 {len(problems)} 件", f"{len(problems)} problems"))
            ctx.exit(1)
    elif suffix in (".xlsx", ".xlsm"):
        from ..io.upgrade import read_ledger_settings

        try:
            settings, version = read_ledger_settings(path, password_from(password_env))
        except WorkbookUnusable:
            raise
        except UserError as exc:  # the settings sheets' own problem, naming the cell
            click.echo(f"✗ {exc.message()}")
            click.echo(t("問題 1 件（直したらもう一度確かめてください）", "1 problem (check again after fixing it)"))
            ctx.exit(1)
        from ..domain.settings import settings_refusals
        from ..domain.layout import AREAS_SHEET

        refused = settings_refusals(settings)
        if refused:
            _where, ja, en = refused[0]
            click.echo(f"✗ {AREAS_SHEET}!A2: {t(ja, en)}")
            click.echo(t("問題 1 件（直したらもう一度確かめてください）", "1 problem (check again after fixing it)"))
            ctx.exit(1)
    else:
        raise UserError(f"団体設定ファイル (.toml) か台帳 (.xlsx) を指定してください: {path.name}",
                        f"give an organisation file (.toml) or a ledger (.xlsx): {path.name}")
    types = len(settings.support_type_keys)
    click.echo(t(f"✓ {path.name}: 正しく読めました（{settings.organisation}、料金表 {len(settings.schedules)} 件、"
                 f"支援類型 {types} 種、区域 {len(settings.areas)} 件、休業日 {len(settings.office_holidays)} 日、"
                 f"計画書: {settings.plan.name}）",
                 f"✓ {path.name}: valid ({settings.organisation}, {len(settings.schedules)} schedules, {types} support types, "
                 f"{len(settings.areas)} areas, {len(settings.office_holidays)} holidays, plan form: {settings.plan.name})"))
    for ja, en in settings_advisories(settings):
        click.echo(f"△ {t(ja, en)}")
    ctx.exit(0)
