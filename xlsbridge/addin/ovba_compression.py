"""MS-OVBA 2.4.1 compression and decompression (the "CompressedContainer" of VBA streams).

The VBA project stores its ``dir`` stream and every module's source text in this run-length /
LZ77-like format.  Both directions follow the pseudocode of MS-OVBA 2.4.1.3 exactly, so the output
is deterministic and matches the specification's worked examples (MS-OVBA 3.2):

* a container is the signature byte ``0x01`` followed by chunks;
* each chunk covers at most 4096 bytes of decompressed data and starts with a two-byte header
  ``(size - 3) | 0b011 << 12 | compressed << 15``;
* a compressed chunk is a series of token sequences: one flag byte, then up to eight tokens, each a
  literal byte (flag bit 0) or a two-byte copy token (flag bit 1);
* a copy token splits its 16 bits into an offset part and a length part.  The number of offset
  bits depends on how far into the chunk the token sits: ``bit_count`` is the smallest number
  >= 4 with ``2 ** bit_count >= position in chunk``.  The longest match therefore is
  ``(0xFFFF >> bit_count) + 3`` bytes.  (The PyPI package ``ms-ovba-compression`` computes this
  maximum differently, which produces containers Office does not read back correctly.)

The longest match is searched exhaustively as in MS-OVBA 2.4.1.3.19.4: every earlier position of
the chunk is a candidate, the match may run to the end of the chunk, the nearest candidate wins a
tie, and only then is the length cut to the copy token's maximum.  A hash chain over three-byte
prefixes only skips candidates that cannot reach the minimum match length of 3, and a candidate is
only measured if it could beat the best so far, so the result is identical to the naive search.

A chunk that would not fit in 4098 bytes compressed is stored raw (MS-OVBA 2.4.1.3.10): the
4096-byte chunk copied verbatim, and a shorter final chunk padded with 0x00 to 4096 bytes.  The
padding then comes back from :func:`decompress`; this only happens to incompressible data of at
least 3641 bytes in the last chunk, never to source text.  :func:`has_raw_chunk` lets a writer
refuse such a container.
"""

from __future__ import annotations

import struct

CHUNK_SIZE = 4096
SIGNATURE = 0x01
_MAX_COMPRESSED_CHUNK = 4098  # header + 4096 bytes of tokens
_HEADER_SIGNATURE = 0b011 << 12


class CompressionError(ValueError):
    """The bytes are not a valid MS-OVBA CompressedContainer."""


def copy_token_help(difference: int) -> tuple[int, int, int, int]:
    """MS-OVBA 2.4.1.3.19.1: (length_mask, offset_mask, bit_count, maximum_length).

    ``difference`` is the number of bytes already decompressed in the current chunk.
    """
    bit_count = 4
    while (1 << bit_count) < difference:
        bit_count += 1
    length_mask = 0xFFFF >> bit_count
    offset_mask = ~length_mask & 0xFFFF
    maximum_length = (0xFFFF >> bit_count) + 3
    return length_mask, offset_mask, bit_count, maximum_length


def pack_copy_token(offset: int, length: int, difference: int) -> int:
    """MS-OVBA 2.4.1.3.19.3."""
    _, _, bit_count, maximum_length = copy_token_help(difference)
    if not 3 <= length <= maximum_length:
        raise ValueError(f"copy length {length} outside 3..{maximum_length}")
    if not 1 <= offset <= (1 << bit_count):
        raise ValueError(f"copy offset {offset} outside 1..{1 << bit_count}")
    return ((offset - 1) << (16 - bit_count)) | (length - 3)


def unpack_copy_token(token: int, difference: int) -> tuple[int, int]:
    """MS-OVBA 2.4.1.3.19.2: (offset, length)."""
    length_mask, offset_mask, bit_count, _ = copy_token_help(difference)
    length = (token & length_mask) + 3
    offset = ((token & offset_mask) >> (16 - bit_count)) + 1
    return offset, length


