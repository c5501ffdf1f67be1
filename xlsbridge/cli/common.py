"""What every command shares: error handling, option types, output helpers.

Kept light (click and the standard library only) because every command imports it.
"""

from __future__ import annotations

from datetime import date, datetime

import click

from ..errors import UserError
from ..i18n import t


def run_cli(group: click.Group) -> int:
    """Run the CLI; a UserError becomes one line on stderr and exit 2, never a traceback."""
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


class DateType(click.ParamType):
    """A date as staff write it: 2025-06-14, 2025/6/14, R7.6.14, 令和7年6月14日."""

    name = "DATE"

    def convert(self, value, param, ctx):  # type: ignore[override]
        if isinstance(value, date):
            return value
        from ..domain.jpcalendar import DateParseError, parse_date

        try:
            day = parse_date(value)
        except (DateParseError, OverflowError, ValueError):
            self.fail(t(f"日付として読めません: {str(value)[:40]}（例 2025-06-14、R7.6.14）",
                        f"not a date: {str(value)[:40]} (e.g. 2025-06-14, R7.6.14)"), param, ctx)
        return _in_years(day, self, param, ctx)


class DateTimeType(click.ParamType):
    name = "DATETIME"

    def convert(self, value, param, ctx):  # type: ignore[override]
        if isinstance(value, datetime):
            return value
        from ..domain.jpcalendar import DateParseError, parse_datetime

        try:
            moment = parse_datetime(value)
        except (DateParseError, OverflowError, ValueError):
            self.fail(t(f"日時として読めません: {str(value)[:40]}（例 \"2025-06-13 11:30\"）",
                        f"not a date and time: {str(value)[:40]} (e.g. \"2025-06-13 11:30\")"), param, ctx)
        _in_years(moment.date(), self, param, ctx)
        return moment


def _in_years(day: date, kind: click.ParamType, param, ctx) -> date:
    """A date option between 1900 and 2200 (the ledger's range): 9999-12-01 has no next year."""
    from ..io.codecs import FIRST_YEAR, LAST_YEAR

    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        kind.fail(t(f"{FIRST_YEAR}年から{LAST_YEAR}年までの日付にしてください（指定: {day.isoformat()}）",
                    f"give a date between the years {FIRST_YEAR} and {LAST_YEAR} (given: {day.isoformat()})"), param, ctx)
    return day


DATE = DateType()
DATETIME = DateTimeType()


def usage_error_line(exc: click.UsageError) -> str:
    """One line that names the option and says what to fix (click's own text is English only)."""
    command = exc.ctx.command_path if exc.ctx else "xlsbridge"
    help_hint = t(f"（{command} --help を参照）", f" (see {command} --help)")
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        name = exc.param.opts[0] if exc.param.opts else exc.param.name
        return t(f"{name} を指定してください", f"{name} is required") + help_hint
    if isinstance(exc, click.NoSuchOption):
        return t(f"{exc.option_name} というオプションはありません", f"no such option: {exc.option_name}") + help_hint
    if isinstance(exc, click.BadParameter):
        name = exc.param_hint or (exc.param.opts[0] if exc.param is not None and exc.param.opts else "")
        if isinstance(name, (list, tuple)):
            name = " / ".join(name)
        name = str(name).strip("'\"")
        if exc.param is not None and isinstance(exc.param.type, click.Choice):
            choices = ", ".join(map(str, exc.param.type.choices))
            return t(f"{name} は次のどれかにしてください: {choices}", f"{name} must be one of: {choices}")
        return f"{name}: {exc.message}" if name else exc.message
    return exc.format_message() + help_hint


def report_backup(update, err: bool = False) -> None:
    """Name the backup an in-place write just made (every message that made one names it)."""
    if update.unchanged:
        click.echo(t("変更はありません。台帳は書き換えていません（バックアップも作っていません）",
                     "nothing changed; the ledger was not rewritten (no backup made)"), err=err)
    elif update.backup is not None:
        click.echo(t(f"元の台帳のバックアップ: {update.backup}（xlsbridge backups で一覧・復元できます）",
                     f"backup of the previous ledger: {update.backup} (list or restore with xlsbridge backups)"), err=err)
