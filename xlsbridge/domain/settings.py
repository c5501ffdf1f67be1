"""The organisation's fee rules, as data.

Every amount, area and interpretation that the rule book (domain.md) leaves to the organisation is a
field here, so an admin changes fees in the workbook's settings sheet or the organisation's TOML file,
never in code.  The rule *kinds* cover the public fee tables of several organisations (WEK's leaflet
is the shipped default; see docs/fee-rules.md for the others):

* base price per support type, flat or stepping by booked duration (``base_bands``);
* extra children as a fraction of the base, a fixed amount each, or included up to N children;
* extension in units (30 or 60 minutes) after the type's included time, with or without a cap;
* an extra adult (大人追加) per additional accompanying adult;
* a fixed member discount and/or a non-member surcharge (non-members pay N% of the price list, with or
  without the transport);
* cancellation: refund less a fixed part (WEK) or a charge as a percentage, by notice cut-offs;
* transport as a fare per out-of-area municipality (WEK) or km × rate × round trip × staff (staff per
  support type), split by the ratio or paid by the visiting parent alone;
* actual costs (admission, petrol, room hire) entered per visit, and insurance per visit;
* a pre-consultation fee, yearly contract / renewal fees and refundable deposits per parent, and a
  deposit per case that visits are drawn from.

Models validate themselves and explain, in Japanese first, what is wrong.
"""

from __future__ import annotations

