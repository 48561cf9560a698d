"""Audio sniffing, decoding to 16 kHz (channels kept apart) and the silence test."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf

from scribe_eval.emulator.engines import DecodedAudio, decode_audio, is_silent, sniff_audio_format
from scribe_eval.errors import AudioError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "audio"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(b"RIFF\x24\x08\x00\x00WAVEfmt ", "wav", id="wav"),
        pytest.param(b"RF64\xff\xff\xff\xffWAVEds64", "wav", id="rf64"),
        pytest.param(b"RIFF\x24\x08\x00\x00AVI LIST", None, id="riff-avi"),
        pytest.param(b"fLaC\x00\x00\x00\x22", "flac", id="flac"),
        pytest.param(b"OggS\x00\x02" + bytes(22) + b"OpusHead", "ogg", id="ogg-opus"),
        pytest.param(b"OggS\x00\x02" + bytes(22) + b"\x01vorbis", "ogg", id="ogg-vorbis"),
        pytest.param(b"ID3\x04\x00\x00\x00\x00\x00\x23", "mp3", id="mp3-id3"),
        pytest.param(b"\xff\xfb\x90\x64\x00\x00", "mp3", id="mp3-frame-sync"),
        pytest.param(b"\xff\xf1\x50\x80\x02\x1f", None, id="aac-adts-is-not-mp3"),
        pytest.param(b"\xff\xfb\xf0\x64\x00\x00", None, id="mp3-bad-bitrate"),
        pytest.param(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "webm", id="webm-ebml"),
        pytest.param(b"\x00\x00\x00\x1cftypM4A \x00\x00", "m4a", id="m4a"),
        pytest.param(b"\x00\x00\x00\x18ftypisom\x00\x00", "m4a", id="mp4"),
        pytest.param(b"%PDF-1.7\n", None, id="pdf"),
        pytest.param(b'{"text": 1}', None, id="json"),
        pytest.param(b"", None, id="empty"),
    ],
)
def test_sniff_audio_format(head: bytes, expected: str | None) -> None:
    assert sniff_audio_format(head) == expected


def _two_tones(rate: int, seconds: float = 1.0) -> npt.NDArray[np.float32]:
    """Left 440 Hz, right 1000 Hz: a channel swap or a wrong resampling rate shows up."""
    t = np.arange(int(rate * seconds)) / rate
    left = 0.5 * np.sin(2 * np.pi * 440 * t)
    right = 0.5 * np.sin(2 * np.pi * 1000 * t)
    return np.stack([left, right]).astype(np.float32)


def _encode_av(path: Path, container: str, codec: str, signal: npt.NDArray[np.float32]) -> None:
    rate = 48_000 if codec == "libopus" else 44_100
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout="stereo")
        assert isinstance(stream, av.AudioStream)
        frame = av.AudioFrame.from_ndarray(signal, format="fltp", layout="stereo")
        frame.rate = 44_100
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def _write(path: Path, kind: str) -> None:
    signal = _two_tones(44_100)
    soundfile_formats = {"wav": ("WAV", "PCM_16"), "flac": ("FLAC", "PCM_16")}
    soundfile_formats |= {"ogg": ("OGG", "VORBIS"), "mp3": ("MP3", "MPEG_LAYER_III")}
    if kind in soundfile_formats:
        fmt, subtype = soundfile_formats[kind]
        sf.write(path, signal.T, 44_100, format=fmt, subtype=subtype)
    else:
        container, codec = {"webm": ("webm", "libopus"), "m4a": ("mp4", "aac")}[kind]
        _encode_av(path, container, codec, signal)


def _dominant_hz(signal: npt.NDArray[np.float32]) -> float:
    spectrum = np.abs(np.fft.rfft(signal[2000:-2000]))
    return float(np.fft.rfftfreq(signal.size - 4000, 1 / 16_000)[np.argmax(spectrum)])


@pytest.mark.parametrize("kind", ["wav", "flac", "ogg", "mp3", "webm", "m4a"])
def test_decode_stereo_keeps_channels_and_resamples_to_16k(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"tones.{kind}"
    _write(path, kind)
    audio = decode_audio(path)
    assert audio.format == kind
    assert audio.channels == 2
    assert audio.samples.shape[0] == 2
    assert audio.samples.dtype == np.float32
    assert audio.rate == 16_000
    assert audio.duration_s == pytest.approx(1.0, abs=0.06)
    assert audio.original_rate in (44_100, 48_000)
    assert _dominant_hz(audio.channel(0)) == pytest.approx(440, abs=3)
    assert _dominant_hz(audio.channel(1)) == pytest.approx(1000, abs=3)


def test_decode_fixture_dialogue_is_two_channels_with_alternating_turns() -> None:
    audio = decode_audio(FIXTURES / "dialogue_stereo.ogg")
    assert (audio.format, audio.channels, audio.original_rate) == ("ogg", 2, 48_000)
    assert audio.duration_s == pytest.approx(audio.samples.shape[1] / 16_000)
    first_second = audio.samples[:, 8000:24000]
    loudness = np.sqrt((first_second**2).mean(axis=1))
    assert loudness[0] > 0.01 > loudness[1]


def test_mono_is_the_mean_of_the_channels() -> None:
    audio = DecodedAudio.from_array(np.array([[1.0, 0.0, -0.5], [0.0, 1.0, 0.5]]))
    assert audio.mono().tolist() == [0.5, 0.5, 0.0]
    assert DecodedAudio.from_array(np.array([0.25, 0.5])).mono().tolist() == [0.25, 0.5]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "is empty", id="empty"),
        pytest.param(b"%PDF-1.7\n" + bytes(100), "not a supported audio format", id="pdf"),
        pytest.param(b"RIFF\x00\x00\x00\x00WAVEgarbage!", "cannot be decoded", id="broken-wav"),
        pytest.param(b"fLaC" + bytes(200), "cannot be decoded", id="broken-flac"),
    ],
)
def test_undecodable_input_raises_audio_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=message):
        decode_audio(path)


def test_missing_file_raises_audio_error(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="cannot read"):
        decode_audio(tmp_path / "nope.wav")


@pytest.mark.parametrize(
    ("signal", "silent"),
    [
        pytest.param(np.zeros(16_000), True, id="digital-silence"),
        pytest.param(np.random.default_rng(1).normal(0, 0.001, 16_000), True, id="hiss-60dB"),
        pytest.param(0.1 * np.sin(np.arange(16_000) / 3), False, id="tone"),
        pytest.param(np.r_[np.zeros(160_000), 0.2 * np.ones(800), np.zeros(16_000)], False,
                     id="one-blip-in-ten-seconds"),
        pytest.param(np.zeros(0), True, id="no-samples"),
    ],
)  # fmt: skip
def test_is_silent(signal: npt.NDArray[np.float64], silent: bool) -> None:
    assert is_silent(signal.astype(np.float32)) is silent
    assert is_silent(DecodedAudio.from_array(signal)) is silent


def test_is_silent_looks_at_every_channel() -> None:
    quiet_left_loud_right = np.stack([np.zeros(8000), 0.3 * np.sin(np.arange(8000) / 5)])
    assert not is_silent(DecodedAudio.from_array(quiet_left_loud_right))
