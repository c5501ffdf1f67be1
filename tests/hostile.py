"""Hostile and broken workbook files, built byte by byte for the reliability tests.

Every builder returns the bytes of a file a staff member could be handed (a colleague's attachment,
a download, a half-copied file on a USB stick) and that must be refused quickly, in little memory,
with one Japanese line.  Nothing here is written by openpyxl except the genuine ledger the attacks
start from, so the attacks are exactly the bytes described:

* :func:`billion_laughs_in_sheet` / :func:`billion_laughs_in_shared_strings` — XML entities that
  expand exponentially (10 levels of 10 references: 10**9 "lol"s, about 3 GB of text);
* :func:`external_entity_in_shared_strings` — an XXE reference to a file on this machine;
* :func:`zip_bomb_declared` — a sheet that honestly declares its inflated size (2 GiB of XML);
* :func:`zip_bomb_lying` — the same stream under a header that declares 4 KiB (and the CRC of
  the first 4 KiB), so a reader trusting the header would inflate 2 GiB;
* :func:`zip_bomb_overlapping` — many central-directory entries that all point at the one
  compressed kernel (D. Fifield's "better zip bomb"): each small, together gigabytes;
* :func:`million_rows_cell` / :func:`million_rows_dimension` — a cell at row 1,048,576, or a
  ``<dimension ref="A1:Z1048576">`` over a few real rows;
* :func:`wide_cell` — a cell at column XFD on a sheet of ordinary rows;
* :func:`many_members` — a package of 20,000 empty parts;
* :func:`old_xls`, :func:`csv_renamed`, :func:`not_a_zip`, :func:`truncated`, empty bytes.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache

# --------------------------------------------------------------------------------------------
# A raw ZIP writer: members with any declared size, CRC and compressed bytes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes  # the bytes as stored (deflated when method == 8)
    crc: int
    size: int  # declared uncompressed size
    method: int = zipfile.ZIP_DEFLATED

    @classmethod
    def of(cls, name: str, content: bytes) -> "Member":
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return cls(name, c.compress(content) + c.flush(), zlib.crc32(content), len(content))


def build_zip(members: list[Member], *, flags: int = 0x800) -> bytes:
    """A ZIP archive of ``members`` (``flags``: the general-purpose bits of every entry; 0x800 = UTF-8 names)."""
    out = io.BytesIO()
    own_offsets = []
    for m in members:
        own_offsets.append(out.tell())
        name = m.name.encode("utf-8")
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, m.method, 0, 0x21, m.crc,
                              len(m.data), m.size, len(name), 0))
        out.write(name)
        out.write(m.data)
    central = io.BytesIO()
    for i, m in enumerate(members):
        name = m.name.encode("utf-8")
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, m.method, 0, 0x21, m.crc,
                                  len(m.data), m.size, len(name), 0, 0, 0, 0, 0, own_offsets[i]))
        central.write(name)
    start = out.tell()
    cd = central.getvalue()
    out.write(cd)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(cd), start, 0))
    return out.getvalue()


def members_of(xlsx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rebuild(xlsx: bytes, replace: dict[str, Member | bytes]) -> bytes:
    """The workbook with some members replaced (bytes are deflated normally; a Member as given)."""
    members = []
    for name, content in members_of(xlsx).items():
        new = replace.get(name, content)
        members.append(new if isinstance(new, Member) else Member.of(name, new))
    for name, new in replace.items():
        if name not in members_of(xlsx):
            members.append(new if isinstance(new, Member) else Member.of(name, new))
    return build_zip(members)


def sheet_part(xlsx: bytes, title: str) -> str:
    """The zip member holding the sheet called ``title`` (via workbook.xml and its relationships)."""
    parts = members_of(xlsx)
    book = parts["xl/workbook.xml"].decode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    sheet = re.search(r'<sheet [^>]*name="%s"[^>]*/>' % re.escape(title), book)
    assert sheet, title
    rid = re.search(r'r:id="([^"]+)"', sheet.group(0)).group(1)
    rel = re.search(r'<Relationship [^>]*Id="%s"[^>]*/>' % re.escape(rid), rels) or \
        re.search(r'<Relationship [^>]*Target="([^"]+)"[^>]*Id="%s"' % re.escape(rid), rels)
    target = re.search(r'Target="([^"]+)"', rel.group(0)).group(1)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


# --------------------------------------------------------------------------------------------
# XML entity attacks
# --------------------------------------------------------------------------------------------

LAUGHS_DTD = (
    '<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


def _with_dtd(xml: bytes, dtd: str) -> bytes:
    """Put a DOCTYPE after the XML declaration (or at the top)."""
    text = xml.decode("utf-8")
    if text.startswith("<?xml"):
        end = text.index("?>") + 2
        return (text[:end] + "\n" + dtd + text[end:]).encode("utf-8")
    return (dtd + text).encode("utf-8")


def billion_laughs_in_sheet(xlsx: bytes, title: str) -> bytes:
    """An inline-string cell in row 2 of ``title`` whose text is &lol9; (10**9 × "lol")."""
    part = sheet_part(xlsx, title)
    xml = members_of(xlsx)[part].decode("utf-8")
    xml = re.sub(r"(<row [^>]*r=\"2\"[^>]*>)", r'\1<c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c>', xml, count=1)
    return rebuild(xlsx, {part: _with_dtd(xml.encode("utf-8"), LAUGHS_DTD)})


SHARED_STRINGS_CT = ('<Override PartName="/xl/sharedStrings.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
SHARED_STRINGS_REL = ('<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      'relationships/sharedStrings" Target="sharedStrings.xml"/>')


def _with_shared_strings(xlsx: bytes, sst: bytes, title: str) -> bytes:
    """The workbook with a sharedStrings part (added when missing) and A2 of ``title`` pointing at string 0."""
    parts = members_of(xlsx)
    replace: dict[str, bytes] = {"xl/sharedStrings.xml": sst}
    if "xl/sharedStrings.xml" not in parts:
        ct = parts["[Content_Types].xml"].decode("utf-8")
        replace["[Content_Types].xml"] = ct.replace("</Types>", SHARED_STRINGS_CT + "</Types>").encode("utf-8")
        rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
        replace["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>",
                                                             SHARED_STRINGS_REL + "</Relationships>").encode("utf-8")
    part = sheet_part(xlsx, title)
    xml = parts[part].decode("utf-8")
    replace[part] = re.sub(r"(<row [^>]*r=\"2\"[^>]*>)", r'\1<c r="A2" t="s"><v>0</v></c>', xml, count=1).encode("utf-8")
    return rebuild(xlsx, replace)


def billion_laughs_in_shared_strings(xlsx: bytes, title: str) -> bytes:
    """The workbook's shared-string table with the DTD in front and &lol9; inside its first string
    (or a one-string table pointed at by A2 of ``title`` when the workbook has none)."""
    parts = members_of(xlsx)
    if "xl/sharedStrings.xml" in parts:
        sst = parts["xl/sharedStrings.xml"].decode("utf-8")
        sst = re.sub(r"(<si>\s*<t[^>]*>)", r"\1&lol9;", sst, count=1)
        return rebuild(xlsx, {"xl/sharedStrings.xml": _with_dtd(sst.encode("utf-8"), LAUGHS_DTD)})
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + LAUGHS_DTD +
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
           "<si><t>&lol9;</t></si></sst>").encode("utf-8")
    return _with_shared_strings(xlsx, sst, title)


def external_entity_in_shared_strings(xlsx: bytes, title: str, secret_file: str) -> bytes:
    """XXE: a shared string whose text is the content of ``secret_file`` on the reading machine."""
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file://{secret_file}">]>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
           "<si><t>&xxe;</t></si></sst>").encode("utf-8")
    return _with_shared_strings(xlsx, sst, title)


# --------------------------------------------------------------------------------------------
# Zip bombs
# --------------------------------------------------------------------------------------------

BOMB_BYTES = 2 << 30  # 2 GiB of XML once inflated
_KERNEL = 1 << 24  # 16 MiB of spaces per repeated deflate block


@lru_cache(maxsize=None)
def _bomb_stream(total: int = BOMB_BYTES) -> tuple[bytes, int, int]:
    """A raw deflate stream of ``<worksheet …><sheetData>`` + spaces + ``</sheetData></worksheet>``
    inflating to about ``total`` bytes: (stream, crc32, exact size).

    The spaces are one fully flushed 16 MiB block repeated (a flushed block refers to nothing before
    it, so its bytes are the same every time): building 2 GiB costs one 16 MiB compression.
    """
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    tail = b"</sheetData></worksheet>"
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    spaces = b" " * _KERNEL
    block = c.compress(spaces) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(spaces) + c.flush(zlib.Z_FULL_FLUSH)
    assert block == again  # independent blocks: safe to repeat
    repeats = (total - len(head) - len(tail)) // _KERNEL
    end = c.compress(tail) + c.flush()
    stream = first + block * repeats + end
    crc = zlib.crc32(head)
    chunk_crc_state = crc
    for _ in range(repeats):
        chunk_crc_state = zlib.crc32(spaces, chunk_crc_state)
    crc = zlib.crc32(tail, chunk_crc_state)
    size = len(head) + repeats * _KERNEL + len(tail)
    return stream, crc, size


def zip_bomb_declared(xlsx: bytes, title: str) -> bytes:
    stream, crc, size = _bomb_stream()
    part = sheet_part(xlsx, title)
    return rebuild(xlsx, {part: Member(part, stream, crc, size)})


def zip_bomb_lying(xlsx: bytes, title: str) -> bytes:
    """The bomb under a header declaring 4 KiB, with the CRC of those first 4 KiB."""
    stream, _, _ = _bomb_stream()
    first = zlib.decompressobj(-15).decompress(stream, 4096)
    part = sheet_part(xlsx, title)
    return rebuild(xlsx, {part: Member(part, stream, zlib.crc32(first), len(first))})


def zip_bomb_overlapping(xlsx: bytes, copies: int = 200, size: int = 32 << 20) -> bytes:
    """The workbook's own parts, then ``copies`` entries xl/media/imageN.xml that all point at one
    local header of a ``size``-byte part: 200 × 32 MiB = 6.25 GiB from a file of a few hundred KB."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    content = b"<x>" + b" " * (size - 7) + b"</x>"
    kernel = Member("xl/media/kernel.xml", c.compress(content) + c.flush(), zlib.crc32(content), size)
    own = [Member.of(n, d) for n, d in members_of(xlsx).items()]
    # Local headers of the workbook's parts, then the kernel's once; the extra entries reuse it.
    body = build_zip(own + [kernel])
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        offsets = [i.header_offset for i in zf.infolist()]
    kernel_offset = offsets[-1]
    entries = own + [kernel] + [Member(f"xl/media/image{i}.xml", kernel.data, kernel.crc, size) for i in range(copies)]
    # Rebuild with every extra entry's central record pointing at the kernel's local header.  The
    # extra local headers written by build_zip are never referenced: strip them by writing the
    # central directory by hand over the first body.
    local_end = body.index(b"PK\x01\x02")
    central = io.BytesIO()
    for i, m in enumerate(entries):
        name = m.name.encode("utf-8")
        offset = offsets[i] if i < len(offsets) else kernel_offset
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0x800, m.method, 0, 0x21, m.crc,
                                  len(m.data), m.size, len(name), 0, 0, 0, 0, 0, offset))
        central.write(name)
    cd = central.getvalue()
    return (body[:local_end] + cd
            + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(cd), local_end, 0))


