"""Build the Excel add-in ``xlsbridge.xlam`` from VBA source text, without Excel.

The add-in is an Office Open XML package (a zip) holding:

* ``xl/workbook.xml`` with the add-in content type, one hidden minimal worksheet and styles;
* ``xl/vbaProject.bin``: a source-only VBA project (see :mod:`xlsbridge.addin.vba_project`) with
  the document modules ``ThisWorkbook`` and ``Sheet1``, our ribbon callbacks
  (``macros/XlsBridge.bas``), and xlwings' VBA taken from the *installed* xlwings package:
  ``xlwings_custom_addin.bas`` (RunPython and its helpers, in the flavour xlwings ships for custom
  add-ins: it acts on the active workbook and reads the add-in's own configuration) and
  ``addin/Dictionary.cls`` (used on macOS, where ``Scripting.Dictionary`` does not exist);
* ``customUI/customUI14.xml``: the ribbon (``macros/customUI14.xml``);
* ``docProps/custom.xml``: the add-in version (``XlsBridgeAddinVersion``) and the xlwings version
  whose VBA is embedded (``XlwingsVersion``), read back by :func:`read_addin_version`.

Own settings, as xlwings' custom add-ins do (docs: "Custom Add-ins", "Renaming your add-in"): the
``PROJECT_NAME`` constant of the xlwings module becomes ``xlsbridge``, so RunPython reads
``%USERPROFILE%\\.xlsbridge\\xlsbridge.conf`` (macOS: ``xlsbridge.conf`` in Excel's container), an
``xlsbridge.conf`` sheet or file beside the workbook, and never xlwings' own ``xlwings.conf``: a setting
changed in xlwings' ribbon does not change xlsbridge, and `xlsbridge addin install` changes nothing of
xlwings.  The VBA project is ``XlsBridgeAddin`` (it must differ from the module ``XlsBridge``).

The same sources always give the same bytes: fixed part order, fixed zip timestamps, stored (not
deflated) entries so the bytes do not depend on the zlib build, and a deterministic VBA project.

Where the VBA sources come from: ``macros/`` at the top of a source checkout, or
``xlsbridge/macros/`` inside an installed package (a symlink to ``../macros`` in the checkout,
which setuptools copies into the wheel as package data).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from .. import __version__
from ..errors import UserError
from .vba_project import (
    WORKBOOK_BASE,
    WORKSHEET_BASE,
    VbaModule,
    VbaSourceError,
    build_vba_project,
    document_module,
    module_from_bas,
    module_from_cls,
)

ADDIN_FILENAME = "xlsbridge.xlam"
PROJECT_NAME = "XlsBridgeAddin"  # the VBA project (Tools → VBAProject Properties → Project Name)
# xlwings' PROJECT_NAME constant: names the add-in's configuration file and sheet (xlsbridge.conf).
CONFIG_NAME = "xlsbridge"
XLWINGS_VBA = "xlwings_custom_addin.bas"
VERSION_PLACEHOLDER = "@XLSBRIDGE_ADDIN_VERSION@"
VERSION_PROPERTY = "XlsBridgeAddinVersion"
XLWINGS_VERSION_PROPERTY = "XlwingsVersion"
MACRO_FILES = ("XlsBridge.bas", "customUI14.xml")

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)

CT_ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
REL_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
REL_APP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
REL_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
REL_UI = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"

NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class AddinSources:
    """Everything the add-in is built from."""

    addin_version: str
    xlwings_version: str
    modules: tuple[VbaModule, ...]
    custom_ui: bytes


# --- locating the sources ----------------------------------------------------------------------


def macros_dir_candidates() -> list[Path]:
    """Where macros/ may be: the checkout's top level first, then the installed package data."""
    here = Path(__file__).resolve()
    return [here.parents[2] / "macros", here.parents[1] / "macros"]


