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
from ..i18n import set_lang

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


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, mod in COMMANDS.items() if importlib.util.find_spec(mod) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None or importlib.util.find_spec(module_name) is None:
            return None
        module = importlib.import_module(module_name)
        return getattr(module, cmd_name)


def _set_lang(ctx: click.Context, param: click.Parameter, value: str) -> str:
    set_lang(value)  # before any subcommand runs, so its messages and errors use it
    return value


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default="ja",
    show_default=True,
    is_eager=True,
    expose_value=False,
    callback=_set_lang,
    envvar="XLSBRIDGE_LANG",
    help="Language of messages and reports (Japanese or English).",
)
@click.version_option(__version__, prog_name="xlsbridge")
def cli() -> None:
    """xlsbridge — automation for the case ledger of a visitation support organisation (面会交流支援).

    Staff keep their case ledger (案件台帳) in Excel. xlsbridge checks the entries, prices every visit,
    lists contracts and children that need action, and draws the 親子交流支援計画書 — from this
    command line or from the Excel ribbon (see `xlsbridge addin --help`).

    \b
    Example:
      xlsbridge demo                          # everything on a copy of the sample ledger
      xlsbridge validate 案件台帳.xlsx          # check the entries
      xlsbridge --lang en validate ledger.xlsx
    """


def main() -> None:
    from .common import run_cli

    sys.exit(run_cli(cli))


if __name__ == "__main__":
    main()
