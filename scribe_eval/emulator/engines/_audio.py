"""Audio for the emulator: sniff the container by its magic bytes, decode to 16 kHz float32.

The emulator never trusts an upload's Content-Type: :func:`sniff_audio_format` looks at the first
bytes, and :func:`decode_audio` decodes the whole file with PyAV (FFmpeg's decoders, installed with
faster-whisper), so WAV, FLAC, Ogg (Opus/Vorbis), MP3, WebM and M4A all work without a system
FFmpeg. Channels are kept apart (the speech engines transcribe them separately when asked);
:meth:`DecodedAudio.mono` mixes them down.

numpy (like PyAV) is imported by the functions that use it, not with this module: the server
imports it to sniff uploads and name the audio type, and its start-up (which the runner waits for)
need not pay ~60-200 ms for numpy before the first upload (see `preload_decoder`).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from scribe_eval.errors import AudioError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

AudioFormat = Literal["wav", "flac", "ogg", "mp3", "webm", "m4a"]
"""The containers the emulator accepts, as :func:`sniff_audio_format` names them."""

TARGET_RATE: Final = 16_000
"""Every decoded signal is resampled to this rate (Whisper's)."""

SNIFF_BYTES: Final = 64
"""How many leading bytes :func:`sniff_audio_format` needs to decide."""

_MP3_BAD_BITRATE: Final = 0xF
_MP3_BAD_RATE: Final = 0x3


@dataclass(frozen=True, eq=False)
class DecodedAudio:
    """A decoded recording: float32 samples in [-1, 1], shaped (channels, samples), at 16 kHz.

    Attributes:
        samples: The signal, one row per channel, resampled to :data:`TARGET_RATE`.
        original_rate: The sample rate of the stream before resampling (Hz).
        channels: Number of channels (rows of ``samples``).
        duration_s: Length in seconds.
        format: The sniffed container (``wav``, ``flac``, ``ogg``, ``mp3``, ``webm``, ``m4a``).
    """

    samples: npt.NDArray[np.float32]
    original_rate: int
    channels: int
    duration_s: float
    format: str

    @property
    def rate(self) -> int:
        """The sample rate of ``samples`` (always 16 kHz)."""
        return TARGET_RATE

    def mono(self) -> npt.NDArray[np.float32]:
        """The channels mixed down to one (their mean), as a 1-D array."""
        import numpy as np

        if self.channels == 1:
            return np.asarray(self.samples[0], dtype=np.float32)
        return np.asarray(self.samples.mean(axis=0, dtype=np.float32), dtype=np.float32)

    def channel(self, index: int) -> npt.NDArray[np.float32]:
        """One channel as a 1-D array."""
        import numpy as np

        return np.asarray(self.samples[index], dtype=np.float32)

    @classmethod
    def from_array(cls, samples: npt.ArrayLike, *, format: str = "raw") -> DecodedAudio:
        """Wrap a 16 kHz signal shaped (samples,) or (channels, samples), e.g. for tests."""
        import numpy as np

        array = np.asarray(samples, dtype=np.float32)
        if array.ndim == 1:
            array = array[np.newaxis, :]
        if array.ndim != 2:
            raise AudioError(f"audio must be 1-D or (channels, samples), got shape {array.shape}")
        return cls(array, TARGET_RATE, array.shape[0], array.shape[1] / TARGET_RATE, format)


def sniff_audio_format(head: bytes) -> str | None:
    """Name the audio container from its first bytes (at least 12; 64 is plenty), or ``None``.

    Recognises RIFF/RF64 WAVE, FLAC, Ogg, MP3 (ID3 tag or an MPEG audio frame header),
    WebM/Matroska (EBML) and MP4/M4A (``ftyp`` box).
    """
    if head[:4] in (b"RIFF", b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head.startswith(b"ID3") or _is_mpeg_frame_header(head):
        return "mp3"
    return None


def _is_mpeg_frame_header(head: bytes) -> bool:
    # An MPEG audio frame starts with 11 set bits. Layer bits 00 are reserved (and are what an
    # AAC ADTS header carries), and bitrate index 15 and sample-rate index 3 are invalid, so
    # rejecting them keeps random bytes and AAC from passing as MP3.
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    layer = (head[1] >> 1) & 0x3
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0x3
    return layer != 0 and bitrate != _MP3_BAD_BITRATE and rate != _MP3_BAD_RATE


def preload_decoder() -> None:
    """Import what decoding an upload needs (numpy, PyAV) now, not on the first upload.

    ``scribe-eval emulator serve`` calls it on a thread of its own once it is ready, so the
    imports overlap the first calls (which need neither) instead of delaying the server's start
    or its first upload. Without PyAV it imports numpy only: the upload that needs PyAV says
    what is missing.
    """
    import numpy  # noqa: F401

    with contextlib.suppress(ImportError):
        import av  # noqa: F401


def decode_audio(path: str | Path) -> DecodedAudio:
    """Decode a recording to float32 (channels, samples) at 16 kHz.

    Raises:
        AudioError: The file is empty, not a recognised audio container, or cannot be decoded.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise AudioError(f"cannot read audio file {path}: {exc.strerror}") from exc
    if not head:
        raise AudioError(f"audio file {path.name} is empty; upload a WAV, FLAC, Ogg, MP3 or M4A")
    fmt = sniff_audio_format(head)
    if fmt is None:
        raise AudioError(
            f"{path.name} is not a supported audio format (WAV, FLAC, Ogg, MP3, WebM, M4A)"
        )
    samples, original_rate = _decode_with_av(path, fmt)
    if samples.shape[1] == 0:
        raise AudioError(f"{path.name} ({fmt}) decodes to no samples; upload a non-empty recording")
    return DecodedAudio(
        samples, original_rate, samples.shape[0], samples.shape[1] / TARGET_RATE, fmt
    )


def _decode_with_av(path: Path, fmt: str) -> tuple[npt.NDArray[np.float32], int]:
    import av  # Imported here: PyAV comes with the emulator extra, not the base install.

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError(f"{path.name} ({fmt}) has no audio stream")
            stream = container.streams.audio[0]
            original_rate = int(stream.codec_context.sample_rate or stream.rate or 0)
            resampler = av.AudioResampler(format="fltp", layout=stream.layout, rate=TARGET_RATE)
            chunks = [
                out.to_ndarray()
                for frame in container.decode(stream)
                for out in resampler.resample(frame)
            ]
            chunks.extend(out.to_ndarray() for out in resampler.resample(None))
    except av.error.FFmpegError as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise AudioError(f"{path.name} looks like {fmt} but cannot be decoded: {reason}") from exc
    channels = len(stream.layout.channels) or 1
    return _join(chunks, channels), original_rate


def _join(chunks: list[npt.NDArray[Any]], channels: int) -> npt.NDArray[np.float32]:
    # Copy the decoded frames into one array while dropping them one by one, so a two-hour
    # recording peaks near one copy of its samples instead of two (np.concatenate keeps both).
    import numpy as np

    samples = np.empty((channels, sum(c.shape[1] for c in chunks)), dtype=np.float32)
    position = 0
    chunks.reverse()
    while chunks:
        chunk = chunks.pop()
        samples[:, position : position + chunk.shape[1]] = chunk
        position += chunk.shape[1]
    return samples


def frame_rms_dbfs(
    signal: npt.NDArray[np.float32], *, frame_ms: int = 30
) -> npt.NDArray[np.float64]:
    """Root-mean-square level of consecutive frames of a 16 kHz 1-D signal, in dBFS."""
    import numpy as np

    size = max(1, TARGET_RATE * frame_ms // 1000)
    count = max(1, -(-signal.shape[0] // size))
    padded = np.zeros(count * size, dtype=np.float64)
    padded[: signal.shape[0]] = signal
    rms = np.sqrt(np.mean(padded.reshape(count, size) ** 2, axis=1))
    return np.asarray(20.0 * np.log10(np.maximum(rms, 1e-10)), dtype=np.float64)


def is_silent(
    audio: DecodedAudio | npt.NDArray[np.float32], *, threshold_dbfs: float = -55.0
) -> bool:
    """Whether no 30 ms frame of any channel is louder than ``threshold_dbfs`` (RMS).

    A frame-wise test, so one spoken word in an hour of silence still counts as speech. The
    default is far below any usable speech (which peaks around -30 to -10 dBFS), so a quiet
    recording still reaches the recogniser; only near-digital silence and faint hiss stop here.
    """
    import numpy as np

    rows = audio.samples if isinstance(audio, DecodedAudio) else np.atleast_2d(audio)
    return all(row.size == 0 or float(frame_rms_dbfs(row).max()) <= threshold_dbfs for row in rows)
