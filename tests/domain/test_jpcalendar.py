"""Tests for xlsbridge.domain.jpcalendar.

Expected values are worked out by hand; the arithmetic is in the comments so a
reviewer can check the expectation independently of the implementation.
"""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, strategies as st

from xlsbridge.domain.jpcalendar import (
    DateParseError,
    add_office_days,
    age_on,
    end_of_school_year_turning,
    era_parts,
    format_era,
    format_era_year_month,
    grade_on,
    is_junior_high_or_older,
    is_office_day,
    junior_high_start,
    parse_date,
    parse_datetime,
    parse_time,
    previous_office_day,
    school_stage,
    school_year,
    to_excel_serial,
)

D = date
SHOWA_START = D(1926, 12, 25)

# ---------------------------------------------------------------- school year


@pytest.mark.parametrize(
    "d, expected",
    [
        (D(2024, 3, 31), 2023),  # March belongs to the year that started the previous April
        (D(2024, 4, 1), 2024),
        (D(2024, 12, 31), 2024),
        (D(2025, 1, 1), 2024),
        (datetime(2024, 4, 1, 0, 0), 2024),
    ],
)
def test_school_year(d, expected):
    assert school_year(d) == expected


# ---------------------------------------------------------------- grades


@pytest.mark.parametrize(
    "birth, d, expected",
    [
        # born 2012-04-01: cohort 2011 (before 4/2), sy 2024, g = 2024-2011-6 = 7 → junior high
        (D(2012, 4, 1), D(2024, 4, 1), 7),
        # same child the day before: sy 2023, g = 2023-2011-6 = 6
        (D(2012, 4, 1), D(2024, 3, 31), 6),
        # born 2012-04-02: cohort 2012, sy 2024, g = 2024-2012-6 = 6 → still 6th grade
        (D(2012, 4, 2), D(2024, 4, 1), 6),
        # born 2012-04-02 a year later: sy 2025, g = 2025-2012-6 = 7
        (D(2012, 4, 2), D(2025, 4, 1), 7),
        # born 2012-03-31: cohort 2011, sy 2024, g = 7 (same class as April 1)
        (D(2012, 3, 31), D(2024, 4, 1), 7),
        # born 2012-02-29: cohort 2011, sy 2024 → 7
        (D(2012, 2, 29), D(2024, 4, 1), 7),
        # born 2018-04-01: cohort 2017; 2024-04-01 sy 2024 → g = 1 (enters elementary)
        (D(2018, 4, 1), D(2024, 4, 1), 1),
        # ... and on 2024-03-31 sy 2023 → g = 0
        (D(2018, 4, 1), D(2024, 3, 31), 0),
        # born 2018-04-02: cohort 2018, sy 2024 → g = 0 (one more year of preschool)
        (D(2018, 4, 2), D(2024, 4, 1), 0),
        # born 2009-04-01: cohort 2008; 2024-03-31 sy 2023 → g = 9; 2024-04-01 → 10
        (D(2009, 4, 1), D(2024, 3, 31), 9),
        (D(2009, 4, 1), D(2024, 4, 1), 10),
        # datetime accepted: born 2012-04-01, sy 2024 → 7
        (datetime(2012, 4, 1, 23, 0), datetime(2024, 4, 1, 9, 0), 7),
    ],
)
def test_grade_on(birth, d, expected):
    assert grade_on(birth, d) == expected


@pytest.mark.parametrize(
    "birth, d, stage, jh_or_older",
    [
        # cohort 2017: 2024-03-31 g=0, 2024-04-01 g=1
        (D(2018, 4, 1), D(2024, 3, 31), "preschool", False),
        (D(2018, 4, 1), D(2024, 4, 1), "elementary", False),
        # cohort 2011: 2024-03-31 g=6, 2024-04-01 g=7
        (D(2012, 4, 1), D(2024, 3, 31), "elementary", False),
        (D(2012, 4, 1), D(2024, 4, 1), "junior_high", True),
        # cohort 2012: 2024-04-01 g=6 (April 2 birthday stays in elementary)
        (D(2012, 4, 2), D(2024, 4, 1), "elementary", False),
        # cohort 2008: 2024-03-31 g=9, 2024-04-01 g=10
        (D(2009, 4, 1), D(2024, 3, 31), "junior_high", True),
        (D(2009, 4, 1), D(2024, 4, 1), "senior", True),
        # adult: cohort 1989, sy 2024, g = 29
        (D(1990, 1, 1), D(2024, 4, 1), "senior", True),
        # before birth: cohort 2024, sy 2023, g = -7
        (D(2024, 6, 1), D(2024, 3, 1), "preschool", False),
    ],
)
def test_school_stage_and_junior_high_flag(birth, d, stage, jh_or_older):
    assert school_stage(birth, d) == stage
    assert is_junior_high_or_older(birth, d) is jh_or_older


