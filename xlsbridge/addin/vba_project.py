"""Build a source-only ``vbaProject.bin`` (MS-OVBA) from VBA module text.

The project holds no compiled code (no performance cache): the ``_VBA_PROJECT`` stream is the
seven-byte header that tells the host to compile the modules from their source text when the
workbook is opened (MS-OVBA 2.3.4.1).  Everything else is what MS-OVBA requires of a writer:

* ``VBA/dir`` (compressed): project information (SYSKIND win32, LCID 0x409, code page, name),
  references (stdole and the Office object library, which declares ``IRibbonControl``) and one
  record group per module with its stream name, offset 0 and type;
* ``VBA/<module>``: the module's source text, ``Attribute`` lines included, compressed;
* ``PROJECT``: the text properties (``ID=``, ``Document=``/``Module=``/``Class=`` lines, ``Name=``,
  ``CMG``/``DPB``/``GC`` encrypted with a fixed seed, so the project is unlocked and visible);
* ``PROJECTwm``: module names in the code page and in UTF-16.

The output is deterministic: no random seed, GUID or timestamp.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Iterable, Literal, Sequence

from .cfb import write_compound_file
from .ovba_compression import compress, decompress, has_raw_chunk

ModuleKind = Literal["standard", "class", "document"]

CODE_PAGE = 932  # Shift_JIS (Windows-31J): module text contains Japanese
LCID = 0x0409  # MS-OVBA: PROJECTLCID and PROJECTLCIDINVOKE MUST be 0x409
SYSKIND_WIN32 = 0x00000001

# Project ID (PROJECT stream "ID="): fixed, all zeros, as in the xlam xlwings itself ships.
PROJECT_ID = "{00000000-0000-0000-0000-000000000000}"

# VB_Base of the document modules Excel expects (Workbook and Worksheet classes) and of classes.
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"

# (name, LibidRegistered).  Office resolves a reference by GUID and version from the registry;
# the path is only a hint.
REFERENCES: tuple[tuple[str, str], ...] = (
    (
        "stdole",
        "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
        "C:\\Windows\\System32\\stdole2.tlb#OLE Automation",
    ),
    (
        "Office",
        "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
        "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL"
        "#Microsoft Office 16.0 Object Library",
    ),
)

# MS-OVBA 2.3.4.1: Reserved1 0x61CC; Version 0xFFFF ("MUST be 0xFFFF on write": matches no VBA
# version, so the host compiles from source); Reserved2 0x00; Reserved3 "undefined" and ignored on
# read, written 0x0001 as Excel does (the specification's example 3.1.1 and xlwings' own add-ins).
VBA_PROJECT_RESERVED3 = 0x0001
VBA_PROJECT_HEADER = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, VBA_PROJECT_RESERVED3)

# Fixed seed for the CMG / DPB / GC values (MS-OVBA 2.4.3.2 lets the writer pick any seed).
ENCRYPTION_SEED = 0x54


class VbaSourceError(ValueError):
    """A module's source text cannot be put into the project."""


@dataclass(frozen=True)
class VbaModule:
    """One module as stored in the project: its name, kind and full text with Attribute lines."""

    name: str
    kind: ModuleKind
    code: str
    docstring: str = ""


# --- module text -------------------------------------------------------------------------------

_ATTR_RE = re.compile(r'^Attribute\s+(VB_\w+)\s*=\s*(.*)$')


