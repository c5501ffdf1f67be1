"""The shortcuts that make a 50,000-visit ledger fast give the same answers as the plain way.

* the fee rule asks the engine once per ``refusal_key``: requests with the same key are refused alike
  (checked over generated requests), and the rule's findings equal asking the engine visit by visit;
* the reader converts each distinct cell value of a column once: values that compare equal but are
  different things (True, 1, 1.0) are still read each as itself;
* the termination rule finds the earlier terminated case through the parents' keys, the first in
  ledger order as before.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from hypothesis import given, settings as hyp_settings, strategies as st
from tests.ledger_builder import WEK, address, check, clean_case, clean_child, clean_spec, found, write_ledger

from xlsbridge.domain.ledger import Case
from xlsbridge.domain.ledger_fees import pricing_request
from xlsbridge.domain.money import Ratio
from xlsbridge.domain.pricing import PricingError, PricingRequest, VisitPricer, price_visit, refusal_key
from xlsbridge.domain.rules import visits as visit_rules
from xlsbridge.domain.rules._common import VISITS_SHEET, finding, index
from xlsbridge.domain.layout import CASES, VISITS
from xlsbridge.io.reader import read_ledger, read_ledger_rows

# ---- the fee rule ------------------------------------------------------------------------------

MUNICIPALITIES = ("金沢市", "小松市", "七尾市", "石川県加賀市", "　白山市 ", "東京都練馬区", "")
TYPES = ("coordination", "handover", "accompanied", "supervised")


def _refusal(fields: dict[str, Any]) -> tuple | None:
    try:
        price_visit(PricingRequest(**fields), WEK)
    except PricingError as exc:
        return exc.code, exc.field, exc.params
    return None


requests = st.fixed_dictionaries({
    "support_type": st.sampled_from(TYPES),
    "visit_date": st.dates(date(2018, 8, 1), date(2030, 12, 31)),
    "children": st.integers(-1, 6),
    "extension_minutes": st.sampled_from((0, 15, 30, 45, 60, 120, 150, -30)),
    "extension_agreed": st.booleans(),
    "duration_minutes": st.sampled_from((None, -10, 0, 60, 120, 180, 240, 600)),
    "municipality": st.sampled_from(MUNICIPALITIES),
    "father_member": st.booleans(),
    "mother_member": st.booleans(),
    "ratio": st.sampled_from((Ratio.even(), Ratio.parse("60:40"), Ratio.parse("1:0"))),
    "reduction": st.sampled_from((0, 500, 20000, -100)),
    "cancelled_at": st.one_of(st.none(), st.datetimes(datetime(2018, 8, 1), datetime(2030, 12, 31))),
    "cancelled_by": st.sampled_from((None, "father", "mother", "organisation")),
})


@hyp_settings(max_examples=400, deadline=None)
@given(requests, st.dates(date(2018, 8, 1), date(2030, 12, 31)),
       st.datetimes(datetime(2018, 8, 1), datetime(2030, 12, 31)), st.booleans(), st.booleans(),
       st.sampled_from((Ratio.even(), Ratio.parse("7:3"), Ratio.parse("0:1"))))
def test_requests_with_one_refusal_key_are_refused_alike(fields, other_day, other_notice, father, mother, ratio):
    # WEK has one schedule, in force from 2018-07-01: every date here picks it, so only the day changes.
    twin = {**fields, "visit_date": other_day, "father_member": father, "mother_member": mother, "ratio": ratio,
            "cancelled_at": None if fields["cancelled_at"] is None else other_notice}
    assert refusal_key(fields, WEK) == refusal_key(twin, WEK)
    assert _refusal(fields) == _refusal(twin)


def test_the_key_tells_schedules_apart():
    # A request dated before the first schedule is refused with its own date; two such dates differ.
    early = {"support_type": "handover", "visit_date": date(2017, 1, 5), "children": 1, "extension_minutes": 0,
             "extension_agreed": False, "duration_minutes": None, "municipality": "金沢市", "reduction": 0,
             "cancelled_at": None, "cancelled_by": None}
    later = {**early, "visit_date": date(2017, 1, 6)}
    assert refusal_key(early, WEK) != refusal_key(later, WEK)
    assert _refusal({**early, "father_member": False, "mother_member": False, "ratio": Ratio.even()}) == (
        "no-fee-schedule", "visit_date", {"date": "2017-01-05"})


def _visit_by_visit(ledger) -> list:
    """The fee rule as it was before the memo: the engine asked for every visit."""
    settings = ledger.settings
    idx = index(ledger)
    neutral = visit_rules._neutral_municipality(settings)
    out = []
    for visit in ledger.visits:
        case = idx.cases.get(visit.case_id or "", Case())
        if visit.visit_date is None or visit.support_type is None:
            continue
        if visit.children is None:
            visit = visit.model_copy(update={"children": 1})
        update: dict[str, Any] = {"reduction": 0}
        if visit.municipality is None and neutral:
            update["municipality"] = neutral
        req = pricing_request(case, visit).model_copy(update=update)
        if visit.status == "cancelled" and visit.cancelled_by is None and visit.cancelled_at is None:
            out.append(finding("cancel-by-missing", VISITS_SHEET, visit.row, "cancelled_by", None, visit.visit_id))
            req = req.model_copy(update={"cancelled_by": "father"})
        for code, field, value, params in visit_rules._refusals(req, settings, neutral):
            out.append(finding(code, VISITS_SHEET, visit.row, field, value, visit.visit_id,
                               **visit_rules.timed(code, visit, params)))
    return out


# Each visit of the ledger gets one of these, in turn: every refusal, several at once, and clean ones.
VARIANTS: tuple[dict[str, Any], ...] = (
    {},
    {"children": 0},
    {"children": None},
    {"children": 7},
    {"extension_minutes": 45, "extension_agreed": True},
    {"extension_minutes": 150, "extension_agreed": True},
    {"extension_minutes": 60, "extension_agreed": False},
    {"support_type": "handover", "extension_minutes": 30},
    {"support_type": "supervised"},
    {"municipality": "東京都練馬区"},
    {"municipality": None},
    {"municipality": "石川県小松市"},
    {"status": "cancelled", "cancelled_by": None, "cancelled_at": None},
    {"status": "cancelled", "cancelled_by": "mother", "cancelled_at": None},
    {"status": "cancelled", "cancelled_by": None, "cancelled_at": datetime(2025, 1, 1, 9, 0)},
    {"status": "cancelled", "cancelled_by": "organisation", "cancelled_at": None},
    {"start": time(9, 0), "end": time(8, 0)},
    {"start": time(9, 0), "end": time(20, 0)},
    {"children": 0, "municipality": "東京都練馬区", "extension_minutes": 45, "extension_agreed": True},
    {"visit_date": date(2017, 3, 1)},
)


def test_fee_rule_equals_asking_the_engine_for_every_visit(tmp_path):
    from xlsbridge.samples.generate import SAMPLE_START, generate_sample
    from xlsbridge.io.settings_toml import default_settings
    from xlsbridge.io.template import build_template

    path = tmp_path / "sample.xlsx"
    build_template(default_settings(), sample=generate_sample(60, 5, SAMPLE_START)).save(path)
    ledger = read_ledger(path).ledger
    visits = tuple(v.model_copy(update=VARIANTS[i % len(VARIANTS)]) for i, v in enumerate(ledger.visits))
    ledger = ledger.model_copy(update={"visits": visits})
    assert len(visits) > 10 * len(VARIANTS)  # every variant on many visits, with different cases and dates

    fast = list(visit_rules.fee_rules(ledger, ledger.settings, date(2026, 3, 1)))
    slow = _visit_by_visit(ledger)
    assert fast == slow
    # and the variants were refused: each refusal the WEK schedule can make shows up (WEK has no cap on
    # children and no upper band, so children-too-many and duration-over-bands cannot occur; its types are
    # flat, so duration-needed cannot either; 09:00–20:00 accompanied is longer than the fee's 2 hours)
    assert {f.code for f in fast} == {"children-too-few", "extension-unit", "extension-over-cap",
                                      "extension-not-agreed", "extension-not-allowed", "unknown-support-type",
                                      "municipality-unknown", "cancel-by-missing", "cancel-time-missing",
                                      "duration-invalid", "duration-over-included", "no-fee-schedule"}


# ---- the reader --------------------------------------------------------------------------------


def _rows(path) -> tuple[dict[str, list[list[Any]]], list[str]]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}, wb.sheetnames


def test_equal_values_of_different_types_are_read_each_as_itself(tmp_path):
    spec = clean_spec()
    spec.visits = [dict(spec.visits[0], visit_id=f"V-{i:03d}") for i in range(1, 7)]
    sheets, titles = _rows(write_ledger(tmp_path / "l.xlsx", spec))
    keys = [c.key for c in VISITS.columns]
    children, agreed, extension = keys.index("children"), keys.index("extension_agreed"), keys.index("extension_minutes")
    # children: 1, 1.0, True, 1, "１人", True — an int column reads 1 and 1.0 as 1 but TRUE is not a number;
    # 延長事前相談: True, 1, 1.0, "○", 0, False — a ○/× column reads them all as yes/no.
    for row, (kids, yes) in zip(sheets[VISITS.name][1:], [(1, True), (1.0, 1), (True, 1.0), (1, "○"), ("１人", 0),
                                                           (True, False)]):
        row[children], row[agreed], row[extension] = kids, yes, 0
    read = read_ledger_rows(sheets, titles)
    got = [(v.visit_id, v.children, v.extension_agreed) for v in read.ledger.visits]
    assert got == [("V-001", 1, True), ("V-002", 1, True), ("V-003", None, True), ("V-004", 1, True),
                   ("V-005", 1, False), ("V-006", None, False)]
    problems = [(f.code, f.location.row, f.location.field, f.value) for f in read.findings]
    assert problems == [("cell-not-a-number", 4, "children", "TRUE"), ("cell-not-a-number", 7, "children", "TRUE")]


def test_a_blank_or_unhashable_cell_in_rows_handed_over(tmp_path):
    spec = clean_spec()
    sheets, titles = _rows(write_ledger(tmp_path / "l.xlsx", spec))
    keys = [c.key for c in VISITS.columns]
    first, second = sheets[VISITS.name][1], sheets[VISITS.name][2]
    first[keys.index("content")] = ["unhashable"]  # no cell holds a list; the reader still reads it as text
    second[keys.index("place")] = "   "  # blank: as if empty
    read = read_ledger_rows(sheets, titles)
    assert read.ledger.visits[0].content == "['unhashable']"
    assert read.ledger.visits[1].place is None


def test_error_text_and_unreadable_cells_point_at_their_cells(tmp_path):
    spec = clean_spec()
    spec.visits[0]["children"] = "#N/A"
    spec.visits[1]["extension_minutes"] = "abc"
    report = check(tmp_path / "l.xlsx", spec)
    assert found(report) >= {("cell-error-value", address(VISITS.name, "children", 2)),
                             ("cell-not-a-number", address(VISITS.name, "extension_minutes", 3))}


# ---- the termination rule ------------------------------------------------------------------------


def test_the_first_terminated_case_in_ledger_order_is_named(tmp_path):
    spec = clean_spec()
    family = {"father.name": "北陸 太郎", "mother.name": "北陸 花子"}
    spec.cases = [
        clean_case(case_id="C-001", status="terminated", terminated_on=date(2025, 5, 10),
                   termination_reason="威圧的な言動", **family),
        clean_case(case_id="C-002", status="terminated", terminated_on=date(2025, 4, 10),
                   termination_reason="威圧的な言動", **family),
        clean_case(case_id="C-003", application_date=date(2025, 6, 1), status="consulting",
                   **{**family, "father.contract_date": None, "mother.contract_date": None}),
    ]
    spec.children = [clean_child(case_id=c) for c in ("C-001", "C-002", "C-003")]
    spec.visits = []
    report = check(tmp_path / "l.xlsx", spec)
    hits = [i for i in report.items if i.code == "terminated-person-new-case"]
    # C-003 (row 4) was applied for after both terminations; the first terminated case in the sheet is C-001.
    assert [(i.cell, i.record) for i in hits] == [(address(CASES.name, "case_id", 4).split("!")[1], "C-003")]
    assert "C-001" in hits[0].message and "C-002" not in hits[0].message



# ---- pricing a ledger: the engine asked once per request apart from its date --------------------

def _priced(price, fields: dict[str, Any]):
    try:
        return price(fields)
    except ValueError as exc:  # PricingError, or pydantic refusing the request
        return type(exc), getattr(exc, "code", None), getattr(exc, "params", None)


@hyp_settings(max_examples=300, deadline=None)
@given(st.lists(requests, min_size=1, max_size=6), st.lists(st.dates(date(2018, 8, 1), date(2030, 12, 31)),
                                                            min_size=1, max_size=4))
def test_the_visit_pricer_answers_as_the_engine(batch, days):
    # The same requests on several dates, through one VisitPricer (which remembers) and through the
    # engine asked each time: the same breakdown (due date included) or the same refusal, every time.
    pricer = VisitPricer(WEK)
    for fields in batch:
        for day in days:
            dated = {**fields, "visit_date": day}
            engine = _priced(lambda f: price_visit(PricingRequest(**f), WEK), dated)
            assert _priced(pricer, dated) == engine
            assert _priced(pricer, dated) == engine  # asked again: from memory


def test_the_visit_pricer_keeps_the_due_date_of_each_visit():
    # WEK: payment due 5 days before the visit (domain.md "Payment is due 5 days before the visit
    # date").  Two plain handovers a week apart share one engine answer; each keeps its own due date:
    # 2025-06-07 → 06-02, 2025-06-14 → 06-09.
    pricer = VisitPricer(WEK)
    base = {"support_type": "handover", "children": 1, "extension_minutes": 0, "extension_agreed": True,
            "duration_minutes": None, "municipality": "金沢市", "father_member": False, "mother_member": False,
            "ratio": Ratio.even(), "reduction": 0, "cancelled_at": None, "cancelled_by": None}
    first = pricer({**base, "visit_date": date(2025, 6, 7)})
    second = pricer({**base, "visit_date": date(2025, 6, 14)})
    assert (first.due_date, second.due_date) == (date(2025, 6, 2), date(2025, 6, 9))
    assert first.model_dump(exclude={"due_date"}) == second.model_dump(exclude={"due_date"})
    assert second == price_visit(PricingRequest(**{**base, "visit_date": date(2025, 6, 14)}), WEK)
    assert len(pricer._known) == 1


def test_merging_summary_rows_adds_every_count():
    # _merge spells the counts out one by one: a count added to SummaryRow later must be merged too.
    from dataclasses import fields

    from xlsbridge.domain.ledger_fees import SummaryRow, _merge

    counts = [f.name for f in fields(SummaryRow) if f.type in ("int", int)]
    row = SummaryRow("K-1", "2025-06", **{name: n + 1 for n, name in enumerate(counts)}, schedules={"A": None})
    target = SummaryRow("K-1", None, **{name: 100 for name in counts})
    _merge(target, row)
    assert {name: getattr(target, name) for name in counts} == {name: 100 + n + 1 for n, name in enumerate(counts)}
    assert list(target.schedules) == ["A"] and len(counts) == 8
