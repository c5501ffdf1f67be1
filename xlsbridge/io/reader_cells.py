"""One cell of a record sheet read into a model value (io/codecs.py reads the kinds), or a finding's
reason why it cannot be: the column readers the ledger reader uses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from ..domain.money import Ratio
from ..domain.text import clean, fold
from ..domain.settings import Settings
from .codecs import (
    BOOL_WORDS_JA,
    LEDGER_UNITS,
    Unreadable,
    read_bool,
    read_date,
    read_datetime,
    read_time,
    read_whole_number,
)
from ..domain.layout import Column


# --------------------------------------------------------------------------------------------
# Cell values
# --------------------------------------------------------------------------------------------

class _CellError(Exception):
    def __init__(self, code: str, value: Any, **params: Any):
        self.code = code
        self.value = value
        self.params = params


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def display(value: Any) -> str:
    """A cell value as text for a finding: 45 not 45.0, dates as ISO, times as 14:00."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes") if value.second == 0 else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    if isinstance(value, timedelta):
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    return str(value).strip()


def _identifier(value: Any) -> str:
    # "Ｃ－００１ " and "C-001" are the same ID.
    text = value.strip() if value.__class__ is str else display(value)  # display(str) is str.strip()
    return clean(text)


def _shown(value: Any) -> str:
    """A cell's value as a finding shows it, cut short (a 32,000-character cell is not repeated)."""
    text = display(value) if not isinstance(value, int) or abs(value) < 10**30 else f"{str(value)[:20]}…"
    return text if len(text) <= 60 else text[:59] + "…"


def _integer(example: str, kinds: tuple[str, ...]) -> Callable[[Any], int]:
    def read(value: Any) -> int:
        try:
            return read_whole_number(value, kinds)
        except Unreadable:
            raise _CellError("cell-not-a-number", display(value) if isinstance(value, bool) else _shown(value),
                             example=example) from None

    return read


def _date(value: Any) -> date:
    try:
        return read_date(value)
    except Unreadable as exc:
        if exc.reason == "no-such-day":  # 2025-02-30: say the day does not exist, not how to write dates
            raise _CellError("cell-impossible-date", _shown(value)) from None
        raise _CellError("cell-unreadable-date", display(value) if exc.reason == "not-a-date" else _shown(value)) from None


def _time(value: Any) -> time:
    try:
        return read_time(value)
    except Unreadable:
        raise _CellError("cell-unreadable-time", display(value)) from None


def _datetime(value: Any) -> datetime:
    try:
        return read_datetime(value)
    except Unreadable as exc:
        if exc.reason == "no-such-day":
            raise _CellError("cell-impossible-date", _shown(value)) from None
        raise _CellError("cell-unreadable-datetime",
                         display(value) if exc.reason == "not-a-datetime" else _shown(value)) from None


def _bool(value: Any) -> bool:
    try:
        return read_bool(value)
    except Unreadable:
        raise _CellError("cell-unknown-choice", display(value), known=BOOL_WORDS_JA) from None


def _ratio(value: Any) -> Ratio:
    # Excel turns "1:1" or "2:1" typed into a cell not formatted as text into the time 1:01 / 2:01,
    # and "60:40" into a duration: read them back as the ratio that was typed.
    if isinstance(value, time) and value.second == 0 and not isinstance(value, datetime):
        value = f"{value.hour}:{value.minute}"
    elif isinstance(value, timedelta) and value.total_seconds() % 60 == 0 and value >= timedelta(0):
        minutes = int(value.total_seconds() // 60)
        value = f"{minutes // 60}:{minutes % 60}"
    try:
        return Ratio.parse(value)
    except ValueError:  # RatioError, or the model refusing 0:0
        raise _CellError("ratio-invalid", display(value)) from None


def _choice(column: Column, extra: Mapping[str, str] = {}, passthrough: bool = False) -> Callable[[Any], str]:
    table = {fold(label): value for label, value in column.choices.items()}
    table.update({fold(value): value for value in column.choices.values()})
    table.update({fold(label): value for label, value in extra.items()})
    known = "、".join(column.choices)

    def read(value: Any) -> str:
        text = display(value)
        hit = table.get(fold(text)) or table.get(fold(text).lower())
        if hit is not None:
            return hit
        if passthrough:
            return clean(text)
        raise _CellError("cell-unknown-choice", text, header=column.header, known=known)

    return read


def _support_type_labels(settings: Settings) -> dict[str, str]:
    """Every way a support type may be written: label, label without 型, key, English label."""
    labels: dict[str, str] = {}
    for schedule in settings.schedules:
        for st in schedule.support_types:
            for label in (st.label_ja, st.label_ja.removesuffix("型"), st.key, st.label_en, st.label_en.lower()):
                labels.setdefault(label, st.key)
    return labels


def _support_type_reader(column: Column, settings: Settings) -> Callable[[Any], str]:
    """A support type as written (付き添い型, 付添い, accompanied …) read as the settings' key; an
    unknown one goes through, the fee rules name the schedule's types."""
    from ..domain.support_types import resolve_support_type

    labels = _choice(column, _support_type_labels(settings), passthrough=True)

    def read(value: Any) -> str:
        text = labels(value)
        return resolve_support_type(text, settings) or text

    return read


def _reader(column: Column, settings: Settings) -> Callable[[Any], Any]:
    kind = column.kind
    if kind == "date":
        return _date
    if kind == "time":
        return _time
    if kind == "datetime":
        return _datetime
    if kind == "int":
        return _integer("2" if column.key == "children" else "30" if "minutes" in column.key else "1", LEDGER_UNITS)
    if kind == "yen":
        return _integer("1000", LEDGER_UNITS)
    if kind == "bool":
        return _bool
    if kind == "ratio":
        return _ratio
    if kind == "choice":
        if column.key == "support_type":
            # Types are settings data: an unknown one goes through, the fee rules name the schedule's types.
            return _support_type_reader(column, settings)
        return _choice(column)
    if column.key.endswith("_id"):
        return _identifier
    return display


