"""Options several commands share, defined once."""

from __future__ import annotations

import os
from datetime import date

import click

from ..errors import UserError
from ..i18n import t
from .common import DATE


def as_of_option(f):
    return click.option("--as-of", "as_of", type=DATE, default=None,
                        help="Treat this date as today (default: today). Same spellings as the ledger: 2026-03-01, R8.3.1 …")(f)


def password_option(f):
    return click.option("--password-env", "password_env", metavar="VAR",
                        help="Name of an environment variable holding the password of an encrypted ledger "
                             "(Excel: ファイル → 情報 → ブックの保護 → パスワードを使用して暗号化). "
                             "Without it you are asked for the password when the ledger is encrypted.")(f)


def today(as_of: date | None) -> date:
    return as_of or date.today()


def password_from(env_name: str | None) -> str | None:
    """The password from the named environment variable (never from the command line: it would be in
    the shell history and the process list)."""
    if env_name is None:
        return os.environ.get("XLSBRIDGE_PASSWORD") or None
    value = os.environ.get(env_name)
    if not value:
        raise UserError(f"環境変数 {env_name} にパスワードがありません", f"environment variable {env_name} holds no password")
    return value
