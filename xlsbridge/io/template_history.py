"""Past template versions, as data (frozen: never derived from today's layout), and how a ledger's
version is recognised from its sheets and headers when it records none (io/upgrade.py carries it over)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..domain.rules import fold
from ..i18n import t
from ..domain.layout import (
    CASES,
    CHILDREN,
    CONTACTS,
    RECORD_SHEETS,
    STAFF,
    TEMPLATE_VERSION,
    VISITS,
    SheetLayout,
)


# --------------------------------------------------------------------------------------------------
# Past template versions, as data (frozen: never derived from today's layout)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PastSheet:
    title: str  # the sheet's name in that version
    layout: str  # the current layout sheet it became
    columns: tuple[tuple[str, str], ...]  # (current layout key, header in that version), in order


@dataclass(frozen=True)
class PastVersion:
    version: str
    released: str
    sheets: tuple[PastSheet, ...]
    settings_sheets: bool  # 設定 / 区域 present (the version recorded on 設定)
    tables: bool  # record sheets were Excel tables
    instructions: bool  # a 使い方 sheet
    summary_ja: str
    summary_en: str


_CASES_09 = (
    ("case_id", "ケースID"), ("application_date", "申込日"), ("status", "状態"), ("applicant", "申請者"),
    ("custodial", "同居親"), ("father.name", "父氏名"), ("mother.name", "母氏名"),
    ("father.pre_consultation", "父事前面談日"), ("mother.pre_consultation", "母事前面談日"),
    ("agreement_confirmed", "合意書確認日"), ("father.contract_date", "父契約日"),
    ("mother.contract_date", "母契約日"), ("renewals", "更新回数"), ("father.member", "父賛助会員"),
    ("mother.member", "母賛助会員"), ("ratio", "負担割合（父:母）"), ("support_type", "援助内容"),
    ("condition", "援助条件"), ("frequency", "頻度"), ("national_program", "国の事業"),
    ("child_support_allowance", "児童扶養手当"), ("reduction", "減額"), ("reduction_reason", "減額理由"),
    ("staff", "担当者"), ("terminated_on", "中止日"), ("termination_reason", "中止理由"), ("notes", "備考"),
)
_CONTACTS_09 = (("case_id", "ケースID"), ("relation", "続柄"), ("address", "住所"), ("phone", "電話"),
                ("email", "メール"))
_CHILDREN_09 = (("case_id", "ケースID"), ("name", "氏名"), ("birth_date", "生年月日"), ("sex", "性別"),
                ("prefecture", "居住都道府県"))
_VISITS_INPUT_09 = (
    ("visit_id", "記録ID"), ("case_id", "ケースID"), ("visit_date", "実施日"), ("start", "開始時刻"),
    ("end", "終了時刻"), ("support_type", "支援類型"), ("children", "子ども人数"), ("extension_minutes", "延長"),
    ("extension_agreed", "延長事前相談"), ("place", "場所"), ("place_kind", "場所区分"), ("municipality", "市町村"),
    ("status", "状態"), ("cancelled_at", "キャンセル連絡日時"), ("cancelled_by", "キャンセル者"),
    ("staff", "担当支援員"), ("content", "内容"),
)
_VISITS_FEES_09 = (
    ("fee.base", "基本料金"), ("fee.child_addon", "子ども加算"), ("fee.extension", "延長料金"),
    ("fee.transport", "交通費"), ("fee.member_discount", "会員割引"), ("fee.reduction", "減額(計算)"),
    ("fee.total", "合計"), ("fee.father_share", "父負担"), ("fee.mother_share", "母負担"), ("fee.breakdown", "内訳"),
)

_CASES_10 = (
    ("case_id", "ケースID"), ("application_date", "申込日"), ("status", "状態"), ("applicant", "申請者"),
    ("custodial", "同居親"), ("father.name", "父氏名"), ("mother.name", "母氏名"),
    ("father.pre_consultation", "父事前面談日"), ("mother.pre_consultation", "母事前面談日"),
    ("agreement_confirmed", "合意書確認日"), ("father.contract_date", "父契約日"),
    ("mother.contract_date", "母契約日"), ("renewals", "更新回数"), ("father.member", "父賛助会員"),
    ("mother.member", "母賛助会員"), ("ratio", "負担割合"), ("support_type", "援助内容"),
    ("condition", "援助条件"), ("frequency", "頻度"), ("national_program", "国の事業"),
    ("child_support_allowance", "児童扶養手当"), ("reduction", "減額"), ("reduction_reason", "減額理由"),
    ("staff", "担当支援員"), ("terminated_on", "中止日"), ("termination_reason", "中止理由"),
    ("review_date", "見直し予定日"), ("notes", "備考"),
)
_VISITS_INPUT_10 = (
    ("visit_id", "記録ID"), ("case_id", "ケースID"), ("visit_date", "実施日"), ("start", "開始時刻"),
    ("end", "終了時刻"), ("support_type", "支援類型"), ("children", "子ども人数"), ("extension_minutes", "延長(分)"),
    ("extension_agreed", "延長事前相談"), ("place", "場所"), ("place_kind", "場所区分"), ("municipality", "市町村"),
    ("status", "状態"), ("cancelled_at", "中止連絡日時"), ("cancelled_by", "中止者"),
    ("staff", "担当支援員"), ("content", "内容"), ("father_paid", "父入金日"), ("mother_paid", "母入金日"),
)
_VISITS_FEES_10 = (
    ("fee.base", "基本料金"), ("fee.child_addon", "子ども加算"), ("fee.extension", "延長料金"),
    ("fee.transport", "交通費"), ("fee.member_discount", "会員割引"), ("fee.reduction", "減額"),
    ("fee.total", "合計"), ("fee.father_share", "父負担"), ("fee.mother_share", "母負担"), ("fee.due_date", "支払期限"),
    ("fee.refund", "返金額"), ("fee.breakdown", "内訳"),
)
_STAFF_10 = (("name", "氏名"), ("active", "在籍"))
_VISITS_ADDED_11 = (("extra_adults", "大人追加(人)"), ("costs", "実費(円)"))

# Every template version xlsbridge has shipped, oldest first.  A version's entry is written when it
# ships and never changed afterwards: the upgrade recognises old ledgers by it.
KNOWN_VERSIONS: tuple[PastVersion, ...] = (
    PastVersion(
        version="0.8",
        released="2023-04",
        sheets=(
            PastSheet("案件一覧", CASES.name, _CASES_09),
            PastSheet("連絡先", CONTACTS.name, _CONTACTS_09),
            PastSheet("子ども", CHILDREN.name, _CHILDREN_09),
            PastSheet("面会", VISITS.name, _VISITS_INPUT_09),
        ),
        settings_sheets=False,
        tables=False,
        instructions=False,
        summary_ja="シート名 案件一覧・面会、料金は手計算（料金の列・設定シートなし）、支援員シートなし",
        summary_en="sheets 案件一覧 and 面会, fees by hand (no fee columns, no settings sheets), no staff sheet",
    ),
    PastVersion(
        version="0.9",
        released="2024-04",
        sheets=(
            PastSheet("ケース", CASES.name, _CASES_09),
            PastSheet("連絡先", CONTACTS.name, _CONTACTS_09),
            PastSheet("子ども", CHILDREN.name, _CHILDREN_09),
            PastSheet("面会記録", VISITS.name, _VISITS_INPUT_09 + _VISITS_FEES_09),
        ),
        settings_sheets=True,
        tables=False,
        instructions=False,
        summary_ja="見直し予定日・父入金日・母入金日・支払期限・返金額の列なし、見出し 負担割合（父:母）・延長・担当者・"
                   "キャンセル連絡日時、支援員シートなし、表（テーブル）なし",
        summary_en="no 見直し予定日 / 父入金日 / 母入金日 / 支払期限 / 返金額 columns, older headers, no staff sheet, "
                   "no Excel tables",
    ),
    PastVersion(
        version="1.0",
        released="2026-03",
        sheets=(
            PastSheet("ケース", CASES.name, _CASES_10),
            PastSheet("連絡先", CONTACTS.name, _CONTACTS_09),
            PastSheet("子ども", CHILDREN.name, _CHILDREN_09),
            PastSheet("面会記録", VISITS.name, _VISITS_INPUT_10 + _VISITS_FEES_10),
            PastSheet("支援員", STAFF.name, _STAFF_10),
        ),
        settings_sheets=True,
        tables=True,
        instructions=True,
        summary_ja="Excel の表（テーブル）、支援員シート、見直し予定日・入金日・支払期限・返金額の列",
        summary_en="Excel tables, the staff sheet, review date, payment dates, due date and refund columns",
    ),
    PastVersion(
        version="1.1",
        released="2026-12",
        sheets=(
            PastSheet("ケース", CASES.name, _CASES_10),
            PastSheet("連絡先", CONTACTS.name, _CONTACTS_09),
            PastSheet("子ども", CHILDREN.name, _CHILDREN_09),
            PastSheet("面会記録", VISITS.name, _VISITS_INPUT_10 + _VISITS_FEES_10 + _VISITS_ADDED_11),
            PastSheet("支援員", STAFF.name, _STAFF_10),
        ),
        settings_sheets=True,
        tables=True,
        instructions=True,
        summary_ja="面会記録に大人追加(人)・実費(円)の列（料金表の大人追加・実費の負担で計算）",
        summary_en="面会記録 gains 大人追加(人) and 実費(円) (priced by the schedule's extra-adult fee and costs rule)",
    ),
)


def version_key(version: str | None) -> tuple[int, ...] | None:
    """"1.10" -> (1, 10): versions compare as numbers; None when not a dotted number."""
    if not version or not re.fullmatch(r"\d+(\.\d+)*", version.strip()):
        return None
    return tuple(int(p) for p in version.strip().split("."))


# The versions before the current one (layout.TEMPLATE_VERSION): what `template upgrade` moves from.
PAST_VERSIONS: tuple[PastVersion, ...] = tuple(
    v for v in KNOWN_VERSIONS if (version_key(v.version) or ()) < (version_key(TEMPLATE_VERSION) or ()))


def computed_columns(version: str | None, layout: SheetLayout) -> frozenset[str]:
    """The computed columns of ``layout`` that ledgers of ``version`` have (so their values are ours).

    The current version: all of them.  A known past version: those it had.  An unknown version:
    none — a header that looks like a computed column holds what staff typed and is kept.
    """
    if version == TEMPLATE_VERSION:
        return frozenset(c.key for c in layout.computed_columns)
    past = next((v for v in KNOWN_VERSIONS if v.version == version), None)
    if past is None:
        return frozenset()
    computed = {c.key for c in layout.computed_columns}
    return frozenset(k for s in past.sheets if s.layout == layout.name for k, _ in s.columns if k in computed)


def past_version(version: str) -> PastVersion | None:
    return next((v for v in KNOWN_VERSIONS if v.version == version), None)


# --------------------------------------------------------------------------------------------------
# Which version a ledger is
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionInfo:
    version: str | None  # None: neither recorded nor recognised
    recorded: bool  # True: written in the workbook; False: recognised from its sheets and headers

    @property
    def current(self) -> bool:
        return self.version == TEMPLATE_VERSION

    @property
    def newer(self) -> bool:
        mine, current = version_key(self.version), version_key(TEMPLATE_VERSION)
        return mine is not None and current is not None and mine > current

    def label(self) -> str:
        if self.version is None:
            return t("不明（記録なし）", "unknown (not recorded)")
        return self.version if self.recorded else t(f"{self.version}（シートと見出しから判定）",
                                                     f"{self.version} (recognised from sheets and headers)")


def detect_version(sheets: dict[str, list[str]], recorded: str | None) -> VersionInfo:
    """The ledger's template version: the recorded one, else the version whose sheets and headers it has.

    ``sheets``: sheet title -> its row-1 headers.  Of the versions whose every sheet and header is
    present (staff may have added their own), the one with the most headers wins.
    """
    if recorded:
        return VersionInfo(recorded.strip(), True)
    by_title = {fold(title): {fold(h) for h in headers if h} for title, headers in sheets.items()}
    candidates: list[tuple[int, str]] = []
    current = [(layout.name, tuple((c.key, c.header) for c in layout.columns)) for layout in RECORD_SHEETS]
    for version, spec in [(TEMPLATE_VERSION, current)] + [
            (v.version, [(s.title, s.columns) for s in v.sheets]) for v in KNOWN_VERSIONS]:
        needed = 0
        for title, columns in spec:
            found = by_title.get(fold(title))
            if found is None or not {fold(h) for _, h in columns} <= found:
                break
            needed += len(columns)
        else:
            candidates.append((needed, version))
    if not candidates:
        return VersionInfo(None, False)
    return VersionInfo(max(candidates)[1], False)


