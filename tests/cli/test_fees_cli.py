"""`xlsbridge fees` on the shipped sample ledger: amounts worked out by hand, safety, idempotence."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xlsbridge.domain.findings import CATALOG
from xlsbridge.cli.main import cli
from xlsbridge.domain.layout import FEE_COLUMNS, FEE_SUMMARY_SHEET, VISITS
from xlsbridge.samples.generate import DELIBERATE_MISTAKES

SAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "案件台帳サンプル.xlsx"
AS_OF = "2026-03-01"


def cli_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlsbridge.cli.main", *args], capture_output=True, text=True)


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def priced(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fees")
    out = folder / "priced.xlsx"
    result = run("fees", str(SAMPLE), "--out", str(out), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return out


def fee_row(path: Path, row: int) -> dict[str, object]:
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb[VISITS.name]
    headers = {c.value: c.column for c in ws[1]}
    out = {}
    for spec in FEE_COLUMNS:
        value = ws.cell(row=row, column=headers[spec.header]).value
        out[spec.key.removeprefix("fee.")] = value.date() if isinstance(value, dt.datetime) else value
    return out


# (row, visit, worked out from domain.md; keys: base, child_addon, extension, transport,
#  member_discount, reduction, total, father_share, mother_share, refund)
HAND_WORKED = [
    # V-00001 accompanied, 2 children, ratio 1:0: 8,500 + 4,250 = 12,750, all by the father
    (2, dict(base=8500, child_addon=4250, extension=0, transport=0, total=12750, father_share=12750,
             mother_share=0, due_date=dt.date(2024, 4, 8))),
    # V-00005 accompanied + 60 min (2 × 1,000) = 10,500; 40:60 → 4,200 / 6,300; mother member −500 → 5,800
    (6, dict(base=8500, extension=2000, member_discount=500, total=10000, father_share=4200, mother_share=5800)),
    # V-00007 coordination, both members, 7:3: 2,000 → 1,400 / 600, each −500 → 900 / 100
    (8, dict(base=2000, member_discount=1000, total=1000, father_share=900, mother_share=100)),
    # V-00008 coordination cancelled 2024-05-30 09:00, before noon of 05-31: 2,000 − 500 = 1,500 back
    (9, dict(total=2000, refund=1500)),
    # V-00028 coordination in 小松市: out of area, but coordination has no add-ons (no transport)
    (29, dict(base=2000, transport=0, total=2000)),
    # V-00110 accompanied, 2 children, +30 min, 七尾市 (sample fare 1,690):
    # 8,500 + 4,250 + 1,000 + 1,690 = 15,440 → 7,720 each
    (111, dict(base=8500, child_addon=4250, extension=1000, transport=1690, total=15440, father_share=7720,
               mother_share=7720)),
    # V-00044 handover cancelled on the day (08:30): after the cut-off, nothing back; 40:60 → 1,800 / 2,700
    (45, dict(total=4500, father_share=1800, mother_share=2700, refund=0)),
    # V-00077 accompanied cancelled by the organisation: full refund of 3,400 + (5,100 − 500) = 8,000
    (78, dict(total=8000, refund=8000)),
    # V-00160 handover, 3 children: 4,500 + 2 × 2,250 = 9,000; 40:60 → 3,600 / 5,400 − 500 (member)
    (161, dict(base=4500, child_addon=4500, total=8500, father_share=3600, mother_share=4900)),
    # V-00350 accompanied, both members, reduction 1,000: 7,500 → 3,750 each, −500 each → 3,250
    (351, dict(reduction=1000, member_discount=1000, total=6500, father_share=3250, mother_share=3250)),
    # V-00122 accompanied, 2 children, cancelled at 12:00 the day before: at the cut-off → nothing back
    (123, dict(total=12750, refund=0)),
    # V-00084 the same visit type cancelled 11:30 the day before: 12,750 − 500 = 12,250 back
    (85, dict(total=12750, refund=12250)),
    # V-00279 accompanied, 2 children, 加賀市 (sample fare 860): 8,500 + 4,250 + 860 = 13,610 → 6,805 each
    (280, dict(transport=860, total=13610, father_share=6805, mother_share=6805)),
    # V-00181 coordination, ratio 0:1: the mother pays all 2,000
    (182, dict(total=2000, father_share=0, mother_share=2000)),
    # V-00098 accompanied, father member, 2:1: father's exact part 5,666.67 takes the odd yen → 5,667,
    # mother 2,833; father −500 → 5,167; total 8,000
    (99, dict(total=8000, father_share=5167, mother_share=2833)),
]


@pytest.mark.parametrize("row, expected", HAND_WORKED, ids=[f"row{r}" for r, _ in HAND_WORKED])
def test_sample_amounts_match_the_hand_worked_ones(priced, row, expected):
    got = fee_row(priced, row)
    assert {k: got[k] for k in expected} == expected


def test_breakdown_text_says_how_the_amount_was_reached(priced):
    assert fee_row(priced, 111)["breakdown"] == (
        "付き添い型 8,500 + 子ども加算 4,250 + 延長30分 1,000 + 交通費(七尾市) 1,690 = 15,440円")


def test_visits_with_mistakes_get_no_price_but_a_pointer(priced):
    for mistake in DELIBERATE_MISTAKES:
        got = fee_row(priced, mistake.row)
        assert got["total"] is None and got["father_share"] is None
        # The finding's name, not its code, and the cell as validate prints it (sheet!cell).
        name = CATALOG[mistake.code].name_ja
        assert got["breakdown"] == f"未計算: {VISITS.name}!{mistake.cell.split('!')[1]}（{name}）を直してください"


def test_summary_sheet_adds_up(priced):
    wb = openpyxl.load_workbook(priced, data_only=True)
    visits = wb[VISITS.name]
    headers = {c.value: c.column for c in visits[1]}
    father = sum(visits.cell(r, headers["父負担"]).value or 0 for r in range(2, visits.max_row + 1))
    mother = sum(visits.cell(r, headers["母負担"]).value or 0 for r in range(2, visits.max_row + 1))
    refunds = sum(visits.cell(r, headers["返金額"]).value or 0 for r in range(2, visits.max_row + 1))
    summary = wb[FEE_SUMMARY_SHEET]
    head = [c.value for c in summary[2]]
    total = [c.value for c in summary[3]]
    row = dict(zip(head, total))
    assert (row["父請求"], row["母請求"], row["返金計"]) == (father, mother, refunds)
    assert row["未計算"] == len(DELIBERATE_MISTAKES)
    # per-month rows add up to the total
    months = [dict(zip(head, [c.value for c in r])) for r in summary.iter_rows(min_row=4) if r[0].value == "月別"]
    assert sum(m["請求計"] for m in months) == row["請求計"]


def test_in_place_update_keeps_a_backup_and_every_staff_cell(tmp_path):
    ledger = tmp_path / "台帳.xlsx"
    shutil.copy(SAMPLE, ledger)
    before = openpyxl.load_workbook(ledger)
    result = run("fees", str(ledger), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    backups = list((tmp_path / "xlsbridge_backup").glob("台帳.*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == SAMPLE.read_bytes()
    after = openpyxl.load_workbook(ledger)
    computed = {spec.header for spec in FEE_COLUMNS}
    for ws in before.worksheets:
        heads = {c.column: c.value for c in ws[1]}
        for row in ws.iter_rows():
            for cell in row:
                if ws.title == VISITS.name and heads.get(cell.column) in computed:
                    continue
                assert after[ws.title][cell.coordinate].value == cell.value, (ws.title, cell.coordinate)


def test_rerun_changes_nothing_and_staff_edits_between_runs_survive(tmp_path):
    ledger = tmp_path / "ledger.xlsx"
    shutil.copy(SAMPLE, ledger)
    assert run("fees", str(ledger), "--as-of", AS_OF).exit_code == 0
    # staff edit: a note, their own column and their own sheet
    wb = openpyxl.load_workbook(ledger)
    ws = wb[VISITS.name]
    headers = {c.value: c.column for c in ws[1]}
    ws.cell(5, headers["内容"], "職員が追記したメモ")
    own = ws.max_column + 1
    ws.cell(1, own, "職員メモ列")
    ws.cell(5, own, "自分用")
    wb.create_sheet("職員の集計").append(["自由に使う", 123])
    wb.save(ledger)
    again = run("fees", str(ledger), "--as-of", AS_OF)
    assert again.exit_code == 0
    assert "変更したセル: 0" in again.output
    wb = openpyxl.load_workbook(ledger)
    ws = wb[VISITS.name]
    assert ws.cell(5, headers["内容"]).value == "職員が追記したメモ"
    assert (ws.cell(1, own).value, ws.cell(5, own).value) == ("職員メモ列", "自分用")
    assert wb["職員の集計"]["B1"].value == 123


def test_dry_run_writes_nothing(tmp_path):
    ledger = tmp_path / "ledger.xlsx"
    shutil.copy(SAMPLE, ledger)
    result = run("fees", str(ledger), "--as-of", AS_OF, "--dry-run")
    assert result.exit_code == 0
    assert "変更されるセル:" in result.output and "何も書き込んでいません" in result.output
    assert ledger.read_bytes() == SAMPLE.read_bytes()
    assert not (tmp_path / "xlsbridge_backup").exists()


def test_a_ledger_open_in_excel_is_refused(tmp_path):
    ledger = tmp_path / "ledger.xlsx"
    shutil.copy(SAMPLE, ledger)
    (tmp_path / "~$ledger.xlsx").write_bytes(b"owner")
    p = cli_process("fees", str(ledger))
    assert p.returncode == 2 and "Excel で開かれています" in p.stderr and "--out" in p.stderr
    assert ledger.read_bytes() == SAMPLE.read_bytes()


def test_out_must_not_be_the_ledger(tmp_path):
    ledger = tmp_path / "ledger.xlsx"
    shutil.copy(SAMPLE, ledger)
    p = cli_process("fees", str(ledger), "--out", str(ledger))
    assert p.returncode == 2 and "--out" in p.stderr
    assert ledger.read_bytes() == SAMPLE.read_bytes()


def _rules17_ledger(tmp_path: Path, **first_visit) -> tuple[Path, dt.date]:
    """The fictional profile of tests/domain/test_pricing_rules17.py with a second schedule before it:
    "2024年度" to 2025-03-31, "2025年度" from 2025-04-01 (same amounts).  Case C-001, both parents
    members, 1:1, the mother lives with the child; pre-consultations 2025-03-10 / 03-12, contracts
    03-20 / 03-25; 付き添い型 120 min in ほしの市 held 4/12 and 5/10, planned 7/12."""
    from tests.domain.test_pricing_rules17 import S as RULES17
    from tests.ledger_builder import AS_OF as SPEC_DAY, clean_child, clean_spec, clean_visit, write_ledger

    current = RULES17.schedules[0]
    earlier = current.model_copy(update={"name": "2024年度", "effective_from": dt.date(2024, 4, 1),
                                         "effective_to": dt.date(2025, 3, 31)})
    settings = RULES17.model_copy(update={"schedules": (earlier, current)})
    spec = clean_spec()
    spec.settings = settings
    spec.cases[0].update({"father.member": True})
    spec.children = [clean_child(prefecture="ほしの県")]
    spec.visits = [clean_visit(visit_id=f"V-00{i}", visit_date=day, status=status, municipality="ほしの市",
                               place="ほしの市こども広場")
                   for i, (day, status) in enumerate([(dt.date(2025, 4, 12), "held"), (dt.date(2025, 5, 10), "held"),
                                                      (dt.date(2025, 7, 12), "planned")], start=1)]
    spec.visits[0].update(first_visit)
    ledger = tmp_path / "台帳.xlsx"
    write_ledger(ledger, spec)
    return ledger, SPEC_DAY


def test_fees_shows_the_schedule_the_charges_outside_visits_and_the_deposit_drawn(tmp_path):
    # Pre-consultations (2024年度): 5,000 each = 10,000.  Case deposit 50,000 (both signed 2025-03-25)
    # → 25,000 each.  Each visit: 10,000 + insurance 200 = 10,200 → 5,100 each.
    # Held 4/12 and 5/10 drawn: 10,200 each, left 14,800 each; planned 7/12 takes 5,100 more → 9,700,
    # below the 10,000 warning for both parents.
    ledger, SPEC_DAY = _rules17_ledger(tmp_path)
    # the flags list warns at the visit after which a parent's part falls below 10,000: V-003 (9,700 left)
    from xlsbridge.io.reader import read_ledger
    from xlsbridge.services.flags import compute_flags

    low = [f for f in compute_flags(read_ledger(ledger), SPEC_DAY, 60).flags if f.kind == "deposit-low"]
    assert [(f.case_id, f.record, f.due) for f in low] == [("C-001", "V-003", dt.date(2025, 7, 12))] * 2
    assert "父の預り金の残りが V-003（令和7年7月12日）の後 9,700円になります" in low[0].action + low[1].action
    out = tmp_path / "priced.xlsx"
    result = run("fees", str(ledger), "--out", str(out), "--as-of", SPEC_DAY.isoformat())
    assert result.exit_code == 0, result.output
    # 10,000 pre-consultation + 50,000 case deposit; one case running low
    assert "面会以外の費用（事前面談料・契約料・更新料・預り金）: 60,000円、預り金の残りが少ないケース 1 件" in result.output
    wb = openpyxl.load_workbook(out, data_only=True)
    assert fee_row(out, 2)["breakdown"] == "［2025年度］ 付き添い型 10,000 + 保険料 200 = 10,200円"
    summary = wb[FEE_SUMMARY_SHEET]
    head = [c.value for c in summary[2]]
    rows = [dict(zip(head, [c.value for c in r])) for r in summary.iter_rows(min_row=3)]
    case = next(r for r in rows if r["区分"] == "ケース別")
    assert case["料金表"] == "2025年度"
    assert (case["父請求"], case["母請求"]) == (15300, 15300)  # three visits, 5,100 each
    assert (case["事前面談料"], case["契約料"], case["更新料"], case["預り金(返金)"]) == (10000, 0, 0, 0)
    assert (case["父預り金"], case["父差引"], case["父残"]) == (25000, 10200, 14800)
    assert (case["母預り金"], case["母差引"], case["母残"]) == (25000, 10200, 14800)
    assert "父の預り金は予定の面会の後 9,700円（警告 10,000円未満）" in case["預り金の注意"]
    total = rows[0]
    assert total["区分"] == "合計" and total["事前面談料"] == 10000 and total["父残"] == 14800


def test_report_counts_the_charges_outside_the_visits(tmp_path):
    # April–June 2025: no pre-consultation or contract in the period (they were in March); the visits
    # billed 10,200 + 10,200 = 20,400.  March 2025: pre-consultations 5,000 + 5,000 = 10,000 and the case
    # deposit 25,000 + 25,000 = 50,000 on 2025-03-25.
    from xlsbridge.io.reader import read_ledger
    from xlsbridge.services.report import compute_report, render_text

    ledger, day = _rules17_ledger(tmp_path)
    report = compute_report(read_ledger(ledger), dt.date(2025, 3, 1), dt.date(2025, 6, 30), day)
    march = report.months[0]
    assert march.charges == {"pre_consultation": 10000, "case_deposit": 50000}
    assert report.total.charges == march.charges and report.total.billed == 20400
    assert "面会以外: 事前面談料 10,000円、契約料 0円、更新料 0円、預り金（返金する） 0円、ケース預り金 50,000円" \
        in render_text(report)


def test_extra_adults_and_actual_costs_are_ledger_columns(tmp_path):
    # Template 1.1: 面会記録 › 大人追加(人) 1 and 実費(円) 601.  付き添い型 10,000 + 1 × 1,500 = 11,500 →
    # 5,750 each; insurance 200 → 100 each; costs 601 half each, the odd yen to the father: 301 / 300.
    # Father 5,750 + 100 + 301 = 6,151, mother 6,150, total 12,301
    ledger, day = _rules17_ledger(tmp_path, extra_adults=1, costs=601)
    out = tmp_path / "priced.xlsx"
    result = run("fees", str(ledger), "--out", str(out), "--as-of", day.isoformat())
    assert result.exit_code == 0, result.output
    row = fee_row(out, 2)
    assert (row["father_share"], row["mother_share"], row["total"]) == (6151, 6150, 12301)
    assert row["breakdown"] == "［2025年度］ 付き添い型 10,000 + 大人追加 1,500 + 保険料 200 + 実費 601 = 12,301円"


def test_a_ledger_without_the_new_columns_reads_them_as_none(tmp_path):
    # a 1.0 ledger has no 大人追加(人) / 実費(円): no finding about them, the visits priced as before
    from tests.ledger_builder import clean_spec, write_ledger
    from xlsbridge.domain.layout import VISITS as V
    from xlsbridge.io.reader import read_ledger

    path = tmp_path / "old.xlsx"
    keys = [c.key for c in V.columns if c.key not in ("extra_adults", "costs")]
    write_ledger(path, clean_spec(), columns={V.name: keys})
    read = read_ledger(path)
    assert not [f for f in read.findings if f.code == "column-missing"]
    assert {(v.extra_adults, v.costs) for v in read.ledger.visits} == {(0, 0)}
