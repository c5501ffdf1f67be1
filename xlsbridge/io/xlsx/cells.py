"""Cell addresses (A1 column letters) and Excel serial dates, for every reader and writer of a package."""

from __future__ import annotations

import math
from datetime import date, datetime, time
from typing import Any

from ...domain.jpcalendar import from_excel_serial, to_excel_serial


def column_letter(index: int) -> str:
    """0-based column index → letters: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_offset(letters: str) -> int:
    """Letters → 0-based column index: A → 0, AA → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letters(index: int) -> str:
    """1-based, as the sheet XML counts: 1 → A, 27 → AA."""
    return column_letter(index - 1)


def column_index(letters: str) -> int:
    """A → 1, AA → 27."""
    return column_offset(letters) + 1


def quote_sheet(name: str) -> str:
    """A sheet's name as a reference writes it: ``'面会記録'``, a quote inside doubled (``'O''Brien'``)."""
    return "'" + name.replace("'", "''") + "'"


def cell_link(sheet: str, cell: str | None) -> str:
    """An in-workbook link such as ``#'面会記録'!F12`` (the sheet's A1 when there is no cell): the one
    quoting for hyperlinks, whether written as a hyperlink (openpyxl) or a HYPERLINK formula (Excel)."""
    return f"#{quote_sheet(sheet)}!{cell or 'A1'}"


def excel_serial(value: date | datetime | time, date1904: bool = False) -> float | int:
    """The serial number Excel stores for a date, date-time or time of day."""
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if isinstance(value, datetime):
        day = value.date()
        fraction = (value - datetime(day.year, day.month, day.day)).total_seconds() / 86400
    else:
        day, fraction = value, 0
    whole = to_excel_serial(day, date1904)
    return whole + fraction if fraction else whole


from_serial = from_excel_serial  # what a serial in a cell shows: the one conversion, in domain/jpcalendar


def _number_text(value: int | float) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a cell cannot hold NaN or infinity")
        return repr(value) if value != int(value) or abs(value) >= 1e15 else str(int(value))
    return str(int(value))


def _differs(old: Any, new: Any) -> bool:
    """Whether writing ``new`` changes what the cell shows (blank and empty text are the same)."""
    if isinstance(new, date) and not isinstance(new, datetime) and isinstance(old, datetime):
        old = old.date()
    if old in (None, "") and new in (None, ""):
        return False
    return type(old) is bool and type(new) is not bool or old != new


# Built-in number formats (ECMA-376 18.8.30) that can be asked for by their code.