def many_members(xlsx: bytes, count: int = 20_000) -> bytes:
    parts = members_of(xlsx)
    members = [Member.of(n, d) for n, d in parts.items()]
    members += [Member.of(f"xl/media/empty{i}.xml", b"") for i in range(count)]
    return build_zip(members)


# --------------------------------------------------------------------------------------------
# Sheets that claim to be enormous
# --------------------------------------------------------------------------------------------

def million_rows_cell(xlsx: bytes, title: str, ref: str = "Z1048576") -> bytes:
    """A text cell at ``ref`` (row 1,048,576 by default) after the sheet's real rows, and the
    dimension Excel would then write."""
    part = sheet_part(xlsx, title)
    xml = members_of(xlsx)[part].decode("utf-8")
    row = int(re.sub(r"[A-Z]", "", ref))
    cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
    xml = xml.replace("</sheetData>", cell + "</sheetData>", 1)
    xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{ref}"/>', xml, count=1)
    return rebuild(xlsx, {part: xml.encode("utf-8")})


def million_rows_dimension(xlsx: bytes, title: str) -> bytes:
    """Only the declaration: ``<dimension ref="A1:Z1048576"/>`` over the sheet's few real rows."""
    part = sheet_part(xlsx, title)
    xml = members_of(xlsx)[part].decode("utf-8")
    if "<dimension " in xml:
        xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:Z1048576"/>', xml, count=1)
    else:
        xml = xml.replace("<sheetData", '<dimension ref="A1:Z1048576"/><sheetData', 1)
    return rebuild(xlsx, {part: xml.encode("utf-8")})


