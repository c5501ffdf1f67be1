"""`xlsbridge quote`: price one visit, for a clerk on the phone or a script."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from ..i18n import t
from .common import DATE, DATETIME

TYPES = ["coordination", "handover", "accompanied"]


@click.command(
    epilog="""\b
Example:
  xlsbridge quote --type accompanied --date 2025-06-14 --children 2 --extension 60 --member father
  xlsbridge quote --type handover --date R7.6.14 --municipality 小松市 --ratio 60:40 --json
  xlsbridge quote --type accompanied --date 2025-06-14 --cancelled-at "2025-06-13 11:30" --cancelled-by mother
  xlsbridge quote --settings 案件台帳.xlsx --type handover --date 2025-06-14   # that ledger's fees
"""
)
@click.option("--type", "support_type", required=True, metavar="TYPE",
              help="Support type: coordination (連絡調整型), handover (受け渡し型), accompanied (付き添い型), "
                   "or another type defined in the settings.")
@click.option("--date", "visit_date", required=True, type=DATE, help="Visit date: 2025-06-14, 2025/6/14, R7.6.14 …")
@click.option("--children", default=1, show_default=True, type=int, help="Children at the visit.")
@click.option("--extension", default=0, show_default=True, type=int, metavar="MINUTES",
              help="Extension agreed in advance, in minutes (accompanied: 30-minute units, at most 120).")
@click.option("--duration", type=int, metavar="MINUTES",
              help="Booked time in minutes, without --extension. Time beyond what the fee covers (accompanied: 120) is priced as an "
                   "extension; required where the base price steps by duration.")
@click.option("--municipality", help="Where the handover/visit takes place (default: the first in-area "
                                      "municipality of the area table — 金沢市 for WEK).")
@click.option("--member", type=click.Choice(["none", "father", "mother", "both"]), default="none",
              show_default=True, help="Which parents are registered supporting members (賛助会員).")
@click.option("--ratio", default="1:1", show_default=True, metavar="F:M",
              help="Share father:mother agreed by the parents (1:1, 60:40, 1:0, or the father's 50%).")
@click.option("--reduction", default=0, show_default=True, type=int, metavar="YEN",
              help="Hardship reduction (減額) for this visit, in yen.")
@click.option("--cancelled-at", type=DATETIME, metavar='"YYYY-MM-DD HH:MM"',
              help="When the cancellation was notified; prints the refund.")
@click.option("--cancelled-by", type=click.Choice(["father", "mother", "organisation"]),
              help="Who cancelled (default with --cancelled-at: a parent). The organisation refunds in full.")
@click.option("--adults", "extra_adults", default=0, show_default=True, type=int, metavar="N",
              help="Accompanying adults beyond the one the fee includes (大人追加).")
@click.option("--costs", default=0, show_default=True, type=int, metavar="YEN",
              help="Actual costs of the visit (admission, petrol, room hire), split by the schedule's rule.")
@click.option("--visiting-parent", type=click.Choice(["father", "mother"]),
              help="The parent who does not live with the child: pays transport (and costs) alone where the schedule says so.")
@click.option("--settings", "settings_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Take the fee schedule and area table from this ledger (.xlsx) or organisation file (.toml) "
                   "instead of the shipped WEK schedule.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with integer yen fields.")
def quote(support_type: str, visit_date: date, children: int, extension: int, duration: int | None,
          municipality: str | None, member: str, ratio: str, reduction: int, cancelled_at: datetime | None,
          cancelled_by: str | None, extra_adults: int, costs: int, visiting_parent: str | None,
          settings_path: Path | None, as_json: bool) -> None:
    """Price one visit under the fee schedule in force on its date, itemised.

    Shows base fee, extra-child add-on, extension, out-of-area transport, member discount,
    hardship reduction, each parent's share under the agreed ratio, the payment due date and,
    for a cancelled visit, what each parent gets back.
    """
    from ..services.quote import QuoteOptions, quote_visit_explained, render_quote_json, render_quote_text

    if cancelled_at is not None and cancelled_by is None:
        cancelled_by = "father"  # any parent: the cut-off rule is the same for both
    if cancelled_by is not None and cancelled_by != "organisation" and cancelled_at is None:
        raise click.UsageError(t("--cancelled-by には --cancelled-at（中止連絡日時）も指定してください",
                                 "--cancelled-by needs --cancelled-at (when the cancellation was notified)"))
    options = QuoteOptions(
        support_type=support_type, visit_date=visit_date, children=children, extension=extension,
        duration=duration, municipality=municipality, member=member, ratio=ratio, reduction=reduction,
        cancelled_at=cancelled_at, cancelled_by=cancelled_by, settings_path=settings_path,
        extra_adults=extra_adults, costs=costs, visiting_parent=visiting_parent,
    )
    breakdown, settings, long = quote_visit_explained(options)
    click.echo(render_quote_json(breakdown, settings, options) if as_json
               else render_quote_text(breakdown, settings, options, long))