@pytest.mark.parametrize(
    "birth, expected",
    [
        (D(2012, 4, 1), D(2024, 4, 1)),  # cohort 2011 + 13 = 2024
        (D(2012, 4, 2), D(2025, 4, 1)),  # cohort 2012 + 13 = 2025
        (D(2013, 3, 31), D(2025, 4, 1)),  # cohort 2012 + 13 = 2025
        (D(2012, 2, 29), D(2024, 4, 1)),  # cohort 2011 + 13 = 2024
        (D(2012, 12, 31), D(2025, 4, 1)),  # cohort 2012 + 13 = 2025
    ],
)
def test_junior_high_start(birth, expected):
    assert junior_high_start(birth) == expected


births = st.dates(min_value=D(1930, 1, 1), max_value=D(2100, 12, 31))


@given(births)
def test_junior_high_start_is_first_day_of_grade_7(birth):
    start = junior_high_start(birth)
    assert (start.month, start.day) == (4, 1)
    assert grade_on(birth, start) == 7
    assert grade_on(birth, start - timedelta(days=1)) == 6


@given(births, st.integers(min_value=1900, max_value=2150))
def test_grade_increases_by_exactly_one_across_april_first(birth, year):
    before, after = D(year, 3, 31), D(year, 4, 1)
    assert grade_on(birth, after) - grade_on(birth, before) == 1
    # and is constant for the rest of that school year
    assert grade_on(birth, D(year + 1, 3, 31)) == grade_on(birth, after)


# ---------------------------------------------------------------- ages


@pytest.mark.parametrize(
    "birth, d, expected",
    [
        (D(2000, 5, 10), D(2024, 5, 9), 23),  # 2024-2000 = 24, birthday not reached → 23
        (D(2000, 5, 10), D(2024, 5, 10), 24),  # new age held from the birthday itself
        (D(2000, 5, 10), D(2000, 5, 10), 0),
        (D(2000, 5, 10), D(2001, 5, 9), 0),
        # Feb 29 births: 2023 is not a leap year → new age on Mar 1
        (D(2004, 2, 29), D(2023, 2, 28), 18),  # 2023-2004 = 19, not yet → 18
        (D(2004, 2, 29), D(2023, 3, 1), 19),
        # 2024 is a leap year → new age on Feb 29
        (D(2004, 2, 29), D(2024, 2, 28), 19),
        (D(2004, 2, 29), D(2024, 2, 29), 20),
        # April 1 birthday: ordinary counting → still 14 on March 31
        (D(2009, 4, 1), D(2024, 3, 31), 14),
        (D(2009, 4, 1), D(2024, 4, 1), 15),
        (datetime(2000, 5, 10, 18, 0), datetime(2024, 5, 10, 6, 0), 24),
    ],
)
def test_age_on(birth, d, expected):
    assert age_on(birth, d) == expected


def test_age_on_before_birth_raises():
    with pytest.raises(ValueError):
        age_on(D(2024, 5, 10), D(2024, 5, 9))


@given(births, st.dates(max_value=D(2150, 12, 31)), st.dates(max_value=D(2150, 12, 31)))
def test_age_on_is_monotonic(birth, d1, d2):
    d1, d2 = sorted((d1, d2))
    if d1 < birth:
        return
    assert age_on(birth, d1) <= age_on(birth, d2)