def wide_cell(xlsx: bytes, title: str, row: int = 400) -> bytes:
    """A cell at column XFD (16,384) in row ``row``: calamine's dense range would be
    ``row`` × 16,384 cells (400 rows: 6.5 million, about 300 MB) for one stray entry."""
    return million_rows_cell(xlsx, title, ref=f"XFD{row}")


# --------------------------------------------------------------------------------------------
# Files that are not .xlsx workbooks
# --------------------------------------------------------------------------------------------

def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (the container of .xls and of encrypted .xlsx files)."""
    sector = 512
    free, end, fat_sect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    data_sectors: list[bytes] = []
    starts = []
    for payload in streams.values():
        payload = payload.ljust(max(4096, -(-len(payload) // sector) * sector), b"\0")
        starts.append(2 + len(data_sectors))
        data_sectors += [payload[i:i + sector] for i in range(0, len(payload), sector)]
    fat = [fat_sect, end]
    for payload, start in zip(streams.values(), starts):
        count = max(4096, -(-len(payload) // sector) * sector) // sector
        fat += [start + i + 1 for i in range(count - 1)] + [end]
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", nostream, right, child) + b"\0" * 36 + struct.pack("<IQ", start, size))

    names = list(streams)
    entries = entry("Root Entry", 5, 1, nostream, end, 0)
    for i, (name, start) in enumerate(zip(names, starts)):
        right = i + 2 if i + 1 < len(names) else nostream
        entries += entry(name, 2, nostream, right, start, max(4096, len(streams[name])))
    entries = entries.ljust(sector, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    return header + struct.pack("<128I", *fat) + entries + b"".join(data_sectors)


def old_xls() -> bytes:
    """An Excel 97-2003 workbook's container: a compound file with a Workbook stream (BIFF8 BOF first)."""
    bof = struct.pack("<HHHHHHLL", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    return compound_file({"Workbook": bof + struct.pack("<HH", 0x000A, 0)})


def csv_renamed() -> bytes:
    """A CSV export (Shift_JIS, as Excel writes 'CSV (コンマ区切り)') saved under an .xlsx name."""
    return "ケースID,申込日,状態\r\nC-001,2025/3/1,契約中\r\nC-002,2025/4/2,契約中\r\n".encode("cp932")


def not_a_zip() -> bytes:
    """A PNG header and noise: a file that is no archive at all."""
    return b"\x89PNG\r\n\x1a\n" + bytes((i * 37 + 11) % 256 for i in range(4000))


def truncated(xlsx: bytes, fraction: float) -> bytes:
    """The first ``fraction`` of the workbook's bytes, as left by an interrupted copy."""
    return xlsx[: max(4, int(len(xlsx) * fraction))]


def truncated_encrypted(encrypted: bytes) -> bytes:
    """Half of a password-protected workbook (a compound file cut short)."""
    return encrypted[: len(encrypted) // 2]


def malformed_sheet(xlsx: bytes, title: str) -> bytes:
    """A well-formed package whose sheet XML stops in the middle of a cell (a writer that crashed)."""
    part = sheet_part(xlsx, title)
    xml = members_of(xlsx)[part]
    cut = xml.index(b"<row", xml.index(b"<sheetData")) + 40
    return rebuild(xlsx, {part: xml[:cut]})


def encrypted_zip_entries(xlsx: bytes) -> bytes:
    """Every part flagged as ZIP-encrypted (bit 0): nothing Excel writes, nothing a reader can open."""
    return build_zip([Member.of(n, d) for n, d in members_of(xlsx).items()], flags=0x801)


# --------------------------------------------------------------------------------------------
# Password-protected workbooks
# --------------------------------------------------------------------------------------------

def encrypt(xlsx: bytes, password: str) -> bytes:
    """Excel's "Encrypt with Password" (agile encryption), as msoffcrypto-tool writes it."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx)).encrypt(password, out)
    return out.getvalue()


def billion_laughs_in_encryption_info(encrypted: bytes) -> bytes:
    """An encrypted workbook whose EncryptionInfo XML (parsed before any password check) carries the
    entity bomb; repacked with the EncryptedPackage stream in a fresh compound file."""
    import olefile

    with olefile.OleFileIO(io.BytesIO(encrypted)) as ole:
        info = ole.openstream("EncryptionInfo").read()
        package = ole.openstream("EncryptedPackage").read()
    head, xml = info[:8], info[8:]
    text = xml.decode("utf-8")
    if text.startswith("<?xml"):
        end = text.index("?>") + 2
        text = text[:end] + LAUGHS_DTD + text[end:]
    else:
        text = LAUGHS_DTD + text
    root_end = text.index(">", text.index("<encryption")) + 1
    text = text[:root_end] + "&lol9;" + text[root_end:]
    body = text.encode("utf-8")
    if len(head) + len(body) < 4096:  # the minimal compound file holds streams of 4096 bytes or more
        body = body.replace(b"</encryption>", b" " * (4096 - len(head) - len(body)) + b"</encryption>")
    return compound_file({"EncryptionInfo": head + body, "EncryptedPackage": package})


# --------------------------------------------------------------------------------------------
# Running the command line: in this process, or in a child with its memory capped
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float = 0.0
    max_rss_mb: float = 0.0  # peak resident memory of the child


def cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Run:
    """``xlsbridge ARGS`` in this process, exactly as the console script runs it."""
    import sys as _sys

    from click.testing import CliRunner

    from xlsbridge.cli.common import run_cli
    from xlsbridge.cli.main import cli as group
    from xlsbridge.i18n import set_lang

    runner = CliRunner()
    try:
        with runner.isolation(input=stdin, env=env) as (out, err, _):
            argv, _sys.argv = _sys.argv, ["xlsbridge", *args]
            try:
                code = run_cli(group)
            finally:
                _sys.argv = argv
            return Run(code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace"))
    finally:
        set_lang("ja")


# The child reports its own peak resident memory (VmHWM, which exec resets) when it exits: the
# rusage of a forked child would include the test runner's memory from before the exec.
_PEAK_WRAPPER = """
import atexit, os, runpy, sys
def _peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                with open(os.environ["XLSBRIDGE_TEST_PEAK"], "w") as out:
                    out.write(line.split()[1])
atexit.register(_peak)
sys.argv = ["xlsbridge", *sys.argv[1:]]
runpy.run_module("xlsbridge.cli.main", run_name="__main__", alter_sys=True)
"""


def run_bounded(*args: str, memory_mb: int = 512, timeout: float = 60, env: dict[str, str] | None = None,
                cwd=None) -> Run:
    """``xlsbridge ARGS`` in a child Python whose address space is capped at ``memory_mb``
    (RLIMIT_AS: an allocation past it fails) and which is killed after ``timeout`` seconds; returns
    its exit code, output, wall time and peak resident memory (the child's VmHWM, in MB)."""
    import os
    import resource
    import subprocess
    import sys as _sys
    import tempfile
    import time

    limit = memory_mb << 20

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    with tempfile.TemporaryDirectory(prefix="xlsbridge-bounded-") as folder:
        peak_file = os.path.join(folder, "peak")
        child_env = dict(os.environ if env is None else env)
        child_env["XLSBRIDGE_TEST_PEAK"] = peak_file
        started = time.monotonic()
        try:
            proc = subprocess.run([_sys.executable, "-c", _PEAK_WRAPPER, *args], capture_output=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, preexec_fn=cap, env=child_env, cwd=cwd)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"xlsbridge {' '.join(args)} still running after {timeout} s") from exc
        seconds = time.monotonic() - started
        peak_kb = int(open(peak_file).read()) if os.path.exists(peak_file) else 0
        return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
                   seconds, peak_kb / 1024)


# --------------------------------------------------------------------------------------------
# Issue 14: declared sizes, other spellings of a far cell, amplification inside the limits
# --------------------------------------------------------------------------------------------

def _sheet_xml(xlsx: bytes, title: str) -> tuple[str, str]:
    part = sheet_part(xlsx, title)
    return part, members_of(xlsx)[part].decode("utf-8")


def shared_strings_declaring(xlsx: bytes, title: str, unique: int = 4_000_000_000, count: int | None = None) -> bytes:
    """A small shared-string table that declares ``uniqueCount`` (and ``count``) far beyond what it holds."""
    count = unique if count is None else count
    body = "".join(f"<si><t>文字列{i}</t></si>" for i in range(2000))
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_NS}" count="{count}" '
           f'uniqueCount="{unique}">{body}</sst>').encode("utf-8")
    return _with_shared_strings(xlsx, sst, title)


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# How the far cell Z1048576 may be spelt in XML that every parser accepts.
FAR_CELL_SPELLINGS = {
    "single-quotes": "<row r='1048576'><c r='Z1048576' t='inlineStr'><is><t>x</t></is></c></row>",
    "spaces-around-equals": '<row r = "1048576"><c r = "Z1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "lowercase-column": '<row r="1048576"><c r="z1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "character-references": '<row r="&#49;048576"><c r="&#90;1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "rows-without-r": '<row r="1048570"/>' + "<row/>" * 5 + '<row><c t="inlineStr"><is><t>x</t></is></c></row>',
    "tab-before-r": '<row\tr="1048576"><c\tr="Z1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "lowercase-wide-column": '<row r="400"><c r="xfd400" t="inlineStr"><is><t>x</t></is></c></row>',
}


