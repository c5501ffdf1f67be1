"""`xlsbridge report` (実績報告): hand-counted figures on a small ledger, independent counts on the
shipped sample, the CSV / JSON / sheet outputs, and that no name ever appears in them."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from tests.ledger_builder import clean_case, clean_child, clean_spec, clean_visit, write_ledger
from tests.cli_run import xlsbridge
from xlsbridge.domain.report import ActivityReport, Figures, months_between
from xlsbridge.io.reader import read_ledger
from xlsbridge.services.fees import compute_fees
from xlsbridge.services.report import REPORT_SHEET, compute_report, render_csv, render_json, render_text

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "workbooks" / "案件台帳サンプル.xlsx"
AS_OF = date(2025, 6, 30)
APRIL, JUNE_END = date(2025, 4, 1), date(2025, 6, 30)




def small_spec():
    """Four cases, eight visits; the figures for 2025-04-01..06-30 are worked out by hand below.

    C-001 accompanied (clean case: 1 child row, mother a member), C-002 handover, national programme,
    both signed 2025-04-01/02, 2 child rows; C-003 applied 2025-05-20, nothing else; C-004 coordination
    with no child row.
    """
    spec = clean_spec()
    spec.cases += [
        clean_case(case_id="C-002", support_type="handover", national_program=True, child_support_allowance=True,
                   application_date=date(2025, 3, 5),
                   **{"father.pre_consultation": date(2025, 3, 10), "mother.pre_consultation": date(2025, 3, 11),
                      "father.contract_date": date(2025, 4, 1), "mother.contract_date": date(2025, 4, 2),
                      "mother.member": False}),
        clean_case(case_id="C-003", status="consulting", support_type="coordination", application_date=date(2025, 5, 20),
                   **{"father.pre_consultation": None, "mother.pre_consultation": None, "agreement_confirmed": None,
                      "father.contract_date": None, "mother.contract_date": None}),
        clean_case(case_id="C-004", support_type="coordination", **{"mother.member": False}),
    ]
    spec.children += [clean_child(case_id="C-002", name="北陸 二郎"),
                      clean_child(case_id="C-002", name="北陸 三郎", birth_date=date(2019, 1, 5))]
    spec.visits = [
        clean_visit(visit_id="V-001"),  # 2025-04-12 held accompanied, 1 child
        clean_visit(visit_id="V-002", visit_date=date(2025, 5, 10), status="planned", start=None, end=None, content=None),
        clean_visit(visit_id="V-003", case_id="C-002", visit_date=date(2025, 4, 20), support_type="handover", children=2),
        clean_visit(visit_id="V-004", case_id="C-002", visit_date=date(2025, 5, 18), support_type="handover", children=2,
                    status="cancelled", cancelled_at=datetime(2025, 5, 17, 10, 0), cancelled_by="father",
                    start=None, end=None, content=None),
        clean_visit(visit_id="V-005", case_id="C-002", visit_date=date(2025, 6, 15), support_type="handover", children=2),
        clean_visit(visit_id="V-006", visit_date=date(2025, 7, 5)),  # after the period
        clean_visit(visit_id="V-007", visit_date=date(2025, 3, 29)),  # before the period
        # 2 children on a case without child rows: a validate error (children-more-than-case), so unpriced.
        clean_visit(visit_id="V-008", case_id="C-004", visit_date=date(2025, 6, 3), support_type="coordination",
                    children=2, place=None),
    ]
    return spec


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return write_ledger(tmp_path_factory.mktemp("report") / "台帳.xlsx", small_spec())


@pytest.fixture(scope="module")
def small_report(small) -> ActivityReport:
    return compute_report(read_ledger(small), APRIL, JUNE_END, AS_OF)


def test_hand_counted_total(small_report):
    total = small_report.total
    # Visits in the period: V-001, V-003, V-005, V-008 held; V-002 planned; V-004 cancelled.
    assert (total.held, total.planned, total.cancelled) == (4, 1, 1)
    assert total.count("held", "handover") == 2 and total.count("cancelled", "handover") == 1
    assert total.count("held", "accompanied") == 1 and total.count("held", "coordination") == 1
    # Supported: C-001, C-002, C-004 held a visit; 2 named parents each; children 1 + 2 + 2 (C-004 has no
    # child row: the most children of its held visits, V-008's 2).
    assert (total.cases, total.parents, total.children) == (3, 6, 5)
    assert (total.national_cases, total.national_held) == (1, 2)  # C-002: V-003 and V-005
    assert (total.applications, total.new_contracts) == (1, 1)  # C-003 applied 05-20; C-002 both signed 04-02
    # Fees (WEK): V-001 8,500 − 500 member discount = 8,000; V-003, V-005 handover 4,500 + ½ × 4,500 for the
    # 2nd child = 6,750 each; V-004 billed 6,750 and cancelled before noon the day before: refund 6,750 − 500
    # = 6,250. V-002 is planned (not billed yet), V-008 cannot be priced.
    assert total.billed == 8_000 + 6_750 + 6_750 + 6_750 == 28_250
    assert total.refunded == 6_250 and total.net == 22_000
    assert total.unpriced == 1


def test_hand_counted_months(small_report):
    april, may, june = small_report.months
    assert [m.label for m in small_report.months] == ["2025-04", "2025-05", "2025-06"]
    assert (april.held, april.cases, april.parents, april.children, april.billed) == (2, 2, 4, 3, 8_000 + 6_750)
    assert (april.national_cases, april.new_contracts) == (1, 1)
    assert (may.held, may.planned, may.cancelled, may.cases, may.billed, may.refunded) == (0, 1, 1, 0, 6_750, 6_250)
    assert may.applications == 1
    assert (june.held, june.cases, june.parents, june.children, june.billed, june.unpriced) == (2, 2, 4, 4, 6_750, 1)
    # Money adds up over the months; distinct counts do not (C-002 is in April and June, once in the total).
    assert sum(m.billed for m in small_report.months) == small_report.total.billed
    assert april.cases + june.cases == 4 and small_report.total.cases == 3


def test_period_cut_mid_month(small):
    """2025-04-15..2025-06-10: V-001 (04-12) and V-005 (06-15) fall outside; months are cut to the period."""
    report = compute_report(read_ledger(small), date(2025, 4, 15), date(2025, 6, 10), AS_OF)
    assert [(m.start, m.end) for m in report.months] == [
        (date(2025, 4, 15), date(2025, 4, 30)), (date(2025, 5, 1), date(2025, 5, 31)), (date(2025, 6, 1), date(2025, 6, 10))]
    assert (report.total.held, report.total.cases, report.total.children) == (2, 2, 4)  # V-003, V-008


def test_months_between_crosses_the_year():
    assert [m[0] for m in months_between(date(2025, 11, 20), date(2026, 2, 3))] == ["2025-11", "2025-12", "2026-01",
                                                                                  "2026-02"]


def test_from_after_to_is_refused(small):
    code, out, err = xlsbridge("report", str(small), "--from", "2025-06-30", "--to", "2025-04-01")
    assert code == 2 and out == b"" and err.count("\n") == 1 and "--from" in err


# ---- the sample, counted independently from the cells ------------------------------------------


@pytest.fixture(scope="module")
def sample_cells():
    wb = openpyxl.load_workbook(SAMPLE, read_only=True)
    def rows(name):
        it = wb[name].iter_rows(values_only=True)
        header = next(it)
        return [dict(zip(header, r)) for r in it if any(v is not None for v in r)]
    return rows("ケース"), rows("子ども"), rows("面会記録")


def test_sample_fiscal_year_matches_an_independent_count(sample_cells):
    cases, children, visits = sample_cells
    start, end = date(2025, 4, 1), date(2026, 3, 31)
    read = read_ledger(SAMPLE)
    report = compute_report(read, start, end, date(2026, 3, 1))

    def day(v):
        return v["実施日"].date() if isinstance(v["実施日"], datetime) else v["実施日"]

    in_period = [v for v in visits if isinstance(day(v), date) and start <= day(v) <= end]
    held = [v for v in in_period if v["状態"] == "実施"]
    assert report.total.held == len(held)
    assert report.total.cancelled == sum(1 for v in in_period if v["状態"] == "中止")
    assert report.total.planned == sum(1 for v in in_period if v["状態"] == "予定")
    named = {c["ケースID"]: (c["父氏名"] is not None) + (c["母氏名"] is not None) for c in cases}
    supported = {v["ケースID"] for v in held} & set(named)  # a visit of an unknown case supports no case
    assert report.total.cases == len(supported)
    assert report.total.unknown_case_held == sum(1 for v in held if v["ケースID"] not in named)
    assert report.total.parents == sum(named[c] for c in supported)
    assert report.total.children == sum(1 for ch in children if ch["ケースID"] in supported)
    national = {c["ケースID"] for c in cases if c["国の事業"] == "○"}
    assert report.total.national_cases == len(supported & national)
    assert report.total.national_held == sum(1 for v in held if v["ケースID"] in national)
    # Money: the months add up to the total, and it is what the fee engine billed for held/cancelled visits.
    prices = compute_fees(read, date(2026, 3, 1)).prices
    billed = sum(p.breakdown.total for p in prices if p.breakdown and p.visit.visit_date
                 and start <= p.visit.visit_date <= end and p.visit.status in ("held", "cancelled"))
    assert report.total.billed == billed == sum(m.billed for m in report.months)
    assert len(report.months) == 12 and report.total.held == sum(m.held for m in report.months)
    assert report.total.held > 100  # the sample has ~480 visits over two years: the period is not empty


def test_sample_output_holds_no_names(sample_cells):
    cases, children, _ = sample_cells
    names = {c[k] for c in cases for k in ("父氏名", "母氏名")} | {ch["氏名"] for ch in children}
    names = {n for n in names if n}
    report = compute_report(read_ledger(SAMPLE), date(2024, 4, 1), date(2026, 3, 31), date(2026, 3, 1))
    ids = {c["ケースID"] for c in cases}
    for text in (render_text(report), render_csv(report), render_json(report)):
        assert not any(n in text for n in names)
        assert not any(i in text for i in ids)  # no case IDs either


# ---- formats -----------------------------------------------------------------------------------


def test_csv_has_a_bom_and_one_row_per_month_and_the_total(small_report):
    text = render_csv(small_report)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert [r[0] for r in rows[1:]] == ["2025-04", "2025-05", "2025-06", "合計"]
    header = rows[0]
    total = dict(zip(header, rows[-1]))
    assert total["実施 計"] == "4" and total["支援した子どもの数"] == "5" and total["利用料 請求額"] == "28250"
    assert total["受け渡し型 中止"] == "1" and total["開始日"] == "2025-04-01"


def test_csv_is_formula_safe():
    fig = Figures("total", date(2025, 4, 1), date(2025, 4, 30))
    report = ActivityReport("=HYPERLINK(\"x\")", date(2025, 4, 1), date(2025, 4, 30), (("x", "=SUM(A1)"),), [], fig)
    rows = list(csv.reader(io.StringIO(render_csv(report)[1:])))
    assert "'=SUM(A1) 実施" in rows[0]


def test_json_schema(small_report):
    data = json.loads(render_json(small_report))
    assert data["schema_version"] == 1 and data["from"] == "2025-04-01" and data["to"] == "2025-06-30"
    assert [m["month"] for m in data["months"]] == ["2025-04", "2025-05", "2025-06"]
    assert data["total"]["visits.held"] == 4 and data["total"]["fees.net"] == 22_000
    assert data["total"]["visits.handover.cancelled"] == 1
    assert data["support_types"][0] == {"key": "coordination", "label": "連絡調整型"}


def test_text_report(small_report):
    text = render_text(small_report)
    assert "面会: 実施 4 回、予定 1 回、中止 1 回" in text
    assert "支援: ケース 3 件、親 6 人、子ども 5 人" in text
    assert "利用料: 請求 28,250円、返金 6,250円、差引 22,000円" in text
    assert "料金を計算できない面会が 1 件" in text


# ---- the sheet ---------------------------------------------------------------------------------


def test_sheet_written_into_the_ledger_with_a_backup(tmp_path):
    ledger = write_ledger(tmp_path / "台帳.xlsx", small_spec())
    code, out, err = xlsbridge("report", str(ledger), "--from", "2025-04-01", "--to", "2025-06-30",
                               "--as-of", "2025-06-30", "--sheet")
    assert code == 0, err
    assert "実績報告シートに書き込みました" in out.decode("utf-8")
    assert list((tmp_path / "xlsbridge_backup").iterdir())
    ws = openpyxl.load_workbook(ledger)[REPORT_SHEET]
    header = [c.value for c in ws[2]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    assert [r[0] for r in rows] == ["2025-04", "2025-05", "2025-06", "合計"]
    total = dict(zip(header, rows[-1]))
    assert total["実施 計"] == 4 and total["利用料 請求額"] == 28_250
    assert ws.cell(6, header.index("利用料 請求額") + 1).number_format == "#,##0"
    assert read_ledger(ledger).ledger.cases  # the ledger still reads


def test_out_writes_only_the_figures(tmp_path, small):
    out = tmp_path / "実績.xlsx"
    code, stdout, err = xlsbridge("report", str(small), "--from", "2025-04-01", "--to", "2025-06-30",
                                  "--as-of", "2025-06-30", "--out", str(out), "--format", "csv")
    assert code == 0, err
    assert stdout.startswith("\ufeff".encode("utf-8")) and "保存しました" in err  # data on stdout, status on stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [REPORT_SHEET]
    values = {str(c.value) for row in wb[REPORT_SHEET].iter_rows() for c in row if c.value is not None}
    assert not any("北陸" in v for v in values)


def test_sheet_refused_while_excel_has_the_ledger_open_but_the_figures_are_printed(tmp_path):
    ledger = write_ledger(tmp_path / "台帳.xlsx", small_spec())
    before = ledger.read_bytes()
    (tmp_path / "~$台帳.xlsx").write_bytes(b"owner")  # what Excel keeps beside an open workbook
    code, out, err = xlsbridge("report", str(ledger), "--from", "2025-04-01", "--to", "2025-06-30",
                               "--as-of", "2025-06-30", "--sheet")
    assert code == 2 and "面会: 実施 4 回" in out.decode("utf-8")  # printed, but nothing written: exit 2
    assert "書き込んでいません" in err and "Excel で開かれています" in err
    assert ledger.read_bytes() == before
