"""Issue 16, the Python side of a ribbon button (xlsbridge/excel/buttons.py) through xlwings' remote
engine, as tests/excel/test_excel_entrypoints.py does: versions compared before anything runs, a
workbook that is not a ledger, an unsaved one, a copy kept before writing, back to the ledger.
"""


from __future__ import annotations

import io
import re
import struct
import tomllib
import zipfile
from pathlib import Path
from types import SimpleNamespace

import olefile
import pytest
import xlwings as xw
from oletools.olevba import VBA_Parser

import xlsbridge
from xlsbridge import __version__
from xlsbridge.addin import build as addin_build
from xlsbridge.addin import install as addin_install
from xlsbridge.excel import buttons
from xlsbridge.excel import entrypoints as ep
from xlsbridge.i18n import set_lang
from xlsbridge.samples.workbooks import SAMPLE_FILE

from tests import xlwings_payload as xp

REPO = Path(__file__).resolve().parents[2]
MACROS = REPO / "macros"
SAMPLE = REPO / "workbooks" / SAMPLE_FILE
AS_OF_NOTE = "保存せずに閉じる"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _japanese_and_remote(monkeypatch, tmp_path):
    set_lang("ja")
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    if "remote" not in [e.name for e in xw.engines]:
        from xlwings.pro import _xlremote

        xw.engines.add(xw.Engine(impl=_xlremote.engine))
    monkeypatch.setenv("XLSBRIDGE_OUTPUT_DIR", str(tmp_path))


@pytest.fixture(scope="module")
def xlam(tmp_path_factory) -> bytes:
    return addin_build.build_addin(tmp_path_factory.mktemp("addin")).read_bytes()


@pytest.fixture(scope="module")
def vba_bin(xlam) -> bytes:
    return zipfile.ZipFile(io.BytesIO(xlam)).read("xl/vbaProject.bin")


@pytest.fixture(scope="module")
def modules(xlam) -> dict[str, str]:
    parser = VBA_Parser("xlsbridge.xlam", data=xlam)
    try:
        return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def sample_wb():
    return xp.load(SAMPLE)


# --- 4. versions (Python side) ---------------------------------------------------------------


def test_press_refuses_other_versions_with_what_to_do(sample_wb):
    book = xp.remote_book(sample_wb, active="ケース", selection="A3")
    buttons.press("check_entries", "0.0.1", xw.__version__, book)
    [action] = xp.actions(book)  # one alert, nothing written
    assert action["func"] == "alert"
    text = action["args"][0]
    assert f"アドイン（0.0.1）と Python の xlsbridge（{__version__}）の版が違います" in text
    assert "xlsbridge addin install" in text and "install.cmd" in text

    book = xp.remote_book(sample_wb, active="ケース", selection="A3")
    buttons.press("compute_fees", __version__, "0.30.0", book)
    [action] = xp.actions(book)
    assert f"アドインの中の xlwings（0.30.0）と Python の xlwings（{xw.__version__}）の版が違います" in action["args"][0]
    assert "pip install xlwings==0.30.0" in action["args"][0]


def test_press_with_matching_versions_runs_the_entry_point(sample_wb):
    book = xp.remote_book(sample_wb, active="ケース", selection="A3")
    buttons.press("check_deadlines", __version__, xw.__version__, book)
    funcs = [a["func"] for a in xp.actions(book)]
    assert funcs[0] == "setScreenUpdating" and funcs[-1] == "alert" and "addSheet" in funcs
    with pytest.raises(ValueError):
        buttons.press("__import__", __version__, xw.__version__, book)


def test_self_check_compares_the_addins_xlwings_with_the_package(sample_wb):
    book = xp.remote_book(sample_wb)
    buttons.press("self_check", __version__, "0.30.0", book)
    [text] = [a["args"][0] for a in xp.actions(book) if a["func"] == "alert"]
    assert f"✗ アドインの xlwings と Python の xlwings の版: アドイン 0.30.0 / パッケージ {xw.__version__}" in text
    assert "python -m pip install xlwings==0.30.0" in text
    book = xp.remote_book(sample_wb)
    buttons.press("self_check", __version__, xw.__version__, book)
    [text] = [a["args"][0] for a in xp.actions(book) if a["func"] == "alert"]
    assert f"✓ アドインの xlwings と Python の xlwings の版: アドイン {xw.__version__}" in text


# --- 6. the right workbook -------------------------------------------------------------------------


def test_a_workbook_that_is_not_a_ledger_gets_its_own_message(sample_wb):
    payload = {"client": xp.CLIENT, "version": xw.__version__, "names": [],
               "book": {"name": "見積書.xlsx", "active_sheet_index": 0, "selection": "A1"},
               "sheets": [{"name": "Sheet1", "values": [["品名", "金額"]], "pictures": [], "tables": []}]}
    for entry in ("check_entries", "compute_fees", "check_deadlines", "make_plan", "make_all_plans"):
        book = xw.Book(json=payload)
        getattr(ep, entry)(book)
        funcs = [a["func"] for a in xp.actions(book)]
        assert funcs == ["setScreenUpdating", "setScreenUpdating", "alert"], entry
        text = xp.actions(book)[-1]["args"][0]
        assert text.startswith("開いているブック「見積書.xlsx」は案件台帳ではありません"), entry


