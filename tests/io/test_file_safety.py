"""Only what the user may write is written, where the user meant it (issue 14 item 6, issue 18).

Symbolic links are followed to the real ledger; a read-only ledger or folder, a device, a pipe and a
workbook open in LibreOffice are refused with one line before any work; ``--out`` takes only a
workbook name in an existing folder and an existing file only with --force; a full disk leaves no
lock behind.  Backups are per ledger, kept to the newest 20 (or XLSBRIDGE_KEEP_BACKUPS), never made
when nothing changed, and listed and restored by ``xlsbridge backups``.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

from tests import hostile as H
from tests.ledger_builder import AS_OF, write_ledger

from xlsbridge.io import safe_write

DAY = ("--as-of", AS_OF.isoformat())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line(run: H.Run) -> str:
    lines = run.stderr.strip().splitlines()
    assert run.code == 2, (run.code, run.stderr)
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    return lines[0]


@pytest.fixture
def ledger(tmp_path) -> Path:
    return write_ledger(tmp_path / "台帳.xlsx")


# ---------------------------------------------------------------------------------------------
# The target: links, read-only files and folders, devices, pipes, LibreOffice
# ---------------------------------------------------------------------------------------------

def test_a_symlinked_ledger_is_updated_where_it_lives_not_forked(ledger, tmp_path):
    elsewhere = tmp_path / "共有"
    elsewhere.mkdir()
    real = ledger.rename(elsewhere / "台帳.xlsx")
    link = tmp_path / "台帳へのリンク.xlsx"
    link.symlink_to(real)
    before = _digest(real)
    run = H.cli("fees", str(link), *DAY)
    assert run.code == 0, run.stderr
    assert link.is_symlink() and link.resolve() == real  # still a link, not a copy holding the contacts
    assert _digest(real) != before  # the real ledger got the fees
    assert safe_write.backups_of(real) and not (tmp_path / safe_write.BACKUP_DIR).exists()
    # and the lock is the real file's: a run holding it blocks a run through the link
    with safe_write.ledger_lock(real, "xlsbridge fees"):
        assert "使用中" in _one_line(H.cli("fees", str(link), *DAY))


def test_a_ledger_open_in_libreoffice_is_refused(ledger, tmp_path):
    (tmp_path / ".~lock.台帳.xlsx#").write_text(",yamada,host,02.12.2026 10:00,file:///home/yamada/.config/libreoffice/4;")
    before = _digest(ledger)
    line = _one_line(H.cli("fees", str(ledger), *DAY))
    assert "LibreOffice で開かれています" in line and ".~lock.台帳.xlsx#" in line
    assert _digest(ledger) == before


def test_a_read_only_ledger_is_refused_before_any_work(ledger, tmp_path):
    ledger.chmod(0o444)  # also what Windows' read-only attribute looks like from Python
    before = (_digest(ledger), ledger.stat().st_mode, ledger.stat().st_uid)
    for args in (["fees", str(ledger)], ["flags", str(ledger), "--write"], ["plan", str(ledger), "--all"],
                 ["report", str(ledger), "--from", "2025-04-01", "--to", "2025-06-30", "--sheet"]):
        line = _one_line(H.cli(*args, *DAY))
        assert "台帳 台帳.xlsx は読み取り専用なので書き込みません" in line, args
    assert (_digest(ledger), ledger.stat().st_mode, ledger.stat().st_uid) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台帳.xlsx"]


def test_a_read_only_folder_is_one_line(ledger, tmp_path):
    tmp_path.chmod(0o555)
    try:
        line = _one_line(H.cli("fees", str(ledger), *DAY))
        assert "書き込む権限がありません" in line
    finally:
        tmp_path.chmod(0o755)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台帳.xlsx"]


def test_out_onto_a_pipe_or_a_device_is_refused(ledger, tmp_path):
    fifo = tmp_path / "出力.xlsx"
    os.mkfifo(fifo)
    device_link = tmp_path / "null.xlsx"
    device_link.symlink_to("/dev/null")
    for target in (fifo, device_link):
        line = _one_line(H.cli("fees", str(ledger), "--out", str(target), "--force", *DAY))
        assert "通常のファイルではない" in line
    assert stat.S_ISFIFO(fifo.stat().st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_out_is_checked_before_the_work(ledger, tmp_path):
    cases = {
        str(tmp_path / "x.csv"): "ファイル名は .xlsx、.xlsm で終えてください",
        str(tmp_path / "ない" / "x.xlsx"): "出力先のフォルダーがありません",
        str(ledger): "元の台帳と別のファイル名",
    }
    existing = tmp_path / "前回.xlsx"
    existing.write_bytes(b"previous output")
    cases[str(existing)] = "前回.xlsx はすでにあります。上書きするときは --force"
    for target, words in cases.items():
        for args in (["fees", str(ledger), "--out", target], ["flags", str(ledger), "--out", target],
                     ["plan", str(ledger), "--all", "--out", target],
                     ["report", str(ledger), "--from", "2025-04-01", "--to", "2025-06-30", "--out", target],
                     ["validate", str(ledger), "--annotate", target]):
            run = H.cli(*args, *DAY)
            assert words in _one_line(run), (args, run.stderr)
            assert run.stdout == "", args  # refused before anything was computed or printed
    assert existing.read_bytes() == b"previous output"


# ---------------------------------------------------------------------------------------------
# A full disk: one line, no empty lock left to say "in use by ? since ?"
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_line_and_leaves_no_lock(tiny_disk, tmp_path):
    ledger = write_ledger(tiny_disk / "台帳.xlsx")
    filler = tiny_disk / "filler"
    try:  # fill the disk to the last block
        with open(filler, "wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
    except OSError:
        pass
    before = _digest(ledger)
    line = _one_line(H.cli("fees", str(ledger), *DAY))
    assert "ディスクに空きがない" in line or "保存できません" in line
    assert _digest(ledger) == before
    assert not safe_write.lock_path(ledger).exists()
    assert not [p for p in tiny_disk.rglob(f"*{safe_write.TEMP_SUFFIX}")]
    filler.unlink()
    run = H.cli("fees", str(ledger), *DAY)  # the next run is not told "in use by ? since ?"
    assert run.code == 0, run.stderr


# ---------------------------------------------------------------------------------------------
# Backups people can manage
# ---------------------------------------------------------------------------------------------

def test_backups_are_pruned_per_ledger_and_never_the_one_just_announced(tmp_path):
    ledger = write_ledger(tmp_path / "台帳.xlsx")
    folder = tmp_path / safe_write.BACKUP_DIR
    folder.mkdir()
    # Another ledger whose name starts the same way, with newer stamps: it must not count.
    for i in range(25):
        (folder / f"台帳.R6.20300101-0000{i:02d}.xlsx").write_bytes(b"R6")
    # This ledger's: 19 old ones and a same-second pair where "-1" is the newer of the two; with the
    # new one that is 22, so the oldest two go (20 kept).
    for i in range(19):
        (folder / f"台帳.20240101-0000{i:02d}.xlsx").write_bytes(b"old")
    (folder / "台帳.20240101-000030.xlsx").write_bytes(b"older of the pair")
    (folder / "台帳.20240101-000030-1.xlsx").write_bytes(b"newer of the pair")
    run = H.cli("fees", str(ledger), *DAY)
    assert run.code == 0, run.stderr
    mine = safe_write.backups_of(ledger)
    assert len(mine) == 20
    newest = mine[-1]
    assert str(newest) in run.stdout and newest.exists()  # the backup the message names exists
    assert [p.name for p in mine[-3:-1]] == ["台帳.20240101-000030.xlsx", "台帳.20240101-000030-1.xlsx"]
    assert not (folder / "台帳.20240101-000000.xlsx").exists()  # the oldest two went
    assert not (folder / "台帳.20240101-000001.xlsx").exists()
    assert len(list(folder.glob("台帳.R6.*.xlsx"))) == 25  # the other ledger's backups untouched


def test_backup_retention_setting_and_the_new_one_survives_keep_1(tmp_path, monkeypatch):
    ledger = write_ledger(tmp_path / "台帳.xlsx")
    folder = tmp_path / safe_write.BACKUP_DIR
    folder.mkdir()
    (folder / "台帳.29991231-235959.xlsx").write_bytes(b"a clock set wrong once")
    made = safe_write.make_backup(ledger, keep=1)
    assert safe_write.backups_of(ledger) == [made]  # never prune the one just made, whatever its stamp
    monkeypatch.setenv(safe_write.KEEP_BACKUPS_ENV, "3")
    for _ in range(5):
        safe_write.make_backup(ledger)
    assert len(safe_write.backups_of(ledger)) == 3
    monkeypatch.setenv(safe_write.KEEP_BACKUPS_ENV, "すべて")
    assert "XLSBRIDGE_KEEP_BACKUPS" in _one_line(H.cli("fees", str(ledger), *DAY))


def test_no_backup_and_no_write_when_nothing_changed(ledger, tmp_path):
    assert H.cli("fees", str(ledger), *DAY).code == 0
    once = (_digest(ledger), ledger.stat().st_mtime_ns, len(safe_write.backups_of(ledger)))
    time.sleep(0.01)
    run = H.cli("fees", str(ledger), *DAY)
    assert run.code == 0 and "変更はありません" in run.stdout and "バックアップ:" not in run.stdout
    assert (_digest(ledger), ledger.stat().st_mtime_ns, len(safe_write.backups_of(ledger))) == once


def test_backups_lists_and_restores_with_the_usual_safe_write(ledger, tmp_path):
    run = H.cli("backups", str(ledger))
    assert run.code == 0 and "バックアップはありません" in run.stdout
    original = _digest(ledger)
    assert H.cli("fees", str(ledger), *DAY).code == 0
    after_fees = _digest(ledger)
    run = H.cli("backups", str(ledger))
    assert run.code == 0 and "バックアップ 1 件" in run.stdout and "  1  " in run.stdout
    # restore refuses a ledger open in Excel, like every write
    (tmp_path / "~$台帳.xlsx").write_bytes(b"owner")
    assert "Excel で開かれています" in _one_line(H.cli("backups", str(ledger), "--restore", "1"))
    (tmp_path / "~$台帳.xlsx").unlink()
    assert "バックアップ「9」はありません" in _one_line(H.cli("backups", str(ledger), "--restore", "9"))
    run = H.cli("backups", str(ledger), "--restore", "1")
    assert run.code == 0, run.stderr
    assert _digest(ledger) == original  # the ledger before fees is back
    newest = safe_write.backups_of(ledger)[-1]
    assert _digest(newest) == after_fees and str(newest) in run.stdout  # and the replaced one was kept, named
    assert not safe_write.lock_path(ledger).exists()
