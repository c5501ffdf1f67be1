"""Errors that mean "the user must fix something"; the CLI turns them into exit 2 and one line."""

from __future__ import annotations

from .i18n import t


class UserError(Exception):
    """A problem with the user's input or environment, explained in both languages.

    The message must say what to fix and must never carry personal data (names, addresses,
    phone numbers): it may end up in a scheduled job's log.
    """

    exit_code = 2

    def __init__(self, ja: str, en: str):
        super().__init__(en)
        self.ja = ja
        self.en = en

    def message(self) -> str:
        return t(self.ja, self.en)

    def __str__(self) -> str:
        return self.message()


class WorkbookUnusable(UserError):
    """The workbook cannot be used at all (missing, not a workbook, encrypted, a sheet missing)."""


class WorkbookBusy(UserError):
    """The workbook is open in Excel or another xlsbridge run holds its lock."""
