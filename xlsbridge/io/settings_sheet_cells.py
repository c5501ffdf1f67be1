"""Reading one cell of the settings sheets: what staff type (full-width digits, ○/×, ``1,000円``) into model values.

Split out of :mod:`xlsbridge.io.settings_sheet`; each codec reads one kind of value and writes it back.
A value that cannot be read raises :class:`_Bad`; the caller adds the cell address.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from ..domain.text import clean, fold
from .codecs import (
    ANY_UNIT,
    BOOL_CHOICES,
    UNITS,
    Unreadable,
    read_bool,
    read_date,
    read_whole_number,
    write_bool,
)


# --------------------------------------------------------------------------------------------------
# Reading one cell
# --------------------------------------------------------------------------------------------------


class _Bad(Exception):
    """A cell value that cannot be read; the caller adds the cell address."""

    def __init__(self, ja: str, en: str):
        super().__init__(en)
        self.ja, self.en = ja, en


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_norm = fold  # what staff type and what we compare: domain/text.py


def _shown(value: Any) -> str:
    text = str(value).strip()
    return text if len(text) <= 40 else text[:40] + "…"


_UNITS = re.compile("(?:" + "|".join(re.escape(u) for kind in ANY_UNIT for u in UNITS[kind]) + ")$")


def _int(value: Any) -> int:
    try:
        return read_whole_number(value, ANY_UNIT)
    except Unreadable as exc:
        if isinstance(value, bool):
            raise _Bad(f"「{value}」は数ではありません。数字で書いてください（例 500）",
                       f"'{value}' is not a number; write digits (e.g. 500)") from None
        if exc.reason == "fraction":
            raise _Bad(f"「{value:g}」は整数ではありません。小数点なしの数にしてください",
                       f"'{value:g}' is not a whole number") from None
        raise _Bad(f"「{_shown(value)}」を数として読めません。数字で書いてください（例 500、１０００円）",
                   f"cannot read '{_shown(value)}' as a number; write digits (e.g. 500)") from None


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _Bad(f"「{value}」は数ではありません（例 12.5）", f"'{value}' is not a number (e.g. 12.5)")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = _UNITS.sub("", _norm(value).replace(",", ""))
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _Bad(f"「{_shown(value)}」を数として読めません（例 12.5）",
                   f"cannot read '{_shown(value)}' as a number (e.g. 12.5)") from None


def _write_decimal(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_key = clean


def _date(value: Any) -> date:
    try:
        return read_date(value)
    except Unreadable:
        raise _Bad(f"「{_shown(value)}」を日付として読めません（例 2025/4/1、R7.4.1、令和7年4月1日）",
                   f"cannot read '{_shown(value)}' as a date (e.g. 2025/4/1)") from None


def _bool(value: Any) -> bool:
    try:
        return read_bool(value)
    except Unreadable:
        raise _Bad(f"「{_shown(value)}」は ○ か × で書いてください（はい/いいえ、TRUE/FALSE も可）",
                   f"write ○ or × for '{_shown(value)}' (はい/いいえ and TRUE/FALSE are read too)") from None


@dataclass(frozen=True)
class _Codec:
    """How one kind of value is read from a cell and written back."""

    read: Callable[[Any], Any]
    write: Callable[[Any], Any] = lambda v: v
    choices: tuple[str, ...] = ()  # drop-down list when written
    number_format: str | None = None


def _choice(labels: dict[str, Any], aliases: dict[str, Any] | None = None, *, bools: bool = False) -> _Codec:
    """One of ``labels`` (cell text -> model value); ``aliases`` are other accepted spellings."""
    accepted = {_norm(k): v for k, v in {**labels, **(aliases or {})}.items()}
    reverse = {v: k for k, v in labels.items()}

    def read(value: Any) -> Any:
        text = _norm(value)
        if text in accepted:
            return accepted[text]
        if bools:
            try:
                return _bool(value)
            except _Bad:
                pass
        known = " / ".join(labels)
        raise _Bad(f"「{_shown(value)}」は選べません。次のどれかにしてください: {known}",
                   f"'{_shown(value)}' is not a valid choice; use one of: {known}")

    return _Codec(read, lambda v: reverse[v], tuple(labels))


INT = _Codec(_int)
TEXT = _Codec(_text)
KEY = _Codec(_key)
DATE = _Codec(_date, number_format="yyyy/m/d")
BOOL = _Codec(_bool, write_bool, BOOL_CHOICES)
DECIMAL = _Codec(_decimal, _write_decimal)


# Base price: "4500", or duration bands "120分まで 6000 / 240分まで 10000 / それ以上 12000".
_BAND = re.compile(
    r"(?:(?P<n>\d+)(?P<unit>分|時間)(?:まで|以内|以下)?|(?P<open>それ以上|上限なし|以上|超))?[:=]?(?P<price>\d+)円?"
)


def _read_bands(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [{"price": _int(value)}]
    parts = [p for p in _norm(value).replace(",", "").replace("¥", "").split("/") if p]
    bands: list[dict[str, Any]] = []
    for part in parts:
        m = _BAND.fullmatch(part)
        if not m:
            raise _Bad(
                f"料金「{_shown(part)}」を読めません。「4500」か「120分まで 6000 / 240分まで 10000」のように書いてください",
                f"cannot read the price '{_shown(part)}'; write 4500 or 120分まで 6000 / 240分まで 10000",
            )
        band: dict[str, Any] = {"price": int(m["price"])}
        if m["n"]:
            band["up_to_minutes"] = int(m["n"]) * (60 if m["unit"] == "時間" else 1)
        bands.append(band)
    if not bands:
        raise _Bad("基本料金を入力してください（例 4500）", "enter the base price (e.g. 4500)")
    return bands


def _write_bands(bands: Sequence[Any]) -> int | str:
    if len(bands) == 1 and bands[0].up_to_minutes is None:
        return bands[0].price
    return " / ".join(
        f"{b.up_to_minutes}分まで {b.price}" if b.up_to_minutes is not None else f"それ以上 {b.price}" for b in bands
    )


BANDS = _Codec(_read_bands, _write_bands)


def _read_fraction(value: Any) -> tuple[int, int]:
    if isinstance(value, (date, datetime)):
        raise _Bad("割合が日付に変わっています。セルの書式を「文字列」にして 1/2 と入力してください（'1/2 でも可）",
                   "the fraction was turned into a date; format the cell as text and type 1/2")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        frac = Fraction(repr(value))
    else:
        text = _norm(value)
        try:
            if text.endswith("%"):
                frac = Fraction(text[:-1]) / 100
            else:
                frac = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise _Bad(f"割合「{_shown(value)}」を読めません。1/2、1/3、50% のように書いてください",
                       f"cannot read the fraction '{_shown(value)}'; write 1/2, 1/3 or 50%") from None
    if frac < 0:
        raise _Bad("割合は0以上にしてください", "the fraction must not be negative")
    return frac.numerator, frac.denominator


FRACTION = _Codec(_read_fraction, lambda nd: f"{nd[0]}/{nd[1]}", number_format="@")


# Cancellation tiers: "3日前17:00まで 0% / 前日17:00まで 50%", WEK: "前日12:00まで 0% +500円".
_TIER = re.compile(
    r"(?P<day>当日|前日|前々日|(?P<n>\d+)日前)(?:の)?"
    r"(?:(?P<noon>正午)|(?P<h>\d{1,2})(?::|時)(?P<m>\d{2})?(?::(?P<s>\d{2}))?分?)"
    r"(?:まで|までに|より前)(?:(?P<pct>\d+)%)?(?:\+?(?P<fixed>\d+)円)?"
)


def _read_tiers(value: Any) -> list[dict[str, Any]]:
    text = _norm(value).replace(",", "").replace("¥", "")
    if text in ("なし", "無し", "-", "ー"):
        return []
    tiers = []
    for part in (p for p in text.split("/") if p):
        m = _TIER.fullmatch(part)
        if not m or (m["pct"] is None and m["fixed"] is None):
            raise _Bad(
                f"キャンセル区分「{_shown(part)}」を読めません。「前日12:00まで 0% +500円」「3日前17:00まで 0%」のように書き、"
                "複数は / で区切ってください",
                f"cannot read the cancellation tier '{_shown(part)}'; write e.g. 前日12:00まで 0% +500円, "
                "several separated by /",
            )
        days = {"当日": 0, "前日": 1, "前々日": 2}.get(m["day"]) if not m["n"] else int(m["n"])
        hour, minute, second = (12, 0, 0) if m["noon"] else (int(m["h"]), int(m["m"] or 0), int(m["s"] or 0))
        if hour > 23 or minute > 59 or second > 59:
            raise _Bad(f"キャンセル区分「{_shown(part)}」の時刻が正しくありません（0:00〜23:59）",
                       f"the time in the cancellation tier '{_shown(part)}' is not a time of day")
        tiers.append({"days_before": days, "at": time(hour, minute, second),
                      "charge_percent": int(m["pct"] or 0), "fixed_charge": int(m["fixed"] or 0)})
    return tiers


def _write_tiers(tiers: Sequence[Any]) -> str:
    if not tiers:
        return "なし"
    out = []
    for t in tiers:
        day = {0: "当日", 1: "前日"}.get(t.days_before, f"{t.days_before}日前")
        at = t.at.strftime("%H:%M:%S" if t.at.second else "%H:%M")
        text = f"{day}{at}まで {t.charge_percent}%"
        if t.fixed_charge:
            text += f" +{t.fixed_charge}円"
        out.append(text)
    return " / ".join(out)


TIERS = _Codec(_read_tiers, _write_tiers, number_format="@")

PARENT = _choice({"父": "father", "母": "mother"})
LANGUAGE = _choice({"日本語": "ja", "英語": "en"}, {"ja": "ja", "en": "en", "japanese": "ja", "english": "en"})
EXCLUSION = _choice({"中学生": "junior_high", "年齢": "age"}, {"中学": "junior_high", "中学生になったら": "junior_high"})
AGE_RULE = _choice({"誕生日まで": "under_age", "年度末まで": "end_of_school_year"},
                   {"未満": "under_age", "年齢未満": "under_age", "満年齢未満": "under_age",
                    "年度末": "end_of_school_year", "到達年度末まで": "end_of_school_year"})
ADDON = _choice({"なし": "none", "基本料金の割合": "fraction_of_base", "1人あたり定額": "fixed_per_child"},
                {"割合": "fraction_of_base", "定額": "fixed_per_child", "一人あたり定額": "fixed_per_child",
                 "-": "none", "無し": "none"})
PARTIAL = _choice({"不可": "reject", "切上げ": "round_up"}, {"切り上げ": "round_up", "切上": "round_up"})
AGREEMENT = _choice({"必要": True, "不要": False}, bools=True)
SCOPE = _choice({"会員の親ごと": "per_member_parent", "1回ごと": "per_visit"},
                {"親ごと": "per_member_parent", "一回ごと": "per_visit", "1回あたり": "per_visit"})
TRANSPORT = _choice({"運賃表": "fare_table", "距離制": "per_km"}, {"運賃": "fare_table", "距離": "per_km"})
PAYER = _choice({"負担割合": "ratio", "別居親": "visiting_parent"},
                {"割合": "ratio", "負担割合で分ける": "ratio", "面会する親": "visiting_parent", "非同居親": "visiting_parent"})
COSTS_SPLIT = _choice({"負担割合": "ratio", "折半": "equal", "別居親": "visiting_parent"},
                      {"割合": "ratio", "半分ずつ": "equal", "面会する親": "visiting_parent", "非同居親": "visiting_parent"})
SURCHARGE_BASE = _choice({"全額": "all", "交通費を除く": "excluding_transport"},
                         {"すべて": "all", "交通費除く": "excluding_transport", "交通費以外": "excluding_transport"})
