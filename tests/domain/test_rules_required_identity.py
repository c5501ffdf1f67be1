"""Required fields and identity rules: each one broken by one workbook and just not by another."""

from __future__ import annotations

import pytest
from tests.ledger_builder import address, check, clean_case, clean_child, clean_spec, found

from xlsbridge.domain.layout import CASES, CHILDREN, STAFF, VISITS


def test_clean_spec_has_no_findings(tmp_path):
    report = check(tmp_path / "l.xlsx")
    assert report.items == ()


REQUIRED = [(layout.name, c.key) for layout in (CASES, CHILDREN, VISITS) for c in layout.input_columns if c.required]


@pytest.mark.parametrize("sheet,key", REQUIRED)
def test_each_required_field_empty(tmp_path, sheet, key):
    spec = clean_spec()
    spec.rows(sheet)[0][key] = None
    report = check(tmp_path / "l.xlsx", spec)
    assert ("required-missing", address(sheet, key, 2)) in found(report)
    item = next(i for i in report.items if i.code == "required-missing")
    assert item.header in item.message  # names the column to fill
    # Whitespace only is empty too; a value is not.
    spec.rows(sheet)[0][key] = " 　"
    assert ("required-missing", address(sheet, key, 2)) in found(check(tmp_path / "m.xlsx", spec))


def test_staff_name_required(tmp_path):
    spec = clean_spec()
    spec.staff.append({"name": None, "active": True})
    assert ("required-missing", address(STAFF.name, "name", 4)) in found(check(tmp_path / "l.xlsx", spec))


def test_unknown_case_id_on_visit_and_child(tmp_path):
    spec = clean_spec()
    spec.visits[1]["case_id"] = "C-0011"
    spec.children.append(clean_child(case_id="C-999", name="別 子"))
    got = found(check(tmp_path / "l.xlsx", spec))
    assert ("unknown-case-id", address(VISITS.name, "case_id", 3)) in got
    assert ("unknown-case-id", address(CHILDREN.name, "case_id", 3)) in got


def test_case_id_in_full_width_is_the_same_id(tmp_path):
    spec = clean_spec()
    spec.visits[1]["case_id"] = "Ｃ－００１ "
    assert found(check(tmp_path / "l.xlsx", spec)) == set()


def test_duplicate_case_id(tmp_path):
    spec = clean_spec()
    spec.cases.append(clean_case())
    report = check(tmp_path / "l.xlsx", spec)
    assert ("duplicate-case-id", address(CASES.name, "case_id", 3)) in found(report)
    assert "2行目" in next(i.message for i in report.items if i.code == "duplicate-case-id")
    spec.cases[1]["case_id"] = "C-002"
    assert not any(code == "duplicate-case-id" for code, _ in found(check(tmp_path / "m.xlsx", spec)))


def test_duplicate_visit_id(tmp_path):
    spec = clean_spec()
    spec.visits[1]["visit_id"] = "V-001"
    assert ("duplicate-visit-id", address(VISITS.name, "visit_id", 3)) in found(check(tmp_path / "l.xlsx", spec))
    spec.visits[1]["visit_id"] = "V-003"
    assert found(check(tmp_path / "m.xlsx", spec)) == set()
