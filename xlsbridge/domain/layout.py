"""The ledger workbook's layout, as data: sheets, headers, what each column holds.

The reader matches columns by header text (staff may reorder columns or add their own), so this table
is the single place that says which header feeds which model field.  The template writer draws the
same table: headers, drop-downs, date formats, widths, and which columns are computed.
``aliases`` lists older or common spellings of a header (the template upgrade uses them too).

``kind`` tells the reader how to read a cell:
text, date, time, datetime, int, yen, bool (○/×/はい/いいえ/TRUE…), ratio, choice (one of ``choices``,
mapped to the model's value).
"""

from __future__ import annotations

from dataclasses import dataclass, field

TEMPLATE_VERSION = "1.1"


@dataclass(frozen=True)
class Column:
    key: str  # model field, or a computed column's key
    header: str  # what staff see
    kind: str = "text"
    required: bool = False
    choices: dict[str, str] = field(default_factory=dict)  # cell text -> model value
    aliases: tuple[str, ...] = ()
    computed: bool = False
    width: float = 12
    help_ja: str = ""


@dataclass(frozen=True)
class SheetLayout:
    name: str
    table: str  # the Excel table (ListObject) name
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.computed)

    @property
    def computed_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.computed)


PARENT = {"父": "father", "母": "mother"}
CANCELLER = {"父": "father", "母": "mother", "団体": "organisation"}
CASE_STATUS = {"相談中": "consulting", "契約中": "active", "終了": "closed", "中止": "terminated"}
VISIT_STATUS = {"予定": "planned", "実施": "held", "中止": "cancelled"}
CONDITION = {"短期型": "short", "継続型": "continuing"}
SEX = {"男": "male", "女": "female"}
PLACE_KIND = {
    "児童館": "children_centre",
    "こども広場": "kids_plaza",
    "事務所": "office",
    "公共施設": "public_facility",
    "親の自宅": "parent_home",
    "その他": "other",
}
# Support types are data (settings); these are the labels of the shipped ones, used for drop-downs.
SUPPORT_TYPE = {"連絡調整型": "coordination", "受け渡し型": "handover", "付き添い型": "accompanied"}

CASES = SheetLayout(
    name="ケース",
    table="ケース表",
    aliases=("案件一覧",),  # the sheet's name in template 0.8
    columns=(
        Column("case_id", "ケースID", required=True, width=10),
        Column("application_date", "申込日", "date", required=True),
        Column("status", "状態", "choice", required=True, choices=CASE_STATUS, width=9),
        Column("applicant", "申請者", "choice", required=True, choices=PARENT, width=8),
        Column("custodial", "同居親", "choice", required=True, choices=PARENT, width=8),
        Column("father.name", "父氏名", required=True, width=14),
        Column("mother.name", "母氏名", required=True, width=14),
        Column("father.pre_consultation", "父事前面談日", "date"),
        Column("mother.pre_consultation", "母事前面談日", "date"),
        Column("agreement_confirmed", "合意書確認日", "date"),
        Column("father.contract_date", "父契約日", "date"),
        Column("mother.contract_date", "母契約日", "date"),
        Column("renewals", "更新回数", "int", width=8),
        Column("father.member", "父賛助会員", "bool", width=9),
        Column("mother.member", "母賛助会員", "bool", width=9),
        Column("ratio", "負担割合", "ratio", aliases=("負担割合(父:母)", "負担割合（父:母）"), width=10),
        Column("support_type", "援助内容", "choice", required=True, choices=SUPPORT_TYPE, width=11),
        Column("condition", "援助条件", "choice", choices=CONDITION, width=9),
        Column("frequency", "頻度", width=10),
        Column("national_program", "国の事業", "bool", width=8),
        Column("child_support_allowance", "児童扶養手当", "bool", width=9),
        Column("reduction", "減額", "yen", aliases=("減額(円)", "減額（円）"), width=9),
        Column("reduction_reason", "減額理由", width=14),
        Column("staff", "担当支援員", aliases=("担当者",), width=12),  # 担当者: template 0.8/0.9
        Column("terminated_on", "中止日", "date"),
        Column("termination_reason", "中止理由", width=14),
        Column("review_date", "見直し予定日", "date"),
        Column("notes", "備考", width=20),
    ),
)

CONTACTS = SheetLayout(
    name="連絡先",
    table="連絡先表",
    columns=(
        Column("case_id", "ケースID", required=True, width=10),
        Column("relation", "続柄", "choice", required=True, choices=PARENT, width=8),
        Column("address", "住所", width=30),
        Column("phone", "電話", width=14),
        Column("email", "メール", width=24),
    ),
)

