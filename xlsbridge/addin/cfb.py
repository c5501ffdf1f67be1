"""A minimal, deterministic Compound File Binary writer (MS-CFB version 3, 512-byte sectors).

Enough for a ``vbaProject.bin``: a root storage with nested storages and streams.  Streams shorter
than 4096 bytes live in the mini stream (64-byte mini sectors), the others in regular sectors.
Every timestamp and CLSID is zero and the layout depends only on the input, so the same streams
always give the same bytes.

Layout of the file: header, the mini stream's sectors, each large stream's sectors, the directory,
the mini FAT, the FAT.  Each storage's children form a red-black tree ordered as MS-CFB 2.6.4
requires (shorter name first, then a code-point compare of the upper-cased names); the tree is
balanced and coloured so that every path has the same number of black nodes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Mapping

SECTOR_SIZE = 512
MINI_SECTOR_SIZE = 64
MINI_STREAM_CUTOFF = 4096
DIR_ENTRY_SIZE = 128

FATSECT = 0xFFFFFFFD
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
NOSTREAM = 0xFFFFFFFF

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")

TYPE_EMPTY = 0
TYPE_STORAGE = 1
TYPE_STREAM = 2
TYPE_ROOT = 5
RED = 0
BLACK = 1

_FORBIDDEN_NAME_CHARS = set("/\\:!")


class CfbError(ValueError):
    """The requested compound file cannot be written (bad name, too large)."""


@dataclass
class _Node:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, "_Node"] = field(default_factory=dict)
    # filled in during layout
    sid: int = NOSTREAM
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def sort_key(name: str) -> tuple[int, tuple[int, ...]]:
    """MS-CFB 2.6.4 order: shorter names first, then upper-cased UTF-16 code units compared."""
    upper = "".join(u if len(u := ch.upper()) == 1 else ch for ch in name)
    encoded = upper.encode("utf-16-le")
    units = struct.unpack(f"<{len(encoded) // 2}H", encoded)
    return (len(units), units)


def _check_name(name: str) -> None:
    if not name:
        raise CfbError("empty directory entry name")
    if len(name.encode("utf-16-le")) // 2 > 31:
        raise CfbError(f"name longer than 31 characters: {name!r}")
    if _FORBIDDEN_NAME_CHARS & set(name):
        raise CfbError(f"name contains one of / \\ : ! : {name!r}")


def _build_tree(streams: Mapping[str, bytes]) -> _Node:
    root = _Node("Root Entry", TYPE_ROOT)
    for path, data in streams.items():
        parts = path.split("/")
        node = root
        for part in parts[:-1]:
            _check_name(part)
            existing = node.children.get(part.upper())
            if existing is None:
                # MS-CFB 2.6.3: a storage's starting sector and size are all zeroes
                existing = _Node(part, TYPE_STORAGE, start=0)
                node.children[part.upper()] = existing
            elif existing.kind != TYPE_STORAGE:
                raise CfbError(f"{part!r} is both a stream and a storage")
            node = existing
        leaf = parts[-1]
        _check_name(leaf)
        if leaf.upper() in node.children:
            raise CfbError(f"duplicate entry {path!r}")
        node.children[leaf.upper()] = _Node(leaf, TYPE_STREAM, bytes(data))
    return root


def _assign_ids(root: _Node) -> list[_Node]:
    """Depth-first numbering: the root is 0, then each storage's children in sorted order."""
    order: list[_Node] = []

    def visit(node: _Node) -> None:
        node.sid = len(order)
        order.append(node)
        for child in sorted(node.children.values(), key=lambda n: sort_key(n.name)):
            visit(child)

    visit(root)
    return order


def _link_children(node: _Node) -> None:
    """Make node.children a balanced red-black tree and point node.child at its root."""
    ordered = sorted(node.children.values(), key=lambda n: sort_key(n.name))
    if not ordered:
        return
    depths: dict[int, int] = {}

    def build(lo: int, hi: int, depth: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        item = ordered[mid]
        depths[id(item)] = depth
        item.left = build(lo, mid, depth + 1)
        item.right = build(mid + 1, hi, depth + 1)
        return item.sid

    node.child = build(0, len(ordered), 0)
    # A middle-split tree has all its empty links on the last two levels.  All black is a valid
    # red-black tree only if the tree is perfect; otherwise the deepest level is coloured red,
    # which keeps the same number of black nodes on every path and never puts red under red.
    max_depth = max(depths.values())
    perfect = len(ordered) == (1 << (max_depth + 1)) - 1
    for item in ordered:
        item.color = RED if (not perfect and depths[id(item)] == max_depth) else BLACK
    for item in ordered:
        _link_children(item)


def _dir_entry(node: _Node | None) -> bytes:
    if node is None:
        return (
            b"\x00" * 64
            + struct.pack("<HBB", 0, TYPE_EMPTY, RED)
            + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM)
            + b"\x00" * (16 + 4 + 8 + 8)
            + struct.pack("<IQ", 0, 0)
        )
    name = node.name.encode("utf-16-le") + b"\x00\x00"
    entry = (
        name.ljust(64, b"\x00")
        + struct.pack("<HBB", len(name), node.kind, node.color)
        + struct.pack("<III", node.left, node.right, node.child)
        + b"\x00" * 16  # CLSID
        + b"\x00" * 4  # state bits
        + b"\x00" * 8  # creation time
        + b"\x00" * 8  # modified time
        + struct.pack("<IQ", node.start, node.size)
    )
    assert len(entry) == DIR_ENTRY_SIZE
    return entry


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(count):
        fat[first + i] = first + i + 1 if i < count - 1 else ENDOFCHAIN


