"""The one reader of a workbook package: limits, decryption, and the parts found through ``_rels``.

``load_workbook_bytes`` reads a ledger file once (decrypting it when it is password protected) and
refuses anything that is not an .xlsx workbook or is too large to open safely; ``Package`` lists the
sheets' parts and the defined names, with the workbook part found through the package's
relationships (``_rels/.rels``) as the patcher finds it.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ...errors import WorkbookUnusable
from .guard import (
    SHARED_STRINGS,
    check_expanded_text,
    check_extent,
    check_shared_strings,
    not_genuine,
    sheet_extent,
)
from .rels import _parse_rels, rels_part, workbook_part


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# Limits on what a ledger file may hold, checked before any parser (calamine, openpyxl) inflates a
# part: a file handed to staff may be a zip bomb, and the ledger holds no more than a few years of
# records.  A 50,000-visit ledger (tests/benchmarks/bench_reader.py) is a 5 MB file whose 面会記録 part inflates
# to 55 MB in 38 parts, 50,329 rows × 31 columns.
MAX_FILE_BYTES = 256 << 20  # the file as stored
MAX_PARTS = 10_000  # members of the zip package
MAX_PART_BYTES = 256 << 20  # one part, inflated
MAX_PACKAGE_BYTES = 512 << 20  # all parts, inflated
MAX_RELS_BYTES = 1 << 20  # the package's _rels/.rels, read to find the workbook part
# MAX_SHEET_ROWS / MAX_SHEET_CELLS and what a workbook declares or expands to: io/xlsx/guard.py


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MB"


def is_encrypted(path: Path | str) -> bool:
    """Whether the file is an encrypted Office package (Excel "Encrypt with Password").

    Only the first bytes and the compound file's directory are read; a missing or unreadable file
    is "not encrypted" here (reading it says what is wrong).
    """
    import os
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as fh:
            if fh.read(8) != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
                return False
    except OSError:
        return False
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage")
    except Exception:  # noqa: BLE001 — a damaged compound file: reading it says so
        return False


_loads = 0  # workbook files read and checked in this process (io/ledger_file.loads: one per command)


def loads() -> int:
    """How many times a workbook file was read (and decrypted, and checked) in this process."""
    return _loads


def load_workbook_bytes(path: Path, password: str | None = None) -> bytes:
    """The workbook's bytes, decrypted when needed; refuses anything that is not an .xlsx workbook,
    and any package too large to open safely (see the MAX_* limits)."""
    import os
    import stat

    global _loads
    _loads += 1
    path = Path(path)
    name = path.name
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):  # a device or a pipe: open() could block
            raise WorkbookUnusable(f"{name} は通常のファイルではありません。台帳ファイル（.xlsx）を指定してください",
                                   f"{name} is not a regular file; give the ledger file (.xlsx)")
        with open(path, "rb") as fh:  # read once and close: nothing stays open on the ledger
            too_big = os.fstat(fh.fileno()).st_size > MAX_FILE_BYTES
            data = b"" if too_big else fh.read(MAX_FILE_BYTES + 1)  # bounded even if it grows meanwhile
        if too_big or len(data) > MAX_FILE_BYTES:
            raise WorkbookUnusable(
                f"{name} は大きすぎます（{_mb(MAX_FILE_BYTES)} を超えています）。台帳ファイルを指定してください",
                f"{name} is too large (over {_mb(MAX_FILE_BYTES)}); give the ledger file",
            )
    except FileNotFoundError:
        raise WorkbookUnusable(f"台帳ファイルがありません: {name}（フォルダーとファイル名を確認してください）",
                        f"ledger file not found: {name} (check the folder and the file name)") from None
    except IsADirectoryError:
        raise WorkbookUnusable(f"{name} はフォルダーです。台帳ファイル（.xlsx）を指定してください",
                        f"{name} is a folder; give the ledger file (.xlsx)") from None
    except PermissionError:
        raise WorkbookUnusable(f"台帳ファイル {name} を読む権限がありません",
                        f"no permission to read the ledger file {name}") from None
    except OSError as exc:
        raise WorkbookUnusable(f"台帳ファイル {name} を読めません（{exc.strerror}）",
                        f"cannot read the ledger file {name} ({exc.strerror})") from None
    if not data:
        raise WorkbookUnusable(f"{name} は空のファイルです（0バイト）。保存し直すか、正しい台帳を指定してください",
                        f"{name} is an empty file (0 bytes); save it again or give the right ledger")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        data = _from_compound_file(data, name, password)
    if not data.startswith(b"PK"):
        raise _not_a_workbook(data, name)
    _check_package(data, name)
    return data


def _from_compound_file(data: bytes, name: str, password: str | None) -> bytes:
    """An OLE compound file is either an encrypted .xlsx or an old .xls (or another Office file)."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(s) for s in ole.listdir()}
    except Exception:  # noqa: BLE001 — olefile raises many kinds on a cut or forged container
        raise WorkbookUnusable(
            f"{name} は壊れているか、途中までしか保存されていません。Excel で開けるか確認し、開けたら保存し直してください",
            f"{name} is damaged or was not saved completely; check that Excel opens it and save it again",
        ) from None
    if {"EncryptionInfo", "EncryptedPackage"} <= streams:
        if password is None:
            raise WorkbookUnusable(
                f"{name} はパスワードで保護されています。パスワードを指定してください（コマンドでは --password-env 環境変数名）",
                f"{name} is protected with a password; give the password (on the command line: --password-env VAR)",
            )
        return _decrypt(data, name, password)
    if "Workbook" in streams or "Book" in streams:
        raise WorkbookUnusable(
            f"{name} は古い Excel 97-2003 形式（.xls）です。Excel で開き「名前を付けて保存」で Excel ブック（.xlsx）にしてください",
            f"{name} is an old Excel 97-2003 workbook (.xls); open it in Excel and save it as an Excel workbook (.xlsx)",
        )
    raise WorkbookUnusable(f"{name} は Excel ブック（.xlsx）ではありません（別の Office 形式です）",
                    f"{name} is not an Excel workbook (.xlsx) but another Office format")


