"""Container checks that find truncated or damaged audio the decoder passes over in silence.

libsndfile decodes a truncated Ogg or WAV file without an error: it stops at the last complete
Ogg page, or believes the bytes present over the WAV header's sizes, and reports the shorter length
as if it were the recording. A damaged Ogg page is dropped by libogg just as quietly, and an MP3
cut short is padded to the length its Xing header declares. So ``dataset validate`` also reads the
container itself:

- Ogg: every page is walked; a page's CRC must match, page numbers of each stream must follow on,
  the file must end at a page boundary, and every stream must end with its end-of-stream page.
- WAV (RIFF): the ``data`` chunk and the RIFF size must fit in the file.
- MP3: the Xing/Info header's byte count, when present, must match the stream's size.

FLAC needs none of this: its decoder loses sync on a cut or damaged frame and says so.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

__all__ = ["container_problem"]

# Ogg's CRC is CRC-32 with the polynomial 0x04C11DB7 unreflected, initial value 0 and no final
# XOR. zlib computes the reflected variant in C; feeding it bit-reversed bytes and reversing its
# answer gives Ogg's CRC at C speed (the init/xor difference is removed with the CRC of zeros).
_REVERSE_BITS = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))
_OGG_HEADER = struct.Struct("<4sBBqIIIB")
_EOS = 0x04
_BOS = 0x02


def container_problem(path: Path, file_format: str) -> str | None:
    """What is wrong with ``path``'s container (``file_format`` as soundfile names it), or None."""
    data = path.read_bytes()
    if file_format == "OGG":
        return _ogg_problem(data)
    if file_format in ("WAV", "WAVEX"):
        return _riff_problem(data)
    if file_format == "MP3":
        return _mp3_problem(data)
    return None


def _ogg_crc(page: bytes) -> int:
    raw = zlib.crc32(page.translate(_REVERSE_BITS)) ^ zlib.crc32(bytes(len(page)))
    return int(f"{raw:032b}"[::-1], 2)


def _ogg_problem(data: bytes) -> str | None:
    offset = 0
    next_seq: dict[int, int] = {}
    open_streams: set[int] = set()
    while offset < len(data):
        if len(data) - offset < _OGG_HEADER.size or data[offset : offset + 4] != b"OggS":
            return _cut_or_garbage(offset, len(data), "an Ogg page")
        _, _, flags, _, serial, seq, crc, count = _OGG_HEADER.unpack_from(data, offset)
        table_end = offset + _OGG_HEADER.size + count
        end = table_end + sum(data[offset + _OGG_HEADER.size : table_end])
        if table_end > len(data) or end > len(data):
            return _cut_or_garbage(offset, len(data), "an Ogg page")
        page = bytearray(data[offset:end])
        page[22:26] = b"\0\0\0\0"
        if _ogg_crc(bytes(page)) != crc:
            return f"the Ogg page at byte {offset} is damaged (checksum mismatch)"
        if serial in next_seq and seq != next_seq[serial]:
            return f"Ogg pages {next_seq[serial]}..{seq - 1} are missing before byte {offset}"
        next_seq[serial] = seq + 1
        if flags & _BOS:
            open_streams.add(serial)
        if flags & _EOS:
            open_streams.discard(serial)
        offset = end
    if open_streams:
        return "the file is truncated: its Ogg stream has no end-of-stream page"
    return None


def _cut_or_garbage(offset: int, size: int, what: str) -> str:
    return f"the file is truncated or damaged at byte {offset} of {size}: {what} is incomplete"


def _riff_problem(data: bytes) -> str | None:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None  # RF64 and other layouts: libsndfile's own checks apply
    riff_size = struct.unpack_from("<I", data, 4)[0]
    offset = 12
    while offset + 8 <= len(data):
        chunk, size = struct.unpack_from("<4sI", data, offset)
        if chunk == b"data":
            streaming = size in (0, 0xFFFFFFFF)
            present = len(data) - offset - 8
            if not streaming and size > present:
                return (
                    f"the file is truncated: its data chunk declares {size} bytes but only "
                    f"{present} are present"
                )
            return None
        offset += 8 + size + (size & 1)
    if riff_size not in (0, 0xFFFFFFFF) and riff_size + 8 > len(data):
        return (
            f"the file is truncated: its RIFF header declares {riff_size + 8} bytes, "
            f"not {len(data)}"
        )
    return None


def _mp3_problem(data: bytes) -> str | None:
    start = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = data[6:10]
        start = 10 + ((size[0] << 21) | (size[1] << 14) | (size[2] << 7) | size[3])
    end = len(data) - 128 if data[-128:-125] == b"TAG" else len(data)
    head = data[start : start + 200]
    for tag in (b"Xing", b"Info"):
        at = head.find(tag)
        if at < 0 or at + 8 > len(head):
            continue
        flags = struct.unpack_from(">I", head, at + 4)[0]
        field = at + 8 + (4 if flags & 0x1 else 0)
        if not flags & 0x2 or field + 4 > len(head):
            return None
        declared = struct.unpack_from(">I", head, field)[0]
        present = end - start
        if declared and present < declared * 0.99:
            return (
                f"the file is truncated: its MP3 header declares {declared} bytes of audio but "
                f"only {present} are present"
            )
    return None