def far_cell_spelt(xlsx: bytes, title: str, spelling: str) -> bytes:
    """The sheet's real rows, then a far cell written as ``FAR_CELL_SPELLINGS[spelling]`` (no dimension)."""
    part, xml = _sheet_xml(xlsx, title)
    xml = re.sub(r'<dimension ref="[^"]*"/>', "", xml, count=1)
    xml = xml.replace("</sheetData>", FAR_CELL_SPELLINGS[spelling] + "</sheetData>", 1)
    return rebuild(xlsx, {part: xml.encode("utf-8")})


def merges(xlsx: bytes, title: str, ranges: list[str]) -> bytes:
    """The sheet with these merged ranges (``A2:AE1048576`` spans a million rows in 80 bytes)."""
    part, xml = _sheet_xml(xlsx, title)
    xml = re.sub(r"<mergeCells[^>]*>.*?</mergeCells>|<mergeCells[^>]*/>", "", xml, flags=re.S)
    block = f'<mergeCells count="{len(ranges)}">' + "".join(f'<mergeCell ref="{r}"/>' for r in ranges) + "</mergeCells>"
    anchor = re.search(r"</sheetData>|<sheetData/>", xml)
    xml = xml[:anchor.end()] + block + xml[anchor.end():]
    return rebuild(xlsx, {part: xml.encode("utf-8")})


