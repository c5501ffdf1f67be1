"""Price one visit from loose options (the `quote` command) and render the result."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..domain.jpcalendar import format_era
from ..domain.money import Ratio, RatioError
from ..domain.pricing import FeeBreakdown, PricingError, PricingRequest, price_visit
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


def quote_visit(options: QuoteOptions) -> tuple[FeeBreakdown, Settings]:
    settings = load_settings(options.settings_path)
    municipality = options.municipality or _home_municipality(settings)
    try:
        ratio = Ratio.parse(options.ratio)
    except RatioError:
        raise UserError(
            f"--ratio は「父:母」で書いてください（例 1:1、60:40、1:0）。入力: {options.ratio}",
            f"write --ratio as father:mother (e.g. 1:1, 60:40, 1:0); got {options.ratio}",
        ) from None
    request = PricingRequest.with_member(
        options.member,
        support_type=options.support_type,
        visit_date=options.visit_date,
        children=options.children,
        extension_minutes=options.extension,
        duration_minutes=options.duration,
        municipality=municipality,
        ratio=ratio,
        reduction=options.reduction,
        cancelled_at=options.cancelled_at,
        cancelled_by=options.cancelled_by,
    )
    try:
        return price_visit(request, settings), settings
    except PricingError as exc:
        # The catalogue message already says what to fix, in the current language.
        raise _as_user_error(exc) from None


def _home_municipality(settings: Settings) -> str:
    home = next((a.municipality for a in settings.areas if not a.out_of_area), None)
    if home is None:
        raise UserError("区域表に区域内の市町村がありません。--municipality を指定してください",
                        "the area table has no in-area municipality; give --municipality")
    return home


def _as_user_error(exc: PricingError) -> UserError:
    from ..i18n import set_lang, get_lang

    lang = get_lang()
    try:
        set_lang("ja")
        ja = exc.message()
        set_lang("en")
        en = exc.message()
    finally:
        set_lang(lang)
    return UserError(ja, en)


def render_quote_json(b: FeeBreakdown) -> str:
    return json.dumps(b.as_json(), ensure_ascii=False, indent=2)


def render_quote_text(b: FeeBreakdown, settings: Settings, o: QuoteOptions) -> str:
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
    if b.extension or o.extension:
        unit = stype.extension
        note = t(f"{unit.unit_minutes}分ごと {unit.unit_price:,}円", f"{unit.unit_price:,} yen per {unit.unit_minutes} min") if unit else ""
        lines.append((t(f"延長（{o.extension}分）", f"Extension ({o.extension} min)"), b.extension, note))
    where = municipality + (t("（区域外）", " (out of area)") if area and area.out_of_area else t("（区域内）", " (in area)"))
    sample = t("  ※見本の運賃: 要確認", "  * sample fare: verify") if area and area.fare_is_sample and b.transport else ""
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
    if b.cancelled:
        out.append("")
        out.append(_cancellation_text(b, o))
    return "\n".join(out)


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