@given(births, st.integers(min_value=0, max_value=40))
def test_age_on_increments_on_birthday(birth, years):
    target_year = birth.year + years
    if (birth.month, birth.day) == (2, 29) and not (target_year % 4 == 0 and (target_year % 100 or target_year % 400 == 0)):
        birthday = D(target_year, 3, 1)
    else:
        birthday = birth.replace(year=target_year)
    assert age_on(birth, birthday) == years
    if years:
        assert age_on(birth, birthday - timedelta(days=1)) == years - 1


@pytest.mark.parametrize(
    "birth, age, expected",
    [
        # born 2009-04-01: cohort 2008 → 2008+15+1 = 2024-03-31 (the day junior high ends;
        # legally reaches 15 at the end of 2024-03-31)
        (D(2009, 4, 1), 15, D(2024, 3, 31)),
        # born 2009-04-02: cohort 2009 → 2025-03-31 (turns 15 on 2024-04-02, sy 2024)
        (D(2009, 4, 2), 15, D(2025, 3, 31)),
        # born 2010-03-31: cohort 2009 → 2025-03-31 (turns 15 on 2025-03-31, sy 2024)
        (D(2010, 3, 31), 15, D(2025, 3, 31)),
        # born 2008-02-29: cohort 2007 → 2023-03-31 (turns 15 on 2023-03-01, sy 2022)
        (D(2008, 2, 29), 15, D(2023, 3, 31)),
        # born 2012-10-10: cohort 2012 → age 18: 2012+18+1 = 2031-03-31 (turns 18 on 2030-10-10)
        (D(2012, 10, 10), 18, D(2031, 3, 31)),
    ],
)
def test_end_of_school_year_turning(birth, age, expected):
    assert end_of_school_year_turning(birth, age) == expected


@given(births)
def test_end_of_school_year_turning_15_is_end_of_junior_high(birth):
    end = end_of_school_year_turning(birth, 15)
    assert grade_on(birth, end) == 9
    assert grade_on(birth, end + timedelta(days=1)) == 10


@given(births, st.integers(min_value=1, max_value=30))
def test_end_of_school_year_turning_brackets_the_birthday(birth, age):
    end = end_of_school_year_turning(birth, age)
    assert (end.month, end.day) == (3, 31)
    # the age is held by the day after the school year ends ...
    assert age_on(birth, end + timedelta(days=1)) == age
    # ... and was not yet held when that school year began
    sy_start = D(end.year - 1, 4, 1)
    if sy_start >= birth:
        assert age_on(birth, sy_start) == age - 1


# ---------------------------------------------------------------- eras


@pytest.mark.parametrize(
    "d, expected",
    [
        (D(2024, 4, 1), ("令和", 6)),  # 2024-2019+1
        (D(2019, 5, 1), ("令和", 1)),
        (D(2019, 4, 30), ("平成", 31)),  # 2019-1989+1
        (D(1989, 1, 8), ("平成", 1)),
        (D(1989, 1, 7), ("昭和", 64)),  # 1989-1926+1
        (D(1926, 12, 25), ("昭和", 1)),
        (datetime(2019, 5, 1, 0, 0), ("令和", 1)),
    ],
)
def test_era_parts(d, expected):
    assert era_parts(d) == expected


def test_era_parts_before_showa_raises():
    with pytest.raises(ValueError):
        era_parts(D(1926, 12, 24))
    with pytest.raises(ValueError):
        format_era(D(1900, 1, 1))


