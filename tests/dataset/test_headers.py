"""Plain FLAC and WAV headers read without libsndfile equal what libsndfile reads."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from scribe_eval.dataset._audio import FileHeader, probe
from scribe_eval.dataset._headers import plain_header

LAYOUTS = [
    pytest.param("FLAC", "PCM_16", 16000, 1, id="flac-16-mono"),
    pytest.param("FLAC", "PCM_24", 44100, 2, id="flac-24-stereo"),
    pytest.param("FLAC", "PCM_S8", 8000, 1, id="flac-8"),
    pytest.param("WAV", "PCM_16", 16000, 1, id="wav-16-mono"),
    pytest.param("WAV", "PCM_24", 48000, 2, id="wav-24-stereo"),
    pytest.param("WAV", "PCM_U8", 8000, 1, id="wav-u8"),
    pytest.param("WAV", "PCM_32", 22050, 3, id="wav-32-three-channels"),
    pytest.param("WAVEX", "PCM_16", 16000, 4, id="wavex"),
    pytest.param("WAV", "FLOAT", 16000, 1, id="wav-float"),
    pytest.param("OGG", "VORBIS", 16000, 1, id="ogg"),
]


def _write(path: Path, fmt: str, subtype: str, rate: int, channels: int) -> Path:
    signal = np.sin(np.arange(rate // 2 * channels) / 7).reshape(-1, channels) * 0.3
    sf.write(str(path), signal, rate, format=fmt, subtype=subtype)
    return path


def _libsndfile(path: Path) -> FileHeader:
    info = sf.info(str(path))
    return FileHeader(info.channels, info.samplerate, info.frames, info.format)


@pytest.mark.parametrize(("fmt", "subtype", "rate", "channels"), LAYOUTS)
def test_probe_equals_libsndfile(
    tmp_path: Path, fmt: str, subtype: str, rate: int, channels: int
) -> None:
    path = _write(tmp_path / "a.audio", fmt, subtype, rate, channels)
    assert probe(path) == _libsndfile(path)


@pytest.mark.parametrize(
    ("fmt", "plain"),
    [("FLAC", True), ("WAV", True), ("WAVEX", False), ("OGG", False)],
)
def test_only_plain_flac_and_pcm_wav_are_read_without_libsndfile(
    tmp_path: Path, fmt: str, plain: bool
) -> None:
    subtype = "VORBIS" if fmt == "OGG" else "PCM_16"
    path = _write(tmp_path / "a.audio", fmt, subtype, 16000, 1)
    assert (plain_header(path) is not None) is plain


def test_a_cut_wav_file_is_left_to_libsndfile(tmp_path: Path) -> None:
    # libsndfile counts the frames present, not the header's: the two must not disagree.
    path = _write(tmp_path / "a.wav", "WAV", "PCM_16", 16000, 1)
    path.write_bytes(path.read_bytes()[:-1001])
    assert plain_header(path) is None
    assert probe(path) == _libsndfile(path)
    assert probe(path).frames < 8000


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"fLaC" + bytes(200), id="flac-zeros"),
        pytest.param(b"RIFF\x00\x00\x00\x00WAVEgarbage!", id="wav-garbage"),
        pytest.param(b"fLaC", id="flac-magic-only"),
    ],
)
def test_a_broken_header_is_left_to_libsndfile(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken"
    path.write_bytes(data)
    assert plain_header(path) is None
    with pytest.raises(RuntimeError):
        probe(path)


def test_probing_flac_and_wav_imports_neither_soundfile_nor_numpy(tmp_path: Path) -> None:
    flac = _write(tmp_path / "a.flac", "FLAC", "PCM_16", 16000, 1)
    wav = _write(tmp_path / "a.wav", "WAV", "PCM_16", 16000, 2)
    probe_code = f"""
import dataclasses, json, sys
from pathlib import Path
from scribe_eval.dataset._audio import probe
headers = [dataclasses.astuple(probe(Path(p))) for p in {[str(flac), str(wav)]!r}]
print(json.dumps([headers, sorted(m for m in ("numpy", "soundfile") if m in sys.modules)]))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe_code], capture_output=True, text=True, check=True
    )
    headers, imported = json.loads(done.stdout)
    assert headers == [list(dataclasses.astuple(_libsndfile(p))) for p in (flac, wav)]
    assert imported == []
