"""``dataset validate`` reports audio that is cut short or damaged part-way, in every container."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml

from scribe_eval.dataset import validate_dataset

RATE = 16000
# Formats libsndfile writes here; MP3 only when this libsndfile was built with LAME.
FORMATS = {
    "ogg": ("OGG", "VORBIS"),
    "opus.ogg": ("OGG", "OPUS"),
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}


def _speech(seconds: float) -> np.ndarray:
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * RATE)) / RATE
    tone = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(t.size)
    return np.stack([tone, tone[::-1]], axis=1).astype(np.float32)


def _good(tmp_path: Path, suffix: str) -> bytes:
    fmt, subtype = FORMATS[suffix]
    path = tmp_path / f"source.{suffix}"
    try:
        sf.write(str(path), _speech(20.0), RATE, format=fmt, subtype=subtype)
    except (sf.LibsndfileError, ValueError, TypeError) as exc:
        pytest.skip(f"this libsndfile cannot write {fmt}/{subtype}: {exc}")
    return path.read_bytes()


def _dataset(tmp_path: Path, suffix: str, data: bytes) -> Path:
    root = tmp_path / "ds"
    (root / "audio").mkdir(parents=True)
    (root / "audio" / f"visit.{suffix}").write_bytes(data)
    (root / "t.txt").write_text("Doctor: Hello.\n", "utf-8")
    manifest = {
        "name": "damaged",
        "encounters": [
            {
                "id": "visit",
                "language": "en",
                "audio": {"path": f"audio/visit.{suffix}", "roles": {0: "doctor", 1: "patient"}},
                "transcript": "t.txt",
            }
        ],
    }
    (root / "dataset.yaml").write_text(yaml.safe_dump(manifest), "utf-8")
    return root


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _at_page_boundary(data: bytes) -> bytes:
    # Cut at the start of an Ogg page: every page left is whole, only the end is missing.
    return data[: data.index(b"OggS", len(data) // 2)]


def _flip_middle(data: bytes) -> bytes:
    damaged = bytearray(data)
    middle = len(damaged) // 2
    damaged[middle : middle + 64] = bytes(b ^ 0x5A for b in damaged[middle : middle + 64])
    return bytes(damaged)


CASES = [
    pytest.param("ogg", _half, "truncated", id="ogg-vorbis-cut"),
    pytest.param("ogg", _at_page_boundary, "no end-of-stream page", id="ogg-cut-on-a-page"),
    pytest.param("ogg", _flip_middle, "checksum mismatch", id="ogg-damaged-page"),
    pytest.param("opus.ogg", _half, "truncated", id="ogg-opus-cut"),
    pytest.param("wav", _half, "data chunk declares", id="wav-cut"),
    pytest.param("flac", _half, "damaged", id="flac-cut"),
    pytest.param("flac", _flip_middle, "damaged", id="flac-damaged-frame"),
    pytest.param("mp3", _half, "MP3 header declares", id="mp3-cut"),
]


@pytest.mark.parametrize(("suffix", "damage", "fragment"), CASES)
def test_damaged_audio_is_an_error_naming_the_file(
    tmp_path: Path, suffix: str, damage: Callable[[bytes], bytes], fragment: str
) -> None:
    good = _good(tmp_path, suffix)
    assert not [f for f in validate_dataset(_dataset(tmp_path / "good", suffix, good))
                if f.severity == "error"]  # fmt: skip
    findings = validate_dataset(_dataset(tmp_path / "bad", suffix, damage(good)))
    errors = [str(f) for f in findings if f.severity == "error"]
    assert len(errors) == 1, errors
    assert f"audio/visit.{suffix}" in errors[0]
    assert fragment in errors[0]
    assert "\n" not in errors[0]
