"""What every command shares: error handling, option types, output helpers.

Kept light (click and the standard library only) because every command imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from ..errors import UserError
from ..i18n import t

if TYPE_CHECKING:
    from ..services.ledger_writes import LedgerUpdate


def run_cli(group: click.Group) -> int:
    """Run the CLI; a UserError becomes one line on stderr and exit 2, never a traceback."""
    import sys

    from ..i18n import set_lang
    from .localize import install_click_messages, lang_from, localize

    set_lang("ja")
    try:
        set_lang(lang_from(sys.argv[1:]))  # before click parses: --lang may stand anywhere on the line
    except UserError as exc:
        click.echo(f"xlsbridge: {exc.message()}", err=True)
        return exc.exit_code
    install_click_messages()
    localize(group, "xlsbridge")
    try:
        # Without standalone mode click returns ctx.exit()'s code instead of calling sys.exit,
        # so a command reports "errors found" with ctx.exit(1).
        rv = group.main(standalone_mode=False, prog_name="xlsbridge")
    except UserError as exc:
        click.echo(f"xlsbridge: {exc.message()}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo(t("xlsbridge: 中断しました", "xlsbridge: aborted"), err=True)
        return 130
    except click.UsageError as exc:
        no_args = getattr(click.exceptions, "NoArgsIsHelpError", None)
        if no_args is not None and isinstance(exc, no_args) and exc.ctx is not None:
            click.echo(exc.ctx.get_help())  # `xlsbridge` or `xlsbridge template` alone: the help, as --help
            return 0
        click.echo(f"xlsbridge: {usage_error_line(exc)}", err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"xlsbridge: {exc.format_message()}", err=True)
        return 2
    except KeyboardInterrupt:
        click.echo(t("xlsbridge: 中断しました", "xlsbridge: interrupted"), err=True)
        return 130
    except BrokenPipeError:
        return 0
    except MemoryError:  # the limits in io/xlsx/guard.py should come first; never a traceback
        click.echo(t("xlsbridge: メモリが足りず処理を続けられません。台帳が大きすぎないか確認してください",
                     "xlsbridge: out of memory; check that the ledger is not too large"), err=True)
        return 2
    return rv if isinstance(rv, int) else 0


class _DayType(click.ParamType):
    """A date, or a date and time, as staff write it (2025-06-14, 2025/6/14, R7.6.14, 令和7年6月14日),
    read by io/codecs.py as the ledger's cells are, between the years a ledger holds."""

    def __init__(self, name: str, kind: type, what: tuple[str, str], example: tuple[str, str]):
        self.name, self.kind, self.what, self.example = name, kind, what, example

    def convert(self, value: Any, param: click.Parameter | None,  # type: ignore[override]
                ctx: click.Context | None) -> Any:
        if isinstance(value, self.kind):
            return value
        from ..io.codecs import FIRST_YEAR, LAST_YEAR, OutOfRange, Unreadable, read_date, read_datetime

        try:
            return (read_datetime if self.kind is datetime else read_date)(value)
        except OutOfRange as exc:  # 9999-12-01 has no next year
            day = exc.day.date() if isinstance(exc.day, datetime) else exc.day
            self.fail(t(f"{FIRST_YEAR}年から{LAST_YEAR}年までの日付にしてください（指定: {day.isoformat()}）",
                        f"give a date between the years {FIRST_YEAR} and {LAST_YEAR} (given: {day.isoformat()})"),
                      param, ctx)
        except Unreadable as exc:
            if exc.reason == "no-such-day":
                self.fail(t(f"{str(value)[:40]} という日はありません（暦にない月日です）",
                            f"{str(value)[:40]} is a day that does not exist (no such month or day)"), param, ctx)
            self.fail(t(f"{self.what[0]}として読めません: {str(value)[:40]}（例 {self.example[0]}）",
                        f"not a {self.what[1]}: {str(value)[:40]} (e.g. {self.example[1]})"), param, ctx)


DATE = _DayType("DATE", date, ("日付", "date"), ("2025-06-14、R7.6.14", "2025-06-14, R7.6.14"))
DATETIME = _DayType("DATETIME", datetime, ("日時", "date and time"), ('"2025-06-13 11:30"', '"2025-06-13 11:30"'))