CHILDREN = SheetLayout(
    name="子ども",
    table="子ども表",
    columns=(
        Column("case_id", "ケースID", required=True, width=10),
        Column("name", "氏名", required=True, width=14),
        Column("birth_date", "生年月日", "date", required=True),
        Column("sex", "性別", "choice", choices=SEX, width=6),
        Column("prefecture", "居住都道府県", width=12),
    ),
)

# Computed columns of 面会記録: filled by `xlsbridge fees`, never typed by staff.
FEE_COLUMNS = (
    Column("fee.base", "基本料金", "yen", computed=True, width=10),
    Column("fee.child_addon", "子ども加算", "yen", computed=True, width=10),
    Column("fee.extension", "延長料金", "yen", computed=True, width=10),
    Column("fee.transport", "交通費", "yen", computed=True, width=9),
    Column("fee.member_discount", "会員割引", "yen", computed=True, width=9),
    Column("fee.reduction", "減額", "yen", computed=True, width=9, aliases=("減額(計算)",)),
    Column("fee.total", "合計", "yen", computed=True, width=10),
    Column("fee.father_share", "父負担", "yen", computed=True, width=10),
    Column("fee.mother_share", "母負担", "yen", computed=True, width=10),
    Column("fee.due_date", "支払期限", "date", computed=True),
    Column("fee.refund", "返金額", "yen", computed=True, width=10),
    Column("fee.breakdown", "内訳", computed=True, width=40),
)

VISITS = SheetLayout(
    name="面会記録",
    table="面会記録表",
    aliases=("面会",),  # the sheet's name in template 0.8
    columns=(
        Column("visit_id", "記録ID", required=True, width=10),
        Column("case_id", "ケースID", required=True, width=10),
        Column("visit_date", "実施日", "date", required=True),
        Column("start", "開始時刻", "time", width=9),
        Column("end", "終了時刻", "time", width=9),
        Column("support_type", "支援類型", "choice", required=True, choices=SUPPORT_TYPE, width=11),
        Column("children", "子ども人数", "int", required=True, width=9),
        Column("extension_minutes", "延長(分)", "int", aliases=("延長（分）", "延長"), width=8),
        Column("extension_agreed", "延長事前相談", "bool", width=10),
        Column("place", "場所", width=16),
        Column("place_kind", "場所区分", "choice", required=True, choices=PLACE_KIND, width=11),
        Column("municipality", "市町村", required=True, width=10),
        Column("status", "状態", "choice", required=True, choices=VISIT_STATUS, width=7),
        Column("cancelled_at", "中止連絡日時", "datetime", aliases=("キャンセル連絡日時",), width=16),  # 0.8/0.9
        Column("cancelled_by", "中止者", "choice", choices=CANCELLER, aliases=("キャンセル者",), width=7),  # 0.8/0.9
        Column("staff", "担当支援員", width=12),
        Column("content", "内容", width=24),
        Column("father_paid", "父入金日", "date"),
        Column("mother_paid", "母入金日", "date"),
    )
    + FEE_COLUMNS
    + (
        # Template 1.1, after the computed columns so every earlier column keeps its letter; a ledger
        # without them reads them as none (io/reader.py _MAY_BE_ABSENT).
        Column("extra_adults", "大人追加(人)", "int", aliases=("大人追加", "大人追加（人）"), width=9,
               help_ja="付き添う大人が基本料金に含む1人より多いとき、その人数（料金表の大人追加(円)×人数）"),
        Column("costs", "実費(円)", "yen", aliases=("実費", "実費（円）"), width=9,
               help_ja="入場料・ガソリン代・部屋代など、この面会で実際にかかった費用（料金表の実費の負担で分けます）"),
    ),
)

STAFF = SheetLayout(
    name="支援員",
    table="支援員表",
    columns=(
        Column("name", "氏名", required=True, width=14),
        Column("active", "在籍", "bool", width=8),
    ),
)

# Sheets staff type into, in workbook order.  Settings sheets (設定, 区域) have their own layout
# in io/settings_sheet.py because they hold the fee rules, not records.
RECORD_SHEETS = (CASES, CONTACTS, CHILDREN, VISITS, STAFF)
SETTINGS_SHEET = "設定"
AREAS_SHEET = "区域"
FINDINGS_SHEET = "チェック結果"
FEE_SUMMARY_SHEET = "料金集計"
FLAGS_SHEET = "期限・年齢"
# Where the template version and organisation are recorded (a defined name and the settings sheet).
TEMPLATE_VERSION_NAME = "xlsbridge_template_version"
