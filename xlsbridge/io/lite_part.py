"""The xlwings Lite part of a ledger: its requirements.txt and main.py, stored in the workbook.

xlwings Lite is an Office add-in (store id WA200008175).  Excel keeps an add-in that belongs to a
workbook as a *web extension* part (ECMA-376 / [MS-OWEXML]): ``xl/webextensions/webextension1.xml``
names the add-in and holds its document settings as ``<we:property name=… value=…/>`` (each value a
JSON string), and ``xl/webextensions/taskpanes.xml`` opens its task pane with the workbook.  Lite
keeps the workbook's ``main.py`` and ``requirements.txt`` tabs in two such properties of those names.

A ledger made by xlsbridge carries that part with

* ``requirements.txt``: ``xlsbridge==<version>`` (or what the admin asks for: a wheel URL until the
  package is on PyPI, see docs/excel-lite.md), so Lite installs xlsbridge and its dependencies;
* ``main.py``: one import, ``from xlsbridge.lite import *``, which puts the six buttons in Lite's
  script list (xlsbridge/lite).

so that opening the ledger in Excel opens Lite's task pane (Excel offers to add Lite from the store
when it is missing) with the buttons.  openpyxl drops parts it does not model, so every write that
goes through openpyxl carries this part over from the file it replaces (:func:`carry_lite_part`).
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from html import escape, unescape

from .. import __version__

LITE_STORE_ID = "wa200008175"
WEBEXTENSION = "xl/webextensions/webextension1.xml"
TASKPANES = "xl/webextensions/taskpanes.xml"
TASKPANES_RELS = "xl/webextensions/_rels/taskpanes.xml.rels"
PARTS = (WEBEXTENSION, TASKPANES, TASKPANES_RELS)
WEBEXTENSION_TYPE = "application/vnd.ms-office.webextension+xml"
TASKPANES_TYPE = "application/vnd.ms-office.webextensiontaskpanes+xml"
TASKPANES_REL = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
WEBEXTENSION_REL = "http://schemas.microsoft.com/office/2011/relationships/webextension"
MAIN_PY = (
    "# xlsbridge の xlwings Lite ボタン（入力チェック・料金計算・期限・年齢チェック・計画書作成・自己診断）。\n"
    "# 中身は requirements.txt に書いた xlsbridge パッケージにあります。この行は消さないでください。\n"
    "from xlsbridge.lite import *  # noqa: F401,F403\n"
)
# A fixed id: the same ledger is built to the same bytes.
_EXTENSION_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "xlsbridge:xlwings-lite")).upper() + "}"


def default_requirements(spec: str | None = None) -> str:
    """requirements.txt for Lite: ``spec`` (a requirement or a wheel URL), else xlsbridge==<this version>."""
    return (spec or f"xlsbridge=={__version__}").strip() + "\n"


_SPEC = re.compile(r"(?:xlsbridge\s*(?:\[[\w,\s]*\])?\s*(?:[=<>!~]=?\s*[\w.*+!-]+\s*,?\s*)*|https://\S+/xlsbridge-[\w.+!-]+\.whl)")


def check_package_spec(spec: str) -> str:
    """A requirement for xlsbridge (``xlsbridge``, ``xlsbridge==0.1.0``) or the https URL of its wheel;
    anything else is refused with one line (it would be written into every staff member's ledger)."""
    from ..errors import UserError

    cleaned = spec.strip()
    if not _SPEC.fullmatch(cleaned):
        raise UserError("--lite-package には xlsbridge の版指定（例: xlsbridge==0.1.0）か、"
                        "xlsbridge の wheel の https URL（…/xlsbridge-0.1.0-py3-none-any.whl）を指定してください",
                        "--lite-package takes a requirement for xlsbridge (e.g. xlsbridge==0.1.0) or the https URL "
                        "of its wheel (…/xlsbridge-0.1.0-py3-none-any.whl)")
    return cleaned


def _property(name: str, value: str) -> str:
    return f'<we:property name="{escape(name)}" value="{escape(json.dumps(value, ensure_ascii=False))}"/>'


def part_files(requirements: str, main_py: str = MAIN_PY) -> dict[str, bytes]:
    """The three parts (the web extension, the task pane, its relationship) as bytes."""
    webextension = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<we:webextension xmlns:we="http://schemas.microsoft.com/office/webextensions/webextension/2010/11" '
        f'id="{_EXTENSION_ID}">'
        f'<we:reference id="{LITE_STORE_ID}" version="1.0.0.0" store="ja-JP" storeType="OMEX"/>'
        '<we:alternateReferences/>'
        f'<we:properties>{_property("main.py", main_py)}{_property("requirements.txt", requirements)}</we:properties>'
        '<we:bindings/>'
        '<we:snapshot xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
        '</we:webextension>'
    )
    taskpanes = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11">'
        '<wetp:taskpane dockstate="right" visibility="1" width="350" row="1">'
        '<wetp:webextensionref xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/>'
        '</wetp:taskpane></wetp:taskpanes>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{WEBEXTENSION_REL}" Target="webextension1.xml"/>'
        '</Relationships>'
    )
    return {WEBEXTENSION: webextension.encode(), TASKPANES: taskpanes.encode(), TASKPANES_RELS: rels.encode()}