@pytest.mark.parametrize(
    "d, long, short",
    [
        (D(2024, 4, 1), "令和6年4月1日", "R6.4.1"),
        (D(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
        (D(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
        (D(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
        (D(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
        (D(1926, 12, 25), "昭和元年12月25日", "S1.12.25"),
        (D(2025, 12, 31), "令和7年12月31日", "R7.12.31"),
    ],
)
def test_format_era(d, long, short):
    assert format_era(d) == long
    assert format_era(d, style="long") == long
    assert format_era(d, style="short") == short


def test_format_era_rejects_unknown_style():
    with pytest.raises(ValueError):
        format_era(D(2024, 4, 1), style="medium")


@pytest.mark.parametrize(
    "d, expected",
    [
        (D(2024, 4, 1), "令和6年4月"),
        (D(2019, 5, 31), "令和元年5月"),
        (D(2019, 4, 30), "平成31年4月"),
    ],
)
def test_format_era_year_month(d, expected):
    assert format_era_year_month(d) == expected


_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}

showa_or_later = st.dates(min_value=SHOWA_START)


@given(showa_or_later, st.sampled_from(["long", "short"]))
def test_format_era_round_trips_through_parse_date(d, style):
    assert parse_date(format_era(d, style=style)) == d


@given(showa_or_later)
def test_full_width_short_era_round_trips(d):
    assert parse_date(format_era(d, style="short").translate(_FULLWIDTH)) == d


@given(st.dates(min_value=D(1000, 1, 1)))
def test_iso_and_slash_with_weekday_round_trip(d):
    weekday = "月火水木金土日"[d.weekday()]
    assert parse_date(d.isoformat()) == d
    assert parse_date(f"{d.year}/{d.month}/{d.day}({weekday})") == d


# ---------------------------------------------------------------- parse_date


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024/4/1", D(2024, 4, 1)),
        ("2024/04/01", D(2024, 4, 1)),
        ("2024-04-01", D(2024, 4, 1)),
        ("2024.4.1", D(2024, 4, 1)),
        ("2024年4月1日", D(2024, 4, 1)),
        ("2024年 4月 1日", D(2024, 4, 1)),
        ("R6.4.1", D(2024, 4, 1)),
        ("R6/4/1", D(2024, 4, 1)),
        ("R6-4-1", D(2024, 4, 1)),
        ("r6.4.1", D(2024, 4, 1)),
        ("R06.04.01", D(2024, 4, 1)),
        ("令和6年4月1日", D(2024, 4, 1)),
        ("令和元年5月1日", D(2019, 5, 1)),
        ("令和1年5月1日", D(2019, 5, 1)),
        ("R1.5.1", D(2019, 5, 1)),
        ("R元.5.1", D(2019, 5, 1)),
        ("H31.4.30", D(2019, 4, 30)),
        ("h31.4.30", D(2019, 4, 30)),
        ("平成31年4月30日", D(2019, 4, 30)),
        ("平成元年1月8日", D(1989, 1, 8)),
        ("H1.1.8", D(1989, 1, 8)),
        ("S64.1.7", D(1989, 1, 7)),
        ("昭和64年1月7日", D(1989, 1, 7)),
        ("昭和元年12月25日", D(1926, 12, 25)),
        ("S50.6.15", D(1975, 6, 15)),  # 1926+50-1 = 1975
        ("２０２４／４／１", D(2024, 4, 1)),
        ("２０２４年４月１日", D(2024, 4, 1)),
        ("Ｒ６．４．１", D(2024, 4, 1)),
        ("ｒ６．４．１", D(2024, 4, 1)),
        ("令和６年４月１日", D(2024, 4, 1)),
        ("㋿6年4月1日", D(2024, 4, 1)),  # era ligature, NFKC → 令和
        ("㍻31年4月30日", D(2019, 4, 30)),
        ("  2024/4/1  ", D(2024, 4, 1)),
        ("\u30002024/4/1\u3000", D(2024, 4, 1)),  # full-width spaces
        ("\t2024/4/1\n", D(2024, 4, 1)),
        ("2024/4/1(月)", D(2024, 4, 1)),  # 2024-04-01 is a Monday
        ("2024/4/1 (月)", D(2024, 4, 1)),
        ("2024年4月1日（月）", D(2024, 4, 1)),
        ("2024年4月1日(月曜)", D(2024, 4, 1)),
        ("2024年4月1日（月曜日）", D(2024, 4, 1)),
        ("R6.4.1(月)", D(2024, 4, 1)),
        ("令和6年4月7日(日)", D(2024, 4, 7)),
        ("２０２４／４／１（月）", D(2024, 4, 1)),
        ("2024/2/29", D(2024, 2, 29)),  # leap year
    ],
)
def test_parse_date_accepts(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u3000",
        "2024/2/30",  # February has no 30th
        "2023/2/29",  # 2023 is not a leap year
        "2024/13/1",
        "2024/0/1",
        "2024/4/0",
        "2024/4/31",  # April has 30 days
        "平成32年1月1日",  # 平成 ended in its 31st year
        "H32.1.1",
        "令和1年4月30日",  # 令和 begins 2019-05-01
        "R1.4.30",
        "平成31年5月1日",  # already 令和
        "平成元年1月7日",  # still 昭和 (平成 begins 1989-01-08)
        "昭和64年1月8日",  # already 平成
        "昭和65年1月1日",
        "昭和元年12月24日",  # before 昭和 (1926-12-25)
        "令和0年5月1日",
        "R0.5.1",
        "大正15年1月1日",  # earlier eras not supported
        "T15.1.1",
        "M45.1.1",
        "2024/4-1",  # mixed separators
        "2024/4/1/",
        "24/4/1",  # two-digit year is ambiguous
        "4/1",
        "20240401",
        "45383",  # a serial typed as text is not a date
        "2024/4/1(火)",  # 2024-04-01 is a Monday
        "2024/4/1(X)",
        "2024/4/1 12:00",  # time belongs in parse_datetime
        "2024/4/1 foo",
        "令和6年4月1",
        "not a date",
        "R6.4.1.",
    ],
)
def test_parse_date_rejects(text):
    with pytest.raises(DateParseError) as exc_info:
        parse_date(text)
    assert exc_info.value.text == text
    assert isinstance(exc_info.value, ValueError)


def test_parse_date_objects():
    assert parse_date(D(2024, 4, 1)) == D(2024, 4, 1)
    result = parse_date(datetime(2024, 4, 1, 13, 45))
    assert result == D(2024, 4, 1)
    assert type(result) is date


@pytest.mark.parametrize("value", [None, [2024, 4, 1], time(12, 0), True, False])
def test_parse_date_rejects_other_types(value):
    with pytest.raises(DateParseError):
        parse_date(value)


# ---------------------------------------------------------------- Excel serials


@pytest.mark.parametrize(
    "serial, expected",
    [
        (1, D(1900, 1, 1)),
        (2, D(1900, 1, 2)),
        (59, D(1900, 2, 28)),
        (61, D(1900, 3, 1)),  # 60 is Excel's fictitious 1900-02-29
        (62, D(1900, 3, 2)),
        (36526, D(2000, 1, 1)),
        (45383, D(2024, 4, 1)),
        (45383.0, D(2024, 4, 1)),
        (45383.75, D(2024, 4, 1)),  # 18:00 that day
        (45412, D(2024, 4, 30)),  # 45383 + 29
        (2958465, D(9999, 12, 31)),
    ],
)
def test_parse_date_excel_serial(serial, expected):
    assert parse_date(serial) == expected


@pytest.mark.parametrize(
    "serial", [60, 60.0, 60.5, 0, 0.5, -1, 2958466, float("nan"), float("inf"), float("-inf")]
)
def test_parse_date_rejects_bad_serials(serial):
    with pytest.raises(DateParseError):
        parse_date(serial)


@pytest.mark.parametrize(
    "d, serial",
    [
        (D(1900, 1, 1), 1),
        (D(1900, 2, 28), 59),
        (D(1900, 3, 1), 61),
        (D(2024, 4, 1), 45383),
        (D(9999, 12, 31), 2958465),
    ],
)
def test_to_excel_serial(d, serial):
    assert to_excel_serial(d) == serial


def test_to_excel_serial_before_1900_raises():
    with pytest.raises(ValueError):
        to_excel_serial(D(1899, 12, 31))


@given(st.dates(min_value=D(1900, 1, 1)))
def test_excel_serial_round_trip(d):
    serial = to_excel_serial(d)
    assert serial != 60
    assert parse_date(serial) == d
    assert parse_date(float(serial)) == d


# ---------------------------------------------------------------- parse_time


@pytest.mark.parametrize(
    "value, expected",
    [
        (time(14, 0), time(14, 0)),
        (datetime(2024, 4, 1, 9, 30), time(9, 30)),
        (0, time(0, 0)),
        (0.5, time(12, 0)),
        (0.75, time(18, 0)),
        (14 / 24, time(14, 0)),
        ((14 * 60 + 30) / 1440, time(14, 30)),
        ("14:00", time(14, 0)),
        ("9:05", time(9, 5)),
        ("09:05", time(9, 5)),
        ("14:00:30", time(14, 0, 30)),
        ("14：00", time(14, 0)),
        ("１４：００", time(14, 0)),
        ("１４時", time(14, 0)),
        ("14時", time(14, 0)),
        ("14時30分", time(14, 30)),
        ("14時5分", time(14, 5)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("\u3000 14:00 ", time(14, 0)),
    ],
)
def test_parse_time_accepts(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "24:00", "25:00", "14:60", "14:5", "14", "2:30 PM", "14時60分", "noon", 1, 1.0, -0.1, 1.5,
     1 - 1e-9,  # 86399.99991 s rounds to 24:00, which is not a time of day
     float("nan"), True, None, D(2024, 4, 1)],
)
def test_parse_time_rejects(value):
    with pytest.raises(DateParseError):
        parse_time(value)


# ---------------------------------------------------------------- parse_datetime


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024/4/1 11:59", datetime(2024, 4, 1, 11, 59)),
        ("2024-04-01 12:00", datetime(2024, 4, 1, 12, 0)),
        ("2024-04-01T12:00", datetime(2024, 4, 1, 12, 0)),
        ("2024-04-01 12:00:30", datetime(2024, 4, 1, 12, 0, 30)),
        ("R6.4.1 12:00", datetime(2024, 4, 1, 12, 0)),
        ("令和6年4月1日 14時30分", datetime(2024, 4, 1, 14, 30)),
        ("2024年4月1日14時", datetime(2024, 4, 1, 14, 0)),
        ("2024/4/1(月) 9:30", datetime(2024, 4, 1, 9, 30)),
        ("2024年4月1日（月）10：00", datetime(2024, 4, 1, 10, 0)),
        ("２０２４／４／１\u3000１１：５９", datetime(2024, 4, 1, 11, 59)),
        (datetime(2024, 4, 1, 11, 59), datetime(2024, 4, 1, 11, 59)),
        (45383.5, datetime(2024, 4, 1, 12, 0)),  # 2024-04-01 + 0.5 day
        (45383, datetime(2024, 4, 1, 0, 0)),
        (45383 + 1439 / 1440, datetime(2024, 4, 1, 23, 59)),
        (61.25, datetime(1900, 3, 1, 6, 0)),
    ],
)
def test_parse_datetime_accepts(value, expected):
    assert parse_datetime(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "2024/4/1",  # no time
        "2024/4/1 ",
        "2024/4/111:59",  # would otherwise be misread as 4/11 1:59
        "2024/4/1 25:00",
        "2024/2/30 10:00",
        "2024/4/1(火) 10:00",  # wrong weekday
        "平成32年1月1日 10:00",
        "10:00",
        D(2024, 4, 1),  # a bare date has no time
        60.5,
        None,
    ],
)
def test_parse_datetime_rejects(value):
    with pytest.raises(DateParseError):
        parse_datetime(value)


@given(st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31, 23, 59)))
def test_parse_datetime_serial_round_trip(dt):
    dt = dt.replace(second=0, microsecond=0)
    serial = to_excel_serial(dt.date()) + (dt.hour * 60 + dt.minute) / 1440
    assert parse_datetime(serial) == dt