def _pad(data: bytes, size: int) -> bytes:
    remainder = len(data) % size
    return data if remainder == 0 else data + b"\x00" * (size - remainder)


def write_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """Build a compound file holding ``streams`` (paths like ``"VBA/dir"``; storages implied).

    Insertion order of ``streams`` does not matter: entries are numbered and laid out in the
    MS-CFB sort order, so equal input always gives equal bytes.
    """
    root = _build_tree(streams)
    entries = _assign_ids(root)
    _link_children(root)
    root.color = BLACK

    stream_nodes = [n for n in entries if n.kind == TYPE_STREAM]
    small = [n for n in stream_nodes if len(n.data) < MINI_STREAM_CUTOFF]
    large = [n for n in stream_nodes if len(n.data) >= MINI_STREAM_CUTOFF]

    # mini stream and mini FAT
    mini_stream = bytearray()
    minifat: list[int] = []
    for node in small:
        node.size = len(node.data)
        if not node.data:
            node.start = ENDOFCHAIN
            continue
        count = -(-len(node.data) // MINI_SECTOR_SIZE)
        first = len(minifat)
        minifat.extend([0] * count)
        _chain(minifat, first, count)
        node.start = first
        mini_stream += _pad(node.data, MINI_SECTOR_SIZE)

    sectors = bytearray()  # everything after the header, sector aligned
    fat: list[int] = []

    def allocate(data: bytes) -> int:
        if not data:
            return ENDOFCHAIN
        count = -(-len(data) // SECTOR_SIZE)
        first = len(fat)
        fat.extend([0] * count)
        _chain(fat, first, count)
        sectors.extend(_pad(data, SECTOR_SIZE))
        return first

    root.start = allocate(bytes(mini_stream))
    root.size = len(mini_stream)
    for node in large:
        node.size = len(node.data)
        node.start = allocate(node.data)

    directory = b"".join(_dir_entry(n) for n in entries)
    per_sector = SECTOR_SIZE // DIR_ENTRY_SIZE
    missing = (-len(entries)) % per_sector
    directory += _dir_entry(None) * missing
    first_dir = allocate(directory)

    if minifat:
        minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
        minifat_bytes += struct.pack("<I", FREESECT) * ((-len(minifat)) % (SECTOR_SIZE // 4))
        first_minifat = allocate(minifat_bytes)
        minifat_count = len(minifat_bytes) // SECTOR_SIZE
    else:
        first_minifat = ENDOFCHAIN
        minifat_count = 0

    # FAT: enough sectors to describe all sectors including themselves
    entries_per_fat = SECTOR_SIZE // 4
    fat_count = 1
    while fat_count * entries_per_fat < len(fat) + fat_count:
        fat_count += 1
    if fat_count > 109:
        raise CfbError("compound file too large for a header-only DIFAT (over about 6.8 MB)")
    first_fat = len(fat)
    fat.extend([FATSECT] * fat_count)
    fat.extend([FREESECT] * (fat_count * entries_per_fat - len(fat)))
    sectors.extend(struct.pack(f"<{len(fat)}I", *fat))

    difat = [first_fat + i for i in range(fat_count)] + [FREESECT] * (109 - fat_count)
    header = (
        SIGNATURE
        + b"\x00" * 16  # header CLSID
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<I", 0)  # number of directory sectors: 0 in version 3
        + struct.pack("<I", fat_count)
        + struct.pack("<I", first_dir)
        + struct.pack("<I", 0)  # transaction signature
        + struct.pack("<I", MINI_STREAM_CUTOFF)
        + struct.pack("<II", first_minifat, minifat_count)
        + struct.pack("<II", ENDOFCHAIN, 0)  # no DIFAT sectors
        + struct.pack("<109I", *difat)
    )
    assert len(header) == SECTOR_SIZE
    return header + bytes(sectors)
