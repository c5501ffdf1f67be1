"""The settings sheets' layout as data: block titles, the rows of 基本設定, the columns of each table.

Split out of :mod:`xlsbridge.io.settings_sheet`; reading (:mod:`.settings_sheet_read`) and writing
(:mod:`.settings_sheet`) both work from these tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..domain.settings import PLAN_SOURCE_LABELS, ChildAddon, Transport
from .settings_sheet_cells import (
    ADDON,
    AGE_RULE,
    AGREEMENT,
    BANDS,
    COSTS_SPLIT,
    BOOL,
    DATE,
    DECIMAL,
    EXCLUSION,
    FRACTION,
    INT,
    KEY,
    LANGUAGE,
    PARENT,
    PARTIAL,
    PAYER,
    SCOPE,
    SURCHARGE_BASE,
    TEXT,
    TIERS,
    TRANSPORT,
    _Codec,
)

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
    ("台帳の言語", "language", LANGUAGE, "xlsbridge が台帳に書く見出し・注記の言語: 日本語 / 英語（コマンドの --lang によらない）"),
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
    _Col("非会員料金の対象", "member.non_member_applies_to", SURCHARGE_BASE, lambda s: s.member.non_member_applies_to,
         width=11, help="非会員料金(%)を掛ける額: 全額 / 交通費を除く"),
    _Col("交通費の負担", "transport.paid_by", PAYER, lambda s: s.transport.paid_by, width=10,
         help="負担割合: 料金と同じ割合で分ける / 別居親: 同居親でない親が全額"),
    _Col("事前面談料", "contract.pre_consultation_fee", INT, lambda s: s.contract.pre_consultation_fee, width=8,
         help="親1人あたり、事前面談1回ごと"),
    _Col("ケース預り金", "contract.case_deposit", INT, lambda s: s.contract.case_deposit, width=9,
         help="1ケースに1つ、負担割合で預かり、面会ごとの料金・保険料・実費を差し引き、残りを終了時に返金（0: なし）"),
    _Col("預り金の警告(円)", "contract.deposit_warn_below", INT, lambda s: s.contract.deposit_warn_below, width=9,
         help="親ごとの預り金の残りがこの額を下回ったら知らせる"),
    _Col("保険料(1回)", "insurance_per_visit", INT, lambda s: s.insurance_per_visit, width=8,
         help="面会1回ごと（中止した回を除く）、負担割合で分ける"),
    _Col("実費の負担", "costs_split", COSTS_SPLIT, lambda s: s.costs_split, width=9,
         help="面会記録の実費(円)の分け方: 負担割合 / 折半 / 別居親"),
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
         help="延長の上限（単位の倍数）。空欄なら上限なし"),
    _Col("単位未満の延長", "extension.partial_unit", PARTIAL, lambda p: _ext("partial_unit")(p[1]), width=10,
         help="不可: 単位ちょうどのみ / 切上げ: 始まった単位を1単位として数える"),
    _Col("延長の事前相談", "extension.requires_agreement", AGREEMENT, lambda p: _ext("requires_agreement")(p[1]),
         width=10, help="必要 / 不要"),
    _Col("交通費", "transport_applies", BOOL, lambda p: p[1].transport_applies, width=7,
         help="区域外の交通費を加算するか"),
    _Col("会員割引", "member_discount_applies", BOOL, lambda p: p[1].member_discount_applies, width=8,
         help="賛助会員の割引をするか"),
    _Col("交通費の支援員数", "transport_staff_count", INT, lambda p: p[1].transport_staff_count, width=9,
         help="距離制の交通費を数える支援員の人数。空欄なら料金表の支援員数"),
    _Col("大人追加(円)", "extra_adult_fee", INT, lambda p: p[1].extra_adult_fee or None, aliases=("大人追加",), width=9,
         help="付き添う大人が1人増えるごとの料金（面会記録の大人追加(人)）"),
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


# Rows of ■ 計画書の様式: (項目, PlanProfile field, 説明)
PLAN_ROWS: tuple[tuple[str, str, str], ...] = (
    ("様式名", "name", "計画書の様式の名前（国の様式以外は計画書の右上に出ます）"),
    ("子どもの行数", "min_child_rows", "子ども欄の最低行数（国の様式: 3）"),
    ("支援経過の行数", "min_progress_rows", "支援経過の最低行数（国の様式: 12）"),
    ("追加項目", "extra_items", "8. 支援員氏名の後に足す項目「見出し=出どころ」を / で区切る。出どころ: "
     + "、".join(PLAN_SOURCE_LABELS.values())),
)
