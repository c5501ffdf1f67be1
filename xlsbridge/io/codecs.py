"""One codec per kind of cell value, shared by the ledger reader, the settings sheets and the template.

A codec reads what staff type into a model value (full-width digits, ``1,000円``, ○/×, 令和7年4月1日)
and raises :class:`Unreadable` when it cannot; each caller turns that into its own report (the ledger
reader a finding with the cell, the settings sheets a one-line error naming the cell).  The template
offers in its drop-downs only words these codecs read (``BOOL_CHOICES``).

Also here: the one translation of pydantic's validation errors into Japanese and English
(``explain_model_error``), used by the settings sheets and the settings file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from ..domain.jpcalendar import DateParseError, parse_date, parse_datetime, parse_time
from ..domain.text import fold


class Unreadable(ValueError):
    """A cell value a codec cannot read; ``reason`` says why when the caller words it differently."""

    def __init__(self, value: Any, reason: str = "unreadable"):
        super().__init__(reason)
        self.value, self.reason = value, reason


# ------------------------------------------------------------------------------------------------
# True / false
# ------------------------------------------------------------------------------------------------

# What a true/false cell may hold, folded (NFKC, no spaces) and upper-cased: the one list for the
# ledger and the settings sheets.  The drop-downs offer BOOL_CHOICES.
TRUE_WORDS = frozenset({"○", "◯", "〇", "●", "◎", "はい", "TRUE", "1", "有", "有り", "あり", "YES", "Y", "済", "✓", "✔",
                        "レ", "する", "対象"})
FALSE_WORDS = frozenset({"×", "✕", "✖", "X", "いいえ", "FALSE", "0", "無", "無し", "なし", "NO", "N", "しない", "-", "ー",
                         "対象外"})
BOOL_CHOICES = ("○", "×")
BOOL_WORDS_JA = "○、×（はい/いいえ、TRUE/FALSE、1/0、有/無）"


def read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = fold(value).upper()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
    raise Unreadable(value)


def write_bool(value: bool) -> str:
    return BOOL_CHOICES[0] if value else BOOL_CHOICES[1]


# ------------------------------------------------------------------------------------------------
# Whole numbers: yen, minutes, counts, days, …
# ------------------------------------------------------------------------------------------------

# The unit a number may be typed with, by the kind of number (longest first within a kind).
UNITS: dict[str, tuple[str, ...]] = {
    "yen": ("円",),
    "minutes": ("分間", "分"),
    "count": ("人", "名", "回", "件"),
    "days": ("日前", "日"),
    "months": ("か月", "ヶ月", "ヵ月", "カ月", "箇月"),
    "age": ("歳", "才"),
    "km": ("km", "キロ"),
    "percent": ("%",),
}
ANY_UNIT = tuple(UNITS)  # the settings sheets: one number cell may be days, months, yen, km, …
LEDGER_UNITS = ("yen", "minutes", "count")  # the ledger's number columns (30分 in 減額 reads 30, as ever)

# Amounts, counts and minutes beyond this are typing slips (a 400-digit number would overflow the fee
# arithmetic).
MAX_MAGNITUDE = 10**12
_MINUS = str.maketrans({"−": "-", "‐": "-", "―": "-", "ー": "-"})
_INTEGER = re.compile(r"[+-]?\d+(?:\.0*)?")
_UNIT_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def _unit_pattern(kinds: tuple[str, ...]) -> re.Pattern[str]:
    pattern = _UNIT_PATTERNS.get(kinds)
    if pattern is None:
        units = sorted({u for k in kinds for u in UNITS[k]}, key=len, reverse=True)
        pattern = _UNIT_PATTERNS[kinds] = re.compile("(?:" + "|".join(map(re.escape, units)) + ")$")
    return pattern


def read_whole_number(value: Any, kinds: tuple[str, ...] = ANY_UNIT) -> int:
    """A whole number, typed with the units of ``kinds`` or none (``1,000円``, ``３０分``, ``¥500``).

    ``Unreadable.reason``: "fraction" for a number with a fractional part, else "unreadable"."""
    if isinstance(value, bool):
        raise Unreadable(value)
    if isinstance(value, int) and abs(value) <= MAX_MAGNITUDE:
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) <= MAX_MAGNITUDE:
            return int(value)
        raise Unreadable(value, "fraction" if value == value and abs(value) <= MAX_MAGNITUDE else "unreadable")
    if isinstance(value, str):
        text = fold(value).translate(_MINUS).replace(",", "").lstrip("¥\\")
        text = _unit_pattern(kinds).sub("", text)
        if len(text) <= 20 and _INTEGER.fullmatch(text):
            number = int(text.split(".")[0])
            if abs(number) <= MAX_MAGNITUDE:
                return number
    raise Unreadable(value)


# ------------------------------------------------------------------------------------------------
# Dates and times
# ------------------------------------------------------------------------------------------------

# Dates outside these years are typing slips (9999-12-31 has no next day to count a term from).
FIRST_YEAR, LAST_YEAR = 1900, 2200


def _in_years(day: Any, value: Any) -> Any:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutOfRange(value, day)
    return day


class OutOfRange(Unreadable):
    """A date read from the cell, outside FIRST_YEAR..LAST_YEAR; ``day`` is what it read."""

    def __init__(self, value: Any, day: Any):
        super().__init__(value, "out-of-range")
        self.day = day


def _parsed(parse: Any, value: Any) -> Any:
    """``parse(value)`` within the years a ledger holds; why not, as ``Unreadable.reason``."""
    try:
        return _in_years(parse(value), value)
    except OutOfRange:
        raise
    except DateParseError as exc:
        raise Unreadable(value, "no-such-day" if "impossible date" in str(exc) else "unreadable") from None
    except (OverflowError, ValueError):
        raise Unreadable(value) from None


def read_date(value: Any) -> date:
    """A date: a date cell, an Excel serial, 2025/4/1, R7.4.1, 令和7年4月1日, …"""
    if isinstance(value, (bool, time, timedelta)):
        raise Unreadable(value, "not-a-date")
    return _parsed(parse_date, value)


def read_time(value: Any) -> time:
    if isinstance(value, timedelta) and timedelta(0) <= value < timedelta(days=1):
        seconds = int(value.total_seconds())
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    if isinstance(value, (bool, timedelta)) or (isinstance(value, date) and not isinstance(value, datetime)):
        raise Unreadable(value, "not-a-time")
    try:
        return parse_time(value)
    except DateParseError:
        raise Unreadable(value, "not-a-time") from None


def read_datetime(value: Any) -> datetime:
    if isinstance(value, (bool, time, timedelta)) or (isinstance(value, date) and not isinstance(value, datetime)):
        raise Unreadable(value, "not-a-datetime")
    return _parsed(parse_datetime, value)


# ------------------------------------------------------------------------------------------------
# Model validation errors
# ------------------------------------------------------------------------------------------------

# pydantic's error types in Japanese and English; a medium (sheet, TOML file) adds its own wording.
MODEL_ERRORS: dict[str, tuple[str, str]] = {
    "greater_than_equal": ("{ge} 以上にしてください", "must be at least {ge}"),
    "greater_than": ("{gt} より大きくしてください", "must be greater than {gt}"),
    "less_than_equal": ("{le} 以下にしてください", "must be at most {le}"),
    "less_than": ("{lt} 未満にしてください", "must be less than {lt}"),
    "string_too_long": ("{max_length} 文字までにしてください", "at most {max_length} characters"),
    "too_short": ("1件以上必要です", "at least one entry is needed"),
    "too_long": ("{max_length} 件までにしてください", "at most {max_length} entries"),
    "literal_error": ("次のどれかにしてください: {expected}", "use one of: {expected}"),
    "string_pattern_mismatch": ("英小文字で始まり、英小文字・数字・_ だけの名前にしてください（例 accompanied）",
                                "use lower-case letters, digits and _ starting with a letter (e.g. accompanied)"),
}


def explain_model_error(err: Mapping[str, Any], wording: Mapping[str, tuple[str, str]] = {}) -> tuple[str, str]:
    """Japanese and English for one pydantic error (the models' own messages carry both already,
    as "日本語 / English"); ``wording`` holds what a medium says its own way."""
    if err["type"] == "value_error":
        text = str(err.get("ctx", {}).get("error", err["msg"]))
        ja, _, en = text.partition(" / ")
        return ja, en or ja
    ja, en = wording.get(err["type"]) or MODEL_ERRORS.get(err["type"]) or ("値が正しくありません", str(err["msg"]))
    ctx = {k: str(v) for k, v in err.get("ctx", {}).items()}
    try:
        return ja.format(**ctx), en.format(**ctx)
    except (KeyError, IndexError):
        return ja, en


__all__ = [
    "ANY_UNIT", "BOOL_CHOICES", "LEDGER_UNITS", "FALSE_WORDS", "FIRST_YEAR", "LAST_YEAR", "MAX_MAGNITUDE", "TRUE_WORDS", "UNITS",
    "Unreadable", "explain_model_error", "read_bool", "read_date", "read_datetime", "read_time",
    "read_whole_number", "write_bool",
]