def many_merges(xlsx: bytes, title: str, count: int = 2000) -> bytes:
    """``count`` merges, each a whole column from row 2 to 1,048,576, side by side and row by row."""
    from xlsbridge.io.xlsx.cells import column_letter

    ranges = [f"{column_letter(i % 16000)}{2 + i // 16000}:{column_letter(i % 16000)}1048576" for i in range(count)]
    return merges(xlsx, title, ranges)


def long_shared_string_reused(xlsx: bytes, title: str, length: int = 32_000, cells: int = 5_100) -> bytes:
    """One ``length``-character shared string, used by ``cells`` cells of column Z of ``title``."""
    parts = members_of(xlsx)
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_NS}" count="{cells}" '
           f'uniqueCount="1"><si><t>{"あ" * length}</t></si></sst>').encode("utf-8")
    replaced = _with_shared_strings(xlsx, sst, title)
    part, xml = _sheet_xml(replaced, title)
    rows = "".join(f'<row r="{r}"><c r="Z{r}" t="s"><v>0</v></c></row>' for r in range(1000, 1000 + cells))
    xml = xml.replace("</sheetData>", rows + "</sheetData>", 1)
    del parts
    return rebuild(replaced, {part: xml.encode("utf-8")})


def long_headers(xlsx: bytes, title: str, count: int = 16_384, length: int = 300) -> bytes:
    """Row 1 of ``title`` replaced by ``count`` long header cells matching no column (a required
    column is then missing, and the nearest-header hint has ``count`` candidates)."""
    from xlsbridge.io.xlsx.cells import column_letter

    part, xml = _sheet_xml(xlsx, title)
    cells = "".join(f'<c r="{column_letter(j)}1" t="inlineStr"><is><t>見出し{j:05d}{"x" * length}</t></is></c>'
                    for j in range(count))
    xml = re.sub(r'<row r="1"[^>]*>.*?</row>', f'<row r="1">{cells}</row>', xml, count=1, flags=re.S)
    return rebuild(xlsx, {part: xml.encode("utf-8")})


