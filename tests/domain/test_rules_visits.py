"""Visit rules: the fee engine's refusals at the visit's cells, the place, the children, held-visit
records, support type and staff.  Both sides of each boundary."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from tests.ledger_builder import address, check, clean_child, clean_spec, found

from xlsbridge.domain.layout import CASES, VISITS

V = VISITS.name


def _visit(**kw):
    spec = clean_spec()
    spec.visits[0].update(kw)
    return spec


@pytest.mark.parametrize("minutes,agreed,expected", [
    (45, True, "extension-unit"),
    (60, True, None),
    (150, True, "extension-over-cap"),
    (120, True, None),
    (30, False, "extension-not-agreed"),
    (30, True, None),
])
def test_extension_rules_of_the_fee_engine(tmp_path, minutes, agreed, expected):
    # The visit runs 10:00 to 12:00 plus the extension.
    spec = _visit(extension_minutes=minutes, extension_agreed=agreed, end=time(12 + minutes // 60, minutes % 60))
    got = found(check(tmp_path / "l.xlsx", spec))
    field = "extension_agreed" if expected == "extension-not-agreed" else "extension_minutes"
    assert got == ({(expected, address(V, field, 2))} if expected else set())


def test_extension_not_allowed_on_handover(tmp_path):
    spec = _visit(support_type="handover", extension_minutes=30, extension_agreed=True)
    spec.visits[1]["support_type"] = "handover"
    spec.cases[0]["support_type"] = "handover"
    assert found(check(tmp_path / "a.xlsx", spec)) == {("extension-not-allowed", address(V, "extension_minutes", 2))}
    spec.visits[0]["extension_minutes"] = 0
    assert found(check(tmp_path / "b.xlsx", spec)) == set()


def test_every_fee_problem_of_one_visit_is_reported(tmp_path):
    # The engine stops at the first problem; the rule neutralises it and asks again.
    spec = _visit(extension_minutes=45, extension_agreed=True, municipality="富山市", children=0)
    assert found(check(tmp_path / "l.xlsx", spec)) >= {
        ("extension-unit", address(V, "extension_minutes", 2)),
        ("municipality-unknown", address(V, "municipality", 2)),
        ("children-too-few", address(V, "children", 2)),
    }


@pytest.mark.parametrize("place,ok", [("富山市", False), ("野々市町", False), ("石川県金沢市", True), ("　金沢市 ", True),
                                      ("小松市", True)])
def test_municipality_from_the_area_table(tmp_path, place, ok):
    got = found(check(tmp_path / "l.xlsx", _visit(municipality=place)))
    assert got == (set() if ok else {("municipality-unknown", address(V, "municipality", 2))})


def test_unknown_support_type_and_no_schedule(tmp_path):
    spec = _visit(support_type="訪問型")
    report = check(tmp_path / "a.xlsx", spec)
    # Reported once, as unknown (not also as differing from the case's type).
    assert found(report) == {("unknown-support-type", address(V, "support_type", 2))}
    assert "coordination(連絡調整型)" in report.items[0].message
    spec = _visit(visit_date=date(2018, 6, 30))  # WEK's schedule starts 2018-07-01
    assert ("no-fee-schedule", address(V, "visit_date", 2)) in found(check(tmp_path / "b.xlsx", spec))


def test_end_before_start(tmp_path):
    spec = _visit(start=time(12, 0), end=time(11, 0))
    assert found(check(tmp_path / "l.xlsx", spec)) == {("duration-invalid", address(V, "end", 2))}


def test_cancellation_needs_who_and_when(tmp_path):
    base = dict(status="cancelled", start=None, end=None, content=None)
    both = found(check(tmp_path / "a.xlsx", _visit(**base)))
    assert both == {("cancel-by-missing", address(V, "cancelled_by", 2)),
                    ("cancel-time-missing", address(V, "cancelled_at", 2))}
    by_parent = found(check(tmp_path / "b.xlsx", _visit(**base, cancelled_by="mother")))
    assert by_parent == {("cancel-time-missing", address(V, "cancelled_at", 2))}
    when_only = found(check(tmp_path / "c.xlsx", _visit(**base, cancelled_at=datetime(2025, 4, 11, 11, 0))))
    assert when_only == {("cancel-by-missing", address(V, "cancelled_by", 2))}
    complete = _visit(**base, cancelled_by="mother", cancelled_at=datetime(2025, 4, 11, 11, 0))
    assert found(check(tmp_path / "d.xlsx", complete)) == set()
    # The organisation refunds in full: no notice time needed.
    assert found(check(tmp_path / "e.xlsx", _visit(**base, cancelled_by="organisation"))) == set()


def test_place_parent_home(tmp_path):
    assert found(check(tmp_path / "a.xlsx", _visit(place_kind="parent_home"))) == {
        ("place-parent-home", address(V, "place_kind", 2))}
    report = check(tmp_path / "b.xlsx", _visit(place="父の自宅（金沢市広坂1-2-3）", place_kind="other"))
    assert found(report) == {("place-parent-home", address(V, "place", 2))}
    assert "広坂" not in report.items[0].message and report.items[0].value is None  # the place may be an address
    assert found(check(tmp_path / "c.xlsx", _visit(place="中央児童館", place_kind="children_centre"))) == set()


def test_more_children_than_the_case_has(tmp_path):
    spec = _visit(children=2)
    report = check(tmp_path / "a.xlsx", spec)
    assert found(report) == {("children-more-than-case", address(V, "children", 2))}
    assert "C-001" in report.items[0].message
    spec.children.append(clean_child(name="北陸 二郎", birth_date=date(2020, 1, 5)))
    assert found(check(tmp_path / "b.xlsx", spec)) == set()


@pytest.mark.parametrize("key", ["start", "end", "staff", "content"])
def test_held_visit_incomplete(tmp_path, key):
    assert found(check(tmp_path / "a.xlsx", _visit(**{key: None}))) == {("held-visit-incomplete", address(V, key, 2))}
    # A planned visit (after AS_OF, 2025-06-30) need not have them yet.
    assert found(check(tmp_path / "b.xlsx", _visit(status="planned", visit_date=date(2025, 7, 12), **{key: None}))) == set()


def test_visit_type_differs_from_the_case(tmp_path):
    report = check(tmp_path / "a.xlsx", _visit(support_type="handover"))
    assert found(report) == {("visit-type-differs", address(V, "support_type", 2))}
    assert report.items[0].severity == "warning" and "付き添い型" in report.items[0].message


@pytest.mark.parametrize("staff,unknown", [("鈴木 一子", "鈴木一子"), ("山田　花子", None), ("山田花子・佐藤 一郎", None),
                                           ("山田 花子、鈴木", "鈴木")])
def test_staff_on_the_staff_sheet(tmp_path, staff, unknown):
    report = check(tmp_path / "l.xlsx", _visit(staff=staff))
    if unknown is None:
        assert found(report) == set()
    else:
        assert found(report) == {("staff-unknown", address(V, "staff", 2))}
        assert report.items[0].value == unknown and report.items[0].severity == "warning"


def test_case_staff_is_checked_too(tmp_path):
    spec = clean_spec()
    spec.cases[0]["staff"] = "田中"
    assert found(check(tmp_path / "l.xlsx", spec)) == {("staff-unknown", address(CASES.name, "staff", 2))}