def _compress_chunk(data: bytes, start: int) -> bytes:
    """Compress ``data[start:start + 4096]`` into one CompressedChunk (header included)."""
    end = min(start + CHUNK_SIZE, len(data))
    out = bytearray(b"\x00\x00")
    chains: dict[bytes, list[int]] = {}
    indexed = start  # every position < indexed is in `chains`
    current = start
    fits = True

    while current < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if current >= end:
                break
            # index the positions before `current` as match candidates
            while indexed < current:
                if indexed + 3 <= end:
                    chains.setdefault(data[indexed : indexed + 3], []).append(indexed)
                indexed += 1
            # MS-OVBA 2.4.1.3.19.4: the longest match up to the chunk end, nearest candidate on
            # a tie; only then is the length cut to what one copy token can hold
            available = end - current
            best_length = 0
            best_candidate = 0
            if available >= 3:
                for candidate in reversed(chains.get(data[current : current + 3], ())):
                    if best_length:
                        if best_length >= available:
                            break
                        # a farther candidate must match at position best_length to be longer
                        if data[candidate + best_length] != data[current + best_length]:
                            continue
                    length = 3
                    while length < available and data[candidate + length] == data[current + length]:
                        length += 1
                    if length > best_length:
                        best_length = length
                        best_candidate = candidate
            if best_length >= 3:
                difference = current - start
                _, _, _, maximum_length = copy_token_help(difference)
                length = min(best_length, maximum_length)
                token = pack_copy_token(current - best_candidate, length, difference)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                current += length
            else:
                out.append(data[current])
                current += 1
        out[flag_index] = flags
        if len(out) > _MAX_COMPRESSED_CHUNK:
            fits = False
            break

    if not fits or len(out) > _MAX_COMPRESSED_CHUNK:
        # MS-OVBA 2.4.1.3.10: raw chunk, always 4096 bytes, padded with 0x00
        raw = data[start:end] + b"\x00" * (CHUNK_SIZE - (end - start))
        header = (CHUNK_SIZE - 1) | _HEADER_SIGNATURE  # size field 0xFFF, flag 0
        return struct.pack("<H", header) + raw

    header = (len(out) - 3) | _HEADER_SIGNATURE | 0x8000
    out[0:2] = struct.pack("<H", header)
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer (deterministic)."""
    data = bytes(data)
    out = bytearray([SIGNATURE])
    for start in range(0, len(data), CHUNK_SIZE):
        out += _compress_chunk(data, start)
    return bytes(out)


def _chunks(container: bytes):
    """Yield (is_compressed, chunk_data) for every chunk; validates headers."""
    if not container or container[0] != SIGNATURE:
        raise CompressionError("missing signature byte 0x01")
    pos = 1
    while pos < len(container):
        if pos + 2 > len(container):
            raise CompressionError(f"truncated chunk header at {pos}")
        (header,) = struct.unpack_from("<H", container, pos)
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0b111 != 0b011:
            raise CompressionError(f"bad chunk signature at {pos}")
        compressed = bool(header & 0x8000)
        if compressed:
            chunk = container[pos + 2 : pos + size]
            pos += size
        else:
            if size != CHUNK_SIZE + 2:
                raise CompressionError(f"raw chunk with size {size} at {pos}")
            chunk = container[pos + 2 : pos + 2 + CHUNK_SIZE]
            pos += 2 + CHUNK_SIZE
        yield compressed, chunk


def has_raw_chunk(container: bytes) -> bool:
    """True if any chunk of the container is stored uncompressed."""
    return any(not compressed for compressed, _ in _chunks(container))


def decompress(container: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (MS-OVBA 2.4.1.3.1)."""
    out = bytearray()
    for compressed, chunk in _chunks(bytes(container)):
        chunk_start = len(out)
        if not compressed:
            out += chunk
            continue
        pos = 0
        while pos < len(chunk):
            flags = chunk[pos]
            pos += 1
            for bit in range(8):
                if pos >= len(chunk):
                    break
                if not flags & (1 << bit):
                    out.append(chunk[pos])
                    pos += 1
                    continue
                if pos + 2 > len(chunk):
                    raise CompressionError("truncated copy token")
                (token,) = struct.unpack_from("<H", chunk, pos)
                pos += 2
                offset, length = unpack_copy_token(token, len(out) - chunk_start)
                source = len(out) - offset
                if source < chunk_start:
                    raise CompressionError("copy token reaches before its chunk")
                for k in range(length):  # byte by byte: source and target may overlap
                    out.append(out[source + k])
        if len(out) - chunk_start > CHUNK_SIZE:
            raise CompressionError("chunk decompresses to more than 4096 bytes")
    return bytes(out)