class DesktopBook:
    """A remote-engine book that reports what desktop Excel reports: a file name with a folder and a
    desktop engine.  Reads, writes and alerts still go to the remote engine's JSON."""

    def __init__(self, book, fullname: str):
        self._book = book
        self.fullname = fullname
        self.app = DesktopApp(book.app)
        self.activated = 0

    def __getattr__(self, name):
        return getattr(self._book, name)

    def activate(self):
        self.activated += 1


class DesktopApp:
    def __init__(self, app):
        object.__setattr__(self, "_app", app)
        object.__setattr__(self, "engine", SimpleNamespace(type="desktop"))
        object.__setattr__(self, "opened", [])
        object.__setattr__(self, "books", SimpleNamespace(open=self.opened.append))

    def __getattr__(self, name):
        return getattr(self._app, name)

    def __setattr__(self, name, value):
        setattr(self._app, name, value)


def test_an_unsaved_workbook_gets_its_own_message_and_nothing_is_written(sample_wb):
    for entry in ("check_entries", "compute_fees", "check_deadlines", "make_all_plans"):
        remote = xp.remote_book(sample_wb, name="Book1", active="ケース", selection="A3")
        getattr(ep, entry)(DesktopBook(remote, "Book1"))
        funcs = [a["func"] for a in xp.actions(remote)]
        assert funcs == ["setScreenUpdating", "setScreenUpdating", "alert"], entry
        assert "まだ保存されていません" in xp.actions(remote)[-1]["args"][0]
    # saved, on desktop Excel: runs
    assert buttons.is_saved_path(r"C:\Users\sato\Documents\案件台帳.xlsx")
    assert buttons.is_saved_path("/Users/sato/Documents/案件台帳.xlsx")
    assert buttons.is_saved_path("https://example.sharepoint.com/sites/x/台帳.xlsx")
    assert not buttons.is_saved_path("Book1") and not buttons.is_saved_path("案件台帳.xlsx")


# --- 7. a copy to go back to -------------------------------------------------------------------------


def test_a_writing_button_keeps_a_copy_beside_the_ledger_and_says_where(sample_wb, tmp_path):
    ledger = tmp_path / "案件台帳.xlsx"
    ledger.write_bytes(SAMPLE.read_bytes())
    remote = xp.remote_book(sample_wb, name=ledger.name, active="ケース", selection="A3")
    ep.compute_fees(DesktopBook(remote, str(ledger)))
    copies = sorted((tmp_path / "xlsbridge_backup").iterdir())
    assert len(copies) == 1
    # the CLI's naming: xlsbridge_backup/<stem>.<YYYYmmdd-HHMMSS><suffix>
    assert re.fullmatch(r"案件台帳\.\d{8}-\d{6}\.xlsx", copies[0].name)
    assert copies[0].read_bytes() == SAMPLE.read_bytes()
    text = xp.actions(remote)[-1]["args"][0]
    assert text.startswith("料金計算: 面会")
    assert f"書き込む前の台帳の控え（最後に保存した状態）: {copies[0]}" in text and AS_OF_NOTE in text
    assert [a for a in xp.actions(remote) if a["func"] == "setValues"]  # and it did write


def test_the_copy_is_made_by_the_same_function_as_the_clis_backups(tmp_path, monkeypatch):
    """buttons.keep_copy calls io.safe_write.make_backup (no second copy of the naming or the retention),
    and names the newest copy again while the file has not changed."""
    import xlsbridge.io.safe_write as safe_write

    calls = []
    real = safe_write.make_backup
    monkeypatch.setattr(safe_write, "make_backup", lambda path, *a, **k: calls.append(path) or real(path, *a, **k))
    ledger = tmp_path / "台帳.xlsx"
    ledger.write_bytes(b"PK one")
    book = SimpleNamespace(fullname=str(ledger), app=SimpleNamespace(engine=SimpleNamespace(type="desktop")))
    copy = buttons.keep_copy(book)
    assert calls == [ledger] and copy.parent == tmp_path / safe_write.BACKUP_DIR and copy.read_bytes() == b"PK one"
    assert buttons.keep_copy(book) == copy and calls == [ledger]  # unchanged: no second, identical copy
    ledger.write_bytes(b"PK two")  # saved again with changes: a new copy
    newer = buttons.keep_copy(book)
    assert newer != copy and newer.read_bytes() == b"PK two" and len(calls) == 2
    assert safe_write.backups_of(ledger) == [copy, newer]
    remote = SimpleNamespace(fullname="台帳.xlsx", app=SimpleNamespace(engine=SimpleNamespace(type="remote")))
    assert buttons.keep_copy(remote) is None and len(calls) == 2


def test_self_check_writes_nothing_and_keeps_no_copy(sample_wb, tmp_path):
    ledger = tmp_path / "案件台帳.xlsx"
    ledger.write_bytes(SAMPLE.read_bytes())
    remote = xp.remote_book(sample_wb, name=ledger.name)
    ep.self_check(__version__, DesktopBook(remote, str(ledger)))
    assert not (tmp_path / "xlsbridge_backup").exists()
    assert [a["func"] for a in xp.actions(remote)] == ["setScreenUpdating", "setScreenUpdating", "alert"]


def test_after_a_plan_the_ledger_is_active_again(sample_wb, tmp_path):
    ledger = tmp_path / "案件台帳.xlsx"
    ledger.write_bytes(SAMPLE.read_bytes())
    remote = xp.remote_book(sample_wb, name=ledger.name, active="ケース", selection="A3")
    book = DesktopBook(remote, str(ledger))
    target = ep.make_plan(book, out_dir=tmp_path)
    assert target is not None and target.is_file()
    assert book.app.opened == [str(target)] and book.activated == 1