def many_cells(xlsx: bytes, title: str, rows: int = 158_000, columns: int = 31) -> bytes:
    """``rows`` × ``columns`` tiny numeric cells (4.9 million by default) that deflate to a few MB."""
    from xlsbridge.io.xlsx.cells import column_letter

    part, xml = _sheet_xml(xlsx, title)
    letters = [column_letter(j) for j in range(columns)]
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in letters) + "</row>"
                   for r in range(2, rows + 2))
    xml = re.sub(r"<sheetData>.*</sheetData>", lambda m: "<sheetData>" + body + "</sheetData>", xml, count=1,
                 flags=re.S)
    xml = re.sub(r'<dimension ref="[^"]*"/>', "", xml, count=1)
    return rebuild(xlsx, {part: xml.encode("utf-8")})


def huge_document_title(xlsx: bytes, size: int = 200 << 20) -> bytes:
    """docProps/core.xml with a ``size``-character title (it deflates to a few hundred KB)."""
    core = members_of(xlsx).get("docProps/core.xml", b"").decode("utf-8")
    title = "<dc:title>" + "題" * (size // 3) + "</dc:title>"
    if "<dc:title>" in core:
        core = re.sub(r"<dc:title>.*?</dc:title>", title, core, flags=re.S)
    else:
        core = core.replace("</cp:coreProperties>", title + "</cp:coreProperties>")
    return rebuild(xlsx, {"docProps/core.xml": core.encode("utf-8")})


def huge_contacts_sheet(xlsx: bytes, rows: int = 400_000) -> bytes:
    """The 連絡先 sheet filled with ``rows`` rows of made-up addresses (openpyxl loads every sheet)."""
    part, xml = _sheet_xml(xlsx, "連絡先")
    body = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>C-{r:06d}</t></is></c>'
                   f'<c r="B{r}" t="inlineStr"><is><t>架空県架空市{r}番地</t></is></c></row>' for r in range(2, rows + 2))
    xml = re.sub(r"(<sheetData>.*?)(</sheetData>)", lambda m: m.group(1) + body + m.group(2), xml, count=1, flags=re.S)
    xml = re.sub(r'<dimension ref="[^"]*"/>', "", xml, count=1)
    return rebuild(xlsx, {part: xml.encode("utf-8")})