import unicodedata
from datetime import date, time
from decimal import Decimal
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Parent = Literal["father", "mother"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _msg(ja: str, en: str) -> str:
    # pydantic shows one message string; both languages travel together so a clerk and an admin
    # reading an English log both understand it.  The settings adapters re-attach the cell.
    return f"{ja} / {en}"


class PriceBand(_Model):
    """Base price for visits whose booked duration (without extension) is at most ``up_to_minutes``."""

    up_to_minutes: int | None = Field(default=None, description="None: no upper limit")
    price: int = Field(ge=0)

    @field_validator("up_to_minutes")
    @classmethod
    def _positive(cls, v: int | None) -> int | None:
        if v is not None and v <= 0:
            raise ValueError(_msg("時間帯の上限は1分以上にしてください", "band limit must be at least 1 minute"))
        return v


class ChildAddon(_Model):
    """What each child beyond those included in the base price adds."""

    kind: Literal["none", "fraction_of_base", "fixed_per_child"] = "none"
    # WEK: "基本料金の1/2" per extra child; kept as a fraction so 1/3 is exact too.
    numerator: int = Field(default=1, ge=0)
    denominator: int = Field(default=2, ge=1)
    amount: int = Field(default=0, ge=0, description="yen per extra child (fixed_per_child)")
    included_children: int = Field(default=1, ge=1, description="children covered by the base price")
    max_children: int | None = Field(default=None, ge=1, description="None: no limit")


class Extension(_Model):
    """Extension beyond the type's included time, priced per unit."""

    unit_minutes: int = Field(default=30, ge=1)
    unit_price: int = Field(ge=0)
    max_minutes: int | None = Field(default=None, ge=0, description="None: no upper limit")
    # WEK takes extensions only in whole 30-minute units; others charge a started unit in full.
    partial_unit: Literal["reject", "round_up"] = "reject"
    requires_agreement: bool = True

    @model_validator(mode="after")
    def _cap_in_units(self) -> "Extension":
        if self.max_minutes is not None and self.max_minutes % self.unit_minutes and self.partial_unit == "reject":
            raise ValueError(
                _msg(
                    f"延長の上限 {self.max_minutes} 分が単位 {self.unit_minutes} 分の倍数ではありません",
                    f"extension cap {self.max_minutes} min is not a multiple of the {self.unit_minutes}-min unit",
                )
            )
        return self


class SupportType(_Model):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_ja: str
    label_en: str = Field(default="", description="empty: the key (as on the settings sheet)")
    base_bands: tuple[PriceBand, ...] = Field(min_length=1)
    included_minutes: int | None = Field(default=None, ge=1, description="time included in the base price")
    child_addon: ChildAddon = ChildAddon()
    extension: Extension | None = None
    transport_applies: bool = True
    member_discount_applies: bool = True
    # Per-km transport counts this many staff for this type (a handover 1, an accompanied visit 2);
    # None: the schedule's Transport.staff_count.
    transport_staff_count: int | None = Field(default=None, ge=1)
    # 大人追加: yen per accompanying adult beyond the one the base price includes.
    extra_adult_fee: int = Field(default=0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _label_en_defaults_to_key(cls, data):
        if isinstance(data, dict) and not data.get("label_en") and isinstance(data.get("key"), str):
            data = {**data, "label_en": data["key"]}
        return data

    @model_validator(mode="after")
    def _bands_ordered(self) -> "SupportType":
        limits = [b.up_to_minutes for b in self.base_bands]
        if None in limits[:-1]:
            raise ValueError(
                _msg("上限なしの料金帯は最後に置いてください", "the open-ended price band must come last")
            )
        finite = [x for x in limits if x is not None]
        if finite != sorted(set(finite)):
            raise ValueError(
                _msg("料金帯の上限は小さい順に、重複なく並べてください", "price band limits must increase")
            )
        if (
            self.included_minutes is not None
            and finite
            and limits[-1] is not None
            and self.included_minutes > limits[-1]
        ):
            raise ValueError(
                _msg(
                    f"基本時間 {self.included_minutes} 分が最後の料金帯の上限を超えています",
                    f"included time {self.included_minutes} min exceeds the last price band",
                )
            )
        return self


class MemberPricing(_Model):
    discount_per_use: int = Field(default=500, ge=0)
    # Interpretation (domain.md): each member parent gets the discount off their own share.
    discount_scope: Literal["per_member_parent", "per_visit"] = "per_member_parent"
    # Price lists are member prices; a non-member pays this percentage of them (100 = same price).
    non_member_percent: int = Field(default=100, ge=100, le=1000)
    # What the non-member percentage multiplies: the whole share, or the share without the transport.
    non_member_applies_to: Literal["all", "excluding_transport"] = "all"


class CancellationTier(_Model):
    """A cut-off: notice received before ``days_before`` days before the visit at ``at`` o'clock."""

    days_before: int = Field(ge=0)
    at: time = time(12, 0)
    charge_percent: int = Field(default=0, ge=0, le=100)
    fixed_charge: int = Field(default=0, ge=0, description="kept in any case, e.g. WEK's insurance part")


class Cancellation(_Model):
    """Tiers from the earliest cut-off to the latest; notice after the last one pays ``late_charge_percent``."""

    tiers: tuple[CancellationTier, ...] = (CancellationTier(days_before=1, at=time(12, 0), fixed_charge=500),)
    late_charge_percent: int = Field(default=100, ge=0, le=100)
    organisation_cancels_refund_in_full: bool = True

    @model_validator(mode="after")
    def _tiers_ordered(self) -> "Cancellation":
        keys = [(-t.days_before, t.at) for t in self.tiers]
        if keys != sorted(keys) or len(set(keys)) != len(keys):
            raise ValueError(
                _msg(
                    "キャンセル区分は早い締切から順に、重複なく並べてください",
                    "cancellation cut-offs must run from the earliest to the latest without repeats",
                )
            )
        return self


def cancellation_as_written(written: Any) -> Any:
    """The cancellation rule of an organisation file or settings sheet, where a left-out part means none.

    The model's default is WEK's rule (a cut-off at noon the day before, 500 yen kept), right for WEK
    and for code; but a profile that does not write its tiers has none: no cut-off, and when it writes
    no late charge either, a cancellation costs nothing.  Anything else is passed on to be validated.
    """
    if written is None:
        written = {}
    if not isinstance(written, dict) or "tiers" in written:
        return written
    return {"late_charge_percent": 0, **written, "tiers": ()}


class Transport(_Model):
    kind: Literal["fare_table", "per_km"] = "fare_table"
    rate_per_km: int = Field(default=0, ge=0)
    round_trip: bool = True
    staff_count: int = Field(default=1, ge=1)
    # "ratio": transport is split like the fee; "visiting_parent": the parent who does not live with the
    # child (ケース › 同居親 names the other one) pays it alone.
    paid_by: Literal["ratio", "visiting_parent"] = "ratio"


class ContractFees(_Model):
    contract_fee: int = Field(default=0, ge=0, description="per parent, at the first contract")
    renewal_fee: int = Field(default=0, ge=0, description="per parent, at each renewal")
    deposit: int = Field(default=0, ge=0, description="per parent, refunded at the end")
    pre_consultation_fee: int = Field(default=0, ge=0, description="per parent, per pre-consultation (事前面談料)")
    # A deposit per case that the visits are drawn from: paid by the parents in their ratio when the
    # second parent signs; each visit's charges come off each parent's part; the rest is refunded.
    case_deposit: int = Field(default=0, ge=0, description="per case, drawn down by the visits; 0: none")
    deposit_warn_below: int = Field(default=0, ge=0, description="warn when a parent's part left is below this")


CostsSplit = Literal["ratio", "equal", "visiting_parent"]


class FeeSchedule(_Model):
    """One fee schedule, in force from ``effective_from`` until the next schedule's date."""

    name: str
    effective_from: date
    effective_to: date | None = Field(default=None, description="last day in force; None: until the next")
    support_types: tuple[SupportType, ...] = Field(min_length=1)
    member: MemberPricing = MemberPricing()
    cancellation: Cancellation = Cancellation()
    transport: Transport = Transport()
    contract: ContractFees = ContractFees()
    payment_due_days_before: int = Field(default=5, ge=0)
    # Per visit held or planned, split by the ratio (a cancelled visit is not insured).
    insurance_per_visit: int = Field(default=0, ge=0)
    # Actual costs entered per visit (面会記録 › 実費): by the ratio, half each, or the visiting parent.
    costs_split: CostsSplit = "ratio"

    @model_validator(mode="after")
    def _unique_types(self) -> "FeeSchedule":
        keys = [s.key for s in self.support_types]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(_msg(f"支援類型 {dup[0]} が重複しています", f"support type {dup[0]} is listed twice"))
        return self

    @model_validator(mode="after")
    def _dates_ordered(self) -> "FeeSchedule":
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(
                _msg(
                    f"料金表「{self.name}」の適用終了日が開始日より前です",
                    f"fee schedule '{self.name}' ends before it starts",
                )
            )
        return self

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def support_type(self, key: str) -> SupportType | None:
        return next((s for s in self.support_types if s.key == key), None)


class Area(_Model):
    municipality: str = Field(min_length=1)
    out_of_area: bool = False
    fare: int = Field(default=0, ge=0, description="yen added for an out-of-area visit (fare_table)")
    distance_km: Decimal | None = Field(default=None, ge=0, description="one way, for per_km transport")
    fare_is_sample: bool = False


class Rules(_Model):
    """Non-fee rules that domain.md marks as interpretations or organisation choices."""

    contract_months: int = Field(default=12, ge=1)
    pre_consultation_days: int = Field(default=7, ge=0)
    prefecture: str = "石川県"
    min_child_age: int = Field(default=3, ge=0)
    # "junior_high": at renewal a junior-high student leaves (WEK); "age": a child aged >= exit_age does.
    renewal_exclusion: Literal["junior_high", "age"] = "junior_high"
    exit_age: int = Field(default=13, ge=1)
    national_max_age: int = Field(default=15, ge=1)
    national_age_rule: Literal["under_age", "end_of_school_year"] = "under_age"
    odd_yen_to: Parent = "father"
    review_interval_months: int = Field(default=3, ge=1)
    # Interpretation (domain.md "Payment and cancellation"): a notice "months before" the visit is almost
    # surely mistyped; validate and quote ask a person to confirm one earlier than this many days.
    notice_max_days_before: int = Field(default=60, ge=1)
    # The language of what xlsbridge writes into the ledger (sheet headers, notes, 内訳): the ledger's
    # own, whatever language the clerk's command line or ribbon speaks.
    language: Literal["ja", "en"] = "ja"


# Case data a plan-sheet profile may add to the 親子交流支援計画書.  Both parents see the form, so the
# list is closed: dates and terms of the case, never a note, an address or anything typed freely.
PlanSource = Literal[
    "review_date",  # 見直し予定日 (ケース)
    "agreement_confirmed",  # 合意書確認日
    "father.contract_date",
    "mother.contract_date",
    "contract_end",  # the current term's last day (契約期間 from the settings)
    "renewals",  # 更新回数
    "national_age_limit",  # the programme's age cap and, per child, the last day it covers
]
PLAN_SOURCES: tuple[str, ...] = get_args(PlanSource)
# How the settings sheet and the docs name each source.
PLAN_SOURCE_LABELS: dict[str, str] = {
    "review_date": "見直し予定日",
    "agreement_confirmed": "合意書確認日",
    "father.contract_date": "父契約日",
    "mother.contract_date": "母契約日",
    "contract_end": "契約終了日",
    "renewals": "更新回数",
    "national_age_limit": "国の事業の年齢上限",
}


class PlanItem(_Model):
    """One extra row of the plan sheet: the label printed and the case data it shows."""

    label: str = Field(min_length=1, max_length=20)
    source: PlanSource


class PlanProfile(_Model):
    """The organisation's (or the commissioning municipality's) variant of the 親子交流支援計画書.

    The default is the national form as WEK prints it: three child rows, twelve 支援経過 rows, no
    extra items.  A municipality may ask for more rows or extra items such as 見直し予定日; the
    age cap it uses ("15歳未満" or "15歳に達した年度末まで") is ``Rules.national_age_rule``.
    """

    name: str = Field(default="国の様式", min_length=1)
    min_child_rows: int = Field(default=3, ge=1, le=10)
    min_progress_rows: int = Field(default=12, ge=1, le=60)
    extra_items: tuple[PlanItem, ...] = Field(default=(), max_length=8)

    @model_validator(mode="after")
    def _unique_labels(self) -> "PlanProfile":
        labels = [i.label for i in self.extra_items]
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            raise ValueError(_msg(f"計画書の追加項目「{dup[0]}」が2つあります", f"plan item '{dup[0]}' is listed twice"))
        return self


def normalise_municipality(name: str) -> str:
    """Fold full-width forms and spaces so '　金沢市 ' and '金沢市' are the same place."""
    text = unicodedata.normalize("NFKC", name).strip().replace(" ", "")
    return text


class Settings(_Model):
    """Everything the organisation configures: schedules over time, areas, rules, holidays."""

    organisation: str = "NPO法人WEKプロジェクト"
    schedules: tuple[FeeSchedule, ...] = Field(min_length=1)
    areas: tuple[Area, ...] = ()
    rules: Rules = Rules()
    office_holidays: tuple[date, ...] = ()
    plan: PlanProfile = PlanProfile()

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        dates = [s.effective_from for s in self.schedules]
        if len(set(dates)) != len(dates):
            dup = sorted({d for d in dates if dates.count(d) > 1})[0]
            raise ValueError(
                _msg(
                    f"適用開始日 {dup.isoformat()} の料金表が2つあります",
                    f"two fee schedules take effect on {dup.isoformat()}",
                )
            )
        ordered = sorted(self.schedules, key=lambda s: s.effective_from)
        for earlier, later in zip(ordered, ordered[1:]):
            if earlier.effective_to is not None and earlier.effective_to >= later.effective_from:
                raise ValueError(
                    _msg(
                        f"料金表「{earlier.name}」と「{later.name}」の適用期間が重なっています",
                        f"fee schedules '{earlier.name}' and '{later.name}' overlap",
                    )
                )
        names = [normalise_municipality(a.municipality) for a in self.areas]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})[0]
            raise ValueError(_msg(f"区域表に {dup} が2回あります", f"{dup} is listed twice in the area table"))
        return self

    def schedule_on(self, day: date) -> FeeSchedule | None:
        """The schedule in force on ``day`` (the latest one that took effect on or before it)."""
        in_force = [s for s in self.schedules if s.in_force_on(day)]
        return max(in_force, key=lambda s: s.effective_from) if in_force else None

    def area(self, municipality: str) -> Area | None:
        wanted = normalise_municipality(municipality)
        prefix = normalise_municipality(self.rules.prefecture)
        if prefix and wanted.startswith(prefix) and len(wanted) > len(prefix):
            wanted = wanted[len(prefix) :]  # "石川県金沢市" is written in full by some staff
        for a in self.areas:
            if normalise_municipality(a.municipality) == wanted:
                return a
        return None

    @property
    def support_type_keys(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for s in self.schedules:
            for st in s.support_types:
                seen.setdefault(st.key, None)
        return tuple(seen)


def settings_refusals(settings: Settings) -> list[tuple[tuple[Any, ...], str, str]]:
    """Valid settings that still cannot be used: (where, ja, en) each, ``where`` a path such as
    ("schedules", 0, "support_types", 1).  `settings check` refuses them.

    A support type that charges transport needs an area table: without one no visit can be priced
    (every place is unknown).
    """
    out: list[tuple[tuple[Any, ...], str, str]] = []
    if not settings.areas:
        for i, schedule in enumerate(settings.schedules):
            charging = [j for j, st in enumerate(schedule.support_types) if st.transport_applies]
            if charging:
                st = schedule.support_types[charging[0]]
                out.append((("schedules", i, "support_types", charging[0], "transport_applies"),
                            f"区域表（[[areas]]、区域シート）が空ですが、料金表「{schedule.name}」の{st.label_ja}は交通費を加算します。"
                            "面会場所の市町村を区域表に書くか、交通費を加算しない（支援類型別料金の交通費 ×、TOML では transport_applies = false）にしてください",
                            f"the area table is empty but support type {st.key} of '{schedule.name}' charges transport; "
                            "list the municipalities or set transport_applies = false"))
                break
    return out


def settings_advisories(settings: Settings) -> list[tuple[str, str]]:
    """Valid settings that will still surprise someone: (ja, en) each, for `xlsbridge settings check`.

    Sample fares still in the area table, out-of-area places that add nothing, distances missing where
    a schedule charges by the km, and days between two schedules on which no visit can be priced.
    """
    out: list[tuple[str, str]] = []
    samples = [a.municipality for a in settings.areas if a.fare_is_sample]
    if samples:
        more = f" ほか {len(samples) - 1} 件" if len(samples) > 1 else ""
        more_en = f" and {len(samples) - 1} more" if len(samples) > 1 else ""
        out.append((f"区域: {samples[0]}{more}の交通費は見本の金額です。実際の運賃を確かめて書き換え、見本（fare_is_sample）を消してください",
                    f"areas: the fare of {samples[0]}{more_en} is a sample; check the real fare and clear fare_is_sample"))
    kinds = {s.transport.kind for s in settings.schedules}
    outside = [a for a in settings.areas if a.out_of_area]
    if "fare_table" in kinds:
        free = [a.municipality for a in outside if a.fare == 0]
        if free:
            out.append((f"区域: 区域外の {'、'.join(free[:5])} の交通費が 0 円です（運賃表の料金表では何も加算されません）",
                        f"areas: out-of-area {', '.join(free[:5])} add no fare (fare 0) under a fare-table schedule"))
    if "per_km" in kinds:
        missing = [a.municipality for a in outside if a.distance_km is None]
        if missing:
            out.append((f"区域: 区域外の {'、'.join(missing[:5])} に距離(km)がありません。距離制の料金表では交通費を計算できません",
                        f"areas: out-of-area {', '.join(missing[:5])} have no distance; per-km transport cannot be priced"))
    ordered = sorted(settings.schedules, key=lambda s: s.effective_from)
    for earlier, later in zip(ordered, ordered[1:]):
        if earlier.effective_to is not None and (later.effective_from - earlier.effective_to).days > 1:
            out.append((f"料金表: 「{earlier.name}」の終了日 {earlier.effective_to.isoformat()} と「{later.name}」の開始日 "
                        f"{later.effective_from.isoformat()} の間は料金表がなく、その間の面会は計算できません",
                        f"schedules: no schedule between {earlier.effective_to.isoformat()} and "
                        f"{later.effective_from.isoformat()}; visits then cannot be priced"))
    if ordered[-1].effective_to is not None:
        last = ordered[-1]
        out.append((f"料金表: 最後の料金表「{last.name}」は {last.effective_to.isoformat()} で終わります。その後の面会は計算できません",
                    f"schedules: the last schedule ends on {last.effective_to.isoformat()}; later visits cannot be priced"))
    return out
