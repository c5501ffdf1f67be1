"""The sample generator: deterministic, the shipped sample's deliberate mistakes are where the list says,
the records obey the rule book everywhere else, the distributions the issue asks for, and it scales to
50,000 visits.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from xlsbridge.domain.jpcalendar import add_months, age_on, grade_on
from xlsbridge.domain.layout import CASES, CHILDREN, CONTACTS, STAFF, VISITS
from xlsbridge.samples.generate import (
    DELIBERATE_MISTAKES,
    IN_AREA,
    OUT_OF_AREA,
    SAMPLE_CASES,
    SAMPLE_SEED,
    SAMPLE_START,
    SAMPLE_TODAY,
    default_today,
    generate_sample,
)
from xlsbridge.io.settings_toml import default_settings

ROOT = Path(__file__).resolve().parents[2]
WEK = default_settings()
CODES = {"extension-unit", "extension-not-allowed", "place-parent-home", "municipality-unknown",
         "visit-before-contract", "held-visit-incomplete", "cancel-time-missing", "unknown-case-id"}


@pytest.fixture(scope="module")
def shipped():
    return generate_sample(SAMPLE_CASES, SAMPLE_SEED, SAMPLE_START)


def _by_case(records):
    cases = {c["case_id"]: c for c in records.cases}
    children: dict[str, list] = {}
    for ch in records.children:
        children.setdefault(ch["case_id"], []).append(ch)
    return cases, children


def _mistake_rows(records) -> dict[int, str]:
    return {m.row: m.code for m in records.mistakes}


# ---- determinism and the shipped list ---------------------------------------------------------


def test_today_of_the_shipped_sample():
    assert default_today(SAMPLE_START) == SAMPLE_TODAY == date(2026, 3, 1)


def test_deterministic_for_a_seed(shipped):
    again = generate_sample(SAMPLE_CASES, SAMPLE_SEED, SAMPLE_START)
    assert again.sheets == shipped.sheets and again.mistakes == shipped.mistakes
    other = generate_sample(SAMPLE_CASES, SAMPLE_SEED + 1, SAMPLE_START)
    assert other.sheets != shipped.sheets


def test_rows_are_keyed_by_layout_columns(shipped):
    for layout in (CASES, CONTACTS, CHILDREN, VISITS, STAFF):
        keys = {c.key for c in layout.input_columns}
        for row in shipped.sheets[layout.name]:
            assert set(row) <= keys, layout.name
    assert all(set(v) == {c.key for c in VISITS.input_columns} for v in shipped.visits)


def test_deliberate_mistakes_are_where_the_list_says(shipped):
    assert shipped.mistakes == DELIBERATE_MISTAKES
    assert {m.code for m in DELIBERATE_MISTAKES} == CODES and len(DELIBERATE_MISTAKES) == len(CODES)
    for m in DELIBERATE_MISTAKES:
        visit = shipped.visits[m.row - 2]
        value = visit[m.column]
        expected = {
            "extension-unit": lambda: value == 45 and visit["support_type"] == "accompanied",
            "extension-not-allowed": lambda: value == 30 and visit["support_type"] == "handover",
            "place-parent-home": lambda: value == "parent_home",
            "municipality-unknown": lambda: WEK.area(value) is None,
            "held-visit-incomplete": lambda: value is None and visit["status"] == "held",
            "cancel-time-missing": lambda: value is None and visit["status"] == "cancelled"
            and visit["cancelled_by"] in ("father", "mother"),
            "unknown-case-id": lambda: value not in {c["case_id"] for c in shipped.cases},
            "visit-before-contract": lambda: True,  # checked in test_contracts_and_terms
        }[m.code]
        assert expected(), m


def test_readme_lists_every_mistake():
    readme = (ROOT / "workbooks" / "README.md").read_text(encoding="utf-8")
    for m in DELIBERATE_MISTAKES:
        line = next((ln for ln in readme.splitlines() if ln.startswith(f"| {m.cell} |")), None)
        assert line is not None, m.cell
        assert f"`{m.code}`" in line and m.header in line


def test_mistake_cells_follow_the_layout():
    m = DELIBERATE_MISTAKES[0]
    letters = [c.key for c in VISITS.columns]
    assert m.cell == f"面会記録!{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[letters.index(m.column)]}{m.row}"


def test_without_mistakes():
    clean = generate_sample(SAMPLE_CASES, SAMPLE_SEED, SAMPLE_START, mistakes=False)
    assert clean.mistakes == ()
    assert all(v["place_kind"] != "parent_home" for v in clean.visits)


# ---- the rule book, everywhere except the mistakes ---------------------------------------------


def test_children(shipped):
    cases, children = _by_case(shipped)
    visits: dict[str, list] = {}
    for v in shipped.visits:
        visits.setdefault(v["case_id"], []).append(v)
    assert len(shipped.children) > len(shipped.cases)
    for case_id, kids in children.items():
        case = cases[case_id]
        for ch in kids:
            assert ch["prefecture"] == "石川県"
            assert age_on(ch["birth_date"], case["application_date"]) >= 3
            for v in visits.get(case_id, []):
                if v["status"] != "cancelled":
                    assert grade_on(ch["birth_date"], v["visit_date"]) <= 6, (case_id, v["visit_id"])
            if case["status"] == "consulting":
                continue
            signed = _signed(case)
            for n in range(1, case["renewals"] + 1):
                assert grade_on(ch["birth_date"], add_months(signed, 12 * n)) <= 6
        for v in visits.get(case_id, []):
            assert 1 <= v["children"] <= len(kids)


def _signed(case):
    return max(case["father.contract_date"], case["mother.contract_date"])


def test_contracts_and_terms(shipped):
    cases, _ = _by_case(shipped)
    mistakes = _mistake_rows(shipped)
    first_visit: dict[str, date] = {}
    for row, v in enumerate(shipped.visits, start=2):
        case = cases.get(v["case_id"])
        if case is None:
            assert mistakes[row] == "unknown-case-id"
            continue
        signed = _signed(case)
        end = add_months(signed, 12 * (case["renewals"] + 1)) - timedelta(days=1)
        if v["visit_date"] < signed:
            assert mistakes.get(row) == "visit-before-contract"
            assert min(case["father.contract_date"], case["mother.contract_date"]) <= v["visit_date"]
        assert v["visit_date"] <= end
        if case["terminated_on"]:
            assert v["visit_date"] < case["terminated_on"]
        if v["status"] != "cancelled":
            first_visit[v["case_id"]] = min(first_visit.get(v["case_id"], date.max), v["visit_date"])
        assert (v["status"] == "planned") == (v["visit_date"] >= shipped.today)
    for case_id, first in first_visit.items():
        case = cases[case_id]
        for parent in ("father", "mother"):
            assert (first - case[f"{parent}.pre_consultation"]).days >= WEK.rules.pre_consultation_days
            assert case[f"{parent}.pre_consultation"] >= case["application_date"]
    for case in shipped.cases:
        if case["status"] == "consulting":
            assert case["father.contract_date"] is None and case["mother.contract_date"] is None
            assert case["case_id"] not in first_visit


def test_visits_obey_the_fee_rules(shipped):
    mistakes = _mistake_rows(shipped)
    cases, _ = _by_case(shipped)
    for row, v in enumerate(shipped.visits, start=2):
        if row in mistakes:
            continue
        ext = v["extension_minutes"] or 0
        if ext:
            assert v["support_type"] == "accompanied" and ext % 30 == 0 and ext <= 120 and v["extension_agreed"]
        assert v["place_kind"] != "parent_home" and not re.search(r"(父|母|親)の?(自宅|宅|家|実家)", v["place"])
        assert WEK.area(v["municipality"]) is not None
        assert v["support_type"] == cases[v["case_id"]]["support_type"]
        if v["status"] == "held":
            assert v["start"] and v["end"] and v["staff"] and v["content"]
            booked = (v["end"].hour * 60 + v["end"].minute) - (v["start"].hour * 60 + v["start"].minute) - ext
            assert booked > 0
            if v["support_type"] == "accompanied":
                assert booked == 120
        if v["status"] == "cancelled":
            assert v["cancelled_by"] in ("father", "mother", "organisation")
            assert v["cancelled_at"] < _start(v)


def _start(v):
    from datetime import datetime

    return datetime.combine(v["visit_date"], v["start"])


def test_national_programme_case(shipped):
    national = [c for c in shipped.cases if c["national_program"]]
    assert len(national) == 1
    case = national[0]
    assert case["child_support_allowance"] and case["renewals"] == 0
    visits = [v for v in shipped.visits if v["case_id"] == case["case_id"] and v["status"] != "cancelled"]
    months = Counter((v["visit_date"].year, v["visit_date"].month) for v in visits)
    assert visits and max(months.values()) == 1
    year_end = add_months(_signed(case), 12) - timedelta(days=1)
    assert all(_signed(case) <= v["visit_date"] <= year_end for v in visits)


# ---- distributions ---------------------------------------------------------------------------


def test_distributions(shipped):
    visits = shipped.visits
    assert len(shipped.cases) == 40 and 300 <= len(visits) <= 700
    assert {v["support_type"] for v in visits} == {"coordination", "handover", "accompanied"}
    assert {c["status"] for c in shipped.cases} == {"consulting", "active", "closed", "terminated"}
    assert any(c["father.member"] or c["mother.member"] for c in shipped.cases)
    assert any(not c["father.member"] and not c["mother.member"] for c in shipped.cases)
    ratios = {c["ratio"] for c in shipped.cases}
    assert {"1:1", "60:40", "1:0"} <= ratios
    places = {v["municipality"] for v in visits}
    assert {"小松市", "七尾市"} <= places and places & set(IN_AREA)
    assert all(WEK.area(m).out_of_area for m in OUT_OF_AREA)
    assert {v["status"] for v in visits} == {"held", "planned", "cancelled"}
    assert any(v["extension_minutes"] for v in visits if v["support_type"] == "accompanied")
    assert any(c["reduction"] and c["reduction_reason"] for c in shipped.cases)
    assert any(c["renewals"] >= 1 for c in shipped.cases)
    assert min(v["visit_date"] for v in visits) < date(2024, 6, 1)
    assert max(v["visit_date"] for v in visits if v["status"] != "planned") < SAMPLE_TODAY


def test_cancellations_on_both_sides_of_the_cut_off(shipped):
    tier = WEK.schedules[0].cancellation.tiers[0]  # 前日 12:00
    before = after = by_org = 0
    for v in shipped.visits:
        if v["status"] != "cancelled" or v["cancelled_at"] is None:
            continue
        if v["cancelled_by"] == "organisation":
            by_org += 1
            continue
        cutoff = _start(v).replace(hour=tier.at.hour, minute=tier.at.minute) - timedelta(days=tier.days_before)
        if v["cancelled_at"] < cutoff:
            before += 1
        else:
            after += 1
    assert before and after and by_org
    notices = {(v["visit_date"] - v["cancelled_at"].date(), v["cancelled_at"].time().isoformat("minutes"))
               for v in shipped.visits if v["cancelled_at"]}
    assert (timedelta(days=1), "11:30") in notices and (timedelta(days=1), "12:00") in notices


def test_terminated_case(shipped):
    terminated = [c for c in shipped.cases if c["status"] == "terminated"]
    assert len(terminated) == 1
    case = terminated[0]
    assert case["terminated_on"] and case["termination_reason"]
    assert any(v["case_id"] == case["case_id"] for v in shipped.visits)


def test_child_enters_junior_high_before_renewal(shipped):
    cases, children = _by_case(shipped)
    found = []
    for case in shipped.cases:
        if case["status"] != "active":
            continue
        renewal = add_months(_signed(case), 12 * (case["renewals"] + 1))
        if renewal <= shipped.today + timedelta(days=60):
            for ch in children[case["case_id"]]:
                if grade_on(ch["birth_date"], renewal) >= 7 and grade_on(ch["birth_date"], shipped.today) <= 6:
                    found.append((case["case_id"], renewal))
    assert found


def test_contacts_are_clearly_fictional(shipped):
    assert len(shipped.contacts) == 2 * len(shipped.cases)
    for contact in shipped.contacts:
        assert re.fullmatch(r"0[789]0-0000-\d{4}", contact["phone"])
        assert contact["email"].endswith("@example.jp")
        assert "見本町" in contact["address"]
    phones = [c["phone"] for c in shipped.contacts]
    assert len(set(phones)) == len(phones)


def test_staff(shipped):
    names = {s["name"] for s in shipped.staff if s["active"]}
    assert any(not s["active"] for s in shipped.staff)
    for v in shipped.visits:
        assert v["staff"] in names
    for c in shipped.cases:
        assert c["staff"] in names


# ---- scale -----------------------------------------------------------------------------------


def test_scales_to_fifty_thousand_visits():
    big = generate_sample(4800, 7, SAMPLE_START)
    assert len(big.visits) >= 50_000
    assert len({v["visit_id"] for v in big.visits}) == len(big.visits)
    assert len({c["case_id"] for c in big.cases}) == 4800
    assert {m.code for m in big.mistakes} == CODES
    share = Counter(v["support_type"] for v in big.visits)
    assert all(0.1 < share[k] / len(big.visits) < 0.7 for k in ("coordination", "handover", "accompanied"))
    assert sum(c["national_program"] for c in big.cases) >= 100


def _mix(records) -> dict[str, float]:
    """The shares a benchmark ledger must have like the shipped sample."""
    visits, cases = records.visits, records.cases
    accompanied = [v for v in visits if v["support_type"] == "accompanied"]
    cancelled = [v for v in visits if v["status"] == "cancelled"]
    share = lambda hits, among: sum(1 for x in among if hits(x)) / len(among)  # noqa: E731
    mix = {"visits per case": len(visits) / len(cases), "children per case": len(records.children) / len(cases),
           "out of area": share(lambda v: v["municipality"] in OUT_OF_AREA, visits),
           "a member parent": share(lambda c: c["father.member"] or c["mother.member"], cases),
           "extended": share(lambda v: v["extension_minutes"], accompanied),
           "cancelled by the organisation": share(lambda v: v["cancelled_by"] == "organisation", cancelled),
           "national programme": share(lambda c: c["national_program"], cases)}
    for key in ("coordination", "handover", "accompanied"):
        mix[key] = share(lambda v: v["support_type"] == key, visits)
    for status in ("held", "planned", "cancelled"):
        mix[f"visit {status}"] = share(lambda v: v["status"] == status, visits)
    for status in ("active", "closed", "consulting", "terminated"):
        mix[f"case {status}"] = share(lambda c: c["status"] == status, cases)
    return mix


# How far a share of the 40-case shipped sample may be from a large sample's: its sampling error.
MIX_TOLERANCE = {"visits per case": 2.5, "children per case": 0.3, "a member parent": 0.15, "extended": 0.1,
                 "cancelled by the organisation": 0.15, "coordination": 0.1, "handover": 0.12, "accompanied": 0.15,
                 "case active": 0.1, "case closed": 0.1}


def test_benchmark_ledgers_have_the_shipped_samples_mix(shipped):
    # The benchmark's 5,000-visit ledger (seed 7, 480 cases): the same generator tables, so the same
    # shares as the shipped sample within the shipped sample's sampling error (default 0.05).
    big = generate_sample(480, 7, SAMPLE_START)
    small, large = _mix(shipped), _mix(big)
    for key, value in small.items():
        assert abs(large[key] - value) <= MIX_TOLERANCE.get(key, 0.05), (key, value, large[key])
    # and it is made of the same kinds of records, mistakes included
    assert {v["place_kind"] for v in big.visits} == {v["place_kind"] for v in shipped.visits}
    assert {c["ratio"] for c in big.cases} >= {c["ratio"] for c in shipped.cases}
    assert {m.code for m in big.mistakes} == {m.code for m in shipped.mistakes} == CODES


def test_sample_command(tmp_path):
    out = tmp_path / "練習.xlsx"
    args = [sys.executable, "-m", "xlsbridge.cli.main", "sample", "--cases", "12", "--seed", "3", "--out", str(out)]
    p = subprocess.run(args, capture_output=True, text=True, encoding="utf-8")
    assert p.returncode == 0, p.stderr
    first = out.read_bytes()
    assert "面会" in p.stderr and "わざと入れた誤り" in p.stderr and p.stdout == ""
    p = subprocess.run(args, capture_output=True, text=True, encoding="utf-8")
    assert p.returncode == 2 and "--force" in p.stderr
    p = subprocess.run(args + ["--force"], capture_output=True, text=True, encoding="utf-8")
    assert p.returncode == 0 and out.read_bytes() == first


def test_sample_command_matches_the_shipped_sample(tmp_path):
    out = tmp_path / "s.xlsx"
    p = subprocess.run([sys.executable, "-m", "xlsbridge.cli.main", "sample", "--cases", "40", "--seed", "1",
                        "--out", str(out)], capture_output=True, text=True, encoding="utf-8")
    assert p.returncode == 0, p.stderr
    assert out.read_bytes() == (ROOT / "workbooks" / "案件台帳サンプル.xlsx").read_bytes()


def test_shipped_sample_validates_to_exactly_the_mistakes():
    from xlsbridge.domain.rules import validate_ledger
    from xlsbridge.io.reader import read_ledger

    read = read_ledger(ROOT / "workbooks" / "案件台帳サンプル.xlsx")
    findings = list(read.findings) + validate_ledger(read.ledger, SAMPLE_TODAY)
    got = sorted((f.location.sheet, f.location.row or 0, f.location.field or "", f.code) for f in findings)
    assert got == sorted((m.sheet, m.row, m.column, m.code) for m in DELIBERATE_MISTAKES)
