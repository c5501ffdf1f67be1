"""Price one visit from loose options (the `quote` command) and render the result."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from ..domain.jpcalendar import format_era
from ..domain.money import Ratio, RatioError
from ..domain.ledger_fees import cap_note
from ..domain.pricing import FeeBreakdown, PricingError, PricingRequest, implausible_notice, price_visit
from ..domain.settings import Settings
from ..errors import UserError
from ..i18n import t
from ..textfmt import ljust, rjust, yen
from .settings_source import load_settings


@dataclass(frozen=True)
class QuoteOptions:
    support_type: str
    visit_date: date
    children: int = 1
    extension: int = 0
    duration: int | None = None
    municipality: str | None = None
    member: str = "none"
    ratio: str = "1:1"
    reduction: int = 0
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    settings_path: Path | None = None
    extra_adults: int = 0
    costs: int = 0
    visiting_parent: str | None = None


@dataclass(frozen=True)
class LongVisit:
    """A --duration beyond the time the fee buys: the excess is priced as an extension."""

    duration: int  # as asked
    included: int  # what the base price covers
    excess: int  # duration - included, added to the extension


def quote_visit(options: QuoteOptions) -> tuple[FeeBreakdown, Settings]:
    breakdown, settings, _ = quote_visit_explained(options)
    return breakdown, settings


def quote_visit_explained(options: QuoteOptions) -> tuple[FeeBreakdown, Settings, LongVisit | None]:
    """The quote, and how a --duration beyond the fee's time was priced (None: it was not)."""
    settings = load_settings(options.settings_path)
    from ..domain.support_types import resolve_support_type

    key = resolve_support_type(options.support_type, settings)
    if key is not None and key != options.support_type:  # 付き添い型, 付添い, Accompanied …: the settings' key
        options = replace(options, support_type=key)
    municipality = options.municipality or _home_municipality(settings)
    try:
        ratio = Ratio.parse(options.ratio)
    except RatioError:
        raise UserError(
            f"--ratio は「父:母」で書いてください（例 1:1、60:40、1:0）。入力: {options.ratio}",
            f"write --ratio as father:mother (e.g. 1:1, 60:40, 1:0); got {options.ratio}",
        ) from None
    if options.duration is not None and options.duration <= 0:
        raise UserError(f"--duration は1分以上にしてください（入力: {options.duration}）",
                        f"--duration must be at least 1 minute (got {options.duration})")
    long = _long_visit(options, settings)
    request = PricingRequest.with_member(
        options.member,
        support_type=options.support_type,
        visit_date=options.visit_date,
        children=options.children,
        extension_minutes=options.extension + (long.excess if long else 0),
        duration_minutes=long.included if long else options.duration,
        municipality=municipality,
        ratio=ratio,
        reduction=options.reduction,
        cancelled_at=options.cancelled_at,
        cancelled_by=options.cancelled_by,
        extra_adults=options.extra_adults,
        costs=options.costs,
        visiting_parent=options.visiting_parent,
    )
    try:
        return price_visit(request, settings), settings, long
    except PricingError as exc:
        if exc.code == "visiting-parent-unknown":
            raise UserError("この料金表では交通費・実費を別居親が負担します。--visiting-parent father か mother を指定してください",
                            "this schedule has the visiting parent pay transport or costs; give --visiting-parent "
                            "father or mother") from None
        if exc.code == "duration-needed":
            raise UserError(f"{exc.params['type_ja']}の料金は面会時間で決まります。--duration（分）を指定してください",
                            "this type is priced by the visit's length; give --duration (minutes)") from None
        if long is not None and exc.code.startswith("extension-"):
            # The extension came (partly) from --duration: say so, then what the engine refused.
            ja, en = _messages(exc)
            raise UserError(
                f"--duration {long.duration} 分は料金の {long.included} 分を {long.excess} 分超え、その分は延長です"
                f"（延長 計{request.extension_minutes} 分）: {ja}",
                f"--duration {long.duration} min exceeds the fee's {long.included} min by {long.excess} min, which is "
                f"an extension ({request.extension_minutes} min in all): {en}") from None
        # The catalogue message already says what to fix, in the current language.
        raise _as_user_error(exc) from None


def _long_visit(options: QuoteOptions, settings: Settings) -> LongVisit | None:
    """Time beyond the fee's hours is an extension (domain.md "Fees")."""
    schedule = settings.schedule_on(options.visit_date)
    stype = schedule.support_type(options.support_type) if schedule else None
    if stype is None or stype.included_minutes is None or options.duration is None:
        return None
    if options.duration <= stype.included_minutes:
        return None
    return LongVisit(options.duration, stype.included_minutes, options.duration - stype.included_minutes)


def _home_municipality(settings: Settings) -> str:
    home = next((a.municipality for a in settings.areas if not a.out_of_area), None)
    if home is None:
        raise UserError("区域表に区域内の市町村がありません。--municipality を指定してください",
                        "the area table has no in-area municipality; give --municipality")
    return home