# ---------------------------------------------------------------- office days


@pytest.mark.parametrize(
    "d, expected",
    [
        (D(2024, 1, 1), False),  # 元日 (Monday)
        (D(2024, 1, 2), True),  # Tuesday
        (D(2024, 5, 3), False),  # 憲法記念日 (Friday)
        (D(2024, 5, 6), False),  # 振替休日 for こどもの日 (Sun 5/5)
        (D(2024, 5, 7), True),  # Tuesday
        (D(2024, 4, 5), True),  # Friday
        (D(2024, 4, 6), False),  # Saturday
        (D(2024, 4, 7), False),  # Sunday
        (D(2024, 4, 8), True),  # Monday
        (D(2024, 4, 29), False),  # 昭和の日 (Monday)
        (datetime(2024, 1, 1, 9, 0), False),
    ],
)
def test_is_office_day(d, expected):
    assert is_office_day(d) is expected


def test_is_office_day_extra_holidays():
    closure = frozenset({D(2024, 12, 27)})  # a Friday the organisation closes
    assert is_office_day(D(2024, 12, 27))
    assert not is_office_day(D(2024, 12, 27), closure)
    assert not is_office_day(datetime(2024, 12, 27, 10, 0), closure)


YEAR_END = frozenset(
    {D(2023, 12, 29), D(2024, 1, 2), D(2024, 1, 3)}  # 年末年始 closure (weekends/元日 aside)
)


