"""The Excel add-in built without Excel: package, VBA project, compression, compound file, install.

What "the code olevba reads back equals the source" means (the normalisation):
* line ends: the project stores CRLF; both sides are compared with LF line ends and without
  trailing empty lines;
* our module (macros/XlsBridge.bas): the stored text is the file with the version placeholder
  replaced by xlsbridge.__version__, ``Attribute VB_Name`` line included;
* xlwings.bas: stored exactly as shipped by the installed xlwings;
* Dictionary.cls: the export header (VERSION 1.0 CLASS / BEGIN ... END) is not part of a stored
  module, and the VBA editor adds ``VB_Base``, ``VB_TemplateDerived`` and ``VB_Customizable``
  attributes on import; the comparison drops those header lines and those three attributes;
* document modules (ThisWorkbook, Sheet1) hold only their Attribute lines.
"""

from __future__ import annotations

import ast
import hashlib
import io
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path, PureWindowsPath

import olefile
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import xlsbridge
from xlsbridge.addin import build as addin_build
from xlsbridge.addin import install as addin_install
from xlsbridge.addin.cfb import BLACK, RED, write_compound_file
from xlsbridge.addin.ovba_compression import (
    CompressionError,
    compress,
    copy_token_help,
    decompress,
    has_raw_chunk,
)
from xlsbridge.addin.vba_project import (
    VBA_PROJECT_HEADER,
    decrypt_bytes,
    decrypt_data,
    encrypt_data,
    module_from_cls,
)
from xlsbridge.cli.main import cli
from xlsbridge.errors import UserError
from xlsbridge.i18n import set_lang

REPO = Path(__file__).resolve().parents[2]
MACROS = REPO / "macros"
SCHEMA = Path(__file__).resolve().parents[2].parent / "shared/schemas/customUI14.xsd"
XLWINGS_DIR = Path(__import__("xlwings").__file__).resolve().parent

NS_UI = "http://schemas.microsoft.com/office/2009/07/customui"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

MODULES = {"ThisWorkbook", "Sheet1", "XlsBridge", "xlwings", "Dictionary"}

# button label -> (callback, Python call it makes)
# label -> (onAction, the entry point RunButton passes to xlsbridge.excel.buttons.press, writes the ledger)
BUTTONS = {
    "入力チェック": ("XlsBridge.OnCheckEntries", "ep.check_entries()"),
    "料金計算": ("XlsBridge.OnComputeFees", "ep.compute_fees()"),
    "期限・年齢チェック": ("XlsBridge.OnCheckDeadlines", "ep.check_deadlines()"),
    "計画書作成 (選択行のケース)": ("XlsBridge.OnMakePlan", "ep.make_plan()"),
    "計画書作成 (全ケース)": ("XlsBridge.OnMakeAllPlans", "ep.make_all_plans()"),
    "自己診断": ("XlsBridge.OnSelfCheck", "ep.self_check('\" & XLSBRIDGE_ADDIN_VERSION & \"')"),
}


@pytest.fixture(autouse=True)
def _japanese():
    set_lang("ja")
    yield
    set_lang("ja")


@pytest.fixture(scope="session")
def xlam(tmp_path_factory) -> Path:
    return addin_build.build_addin(tmp_path_factory.mktemp("addin"))


@pytest.fixture(scope="session")
def parts(xlam) -> dict[str, bytes]:
    with zipfile.ZipFile(xlam) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="session")
def vba_ole(parts):
    # strict: any defect olefile notices, even one it could work around, is an error
    ole = olefile.OleFileIO(io.BytesIO(parts["xl/vbaProject.bin"]), raise_defects=olefile.DEFECT_INCORRECT)
    yield ole
    ole.close()