def _messages(exc: PricingError) -> tuple[str, str]:
    """The refusal's catalogue message in Japanese and English (no visit or times: this is a quote)."""
    from ..i18n import get_lang, set_lang

    exc.params.setdefault("visit_ja", "")
    exc.params.setdefault("visit_en", "")
    lang = get_lang()
    try:
        set_lang("ja")
        ja = exc.message()
        set_lang("en")
        en = exc.message()
    finally:
        set_lang(lang)
    return ja, en


def _as_user_error(exc: PricingError) -> UserError:
    return UserError(*_messages(exc))


def render_quote_json(b: FeeBreakdown, settings: Settings | None = None, o: QuoteOptions | None = None) -> str:
    out = b.as_json()
    if settings is not None and o is not None:
        charges = contract_charges(settings, o.visit_date, o.ratio)
        if charges:
            out["contract_charges"] = charges
    return json.dumps(out, ensure_ascii=False, indent=2)


def contract_charges(settings: Settings, day: date, ratio_text: str = "1:1") -> dict[str, int]:
    """The schedule's charges outside the visit fee, in yen (only those it has): per parent
    pre-consultation, contract and renewal fees and the refundable deposit; the case deposit the
    visits are drawn from, and each parent's part of it under the ratio."""
    from ..domain.money import split

    schedule = settings.schedule_on(day)
    if schedule is None:
        return {}
    rule = schedule.contract
    out = {k: v for k, v in (("pre_consultation_fee", rule.pre_consultation_fee), ("contract_fee", rule.contract_fee),
                             ("renewal_fee", rule.renewal_fee), ("deposit", rule.deposit),
                             ("case_deposit", rule.case_deposit)) if v}
    if rule.case_deposit:
        try:
            ratio = Ratio.parse(ratio_text)
        except RatioError:
            ratio = Ratio.even()
        parts = split(rule.case_deposit, ratio, settings.rules.odd_yen_to)
        out["father_case_deposit"], out["mother_case_deposit"] = parts["father"], parts["mother"]
        if rule.deposit_warn_below:
            out["deposit_warn_below"] = rule.deposit_warn_below
    if schedule.insurance_per_visit:
        out["insurance_per_visit"] = schedule.insurance_per_visit
    return out


def _contract_text(charges: dict[str, int]) -> list[str]:
    labels = {
        "pre_consultation_fee": ("事前面談料（親1人・1回）", "Pre-consultation (per parent, each)"),
        "contract_fee": ("契約料（親1人）", "Contract fee (per parent)"),
        "renewal_fee": ("更新料（親1人・更新ごと）", "Renewal fee (per parent, each renewal)"),
        "deposit": ("預り金（親1人・終了時に返金）", "Deposit (per parent, refunded at the end)"),
        "case_deposit": ("ケース預り金（面会ごとに差引）", "Case deposit (visits drawn from it)"),
        "father_case_deposit": ("　うち父", "  father's part"),
        "mother_case_deposit": ("　うち母", "  mother's part"),
        "deposit_warn_below": ("　残りがこの額を下回ると警告", "  warn when a part left is below"),
        "insurance_per_visit": ("保険料（面会1回、料金に含む）", "Insurance (per visit, in the total)"),
    }
    out = [t("面会料金のほかの費用（この料金表）", "Other charges (this schedule)")]
    for key, amount in charges.items():
        ja, en = labels[key]
        out.append(f"  {ljust(t(ja, en), 32)}{rjust(yen(amount), 12)}")
    return out