def _decrypt(data: bytes, name: str, password: str) -> bytes:
    from ..encryption import msoffcrypto as optional_msoffcrypto

    msoffcrypto = optional_msoffcrypto(name)
    from msoffcrypto.exceptions import InvalidKeyError

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    except InvalidKeyError:
        raise WorkbookUnusable(f"{name} のパスワードが違います", f"wrong password for {name}") from None
    except Exception as exc:  # noqa: BLE001 — DecryptionError, and parse errors of a forged EncryptionInfo
        raise WorkbookUnusable(f"{name} の暗号を解除できません。ファイルが壊れている可能性があります（{type(exc).__name__}）",
                        f"cannot decrypt {name}; the file may be damaged ({type(exc).__name__})") from None
    return out.getvalue()


def _not_a_workbook(data: bytes, name: str) -> WorkbookUnusable:
    head = data[:4096]
    if head.startswith(b"MZ"):
        return WorkbookUnusable(f"{name} は Windows のプログラム（実行ファイル）で、Excel ブック（.xlsx）ではありません。開かずに削除し、台帳ファイルを指定してください",
                                f"{name} is a Windows program (an executable), not an Excel workbook; do not open it, delete it and give the ledger file")
    text = None
    for encoding in ("utf-8-sig", "cp932") if b"\x00" not in head else ():  # NUL bytes: binary, not text
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is not None:
        stripped = text.lstrip().lower()
        if stripped.startswith(("<html", "<!doctype", "<?xml", "<table")):
            return WorkbookUnusable(
                f"{name} は HTML/XML のテキストファイルで、Excel ブック（.xlsx）ではありません。Excel で開き .xlsx 形式で保存してください",
                f"{name} is an HTML/XML text file, not an Excel workbook; open it in Excel and save it as .xlsx",
            )
        if any(sep in text for sep in (",", "\t", ";")):
            return WorkbookUnusable(
                f"{name} は CSV（テキスト）ファイルの名前を .xlsx に変えたもののようです。Excel で開き「名前を付けて保存」で Excel ブック（.xlsx）にしてください",
                f"{name} looks like a CSV (text) file renamed to .xlsx; open it in Excel and save it as an Excel workbook (.xlsx)",
            )
        return WorkbookUnusable(f"{name} はテキストファイルで、Excel ブック（.xlsx）ではありません",
                         f"{name} is a text file, not an Excel workbook (.xlsx)")
    return WorkbookUnusable(f"{name} は Excel ブック（.xlsx）ではありません。台帳ファイルを指定してください",
                     f"{name} is not an Excel workbook (.xlsx); give the ledger file")