def read_lite_part(xlsx: bytes) -> dict[str, str] | None:
    """The properties of the Lite part ({"requirements.txt": …, "main.py": …}), None without one."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        if WEBEXTENSION not in z.namelist():
            return None
        text = z.read(WEBEXTENSION).decode("utf-8")
    if LITE_STORE_ID not in text.lower():
        return None
    return {unescape(m.group(1)): json.loads(unescape(m.group(2)))
            for m in re.finditer(r'<we:property name="([^"]*)" value="([^"]*)"/>', text)}


def _content_types(xml: str) -> str:
    add = ""
    for part, kind in ((WEBEXTENSION, WEBEXTENSION_TYPE), (TASKPANES, TASKPANES_TYPE)):
        if f'PartName="/{part}"' not in xml:
            add += f'<Override PartName="/{part}" ContentType="{kind}"/>'
    return xml.replace("</Types>", add + "</Types>")


def _root_rels(xml: str) -> str:
    if TASKPANES_REL in xml:
        return xml
    ids = {int(n) for n in re.findall(r'Id="rId(\d+)"', xml)}
    new_id = max(ids, default=0) + 1
    return xml.replace("</Relationships>",
                       f'<Relationship Id="rId{new_id}" Type="{TASKPANES_REL}" Target="{TASKPANES}"/></Relationships>')


def with_lite_part(xlsx: bytes, parts: dict[str, bytes], *, zip_entry=None) -> bytes:
    """``xlsx`` with ``parts`` added (an existing Lite part is kept as it is).  ``zip_entry(name)``
    makes each entry's ZipInfo (fixed dates for reproducible files); the order of entries is kept
    and the new parts follow the workbook's."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src:
        names = src.namelist()
        if WEBEXTENSION in names:
            return xlsx
        entries = [(n, src.read(n)) for n in names]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name, data in [*entries, *sorted(parts.items())]:
            if name == "[Content_Types].xml":
                data = _content_types(data.decode("utf-8")).encode("utf-8")
            elif name == "_rels/.rels":
                data = _root_rels(data.decode("utf-8")).encode("utf-8")
            info = zip_entry(name) if zip_entry else zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    return out.getvalue()


def carry_lite_part(original: bytes, new: bytes) -> bytes:
    """``new`` (a workbook openpyxl wrote) with the Lite part of ``original``, if it had one."""
    try:
        with zipfile.ZipFile(io.BytesIO(original)) as z:
            if WEBEXTENSION not in z.namelist():
                return new
            parts = {n: z.read(n) for n in PARTS if n in z.namelist()}
    except zipfile.BadZipFile:
        return new
    return with_lite_part(new, parts)