def render_quote_text(b: FeeBreakdown, settings: Settings, o: QuoteOptions, long: LongVisit | None = None) -> str:
    schedule = settings.schedule_on(o.visit_date)
    assert schedule is not None  # price_visit succeeded, so a schedule is in force
    stype = schedule.support_type(b.support_type)
    assert stype is not None
    type_label = t(stype.label_ja, stype.label_en)
    municipality = o.municipality or _home_municipality(settings)
    area = settings.area(municipality)
    lines: list[tuple[str, int | None, str]] = []
    lines.append((t("基本料金", "Base fee"), b.base, ""))
    extra = max(0, o.children - stype.child_addon.included_children)
    if b.child_addon or extra:
        lines.append((t(f"子ども加算（{extra}人）", f"Extra children ({extra})"), b.child_addon, ""))
    extension = o.extension + (long.excess if long else 0)
    if b.extra_adults or o.extra_adults:
        lines.append((t(f"大人追加（{o.extra_adults}人）", f"Extra adults ({o.extra_adults})"), b.extra_adults, ""))
    if b.extension or extension:
        unit = stype.extension
        note = t(f"{unit.unit_minutes}分ごと {unit.unit_price:,}円", f"{unit.unit_price:,} yen per {unit.unit_minutes} min") if unit else ""
        lines.append((t(f"延長（{extension}分）", f"Extension ({extension} min)"), b.extension, note))
    where = municipality + (t("（区域外）", " (out of area)") if area and area.out_of_area else t("（区域内）", " (in area)"))
    sample = t("  ※見本の運賃: 要確認", "  * sample fare: verify") if area and area.fare_is_sample and b.transport else ""
    if schedule.transport.paid_by == "visiting_parent" and b.transport:
        who = t("父", "father") if b.father_transport else t("母", "mother")
        where += t(f"、{who}が負担", f", paid by the {who}")
    lines.append((t("交通費", "Transport"), b.transport, where + sample))
    lines.append((t("小計", "Subtotal"), b.gross, ""))
    if b.reduction:
        lines.append((t("減額", "Hardship reduction"), -b.reduction, ""))
    if b.non_member_surcharge:
        lines.append((t("非会員料金", "Non-member surcharge"), b.non_member_surcharge, ""))
    for parent, amount in (("father", b.father_member_discount), ("mother", b.mother_member_discount)):
        if amount:
            who = t("父", "father") if parent == "father" else t("母", "mother")
            lines.append((t(f"会員割引（{who}）", f"Member discount ({who})"), -amount, ""))
    if b.insurance:
        lines.append((t("保険料", "Insurance"), b.insurance, ""))
    if b.costs:
        rule = {"ratio": t("負担割合", "by the ratio"), "equal": t("折半", "half each"),
                "visiting_parent": t("別居親", "visiting parent")}[schedule.costs_split]
        lines.append((t("実費", "Actual costs"), b.costs, rule))
    lines.append((t("合計", "Total"), b.total, ""))
    lines.append((t(f"父負担（{o.ratio}）", f"Father pays ({o.ratio})"), b.father_share, ""))
    lines.append((t("母負担", "Mother pays"), b.mother_share, ""))

    head = t(
        f"見積り: {type_label}  {format_era(o.visit_date)}（{o.visit_date.isoformat()}）  料金表: {b.schedule}",
        f"Quote: {type_label}  {o.visit_date.isoformat()}  schedule: {b.schedule}",
    )
    out = [head]
    for label, amount, note in lines:
        amount_text = "" if amount is None else yen(amount)
        out.append(f"  {ljust(label, 24)}{rjust(amount_text, 12)}  {note}".rstrip())
    out.append(f"  {ljust(t('支払期限', 'Payment due'), 24)}{rjust(_day(b.due_date), 12)}")
    notes = [cap_note(cap) for cap in b.caps]
    if long is not None:
        notes.insert(0, (f"面会 {long.duration}分は料金の{long.included}分を{long.excess}分超えるため、その分を延長として計算しました"
                         "（延長は事前の合意が必要です）",
                         f"the visit's {long.duration} min exceed the fee's {long.included} min by {long.excess} min, "
                         "priced as an extension (extensions need prior agreement)"))
    if b.cancelled and o.cancelled_at is not None and o.cancelled_by != "organisation":
        odd = implausible_notice(o.visit_date, None, o.cancelled_at, settings.rules.notice_max_days_before)
        if odd is not None:
            notes.append(notice_note(odd, settings.rules.notice_max_days_before))
    if b.cancelled:
        out.append("")
        out.append(_cancellation_text(b, o))
    charges = contract_charges(settings, o.visit_date, o.ratio)
    if charges:
        out.append("")
        out += _contract_text(charges)
    if notes:
        out.append("")
        out += [t(f"※ {ja}", f"* {en}") for ja, en in notes]
    return "\n".join(out)


def notice_note(reason: str, days: int) -> tuple[str, str]:
    """(ja, en): a cancellation notice that is almost surely mistyped; priced by the rule all the same."""
    if reason == "after_start":
        return ("中止連絡日時が面会の開始より後です。入力の誤りでないか確認してください（規則どおり返金なしで計算しました）",
                "the cancellation notice is after the visit began; check it (priced by the rule: no refund)")
    return (f"中止連絡日時が面会日の{days}日以上前です。入力の誤りでないか確認してください（規則どおりに計算しました）",
            f"the cancellation notice is more than {days} days before the visit; check it (priced by the rule)")


def _day(d: date) -> str:
    return t(format_era(d), d.isoformat())


def _cancellation_text(b: FeeBreakdown, o: QuoteOptions) -> str:
    if o.cancelled_by == "organisation":
        head = t("団体都合の中止: 全額返金", "Cancelled by the organisation: full refund")
    else:
        when = o.cancelled_at.strftime("%Y-%m-%d %H:%M") if o.cancelled_at else ""
        head = t(f"中止連絡 {when}: 返金 {yen(b.refund or 0)}（差引 {yen(b.cancellation_charge or 0)}）",
                 f"Cancelled at {when}: refund {yen(b.refund or 0)} (kept {yen(b.cancellation_charge or 0)})")
    return "\n".join([
        head,
        f"  {ljust(t('父へ返金', 'Refund to father'), 24)}{rjust(yen(b.father_refund or 0), 12)}",
        f"  {ljust(t('母へ返金', 'Refund to mother'), 24)}{rjust(yen(b.mother_refund or 0), 12)}",
    ])
