"""Audio files: probing headers, decoding for signal checks, and the bytes to upload.

soundfile (libsndfile) reads WAV, FLAC, Ogg (Vorbis, Opus) and MP3 without ffmpeg. It and numpy
are imported by the functions that decode: a plain FLAC or WAV header is read without them (see
``_headers``), so loading such a dataset for a cached re-run imports neither (~0.2 s).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scribe_eval.dataset._headers import plain_header
from scribe_eval.dataset._model import AudioInfo, Dataset, Encounter
from scribe_eval.errors import DatasetError

if TYPE_CHECKING:
    import numpy as np

_CONTENT_TYPES = {
    "WAV": "audio/wav",
    "WAVEX": "audio/wav",
    "RF64": "audio/wav",
    "FLAC": "audio/flac",
    "OGG": "audio/ogg",
    "MP3": "audio/mpeg",
}
# -80 dBFS: below this peak a channel carries no usable speech.
SILENCE_PEAK = 1e-4


@dataclass(frozen=True)
class FileHeader:
    """What one audio file's header says."""

    channels: int
    sample_rate: int
    frames: int
    format: str

    @property
    def duration_s(self) -> float:
        """Duration in seconds."""
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def probe(path: Path) -> FileHeader:
    """Read an audio file's header; raise ``RuntimeError`` (soundfile's ``LibsndfileError`` is
    one) or ``OSError`` if unreadable."""
    plain = plain_header(path)
    if plain is not None:
        return FileHeader(*plain)
    import soundfile as sf

    info = sf.info(str(path))
    return FileHeader(info.channels, info.samplerate, info.frames, info.format)


def channel_peaks(path: Path) -> tuple[int, list[float]]:
    """Decode the whole file; return (frames decoded, peak absolute level of each channel)."""
    import numpy as np
    import soundfile as sf

    frames = 0
    peaks: list[float] | None = None
    with sf.SoundFile(str(path)) as handle:
        for block in handle.blocks(blocksize=65536, dtype="float32", always_2d=True):
            frames += block.shape[0]
            block_peaks = np.abs(block).max(axis=0).tolist() if block.size else []
            peaks = (
                block_peaks
                if peaks is None
                else [max(a, b) for a, b in zip(peaks, block_peaks, strict=True)]
            )
    return frames, peaks or []


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def audio_info(paths: list[Path], headers: list[FileHeader], *, per_channel: bool) -> AudioInfo:
    """Combine file headers into the encounter's AudioInfo."""
    return AudioInfo(
        paths=tuple(paths),
        per_channel_files=per_channel,
        channels=len(paths) if per_channel else headers[0].channels,
        sample_rate=headers[0].sample_rate,
        duration_s=max(h.duration_s for h in headers),
        format=headers[0].format,
    )


def audio_hash(paths: list[Path]) -> str:
    """One hash for an encounter's audio: the file's sha256, or a hash over each channel's file."""
    if len(paths) == 1:
        return file_sha256(paths[0])
    joined = "\n".join(f"{i}:{file_sha256(p)}" for i, p in enumerate(paths))
    return hashlib.sha256(joined.encode()).hexdigest()


def encounter_audio_bytes(dataset: Dataset, encounter: Encounter) -> tuple[bytes, str]:
    """Return the bytes to upload for an encounter's recording and their content type.

    One file is returned as it is. One mono file per channel is merged into one multichannel
    16-bit FLAC (shorter channels padded with silence), channel i holding file i.

    Raises:
        DatasetError: the encounter has no audio, or its channel files cannot be merged.
    """
    audio = encounter.audio
    if audio is None:
        raise DatasetError(
            f"encounter {encounter.id!r} of dataset {dataset.name!r} has no audio; "
            "evaluate it from its reference transcript instead"
        )
    if not audio.per_channel_files:
        path = audio.paths[0]
        return path.read_bytes(), _CONTENT_TYPES.get(audio.format, "application/octet-stream")
    return _merge_channels(encounter.id, list(audio.paths)), "audio/flac"


def _merge_channels(encounter_id: str, paths: list[Path]) -> bytes:
    import numpy as np
    import soundfile as sf

    signals: list[np.ndarray] = []
    rates: set[int] = set()
    for path in paths:
        data, rate = sf.read(str(path), dtype="int16", always_2d=True)
        if data.shape[1] != 1:
            raise DatasetError(
                f"{path} of encounter {encounter_id!r} has {data.shape[1]} channels; each "
                "file of channel_paths must be mono"
            )
        signals.append(data[:, 0])
        rates.add(rate)
    if len(rates) != 1:
        raise DatasetError(
            f"the channel files of encounter {encounter_id!r} have different sample rates "
            f"{sorted(rates)}; resample them to one rate"
        )
    length = max(len(s) for s in signals)
    merged = np.zeros((length, len(signals)), dtype=np.int16)
    for channel, signal in enumerate(signals):
        merged[: len(signal), channel] = signal
    buffer = io.BytesIO()
    sf.write(buffer, merged, rates.pop(), format="FLAC", subtype="PCM_16")
    return buffer.getvalue()
