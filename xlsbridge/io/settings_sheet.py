"""Settings <-> the workbook's settings sheets (``設定`` and ``区域``), which an admin edits in Excel.

The ``設定`` sheet holds four blocks, each introduced by a title cell in column A:

* ``■ 基本設定`` — one rule per row: 項目 | 値 | 説明 (団体名, 契約期間(月), …);
* ``■ 料金表`` — one row per fee schedule (dates, member pricing, cancellation, transport, contract fees);
* ``■ 支援類型別料金`` — one row per (schedule × support type): base price or duration bands, children,
  extension, whether transport and the member discount apply;
* ``■ 休業日`` — the office's closure days beyond national holidays.

``区域`` is one table: 市町村 | 区域外 | 交通費 | 距離(km) | 見本.

Tables are read by header text, so an admin may reorder columns or add a 備考 column.  Reading takes
plain row lists (``openpyxl`` ``values_only`` or ``python-calamine``), accepts what staff type
(full-width digits, ○/×/はい/いいえ/TRUE, ``1,000円``, trailing spaces) and turns every invalid value
or contradiction into a :class:`UserError` that names the cell (``設定!E14``) and says what to fix.
The format is documented for admins in docs/settings-sheet.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from ..domain.settings import (
    Area,
    Cancellation,
    ChildAddon,
    ContractFees,
    Extension,
    FeeSchedule,
    MemberPricing,
    PLAN_SOURCE_LABELS,
    PlanProfile,
    Rules,
    Settings,
    SupportType,
    Transport,
)
from ..errors import UserError
from .a1 import column_letter as _col_letter
from ..domain.layout import AREAS_SHEET, SETTINGS_SHEET

if TYPE_CHECKING:
    from openpyxl import Workbook

SECTION_RULES = "■ 基本設定"
SECTION_SCHEDULES = "■ 料金表"
SECTION_FEES = "■ 支援類型別料金"
SECTION_HOLIDAYS = "■ 休業日"
# Optional: the plan-sheet profile, written only when it differs from the national form.
SECTION_PLAN = "■ 計画書の様式"
TEMPLATE_VERSION_KEY = "テンプレート版"
TITLE = "設定（料金・規則）"
NOTE = (
    "管理者が編集するシートです。書き方は docs/settings-sheet.md を参照。"
    "空欄は既定値として読みます。保存後「入力チェック」で誤りがあればセル番地つきで表示されます。"
)
AREA_NOTE = (
    "区域外 ○ の市町村で面会・受け渡しをすると交通費を加算します。"
    "見本 ○ の交通費は見本の金額です。実際の運賃を確かめて書き換え、見本を空欄にしてください。"
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


def _norm(value: Any) -> str:
    """Fold full-width forms and spaces: what staff type and what we compare."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def _shown(value: Any) -> str:
    text = str(value).strip()
    return text if len(text) <= 40 else text[:40] + "…"


_UNITS = re.compile(r"(円|分|%|人|名|日前|日|か月|ヶ月|ヵ月|カ月|箇月|歳|才|回|km|キロ)$")


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad(f"「{value}」は数ではありません。数字で書いてください（例 500）",
                   f"'{value}' is not a number; write digits (e.g. 500)")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _Bad(f"「{value:g}」は整数ではありません。小数点なしの数にしてください",
                   f"'{value:g}' is not a whole number")
    text = _UNITS.sub("", _norm(value).replace(",", "").replace("¥", ""))
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise _Bad(f"「{_shown(value)}」を数として読めません。数字で書いてください（例 500、１０００円）",
               f"cannot read '{_shown(value)}' as a number; write digits (e.g. 500)")


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