@pytest.fixture(scope="session")
def vba_code(xlam) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(xlam))
    try:
        return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def lf(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip("\n")


# --- the package -------------------------------------------------------------------------------


def test_building_twice_gives_the_same_bytes(tmp_path, xlam):
    again = addin_build.build_addin(tmp_path / "again")
    assert again.name == "xlsbridge.xlam"
    assert hashlib.sha256(again.read_bytes()).hexdigest() == addin_build.sha256_of(xlam)
    assert addin_build.build_addin_bytes() == xlam.read_bytes()


def test_zip_entries_have_fixed_order_and_timestamps(xlam):
    with zipfile.ZipFile(xlam) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
    assert [i.filename for i in infos][0] == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert len({i.filename for i in infos}) == len(infos)


def test_content_types(parts):
    root = etree.fromstring(parts["[Content_Types].xml"])
    defaults = {d.get("Extension"): d.get("ContentType") for d in root.iter(f"{{{NS_CT}}}Default")}
    overrides = {o.get("PartName"): o.get("ContentType") for o in root.iter(f"{{{NS_CT}}}Override")}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert defaults["bin"] == "application/vnd.ms-office.vbaProject"
    assert defaults["rels"] == "application/vnd.openxmlformats-package.relationships+xml"
    for part in overrides:
        assert part.lstrip("/") in parts, part
    # every part has a content type
    for name in parts:
        if name == "[Content_Types].xml":
            continue
        assert "/" + name in overrides or name.rsplit(".", 1)[-1] in defaults, name


def _rels(data: bytes) -> dict[str, str]:
    root = etree.fromstring(data)
    return {r.get("Type"): r.get("Target") for r in root.iter(f"{{{NS_REL}}}Relationship")}


def test_relationships(parts):
    package = _rels(parts["_rels/.rels"])
    assert package["http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"] == "xl/workbook.xml"
    assert package["http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"] == "customUI/customUI14.xml"
    assert package["http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"] == "docProps/core.xml"
    assert package["http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"] == "docProps/custom.xml"
    workbook = _rels(parts["xl/_rels/workbook.xml.rels"])
    assert workbook["http://schemas.microsoft.com/office/2006/relationships/vbaProject"] == "vbaProject.bin"
    for target in package.values():
        assert target in parts
    for target in workbook.values():
        assert "xl/" + target in parts


def test_every_xml_part_is_well_formed(parts):
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            etree.fromstring(data)


def test_workbook_code_names_match_the_document_modules(parts):
    assert b'codeName="ThisWorkbook"' in parts["xl/workbook.xml"]
    assert b'codeName="Sheet1"' in parts["xl/worksheets/sheet1.xml"]


def test_the_version_is_recorded_and_read_back(xlam):
    assert addin_build.read_addin_version(xlam) == xlsbridge.__version__
    props = addin_build.read_custom_properties(xlam)
    assert props["XlwingsVersion"] == __import__("xlwings").__version__


def test_read_addin_version_refuses_other_files(tmp_path):
    plain = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(UserError, match="アドインではありません"):
        addin_build.read_addin_version(plain)
    with pytest.raises(UserError):
        addin_build.read_addin_version(tmp_path / "missing.xlam")
    (tmp_path / "text.xlam").write_text("not a zip")
    with pytest.raises(UserError):
        addin_build.read_addin_version(tmp_path / "text.xlam")


def test_an_explicit_version_is_built_in(tmp_path):
    path = addin_build.build_addin(tmp_path, addin_version="9.8.7")
    assert addin_build.read_addin_version(path) == "9.8.7"


# --- the ribbon --------------------------------------------------------------------------------


def _schema() -> etree.XMLSchema:
    if not SCHEMA.is_file():
        pytest.skip(f"customUI14 schema not found at {SCHEMA}")
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.mark.parametrize("where", ["source", "package"])
def test_custom_ui_is_valid_against_the_schema(where, parts):
    schema = _schema()
    data = (MACROS / "customUI14.xml").read_bytes() if where == "source" else parts["customUI/customUI14.xml"]
    document = etree.fromstring(data).getroottree()
    assert schema.validate(document), schema.error_log


def test_ribbon_buttons_and_callbacks():
    root = etree.parse(str(MACROS / "customUI14.xml")).getroot()
    assert root.tag == f"{{{NS_UI}}}customUI"
    tabs = root.findall(f".//{{{NS_UI}}}tab")
    assert [tab.get("label") for tab in tabs] == ["xlsbridge"]
    buttons = {b.get("label"): b for b in root.iter(f"{{{NS_UI}}}button")}
    assert set(buttons) == set(BUTTONS)
    for label, (callback, _) in BUTTONS.items():
        assert buttons[label].get("onAction") == callback
        assert buttons[label].get("imageMso"), label


def _public_subs(code: str) -> dict[str, str]:
    """Public Sub name -> its body."""
    subs = {}
    for match in re.finditer(
        r"^Public Sub (\w+)\(([^)]*)\)\r?\n(.*?)^End Sub", code, flags=re.MULTILINE | re.DOTALL
    ):
        subs[match.group(1)] = (match.group(2), match.group(3))
    return subs


def test_every_on_action_is_a_public_sub_in_the_project(parts, vba_code):
    root = etree.fromstring(parts["customUI/customUI14.xml"])
    callbacks = {el.get("onAction") for el in root.iter() if el.get("onAction")}
    assert callbacks == {cb for cb, _ in BUTTONS.values()}
    subs = {}
    for code in vba_code.values():
        subs.update(_public_subs(code))
    for callback in callbacks:
        name = callback.split(".")[-1]
        assert name in subs, callback
        params, _ = subs[name]
        assert params == "control As IRibbonControl"


def test_each_callback_runs_exactly_one_entry_point(vba_code):
    subs = _public_subs(vba_code["XlsBridge"])
    for callback, call in BUTTONS.values():
        _, body = subs[callback.split(".")[-1]]
        statements = [line.strip() for line in body.splitlines() if line.strip()]
        entry = call.split("(")[0].removeprefix("ep.")
        assert len(statements) == 1 and statements[0].startswith(f'RunButton "{entry}", "'), callback
        assert statements[0].endswith(", False" if entry == "self_check" else ", True"), callback
    assert ('RunPython "import xlsbridge.excel.buttons as b; b.press(\'" & entry & "\', \'" & _'
            in vba_code["XlsBridge"])
    assert f'Public Const XLSBRIDGE_ADDIN_VERSION = "{xlsbridge.__version__}"' in vba_code["XlsBridge"]


def test_the_entry_points_exist_with_matching_parameters():
    """Cross-check with xlsbridge/excel/entrypoints.py (written separately) when it is there."""
    path = REPO / "xlsbridge" / "excel" / "entrypoints.py"
    if not path.is_file():
        pytest.skip("xlsbridge/excel/entrypoints.py not written yet")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    for _, call in BUTTONS.values():
        name = call.split("(")[0].removeprefix("ep.")
        assert name in functions, name
        passed = 1 if name == "self_check" else 0  # positional arguments the VBA passes
        args = functions[name].args
        required = len(args.args) - len(args.defaults)
        assert required <= passed <= len(args.args), name
    assert functions["self_check"].args.args[0].arg == "addin_version"


def test_the_macro_source_has_one_version_placeholder():
    text = (MACROS / "XlsBridge.bas").read_text(encoding="utf-8")
    assert text.count(addin_build.VERSION_PLACEHOLDER) == 1
    assert text.startswith('Attribute VB_Name = "XlsBridge"')
    text.encode("cp932")  # everything can be stored in the project's code page


# --- the VBA project as olevba reads it --------------------------------------------------------


def test_olevba_reads_every_module(vba_code):
    assert set(vba_code) == MODULES


def test_our_module_equals_the_source(vba_code):
    source = (MACROS / "XlsBridge.bas").read_text(encoding="utf-8")
    expected = source.replace(addin_build.VERSION_PLACEHOLDER, xlsbridge.__version__)
    assert lf(vba_code["XlsBridge"]) == lf(expected)


def test_the_xlwings_module_is_the_installed_custom_addin_flavour_with_its_own_config(vba_code):
    """xlwings_custom_addin.bas, changed in exactly the two lines build.py names and nowhere else."""
    installed = lf((XLWINGS_DIR / "xlwings_custom_addin.bas").read_text(encoding="utf-8")).split("\n")
    embedded = lf(vba_code["xlwings"]).split("\n")
    assert len(embedded) == len(installed)
    changed = [(a, b) for a, b in zip(installed, embedded) if a != b]
    assert [new for _, new in changed[2:]] == [
        '    MsgBox "xlsbridge: Excel から Python を呼び出す準備ができていません。管理者に、この Mac で「xlsbridge addin '
        'install」を実行してもらってください。", vbCritical, "xlsbridge"',
        '            MsgBox "xlsbridge: Python が見つかりません。管理者に、配布フォルダーの install.cmd をこの PC でもう一度'
        '実行してもらってください。", vbCritical, "xlsbridge"',
    ]
    assert changed[:2] == [
        ('Public Const PROJECT_NAME As String = "myaddin"', 'Public Const PROJECT_NAME As String = "xlsbridge"'),
        ('        Application.StatusBar = "Running..."  \' Non-blocking way of giving feedback that something is happening',
         '        Application.StatusBar = "xlsbridge: 処理中です。しばらくお待ちください…"  \' Non-blocking way of giving '
         'feedback that something is happening'),
    ]
    assert "Public Function RunPython(" in vba_code["xlwings"]
    # the custom flavour reads PROJECT_NAME.conf (user file, workbook sheet/file, add-in sheet), never xlwings.conf
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in vba_code["xlwings"]
    code_parts = [line.split("'")[0] for line in embedded]  # without comments
    assert [c for c in code_parts if "xlwings.conf" in c or '".xlwings' in c] == []


def _strip_class_export(text: str) -> str:
    lines = lf(text).split("\n")
    if lines[0].startswith("VERSION "):
        lines = lines[lines.index("END") + 1 :]
    added = ("Attribute VB_Base", "Attribute VB_TemplateDerived", "Attribute VB_Customizable")
    return "\n".join(line for line in lines if not line.startswith(added))


def test_the_dictionary_class_equals_the_installed_one(vba_code):
    installed = (XLWINGS_DIR / "addin" / "Dictionary.cls").read_text(encoding="utf-8")
    assert _strip_class_export(vba_code["Dictionary"]) == _strip_class_export(installed)
    stored = vba_code["Dictionary"].split("\r\n")
    assert stored[:3] == [
        'Attribute VB_Name = "Dictionary"',
        'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"',
        "Attribute VB_GlobalNameSpace = False",
    ]


def test_the_xlwings_module_needs_the_dictionary_class_on_mac():
    """Why Dictionary.cls is embedded: xlwings.bas declares `As Dictionary` under #If Mac."""
    text = (XLWINGS_DIR / "xlwings.bas").read_text(encoding="utf-8")
    assert "New Dictionary" in text


def test_document_modules_hold_only_attributes(vba_code):
    for name, base in (("ThisWorkbook", "00020819"), ("Sheet1", "00020820")):
        lines = lf(vba_code[name]).split("\n")
        assert all(line.startswith("Attribute VB_") for line in lines), name
        assert lines[0] == f'Attribute VB_Name = "{name}"'
        assert f'Attribute VB_Base = "0{{{base}-0000-0000-C000-000000000046}}"' in lines


def test_class_conversion_keeps_existing_attributes():
    text = 'VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1\nEND\nAttribute VB_Name = "C"\nAttribute VB_Exposed = False\nOption Explicit\n'
    module = module_from_cls(text)
    assert module.kind == "class"
    assert module.code.split("\r\n")[:5] == [
        'Attribute VB_Name = "C"',
        'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"',
        "Attribute VB_Exposed = False",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = False",
    ]


# --- the VBA project's records -----------------------------------------------------------------


def _dir_records(data: bytes) -> list[tuple[int, bytes]]:
    records, pos = [], 0
    while pos < len(data):
        rid, size = struct.unpack_from("<HI", data, pos)
        if rid == 0x0009:  # PROJECTVERSION: Reserved(4)=4, then 6 bytes of version
            records.append((rid, data[pos + 6 : pos + 12]))
            pos += 12
            continue
        records.append((rid, data[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    return records


def test_dir_stream(vba_ole):
    records = _dir_records(decompress(vba_ole.openstream("VBA/dir").read()))
    first = {}
    for rid, body in records:
        first.setdefault(rid, body)
    assert struct.unpack("<I", first[0x0001])[0] == 1  # SYSKIND win32
    assert struct.unpack("<I", first[0x0002])[0] == 0x409
    assert struct.unpack("<I", first[0x0014])[0] == 0x409
    assert struct.unpack("<H", first[0x0003])[0] == 932
    assert first[0x0004] == b"XlsBridgeAddin"
    libids = [body for rid, body in records if rid == 0x000D]
    assert any(b"{00020430-0000-0000-C000-000000000046}" in lib for lib in libids)  # stdole
    assert any(b"{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}" in lib for lib in libids)  # Office
    assert struct.unpack("<H", first[0x000F])[0] == len(MODULES)
    names = [body.decode("cp932") for rid, body in records if rid == 0x0019]
    streams = [body.decode("cp932") for rid, body in records if rid == 0x001A]
    offsets = [struct.unpack("<I", body)[0] for rid, body in records if rid == 0x0031]
    types = [rid for rid, _ in records if rid in (0x0021, 0x0022)]
    assert names == streams == ["ThisWorkbook", "Sheet1", "XlsBridge", "xlwings", "Dictionary"]
    assert offsets == [0] * len(MODULES)
    assert types == [0x0022, 0x0022, 0x0021, 0x0021, 0x0022]
    assert records[-1] == (0x0010, b"")


def test_vba_project_stream_is_the_source_only_header(vba_ole):
    data = vba_ole.openstream("VBA/_VBA_PROJECT").read()
    # Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00, Reserved3 0x0001 (as Excel and xlwings' add-ins write it)
    assert data == VBA_PROJECT_HEADER == bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00])


def test_project_stream(vba_ole):
    text = vba_ole.openstream("PROJECT").read().decode("cp932")
    lines = text.split("\r\n")
    assert lines[0].startswith('ID="{')
    assert lines[1:6] == [
        "Document=ThisWorkbook/&H00000000",
        "Document=Sheet1/&H00000000",
        "Module=XlsBridge",
        "Module=xlwings",
        "Class=Dictionary",
    ]
    values = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("&H"))
    assert values["Name"] == '"XlsBridgeAddin"'
    assert values["HelpContextID"] == '"0"'
    assert values["VersionCompatible32"] == '"393222000"'
    project_key = sum(values["ID"].strip('"').encode()) & 0xFF
    assert decrypt_data(values["CMG"].strip('"')) == (project_key, b"\x00\x00\x00\x00")  # unprotected
    assert decrypt_data(values["DPB"].strip('"')) == (project_key, b"\x00")  # no password
    assert decrypt_data(values["GC"].strip('"')) == (project_key, b"\xff")  # visible


def test_project_wm_stream(vba_ole):
    data = vba_ole.openstream("PROJECTwm").read()
    expected = b"".join(
        name.encode("cp932") + b"\x00" + name.encode("utf-16-le") + b"\x00\x00"
        for name in ["ThisWorkbook", "Sheet1", "XlsBridge", "xlwings", "Dictionary"]
    )
    assert data == expected + b"\x00\x00"


@pytest.mark.parametrize(
    ("name", "encrypted", "data"),
    [("CMG", "0705D8E3D8EDDBF1DBF1DBF1DBF1", b"\x00\x00\x00\x00"),
     ("DPB", "0E0CD1ECDFF4E7F5E7F5E7", b"\x00"),
     ("GC", "1517CAF1D6F9D7F9D706", b"\xff")],
)
def test_data_encryption_reproduces_the_spec_example(name, encrypted, data):
    """MS-OVBA 3.1.6: the PROJECT stream example of project {917DED54-...}."""
    project_id = "{917DED54-440B-4FD1-A5C1-74ACF261E600}"
    assert decrypt_data(encrypted) == (sum(project_id.encode()) & 0xFF, data)
    seed, _, plain = decrypt_bytes(encrypted)
    ignored = plain[: (seed & 6) // 2]
    assert encrypt_data(data, project_id, seed=seed, ignored=ignored) == encrypted


def test_data_encryption_is_deterministic():
    assert encrypt_data(b"\x00") == encrypt_data(b"\x00")
    # CMG of xlwings' own (locked) add-in, project ID all zeros: protection state 4
    assert decrypt_data("5456F8BF1E6E226E226A266A26") == (0xAC, b"\x04\x00\x00\x00")


def test_module_streams_are_compressed_without_raw_chunks(vba_ole):
    for name in MODULES:
        container = vba_ole.openstream(f"VBA/{name}").read()
        assert not has_raw_chunk(container)


# --- MS-OVBA compression -----------------------------------------------------------------------


def _oletools_decompress(container: bytes) -> bytes:
    from oletools.olevba import decompress_stream

    return bytes(decompress_stream(bytearray(container)))


def test_spec_example_no_compression():
    """MS-OVBA 3.2.1."""
    data = b"abcdefghijklmnopqrstuv."
    container = bytes.fromhex("01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E")
    assert compress(data) == container
    assert decompress(container) == data


def test_spec_example_maximum_compression():
    """MS-OVBA 3.2.3: 73 'a' become one literal and one copy token of length 72."""
    data = b"a" * 73
    container = bytes.fromhex("01 03 B0 02 61 45 00")
    assert compress(data) == container
    assert decompress(container) == data


def test_spec_example_normal_compression():
    """MS-OVBA 3.2.2.

    The container printed in the specification decompresses to the example string, but it was not
    produced by the specification's own matching pseudocode (three copy tokens point at other,
    equally long matches).  Following the pseudocode exactly gives the second container, which
    other independent implementations also produce.
    """
    data = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    printed = bytes.fromhex(
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 6D"
        " 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C"
    )
    assert decompress(printed) == data
    ours = compress(data)
    assert ours == bytes.fromhex(
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 6D"
        " 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C"
    )
    assert len(ours) == len(printed)
    assert decompress(ours) == _oletools_decompress(ours) == data


@pytest.mark.parametrize(
    ("difference", "bit_count", "maximum_length"),
    [(1, 4, 4098), (16, 4, 4098), (17, 5, 2050), (32, 5, 2050), (33, 6, 1026), (2048, 11, 34), (2049, 12, 18), (4095, 12, 18)],
)
def test_copy_token_maximum_length(difference, bit_count, maximum_length):
    _, _, bits, maximum = copy_token_help(difference)
    assert (bits, maximum) == (bit_count, maximum_length)
    assert maximum == (0xFFFF >> bits) + 3


def test_long_runs_use_the_full_copy_length():
    data = b"x" + b"a" * 4095 + b"b" * 5000
    container = compress(data)
    assert decompress(container) == _oletools_decompress(container) == data
    assert len(container) < 100


def test_empty_input():
    assert compress(b"") == b"\x01"
    assert decompress(b"\x01") == b""


def test_bad_containers_are_refused():
    with pytest.raises(CompressionError):
        decompress(b"\x02")
    with pytest.raises(CompressionError):
        decompress(b"\x01\x03\xb0\x01\x00\x70")  # copy token before the chunk start


def _spec_compress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1.3.6-2.4.1.3.19 transcribed literally (slow): the reference for compress()."""
    out = bytearray([0x01])
    chunk_start = 0
    while chunk_start < len(data):
        end = min(chunk_start + 4096, len(data))
        chunk = bytearray(b"\x00\x00")  # CompressedCurrent - CompressedChunkStart == len(chunk)
        current = chunk_start
        full = False  # CompressedCurrent reached CompressedEnd (chunk start + 4098)
        while current < end and not full and len(chunk) < 4098:
            flag_index = len(chunk)
            chunk.append(0)
            flags = 0
            for index in range(8):
                if not (current < end and not full and len(chunk) < 4098):
                    break
                best_length, best_candidate = 0, 0
                candidate = current - 1
                while candidate >= chunk_start:
                    c, d, length = candidate, current, 0
                    while d < end and data[d] == data[c]:
                        length, c, d = length + 1, c + 1, d + 1
                    if length > best_length:
                        best_length, best_candidate = length, candidate
                    candidate -= 1
                if best_length >= 3:
                    difference = current - chunk_start
                    bit_count = max(4, (difference - 1).bit_length())
                    length = min(best_length, (0xFFFF >> bit_count) + 3)
                    if len(chunk) < 4098 - 1:
                        token = ((current - best_candidate - 1) << (16 - bit_count)) | (length - 3)
                        chunk += struct.pack("<H", token)
                        flags |= 1 << index
                        current += length
                    else:
                        full = True
                elif len(chunk) < 4098:
                    chunk.append(data[current])
                    current += 1
                else:
                    full = True
            chunk[flag_index] = flags
        if current < end:
            out += struct.pack("<H", 0x3FFF) + data[chunk_start:end] + bytes(4096 - (end - chunk_start))
        else:
            out += struct.pack("<H", (len(chunk) - 3) | 0xB000) + chunk[2:]
        chunk_start = end
    return bytes(out)


def test_the_reference_transcription_gives_the_spec_examples():
    assert _spec_compress(b"abcdefghijklmnopqrstuv.") == compress(b"abcdefghijklmnopqrstuv.")
    assert _spec_compress(b"a" * 73) == bytes.fromhex("01 03 B0 02 61 45 00")


def test_longest_match_is_chosen_before_the_length_is_cut():
    """A near match and a longer far match, both longer than a copy token can hold: the far one."""
    rng = random.Random(7)
    a = rng.randbytes(300)
    data = a + b"#" + a[:200] + b"$" + a + b"%"
    assert compress(data) == _spec_compress(data)
    assert decompress(compress(data)) == data


def test_real_source_text_compresses_as_the_spec_says():
    text = (MACROS / "XlsBridge.bas").read_text(encoding="utf-8").encode("cp932")[:1500]
    assert compress(text) == _spec_compress(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), st.text(alphabet="ab \n", max_size=300).map(str.encode)))
def test_compress_equals_the_spec_transcription(data):
    assert compress(data) == _spec_compress(data)


def _check_round_trip(data: bytes) -> None:
    container = compress(data)
    assert compress(data) == container  # deterministic
    out = decompress(container)
    if has_raw_chunk(container):
        # MS-OVBA 2.4.1.3.10: a raw final chunk is padded to 4096 bytes with 0x00
        assert out[: len(data)] == data and set(out[len(data) :]) <= {0}
    else:
        assert out == data
    assert _oletools_decompress(container)[: len(data)] == data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_round_trip_random_bytes(data):
    _check_round_trip(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(max_size=1000),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.integers(min_value=4097, max_value=14000),
    st.binary(max_size=1000),
)
def test_round_trip_random_bytes_over_one_chunk(prefix, seed, size, suffix):
    """More than one chunk: incompressible bytes from a seeded generator between drawn bytes."""
    data = prefix + random.Random(seed).randbytes(size) + suffix
    _check_round_trip(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(
    st.lists(
        st.tuples(st.text(alphabet="abc 入力\r\n", min_size=1, max_size=12), st.integers(1, 700)),
        min_size=1,
        max_size=30,
    )
)
def test_round_trip_text_with_long_repeats(pieces):
    data = "".join(text * count for text, count in pieces).encode("cp932")
    container = compress(data)
    assert not has_raw_chunk(container)
    assert decompress(container) == _oletools_decompress(container) == data


def test_round_trip_incompressible_chunks():
    data = os.urandom(4096 * 2 + 100)
    container = compress(data)
    assert has_raw_chunk(container)
    assert decompress(container) == data  # the short last chunk still compresses (literals)


# --- the compound file -------------------------------------------------------------------------


def _check_red_black(ole: olefile.OleFileIO) -> None:
    entries = ole.direntries

    def key(entry):
        name = entry.name
        return (len(name.encode("utf-16-le")), name.upper())

    def walk(sid, low, high):
        """Black height of the subtree; checks order and the red-black rules."""
        if sid == olefile.NOSTREAM:
            return 1
        entry = entries[sid]
        if low is not None:
            assert key(entry) > low
        if high is not None:
            assert key(entry) < high
        for child in (entry.sid_left, entry.sid_right):
            if entry.color == RED and child != olefile.NOSTREAM:
                assert entries[child].color == BLACK, "red node with red child"
        left = walk(entry.sid_left, low, key(entry))
        right = walk(entry.sid_right, key(entry), high)
        assert left == right, "unequal black height"
        return left + (1 if entry.color == BLACK else 0)

    for entry in entries:
        if entry is not None and entry.sid_child != olefile.NOSTREAM:
            assert entries[entry.sid_child].color == BLACK
            walk(entry.sid_child, None, None)


def test_compound_file_of_the_addin(vba_ole):
    names = sorted("/".join(path) for path in vba_ole.listdir(streams=True, storages=False))
    assert names == sorted(
        ["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"] + [f"VBA/{m}" for m in MODULES]
    )
    _check_red_black(vba_ole)


@pytest.mark.parametrize("count", [1, 2, 3, 7, 8, 20, 40])
def test_compound_file_round_trip(count):
    streams = {f"S/{'n' * (i % 5 + 1)}{i}": bytes([i]) * (i * 397 % 9000) for i in range(count)}
    streams["Top"] = b"t" * 4095  # mini stream
    streams["Big"] = b"b" * 4096  # regular sectors
    data = write_compound_file(streams)
    assert len(data) % 512 == 0
    assert write_compound_file(dict(reversed(list(streams.items())))) == data
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    for path, content in streams.items():
        assert ole.openstream(path).read() == content
    _check_red_black(ole)
    ole.close()


# --- LibreOffice -------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_opens_the_addin_and_lists_the_modules(xlam, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path / "out"
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless",
         "--infilter=Calc MS Excel 2007 VBA XML", "--convert-to", "ods", "--outdir", str(out), str(xlam)],
        capture_output=True, text=True, timeout=300,
    )
    converted = out / "xlsbridge.ods"
    assert converted.is_file(), result.stdout + result.stderr
    with zipfile.ZipFile(converted) as ods:
        library = etree.fromstring(ods.read("Basic/XlsBridgeAddin/script-lb.xml"))
        ns = "{http://openoffice.org/2000/library}"
        elements = {el.get(f"{ns}name") for el in library.iter(f"{ns}element")}
        assert elements == MODULES
        ours = ods.read("Basic/XlsBridgeAddin/XlsBridge.xml").decode("utf-8")
        dictionary = ods.read("Basic/XlsBridgeAddin/Dictionary.xml").decode("utf-8")
        workbook = ods.read("Basic/XlsBridgeAddin/ThisWorkbook.xml").decode("utf-8")
    assert "Public Sub OnCheckEntries(control As IRibbonControl)" in ours
    assert "入力チェック" in ours  # code page 932 decoded
    assert 'script:moduleType="class"' in dictionary
    assert 'script:moduleType="document"' in workbook


# --- install: detection ------------------------------------------------------------------------


def test_store_python_is_detected():
    store = r"C:\Users\sato\AppData\Local\Microsoft\WindowsApps\PythonSoftwareFoundation.Python.3.11_qbz5n2kfra8p0\python.exe"
    warning = addin_install.check_store_python(store)
    assert warning is not None and "Microsoft Store" in warning.message()
    assert addin_install.check_store_python(r"C:\Python311\python.exe") is None


def test_non_ascii_paths_are_detected():
    warning = addin_install.check_non_ascii("Python", "Python", r"C:\Users\佐藤\venv\Scripts\python.exe")
    assert warning is not None and "佐藤" in warning.message()
    assert addin_install.check_non_ascii("Python", "Python", r"C:\Users\sato\python.exe") is None


def test_onedrive_is_detected():
    env = {"OneDrive": r"C:\Users\sato\OneDrive - NPO法人"}
    assert addin_install.is_onedrive_path(r"C:\Users\sato\OneDrive - NPO法人\tools\python.exe", env)
    assert addin_install.is_onedrive_path(r"C:\Users\sato\onedrive\x.xlam", {})
    assert addin_install.is_onedrive_path("/Users/sato/Library/CloudStorage/OneDrive-NPO/x", {}, windows=False)
    assert not addin_install.is_onedrive_path(r"C:\Users\sato\AppData\Roaming\Microsoft\Excel\XLSTART", env)
    assert not addin_install.is_onedrive_path(r"C:\OneDriveBackup\x", {})
    warning = addin_install.check_onedrive("Python", "Python", r"C:\Users\sato\OneDrive\py\python.exe", {})
    assert warning is not None and "OneDrive" in warning.message()


def test_downloaded_files_are_detected():
    assert addin_install.parse_zone_identifier("[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=https://x\r\n") == 3
    assert addin_install.parse_zone_identifier("garbage") is None
    warning = addin_install.check_zone_identifier(r"C:\Downloads\xlsbridge.xlam", "[ZoneTransfer]\nZoneId=3\n")
    assert warning is not None
    assert "許可する" in warning.message() and "プロパティ" in warning.message()
    set_lang("en")
    assert "Unblock" in warning.message()
    assert addin_install.check_zone_identifier("x.xlam", "[ZoneTransfer]\nZoneId=1\n") is None  # intranet
    assert addin_install.check_zone_identifier("x.xlam", None) is None


WINDOWS_ENV = {
    "APPDATA": r"C:\Users\sato\AppData\Roaming",
    "USERPROFILE": r"C:\Users\sato",
    "OneDrive": r"C:\Users\sato\OneDrive",
}


def test_windows_plan():
    plan = addin_install.plan_install(
        platform="win32", env=WINDOWS_ENV, home=Path("/unused"),
        executable=r"C:\Python311\python.exe",
    )
    assert PureWindowsPath(str(plan.addin_target)) == PureWindowsPath(
        r"C:\Users\sato\AppData\Roaming\Microsoft\Excel\XLSTART\xlsbridge.xlam"
    )
    assert PureWindowsPath(str(plan.config_path)) == PureWindowsPath(r"C:\Users\sato\.xlsbridge\xlsbridge.conf")
    assert plan.config_key == "INTERPRETER_WIN"
    assert plan.warnings == []


def test_windows_plan_warns_about_a_bad_set_up():
    plan = addin_install.plan_install(
        platform="win32", env=WINDOWS_ENV, home=Path("/unused"),
        executable=r"C:\Users\sato\AppData\Local\Microsoft\WindowsApps\python.exe",
        source=Path(r"C:\Users\sato\OneDrive\xlsbridge.xlam"),
        zone_reader=lambda path: "[ZoneTransfer]\nZoneId=3\n",
    )
    assert {w.code for w in plan.warnings} == {"store-python", "onedrive", "blocked-download"}


def test_mac_plan(tmp_path):
    plan = addin_install.plan_install(platform="darwin", env={}, home=tmp_path, executable="/opt/py/bin/python3")
    assert plan.addin_target == (
        tmp_path / "Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel/xlsbridge.xlam"
    )
    assert plan.config_path == tmp_path / "Library/Containers/com.microsoft.Excel/Data/xlsbridge.conf"
    assert plan.config_key == "INTERPRETER_MAC"
    [(script, target)] = plan.extra_copies
    assert script.is_file() and target == tmp_path / "Library/Application Scripts/com.microsoft.Excel" / script.name
    localized = tmp_path / "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
    localized.mkdir(parents=True)
    plan = addin_install.plan_install(platform="darwin", env={}, home=tmp_path, executable="/opt/py/bin/python3")
    assert plan.addin_target.parent == localized


def test_other_platforms_are_refused():
    with pytest.raises(UserError, match="Windows と macOS"):
        addin_install.plan_install(platform="linux", env={}, home=Path("/tmp"))


def test_install_into_a_fake_windows_profile(tmp_path, xlam):
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "profile")}
    config = tmp_path / "profile" / ".xlsbridge" / "xlsbridge.conf"
    config.parent.mkdir(parents=True)
    config.write_text('"LICENSE_KEY","abc"\n"INTERPRETER_WIN","C:\\old\\python.exe"\n', encoding="utf-8")
    plan = addin_install.plan_install(platform="win32", env=env, home=tmp_path, executable=r"C:\Python311\python.exe")
    assert addin_install.install_addin(platform="win32", env=env, home=tmp_path, executable=r"C:\Python311\python.exe", dry_run=True) == plan
    assert not plan.addin_target.exists()
    addin_install.install_addin(platform="win32", env=env, home=tmp_path, executable=r"C:\Python311\python.exe")
    assert plan.addin_target.read_bytes() == xlam.read_bytes()
    assert config.read_bytes().decode() == '"LICENSE_KEY","abc"\r\n"INTERPRETER_WIN","C:\\Python311\\python.exe"\r\n'


def test_install_a_prebuilt_file(tmp_path, xlam):
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "profile")}
    plan = addin_install.install_addin(platform="win32", env=env, home=tmp_path, executable="python", source=xlam)
    assert plan.addin_target.read_bytes() == xlam.read_bytes()
    with pytest.raises(UserError):
        addin_install.install_addin(platform="win32", env=env, home=tmp_path, source=tmp_path / "missing.xlam")


def test_updated_config_replaces_only_the_key():
    text = addin_install.updated_config('"interpreter_win","x"\n\n"CONDA PATH","C:\\conda"\n', "INTERPRETER_WIN", "y")
    assert text == '"CONDA PATH","C:\\conda"\n"INTERPRETER_WIN","y"\n'


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_build(tmp_path):
    result = CliRunner().invoke(cli, ["addin", "build", "--out", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    path = tmp_path / "dist" / "xlsbridge.xlam"
    assert str(path) in result.output
    assert f"sha256: {addin_build.sha256_of(path)}" in result.output


def test_cli_build_default_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--lang", "en", "addin", "build"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dist" / "xlsbridge.xlam").is_file()
    assert "built the add-in" in result.output


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="checks the refusal where Excel cannot run")
def test_cli_install_elsewhere_is_one_line_and_exit_2():
    result = subprocess.run(
        [sys.executable, "-m", "xlsbridge.cli.main", "addin", "install", "--dry-run"],
        capture_output=True, text=True, encoding="utf-8",
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Windows と macOS" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["addin"], ["addin", "build"], ["addin", "install"]])
def test_help_ends_with_an_example(args):
    result = CliRunner().invoke(cli, ["--lang", "en", *args, "--help"])
    assert result.exit_code == 0
    tail = result.output.rstrip().split("Example:")
    assert len(tail) == 2 and "xlsbridge addin" in tail[1]
    assert all(line.startswith("    xlsbridge") for line in tail[1].strip("\n").splitlines())


# --- finding macros/ in a checkout and in an installed wheel -----------------------------------


def test_macros_found_in_the_checkout():
    assert addin_build.find_macros_dir().resolve() == MACROS.resolve()


@pytest.mark.slow
def test_a_built_wheel_carries_the_macros_and_builds_the_same_addin(tmp_path, xlam):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "macros", src / "macros")
    shutil.copytree(
        REPO / "xlsbridge", src / "xlsbridge", symlinks=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    assert (src / "xlsbridge" / "macros").is_symlink()
    wheels = tmp_path / "wheels"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(src)],
        capture_output=True, text=True, timeout=600,
    )
    if result.returncode != 0:
        network = ("connection", "network", "No matching distribution", "Could not find a version")
        if any(word.lower() in result.stderr.lower() for word in network):
            pytest.skip("cannot fetch the build backend: " + result.stderr.strip().splitlines()[-1])
        pytest.fail(result.stderr)
    [wheel] = wheels.glob("xlsbridge-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert {"xlsbridge/macros/XlsBridge.bas", "xlsbridge/macros/customUI14.xml"} <= names
        site = tmp_path / "site"
        archive.extractall(site)
    # Run the installed copy, not the editable checkout: -S skips site-packages' .pth hooks (the
    # editable finder), the working directory is outside the checkout, and the dependencies come
    # from site-packages placed after the extracted wheel.
    probe = (
        "import hashlib, xlsbridge.addin.build as b;"
        "print(b.find_macros_dir());"
        "print(hashlib.sha256(b.build_addin_bytes()).hexdigest())"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), sysconfig.get_paths()["purelib"]])}
    run = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    found, digest = run.stdout.split()
    assert Path(found) == site / "xlsbridge" / "macros"
    assert digest == addin_build.sha256_of(xlam)


# --- source problems become one-line errors ----------------------------------------------------


def _fake_macros(tmp_path, monkeypatch, bas_text: str) -> None:
    fake = tmp_path / "macros"
    fake.mkdir()
    (fake / "XlsBridge.bas").write_text(bas_text, encoding="utf-8")
    shutil.copy2(MACROS / "customUI14.xml", fake / "customUI14.xml")
    monkeypatch.setattr(addin_build, "macros_dir_candidates", lambda: [fake])


def test_a_character_outside_code_page_932_is_a_user_error(tmp_path, monkeypatch):
    source = (MACROS / "XlsBridge.bas").read_text(encoding="utf-8") + "' 🙂\n"
    _fake_macros(tmp_path, monkeypatch, source)
    with pytest.raises(UserError, match="VBA プロジェクトを作れません"):
        addin_build.build_addin_bytes()


def test_a_missing_version_placeholder_is_a_user_error(tmp_path, monkeypatch):
    source = (MACROS / "XlsBridge.bas").read_text(encoding="utf-8").replace(addin_build.VERSION_PLACEHOLDER, "1.0")
    _fake_macros(tmp_path, monkeypatch, source)
    with pytest.raises(UserError, match=re.escape(addin_build.VERSION_PLACEHOLDER)):
        addin_build.build_addin_bytes()


def test_missing_macros_are_a_user_error(tmp_path, monkeypatch):
    monkeypatch.setattr(addin_build, "macros_dir_candidates", lambda: [tmp_path / "nowhere"])
    with pytest.raises(UserError, match="見つかりません"):
        addin_build.build_addin_bytes()


def test_a_shift_jis_export_is_a_user_error(tmp_path, monkeypatch):
    _fake_macros(tmp_path, monkeypatch, "")
    (tmp_path / "macros" / "XlsBridge.bas").write_bytes("' 入力チェック\r\n".encode("cp932"))
    with pytest.raises(UserError, match="UTF-8"):
        addin_build.build_addin_bytes()


def test_cli_install_dry_run_lists_steps_and_warnings(tmp_path, monkeypatch):
    real = addin_install.install_addin
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "profile")}

    def fake_windows(**kwargs):
        return real(platform="win32", env=env, home=tmp_path,
                    executable=r"C:\Users\sato\AppData\Local\Microsoft\WindowsApps\python.exe", **kwargs)

    monkeypatch.setattr(addin_install, "install_addin", fake_windows)
    result = CliRunner().invoke(cli, ["addin", "install", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "--dry-run のため何も変更していません" in result.stdout
    assert "XLSTART" in result.stdout and "INTERPRETER_WIN" in result.stdout
    assert "注意: Microsoft Store 版の Python" in result.stderr
    assert not (tmp_path / "Roaming").exists()