def usage_error_line(exc: click.UsageError) -> str:
    """One line that names the option and says what to fix, in the user's language, with the nearest
    option or command when one was mistyped (click's own words go through cli/localize.py)."""
    command = exc.ctx.command_path if exc.ctx else "xlsbridge"
    help_hint = t(f"（{command} --help を参照）", f" (see {command} --help)")
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        if isinstance(exc.param, click.Argument):
            name = exc.param.human_readable_name
        else:
            name = exc.param.opts[0] if exc.param.opts else exc.param.name
        return t(f"{name} を指定してください", f"{name} is required") + help_hint
    if isinstance(exc, click.NoSuchOption):
        near = _nearest_option(exc)
        hint = t(f"。もしかして {near} ですか？", f"; did you mean {near}?") if near else ""
        return t(f"{exc.option_name} というオプションはありません", f"no such option: {exc.option_name}") + hint + help_hint
    command_name = getattr(exc, "command_name", None)  # click's NoSuchCommand (a subcommand of a group)
    if command_name is not None:
        near = (getattr(exc, "possibilities", None) or [None])[0]
        hint = t(f"。もしかして {near} ですか？", f"; did you mean {near}?") if near else ""
        return t(f"{command_name} というコマンドはありません", f"no such command: {command_name}") + hint + help_hint
    if isinstance(exc, click.BadParameter):
        name = exc.param_hint or (exc.param.opts[0] if exc.param is not None and exc.param.opts else "")
        if isinstance(name, (list, tuple)):
            name = " / ".join(name)
        name = str(name).strip("'\"")
        if exc.param is not None and isinstance(exc.param.type, click.Choice):
            choices = ", ".join(map(str, exc.param.type.choices))
            return t(f"{name} は次のどれかにしてください: {choices}", f"{name} must be one of: {choices}")
        if exc.param is not None and isinstance(exc.param.type, (click.IntRange, click.FloatRange)):
            low, high = exc.param.type.min, exc.param.type.max
            span = (t(f"{low} 以上 {high} 以下", f"between {low} and {high}") if low is not None and high is not None
                    else t(f"{low} 以上", f"at least {low}") if low is not None else t(f"{high} 以下", f"at most {high}"))
            value = exc.message.split(" ", 1)[0]
            if "範囲外" in exc.message or "not in the range" in exc.message:
                return t(f"{name} は {span}にしてください（指定: {value}）", f"{name} must be {span} (given: {value})")
        return f"{name}: {exc.message}" if name else exc.message
    return exc.format_message().rstrip("。") + help_hint


def _nearest_option(exc: click.NoSuchOption) -> str | None:
    """The closest option of the command for a mistyped one (--withn → --within)."""
    import difflib

    options: list[str] = list(exc.possibilities or [])
    if exc.ctx is not None:
        options += [opt for p in exc.ctx.command.params for opt in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])
                    if opt.startswith("--")]
    near = difflib.get_close_matches(exc.option_name, options, n=1, cutoff=0.6)
    return near[0] if near else None


def collections_paused(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command that reads a ledger with Python's cyclic garbage collector paused, and its objects
    frozen (gc.freeze) when it ends.

    The read ledger, its prices and findings are millions of small objects that form no cycles and
    live until this short process ends.  Each collection the command's allocations set off would walk
    all of them again, and so would the one at exit: on 50,000 visits about 0.3 s of `validate` and
    1.7 s of `fees`.  Reference counting frees them as usual.  Only for the CLI's one-shot processes:
    the ribbon's and Lite's Python lives on between button presses (excel/ does not freeze).
    """
    import functools
    import gc

    @functools.wraps(command)
    def paused(*args: Any, **kwargs: Any) -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return command(*args, **kwargs)
        finally:
            gc.freeze()
            if enabled:
                gc.enable()

    return paused


def report_backup(update: LedgerUpdate, err: bool = False) -> None:
    """Name the backup an in-place write just made (every message that made one names it)."""
    if update.unchanged:
        click.echo(t("変更はありません。台帳は書き換えていません（バックアップも作っていません）",
                     "nothing changed; the ledger was not rewritten (no backup made)"), err=err)
    elif update.backup is not None:
        click.echo(t(f"元の台帳のバックアップ: {update.backup}（xlsbridge backups で一覧・復元できます）",
                     f"backup of the previous ledger: {update.backup} (list or restore with xlsbridge backups)"), err=err)
