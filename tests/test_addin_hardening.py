"""Issue 16: the ribbon add-in's own settings, Japanese failures, busy state, versions, file details,
the right workbook, and a copy before writing.

What Excel alone can confirm is in docs/addin-smoke-test.md; here are the built file's bytes and
records, the VBA text (structurally), the generated configuration, and the Python side through
xlwings' remote engine (as tests/test_excel_entrypoints.py does).
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
from xlsbridge.io.build_workbooks import SAMPLE_FILE

import xlwings_payload as xp

REPO = Path(__file__).resolve().parents[1]
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


# --- 1. its own settings -------------------------------------------------------------------------


def test_the_embedded_xlwings_module_reads_xlsbridge_conf(modules):
    code = modules["xlwings"]
    assert 'Public Const PROJECT_NAME As String = "xlsbridge"' in code
    assert 'PROJECT_NAME As String = "xlwings"' not in code and '"myaddin"' not in code
    # the custom-add-in flavour: acts on the active workbook, reads the add-in's own conf sheet too
    assert 'If SheetExists(ThisWorkbook, PROJECT_NAME & ".conf") = True Then' in code
    assert "ParameterString = ParameterString + \"|\" + ActiveWorkbook.Name" in code


def _fake_windows(tmp_path):
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "profile")}
    xlwings_conf = tmp_path / "profile" / ".xlwings" / "xlwings.conf"
    xlwings_conf.parent.mkdir(parents=True)
    # what xlwings' own ribbon wrote: another Python, the UDF server, a console
    original = b'"INTERPRETER_WIN","C:\\Anaconda\\python.exe"\r\n"USE UDF SERVER","True"\r\n"SHOW CONSOLE","True"\r\n'
    xlwings_conf.write_bytes(original)
    return env, xlwings_conf, original


def test_addin_install_writes_only_xlsbridge_conf_and_leaves_xlwings_conf_alone(tmp_path):
    env, xlwings_conf, original = _fake_windows(tmp_path)
    before = xlwings_conf.stat().st_mtime_ns
    plan = addin_install.install_addin(platform="win32", env=env, home=tmp_path, executable=r"C:\xlsbridge\venv\Scripts\python.exe")
    assert plan.config_path == tmp_path / "profile" / ".xlsbridge" / "xlsbridge.conf"
    assert plan.config_path.read_bytes() == b'"INTERPRETER_WIN","C:\\xlsbridge\\venv\\Scripts\\python.exe"\r\n'
    assert xlwings_conf.read_bytes() == original and xlwings_conf.stat().st_mtime_ns == before
    # everything written is the add-in, its own conf, and nothing else
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["Roaming/Microsoft/Excel/XLSTART/xlsbridge.xlam", "profile/.xlsbridge/xlsbridge.conf",
                       "profile/.xlwings/xlwings.conf"]


def test_addin_install_on_macos_writes_xlsbridge_conf_in_excels_container(tmp_path):
    data = tmp_path / "Library/Containers/com.microsoft.Excel/Data"
    data.mkdir(parents=True)
    (data / "xlwings.conf").write_text('"INTERPRETER_MAC","/usr/bin/python3"\n', encoding="utf-8")
    plan = addin_install.install_addin(platform="darwin", env={}, home=tmp_path, executable="/opt/xb/bin/python")
    assert plan.config_path == data / "xlsbridge.conf"
    assert (data / "xlsbridge.conf").read_text(encoding="utf-8") == '"INTERPRETER_MAC","/opt/xb/bin/python"\n'
    assert (data / "xlwings.conf").read_text(encoding="utf-8") == '"INTERPRETER_MAC","/usr/bin/python3"\n'


def test_the_config_file_the_vba_reads_is_the_one_install_writes(modules):
    """GetConfigFilePath: %USERPROFILE%\\.<PROJECT_NAME>\\<PROJECT_NAME>.conf and on macOS <container>/<PROJECT_NAME>.conf."""
    code = modules["xlwings"]
    assert 'GetConfigFilePath = Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in code
    assert 'GetConfigFilePath = GetMacDir("$HOME", False) & "/" & PROJECT_NAME & ".conf"' in code
    assert addin_install.CONFIG_FILE == addin_build.CONFIG_NAME + ".conf"
    assert addin_install.MAC_CONFIG.endswith("/Data/" + addin_install.CONFIG_FILE)


# --- 2 and 3. the ribbon module: Japanese, busy, restored on every way out ------------------------


def _procedure(code: str, name: str) -> list[str]:
    match = re.search(rf"^(?:Public |Private )?(?:Sub|Function) {name}\(.*?$(.*?)^End (?:Sub|Function)", code,
                      flags=re.MULTILINE | re.DOTALL)
    assert match, name
    return [line.strip() for line in match.group(1).replace("\r\n", "\n").split("\n")
            if line.strip() and not line.strip().startswith("'")]


def test_every_way_out_of_a_button_restores_the_status_bar_and_cursor(modules):
    body = _procedure(modules["XlsBridge"], "RunButton")
    restore = "RestoreUi savedStatus, savedShowStatus, savedCursor"
    on_error = body.index("On Error GoTo Failed")
    # nothing is changed before the error trap is set
    changes = [i for i, line in enumerate(body) if re.match(r"Application\.(StatusBar|DisplayStatusBar|Cursor) =|SetCursor ", line)]
    assert changes and min(changes) > on_error
    # the only jumps are to Finish and Failed; each Exit Sub comes right after the restore
    assert {m for line in body for m in re.findall(r"GoTo (\w+)", line)} == {"Failed", "Finish"}
    exits = [i for i, line in enumerate(body) if line == "Exit Sub"]
    assert exits and all(body[i - 1] == restore for i in exits)
    # the success path falls through into Finish (no Exit Sub or End between RunPython and Finish:)
    run = next(i for i, line in enumerate(body) if line.startswith("RunPython "))
    finish, failed = body.index("Finish:"), body.index("Failed:")
    assert run < finish < failed and not any(line.startswith("Exit ") for line in body[run:finish])
    assert body[finish + 1] == restore
    # the error path restores before it shows its message, and ends the procedure
    assert restore in body[failed:] and body.index(restore, failed) < next(
        i for i in range(failed, len(body)) if body[i].startswith("MsgBox"))
    # the restore itself cannot fail half-way
    restore_body = _procedure(modules["XlsBridge"], "RestoreUi")
    assert restore_body[0] == "On Error Resume Next"
    assert {"Application.StatusBar = savedStatus", "Application.DisplayStatusBar = savedShowStatus",
            "SetCursor savedCursor"} <= set(restore_body)


def test_a_button_shows_a_japanese_status_and_the_wait_cursor_before_python_starts(modules):
    body = _procedure(modules["XlsBridge"], "RunButton")
    status = next(i for i, line in enumerate(body) if line.startswith("Application.StatusBar = "))
    cursor = body.index("SetCursor xlWait")
    run = next(i for i, line in enumerate(body) if line.startswith("RunPython "))
    assert status < run and cursor < run and "DoEvents" in body[status:run]
    assert JAPANESE.search(body[status]) and "しばらくお待ちください" in body[status]


def test_every_message_of_the_ribbon_module_is_japanese(modules):
    code = modules["XlsBridge"]
    for statement in re.findall(r"^\s*(?:MsgBox|\w+Problem =|Application\.StatusBar =)(.*?)(?<!_)$", code, flags=re.MULTILINE):
        literals = re.findall(r'"([^"]*)"', statement)
        texts = [s for s in literals if re.search(r"[A-Za-z]{4,}", s) and not JAPANESE.search(s) and s != "xlsbridge: "]
        assert not texts, statement  # no English sentence
    messages = re.findall(r'"([^"]*[\u3040-\u30ff\u4e00-\u9fff][^"]*)"', code)
    assert len(messages) >= 10
    assert "On Error GoTo Failed" in code
    # the xlwings texts staff could see on the way: the macOS status text is Japanese too
    assert '"Running..."' not in modules["xlwings"]


def test_each_failure_before_python_has_its_own_message(modules):
    code = modules["XlsBridge"]
    checks = {
        "Application.ActiveProtectedViewWindow": "保護ビュー",  # Protected View
        "ActiveWorkbook Is Nothing": "開いているブックがありません",
        'ActiveWorkbook.Path = ""': "まだ保存されていません",  # an unsaved workbook
        'interpreter = ""': "Python が設定されていません",
        "Not FileExists(interpreter)": "Python が見つかりません",
        'installed = ""': "xlsbridge が入っていません",
        "installed <> XLSBRIDGE_ADDIN_VERSION": "版が違います",
    }
    lines = code.replace("\r\n", "\n").split("\n")
    for condition, message in checks.items():
        at = next(i for i, line in enumerate(lines) if condition in line)
        assert message in "\n".join(lines[at:at + 4]), condition
    assert 'xlsbridge-*.dist-info' in code


def test_the_buttons_go_back_to_the_ledger_after_python(modules):
    body = _procedure(modules["XlsBridge"], "RunButton")
    ledger = body.index("Set ledger = ActiveWorkbook")
    run = next(i for i, line in enumerate(body) if line.startswith("RunPython "))
    assert ledger < run and "ledger.Activate" in body[run:body.index("Finish:")]


# --- 4. versions -----------------------------------------------------------------------------------


def test_xlwings_is_pinned_to_the_version_whose_vba_the_addin_embeds(xlam, modules):
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    [pin] = [d for d in project["project"]["dependencies"] if d.startswith("xlwings")]
    assert pin == f"xlwings=={xw.__version__}"
    recorded = addin_build.recorded_xlwings_version(modules["xlwings"])
    assert recorded == xw.__version__
    properties = addin_build.read_custom_properties(_write(xlam))
    assert properties[addin_build.XLWINGS_VERSION_PROPERTY] == recorded
    # and the ribbon passes that version (and its own) to Python with every button
    assert "XLSBRIDGE_ADDIN_VERSION & \"', '\" & XLWINGS_VERSION & \"')\"" in modules["XlsBridge"]


def _write(data: bytes) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "xlsbridge.xlam"
    path.write_bytes(data)
    return path


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


# --- 5. file details -------------------------------------------------------------------------------


def test_vba_project_reserved3_is_one(vba_bin):
    ole = olefile.OleFileIO(io.BytesIO(vba_bin))
    reserved1, version, reserved2, reserved3 = struct.unpack("<HHBH", ole.openstream("VBA/_VBA_PROJECT").read())
    assert (reserved1, version, reserved2, reserved3) == (0x61CC, 0xFFFF, 0x00, 0x0001)


def test_storage_entries_have_start_sector_zero_and_size_zero(vba_bin):
    """MS-CFB 2.6.3: for a storage object the starting sector location and the stream size are all zeroes."""
    sector_shift = struct.unpack_from("<H", vba_bin, 0x1E)[0]
    first_dir = struct.unpack_from("<I", vba_bin, 0x30)[0]
    ole = olefile.OleFileIO(io.BytesIO(vba_bin))
    storages = [e for e in ole.direntries if e is not None and e.entry_type == olefile.STGTY_STORAGE]
    assert [e.name for e in storages] == ["VBA"]
    # read the raw 128-byte entry, not olefile's interpretation of it
    directory = ole._open(first_dir, force_FAT=True).read()
    raw = directory[storages[0].sid * 128:(storages[0].sid + 1) * 128]
    assert raw[:8] == "VBA".encode("utf-16-le") + b"\x00\x00" and raw[66] == olefile.STGTY_STORAGE
    assert struct.unpack_from("<IQ", raw, 116) == (0, 0)
    assert sector_shift == 9


def test_callbacks_are_qualified_with_the_module(xlam, modules):
    ui = zipfile.ZipFile(io.BytesIO(xlam)).read("customUI/customUI14.xml").decode("utf-8")
    actions = re.findall(r'onAction="([^"]+)"', ui)
    assert len(actions) == 6 and all(a.startswith("XlsBridge.On") for a in actions)
    for action in actions:
        assert re.search(rf"^Public Sub {action.split('.')[1]}\(control As IRibbonControl\)", modules["XlsBridge"],
                         flags=re.MULTILINE)


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
    """buttons.keep_copy calls io.safe_write.backup (no second copy of the naming or the retention)."""
    import xlsbridge.io.safe_write as safe_write

    calls = []
    real = safe_write.backup
    monkeypatch.setattr(safe_write, "backup", lambda path, *a, **k: calls.append(path) or real(path, *a, **k))
    ledger = tmp_path / "台帳.xlsx"
    ledger.write_bytes(b"PK")
    book = SimpleNamespace(fullname=str(ledger), app=SimpleNamespace(engine=SimpleNamespace(type="desktop")))
    copy = buttons.keep_copy(book)
    assert calls == [ledger] and copy.parent == tmp_path / safe_write.BACKUP_DIR and copy.read_bytes() == b"PK"
    remote = SimpleNamespace(fullname="台帳.xlsx", app=SimpleNamespace(engine=SimpleNamespace(type="remote")))
    assert buttons.keep_copy(remote) is None and calls == [ledger]


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
