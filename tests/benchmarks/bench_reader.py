"""Benchmark: reading a 50,000-row 面会記録 with python-calamine vs openpyxl (read-only).

    .venv/bin/python -m tests.benchmarks.bench_reader           # 50,000 visits
    .venv/bin/python -m tests.benchmarks.bench_reader 5000      # fewer

Generates a ledger in a temporary folder (openpyxl write-only), then times:
  * calamine: opening the workbook and ``to_python`` of the visits sheet (values only);
  * openpyxl: ``load_workbook(read_only=True, data_only=True)`` and ``iter_rows(values_only=True)``;
  * ``read_ledger``: the whole reader (calamine + formula/error scan + cell conversion + models);
  * ``validate_workbook``: reader + every rule.
Not collected by pytest (the file name does not start with ``test_``); tests/io/test_reader.py has a
slow-marked test that reads a large ledger for correctness.
"""

from __future__ import annotations

import sys
import tempfile
import time as clock
from datetime import date, time, timedelta
from pathlib import Path

import openpyxl


from tests.ledger_builder import SHEETS, WEK, cell_value, clean_case, clean_child, clean_staff, clean_visit

from xlsbridge.domain.layout import CASES, CHILDREN, CONTACTS, STAFF, VISITS
from xlsbridge.io.settings_sheet import write_settings_sheets


def big_ledger(path: Path, visits: int) -> Path:
    """``visits`` visits over 500 cases (100 per case), written in write-only mode."""
    cases = max(1, visits // 100)
    wb = openpyxl.Workbook(write_only=True)
    rows = {
        CASES.name: [clean_case(case_id=f"C-{i:04d}", application_date=date(2020, 1, 1),
                                **{"father.contract_date": date(2020, 2, 1), "mother.contract_date": date(2020, 2, 1),
                                   "father.pre_consultation": date(2020, 1, 10),
                                   "mother.pre_consultation": date(2020, 1, 10), "renewals": 9})
                     for i in range(cases)],
        CHILDREN.name: [clean_child(case_id=f"C-{i:04d}", birth_date=date(2016, 5, 1)) for i in range(cases)],
        VISITS.name: [clean_visit(visit_id=f"V-{n:06d}", case_id=f"C-{n % cases:04d}",
                                  visit_date=date(2020, 3, 1) + timedelta(days=n % 1800),
                                  start=time(10, 0), end=time(12, 0)) for n in range(visits)],
        STAFF.name: clean_staff(),
        CONTACTS.name: [],
    }
    for name, layout in SHEETS.items():
        ws = wb.create_sheet(name)
        ws.append([c.header for c in layout.columns])
        for record in rows[name]:
            ws.append([cell_value(c, record.get(c.key), WEK) for c in layout.columns])
    wb.save(path)
    # Settings sheets need the normal (not write-only) workbook API.
    full = openpyxl.load_workbook(path)
    write_settings_sheets(full, WEK)
    full.save(path)
    return path


def timed(label: str, fn) -> float:
    start = clock.perf_counter()
    result = fn()
    elapsed = clock.perf_counter() - start
    print(f"{label:<52} {elapsed:7.2f} s   {result}")
    return elapsed


def main(visits: int = 50_000) -> None:
    import python_calamine

    from xlsbridge.io.reader import read_ledger
    from xlsbridge.services.validate import validate_workbook

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.xlsx"
        start = clock.perf_counter()
        big_ledger(path, visits)
        print(f"generated {visits:,} visits in {clock.perf_counter() - start:.1f} s "
              f"({path.stat().st_size / 1e6:.1f} MB)")

        def calamine_rows():
            wb = python_calamine.CalamineWorkbook.from_path(path)
            return f"{len(wb.get_sheet_by_name(VISITS.name).to_python(skip_empty_area=False)):,} rows"

        def openpyxl_rows():
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            n = sum(1 for _ in wb[VISITS.name].iter_rows(values_only=True))
            wb.close()
            return f"{n:,} rows"

        a = timed("calamine: open + to_python (面会記録)", calamine_rows)
        b = timed("openpyxl read_only: open + iter_rows (面会記録)", openpyxl_rows)
        print(f"{'  openpyxl / calamine':<52} {b / a:7.1f} ×")
        timed("read_ledger (all sheets, conversion, models)", lambda: f"{len(read_ledger(path).ledger.visits):,} visits")
        timed("validate_workbook (read + all rules)",
              lambda: f"{len(validate_workbook(path, as_of=date(2025, 6, 30)).items):,} findings")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
