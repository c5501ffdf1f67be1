"""Issue 14 items 1, 5 and 9: the commands that load and save a whole ledger through openpyxl
(plan into the ledger, report --sheet, validate --annotate, template upgrade).

1. Nothing decrypted touches the disk.  Each command runs in a child Python with an audit hook that
   records every file opened for writing: with an encrypted ledger, the only files written are the
   ledger's own lock, temporary file (encrypted bytes) and backup, all beside it.  Before: openpyxl's
   save wrote every sheet, 連絡先 included, as plain XML to the temp folder (``openpyxl.*``).
5. A ledger holding what openpyxl would drop (a text box, rich text) is refused with one line and
   left unchanged.  Before: exit 0 and the text box gone.
9. The reader's limits apply before openpyxl loads: a 200 MB document title, 2 million notes, a
   400,000-row 連絡先 and a merge down to row 1,048,576 are one line and exit 2 under a 1.5 GB cap.
   Before: tracebacks after 1.5–3 GB (the merge: still running after 60 s).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests import hostile as H
from tests.ledger_builder import AS_OF, clean_spec, write_ledger

from xlsbridge.domain.layout import VISITS
from xlsbridge.io import safe_write

PASSWORD = "面会2025-秘密"
ADDRESS = "金沢市広坂1-1-1"  # in the 連絡先 sheet of the clean spec
DAY = ("--as-of", AS_OF.isoformat())

_WRITES_WRAPPER = r"""
import json, os, runpy, sys
_log, _busy = [], [False]
def _hook(event, args):
    if event != "open" or _busy[0]:
        return
    path, mode, flags = (list(args) + [None, None])[:3]
    writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
        isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    if writing and isinstance(path, (str, bytes, os.PathLike)):
        _log.append(os.path.abspath(os.fsdecode(path)))
sys.addaudithook(_hook)
import atexit
def _dump():
    _busy[0] = True
    with open(os.environ["XLSBRIDGE_TEST_WRITES"], "w") as out:
        json.dump(_log, out)
