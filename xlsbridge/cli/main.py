"""The `xlsbridge` command: a click group whose subcommands are loaded only when used.

Each subcommand lives in its own module (``xlsbridge/cli/<name>_cmd.py``) and imports openpyxl,
pydantic and friends inside its function body, so ``xlsbridge --help`` stays fast.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from .. import __version__

# name -> module that defines a click command (or group) of the same name
COMMANDS: dict[str, str] = {
    "demo": "xlsbridge.cli.demo_cmd",
    "quote": "xlsbridge.cli.quote_cmd",
    "validate": "xlsbridge.cli.validate_cmd",
    "fees": "xlsbridge.cli.fees_cmd",
    "flags": "xlsbridge.cli.flags_cmd",
    "plan": "xlsbridge.cli.plan_cmd",
    "template": "xlsbridge.cli.template_cmd",
    "sample": "xlsbridge.cli.sample_cmd",
    "settings": "xlsbridge.cli.settings_cmd",
    "rules": "xlsbridge.cli.rules_cmd",
    "report": "xlsbridge.cli.report_cmd",
    "doctor": "xlsbridge.cli.doctor_cmd",
    "bundle": "xlsbridge.cli.bundle_cmd",
    "addin": "xlsbridge.cli.addin_cmd",
    "backups": "xlsbridge.cli.backups_cmd",
}


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from ..i18n import t

    click.echo(t(f"xlsbridge バージョン {__version__}", f"xlsbridge, version {__version__}"))
    ctx.exit()


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, mod in COMMANDS.items() if importlib.util.find_spec(mod) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None or importlib.util.find_spec(module_name) is None:
            return None
        module = importlib.import_module(module_name)
        from .localize import localize

        return localize(getattr(module, cmd_name), f"xlsbridge {cmd_name}")

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        """An unknown command is one line naming the nearest one (valdate → validate)."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            from ..errors import UserError
            from ..i18n import t

            near = difflib.get_close_matches(name, list(COMMANDS), n=1, cutoff=0.5)
            hint = t(f"。もしかして {near[0]} ですか？", f"; did you mean {near[0]}?") if near else ""
            raise UserError(f"{name[:40]} というコマンドはありません{hint or '。'}xlsbridge --help で一覧を表示できます",
                            f"no such command: {name[:40]}{hint}; xlsbridge --help lists them")
        return super().resolve_command(ctx, args)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("--version", is_flag=True, is_eager=True, expose_value=False, callback=_show_version,
              help="Show the version and exit.")
def cli() -> None:
    """xlsbridge — automation for the case ledger of a visitation support organisation (面会交流支援).

    Staff keep their case ledger (案件台帳) in Excel. xlsbridge checks the entries, prices every visit,
    lists contracts and children that need action, and draws the 親子交流支援計画書 — from this
    command line or from the Excel ribbon (see `xlsbridge addin --help`).

    \b
    Example:
      xlsbridge demo                          # everything on a copy of the sample ledger
      xlsbridge validate 案件台帳.xlsx          # check the entries
      xlsbridge validate ledger.xlsx --lang en
    """


def _add_lang_option() -> None:
    from .localize import lang_option

    cli.params.append(lang_option())  # also in each command's own options: --lang anywhere on the line


_add_lang_option()


def main() -> None:
    from .common import run_cli

    sys.exit(run_cli(cli))


if __name__ == "__main__":
    main()