def _damaged(name: str) -> WorkbookUnusable:
    return WorkbookUnusable(
        f"{name} は壊れているか、途中までしか保存されていません。Excel で開けるか確認し、開けたら保存し直してください",
        f"{name} is damaged or was not saved completely; check that Excel opens it and save it again",
    )


def _part_label(filename: str) -> str:
    """A zip member's name fit for a one-line message (the name is whatever the file says)."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in filename)
    return clean if len(clean) <= 60 else clean[:57] + "…"


_not_genuine = not_genuine


_CENTRAL_DIRECTORY_LIMIT = 4 << 20  # bytes: ~90,000 entries at most, far above MAX_PARTS


def _check_directory(data: bytes, name: str) -> None:
    """Refuse a central directory too large to list (each entry costs memory to parse) before
    zipfile parses it: the end record states its size and entry count."""
    import struct

    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if pos < 0 or pos + 22 > len(data):
        return  # zipfile reports the damage
    entries, size = struct.unpack_from("<HL", data, pos + 10)
    locator = pos - 20
    if locator >= 0 and data[locator:locator + 4] == b"PK\x06\x07":  # zip64: the real figures are there
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if record + 56 <= len(data) and data[record:record + 4] == b"PK\x06\x06":
            entries, size = struct.unpack_from("<QQ", data, record + 32)
    if entries > MAX_PARTS or size > _CENTRAL_DIRECTORY_LIMIT:
        raise _not_genuine(name, f"部品が多すぎます（{entries:,} 個、上限 {MAX_PARTS:,} 個）",
                           f"too many parts ({entries:,}; the limit is {MAX_PARTS:,})")


_DTD = (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))
_XML_PART = re.compile(r"\.(?:xml|rels|vml)$", re.IGNORECASE)
_CHUNK = 1 << 20


def _check_parts(data: bytes, zf: zipfile.ZipFile, name: str) -> None:
    """Sizes declared and actual, before any parser inflates a part.

    * every part's declared size, and their sum, within MAX_PART_BYTES / MAX_PACKAGE_BYTES (a zip
      bomb that admits its size is refused without inflating a byte);
    * no two parts sharing compressed bytes (overlapping entries: one kernel listed many times);
    * each part inflated here, a megabyte at a time and thrown away, must produce exactly its
      declared size (a header that understates the size is refused as soon as it is exceeded);
    * no XML part holds a DTD (<!DOCTYPE>): OOXML forbids them and Excel never writes one, and
      entity declarations are how "billion laughs" and external-entity (XXE) attacks work.
    """
    import struct
    import zlib

    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        raise _not_genuine(name, f"部品が多すぎます（{len(infos):,} 個、上限 {MAX_PARTS:,} 個）",
                           f"too many parts ({len(infos):,}; the limit is {MAX_PARTS:,})")
    total = 0
    spans: list[tuple[int, int, int, zipfile.ZipInfo]] = []
    for info in infos:
        part = _part_label(info.filename)
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _not_genuine(name, f"部品 {part} が暗号化または未対応の方式で圧縮されています",
                               f"part {part} is encrypted or compressed with an unsupported method")
        total += info.file_size
        if info.file_size > MAX_PART_BYTES or total > MAX_PACKAGE_BYTES:
            limit = MAX_PART_BYTES if info.file_size > MAX_PART_BYTES else MAX_PACKAGE_BYTES
            raise _not_genuine(name, f"展開すると {_mb(limit)} を超えます（部品 {part}。ZIP 爆弾の可能性）",
                               f"it would inflate to more than {_mb(limit)} (part {part}; a possible zip bomb)")
        head = data[info.header_offset:info.header_offset + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise _damaged(name)
        name_len, extra_len = struct.unpack_from("<HH", head, 26)
        start = info.header_offset + 30 + name_len + extra_len
        end = start + info.compress_size
        if end > len(data):
            raise _damaged(name)
        spans.append((info.header_offset, start, end, info))
    spans.sort(key=lambda s: s[0])
    for (_, _, end, _), (offset, _, _, info) in zip(spans, spans[1:]):
        if offset < end:
            part = _part_label(info.filename)
            raise _not_genuine(name, f"部品 {part} が別の部品と同じデータを指しています（ZIP 爆弾の可能性）",
                               f"part {part} overlaps another part (a possible zip bomb)")
    for _, start, end, info in spans:
        part = _part_label(info.filename)
        scan = _XML_PART.search(info.filename) is not None
        raw = memoryview(data)[start:end]
        if info.compress_type == zipfile.ZIP_STORED:
            if info.compress_size != info.file_size:
                raise _damaged(name)
            if scan and any(data.find(mark, start, end) != -1 for mark in _DTD):
                raise _dtd(name, part)
            continue
        inflate = zlib.decompressobj(-15)
        produced, tail, pending = 0, b"", raw
        try:
            while not inflate.eof:
                chunk = inflate.decompress(pending, _CHUNK)
                pending = inflate.unconsumed_tail
                produced += len(chunk)
                if produced > info.file_size:
                    raise _not_genuine(
                        name, f"部品 {part} が宣言された大きさ（{info.file_size:,} バイト）を超えて展開されます（ZIP 爆弾の可能性）",
                        f"part {part} inflates beyond its declared size ({info.file_size:,} bytes; a possible zip bomb)")
                if scan:
                    window = tail + chunk
                    if any(mark in window for mark in _DTD):
                        raise _dtd(name, part)
                    tail = window[-24:]
                if not chunk and not pending:
                    break  # the stream ends before its end marker: cut short
        except zlib.error:
            raise _damaged(name) from None
        if not inflate.eof or produced != info.file_size:
            raise _damaged(name)


def _dtd(name: str, part: str) -> WorkbookUnusable:
    return _not_genuine(name, f"部品 {part} に XML の DTD 宣言（<!DOCTYPE>）があります（エンティティ展開攻撃の可能性）",
                        f"part {part} holds an XML DTD (<!DOCTYPE>; a possible entity-expansion attack)")


def _workbook_part(zf: zipfile.ZipFile) -> str | None:
    """The workbook part, found through the package's relationships as the patcher finds it."""
    names = set(zf.namelist())

    def read(member: str) -> str:  # read before the part checks: only a small, plainly stored or deflated part
        info = zf.getinfo(member)
        if info.file_size > MAX_RELS_BYTES or info.flag_bits & 0x1 or info.compress_type not in (
                zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return ""  # the part checks say what is wrong with it
        try:
            return zf.read(member)[:MAX_RELS_BYTES].decode("utf-8", "replace")
        except Exception:  # noqa: BLE001 — a damaged part: the part checks report it
            return ""

    return workbook_part(lambda part: part if part in names else None, read)


def _check_package(data: bytes, name: str) -> None:
    _check_directory(data, name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if _workbook_part(zf) in names:
                _check_parts(data, zf, name)
                return
            mimetype = b""
            if "mimetype" in names:
                with zf.open("mimetype") as fh:
                    mimetype = fh.read(100)
    except WorkbookUnusable:
        raise
    except Exception:  # noqa: BLE001 — BadZipFile, and struct/value errors on a forged archive
        raise _damaged(name) from None
    if "xl/workbook.bin" in names:
        raise WorkbookUnusable(f"{name} はバイナリ形式（.xlsb）です。Excel で .xlsx 形式で保存し直してください",
                        f"{name} is a binary workbook (.xlsb); save it as .xlsx in Excel")
    if b"opendocument" in mimetype:
        raise WorkbookUnusable(f"{name} は OpenDocument 形式（.ods）です。.xlsx 形式で保存し直してください",
                        f"{name} is an OpenDocument file (.ods); save it as .xlsx")
    if "word/document.xml" in names or "ppt/presentation.xml" in names:
        raise WorkbookUnusable(f"{name} は Word/PowerPoint のファイルです。台帳（.xlsx）を指定してください",
                        f"{name} is a Word/PowerPoint file; give the ledger (.xlsx)")
    raise WorkbookUnusable(f"{name} は Excel ブック（.xlsx）ではない ZIP ファイルです。台帳ファイルを指定してください",
                    f"{name} is a ZIP file but not an Excel workbook (.xlsx); give the ledger file")


# --------------------------------------------------------------------------------------------
# The package: sheet parts, defined names, formulas and error cells
# --------------------------------------------------------------------------------------------

@dataclass
class Package:
    zf: zipfile.ZipFile
    sheet_parts: dict[str, str]  # sheet title -> zip member of its XML
    defined_names: dict[str, str]
    strings: Any = None  # guard.SharedStrings, once check_strings ran

    def check_strings(self, name: str) -> None:
        """The shared-string table's declared counts, before calamine (which reads the table when
        it opens the workbook) reserves room for them."""
        if SHARED_STRINGS in self.zf.namelist():
            self.strings = check_shared_strings(self.zf.read(SHARED_STRINGS), name)

    @classmethod
    def open(cls, data: bytes, name: str) -> "Package":
        zf = zipfile.ZipFile(io.BytesIO(data))
        try:
            return cls._parse(zf)
        except (ElementTree.ParseError, KeyError, zipfile.BadZipFile, OSError) as exc:
            zf.close()
            raise WorkbookUnusable(
                f"{name} は壊れていて読めません（{type(exc).__name__}）。Excel で開けるか確認し、開けたら保存し直してください",
                f"{name} is damaged and cannot be read ({type(exc).__name__}); check that Excel opens it and save "
                "it again",
            ) from None

    @classmethod
    def _parse(cls, zf: zipfile.ZipFile) -> "Package":
        part = _workbook_part(zf) or "xl/workbook.xml"
        book = ElementTree.fromstring(zf.read(part))
        rels: dict[str, str] = {}
        book_rels = rels_part(part)
        if book_rels in zf.namelist():
            for rel in _parse_rels(zf.read(book_rels).decode("utf-8", "replace"), part):
                if rel.part is not None:
                    rels[rel.id] = rel.part
        parts = {}
        for sheet in book.iter(f"{{{_NS_MAIN}}}sheet"):
            rid = sheet.get(f"{{{_NS_REL}}}id", "")
            if rid in rels:
                parts[sheet.get("name", "")] = rels[rid]
        names = {dn.get("name", ""): (dn.text or "") for dn in book.iter(f"{{{_NS_MAIN}}}definedName")}
        return cls(zf, parts, names)

    def sheet_xml(self, title: str) -> bytes | None:
        part = self.sheet_parts.get(title)
        if part is None or part not in self.zf.namelist():
            return None
        return self.zf.read(part)

    def check_extent(self, title: str, name: str) -> bytes | None:
        """Refuse a sheet whose cells span more than MAX_SHEET_ROWS rows or MAX_SHEET_CELLS cells, or
        repeat too much long text, before calamine allocates it (a stray entry at row 1,048,576 would
        cost gigabytes).  Cell references are what counts: a ``<dimension>`` that overstates is harmless
        (calamine sizes the sheet by its cells).  Returns the sheet's XML (None: no such part) for the
        caller's scan of formula and error cells, so that the sheet is inflated once."""
        xml = self.sheet_xml(title)
        if xml is None:
            return None
        check_extent(sheet_extent(xml, name, title), name, title)
        if self.strings is not None:
            check_expanded_text(xml, self.strings, name, title)
        return xml

    def sheet_size(self, title: str) -> int:
        """The inflated size of a sheet's part in bytes (0: no such part)."""
        part = self.sheet_parts.get(title)
        try:
            return self.zf.getinfo(part).file_size if part is not None else 0
        except KeyError:
            return 0