atexit.register(_dump)
sys.argv = ["xlsbridge", *sys.argv[1:]]
runpy.run_module("xlsbridge.cli.main", run_name="__main__", alter_sys=True)
"""


def _run_recording_writes(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    log = tmp_path / "writes.json"
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    env = dict(os.environ, XLSBRIDGE_TEST_WRITES=str(log), XLSBRIDGE_PASSWORD=PASSWORD, TMPDIR=str(temp))
    done = subprocess.run([sys.executable, "-c", _WRITES_WRAPPER, *args], capture_output=True, env=env, timeout=300,
                          cwd=str(tmp_path))
    return done, json.loads(log.read_text()) if log.exists() else []


@pytest.fixture
def encrypted(tmp_path) -> Path:
    plain = write_ledger(tmp_path / "plain.xlsx", clean_spec()).read_bytes()
    folder = tmp_path / "台帳フォルダ"
    folder.mkdir()
    path = folder / "台帳.xlsx"
    path.write_bytes(H.encrypt(plain, PASSWORD))
    (tmp_path / "plain.xlsx").unlink()
    return path


@pytest.mark.parametrize("command", [
    ["plan", "{ledger}", "--case", "C-001"],
    ["report", "{ledger}", "--from", "2025-04-01", "--to", "2025-06-30", "--sheet"],
    ["validate", "{ledger}", "--annotate", "{folder}/チェック済み.xlsx"],
    ["template", "upgrade", "{ledger}", "--out", "{folder}/新台帳.xlsx"],
])
def test_nothing_decrypted_touches_the_disk(command, encrypted, tmp_path):
    args = [a.format(ledger=encrypted, folder=encrypted.parent) for a in command]
    done, writes = _run_recording_writes(tmp_path, *args, *DAY)
    assert done.returncode in (0, 1), done.stderr.decode("utf-8", "replace")[-2000:]
    outside = [w for w in writes if Path(w).parent not in (encrypted.parent, encrypted.parent / safe_write.BACKUP_DIR)
               and not w.startswith("/dev/")]
    assert outside == [], outside  # no openpyxl.* sheet in the temp folder
    assert list((tmp_path / "tmp").iterdir()) == []
    in_place = "--sheet" in command or command[0] == "plan"
    for written in map(Path, writes):
        if written.exists() and written.name.startswith(".台帳.xlsx.") or (in_place and written == encrypted):
            assert written.read_bytes().startswith(b"\xd0\xcf\x11\xe0"), written  # encrypted, never plain
    assert not safe_write.lock_path(encrypted).exists()


@pytest.mark.parametrize("damage, words", [
    (lambda b: H.text_box(b, VISITS.name), "図形・テキストボックス"),
    (lambda b: H.rich_text_cell(b, VISITS.name), "文字ごとの書式"),
])
@pytest.mark.parametrize("command", [
    ["plan", "{ledger}", "--case", "C-001"],
    ["report", "{ledger}", "--from", "2025-04-01", "--to", "2025-06-30", "--sheet"],
    ["validate", "{ledger}", "--annotate", "{folder}/チェック済み.xlsx"],
    ["template", "upgrade", "{ledger}", "--out", "{folder}/新台帳.xlsx"],
])
def test_content_openpyxl_would_drop_is_refused_not_lost(damage, words, command, tmp_path):
    plain = write_ledger(tmp_path / "台帳.xlsx", clean_spec())
    plain.write_bytes(damage(plain.read_bytes()))
    before = plain.read_bytes()
    run = H.cli(*[a.format(ledger=plain, folder=tmp_path) for a in command], *DAY)
    lines = run.stderr.strip().splitlines()
    assert run.code == 2 and lines and words in lines[-1] and "何も書き込んでいません" in lines[-1], run.stderr
    assert "Traceback" not in run.stderr
    assert plain.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台帳.xlsx"]


def test_fees_and_flags_keep_the_text_box_byte_for_byte(tmp_path):
    """The byte-preserving patcher needs no guard: the shape survives fees."""
    ledger = write_ledger(tmp_path / "台帳.xlsx", clean_spec())
    ledger.write_bytes(H.text_box(ledger.read_bytes(), VISITS.name))
    assert H.cli("fees", str(ledger), *DAY).code == 0
    with zipfile.ZipFile(ledger) as zf:
        assert zf.read("xl/drawings/drawing99.xml") == H.TEXT_BOX


OPENPYXL_LOADS = {
    "200-MB-document-title": (lambda b: H.huge_document_title(b), "docProps/core.xml"),
    "2-million-notes": (lambda b: H.many_comments(b, VISITS.name), "メモ"),
    "400000-row-contacts": (lambda b: H.huge_contacts_sheet(b), "大きすぎます"),
    # openpyxl makes an object for every cell of a merged range: this one hung past 60 s
    "merge-to-row-1048576": (lambda b: H.merges(b, VISITS.name, ["A2:AE1048576"]), "結合セル"),
}


@pytest.mark.parametrize("case", sorted(OPENPYXL_LOADS))
def test_openpyxl_loading_commands_get_the_limits_first(case, tmp_path):
    build, words = OPENPYXL_LOADS[case]
    base = write_ledger(tmp_path / "base.xlsx", clean_spec()).read_bytes()
    (tmp_path / "base.xlsx").unlink()
    ledger = tmp_path / "台帳.xlsx"
    ledger.write_bytes(build(base))
    before = ledger.read_bytes()
    for command in (["plan", str(ledger), "--case", "C-001"], ["validate", str(ledger), "--annotate", str(tmp_path / "a.xlsx")],
                    ["report", str(ledger), "--from", "2025-04-01", "--to", "2025-06-30", "--sheet"],
                    ["template", "upgrade", str(ledger), "--out", str(tmp_path / "new.xlsx")]):
        run = H.run_bounded(*command, *DAY, memory_mb=1536, timeout=120)
        lines = run.stderr.strip().splitlines()
        assert run.code == 2 and len(lines) == 1 and "Traceback" not in run.stderr, (command, run.code, run.stderr[-1500:])
        assert words in lines[0], lines[0]
        assert run.seconds < 30 and run.max_rss_mb < 700, (command, run.seconds, run.max_rss_mb)
    assert ledger.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台帳.xlsx"]
