"""Issue 16, the add-in file and its VBA: its own settings, Japanese failures, visible while busy,
the pinned xlwings, and the file details Excel writes.

What Excel alone can confirm is in docs/addin-smoke-test.md; here are the built file's bytes and
records, the VBA text (checked structurally) and the configuration `addin install` writes.
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
    # the pointer is read and set where Excel for Mac may refuse it, without ending the button
    for name in ("CurrentCursor", "SetCursor"):
        lines = _procedure(modules["XlsBridge"], name)
        cursor_lines = [i for i, line in enumerate(lines) if "Application.Cursor" in line]
        resume = [i for i, line in enumerate(lines) if line.startswith("On Error Resume Next")]
        assert cursor_lines and resume and resume[0] < min(cursor_lines), name
    assert "savedCursor = CurrentCursor()" in body
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


