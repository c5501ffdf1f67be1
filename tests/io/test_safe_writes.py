"""Writes never lose the ledger: killed mid-write, two clerks at once, a stale lock, a ledger open in Excel.

The kill test runs the real `xlsbridge fees` on a copy of the shipped sample ledger in a child
process and SIGKILLs it after a seeded random delay — half spread over the whole run, half over its
write phase (measured first) — then checks what a clerk would find: the ledger opens and holds
either its old content or the complete new one, never a half file; once the write phase began
(a temporary file or a changed ledger) a complete backup of the old ledger exists; nothing named
*.xlsx is anything but a whole workbook; and the next run (taking over the dead run's lock and
clearing its temporary files) completes.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest


from tests import hostile as H
from tests.ledger_builder import AS_OF, write_ledger

from xlsbridge.io import safe_write
from xlsbridge.domain.layout import FEE_SUMMARY_SHEET, VISITS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "workbooks" / "案件台帳サンプル.xlsx"
SAMPLE_DAY = "2026-03-01"
KILLS = 36
SEED = 20250630


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        assert zf.testzip() is None  # every part's CRC checks: a whole file
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}  # core.xml: the save time


def _values(data: bytes) -> dict[str, list]:
    """Every sheet's values (calamine): what a rerun on an already priced ledger must reproduce."""
    import io

    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {title: book.get_sheet_by_name(title).to_python() for title in book.sheet_names}


def _fees_child(folder: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "xlsbridge.cli.main", "fees", "台帳.xlsx", "--as-of", SAMPLE_DAY],
                            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def _temps(folder: Path) -> list[Path]:
    return [p for p in (*folder.iterdir(), *((folder / safe_write.BACKUP_DIR).iterdir()
                                             if (folder / safe_write.BACKUP_DIR).is_dir() else ()))
            if p.name.endswith(safe_write.TEMP_SUFFIX)]


@dataclass
class Calibration:
    old: bytes
    new_members: dict[str, bytes]
    new_values: dict[str, list]
    seconds: float
    write_starts: float  # when the backup folder appeared: the write phase begins
    renamed: float  # when the new ledger replaced the old one


@pytest.fixture(scope="module")
def calibration(tmp_path_factory) -> Calibration:
    """One uninterrupted run: the new content to expect, the run's length and when writing starts."""
    folder = tmp_path_factory.mktemp("calibrate")
    old = SAMPLE.read_bytes()
    (folder / "台帳.xlsx").write_bytes(old)
    old_stat = (folder / "台帳.xlsx").stat()
    started = time.monotonic()
    proc = _fees_child(folder)
    write_starts = renamed = None
    while proc.poll() is None:
        now = time.monotonic() - started
        if write_starts is None and (folder / safe_write.BACKUP_DIR).exists():
            write_starts = now
        if renamed is None and write_starts is not None:
            stat = (folder / "台帳.xlsx").stat()
            if (stat.st_ino, stat.st_size) != (old_stat.st_ino, old_stat.st_size):
                renamed = now
        time.sleep(0.0005)
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr.read().decode()
    new = (folder / "台帳.xlsx").read_bytes()
    assert new != old
    write_starts = write_starts if write_starts is not None else seconds * 0.8
    renamed = renamed if renamed is not None else seconds
    return Calibration(old, _members(new), _values(new), seconds, write_starts, renamed)


@dataclass
class Outcome:
    folder: Path
    delay: float
    killed: bool
    state: str  # "old" | "new"
    phase: str  # what the kill interrupted, from what it left
    leftovers: bool  # a lock or temporary file left behind