@pytest.mark.parametrize(
    "d, extra, expected",
    [
        # Tue 5/7 ← Mon 5/6 振替, Sun 5/5, Sat 5/4, Fri 5/3 憲法記念日 → Thu 5/2
        (D(2024, 5, 7), frozenset(), D(2024, 5, 2)),
        # strictly before, even when d is itself an office day
        (D(2024, 4, 9), frozenset(), D(2024, 4, 8)),
        # Mon 4/8 ← Sun, Sat → Fri 4/5
        (D(2024, 4, 8), frozenset(), D(2024, 4, 5)),
        # Thu 2024-01-04 ← 1/3 Wed (office day without closure)
        (D(2024, 1, 4), frozenset(), D(2024, 1, 3)),
        # with closure: 1/3, 1/2 closed, 1/1 元日, 12/31 Sun, 12/30 Sat, 12/29 closed → Thu 12/28
        (D(2024, 1, 4), YEAR_END, D(2023, 12, 28)),
    ],
)
def test_previous_office_day(d, extra, expected):
    assert previous_office_day(d, extra_holidays=extra) == expected


@pytest.mark.parametrize(
    "d, n, expected",
    [
        (D(2024, 5, 2), 1, D(2024, 5, 7)),  # skips 5/3 holiday, weekend, 5/6 振替休日
        (D(2024, 5, 7), -1, D(2024, 5, 2)),
        # Fri 4/26 +3: 4/29 昭和の日 skipped → 4/30 (1), 5/1 (2), 5/2 (3)
        (D(2024, 4, 26), 3, D(2024, 5, 2)),
        (D(2024, 4, 6), 1, D(2024, 4, 8)),  # from a Saturday
        (D(2024, 4, 6), -1, D(2024, 4, 5)),
        (D(2024, 4, 6), 0, D(2024, 4, 6)),  # zero is a no-op even on a non-office day
        (D(2024, 4, 1), 5, D(2024, 4, 8)),  # Mon + 5 office days = next Mon
        (D(2024, 4, 1), 10, D(2024, 4, 15)),
    ],
)
def test_add_office_days(d, n, expected):
    assert add_office_days(d, n) == expected