def find_macros_dir() -> Path:
    for candidate in macros_dir_candidates():
        if all((candidate / name).is_file() for name in MACRO_FILES):
            return candidate
    raise UserError(
        "アドインの元になる VBA ファイル (macros/XlsBridge.bas, macros/customUI14.xml) が"
        "見つかりません。xlsbridge を入れ直してください。",
        "The add-in sources (macros/XlsBridge.bas, macros/customUI14.xml) are missing; "
        "reinstall xlsbridge.",
    )


def xlwings_vba_files() -> tuple[str, Path, Path]:
    """(xlwings version, xlwings_custom_addin.bas, Dictionary.cls) of the installed xlwings package."""
    try:
        import xlwings
    except ImportError:
        raise UserError(
            "xlwings がインストールされていません。`pip install xlwings` を実行してください。",
            "xlwings is not installed; run `pip install xlwings`.",
        ) from None
    root = Path(xlwings.__file__).resolve().parent
    bas = root / XLWINGS_VBA
    cls = root / "addin" / "Dictionary.cls"
    for path in (bas, cls):
        if not path.is_file():
            raise UserError(
                f"インストールされた xlwings {xlwings.__version__} に {path.name} がありません。"
                "xlwings を入れ直してください。",
                f"The installed xlwings {xlwings.__version__} has no {path.name}; reinstall xlwings.",
            )
    return xlwings.__version__, bas, cls


def _read_text(path: Path) -> str:
    """VBA text files: UTF-8 (ours) or the ASCII files xlwings ships; BOM tolerated."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(
            f"{path.name} が UTF-8 ではありません。VBA エディターから書き出したファイルは "
            "Shift_JIS なので、UTF-8 で保存し直してください。",
            f"{path.name} is not UTF-8 (files exported from the VBA editor are Shift_JIS); "
            "save it as UTF-8.",
        ) from None


def ribbon_module_text(macros_dir: Path, addin_version: str) -> str:
    text = _read_text(macros_dir / "XlsBridge.bas")
    if text.count(VERSION_PLACEHOLDER) != 1:
        raise UserError(
            f"macros/XlsBridge.bas にバージョンの置き換え位置 {VERSION_PLACEHOLDER} が"
            "ちょうど 1 つ必要です。",
            f"macros/XlsBridge.bas must contain the placeholder {VERSION_PLACEHOLDER} exactly once.",
        )
    return text.replace(VERSION_PLACEHOLDER, addin_version)


# What the build changes in xlwings' module, each line found exactly once (else the build stops:
# a new xlwings must be looked at before it is embedded).
_XLWINGS_EDITS = (
    # the add-in's own configuration (see the module docstring)
    ('Public Const PROJECT_NAME As String = "myaddin"',
     f'Public Const PROJECT_NAME As String = "{CONFIG_NAME}"'),
    # macOS shows this in the status bar while Python runs: Japanese, like the text XlsBridge sets
    ('Application.StatusBar = "Running..."',
     'Application.StatusBar = "xlsbridge: 処理中です。しばらくお待ちください…"'),
    # the two messages of xlwings' VBA staff could still meet (XlsBridge checks for both first)
    ('MsgBox "To enable RunPython, please run \'xlwings runpython install\' in a terminal once and try again.", vbCritical',
     'MsgBox "xlsbridge: Excel から Python を呼び出す準備ができていません。管理者に、この Mac で'
     '「xlsbridge addin install」を実行してもらってください。", vbCritical, "xlsbridge"'),
    ('MsgBox "Could not find Interpreter!", vbCritical',
     'MsgBox "xlsbridge: Python が見つかりません。管理者に、配布フォルダーの install.cmd をこの PC で'
     'もう一度実行してもらってください。", vbCritical, "xlsbridge"'),
)


def xlwings_module_text(text: str) -> str:
    """xlwings' custom-add-in module with the edits above (see :data:`_XLWINGS_EDITS`)."""
    for old, new in _XLWINGS_EDITS:
        if text.count(old) != 1:
            raise UserError(
                f"xlwings の VBA に「{old}」がちょうど 1 つありません。この版の xlwings には対応していません"
                "（pyproject.toml で固定した版を入れてください）。",
                f"xlwings' VBA does not contain {old!r} exactly once; this xlwings version is not supported "
                "(install the version pinned in pyproject.toml).",
            )
        text = text.replace(old, new)
    return text