def _sheet_rels_path(part: str) -> str:
    folder, _, leaf = part.rpartition("/")
    return f"{folder}/_rels/{leaf}.rels"


def with_sheet_part(xlsx: bytes, title: str, target: str, content: bytes, rel_type: str, content_type: str,
                    element: str | None) -> bytes:
    """``title``'s sheet linked (relationship rIdX99) to a new part ``target`` (e.g. xl/drawings/drawing9.xml);
    ``element`` (e.g. '<drawing r:id="rIdX99"/>') goes before the sheet's closing tag when given."""
    parts = members_of(xlsx)
    part = sheet_part(xlsx, title)
    rels_path = _sheet_rels_path(part)
    rels = parts.get(rels_path, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                                b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
    rel = (f'<Relationship Id="rIdX99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           f'{rel_type}" Target="/{target}"/>')
    rels = rels.decode("utf-8").replace("</Relationships>", rel + "</Relationships>").encode("utf-8")
    ct = parts["[Content_Types].xml"].decode("utf-8").replace(
        "</Types>", f'<Override PartName="/{target}" ContentType="{content_type}"/></Types>')
    xml = parts[part].decode("utf-8")
    if element is not None:
        if 'xmlns:r="' not in xml[:2000]:
            xml = xml.replace("<worksheet ", '<worksheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                                             '2006/relationships" ', 1)
        xml = xml.replace("</worksheet>", element + "</worksheet>")
    return rebuild(xlsx, {part: xml.encode("utf-8"), rels_path: rels, "[Content_Types].xml": ct.encode("utf-8"),
                          target: content})


TEXT_BOX = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/'
            'drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            '<xdr:twoCellAnchor><xdr:from><xdr:col>20</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>'
            '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>24</xdr:col><xdr:colOff>0</xdr:colOff>'
            '<xdr:row>6</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp macro="" textlink="">'
            '<xdr:nvSpPr><xdr:cNvPr id="2" name="テキスト ボックス 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr>'
            '<xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr/>'
            '<a:p><a:r><a:t>引き継ぎメモ: 面会の前に必ず電話確認</a:t></a:r></a:p></xdr:txBody></xdr:sp>'
            '<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>').encode("utf-8")


def text_box(xlsx: bytes, title: str) -> bytes:
    """A staff text box on ``title`` (a drawing part with one shape)."""
    return with_sheet_part(xlsx, title, "xl/drawings/drawing99.xml", TEXT_BOX, "drawing",
                           "application/vnd.openxmlformats-officedocument.drawing+xml", '<drawing r:id="rIdX99"/>')


def rich_text_cell(xlsx: bytes, title: str, ref: str = "AZ2") -> bytes:
    """A staff cell at ``ref`` whose text is partly bold (an inline rich string)."""
    part, xml = _sheet_xml(xlsx, title)
    row = int(re.sub(r"[A-Z]", "", ref))
    cell = f'<c r="{ref}" t="inlineStr"><is><r><rPr><b/></rPr><t>要注意</t></r><r><t>: 迎えは母方祖母</t></r></is></c>'
    xml = re.sub(rf'(<row r="{row}"[^>]*>.*?)(</row>)', lambda m: m.group(1) + cell + m.group(2), xml, count=1, flags=re.S)
    return rebuild(xlsx, {part: xml.encode("utf-8")})


def many_comments(xlsx: bytes, title: str, count: int = 2_000_000) -> bytes:
    """A comments part with ``count`` notes on ``title`` (it deflates to a few MB)."""
    from xlsbridge.io.xlsx.cells import column_letter

    body = "".join(f'<comment ref="{column_letter(i % 100)}{i // 100 + 2}" authorId="0"><text><t>x</t></text></comment>'
                   for i in range(count))
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="{_NS}"><authors><author>a'
           f'</author></authors><commentList>{body}</commentList></comments>').encode("utf-8")
    return with_sheet_part(xlsx, title, "xl/comments99.xml", xml, "comments",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml", None)
