"""Options several commands share, defined once."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable, TypeVar

import click

from ..errors import UserError
from ..i18n import t
from .common import DATE

F = TypeVar("F", bound=Callable[..., Any])  # a click command function, returned decorated

PASSWORD_ENV = "XLSBRIDGE_PASSWORD"


def as_of_option(f: F) -> F:
    return click.option("--as-of", "as_of", type=DATE, default=None,
                        help="Treat this date as today (default: today). Same spellings as the ledger: 2026-03-01, R8.3.1 …")(f)


_PASSWORD_HELP = ("Name of an environment variable holding the password of an encrypted ledger "
                  "(Excel: ファイル → 情報 → ブックの保護 → パスワードを使用して暗号化). "
                  f"Default: {PASSWORD_ENV}; when neither is set and the ledger is encrypted, the "
                  "password is asked once at the terminal (not shown as you type).")


def password_option(f: F) -> F:
    """For commands that only read the ledger: nothing is written, so nothing is encrypted again."""
    return click.option("--password-env", "password_env", metavar="VAR", help=_PASSWORD_HELP)(f)


def password_write_option(f: F) -> F:
    """For commands that write the ledger back: it stays encrypted with the same password."""
    return click.option("--password-env", "password_env", metavar="VAR",
                        help=_PASSWORD_HELP + " The ledger written back is encrypted again with the same password.")(f)


def force_option(f: F) -> F:
    return click.option("--force", is_flag=True, help="Overwrite --out if it exists (without it an existing file is refused).")(f)


def today(as_of: date | None) -> date:
    return as_of or date.today()


def password_from(env_name: str | None, ledger: Path | str | None = None) -> str | None:
    """The password of an encrypted ledger, or None for a ledger that is not encrypted.

    In order: the environment variable named by ``--password-env``, else ``XLSBRIDGE_PASSWORD``,
    else — only when the ledger is encrypted and standard input is a terminal — asked once with
    hidden input.  Never from the command line itself (the shell history and the process list would
    keep it), never echoed, never logged.

    A ledger that is not encrypted gets None whatever the environment holds: a clerk who keeps
    XLSBRIDGE_PASSWORD set for the protected ledger must not have a plain one written back encrypted.
    ``ledger`` defaults to the current command's LEDGER argument.
    """
    if env_name is not None:
        value = os.environ.get(env_name)
        if not value:
            raise UserError(f"環境変数 {env_name} にパスワードがありません", f"environment variable {env_name} holds no password")
    else:
        value = os.environ.get(PASSWORD_ENV) or None
    if ledger is None:
        ctx = click.get_current_context(silent=True)
        ledger = ctx.params.get("ledger") if ctx is not None else None
    if ledger is None:
        return value
    from ..io.xlsx.package import is_encrypted

    if not is_encrypted(ledger):
        return None
    if value is None and _interactive():
        value = _ask(Path(ledger).name)
    return value


def _interactive() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # a closed or detached stdin
        return False


def _ask(name: str) -> str:
    """Ask once at the terminal, input hidden; the prompt goes to stderr so piped output stays clean."""
    value = click.prompt(t(f"{name} はパスワードで保護されています。パスワード", f"{name} is password-protected. Password"),
                         hide_input=True, err=True, default="", show_default=False)
    if not value:
        raise UserError(f"{name} のパスワードが入力されませんでした", f"no password was entered for {name}")
    return value
