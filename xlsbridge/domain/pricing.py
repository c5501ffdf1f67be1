"""The fee engine: one pure function that prices one visit and itemises the result.

``price_visit(request, settings)`` finds the schedule in force on the visit date and applies, in this
order (domain.md "Fees", "Payment and cancellation"):

1. base price of the support type (the band for the booked duration),
2. extra-child add-on, 3. extension, 4. extra adults (大人追加), 5. out-of-area transport → ``gross``;
6. hardship reduction (減額) off the whole visit, split by the ratio;
7. each parent's share of the rest by the agreed ratio (whole yen, adding up exactly); transport the
   visiting parent pays alone (``Transport.paid_by``) goes to that parent's share;
8. member discount off the member parent's own share and non-member surcharge on the non-member's
   (with or without the transport: ``MemberPricing.non_member_applies_to``);
9. payment due date; 10. the refund when the visit was cancelled;
11. insurance per visit (not on a cancelled visit) and the visit's actual costs (実費), added to the
   shares after everything above: no discount, surcharge or refund touches them.

Nothing goes below zero and the parts always add up: ``father_share + mother_share == total``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .money import Ratio, fraction_of, split
from .settings import Area, CancellationTier, FeeSchedule, Parent, Settings, SupportType

Member = Literal["none", "father", "mother", "both"]
CancelledBy = Literal["father", "mother", "organisation"]


class PricingRequest(BaseModel):
    """Everything about one visit that its price depends on."""

    model_config = ConfigDict(frozen=True)

    support_type: str
    visit_date: date
    children: int = 1
    extension_minutes: int = 0
    extension_agreed: bool = True
    duration_minutes: int | None = Field(default=None, description="booked time without extension")
    municipality: str = "金沢市"
    father_member: bool = False
    mother_member: bool = False
    ratio: Ratio = Field(default_factory=Ratio.even)
    reduction: int = 0
    cancelled_at: datetime | None = None
    cancelled_by: CancelledBy | None = None
    extra_adults: int = 0  # accompanying adults beyond the one the base price includes
    costs: int = 0  # actual costs of the visit (admission, petrol, room hire), yen
    visiting_parent: Parent | None = None  # the parent not living with the child (pays transport, costs)

    @classmethod
    def with_member(cls, member: Member, **kw: Any) -> "PricingRequest":
        return cls(father_member=member in ("father", "both"), mother_member=member in ("mother", "both"), **kw)


class PricingError(ValueError):
    """The request cannot be priced; ``code`` is a finding code from the catalogue."""

    def __init__(self, code: str, field: str, **params: Any):
        self.code = code
        self.field = field
        self.params = params
        super().__init__(code)

    def message(self) -> str:
        from .findings import CATALOG

        return CATALOG[self.code].render(self.params)


class Cap(BaseModel):
    """An amount a rule held below what it would have been: ``wanted`` became ``applied`` for ``parent``.

    ``kind``: "member_discount" (a discount never takes a share below zero) or "cancellation_charge"
    (a parent who paid less than their part of the kept amount is charged what they paid, and the rest
    comes off the other parent's refund: domain.md "Payment and cancellation").
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["member_discount", "cancellation_charge"]
    parent: Parent
    wanted: int
    applied: int


class FeeBreakdown(BaseModel):
    """An itemised price.  All amounts are whole yen and never negative."""

    model_config = ConfigDict(frozen=True)

    schedule: str
    support_type: str
    support_type_ja: str
    base: int
    child_addon: int
    extension: int
    transport: int
    gross: int
    reduction: int
    extra_adults: int = 0
    insurance: int = 0
    costs: int = 0
    father_transport: int = 0  # each parent's part of the transport (as charged, before the surcharge)
    mother_transport: int = 0
    member_discount: int
    father_member_discount: int
    mother_member_discount: int
    non_member_surcharge: int
    father_share: int
    mother_share: int
    total: int
    due_date: date
    cancelled: bool = False
    refund: int | None = None
    father_refund: int | None = None
    mother_refund: int | None = None
    cancellation_charge: int | None = None
    caps: tuple[Cap, ...] = ()  # amounts a rule held below what it would have been, and why

    def share(self, parent: Parent) -> int:
        return self.father_share if parent == "father" else self.mother_share

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schedule": self.schedule,
            "support_type": self.support_type,
            "base": self.base,
            "child_addon": self.child_addon,
            "extension": self.extension,
            "transport": self.transport,
            "gross": self.gross,
            "member_discount": self.member_discount,
            "father_member_discount": self.father_member_discount,
            "mother_member_discount": self.mother_member_discount,
            "non_member_surcharge": self.non_member_surcharge,
            "reduction": self.reduction,
            "father_share": self.father_share,
            "mother_share": self.mother_share,
            "total": self.total,
            "due_date": self.due_date.isoformat(),
        }
        for name in ("extra_adults", "insurance", "costs"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.caps:
            out["caps"] = [cap.model_dump() for cap in self.caps]
        if self.cancelled:
            out.update(
                refund=self.refund,
                father_refund=self.father_refund,
                mother_refund=self.mother_refund,
                cancellation_charge=self.cancellation_charge,
            )
        return out


@dataclass(frozen=True)
class _Parts:
    base: int
    child_addon: int
    extension: int
    transport: int
    extra_adults: int = 0


class _Lookups:
    """``settings.schedule_on`` and ``settings.area`` remembered per argument: a ledger prices
    thousands of visits on a few hundred dates in a dozen municipalities (Settings is frozen)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.schedules: dict[date, FeeSchedule | None] = {}
        self.areas: dict[str, Area | None] = {}

    def schedule_on(self, day: date) -> FeeSchedule | None:
        try:
            return self.schedules[day]
        except KeyError:
            found = self.schedules[day] = self.settings.schedule_on(day)
            return found

    def area(self, municipality: str) -> Area | None:
        try:
            return self.areas[municipality]
        except KeyError:
            found = self.areas[municipality] = self.settings.area(municipality)
            return found


_last_lookups: _Lookups | None = None


def _lookups(settings: Settings) -> _Lookups:
    global _last_lookups
    found = _last_lookups
    if found is None or found.settings is not settings:
        found = _last_lookups = _Lookups(settings)
    return found


def schedule_on(settings: Settings, day: date) -> FeeSchedule | None:
    """``settings.schedule_on(day)``, remembered for the settings last used."""
    return _lookups(settings).schedule_on(day)


def refusal_key(fields: Mapping[str, Any], settings: Settings) -> tuple:
    """Everything whether and why :func:`price_visit` refuses a request depends on.

    ``fields`` are a PricingRequest's fields.  Two requests with the same key under the same settings
    are refused with the same PricingError (code, field and params) or both priced, so a caller that
    only needs the refusals (the validation rules) may ask the engine once per key.  Left out: the
    visit date beyond the schedule in force on it (it also sets the due date and the cancellation
    tier, which never refuse), when the notice came beyond whether it is recorded, the members and
    the ratio (they only split the price).  A new refusal in ``price_visit`` must keep this in step
    (tests/domain/test_fast_paths.py checks it over generated requests).
    """
    schedule = schedule_on(settings, fields["visit_date"])
    return (
        id(schedule) if schedule is not None else fields["visit_date"],  # no schedule: the date is in the message
        fields["support_type"],
        fields["children"],
        fields["extension_minutes"],
        fields["extension_agreed"],
        fields["duration_minutes"],
        fields["municipality"],
        fields["reduction"],
        fields["cancelled_by"],
        fields["cancelled_at"] is None,
        fields.get("extra_adults", 0),
        fields.get("costs", 0),
        fields.get("visiting_parent") is None,
    )


class VisitPricer:
    """:func:`price_visit` of ``PricingRequest(**fields)``, the engine asked once per distinct request
    apart from its date.

    A visit that was not cancelled costs the same on every date the same schedule is in force: the
    date only picks the schedule and sets the due date (``payment_due_days_before`` earlier).  A
    cancelled visit's date also sets the cancellation tier, so it stays in the key.  A ledger of
    50,000 visits asks for a few thousand distinct prices; each visit then costs a dictionary look-up
    and, when its due date differs, a copy.  Refusals (PricingError, or the ValueError of a request
    pydantic refuses) are remembered and raised again alike.  tests/domain/test_fast_paths.py checks
    the answers against ``price_visit`` over generated requests.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._known: dict[tuple, FeeBreakdown | ValueError] = {}
        self._ratios: dict[int, tuple[Ratio, tuple]] = {}  # id -> (the ratio, kept alive; its key)

    def __call__(self, fields: Mapping[str, Any]) -> FeeBreakdown:
        day = fields["visit_date"]
        schedule = schedule_on(self.settings, day) if isinstance(day, date) else None
        probe = dict(fields)
        cancelled = probe.get("cancelled_at") is not None or probe.get("cancelled_by") is not None
        probe["visit_date"] = day if cancelled or schedule is None else None
        ratio = probe.get("ratio")
        if isinstance(ratio, Ratio):  # a Ratio hashes its Fractions in Python: its key once per ratio object
            known = self._ratios.get(id(ratio))
            if known is None:
                known = self._ratios[id(ratio)] = (ratio, (ratio.father.numerator, ratio.father.denominator,
                                                             ratio.mother.numerator, ratio.mother.denominator))
            probe["ratio"] = known[1]
        key = (id(schedule), tuple(probe), tuple(probe.values()))
        try:
            found = self._known.get(key)
        except TypeError:  # a value that cannot be a key: price it as it is
            return price_visit(PricingRequest(**fields), self.settings)
        if found is None:
            try:
                found = price_visit(PricingRequest(**fields), self.settings)
            except ValueError as exc:  # PricingError, or pydantic's ValidationError
                found = exc
            self._known[key] = found
        if isinstance(found, ValueError):
            raise found.with_traceback(None)
        due = day - timedelta(days=schedule.payment_due_days_before)
        return found if found.due_date == due else _with_due_date(found, due)


def _with_due_date(breakdown: FeeBreakdown, due: date) -> FeeBreakdown:
    """A copy of ``breakdown`` due on ``due`` (what ``model_copy(update=...)`` makes, at a fifth of the cost)."""
    values = breakdown.__dict__.copy()
    values["due_date"] = due
    made = FeeBreakdown.__new__(FeeBreakdown)
    object.__setattr__(made, "__dict__", values)
    object.__setattr__(made, "__pydantic_fields_set__", breakdown.__pydantic_fields_set__)
    object.__setattr__(made, "__pydantic_extra__", None)
    object.__setattr__(made, "__pydantic_private__", None)
    return made


def price_visit(req: PricingRequest, settings: Settings) -> FeeBreakdown:
    schedule = schedule_on(settings, req.visit_date)
    if schedule is None:
        raise PricingError("no-fee-schedule", "visit_date", date=req.visit_date.isoformat())
    stype = schedule.support_type(req.support_type)
    if stype is None:
        raise PricingError(
            "unknown-support-type", "support_type", value=req.support_type, known="、".join(_type_labels(schedule))
        )
    parts = _parts(req, settings, schedule, stype)
    gross = parts.base + parts.child_addon + parts.extension + parts.extra_adults + parts.transport

    if req.reduction < 0:
        raise PricingError("reduction-negative", "reduction", value=req.reduction)
    if req.reduction > gross:  # domain.md: an input error, never a silent cap
        raise PricingError("reduction-over-fee", "reduction", value=req.reduction, fee=gross)
    if req.costs < 0:
        raise PricingError("costs-negative", "costs", value=req.costs)
    reduction = req.reduction
    odd = settings.rules.odd_yen_to
    payer = _transport_payer(schedule.transport.paid_by, req, parts.transport)
    if payer is None:
        shares = split(gross - reduction, req.ratio, odd)
        transport_parts = split(parts.transport, req.ratio, odd)
    else:
        # The reduction comes off the fee first; only what it leaves of the transport is charged.
        rest = gross - parts.transport - reduction
        charged = parts.transport + min(0, rest)
        shares = split(max(0, rest), req.ratio, odd)
        shares[payer] += charged
        transport_parts = {"father": 0, "mother": 0}
        transport_parts[payer] = charged

    surcharge = _non_member_surcharge(schedule, req, shares, transport_parts)
    for parent in ("father", "mother"):
        shares[parent] += surcharge[parent]
    discounts, caps = _member_discounts(schedule, stype, req, shares, odd)
    for parent in ("father", "mother"):
        shares[parent] -= discounts[parent]

    total = shares["father"] + shares["mother"]
    breakdown = dict(
        schedule=schedule.name,
        support_type=stype.key,
        support_type_ja=stype.label_ja,
        base=parts.base,
        child_addon=parts.child_addon,
        extension=parts.extension,
        transport=parts.transport,
        extra_adults=parts.extra_adults,
        father_transport=transport_parts["father"],
        mother_transport=transport_parts["mother"],
        gross=gross,
        reduction=reduction,
        member_discount=discounts["father"] + discounts["mother"],
        father_member_discount=discounts["father"],
        mother_member_discount=discounts["mother"],
        non_member_surcharge=surcharge["father"] + surcharge["mother"],
        father_share=shares["father"],
        mother_share=shares["mother"],
        total=total,
        due_date=req.visit_date - timedelta(days=schedule.payment_due_days_before),
        caps=caps,
    )
    if req.cancelled_at is not None or req.cancelled_by is not None:
        refund = _refund(req, schedule, shares, odd)
        refund["caps"] = caps + refund["caps"]
        breakdown.update(refund)
    _add_pass_through(breakdown, req, schedule, shares, odd)
    return FeeBreakdown(**breakdown)


def _transport_payer(paid_by: str, req: PricingRequest, transport: int) -> Parent | None:
    """The parent who pays the transport alone, or None when it is split by the ratio."""
    if paid_by != "visiting_parent" or transport == 0:
        return None
    if req.visiting_parent is None:
        raise PricingError("visiting-parent-unknown", "visiting_parent")
    return req.visiting_parent


def _add_pass_through(breakdown: dict[str, Any], req: PricingRequest, schedule: FeeSchedule,
                      shares: dict[Parent, int], odd: Parent) -> None:
    """Insurance and actual costs: added to the shares after the fee, its discounts and its refund."""
    cancelled = bool(breakdown.get("cancelled"))
    insurance = 0 if cancelled else schedule.insurance_per_visit
    if insurance == 0 and req.costs == 0:
        return
    extra = split(insurance, req.ratio, odd)
    rule = schedule.costs_split
    if req.costs:
        if rule == "visiting_parent":
            if req.visiting_parent is None:
                raise PricingError("visiting-parent-unknown", "visiting_parent")
            cost_parts = {"father": 0, "mother": 0}
            cost_parts[req.visiting_parent] = req.costs
        else:
            cost_parts = split(req.costs, Ratio.even() if rule == "equal" else req.ratio, odd)
        for p in ("father", "mother"):
            extra[p] += cost_parts[p]
    for p in ("father", "mother"):
        shares[p] += extra[p]
    breakdown.update(
        insurance=insurance,
        costs=req.costs,
        father_share=shares["father"],
        mother_share=shares["mother"],
        total=shares["father"] + shares["mother"],
    )


def _type_labels(schedule: FeeSchedule) -> list[str]:
    return [f"{s.key}({s.label_ja})" for s in schedule.support_types]


def _parts(req: PricingRequest, settings: Settings, schedule: FeeSchedule, stype: SupportType) -> _Parts:
    base = _base_price(req, stype)

    if req.children < 1:
        raise PricingError("children-too-few", "children", value=req.children)
    rule = stype.child_addon
    if rule.max_children is not None and req.children > rule.max_children:
        raise PricingError("children-too-many", "children", value=req.children, limit=rule.max_children)
    extra = max(0, req.children - rule.included_children)
    if rule.kind == "fraction_of_base":
        child_addon = extra * fraction_of(base, rule.numerator, rule.denominator)
    elif rule.kind == "fixed_per_child":
        child_addon = extra * rule.amount
    else:
        child_addon = 0

    extension = _extension_price(req, stype)
    transport = _transport(req, settings, schedule, stype)
    if req.extra_adults < 0:
        raise PricingError("adults-negative", "extra_adults", value=req.extra_adults)
    return _Parts(base, child_addon, extension, transport, req.extra_adults * stype.extra_adult_fee)


def _base_price(req: PricingRequest, stype: SupportType) -> int:
    if req.duration_minutes is None:
        if len(stype.base_bands) > 1:  # priced by time bands: no time, no price (domain.md "Fees")
            raise PricingError("duration-needed", "duration_minutes", type_ja=stype.label_ja)
        return stype.base_bands[0].price
    if req.duration_minutes <= 0:
        raise PricingError("duration-invalid", "duration_minutes", value=req.duration_minutes)
    for band in stype.base_bands:
        if band.up_to_minutes is None or req.duration_minutes <= band.up_to_minutes:
            if stype.included_minutes is not None and req.duration_minutes > stype.included_minutes:
                # Time beyond what the fee buys is an extension, agreed and recorded (domain.md "Fees").
                raise PricingError("duration-over-included", "duration_minutes", value=req.duration_minutes,
                                   limit=stype.included_minutes, type_ja=stype.label_ja)
            return band.price
    raise PricingError(
        "duration-over-bands",
        "duration_minutes",
        value=req.duration_minutes,
        limit=stype.base_bands[-1].up_to_minutes,
        type_ja=stype.label_ja,
    )


def _extension_price(req: PricingRequest, stype: SupportType) -> int:
    minutes = req.extension_minutes
    if minutes == 0:
        return 0
    if minutes < 0:
        raise PricingError("extension-negative", "extension_minutes", value=minutes)
    rule = stype.extension
    if rule is None:
        raise PricingError("extension-not-allowed", "extension_minutes", value=minutes, type_ja=stype.label_ja)
    if rule.max_minutes is not None and minutes > rule.max_minutes:
        raise PricingError("extension-over-cap", "extension_minutes", value=minutes, limit=rule.max_minutes)
    units, rest = divmod(minutes, rule.unit_minutes)
    if rest:
        if rule.partial_unit == "reject":
            raise PricingError("extension-unit", "extension_minutes", value=minutes, unit=rule.unit_minutes)
        units += 1  # a started unit is charged in full
    if rule.requires_agreement and not req.extension_agreed:
        raise PricingError("extension-not-agreed", "extension_agreed", value=minutes)
    return units * rule.unit_price


def _transport(req: PricingRequest, settings: Settings, schedule: FeeSchedule, stype: SupportType) -> int:
    area = _lookups(settings).area(req.municipality)
    if area is None:
        from .nearest import hint, nearest_municipality

        near_ja, near_en = hint(nearest_municipality(req.municipality, [a.municipality for a in settings.areas],
                                                     settings.rules.prefecture))
        raise PricingError("municipality-unknown", "municipality", value=req.municipality, near_ja=near_ja, near_en=near_en)
    if not (stype.transport_applies and area.out_of_area):
        return 0
    rule = schedule.transport
    if rule.kind == "fare_table":
        return area.fare
    if area.distance_km is None:
        raise PricingError("area-distance-missing", "municipality", value=req.municipality)
    trips = 2 if rule.round_trip else 1
    # Round the distance cost down to whole yen once, after multiplying, so no yen is lost per leg.
    staff = stype.transport_staff_count if stype.transport_staff_count is not None else rule.staff_count
    return int(area.distance_km * trips * rule.rate_per_km * staff)


def _non_member_surcharge(schedule: FeeSchedule, req: PricingRequest, shares: dict[Parent, int],
                          transport: dict[Parent, int]) -> dict[Parent, int]:
    pct = schedule.member.non_member_percent
    members = {"father": req.father_member, "mother": req.mother_member}
    if schedule.member.non_member_applies_to == "excluding_transport":
        base = {p: max(0, shares[p] - transport[p]) for p in ("father", "mother")}
    else:
        base = shares
    return {p: 0 if members[p] else fraction_of(base[p], pct - 100, 100) for p in ("father", "mother")}


def _member_discounts(
    schedule: FeeSchedule, stype: SupportType, req: PricingRequest, shares: dict[Parent, int], odd: Parent
) -> tuple[dict[Parent, int], tuple[Cap, ...]]:
    rule = schedule.member
    none: dict[Parent, int] = {"father": 0, "mother": 0}
    if not stype.member_discount_applies or rule.discount_per_use == 0:
        return none, ()
    if rule.discount_scope == "per_member_parent":
        wanted = {
            "father": rule.discount_per_use if req.father_member else 0,
            "mother": rule.discount_per_use if req.mother_member else 0,
        }
    else:  # one discount per visit when either parent is a member, shared by the ratio
        if not (req.father_member or req.mother_member):
            return none, ()
        wanted = split(rule.discount_per_use, req.ratio, odd)
    # A discount never takes a share below zero.
    applied: dict[Parent, int] = {p: min(wanted[p], shares[p]) for p in ("father", "mother")}
    caps = tuple(Cap(kind="member_discount", parent=p, wanted=wanted[p], applied=applied[p])
                 for p in ("father", "mother") if applied[p] < wanted[p])
    return applied, caps


def _refund(req: PricingRequest, schedule: FeeSchedule, shares: dict[Parent, int], odd: Parent) -> dict[str, Any]:
    if req.cancelled_by is None:
        raise PricingError("cancel-by-missing", "cancelled_by")
    total = shares["father"] + shares["mother"]
    rule = schedule.cancellation
    caps: tuple[Cap, ...] = ()
    if req.cancelled_by == "organisation" and rule.organisation_cancels_refund_in_full:
        charge_parts: dict[Parent, int] = {"father": 0, "mother": 0}
    else:
        if req.cancelled_at is None:
            raise PricingError("cancel-time-missing", "cancelled_at")
        tier = applicable_tier(req.visit_date, req.cancelled_at, rule.tiers)
        if tier is None:
            charge = fraction_of(total, rule.late_charge_percent, 100)
        else:
            charge = min(total, tier.fixed_charge + fraction_of(total, tier.charge_percent, 100))
        charge_parts = _split_capped(charge, req.ratio, shares, odd)
        wanted = split(charge, req.ratio, odd)
        if charge < total:  # when nothing comes back there is nothing to explain
            caps = tuple(Cap(kind="cancellation_charge", parent=p, wanted=wanted[p], applied=charge_parts[p])
                         for p in ("father", "mother") if charge_parts[p] < wanted[p])
    refunds = {p: shares[p] - charge_parts[p] for p in ("father", "mother")}
    return dict(
        cancelled=True,
        refund=refunds["father"] + refunds["mother"],
        father_refund=refunds["father"],
        mother_refund=refunds["mother"],
        cancellation_charge=charge_parts["father"] + charge_parts["mother"],
        caps=caps,
    )


def implausible_notice(visit_date: date, start: time | None, notice: datetime, max_days_before: int
                       ) -> Literal["after_start", "too_early"] | None:
    """Why a cancellation notice is almost surely mistyped (domain.md "Payment and cancellation"), or None.

    "after_start": later than the visit's start (without a start time: after the visit day);
    "too_early": more than ``max_days_before`` days before the visit day.  The visit is still priced
    by the rule; a person confirms the date.
    """
    began = datetime.combine(visit_date, start if start is not None else time.max)
    if notice > began:
        return "after_start"
    if (visit_date - notice.date()).days > max_days_before:
        return "too_early"
    return None


def cutoff(visit_date: date, tier: CancellationTier) -> datetime:
    """The moment before which notice must arrive for ``tier`` (e.g. noon of the day before)."""
    return datetime.combine(visit_date - timedelta(days=tier.days_before), tier.at)


def applicable_tier(visit_date: date, notice: datetime, tiers: tuple[CancellationTier, ...]) -> CancellationTier | None:
    """The earliest tier whose cut-off the notice beat (strictly before it); None: too late for all."""
    for tier in tiers:
        if notice < cutoff(visit_date, tier):
            return tier
    return None


def _split_capped(amount: int, ratio: Ratio, shares: dict[Parent, int], odd: Parent) -> dict[Parent, int]:
    """Split a charge by the ratio, but never charge a parent more than they paid.

    Interpretation (domain.md): the insurance part is borne in the fee ratio; where a discount left a
    parent's share below their part, the other parent's refund covers the difference.
    """
    parts = split(amount, ratio, odd)
    for p, other in (("father", "mother"), ("mother", "father")):
        excess = parts[p] - shares[p]
        if excess > 0:
            parts[p] -= excess
            parts[other] += excess
    return {p: min(parts[p], shares[p]) for p in ("father", "mother")}


class ContractCharge(BaseModel):
    """What one parent pays when signing or renewing (yearly fees and a refundable deposit)."""

    model_config = ConfigDict(frozen=True)

    fee: int
    deposit: int

    @property
    def total(self) -> int:
        return self.fee + self.deposit


def price_contract(settings: Settings, signed_on: date, *, renewal: bool) -> ContractCharge:
    """Per-parent contract or renewal fee and deposit under the schedule in force on ``signed_on``.

    The deposit is taken once, at the first contract, and refunded at the end.
    """
    schedule = settings.schedule_on(signed_on)
    if schedule is None:
        raise PricingError("no-fee-schedule", "contract_date", date=signed_on.isoformat())
    rule = schedule.contract
    return ContractCharge(
        fee=rule.renewal_fee if renewal else rule.contract_fee,
        deposit=0 if renewal else rule.deposit,
    )