def normalize_newlines(text: str) -> str:
    """CRLF line ends throughout, and a final line end."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n")


def _attribute_value(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == '"' and raw.endswith('"'):
        return raw[1:-1].replace('""', '"')
    return raw


def _vb_name(lines: Sequence[str]) -> str:
    for line in lines:
        match = _ATTR_RE.match(line)
        if match and match.group(1) == "VB_Name":
            return _attribute_value(match.group(2))
    raise VbaSourceError("module text has no 'Attribute VB_Name = ...' line")


def module_from_bas(text: str) -> VbaModule:
    """A standard module from ``.bas`` text (as exported by the VBA editor)."""
    code = normalize_newlines(text)
    lines = code.split("\r\n")
    if not lines[0].startswith("Attribute VB_Name"):
        raise VbaSourceError("a .bas module must start with 'Attribute VB_Name = ...'")
    return VbaModule(name=_vb_name(lines), kind="standard", code=code)


def module_from_cls(text: str) -> VbaModule:
    """A class module from ``.cls`` text, converted to the form stored in a project.

    The export header (``VERSION 1.0 CLASS`` / ``BEGIN`` ... ``END``) is not part of the stored
    module; the stored attribute block also carries ``VB_Base`` (after ``VB_Name``) and
    ``VB_TemplateDerived`` / ``VB_Customizable`` (after ``VB_Exposed``), as the VBA editor writes
    them on import.
    """
    lines = normalize_newlines(text).split("\r\n")
    if lines and lines[0].startswith("VERSION "):
        try:
            end = lines.index("END")
        except ValueError:
            raise VbaSourceError("class module header has BEGIN without END") from None
        lines = lines[end + 1 :]
    name = _vb_name(lines)
    present = {m.group(1) for line in lines if (m := _ATTR_RE.match(line))}
    out: list[str] = []
    docstring = ""
    for line in lines:
        match = _ATTR_RE.match(line)
        out.append(line)
        if not match:
            continue
        key = match.group(1)
        if key == "VB_Name" and "VB_Base" not in present:
            out.append(f'Attribute VB_Base = "{CLASS_BASE}"')
        elif key == "VB_Exposed":
            if "VB_TemplateDerived" not in present:
                out.append("Attribute VB_TemplateDerived = False")
            if "VB_Customizable" not in present:
                out.append("Attribute VB_Customizable = False")
        elif key == "VB_Description":
            docstring = _attribute_value(match.group(2))
    return VbaModule(name=name, kind="class", code="\r\n".join(out), docstring=docstring)


def document_module(name: str, base: str, code: str = "") -> VbaModule:
    """A document module (ThisWorkbook, a sheet) with the attributes Excel writes for it."""
    header = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    text = "\r\n".join(header) + "\r\n"
    if code:
        text += normalize_newlines(code)
    return VbaModule(name=name, kind="document", code=text)


# --- MS-OVBA 2.4.3 data encryption (CMG, DPB, GC) ----------------------------------------------


def _project_key(project_id: str) -> int:
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt_data(
    data: bytes,
    project_id: str = PROJECT_ID,
    seed: int = ENCRYPTION_SEED,
    ignored: bytes | None = None,
) -> str:
    """MS-OVBA 2.4.3.2 with a fixed seed; the ignored bytes are 0x00 unless given.

    Returns the upper-case hex text used for CMG, DPB and GC in the PROJECT stream.
    """
    version = 2
    project_key = _project_key(project_id)
    ignored_length = (seed & 6) // 2
    ignored = bytes(ignored_length) if ignored is None else ignored
    if len(ignored) != ignored_length:
        raise ValueError(f"seed {seed:#04x} needs {ignored_length} ignored bytes")
    out = bytearray([seed, seed ^ version, seed ^ project_key])
    unencrypted_1 = project_key
    encrypted_1 = out[2]
    encrypted_2 = out[1]
    for byte in ignored + struct.pack("<I", len(data)) + data:
        enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(enc)
        encrypted_2 = encrypted_1
        encrypted_1 = enc
        unencrypted_1 = byte
    return out.hex().upper()


def decrypt_bytes(hex_text: str) -> tuple[int, int, bytes]:
    """MS-OVBA 2.4.3.3 without interpreting the result: (seed, project key, plain bytes)."""
    raw = bytes.fromhex(hex_text)
    seed = raw[0]
    version = raw[1] ^ seed
    if version != 2:
        raise VbaSourceError(f"encrypted data version {version}, expected 2")
    project_key = raw[2] ^ seed
    unencrypted_1 = project_key
    encrypted_1 = raw[2]
    encrypted_2 = raw[1]
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2 = encrypted_1
        encrypted_1 = enc
        unencrypted_1 = byte
    return seed, project_key, bytes(plain)


def decrypt_data(hex_text: str) -> tuple[int, bytes]:
    """MS-OVBA 2.4.3.3: (project key, data)."""
    seed, project_key, plain = decrypt_bytes(hex_text)
    ignored = (seed & 6) // 2
    if len(plain) < ignored + 4:
        raise VbaSourceError("encrypted data too short")
    (length,) = struct.unpack_from("<I", plain, ignored)
    data = plain[ignored + 4 : ignored + 4 + length]
    if len(data) != length:
        raise VbaSourceError("encrypted data shorter than its length field")
    return project_key, data


# --- streams -----------------------------------------------------------------------------------


def _encode(text: str, what: str) -> bytes:
    try:
        return text.encode(f"cp{CODE_PAGE}")
    except UnicodeEncodeError as exc:
        raise VbaSourceError(
            f"{what}: character {exc.object[exc.start:exc.end]!r} has no code page {CODE_PAGE} form"
        ) from None


def _record(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _dir_stream(project_name: str, modules: Sequence[VbaModule]) -> bytes:
    out = bytearray()
    # PROJECTINFORMATION
    out += _record(0x0001, struct.pack("<I", SYSKIND_WIN32))
    out += _record(0x0002, struct.pack("<I", LCID))
    out += _record(0x0014, struct.pack("<I", LCID))
    out += _record(0x0003, struct.pack("<H", CODE_PAGE))
    out += _record(0x0004, _encode(project_name, "project name"))
    out += _record(0x0005, b"") + _record(0x0040, b"")  # docstring, MBCS + Unicode
    out += _record(0x0006, b"") + _record(0x003D, b"")  # help file 1 + 2
    out += _record(0x0007, struct.pack("<I", 0))  # help context
    out += _record(0x0008, struct.pack("<I", 0))  # lib flags
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # version: Reserved=4, major, minor
    out += _record(0x000C, b"") + _record(0x003C, b"")  # conditional compilation constants
    # PROJECTREFERENCES
    for name, libid in REFERENCES:
        out += _record(0x0016, _encode(name, "reference name"))
        out += _record(0x003E, name.encode("utf-16-le"))
        libid_bytes = _encode(libid, "reference libid")
        body = struct.pack("<I", len(libid_bytes)) + libid_bytes + struct.pack("<IH", 0, 0)
        out += _record(0x000D, body)
    # PROJECTMODULES
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for module in modules:
        name_mbcs = _encode(module.name, "module name")
        name_utf16 = module.name.encode("utf-16-le")
        out += _record(0x0019, name_mbcs)
        out += _record(0x0047, name_utf16)
        out += _record(0x001A, name_mbcs) + _record(0x0032, name_utf16)  # stream name
        out += _record(0x001C, _encode(module.docstring, f"{module.name} description"))
        out += _record(0x0048, module.docstring.encode("utf-16-le"))
        out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: no performance cache
        out += _record(0x001E, struct.pack("<I", 0))  # help context
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += _record(0x0021 if module.kind == "standard" else 0x0022, b"")  # MODULETYPE
        out += _record(0x002B, b"")  # module terminator
    out += _record(0x0010, b"")  # dir terminator
    return bytes(out)


def _project_stream(project_name: str, modules: Sequence[VbaModule]) -> bytes:
    cmg = encrypt_data(struct.pack("<I", 0))  # protection state: none
    dpb = encrypt_data(bytes([0x00]))  # no password
    gc = encrypt_data(bytes([0xFF]))  # visibility: visible
    lines = [f'ID="{PROJECT_ID}"']
    for module in modules:
        if module.kind == "document":
            lines.append(f"Document={module.name}/&H00000000")
        elif module.kind == "class":
            lines.append(f"Class={module.name}")
        else:
            lines.append(f"Module={module.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{cmg}"',
        f'DPB="{dpb}"',
        f'GC="{gc}"',
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
    ]
    lines += [f"{module.name}=0, 0, 0, 0, C" for module in modules]
    return _encode("\r\n".join(lines) + "\r\n", "PROJECT stream")


def _projectwm_stream(modules: Sequence[VbaModule]) -> bytes:
    out = bytearray()
    for module in modules:
        out += _encode(module.name, "module name") + b"\x00"
        out += module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def _check_modules(project_name: str, modules: Sequence[VbaModule]) -> None:
    seen: set[str] = set()
    for module in modules:
        key = module.name.lower()
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", module.name):
            raise VbaSourceError(f"invalid module name {module.name!r}")
        if key in seen:
            raise VbaSourceError(f"two modules named {module.name!r}")
        seen.add(key)
        if _vb_name(module.code.split("\r\n")) != module.name:
            raise VbaSourceError(f"module {module.name!r}: VB_Name does not match")
    if project_name.lower() in seen:
        raise VbaSourceError(f"project name {project_name!r} equals a module name")
    if not any(m.kind == "document" for m in modules):
        raise VbaSourceError("an Excel project needs its document modules (ThisWorkbook)")


def _compressed_source(module: VbaModule) -> bytes:
    raw = _encode(module.code, f"module {module.name}")
    container = compress(raw)
    if has_raw_chunk(container) or decompress(container) != raw:
        raise VbaSourceError(f"module {module.name!r} does not compress losslessly")
    return container


def project_streams(project_name: str, modules: Sequence[VbaModule]) -> dict[str, bytes]:
    """The streams of the project storage, by path."""
    modules = list(modules)
    _check_modules(project_name, modules)
    streams = {
        "PROJECT": _project_stream(project_name, modules),
        "PROJECTwm": _projectwm_stream(modules),
        "VBA/_VBA_PROJECT": VBA_PROJECT_HEADER,
        "VBA/dir": compress(_dir_stream(project_name, modules)),
    }
    for module in modules:
        streams[f"VBA/{module.name}"] = _compressed_source(module)
    return streams


def build_vba_project(project_name: str, modules: Iterable[VbaModule]) -> bytes:
    """The bytes of ``vbaProject.bin`` for these modules (document modules first is customary)."""
    return write_compound_file(project_streams(project_name, list(modules)))