def recorded_xlwings_version(text: str) -> str | None:
    """The version xlwings' VBA module records (``Public Const XLWINGS_VERSION As String = "..."``)."""
    import re

    found = re.search(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', text, flags=re.MULTILINE)
    return found.group(1) if found else None


def collect_sources(addin_version: str = __version__) -> AddinSources:
    macros = find_macros_dir()
    xlwings_version, xlwings_bas, dictionary_cls = xlwings_vba_files()
    modules = (
        document_module("ThisWorkbook", WORKBOOK_BASE),
        document_module("Sheet1", WORKSHEET_BASE),
        module_from_bas(ribbon_module_text(macros, addin_version)),
        module_from_bas(xlwings_module_text(_read_text(xlwings_bas))),
        module_from_cls(_read_text(dictionary_cls)),
    )
    return AddinSources(
        addin_version=addin_version,
        xlwings_version=xlwings_version,
        modules=modules,
        custom_ui=(macros / "customUI14.xml").read_bytes(),
    )


# --- package parts -----------------------------------------------------------------------------


def _relationships(rels: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f'<Relationship Id="{rid}" Type="{rtype}" Target="{target}"/>' for rid, rtype, target in rels
    )
    return (
        _XML_DECL
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + body
        + "</Relationships>"
    ).encode("utf-8")


def _content_types() -> bytes:
    defaults = [
        ("rels", "application/vnd.openxmlformats-package.relationships+xml"),
        ("xml", "application/xml"),
        ("bin", CT_VBA),
    ]
    overrides = [
        ("/xl/workbook.xml", CT_ADDIN),
        ("/xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"),
        ("/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
        ("/docProps/custom.xml", "application/vnd.openxmlformats-officedocument.custom-properties+xml"),
    ]
    body = "".join(f'<Default Extension="{e}" ContentType="{c}"/>' for e, c in defaults)
    body += "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in overrides)
    return (
        _XML_DECL
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + body
        + "</Types>"
    ).encode("utf-8")


_WORKBOOK = (
    _XML_DECL
    + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<workbookPr codeName="ThisWorkbook"/>'
    '<bookViews><workbookView visibility="hidden"/></bookViews>'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)

_SHEET = (
    _XML_DECL
    + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetPr codeName="Sheet1"/><dimension ref="A1"/><sheetData/>'
    "</worksheet>"
)

_STYLES = (
    _XML_DECL
    + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _core_props(version: str) -> bytes:
    return (
        _XML_DECL
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>xlsbridge {escape(version)}</dc:title>"
        "<dc:creator>xlsbridge</dc:creator>"
        "</cp:coreProperties>"
    ).encode("utf-8")


def _app_props() -> bytes:
    return (
        _XML_DECL
        + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>xlsbridge</Application>"
        "</Properties>"
    ).encode("utf-8")


def _custom_props(properties: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f'<property fmtid="{CUSTOM_FMTID}" pid="{pid}" name="{escape(name)}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(properties, start=2)
    )
    return (
        _XML_DECL + f'<Properties xmlns="{NS_CUSTOM}" xmlns:vt="{NS_VT}">' + body + "</Properties>"
    ).encode("utf-8")


def package_parts(sources: AddinSources) -> list[tuple[str, bytes]]:
    """The parts of the add-in in the order they are written to the zip."""
    vba = build_vba_project(PROJECT_NAME, sources.modules)
    return [
        ("[Content_Types].xml", _content_types()),
        (
            "_rels/.rels",
            _relationships(
                [
                    ("rId1", REL_OFFICE_DOCUMENT, "xl/workbook.xml"),
                    ("rId2", REL_CORE, "docProps/core.xml"),
                    ("rId3", REL_APP, "docProps/app.xml"),
                    ("rId4", REL_CUSTOM, "docProps/custom.xml"),
                    ("rId5", REL_UI, "customUI/customUI14.xml"),
                ]
            ),
        ),
        ("docProps/core.xml", _core_props(sources.addin_version)),
        ("docProps/app.xml", _app_props()),
        (
            "docProps/custom.xml",
            _custom_props(
                [
                    (VERSION_PROPERTY, sources.addin_version),
                    (XLWINGS_VERSION_PROPERTY, sources.xlwings_version),
                ]
            ),
        ),
        ("customUI/customUI14.xml", sources.custom_ui),
        ("xl/workbook.xml", _WORKBOOK.encode("utf-8")),
        (
            "xl/_rels/workbook.xml.rels",
            _relationships(
                [
                    ("rId1", REL_WORKSHEET, "worksheets/sheet1.xml"),
                    ("rId2", REL_STYLES, "styles.xml"),
                    ("rId3", REL_VBA, "vbaProject.bin"),
                ]
            ),
        ),
        ("xl/worksheets/sheet1.xml", _SHEET.encode("utf-8")),
        ("xl/styles.xml", _STYLES.encode("utf-8")),
        ("xl/vbaProject.bin", vba),
    ]


def zip_parts(parts: list[tuple[str, bytes]]) -> bytes:
    """A zip with fixed order, timestamps and attributes, entries stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 0
            info.external_attr = 0
            archive.writestr(info, data)
    return buffer.getvalue()


def build_addin_bytes(addin_version: str = __version__) -> bytes:
    """The bytes of xlsbridge.xlam (what :func:`build_addin` writes)."""
    try:
        return zip_parts(package_parts(collect_sources(addin_version)))
    except VbaSourceError as exc:
        raise UserError(
            f"アドインの VBA プロジェクトを作れません: {exc}",
            f"Cannot build the add-in's VBA project: {exc}",
        ) from None


def build_addin(out_dir: Path, addin_version: str = __version__) -> Path:
    """Write ``xlsbridge.xlam`` into ``out_dir`` (created if needed) and return its path."""
    data = build_addin_bytes(addin_version)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / ADDIN_FILENAME
        temp = out_dir / (ADDIN_FILENAME + ".tmp")
        temp.write_bytes(data)
        temp.replace(target)
    except OSError as exc:
        raise UserError(
            f"アドインを {out_dir} に書き込めません ({exc.strerror})。"
            "フォルダーの場所と、Excel でアドインを開いていないかを確認してください。",
            f"Cannot write the add-in to {out_dir} ({exc.strerror}); check the folder and that "
            "Excel does not have the add-in open.",
        ) from None
    return target


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --- reading back ------------------------------------------------------------------------------


def read_custom_properties(path: Path) -> dict[str, str]:
    """The custom document properties (name -> text) of an add-in or workbook package."""
    from xml.etree import ElementTree

    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("docProps/custom.xml")
    except FileNotFoundError:
        raise UserError(
            f"アドインのファイル {path.name} が見つかりません。",
            f"The add-in file {path.name} does not exist.",
        ) from None
    except (zipfile.BadZipFile, KeyError, OSError):
        raise UserError(
            f"{path.name} は xlsbridge のアドインではありません (バージョン情報がありません)。",
            f"{path.name} is not an xlsbridge add-in (no version information).",
        ) from None
    root = ElementTree.fromstring(data)
    result: dict[str, str] = {}
    for prop in root.findall(f"{{{NS_CUSTOM}}}property"):
        name = prop.get("name")
        value = prop.find(f"{{{NS_VT}}}lpwstr")
        if name and value is not None:
            result[name] = value.text or ""
    return result


def read_addin_version(path: Path) -> str:
    """The xlsbridge version an add-in file was built from (``docProps/custom.xml``)."""
    properties = read_custom_properties(path)
    version = properties.get(VERSION_PROPERTY)
    if not version:
        raise UserError(
            f"{Path(path).name} にアドインのバージョンが記録されていません。",
            f"{Path(path).name} records no add-in version.",
        )
    return version
