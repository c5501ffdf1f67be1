"""Aligning Japanese text in a terminal: full-width characters take two columns."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def ljust(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def rjust(text: str, columns: int) -> str:
    return " " * max(0, columns - width(text)) + text


def yen(amount: int) -> str:
    from .i18n import get_lang

    sign = "−" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,}" if get_lang() == "en" else f"{sign}{abs(amount):,}円"
