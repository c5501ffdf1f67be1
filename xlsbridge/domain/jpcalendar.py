"""Japanese calendar rules: school grades, ages, eras (和暦), cell parsing, office days.

Pure functions only (stdlib + jpholiday).  ``datetime`` arguments are accepted
wherever a ``date`` is and are reduced to their date, because ``datetime`` and
``date`` do not compare with each other and Excel readers hand back either.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta

import jpholiday

from .text import clean

__all__ = [
    "DateParseError",
    "school_year", "grade_on", "school_stage", "is_junior_high_or_older",
    "junior_high_start", "age_on", "end_of_school_year_turning",
    "era_parts", "format_era", "format_era_year_month",
    "parse_date", "parse_time", "parse_datetime", "to_excel_serial", "from_excel_serial",
    "is_office_day", "previous_office_day", "add_office_days",
]


def _day(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


# --------------------------------------------------------------------------
# School years, grades, ages
# --------------------------------------------------------------------------

def school_year(d: date) -> int:
    """The school year (April 1 – March 31) containing ``d``, named by its starting year."""
    d = _day(d)
    return d.year if d.month >= 4 else d.year - 1


def _cohort(birth: date) -> int:
    # Legally one reaches an age at the end of the day before the birthday, so
    # a child born on April 1 is already 6 on March 31 and starts school with
    # the children born in the *previous* calendar year.
    birth = _day(birth)
    return birth.year if (birth.month, birth.day) >= (4, 2) else birth.year - 1


def grade_on(birth: date, d: date) -> int:
    """Continuous grade number: 1..6 elementary, 7..9 junior high, <=0 preschool, >=10 beyond."""
    return school_year(d) - _cohort(birth) - 6


def school_stage(birth: date, d: date) -> str:
    """One of "preschool", "elementary", "junior_high", "senior" (high school age or older)."""
    g = grade_on(birth, d)
    if g <= 0:
        return "preschool"
    if g <= 6:
        return "elementary"
    if g <= 9:
        return "junior_high"
    return "senior"


def is_junior_high_or_older(birth: date, d: date) -> bool:
    return grade_on(birth, d) >= 7


def junior_high_start(birth: date) -> date:
    """April 1 of the school year in which the child is in grade 7 (中学1年)."""
    return date(_cohort(birth) + 13, 4, 1)


def age_on(birth: date, d: date) -> int:
    """Completed years of age on ``d``.

    The new age is held from the birthday itself (ordinary counting).  Under
    年齢計算ニ関スル法律 the age increases at 24:00 on the eve of the birthday,
    which is the same instant as 00:00 on the birthday, so for whole dates the
    two agree.  A Feb 29 birthday increases on Mar 1 in non-leap years (the
    legal rule completes the year at the end of Feb 28).  The eve matters only
    for school cohorts, which :func:`grade_on` already encodes.
    """
    birth, d = _day(birth), _day(d)
    if d < birth:
        raise ValueError(f"date {d} is before birth {birth}")
    # Tuple comparison makes (3, 1) >= (2, 29) true, giving the Feb 29 rule for free.
    return d.year - birth.year - ((d.month, d.day) < (birth.month, birth.day))


def grade_label(grade: int) -> tuple[str, str]:
    """The school stage of a :func:`grade_on` value as staff say it, (日本語, English)."""
    if grade <= 0:
        return "未就学", "preschool"
    if grade <= 6:
        return f"小学{grade}年生", f"elementary grade {grade}"
    if grade <= 9:
        return f"中学{grade - 6}年生", f"junior high grade {grade - 6}"
    return "高校生以上", "high school or older"


def end_of_school_year_turning(birth: date, age: int) -> date:
    """March 31 ending the school year in which the child reaches ``age``.

    "Reaches" follows the legal rule (end of the birthday's eve), as in the
    statutory phrase 「15歳に達した日以後の最初の3月31日」, so the result lines up
    with school cohorts: for age 15 it is always the day junior high ends,
    including for April 1 birthdays (whose eve, March 31, closes the school year).
    """
    return date(_cohort(birth) + age + 1, 3, 31)


# --------------------------------------------------------------------------
# Eras (和暦)
# --------------------------------------------------------------------------

# Newest first so the first era whose start is <= d wins.
_ERAS: tuple[tuple[str, str, date], ...] = (
    ("令和", "R", date(2019, 5, 1)),
    ("平成", "H", date(1989, 1, 8)),
    ("昭和", "S", date(1926, 12, 25)),
)
_ERA_BY_KEY = {k: (name, start) for name, letter, start in _ERAS for k in (name, letter)}


def era_parts(d: date) -> tuple[str, int]:
    """(era name, era year), e.g. ("令和", 6).  Dates before 昭和 raise ValueError."""
    d = _day(d)
    for name, _letter, start in _ERAS:
        if d >= start:
            return name, d.year - start.year + 1
    raise ValueError(f"{d} is before 昭和 (1926-12-25); earlier eras are not supported")


def _era_year_text(year: int) -> str:
    return "元" if year == 1 else str(year)


def format_era(d: date, style: str = "long") -> str:
    """"令和6年4月1日" (long, 元年 for year 1) or "R6.4.1" (short)."""
    d = _day(d)
    name, year = era_parts(d)
    if style == "long":
        return f"{name}{_era_year_text(year)}年{d.month}月{d.day}日"
    if style == "short":
        letter = next(letter for n, letter, _ in _ERAS if n == name)
        return f"{letter}{year}.{d.month}.{d.day}"
    raise ValueError(f"unknown style {style!r}; use 'long' or 'short'")


def format_era_year_month(d: date) -> str:
    """"令和6年4月"."""
    d = _day(d)
    name, year = era_parts(d)
    return f"{name}{_era_year_text(year)}年{d.month}月"


_SHOWA_START = date(1926, 12, 25)


def format_era_or_year(d: date, style: str = "long") -> str:
    """:func:`format_era` for a date read from a ledger: one before 昭和 (a typo such as 1900/1/1, or
    the serial number 1 read as a date) is written in the Western calendar, "1900年1月1日" or
    "1900.1.1", instead of stopping the sheet or list being drawn; the validate findings point at it."""
    d = _day(d)
    if d >= _SHOWA_START or style not in ("long", "short"):
        return format_era(d, style)
    return f"{d.year}年{d.month}月{d.day}日" if style == "long" else f"{d.year}.{d.month}.{d.day}"


def format_era_year_month_or_year(d: date) -> str:
    """:func:`format_era_year_month`, or "1900年1月" before 昭和 (see :func:`format_era_or_year`)."""
    d = _day(d)
    return format_era_year_month(d) if d >= _SHOWA_START else f"{d.year}年{d.month}月"


# --------------------------------------------------------------------------
# Parsing cell values
# --------------------------------------------------------------------------

class DateParseError(ValueError):
    """A cell value could not be read as a date/time; ``.text`` is what was given."""

    def __init__(self, text: object, reason: str = "unrecognised date/time"):
        self.text = text if isinstance(text, str) else repr(text)
        super().__init__(f"{reason}: {self.text!r}")


# Excel's 1900 system counts a non-existent 1900-02-29 (serial 60, a Lotus 1-2-3
# bug kept for compatibility), so serials from 61 on are offset by one day.
_EXCEL_EPOCH = date(1899, 12, 30)      # valid for serial >= 61
_EXCEL_EPOCH_EARLY = date(1899, 12, 31)  # valid for 1 <= serial <= 59
_EXCEL_MAX_SERIAL = 2958465            # 9999-12-31
_EXCEL_EPOCH_1904 = date(1904, 1, 1)  # the 1904 date system (old Mac workbooks)


def to_excel_serial(d: date, date1904: bool = False) -> int:
    """Excel serial number of the day ``d`` (inverse of parsing a serial); ``date1904``: the
    workbook counts from 1904-01-01 (old Mac workbooks)."""
    d = _day(d)
    if date1904:
        return (d - _EXCEL_EPOCH_1904).days
    if d < date(1900, 1, 1):
        raise ValueError(f"{d} is before Excel's 1900 date system")
    if d < date(1900, 3, 1):
        return (d - _EXCEL_EPOCH_EARLY).days
    return (d - _EXCEL_EPOCH).days


def from_excel_serial(value: float, date1904: bool = False) -> datetime:
    """The date-time an Excel serial stands for, rounded to the second, without range checks (what
    a cell holds is shown as it is; ``parse_date`` is the checked reading of a user's cell)."""
    if date1904:
        epoch = _EXCEL_EPOCH_1904
    else:
        epoch = _EXCEL_EPOCH if value >= 61 else _EXCEL_EPOCH_EARLY  # Excel's 1900-02-29
    return datetime(epoch.year, epoch.month, epoch.day) + timedelta(days=round(value * 86400) / 86400)


def _is_number(value: object) -> bool:
    # bool is an int subclass; True in a date cell is a data error, not serial 1.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _serial_parts(value: float) -> tuple[date, int]:
    """(date, seconds into the day) for an Excel serial, rounded to the second."""
    if not math.isfinite(value):
        raise DateParseError(value, "not a finite Excel serial")
    # Round the whole value once so 23:59:59.9999 carries into the next day
    # consistently in both parse_date and parse_datetime.
    days, seconds = divmod(round(value * 86400), 86400)
    if days < 1 or days > _EXCEL_MAX_SERIAL:
        raise DateParseError(value, "Excel serial out of range 1..2958465")
    if days == 60:
        raise DateParseError(value, "Excel serial 60 is the non-existent 1900-02-29")
    epoch = _EXCEL_EPOCH_EARLY if days < 60 else _EXCEL_EPOCH
    return epoch + timedelta(days=days), seconds


_Y = r"(?P<y>\d{1,4}|元)"  # era year; 4 digits so far-future 令和 years still round-trip
_DATE_PATTERNS = (
    # Same separator both times, so "2024/4-1" is rejected as a likely typo.
    re.compile(r"(?P<y>\d{4})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(r"(?P<era>[RHS])\s*" + _Y + r"(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"),
    re.compile(r"(?P<era>令和|平成|昭和)\s*" + _Y + r"\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
)
_WEEKDAY_RE = re.compile(r"\s*\((?P<wd>[月火水木金土日])(?:曜日?)?\)")
_WEEKDAYS = "月火水木金土日"  # index == date.weekday()
_TIME_PATTERNS = (
    re.compile(r"(?P<h>\d{1,2})\s*:\s*(?P<mi>\d{2})(?:\s*:\s*(?P<s>\d{2}))?"),
    re.compile(r"(?P<h>\d{1,2})\s*時(?:\s*(?P<mi>\d{1,2})\s*分(?:\s*(?P<s>\d{1,2})\s*秒)?)?"),
)


def _normalise(value: str) -> str:
    # NFKC folds full-width digits/letters/punctuation, U+3000 and ㋿/㍻/㍼ into
    # their plain forms; upper() lets "r6.4.1" through.
    return clean(value).upper()


def _era_or_none(d: date) -> tuple[str, int] | None:
    try:
        return era_parts(d)
    except ValueError:
        return None


def _match_date(original: str, s: str) -> tuple[date, str]:
    """Parse a date (plus optional weekday) at the start of ``s``; return it and the rest."""
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            break
    else:
        raise DateParseError(original, "unrecognised date")
    y, mo, dd = m["y"], int(m["m"]), int(m["d"])
    era = _ERA_BY_KEY.get(m["era"]) if "era" in pattern.groupindex else None
    era_year = 1 if y == "元" else int(y)
    try:
        result = date(era[1].year + era_year - 1 if era else era_year, mo, dd)
    except ValueError:
        raise DateParseError(original, "impossible date") from None
    # Catches 平成32年, 令和1年4月30日, 平成0年 and the like.
    if era and _era_or_none(result) != (era[0], era_year):
        raise DateParseError(original, f"date outside the {era[0]} era")
    rest = s[m.end():]
    wd = _WEEKDAY_RE.match(rest)
    if wd:
        # A wrong weekday means either the date or the weekday is a typo; for
        # visit schedules guessing which is worse than asking staff to fix it.
        if _WEEKDAYS[result.weekday()] != wd["wd"]:
            raise DateParseError(original, f"weekday ({wd['wd']}) does not match {result}")
        rest = rest[wd.end():]
    return result, rest


def _match_time(original: str, s: str) -> time:
    for pattern in _TIME_PATTERNS:
        m = pattern.fullmatch(s)
        if m:
            h, mi, sec = int(m["h"]), int(m["mi"] or 0), int(m["s"] or 0)
            if h < 24 and mi < 60 and sec < 60:
                return time(h, mi, sec)
            raise DateParseError(original, "impossible time")
    raise DateParseError(original, "unrecognised time")


def parse_date(value: object) -> date:
    """Read a date from a cell: date/datetime, Excel serial, or the usual typed spellings.

    Strings with a time part are rejected (use :func:`parse_datetime`).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if _is_number(value):
        return _serial_parts(value)[0]
    if not isinstance(value, str):
        raise DateParseError(value, "not a date")
    s = _normalise(value)
    if not s:
        raise DateParseError(value, "empty")
    result, rest = _match_date(value, s)
    if rest.strip():
        raise DateParseError(value, "unexpected text after date")
    return result


def parse_time(value: object) -> time:
    """Read a time of day: time/datetime, Excel day fraction (0 <= x < 1), "14:00", "14時30分"."""
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if _is_number(value):
        if not (math.isfinite(value) and 0 <= value < 1):
            raise DateParseError(value, "Excel time must be a fraction of a day in [0, 1)")
        seconds = round(value * 86400)
        if seconds == 86400:  # rounds up to 24:00, which is not a time of day
            raise DateParseError(value, "time rounds to 24:00")
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    if not isinstance(value, str):
        raise DateParseError(value, "not a time")
    s = _normalise(value)
    if not s:
        raise DateParseError(value, "empty")
    return _match_time(value, s)


def parse_datetime(value: object) -> datetime:
    """Read a date and time: datetime, Excel serial (fraction = time), "2024/4/1 11:59", "R6.4.1 12:00".

    A bare ``date`` or a string without a time is rejected rather than read as
    midnight, since a missing time on a deadline is usually an omission.
    """
    if isinstance(value, datetime):
        return value
    if _is_number(value):
        d, seconds = _serial_parts(value)
        return datetime.combine(d, time()) + timedelta(seconds=seconds)
    if not isinstance(value, str):
        raise DateParseError(value, "not a date and time")
    s = _normalise(value)
    if not s:
        raise DateParseError(value, "empty")
    d, rest = _match_date(value, s)
    consumed = s[: len(s) - len(rest)]
    # Require a separator unless the date visibly ended ("日", ")"): otherwise
    # "2024/4/111:59" would silently become 4/11 01:59.
    if rest.startswith("T"):
        rest = rest[1:]
    elif not (rest[:1].isspace() or consumed.endswith(("日", ")"))):
        raise DateParseError(value, "expected a time after the date")
    if not rest.strip():
        raise DateParseError(value, "missing time")
    return datetime.combine(d, _match_time(value, rest.strip()))


# --------------------------------------------------------------------------
# Office days
# --------------------------------------------------------------------------

def is_office_day(d: date, extra_holidays: frozenset[date] = frozenset()) -> bool:
    """Mon–Fri, not a national holiday (jpholiday), not an organisation closure day."""
    d = _day(d)
    return d.weekday() < 5 and not jpholiday.is_holiday(d) and d not in extra_holidays


def previous_office_day(d: date, extra_holidays: frozenset[date] = frozenset()) -> date:
    """The last office day strictly before ``d``."""
    return add_office_days(d, -1, extra_holidays)


def add_office_days(d: date, n: int, extra_holidays: frozenset[date] = frozenset()) -> date:
    """The n-th office day after ``d`` (before it if n < 0); n == 0 returns ``d`` unchanged.

    ``d`` itself need not be an office day and is never counted.
    """
    d = _day(d)
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        d += step
        if is_office_day(d, extra_holidays):
            remaining -= 1
    return d


# --- months -------------------------------------------------------------------------------------


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later; a day that month lacks falls back to its last day (1/31 + 1 → 2/28)."""
    import calendar as _cal

    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    last = _cal.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))