def _trial(calibration: Calibration, folder: Path, anchored: bool, delay: float) -> Outcome:
    """Run fees and kill it ``delay`` seconds after its start, or (``anchored``) after the moment
    its write phase begins (the backup folder appears)."""
    ledger = folder / "台帳.xlsx"
    ledger.write_bytes(calibration.old)
    proc = _fees_child(folder)
    if anchored:
        while proc.poll() is None and not (folder / safe_write.BACKUP_DIR).exists():
            time.sleep(0.0005)
    try:
        proc.wait(timeout=delay)
        killed = False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed = proc.returncode == -signal.SIGKILL
    if not killed:
        assert proc.returncode == 0, proc.stderr.read().decode()
    proc.stderr.close()

    # What a clerk finds.  The ledger is a whole workbook: its old bytes, or the complete new content.
    data = ledger.read_bytes()
    state = "old" if data == calibration.old else "new"
    if state == "new":
        assert _members(data) == calibration.new_members, "the ledger holds neither the old nor the new content"
    backups = sorted((folder / safe_write.BACKUP_DIR).glob("*.xlsx")) if (folder / safe_write.BACKUP_DIR).is_dir() else []
    temps = _temps(folder)
    for backup in backups:  # never a half backup under a backup's name
        assert backup.read_bytes() == calibration.old
    began = state == "new" or any(t.parent == folder for t in temps)
    if began:
        assert backups, "the write phase began without a backup of the old ledger"
    # Nothing else that looks like a workbook: no temporary file is named *.xlsx.
    assert sorted(p.name for p in folder.glob("*.xlsx")) == ["台帳.xlsx"]
    assert all(not t.name.endswith((".xlsx", ".xlsm")) for t in temps)
    lock = safe_write.lock_path(ledger)
    phase = ("finished" if not killed else
             "after the rename" if state == "new" else
             "writing the ledger's temporary file" if any(t.parent == folder for t in temps) else
             "copying the backup" if temps else
             "backup made, before writing" if backups else
             "holding the lock, before writing" if lock.exists() else "starting up")

    return Outcome(folder, delay, killed, state, phase, lock.exists() or bool(temps))


