"""io/xlsx/zip_out.py: the patched package deflated on a worker thread is the very package written
without it; a failure on either side propagates as it did and leaves no thread behind; where no
thread can start (Pyodide) everything runs inline."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from xlsbridge.io.report_columns import ReportColumn
from xlsbridge.io.xlsx import Formatted, XlsxPatch
from xlsbridge.io.xlsx import zip_out

SAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "案件台帳サンプル.xlsx"
YEN = "#,##0"


@pytest.fixture(scope="module")
def sample() -> bytes:
    return SAMPLE.read_bytes()


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch):
    # Pieces of 4 KB and a queue of 2: the sample's 面会記録 (≈ 600 KB of XML) goes to the worker in
    # well over a hundred pieces, so the queue fills and the two threads really take turns.
    monkeypatch.setattr(zip_out, "PIECE", 4096)
    monkeypatch.setattr(zip_out, "QUEUE_DEPTH", 2)


def _zip_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "xlsbridge-zip"]


def _save(sample: bytes, values=None) -> bytes:
    """Fee-like cells in T (yen) and AE (text) of rows 2..484, and a generated sheet of 3,000 rows."""
    columns = [ReportColumn("件数", 10, None), ReportColumn("金額", 12, YEN)]
    with XlsxPatch(sample) as patch:
        patch.set_cells("面会記録", [20, 31], range(2, 485),
                        values or (lambda r: [Formatted(r * 100, YEN), f"内訳 {r}"]))
        patch.replace_sheet("料金集計", note="メモ", columns=columns, rows=[[i, i * 500] for i in range(3000)])
        return patch.save().payload


def _entries(data: bytes) -> list[tuple]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, i.date_time, i.compress_type, i.external_attr, i.CRC, i.compress_size, i.file_size)
                for i in zf.infolist()]


def test_the_worker_writes_the_same_bytes_as_the_serial_path(sample, monkeypatch):
    started = []
    monkeypatch.setattr(zip_out._Worker, "run", lambda self, run=zip_out._Worker.run: (started.append(self), run(self)))
    interval = sys.getswitchinterval()
    threaded = _save(sample)
    assert len(started) == 1 and not _zip_threads()  # written by one worker, gone when save returns
    assert sys.getswitchinterval() == interval
    monkeypatch.setattr(zip_out, "THREADED", False)
    serial = _save(sample)
    assert hashlib.sha256(threaded).digest() == hashlib.sha256(serial).digest()
    entries = _entries(threaded)
    assert entries == _entries(serial)
    # every part of the sample is there, in its order, deflated, and the generated sheet added last
    with zipfile.ZipFile(io.BytesIO(sample)) as zf:
        names = zf.namelist()
    assert [e[0] for e in entries[:len(names)]] == names
    assert all(e[2] == zipfile.ZIP_DEFLATED for e in entries)
    with zipfile.ZipFile(io.BytesIO(threaded)) as zf:
        assert zf.testzip() is None  # every CRC checks
        new = zf.read(entries[-1][0])
    assert new.count(b"<row ") == 3002  # note, header and 3,000 rows


def test_the_pieces_do_not_change_the_deflated_bytes(sample, monkeypatch):
    # deflate's output does not depend on how its input is cut: one piece per write gives the same zip
    small = _save(sample)
    monkeypatch.setattr(zip_out, "PIECE", 1 << 20)
    assert _save(sample) == small


def test_a_failure_while_producing_propagates_and_stops_the_worker(sample):
    class Boom(Exception):
        pass

    def values(row: int):
        if row == 400:  # far into the sheet: the worker has pieces of it queued
            raise Boom("row 400")
        return [Formatted(row, YEN), "x"]

    interval = sys.getswitchinterval()
    with pytest.raises(Boom, match="row 400"):
        _save(sample, values)
    assert not _zip_threads()
    assert sys.getswitchinterval() == interval  # Python's own again


def test_a_failure_on_the_worker_propagates_and_stops_it(sample, monkeypatch):
    calls = {"n": 0}
    write = zip_out._Zip.write

    def failing_write(self, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 20:
            raise OSError("disk full")
        write(self, data)

    monkeypatch.setattr(zip_out._Zip, "write", failing_write)
    with pytest.raises(OSError, match="disk full"):
        _save(sample)
    assert calls["n"] >= 20
    assert not _zip_threads()


def test_a_failed_save_leaves_the_ledger_untouched(cli, sample_ledger, monkeypatch):
    # The worker runs out of memory deflating: the command says so in one line, the ledger keeps its
    # bytes, no backup and no temporary file are left (safe_write never saw a package).
    before = sample_ledger.read_bytes()
    monkeypatch.setattr(zip_out._Zip, "copy", lambda self, info, member: (_ for _ in ()).throw(MemoryError()))
    code, _, err = cli("fees", str(sample_ledger), "--as-of", "2026-03-01")
    assert code == 2 and "Traceback" not in err and "メモリ" in err
    assert sample_ledger.read_bytes() == before
    assert sorted(p.name for p in sample_ledger.parent.iterdir()) == [sample_ledger.name]
    assert not _zip_threads()


def test_without_threads_everything_runs_inline(sample, monkeypatch):
    # Pyodide (xlwings Lite): threading.Thread.start raises RuntimeError
    threaded = _save(sample)

    def no_threads(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_threads)
    out = zip_out.PackageOut(io.BytesIO(), sample)
    assert not out.threaded
    with out:
        pass
    assert _save(sample) == threaded
