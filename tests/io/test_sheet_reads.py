"""The reader's read-ahead (io/sheet_values.SheetReads): calamine parses the sheets on a worker thread,
each only after its size check passed; the ledger read is the same with or without the worker, and a
refused sheet stops the read with its message and leaves no thread behind."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import SAMPLE
from tests import hostile
from tests.ledger_builder import clean_spec, write_ledger
from xlsbridge.errors import WorkbookUnusable
from xlsbridge.io import sheet_values
from xlsbridge.io.reader import read_ledger, read_ledger_bytes
from xlsbridge.io.xlsx.package import Package


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("xlsbridge-read")]


def _no_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in Pyodide (xlwings Lite): a thread cannot start."""

    def refuse(self, *args, **kwargs):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(ThreadPoolExecutor, "submit", refuse)


@pytest.mark.parametrize("ledger", ["sample", "marked"])
def test_the_read_is_the_same_with_and_without_the_worker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                          ledger: str):
    # The shipped sample (40 cases, 483 visits), and a built ledger whose 面会記録 has a formula in
    # 子ども人数 (G2, no saved result) and a merged C2:C3: the formula scan and the merged ranges
    # travel with each sheet as the worker reads it.
    if ledger == "sample":
        path, visits, findings = SAMPLE, 483, set()
    else:
        spec = clean_spec()
        spec.visits[0]["children"] = "=1+1"
        path = write_ledger(tmp_path / "l.xlsx", spec, merge={"面会記録": ["C2:C3"]})
        visits, findings = len(spec.visits), {("cell-formula", "G2"), ("merged-cell", "C2")}
    ahead = read_ledger(path)
    assert not _workers()  # the worker ended with the read
    _no_threads(monkeypatch)
    inline = read_ledger(path)
    assert ahead.ledger == inline.ledger
    assert ahead.findings == inline.findings
    assert ahead.unread == inline.unread
    assert len(ahead.ledger.visits) == visits
    assert {(f.code, f.location.cell) for f in ahead.findings} == findings


def test_each_sheet_is_checked_before_calamine_reads_it(monkeypatch: pytest.MonkeyPatch):
    checked: list[str] = []
    read: list[str] = []
    check, rows = Package.check_extent, sheet_values._Values.rows

    def spy_check(self, title, name):
        checked.append(title)
        return check(self, title, name)

    def spy_rows(self, title):
        assert title in checked, f"{title} read before its size check"
        read.append(title)
        return rows(self, title)

    monkeypatch.setattr(Package, "check_extent", spy_check)
    monkeypatch.setattr(sheet_values._Values, "rows", spy_rows)
    read_ledger(SAMPLE)
    # Smallest first, 面会記録 (the largest) last; every sheet read once; 連絡先 (contacts) never.
    assert read[-1] == "面会記録"
    assert sorted(read) == sorted(set(read)) and "連絡先" not in read and sorted(checked) == sorted(set(checked))
    assert {"ケース", "子ども", "面会記録", "支援員", "設定", "区域"} <= set(read)


@pytest.mark.parametrize("threads", [True, False])
def test_a_refused_sheet_stops_the_read_and_leaves_no_thread(monkeypatch: pytest.MonkeyPatch, threads: bool):
    # A stray entry at Z1,048,576 on 面会記録 (33 columns wide): refused by the size check, before
    # calamine allocates 1,048,576 × 33 cells, whether the smaller sheets were handed to the worker or not.
    if not threads:
        _no_threads(monkeypatch)
    data = hostile.million_rows_cell(Path(SAMPLE).read_bytes(), "面会記録")
    with pytest.raises(WorkbookUnusable) as refused:
        read_ledger_bytes(data, "台帳.xlsx")
    message = str(refused.value)
    assert "面会記録" in message and "AG1048576" in message
    assert not _workers()