def test_killed_at_random_points_the_ledger_is_old_or_new_never_half(calibration, tmp_path):
    rng = random.Random(SEED)
    write_phase = (calibration.renamed - calibration.write_starts) * 1.2  # a little past the rename too
    plan = [(False, rng.uniform(0.0, calibration.seconds * 1.05)) for _ in range(KILLS * 4 // 9)]
    plan += [(True, rng.uniform(0.0, write_phase)) for _ in range(KILLS - KILLS * 4 // 9)]
    folders = []
    for i in range(len(plan)):
        folder = tmp_path / f"run{i:02d}"
        folder.mkdir()
        folders.append(folder)
    with ThreadPoolExecutor(max_workers=2) as pool:  # two children at a time: the machine has two cores
        outcomes = list(pool.map(lambda job: _trial(calibration, job[0], *job[1]), zip(folders, plan)))
    # The next run takes over a dead run's lock, clears its temporary files and completes.
    for o in outcomes:
        if o.leftovers:
            ledger = o.folder / "台帳.xlsx"
            run = H.cli("fees", str(ledger), "--as-of", SAMPLE_DAY)
            assert run.code == 0, (o.phase, run.stderr)
            assert _values(ledger.read_bytes()) == calibration.new_values
            assert not safe_write.lock_path(ledger).exists() and not _temps(o.folder)
    killed = [o for o in outcomes if o.killed]
    phases: dict[str, int] = {}
    for o in outcomes:
        phases[o.phase] = phases.get(o.phase, 0) + 1
    print(f"\n{len(outcomes)} runs, {len(killed)} killed (run {calibration.seconds:.2f} s, writing "
          f"{calibration.write_starts:.3f}–{calibration.renamed:.3f} s): {json.dumps(phases, ensure_ascii=False)}")
    assert len(killed) >= 30
    # The seeded delays reach inside the write phase, not only start-up.
    assert sum(1 for o in killed if o.phase not in ("starting up", "holding the lock, before writing")) >= 5


# ------------------------------------------------------------------------------------------------
# Two clerks at once
# ------------------------------------------------------------------------------------------------

HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from xlsbridge.services.ledger_writes import ledger_update
    with ledger_update(Path(sys.argv[1]), out=None, command="xlsbridge fees"):
        print("holding", flush=True)
        sys.stdin.readline()  # hold the lock until told
""")


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path):
    ledger = write_ledger(tmp_path / "台帳.xlsx")
    before = ledger.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(ledger)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        for args in (["fees", str(ledger)], ["plan", str(ledger), "--all"]):
            second = subprocess.run([sys.executable, "-m", "xlsbridge.cli.main", *args, "--as-of", AS_OF.isoformat()],
                                    capture_output=True, text=True, encoding="utf-8", stdin=subprocess.DEVNULL)
            assert second.returncode == 2, second.stderr
            line = second.stderr.strip()
            assert "\n" not in line
            assert f"台帳.xlsx は使用中です（{getpass.getuser()}@{socket.gethostname()} が " in line
            assert "から xlsbridge fees を実行中）" in line and "T" not in line.split("が ")[1].split(" から")[0]
        assert ledger.read_bytes() == before
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    assert not safe_write.lock_path(ledger).exists()


def test_two_clerks_at_once_never_lose_each_others_update(tmp_path):
    """fees and plan started together, five times: each either runs alone or is refused with exit 2;
    whatever succeeded is in the final ledger (an interleaved write would lose one of them)."""
    results = []
    for i in range(5):
        folder = tmp_path / f"pair{i}"
        folder.mkdir()
        ledger = write_ledger(folder / "台帳.xlsx")
        procs = [subprocess.Popen([sys.executable, "-m", "xlsbridge.cli.main", *args, "--as-of", AS_OF.isoformat()],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                  encoding="utf-8")
                 for args in (["fees", str(ledger)], ["plan", str(ledger), "--case", "C-001"])]
        codes = []
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            codes.append(proc.returncode)
            assert proc.returncode in (0, 2), err
            if proc.returncode == 2:
                assert "使用中です" in err
        wb = openpyxl.load_workbook(ledger)
        fees_done = wb[VISITS.name]["A1"] is not None and FEE_SUMMARY_SHEET in wb.sheetnames
        plan_done = "計画書_C-001" in wb.sheetnames
        assert fees_done == (codes[0] == 0) and plan_done == (codes[1] == 0), codes
        assert 0 in codes
        backups = list((folder / safe_write.BACKUP_DIR).glob("*.xlsx"))
        assert len(backups) == codes.count(0)
        assert not safe_write.lock_path(ledger).exists()
        results.append(tuple(codes))
    print(f"\nfees/plan exit codes of 5 simultaneous pairs: {results}")


def _lock(ledger: Path, **holder) -> Path:
    lock = safe_write.lock_path(ledger)
    lock.write_text(json.dumps(holder), encoding="utf-8")
    return lock


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    ledger = write_ledger(tmp_path / "台帳.xlsx")
    lock = _lock(ledger, pid=_dead_pid(), host=socket.gethostname(), user="yamada", since="2025-06-30T09:00:00",
                 command="xlsbridge fees")
    run = H.cli("fees", str(ledger), "--as-of", AS_OF.isoformat())
    assert run.code == 0, run.stderr
    assert not lock.exists()
    assert FEE_SUMMARY_SHEET in openpyxl.load_workbook(ledger).sheetnames


def test_a_lock_cut_short_by_a_kill_is_taken_over_once_old(tmp_path):
    """A kill between creating the lock file and writing its content leaves it empty: fresh, it
    means someone is starting (refused); older than the grace period, it is taken over."""
    ledger = write_ledger(tmp_path / "台帳.xlsx")
    lock = safe_write.lock_path(ledger)
    lock.write_bytes(b"")
    run = H.cli("fees", str(ledger), "--as-of", AS_OF.isoformat())
    assert run.code == 2 and "使用中です（?" in run.stderr
    old = time.time() - safe_write.LOCK_UNREADABLE_GRACE - 5
    os.utime(lock, (old, old))
    run = H.cli("fees", str(ledger), "--as-of", AS_OF.isoformat())
    assert run.code == 0, run.stderr
    assert not lock.exists()


@pytest.mark.parametrize("holder", [
    {"pid": os.getpid(), "host": socket.gethostname()},  # alive here (this very process)
    {"pid": 1, "host": "事務所PC-2", "user": "sato"},  # another machine: cannot tell, never taken over
    {"pid": "not-a-number", "host": "事務所PC-2"},  # garbage from another machine
])
def test_a_live_or_foreign_lock_is_respected(tmp_path, holder):
    ledger = write_ledger(tmp_path / "台帳.xlsx")
    before = ledger.read_bytes()
    _lock(ledger, since="2025-06-30T09:00:00", **holder)
    run = H.cli("fees", str(ledger), "--as-of", AS_OF.isoformat())
    assert run.code == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert f"@{holder['host']} が 2025-06-30 09:00:00 から" in run.stderr
    assert ledger.read_bytes() == before and safe_write.lock_path(ledger).exists()


def test_a_ledger_open_in_excel_is_refused_use_out_instead(tmp_path):
    ledger = write_ledger(tmp_path / "台帳.xlsx")
    before = ledger.read_bytes()
    owner = tmp_path / "~$台帳.xlsx"
    owner.write_bytes(b"\x0cyamada" + b"\0" * 150)  # what Excel keeps beside an open workbook
    for args in (["fees", str(ledger)], ["plan", str(ledger), "--all"]):
        run = H.cli(*args, "--as-of", AS_OF.isoformat())
        assert run.code == 2, args
        assert run.stderr.strip() == ("xlsbridge: 台帳.xlsx は Excel で開かれています。Excel で閉じてから実行するか、"
                                      "--out で別のファイルに書き出してください")
    # flags prints its list anyway, says the sheet was not updated, and exits 2: nothing was written
    run = H.cli("flags", str(ledger), "--write", "--as-of", AS_OF.isoformat())
    assert run.code == 2 and "C-001" in run.stdout and "期限・年齢シートは更新していません" in run.stderr and "Excel で開かれています" in run.stderr
    assert ledger.read_bytes() == before
    run = H.cli("fees", str(ledger), "--out", str(tmp_path / "コピー.xlsx"), "--as-of", AS_OF.isoformat())
    assert run.code == 0, run.stderr
    assert ledger.read_bytes() == before
    assert not (tmp_path / safe_write.BACKUP_DIR).exists()


def test_backups_are_whole_and_pruned(tmp_path):
    """Each in-place write keeps a complete copy of the previous ledger; only the newest 20 stay."""
    ledger = write_ledger(tmp_path / "台帳.xlsx")
    folder = tmp_path / safe_write.BACKUP_DIR
    folder.mkdir()
    for i in range(safe_write.KEEP_BACKUPS + 3):
        (folder / f"台帳.20240101-0000{i:02d}.xlsx").write_bytes(b"old")
    (folder / "別の台帳.20240101-000000.xlsx").write_bytes(b"other ledger")
    previous = ledger.read_bytes()
    assert H.cli("fees", str(ledger), "--as-of", AS_OF.isoformat()).code == 0
    kept = sorted(p.name for p in folder.glob("台帳.*.xlsx"))
    assert len(kept) == safe_write.KEEP_BACKUPS
    assert (folder / kept[-1]).read_bytes() == previous  # the newest is the ledger before this run
    assert (folder / "別の台帳.20240101-000000.xlsx").exists()  # another ledger's backups untouched


def test_stale_temporary_files_are_cleared_only_under_the_lock(tmp_path):
    ledger = write_ledger(tmp_path / "台帳.xlsx")
    stale = tmp_path / f".台帳.xlsx.abc123{safe_write.TEMP_SUFFIX}"
    stale.write_bytes(b"half a workbook")
    other = tmp_path / f".別.xlsx.abc123{safe_write.TEMP_SUFFIX}"
    other.write_bytes(b"another ledger's")
    assert H.cli("validate", str(ledger), "--as-of", AS_OF.isoformat()).code == 0
    assert stale.exists()  # a read-only command touches nothing
    assert H.cli("fees", str(ledger), "--as-of", AS_OF.isoformat()).code == 0
    assert not stale.exists() and other.exists()


def test_fingerprint_of_read_only_commands(tmp_path):
    """validate and flags --no-write neither change nor lock the ledger (hash and mtime the same)."""
    ledger = write_ledger(tmp_path / "台帳.xlsx")
    before = (hashlib.sha256(ledger.read_bytes()).hexdigest(), ledger.stat().st_mtime_ns)
    for args in (["validate", str(ledger)], ["flags", str(ledger), "--no-write"], ["fees", str(ledger), "--dry-run"]):
        assert H.cli(*args, "--as-of", AS_OF.isoformat()).code in (0, 1)
    assert (hashlib.sha256(ledger.read_bytes()).hexdigest(), ledger.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台帳.xlsx"]


def test_out_over_an_existing_workbook_respects_its_lock(tmp_path):
    """--out onto a workbook that exists (say, another ledger being updated by a colleague) waits for
    nobody and overwrites nothing while that workbook's lock is held."""
    ledger = write_ledger(tmp_path / "台帳.xlsx")
    other = write_ledger(tmp_path / "別の台帳.xlsx")
    before = other.read_bytes()
    run = H.cli("fees", str(ledger), "--out", str(other), "--as-of", AS_OF.isoformat())
    assert run.code == 2 and "別の台帳.xlsx はすでにあります。上書きするときは --force" in run.stderr
    with safe_write.ledger_lock(other, "xlsbridge fees"):
        run = H.cli("fees", str(ledger), "--out", str(other), "--force", "--as-of", AS_OF.isoformat())
        assert run.code == 2 and "別の台帳.xlsx は使用中です" in run.stderr
        assert other.read_bytes() == before
    run = H.cli("fees", str(ledger), "--out", str(other), "--force", "--as-of", AS_OF.isoformat())
    assert run.code == 0, run.stderr
    assert FEE_SUMMARY_SHEET in openpyxl.load_workbook(other).sheetnames
    assert not safe_write.lock_path(other).exists()