def test_add_office_days_with_extra_holidays():
    # Thu 2023-12-28 +1: 12/29 closed, weekend, 1/1 元日, 1/2 and 1/3 closed → Thu 1/4
    assert add_office_days(D(2023, 12, 28), 1, extra_holidays=YEAR_END) == D(2024, 1, 4)
    assert add_office_days(D(2023, 12, 28), 1) == D(2023, 12, 29)


office_range = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


@given(office_range, st.integers(min_value=-30, max_value=30).filter(bool))
def test_add_office_days_lands_on_office_day_and_counts_them(d, n):
    result = add_office_days(d, n)
    assert is_office_day(result)
    lo, hi = (d, result) if n > 0 else (result, d)
    assert (result > d) == (n > 0)
    # exactly |n| office days in (lo, hi] for n > 0, [lo, hi) for n < 0
    span = [lo + timedelta(days=i) for i in range((hi - lo).days + 1)]
    counted = [x for x in span if is_office_day(x) and x != d]
    assert len(counted) == abs(n)


@given(office_range, st.integers(min_value=-30, max_value=30))
def test_add_office_days_is_reversible_from_office_days(d, n):
    if not is_office_day(d):
        return
    assert add_office_days(add_office_days(d, n), -n) == d


@given(office_range)
def test_previous_office_day_skips_only_non_office_days(d):
    prev = previous_office_day(d)
    assert prev < d
    assert is_office_day(prev)
    assert not any(is_office_day(prev + timedelta(days=i)) for i in range(1, (d - prev).days))
