"""Plain FLAC and PCM WAV headers, read without libsndfile.

Every load of a dataset probes each recording's header (its channels, rate and length). soundfile
imports numpy (~0.2 s), which a cached re-run of an experiment otherwise never needs, so the two
commonest containers are read here, with the stdlib. Only the plain cases: anything unusual (a
FLAC file of unknown length or an uncommon sample width, a WAV file that is not integer PCM, or
whose data chunk is not where it is expected or does not fit in the file) returns None, and the
caller asks libsndfile, whose figures these equal (a test checks it on both containers).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import NamedTuple

_HEAD_BYTES = 4096
_FLAC_WIDTHS = (8, 16, 24)
_WAV_WIDTHS = (8, 16, 24, 32)
_WAVE_FORMAT_PCM = 1


class PlainHeader(NamedTuple):
    """Channels, sample rate, frames and libsndfile's name of the container."""

    channels: int
    sample_rate: int
    frames: int
    format: str


def plain_header(path: Path) -> PlainHeader | None:
    """The header of a plain FLAC or PCM WAV file, or None (ask libsndfile)."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if head[:4] == b"fLaC":
        return _flac(head)
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _wav(head, path.stat().st_size)
    return None


def _flac(head: bytes) -> PlainHeader | None:
    # The first metadata block must be STREAMINFO (type 0, 34 bytes); its bits 80-143 hold the
    # sample rate (20 bits), channels - 1 (3), bits per sample - 1 (5) and total samples (36).
    if len(head) < 42 or head[4] & 0x7F != 0 or head[5:8] != b"\x00\x00\x22":
        return None
    packed = int.from_bytes(head[18:26], "big")
    rate = packed >> 44
    channels = ((packed >> 41) & 0x7) + 1
    width = ((packed >> 36) & 0x1F) + 1
    frames = packed & ((1 << 36) - 1)
    if rate == 0 or frames == 0 or width not in _FLAC_WIDTHS:
        return None  # an unknown length (a stream) or a width libsndfile may refuse
    return PlainHeader(channels, rate, frames, "FLAC")


def _wav(head: bytes, size: int) -> PlainHeader | None:
    offset = 12
    fmt: tuple[int, int, int, int, int, int] | None = None
    while offset + 8 <= len(head):
        chunk, length = struct.unpack_from("<4sI", head, offset)
        body = offset + 8
        if chunk == b"fmt " and length >= 16 and body + 16 <= len(head):
            fmt = struct.unpack_from("<HHIIHH", head, body)
        elif chunk == b"data":
            return _pcm(fmt, length, size - body)
        offset = body + length + (length & 1)
    return None


def _pcm(
    fmt: tuple[int, int, int, int, int, int] | None, length: int, present: int
) -> PlainHeader | None:
    if fmt is None:
        return None
    tag, channels, rate, _, align, width = fmt
    plain = tag == _WAVE_FORMAT_PCM and width in _WAV_WIDTHS and channels > 0 and rate > 0
    if not plain or align != channels * width // 8 or length == 0 or length > present:
        return None  # libsndfile reads a cut file by the bytes present: let it say how many
    return PlainHeader(channels, rate, length // align, "WAV")