def _key(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def _date(value: Any) -> date:
    from ..domain.jpcalendar import DateParseError, parse_date

    try:
        return parse_date(value)
    except DateParseError:
        raise _Bad(f"「{_shown(value)}」を日付として読めません（例 2025/4/1、R7.4.1、令和7年4月1日）",
                   f"cannot read '{_shown(value)}' as a date (e.g. 2025/4/1)") from None


_TRUE = {"○", "◯", "〇", "はい", "true", "yes", "y", "1", "有", "あり", "有り", "する", "対象"}
_FALSE = {"×", "✕", "✖", "x", "いいえ", "false", "no", "n", "0", "無", "なし", "無し", "しない", "-", "ー", "対象外"}


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = _norm(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Bad(f"「{_shown(value)}」は ○ か × で書いてください（はい/いいえ、TRUE/FALSE も可）",
               f"write ○ or × for '{_shown(value)}' (はい/いいえ and TRUE/FALSE are read too)")


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
BOOL = _Codec(_bool, lambda v: "○" if v else "×", ("○", "×"))
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


# --------------------------------------------------------------------------------------------------
# The tables, as data: header, where the value goes, how it is read and written
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Col:
    header: str
    path: str  # "key", "child_addon.kind", "extension.unit_price" …; a tuple value fills ``fills``
    codec: _Codec
    get: Callable[[Any], Any]  # the Python value to write for one row's object (None: blank)
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: float = 12
    help: str = ""
    fills: tuple[str, ...] = ()  # leaf fields filled from one tuple-valued cell (割合 -> n/d)


def _when(cond: Callable[[Any], bool], value: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda obj: value(obj) if cond(obj) else None


def _ext(attr: str) -> Callable[[Any], Any]:
    return lambda st: getattr(st.extension, attr) if st.extension is not None else None


_DEFAULT_ADDON = ChildAddon()
_DEFAULT_TRANSPORT = Transport()

# Rows of ■ 基本設定: (項目, Rules field or "organisation", codec, 説明)
RULE_ROWS: tuple[tuple[str, str, _Codec, str], ...] = (
    ("団体名", "organisation", TEXT, "帳票に出る団体名"),
    ("契約期間(月)", "contract_months", INT, "契約1期の長さ（WEK: 12か月）"),
    ("事前面談(日前)", "pre_consultation_days", INT, "事前面談は初回面会の何日以上前か（WEK: 7日）"),
    ("都道府県", "prefecture", TEXT, "対象の子どもが住む都道府県"),
    ("最低年齢", "min_child_age", INT, "対象の子どもの最低年齢（概ね3歳）"),
    ("更新時の除外", "renewal_exclusion", EXCLUSION, "契約更新時に対象外とする子ども: 中学生 / 年齢（除外年齢以上）"),
    ("除外年齢", "exit_age", INT, "更新時の除外が「年齢」のときの年齢"),
    ("国の事業の年齢上限", "national_max_age", INT, "国の事業の対象年齢（概ね15歳未満）"),
    ("年齢上限の数え方", "national_age_rule", AGE_RULE, "誕生日まで（満年齢が上限未満） / 年度末まで（上限に達した年度の3月31日まで）"),
    ("端数を負担する親", "odd_yen_to", PARENT, "負担割合で割り切れない1円を負担する親: 父 / 母"),
    ("見直し間隔(月)", "review_interval_months", INT, "支援計画の見直し間隔（3か月が一般的）"),
    ("中止連絡の確認(日前)", "notice_max_days_before", INT, "面会日より何日以上前の中止連絡を入力誤りの疑いとして確認するか（60日）"),
)
RULE_ALIASES = {"契約期間": "契約期間(月)", "事前面談": "事前面談(日前)", "見直し間隔": "見直し間隔(月)",
                "端数": "端数を負担する親", "年齢上限": "国の事業の年齢上限"}

SCHEDULE_COLUMNS: tuple[_Col, ...] = (
    _Col("料金表名", "name", TEXT, lambda s: s.name, required=True, width=22,
         help="料金表の名前（支援類型別料金の行と同じ名前）"),
    _Col("適用開始日", "effective_from", DATE, lambda s: s.effective_from, required=True,
         help="この料金表で計算する最初の面会日"),
    _Col("適用終了日", "effective_to", DATE, lambda s: s.effective_to,
         help="最後の日。空欄なら次の料金表の開始日まで"),
    _Col("支払期限(日前)", "payment_due_days_before", INT, lambda s: s.payment_due_days_before, width=9,
         help="面会日の何日前までに支払うか（WEK: 5）"),
    _Col("会員割引(円)", "member.discount_per_use", INT, lambda s: s.member.discount_per_use, width=9,
         help="賛助会員の割引額（1回あたり）"),
    _Col("割引の範囲", "member.discount_scope", SCOPE, lambda s: s.member.discount_scope, width=13,
         help="会員の親ごと: 会員の親の負担から引く / 1回ごと: 1回に1度、負担割合で分ける"),
    _Col("非会員料金(%)", "member.non_member_percent", INT, lambda s: s.member.non_member_percent, width=9,
         help="非会員は料金表の何%か（同じなら100）"),
    _Col("交通費方式", "transport.kind", TRANSPORT, lambda s: s.transport.kind, width=10,
         help="運賃表: 区域シートの交通費 / 距離制: 距離(km)×km単価×往復×支援員数"),
    _Col("km単価", "transport.rate_per_km", INT,
         _when(lambda s: s.transport.kind == "per_km" or s.transport != _DEFAULT_TRANSPORT,
               lambda s: s.transport.rate_per_km), aliases=("km単価(円)",), width=8, help="距離制の1kmあたりの円"),
    _Col("往復", "transport.round_trip", BOOL,
         _when(lambda s: s.transport.kind == "per_km" or s.transport != _DEFAULT_TRANSPORT,
               lambda s: s.transport.round_trip), width=6, help="距離制で往復分を数えるか"),
    _Col("支援員数", "transport.staff_count", INT,
         _when(lambda s: s.transport.kind == "per_km" or s.transport != _DEFAULT_TRANSPORT,
               lambda s: s.transport.staff_count), width=8, help="距離制で交通費を数える支援員の人数"),
    _Col("契約料", "contract.contract_fee", INT, lambda s: s.contract.contract_fee, width=8, help="親1人あたり、最初の契約時"),
    _Col("更新料", "contract.renewal_fee", INT, lambda s: s.contract.renewal_fee, width=8, help="親1人あたり、更新ごと"),
    _Col("預り金", "contract.deposit", INT, lambda s: s.contract.deposit, width=8, help="親1人あたり、終了時に返金"),
    _Col("キャンセル", "cancellation.tiers", TIERS, lambda s: s.cancellation.tiers, width=34,
         help="連絡の締切ごとの負担。例「前日12:00まで 0% +500円」「3日前17:00まで 0% / 前日17:00まで 50%」"),
    _Col("締切後の負担(%)", "cancellation.late_charge_percent", INT, lambda s: s.cancellation.late_charge_percent,
         width=9, help="最後の締切より後の連絡で負担する割合（WEK: 100 = 返金なし）"),
    _Col("団体都合の中止は全額返金", "cancellation.organisation_cancels_refund_in_full", BOOL,
         lambda s: s.cancellation.organisation_cancels_refund_in_full, width=10, help="団体が中止したとき全額返金するか"),
)

FEE_COLUMNS: tuple[_Col, ...] = (
    _Col("料金表名", "schedule", TEXT, lambda p: p[0].name, required=True, width=22,
         help="■ 料金表 の料金表名"),
    _Col("キー", "key", KEY, lambda p: p[1].key, aliases=("key", "類型キー"), required=True, width=13,
         help="英小文字の識別名（coordination, handover, accompanied …）"),
    _Col("名称", "label_ja", TEXT, lambda p: p[1].label_ja, required=True, width=11, help="台帳の支援類型に出る名前"),
    _Col("名称(英語)", "label_en", TEXT, lambda p: p[1].label_en, aliases=("英語名",), width=11,
         help="英語表示の名前。空欄ならキー"),
    _Col("基本料金", "base_bands", BANDS, lambda p: p[1].base_bands, required=True, width=26,
         help="「4500」か、時間で段階がある料金「120分まで 6000 / 240分まで 10000」"),
    _Col("基本時間(分)", "included_minutes", INT, lambda p: p[1].included_minutes, width=9,
         help="基本料金に含む時間。延長はこの後から"),
    _Col("子ども加算", "child_addon.kind", ADDON, lambda p: p[1].child_addon.kind, width=13,
         help="2人目以降: なし / 基本料金の割合 / 1人あたり定額"),
    _Col("割合", "child_addon.fraction", FRACTION,
         _when(lambda p: p[1].child_addon.kind == "fraction_of_base"
               or (p[1].child_addon.numerator, p[1].child_addon.denominator)
               != (_DEFAULT_ADDON.numerator, _DEFAULT_ADDON.denominator),
               lambda p: (p[1].child_addon.numerator, p[1].child_addon.denominator)),
         width=6, fills=("numerator", "denominator"), help="基本料金の割合のとき 1/2 など"),
    _Col("加算額", "child_addon.amount", INT,
         _when(lambda p: p[1].child_addon.kind == "fixed_per_child" or p[1].child_addon.amount,
               lambda p: p[1].child_addon.amount), width=8, help="1人あたり定額のときの円"),
    _Col("基本料金に含む人数", "child_addon.included_children", INT, lambda p: p[1].child_addon.included_children,
         width=9, help="加算なしで含む子どもの人数"),
    _Col("上限人数", "child_addon.max_children", INT, lambda p: p[1].child_addon.max_children, width=8,
         help="1回に受ける子どもの上限。空欄なら上限なし"),
    _Col("延長単位(分)", "extension.unit_minutes", INT, lambda p: _ext("unit_minutes")(p[1]), width=9,
         help="延長の単位。延長がない類型は延長の欄をすべて空欄に"),
    _Col("延長単価", "extension.unit_price", INT, lambda p: _ext("unit_price")(p[1]), width=8, help="1単位の料金"),
    _Col("延長上限(分)", "extension.max_minutes", INT, lambda p: _ext("max_minutes")(p[1]), width=9,
         help="延長の上限（単位の倍数）"),
    _Col("単位未満の延長", "extension.partial_unit", PARTIAL, lambda p: _ext("partial_unit")(p[1]), width=10,
         help="不可: 単位ちょうどのみ / 切上げ: 始まった単位を1単位として数える"),
    _Col("延長の事前相談", "extension.requires_agreement", AGREEMENT, lambda p: _ext("requires_agreement")(p[1]),
         width=10, help="必要 / 不要"),
    _Col("交通費", "transport_applies", BOOL, lambda p: p[1].transport_applies, width=7,
         help="区域外の交通費を加算するか"),
    _Col("会員割引", "member_discount_applies", BOOL, lambda p: p[1].member_discount_applies, width=8,
         help="賛助会員の割引をするか"),
)

AREA_COLUMNS: tuple[_Col, ...] = (
    _Col("市町村", "municipality", TEXT, lambda a: a.municipality, required=True, width=14),
    _Col("区域外", "out_of_area", BOOL, lambda a: a.out_of_area, width=8),
    _Col("交通費", "fare", INT, lambda a: a.fare or None, aliases=("交通費(円)", "運賃"), width=9),
    _Col("距離(km)", "distance_km", DECIMAL, lambda a: a.distance_km, aliases=("距離",), width=9),
    _Col("見本", "fare_is_sample", BOOL, lambda a: True if a.fare_is_sample else None, width=7),
)

HOLIDAY_COLUMNS: tuple[_Col, ...] = (
    _Col("日付", "date", DATE, lambda d: d, required=True, width=12),
    _Col("備考", "note", TEXT, lambda d: None),
)

_FREE_HEADERS = ("備考", "メモ", "説明", "注")


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def _cell_ref(sheet: str, row: int, col: int) -> str:
    return f"{sheet}!{_col_letter(col)}{row + 1}"


def _fail(where: str, ja: str, en: str) -> UserError:
    return UserError(f"{where}: {ja}", f"{where}: {en}")


def _cell(rows: Sequence[Sequence[Any]], r: int, c: int) -> Any:
    row = rows[r] if r < len(rows) else ()
    value = row[c] if c < len(row) else None
    return None if _blank(value) else value


def _row_blank(row: Sequence[Any]) -> bool:
    return all(_blank(v) for v in row)


@dataclass
class _Row:
    """One table row read into a nested dict, with the cell behind every field."""

    first_cell: str  # the row's first cell, for errors about the row as a whole
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # path -> "設定!E14（基本料金）"

    def group(self, prefix: str) -> tuple[dict[str, Any], dict[str, str]]:
        """The values and cells under ``prefix.`` (e.g. "extension"), keyed by the leaf field."""
        values = {p.split(".", 1)[1]: v for p, v in self.values.items() if p.startswith(prefix + ".")}
        cells = {p.split(".", 1)[1]: c for p, c in self.cells.items() if p.startswith(prefix + ".")}
        return values, cells


def _header_map(sheet: str, rows: Sequence[Sequence[Any]], r: int, columns: Sequence[_Col],
                within: range | None = None) -> dict[int, _Col]:
    by_name: dict[str, _Col] = {}
    for col in columns:
        for name in (col.header, *col.aliases):
            by_name[_norm(name).lower()] = col
    found: dict[int, _Col] = {}
    row = rows[r]
    for c, value in enumerate(row):
        if _blank(value) or (within is not None and c not in within):
            continue
        name = _norm(value).lower()
        col = by_name.get(name)
        where = _cell_ref(sheet, r, c)
        if col is None:
            if name.startswith(_FREE_HEADERS):
                continue
            known = "、".join(x.header for x in columns)
            raise _fail(where, f"見出し「{_shown(value)}」はこの表の列ではありません。次の見出しを使ってください: {known}"
                        "（メモ用の列は見出しを「備考」で始めてください）",
                        f"'{_shown(value)}' is not a column of this table; use: {known}")
        if col in found.values():
            raise _fail(where, f"見出し「{col.header}」が2つあります。どちらかを消してください",
                        f"the header '{col.header}' appears twice")
        found[c] = col
    for col in columns:
        if col.required and col not in found.values():
            raise _fail(f"{sheet}!{r + 1}行目", f"見出し「{col.header}」の列がありません。見出し行に追加してください",
                        f"the header row has no '{col.header}' column; add it")
    return found


def _read_table(sheet: str, rows: Sequence[Sequence[Any]], header: int, end: int,
                columns: Sequence[_Col], within: range | None = None) -> list[_Row]:
    """Rows ``header+1 .. end-1`` of a table whose header row is ``header``; blank rows are skipped.

    ``within``: the columns of the table (notes may sit to its right).
    """
    cols = _header_map(sheet, rows, header, columns, within)
    first = min(cols, default=0)
    out: list[_Row] = []
    for r in range(header + 1, end):
        if r >= len(rows) or all(_blank(_cell(rows, r, c)) for c in cols):
            continue
        item = _Row(_cell_ref(sheet, r, first))
        for c, col in cols.items():
            where = f"{_cell_ref(sheet, r, c)}（{col.header}）"
            prefix = col.path.rsplit(".", 1)[0]
            paths = [f"{prefix}.{name}" for name in col.fills] if col.fills else [col.path]
            for path in paths:
                item.cells[path] = where
            value = _cell(rows, r, c)
            if value is None:
                if col.required:
                    raise _fail(where, "空欄です。入力してください", "empty; fill it in")
                continue
            try:
                parsed = col.codec.read(value)
            except _Bad as bad:
                raise _fail(where, bad.ja, bad.en) from None
            item.values.update(zip(paths, parsed) if col.fills else [(col.path, parsed)])
        out.append(item)
    return out


_PYDANTIC_JA: dict[str, tuple[str, str]] = {
    "missing": ("入力してください", "required; fill it in"),
    "greater_than_equal": ("{ge} 以上にしてください", "must be at least {ge}"),
    "greater_than": ("{gt} より大きくしてください", "must be greater than {gt}"),
    "less_than_equal": ("{le} 以下にしてください", "must be at most {le}"),
    "less_than": ("{lt} 未満にしてください", "must be less than {lt}"),
    "string_too_short": ("空欄にできません", "must not be empty"),
    "too_short": ("1件以上必要です", "at least one entry is needed"),
    "string_pattern_mismatch": ("英小文字で始まり、英小文字・数字・_ だけの名前にしてください（例 accompanied）",
                                "use lower-case letters, digits and _ starting with a letter (e.g. accompanied)"),
}


def _explain(err: Mapping[str, Any]) -> tuple[str, str]:
    if err["type"] == "value_error":
        text = str(err.get("ctx", {}).get("error", err["msg"]))
        ja, _, en = text.partition(" / ")
        return ja, en or ja
    ja, en = _PYDANTIC_JA.get(err["type"], ("値が正しくありません", str(err["msg"])))
    ctx = err.get("ctx", {})
    return ja.format(**ctx), en.format(**ctx)


def _build(model: type[BaseModel], data: Mapping[str, Any], cells: Mapping[str, str], fallback: str) -> Any:
    """Validate one model; an error names the cell of the field it is about (else ``fallback``)."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        where = cells.get(str(loc[0]), fallback) if loc else fallback
        ja, en = _explain(err)
        raise _fail(where, ja, en) from None


def _build_growing(model: type[BaseModel], data: Mapping[str, Any], key: str,
                   items: Sequence[Any], item_cells: Sequence[str], cells: Mapping[str, str], fallback: str) -> Any:
    """Validate ``model`` whose ``key`` holds ``items``; a rule between items names the item that breaks it.

    When the whole fails on a rule across items (overlapping dates, a repeated key), the items are added
    one at a time: the first whose addition fails is the one to fix (the first item: ``fallback``).
    """
    full = {**data, key: tuple(items)}
    try:
        return model.model_validate(full)
    except ValidationError as exc:
        err = exc.errors()[0]
    if err["loc"]:
        _build(model, full, cells, fallback)  # a field's own error: raises naming that field's cell
    for n in range(1, len(items) + 1):
        try:
            model.model_validate({**data, key: tuple(items[:n])})
        except ValidationError as exc:
            ja, en = _explain(exc.errors()[0])
            raise _fail(fallback if n == 1 else item_cells[n - 1], ja, en) from None
    ja, en = _explain(err)
    raise _fail(fallback, ja, en)


def _sections(sheet: str, rows: Sequence[Sequence[Any]]) -> dict[str, tuple[int | None, int]]:
    """Block title -> (its header row or None when the block is empty, the row where the block ends)."""
    titles = {_norm(t).lstrip("■□◆"): t
              for t in (SECTION_RULES, SECTION_SCHEDULES, SECTION_FEES, SECTION_HOLIDAYS, SECTION_PLAN)}
    starts: list[tuple[str, int]] = []
    for r, row in enumerate(rows):
        if not row or _blank(row[0]) or not isinstance(row[0], str):
            continue
        title = titles.get(_norm(row[0]).lstrip("■□◆"))
        if title is None:
            continue
        if any(t == title for t, _ in starts):
            raise _fail(_cell_ref(sheet, r, 0), f"「{title}」が2つあります。1つにまとめてください",
                        f"the block '{title}' appears twice")
        starts.append((title, r))
    out: dict[str, tuple[int | None, int]] = {}
    for i, (title, r) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(rows)
        header = next((h for h in range(r + 1, end) if not _row_blank(rows[h])), None)
        if header is None and title in (SECTION_SCHEDULES, SECTION_FEES):
            raise _fail(_cell_ref(sheet, r, 0), f"「{title}」の下に見出し行がありません",
                        f"the block '{title}' has no header row")
        out[title] = (header, end)
    for title in (SECTION_SCHEDULES, SECTION_FEES):
        if title not in out:
            raise UserError(f"{sheet}シートに「{title}」の表がありません（A列に「{title}」と書き、その下に表を置きます）",
                            f"the {sheet} sheet has no '{title}' block")
    return out


def _read_rules(sheet: str, rows: Sequence[Sequence[Any]], span: tuple[int | None, int] | None
                ) -> tuple[dict[str, Any], dict[str, str], str]:
    known = {_norm(label): (label, path, codec) for label, path, codec, _ in RULE_ROWS}
    known.update({_norm(alias): known[_norm(target)] for alias, target in RULE_ALIASES.items()})
    values: dict[str, Any] = {}
    cells: dict[str, str] = {}
    block = f"{sheet}!A1"
    if span is None or span[0] is None:
        return values, cells, block
    header, end = span
    block = _cell_ref(sheet, header, 1)
    seen: set[str] = set()
    for r in range(header + 1, end):
        if r >= len(rows) or _row_blank(rows[r]):
            continue
        label = _cell(rows, r, 0)
        if label is None:
            continue
        name = _norm(label)
        if name == _norm(TEMPLATE_VERSION_KEY):
            continue
        if name not in known:
            options = "、".join(x[0] for x in RULE_ROWS)
            raise _fail(_cell_ref(sheet, r, 0), f"項目「{_shown(label)}」はありません。次のどれかにしてください: {options}",
                        f"unknown setting '{_shown(label)}'; use one of: {options}")
        title, path, codec = known[name]
        where = f"{_cell_ref(sheet, r, 1)}（{title}）"
        if path in seen:
            raise _fail(_cell_ref(sheet, r, 0), f"項目「{title}」が2回あります。1つにしてください",
                        f"the setting '{title}' appears twice")
        seen.add(path)
        cells[path] = where
        value = _cell(rows, r, 1)
        if value is None:
            continue
        try:
            values[path] = codec.read(value)
        except _Bad as bad:
            raise _fail(where, bad.ja, bad.en) from None
    return values, cells, block


def _read_schedule(item: _Row, types: list[SupportType], type_cells: list[str]) -> FeeSchedule:
    parts: dict[str, Any] = {}
    for prefix, model, fallback_field in (
        ("member", MemberPricing, "discount_per_use"),
        ("cancellation", Cancellation, "tiers"),
        ("transport", Transport, "kind"),
        ("contract", ContractFees, "contract_fee"),
    ):
        values, cells = item.group(prefix)
        parts[prefix] = _build(model, values, cells, cells.get(fallback_field, item.first_cell))
    data = {k: v for k, v in item.values.items() if "." not in k}
    data.update(parts)
    fallback = item.cells.get("effective_to", item.cells.get("effective_from", item.first_cell))
    return _build_growing(FeeSchedule, data, "support_types", types, type_cells, item.cells, fallback)


def _read_support_type(item: _Row) -> SupportType:
    data = {k: v for k, v in item.values.items() if "." not in k and k != "schedule"}
    data.setdefault("label_en", data.get("key", ""))
    addon, addon_cells = item.group("child_addon")
    data["child_addon"] = _build(ChildAddon, addon, addon_cells, addon_cells.get("kind", item.first_cell))
    ext, ext_cells = item.group("extension")
    data["extension"] = _build(Extension, ext, ext_cells, ext_cells.get("max_minutes", item.first_cell)) if ext else None
    return _build(SupportType, data, item.cells, item.cells.get("base_bands", item.first_cell))


def read_settings_sheets(sheets: Mapping[str, Sequence[Sequence[Any]]]) -> Settings:
    """Settings from the ``設定`` and ``区域`` sheets, given as row lists (values only).

    Raises :class:`UserError` naming the cell (``設定!E14``) for anything an admin must fix.
    """
    rows = _sheet(sheets, SETTINGS_SHEET)
    area_rows = _sheet(sheets, AREAS_SHEET)
    sheet = SETTINGS_SHEET
    spans = _sections(sheet, rows)

    rule_values, rule_cells, rules_cell = _read_rules(sheet, rows, spans.get(SECTION_RULES))
    organisation = rule_values.pop("organisation", None)
    rules = _build(Rules, rule_values, rule_cells, rules_cell)

    schedule_rows = _read_table(sheet, rows, *spans[SECTION_SCHEDULES], SCHEDULE_COLUMNS)  # type: ignore[arg-type]
    fee_rows = _read_table(sheet, rows, *spans[SECTION_FEES], FEE_COLUMNS)  # type: ignore[arg-type]
    if not schedule_rows:
        header = spans[SECTION_SCHEDULES][0]
        raise _fail(f"{sheet}!{(header or 0) + 2}行目", "料金表が1つもありません。料金表の行を入力してください",
                    "there is no fee schedule; add a row")
    names: dict[str, _Row] = {}
    for item in schedule_rows:
        name = _norm(item.values["name"])
        if name in names:
            raise _fail(item.cells["name"], f"料金表名「{item.values['name']}」が2つあります。別の名前にしてください",
                        f"the schedule name '{item.values['name']}' is used twice")
        names[name] = item
    by_schedule: dict[str, list[_Row]] = {name: [] for name in names}
    for item in fee_rows:
        name = _norm(item.values["schedule"])
        if name not in by_schedule:
            raise _fail(item.cells["schedule"],
                        f"料金表「{item.values['schedule']}」が「{SECTION_SCHEDULES}」にありません。同じ名前にしてください",
                        f"the schedule '{item.values['schedule']}' is not in '{SECTION_SCHEDULES}'")
        by_schedule[name].append(item)
    schedules: list[FeeSchedule] = []
    schedule_cells: list[str] = []
    for name, item in names.items():
        fees = by_schedule[name]
        if not fees:
            raise _fail(item.cells["name"],
                        f"料金表「{item.values['name']}」の支援類型別料金がありません。「{SECTION_FEES}」に行を追加してください",
                        f"the schedule '{item.values['name']}' has no support type rows in '{SECTION_FEES}'")
        types = [_read_support_type(f) for f in fees]
        schedules.append(_read_schedule(item, types, [f.cells["key"] for f in fees]))
        schedule_cells.append(item.cells["effective_from"])

    holidays: list[date] = []
    header, end = spans.get(SECTION_HOLIDAYS, (None, 0))
    if header is not None:
        holidays = [h.values["date"] for h in _read_table(sheet, rows, header, end, HOLIDAY_COLUMNS)]

    areas, area_cells = _read_areas(area_rows)

    base = {"schedules": tuple(schedules), "rules": rules, "office_holidays": tuple(holidays)}
    if organisation is not None:
        base["organisation"] = organisation
    plan_profile = read_plan_block(sheet, rows, spans.get(SECTION_PLAN))
    if plan_profile is not None:
        base["plan"] = plan_profile
    top_cells = {"organisation": rule_cells.get("organisation", rules_cell)}
    # Rules across schedules (dates) first, then across areas (a municipality listed twice).
    _build_growing(Settings, {**base, "areas": ()}, "schedules", schedules, schedule_cells, top_cells,
                   schedule_cells[0])
    return _build_growing(Settings, base, "areas", areas, area_cells, top_cells, f"{AREAS_SHEET}!A1")


def _sheet(sheets: Mapping[str, Sequence[Sequence[Any]]], name: str) -> Sequence[Sequence[Any]]:
    for key, rows in sheets.items():
        if _norm(key) == _norm(name):
            return rows
    raise UserError(f"「{name}」シートがありません。テンプレートの「{name}」シートを台帳に戻してください",
                    f"the workbook has no '{name}' sheet; restore it from the template")


def _read_areas(rows: Sequence[Sequence[Any]]) -> tuple[list[Area], list[str]]:
    sheet = AREAS_SHEET
    target = _norm(AREA_COLUMNS[0].header)
    header = next((r for r, row in enumerate(rows[:10]) if any(not _blank(v) and _norm(v) == target for v in row)),
                  None)
    if header is None:
        raise UserError(f"{sheet}シートに見出し「{AREA_COLUMNS[0].header}」の行がありません",
                        f"the {sheet} sheet has no header row with '{AREA_COLUMNS[0].header}'")
    # Notes may sit to the right of the table, past a blank column: the table ends at that gap.
    row = rows[header]
    first = next(c for c, v in enumerate(row) if not _blank(v) and _norm(v) == target)
    last = first
    while last + 1 < len(row) and not _blank(row[last + 1]):
        last += 1
    items = _read_table(sheet, rows, header, len(rows), AREA_COLUMNS, range(first, last + 1))
    areas = [_build(Area, item.values, item.cells, item.cells["municipality"]) for item in items]
    return areas, [item.cells["municipality"] for item in items]


PLAN_ROWS: tuple[tuple[str, str, str], ...] = (
    ("様式名", "name", "計画書の様式の名前（国の様式以外は計画書の右上に出ます）"),
    ("子どもの行数", "min_child_rows", "子ども欄の最低行数（国の様式: 3）"),
    ("支援経過の行数", "min_progress_rows", "支援経過の最低行数（国の様式: 12）"),
    ("追加項目", "extra_items", "8. 支援員氏名の後に足す項目「見出し=出どころ」を / で区切る。出どころ: "
     + "、".join(PLAN_SOURCE_LABELS.values())),
)


def plan_block_rows(profile: PlanProfile) -> list[list[Any]]:
    """The ``■ 計画書の様式`` rows (項目 | 値 | 説明) for a plan-sheet profile."""
    items = " / ".join(f"{i.label}={PLAN_SOURCE_LABELS[i.source]}" for i in profile.extra_items) or "なし"
    values = {"name": profile.name, "min_child_rows": profile.min_child_rows,
              "min_progress_rows": profile.min_progress_rows, "extra_items": items}
    return [[label, values[path], help_text] for label, path, help_text in PLAN_ROWS]


def _read_plan_items(value: Any) -> list[dict[str, str]]:
    sources = {_norm(label): key for key, label in PLAN_SOURCE_LABELS.items()}
    sources.update({_norm(key): key for key in PLAN_SOURCE_LABELS})
    text = str(value).strip()
    if _norm(text) in ("なし", "無し", "-", "ー"):
        return []
    items = []
    for part in (p.strip() for p in text.replace("／", "/").split("/") if p.strip()):
        label, sep, source = part.replace("＝", "=").partition("=")
        key = sources.get(_norm(source))
        if not sep or not label.strip() or key is None:
            known = "、".join(PLAN_SOURCE_LABELS.values())
            raise _Bad(f"追加項目「{_shown(part)}」を読めません。「見直し予定日=見直し予定日」のように 見出し=出どころ と書き、"
                       f"出どころは次のどれかにしてください: {known}",
                       f"cannot read the plan item '{_shown(part)}'; write label=source, the source one of: {known}")
        items.append({"label": label.strip(), "source": key})
    return items


def read_plan_block(sheet: str, rows: Sequence[Sequence[Any]], span: tuple[int | None, int] | None
                    ) -> PlanProfile | None:
    """The plan-sheet profile of the ``■ 計画書の様式`` block, or None when the sheet has none."""
    if span is None or span[0] is None:
        return None
    header, end = span
    known = {_norm(label): (label, path) for label, path, _ in PLAN_ROWS}
    codecs = {"name": TEXT, "min_child_rows": INT, "min_progress_rows": INT,
              "extra_items": _Codec(_read_plan_items)}
    values: dict[str, Any] = {}
    cells: dict[str, str] = {}
    for r in range(header + 1, end):
        if r >= len(rows) or _row_blank(rows[r]):
            continue
        label = _cell(rows, r, 0)
        if label is None:
            continue
        if _norm(label) not in known:
            options = "、".join(x[0] for x in PLAN_ROWS)
            raise _fail(_cell_ref(sheet, r, 0), f"項目「{_shown(label)}」はありません。次のどれかにしてください: {options}",
                        f"unknown plan setting '{_shown(label)}'; use one of: {options}")
        title, path = known[_norm(label)]
        where = f"{_cell_ref(sheet, r, 1)}（{title}）"
        cells[path] = where
        value = _cell(rows, r, 1)
        if value is None:
            continue
        try:
            values[path] = codecs[path].read(value)
        except _Bad as bad:
            raise _fail(where, bad.ja, bad.en) from None
    return _build(PlanProfile, values, cells, _cell_ref(sheet, header, 0))


def read_template_version(sheets: Mapping[str, Sequence[Sequence[Any]]]) -> str | None:
    """The template version recorded in the 設定 sheet's 基本設定 block, if any."""
    try:
        rows = _sheet(sheets, SETTINGS_SHEET)
    except UserError:
        return None
    for row in rows:
        if row and not _blank(row[0]) and _norm(row[0]) == _norm(TEMPLATE_VERSION_KEY):
            value = row[1] if len(row) > 1 else None
            return None if _blank(value) else _text(value)
    return None


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------


@dataclass
class SheetPlan:
    """What the settings sheets contain, before styling: rows of cell values plus where things are."""

    settings_rows: list[list[Any]]
    area_rows: list[list[Any]]
    titles: list[int] = field(default_factory=list)  # 0-based rows holding a block title
    headers: dict[str, int] = field(default_factory=dict)  # block title -> its header row
    data: dict[str, tuple[int, int]] = field(default_factory=dict)  # block title -> data rows [start, end)


def settings_sheet_rows(settings: Settings, template_version: str | None = None) -> SheetPlan:
    """The cell values of the ``設定`` and ``区域`` sheets for ``settings`` (no styling)."""
    rows: list[list[Any]] = [[TITLE], [NOTE], []]
    plan = SheetPlan(rows, [])

    def block(title: str, header: list[str], body: list[list[Any]]) -> None:
        plan.titles.append(len(rows))
        rows.append([title])
        plan.headers[title] = len(rows)
        rows.append(header)
        plan.data[title] = (len(rows), len(rows) + len(body))
        rows.extend(body)
        rows.append([])

    rules = settings.rules
    body = []
    if template_version is not None:
        body.append([TEMPLATE_VERSION_KEY, template_version, "このブックのテンプレートの版（変更しないでください）"])
    for label, path, codec, help_text in RULE_ROWS:
        value = settings.organisation if path == "organisation" else getattr(rules, path)
        body.append([label, codec.write(value), help_text])
    block(SECTION_RULES, ["項目", "値", "説明"], body)
    block(SECTION_SCHEDULES, [c.header for c in SCHEDULE_COLUMNS],
          [_row_values(SCHEDULE_COLUMNS, s) for s in settings.schedules])
    block(SECTION_FEES, [c.header for c in FEE_COLUMNS],
          [_row_values(FEE_COLUMNS, (s, st)) for s in settings.schedules for st in s.support_types])
    block(SECTION_HOLIDAYS, [c.header for c in HOLIDAY_COLUMNS], [[d] for d in settings.office_holidays])
    if settings.plan != PlanProfile():
        block(SECTION_PLAN, ["項目", "値", "説明"], plan_block_rows(settings.plan))
    rows.pop()  # no blank row after the last block
    plan.area_rows = [[c.header for c in AREA_COLUMNS]] + [_row_values(AREA_COLUMNS, a) for a in settings.areas]
    return plan


def _row_values(columns: Sequence[_Col], obj: Any) -> list[Any]:
    out = []
    for col in columns:
        value = col.get(obj)
        out.append(None if value is None else col.codec.write(value))
    return out


def write_settings_sheets(wb: Workbook, settings: Settings, *, template_version: str | None = None) -> None:
    """Add (or replace) the ``設定`` and ``区域`` sheets of ``wb`` with ``settings``, styled for admins."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.table import Table, TableStyleInfo

    from .cells import set_value

    plan = settings_sheet_rows(settings, template_version)
    title_font = Font(bold=True, size=14)
    block_font = Font(bold=True, size=12, color="1F4E78")
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E78")
    note_font = Font(italic=True, color="595959")
    wrap = Alignment(wrap_text=True, vertical="top")

    ws = _replace_sheet(wb, SETTINGS_SHEET)
    ws.sheet_properties.tabColor = "1F4E78"
    for r, values in enumerate(plan.settings_rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                set_value(ws.cell(r, c), value)
    ws["A1"].font = title_font
    ws["A2"].font = note_font
    for r in plan.titles:
        ws.cell(r + 1, 1).font = block_font
    tables = {SECTION_RULES: None, SECTION_SCHEDULES: SCHEDULE_COLUMNS, SECTION_FEES: FEE_COLUMNS,
              SECTION_HOLIDAYS: HOLIDAY_COLUMNS}
    if SECTION_PLAN in plan.headers:
        tables[SECTION_PLAN] = None  # 項目 | 値 | 説明, styled like 基本設定
    for title, columns in tables.items():
        header = plan.headers[title] + 1
        width = len(plan.settings_rows[header - 1])
        for c in range(1, width + 1):
            cell = ws.cell(header, c)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            if columns is not None and columns[c - 1].help:
                cell.comment = Comment(columns[c - 1].help, "xlsbridge", width=260, height=90)
        ws.row_dimensions[header].height = 30
        start, end = plan.data[title]
        if columns is None:
            for r in range(start + 1, end + 1):
                ws.cell(r, 1).font = Font(bold=True)
                ws.cell(r, 2).alignment = Alignment(horizontal="left")
                ws.cell(r, 3).font = note_font
            continue
        for c, col in enumerate(columns, start=1):
            for r in range(start + 1, max(end, start + 1) + 1):
                cell = ws.cell(r, c)
                if col.codec.number_format:
                    cell.number_format = col.codec.number_format
                if col.codec is TIERS or col.codec is BANDS:
                    cell.alignment = wrap
    # Drop-downs for every choice, on the rows written.
    validations: dict[tuple[str, ...], list[str]] = {}
    for title in (SECTION_SCHEDULES, SECTION_FEES):
        start, end = plan.data[title]
        for c, col in enumerate(tables[title] or ()):
            if col.codec.choices:
                letter = _col_letter(c)
                validations.setdefault(col.codec.choices, []).append(f"{letter}{start + 1}:{letter}{max(end, start + 1)}")
    start, end = plan.data[SECTION_RULES]
    codecs = {label: codec for label, _, codec, _ in RULE_ROWS}
    for r in range(start, end):
        codec = codecs.get(plan.settings_rows[r][0])
        if codec is not None and codec.choices:
            validations.setdefault(codec.choices, []).append(f"B{r + 1}")
    for choices, ranges in validations.items():
        dv = _list_validation(choices)
        for ref in ranges:
            dv.add(ref)
        ws.add_data_validation(dv)
    for c, pair in enumerate(zip_longest(SCHEDULE_COLUMNS, FEE_COLUMNS)):
        width = max(col.width for col in pair if col is not None)
        ws.column_dimensions[_col_letter(c)].width = max(width, 26) if c == 1 else width  # B: the rule values
    ws.freeze_panes = "A3"
    _print_setup(ws)

    areas = _replace_sheet(wb, AREAS_SHEET)
    areas.sheet_properties.tabColor = "1F4E78"
    for r, values in enumerate(plan.area_rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                set_value(areas.cell(r, c), value)
    for c, col in enumerate(AREA_COLUMNS, start=1):
        cell = areas.cell(1, c)
        cell.font, cell.fill = header_font, header_fill
        areas.column_dimensions[_col_letter(c - 1)].width = col.width
    for r in range(2, len(plan.area_rows) + 1):
        areas.cell(r, 3).number_format = "#,##0"
    last = max(len(plan.area_rows), 2)
    table = Table(displayName="区域表", ref=f"A1:{_col_letter(len(AREA_COLUMNS) - 1)}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    areas.add_table(table)
    for c, col in enumerate(AREA_COLUMNS):
        if col.codec.choices:
            dv = _list_validation(col.codec.choices)
            dv.add(f"{_col_letter(c)}2:{_col_letter(c)}1048576")
            areas.add_data_validation(dv)
    note = len(AREA_COLUMNS) + 2
    areas.cell(1, note, AREA_NOTE).font = note_font
    areas.cell(1, note).alignment = wrap
    areas.column_dimensions[_col_letter(note - 1)].width = 60
    areas.freeze_panes = "A2"
    _print_setup(areas)


def _print_setup(ws) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _list_validation(choices: Sequence[str]):
    """A drop-down that warns (but lets staff keep) a value outside the list: the reader accepts variants."""
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                          showErrorMessage=True, errorStyle="warning", errorTitle="選択肢にない値",
                          error="一覧から選んでください: " + " / ".join(choices))


def _replace_sheet(wb: Workbook, name: str):
    if name in wb.sheetnames:
        index = wb.sheetnames.index(name)
        del wb[name]
        return wb.create_sheet(name, index)
    return wb.create_sheet(name)
