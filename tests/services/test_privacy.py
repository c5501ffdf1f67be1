"""Privacy proof: no address, phone or e-mail of the 連絡先 sheet leaves the ledger.

Every address, phone and e-mail cell of the shipped sample ledger's 連絡先 sheet gets a unique marker
string.  Then every command runs on it — validate (text, json, csv, --annotate), fees (--dry-run, in
place, --out), flags (text, json, csv, sheet, --out), plan (in place, --out, --pdf when LibreOffice is
installed), report (text, csv, json, --sheet, --out) — and every ribbon action through xlwings'
remote engine.  Captured and searched for the markers: stdout, stderr, every log record (all loggers
at DEBUG), every file produced (xlsx unzipped part by part, PDFs through pdftotext and as bytes,
CSV, JSON), every action the ribbon sends back to Excel, and every file left in the temporary folder.

Derived outputs (lists, reports, plan sheets and their PDFs, ribbon writes) hold no marker at all.
Copies of the whole ledger (the ledger itself after an in-place update, its backup, --out of fees and
flags) hold each marker exactly once, in its own cell of 連絡先, and nowhere else.
Every input file is hashed before and after each read-only command: none is modified.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest


from tests import hostile as H

from xlsbridge.domain.layout import CONTACTS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "workbooks" / "案件台帳サンプル.xlsx"
DAY = ["--as-of", "2026-03-01"]
PERIOD = ["--from", "2024-04-01", "--to", "2026-03-31"]
HAS_SOFFICE = shutil.which("soffice") is not None or shutil.which("libreoffice") is not None
HAS_PDFTOTEXT = shutil.which("pdftotext") is not None


def _mark(source: Path, target: Path) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """Put a unique marker in every address, phone and e-mail cell of 連絡先; returns the markers and
    where each one is (row, column)."""
    wb = openpyxl.load_workbook(source)
    ws = wb[CONTACTS.name]
    header = [c.value for c in ws[1]]
    columns = {key: header.index(CONTACTS.column(key).header) + 1 for key in ("address", "phone", "email")}
    rng = random.Random(1729)
    markers: dict[str, tuple[int, int]] = {}
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value in (None, ""):
            continue
        for key, c in columns.items():
            marker = f"ZQ{key[:2].upper()}{r:04d}X{rng.getrandbits(32):08x}"
            ws.cell(r, c).value = marker
            markers[marker] = (r, c)
    wb.save(target)
    return list(markers), markers


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ledger")
    path = folder / "案件台帳.xlsx"
    markers, where = _mark(SAMPLE, path)
    assert len(markers) >= 3 * 60  # the sample's contacts: 80 parents, three cells each
    return path, markers, where


# ------------------------------------------------------------------------------------------------
# Searching
# ------------------------------------------------------------------------------------------------

def _found(text: str, markers: list[str]) -> list[str]:
    return [m for m in markers if m in text] if "ZQ" in text else []


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n).decode("utf-8", "replace") for n in zf.namelist()}


def _contacts_part(path: Path) -> str:
    parts = _parts(path)
    import re

    rid = re.search(r'<sheet [^>]*name="%s"[^>]*r:id="([^"]+)"' % CONTACTS.name, parts["xl/workbook.xml"])
    target = re.search(r'Id="%s"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="%s"' % (rid.group(1), rid.group(1)),
                       parts["xl/_rels/workbook.xml.rels"])
    t = target.group(1) or target.group(2)
    return t.lstrip("/") if t.startswith("/") else "xl/" + t


def leaks_in_file(path: Path, markers: list[str], *, ledger_copy: bool, where: dict) -> list[str]:
    """Where the markers show up in ``path`` where they must not."""
    found: list[str] = []
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        allowed = {"xl/sharedStrings.xml", _contacts_part(path)} if ledger_copy else set()
        for part, text in _parts(path).items():
            found += [f"{path.name}:{part}:{m}" for m in _found(text, markers) if part not in allowed]
        if ledger_copy:  # the shared strings are shared: each marker only in its own 連絡先 cell
            wb = openpyxl.load_workbook(path)
            seen = {}
            for ws in wb.worksheets:
                for row in ws.iter_rows():
                    for c in row:
                        texts = [str(c.value)] if c.value is not None else []
                        if c.comment is not None:
                            texts.append(c.comment.text)
                        for m in _found(" ".join(texts), markers):
                            if ws.title == CONTACTS.name and where[m] == (c.row, c.column) and c.value == m:
                                seen[m] = seen.get(m, 0) + 1
                            else:
                                found.append(f"{path.name}:{ws.title}!{c.coordinate}:{m}")
            assert sorted(seen) == sorted(markers) and set(seen.values()) == {1}, "the contacts were not kept"
        return found
    data = path.read_bytes()
    found += [f"{path.name}:{m}" for m in _found(data.decode("latin-1"), markers)]
    if suffix == ".pdf":
        assert HAS_PDFTOTEXT
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout
        decoded = text.decode("utf-8", "replace")
        assert decoded.strip(), "pdftotext found no text: the check would prove nothing"
        found += [f"{path.name}(text):{m}" for m in _found(decoded.replace("\n", "").replace(" ", ""), markers)]
        found += [f"{path.name}(text):{m}" for m in _found(decoded, markers)]
    else:
        found += [f"{path.name}:{m}" for m in _found(data.decode("utf-8", "replace"), markers)]
    return found


def _snapshot(folders: list[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for f in folders if f.exists() for p in f.rglob("*") if p.is_file()}


# ------------------------------------------------------------------------------------------------
# The commands
# ------------------------------------------------------------------------------------------------

def _report_present() -> bool:
    import importlib.util

    from xlsbridge.cli.main import COMMANDS

    return importlib.util.find_spec(COMMANDS["report"]) is not None


def test_no_contact_detail_leaves_the_ledger_through_any_command(marked, tmp_path, caplog, monkeypatch):
    source, markers, where = marked
    # The search finds what it looks for: the ledger itself, taken as a derived output, leaks every marker.
    assert len({x.rsplit(":", 1)[1] for x in leaks_in_file(source, markers, ledger_copy=False, where=where)}) == len(markers)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # this process's temporary files
    monkeypatch.setenv("TMPDIR", str(temp))  # and LibreOffice's
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "out"
    out.mkdir()
    ledger_dir = tmp_path / "ledger"
    ledger_dir.mkdir()
    ledger = ledger_dir / "案件台帳.xlsx"
    shutil.copy2(source, ledger)

    read_only: list[tuple[str, list[str], set[str]]] = [  # (name, args, files it writes that are ledger copies)
        ("validate text", ["validate", str(ledger), *DAY], set()),
        ("validate json", ["validate", str(ledger), "--format", "json", *DAY], set()),
        ("validate csv", ["validate", str(ledger), "--format", "csv", *DAY], set()),
        # the annotated copy leaves 連絡先 out, so it must hold no marker at all
        ("validate --annotate", ["validate", str(ledger), "--annotate", str(out / "チェック.xlsx"), *DAY], set()),
        ("flags text", ["flags", str(ledger), "--no-write", *DAY], set()),
        ("flags json", ["flags", str(ledger), "--no-write", "--format", "json", *DAY], set()),
        ("flags csv", ["flags", str(ledger), "--no-write", "--format", "csv", *DAY], set()),
        ("fees --dry-run", ["fees", str(ledger), "--dry-run", *DAY], set()),
        ("fees --out", ["fees", str(ledger), "--out", str(out / "料金.xlsx"), *DAY], {"料金.xlsx"}),
        ("flags --out", ["flags", str(ledger), "--out", str(out / "期限.xlsx"), *DAY], {"期限.xlsx"}),
        ("plan --case --out", ["plan", str(ledger), "--case", "K-0002", "--out", str(out / "計画書_K-0002.xlsx"), *DAY],
         set()),
    ]
    if HAS_SOFFICE:
        read_only.append(("plan --all --out --pdf",
                          ["plan", str(ledger), "--all", "--out", str(out / "計画書_全ケース.xlsx"), "--pdf", *DAY], set()))
    if _report_present():
        read_only += [
            ("report text", ["report", str(ledger), *PERIOD, *DAY], set()),
            ("report csv", ["report", str(ledger), *PERIOD, "--format", "csv", *DAY], set()),
            ("report json", ["report", str(ledger), *PERIOD, "--format", "json", *DAY], set()),
            ("report --out", ["report", str(ledger), *PERIOD, "--out", str(out / "実績.xlsx"), *DAY], set()),
        ]
    writes: list[tuple[str, list[str]]] = [
        ("fees", ["fees", "{ledger}", *DAY]),
        ("flags --write", ["flags", "{ledger}", "--write", *DAY]),
        ("plan --case", ["plan", "{ledger}", "--case", "K-0002", *DAY]),
    ]
    if _report_present():
        writes.append(("report --sheet", ["report", "{ledger}", *PERIOD, "--sheet", *DAY]))

    leaks: list[str] = []
    modified = 0
    produced_count = 0
    pdfs = 0
    for name, args, copies in read_only:
        before = _snapshot([ledger_dir, out])
        caplog.clear()
        run = H.cli(*args)
        assert run.code in (0, 1), (name, run.stderr)
        leaks += [f"{name} stdout/stderr/log: {m}" for m in _found(run.stdout + run.stderr + caplog.text, markers)]
        after = _snapshot([ledger_dir, out])
        modified += sum(1 for p, h in before.items() if after.get(p) != h)
        for path in [p for p, h in after.items() if before.get(p) != h]:
            produced_count += 1
            pdfs += path.suffix == ".pdf"
            leaks += [f"{name}: {x}" for x in leaks_in_file(path, markers, ledger_copy=path.name in copies, where=where)]
    for name, args in writes:
        folder = tmp_path / f"write-{len(leaks)}-{name.replace(' ', '_').replace('-', '')}"
        folder.mkdir()
        copy = folder / "案件台帳.xlsx"
        shutil.copy2(source, copy)
        caplog.clear()
        run = H.cli(*[a.replace("{ledger}", str(copy)) for a in args])
        assert run.code in (0, 1), (name, run.stderr)
        leaks += [f"{name} stdout/stderr/log: {m}" for m in _found(run.stdout + run.stderr + caplog.text, markers)]
        for path in folder.rglob("*"):
            if path.is_file():
                produced_count += 1
                leaks += [f"{name}: {x}" for x in leaks_in_file(path, markers, ledger_copy=True, where=where)]
        assert (folder / "xlsbridge_backup").is_dir()
    for path in temp.rglob("*"):  # nothing left in the temporary folder holds a contact detail
        if path.is_file():
            leaks += [f"temporary file {path.name}: {x}" for x in
                      leaks_in_file(path, markers, ledger_copy=False, where=where)]
    print(f"\nprivacy: {len(markers)} markers, {len(read_only)} read-only and {len(writes)} writing runs, "
          f"{produced_count} files searched ({pdfs} PDF), leaks {len(leaks)}, inputs modified {modified}")
    assert leaks == []
    assert modified == 0
    if HAS_SOFFICE:
        assert pdfs >= 1


def test_the_plan_sheet_never_shows_contact_data(marked, tmp_path):
    """Besides the markers: no cell of any plan sheet holds a 連絡先 value of the case's parents, in
    any form (the original sample's real-looking addresses, phones and e-mails)."""
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb[CONTACTS.name]
    header = [c.value for c in ws[1]]
    cols = [header.index(CONTACTS.column(k).header) for k in ("address", "phone", "email")]
    private = {str(row[c]) for row in ws.iter_rows(min_row=2, values_only=True) for c in cols if row[c]}
    assert len(private) > 100
    out = tmp_path / "計画書.xlsx"
    run = H.cli("plan", str(SAMPLE), "--all", "--out", str(out), *DAY)
    assert run.code == 0, run.stderr
    drawn = openpyxl.load_workbook(out)
    texts = " ".join(str(c.value) for s in drawn.worksheets for row in s.iter_rows() for c in row if c.value is not None)
    assert len(drawn.sheetnames) >= 30 and texts
    assert not [p for p in private if p in texts]
    assert "見本町" not in texts and "@example.jp" not in texts and "090-0000" not in texts


# ------------------------------------------------------------------------------------------------
# The ribbon
# ------------------------------------------------------------------------------------------------

@pytest.fixture
def remote(monkeypatch, tmp_path):
    import xlwings as xw

    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    if "remote" not in [e.name for e in xw.engines]:
        from xlwings.pro import _xlremote

        xw.engines.add(xw.Engine(impl=_xlremote.engine))
    folder = tmp_path / "plans"
    folder.mkdir()
    monkeypatch.setenv("XLSBRIDGE_OUTPUT_DIR", str(folder))
    return folder


def test_no_contact_detail_leaves_through_the_ribbon(marked, remote, caplog):
    from tests import xlwings_payload as xp

    from xlsbridge.excel import entrypoints as ep

    source, markers, where = marked
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    wb = xp.load(source)
    payload_text = json.dumps(xp.build_payload(wb), ensure_ascii=False)
    assert all(m in payload_text for m in markers)  # Excel does send the contacts sheet: the test is real
    caplog.set_level(logging.DEBUG)
    day = date(2026, 3, 1)
    leaks: list[str] = []
    actions = [
        ("入力チェック", lambda b: ep.check_entries(b, as_of=day), {}),
        ("料金計算", lambda b: ep.compute_fees(b, as_of=day), {}),
        ("期限・年齢チェック", lambda b: ep.check_deadlines(b, as_of=day), {}),
        ("計画書作成", lambda b: ep.make_plan(b, as_of=day), {"active": "ケース", "selection": "A3"}),
        ("計画書作成（全ケース）", lambda b: ep.make_all_plans(b, as_of=day), {}),
        ("自己診断", lambda b: ep.self_check("0.0.0", b), {}),
    ]
    for name, action, options in actions:
        caplog.clear()
        book = xp.remote_book(wb, name="案件台帳.xlsx", **options)
        action(book)
        sent = json.dumps(book.json(), ensure_ascii=False)
        assert '"alert"' in sent, name
        leaks += [f"{name} actions: {m}" for m in _found(sent + caplog.text, markers)]
    files = sorted(remote.iterdir())
    assert len(files) == 2  # the selected case's plan and the all-cases plan
    for path in files:
        leaks += [f"ribbon file {x}" for x in leaks_in_file(path, markers, ledger_copy=False, where=where)]
    assert leaks == []
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
