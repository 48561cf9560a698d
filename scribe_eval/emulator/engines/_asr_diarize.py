"""Offline two-speaker separation for mono recordings: pauses, pitch and a tiny k-means.

No trained speaker-embedding model is installable here, so this is a signal-processing heuristic:

1. Silero VAD (shipped with faster-whisper) cuts the speech at pauses of 300 ms or more; each
   piece is assumed to hold one speaker (a turn, or part of one).
2. Each piece is described by its median pitch (autocorrelation over 40 ms frames, 60-400 Hz)
   and its spectral centroid.
3. A two-cluster k-means (numpy, deterministic start) splits the pieces of a second or longer
   (shorter ones give unreliable pitch). The split is kept only when the two clusters' median
   pitches differ by at least :data:`MIN_PITCH_GAP_OCTAVES` and stand well apart relative to
   their spread; otherwise everyone is speaker 0. Short pieces join the nearer cluster.
4. Recognised words are given the speaker of the piece they fall in, and consecutive words of one
   speaker become one segment.

Limits: voices of similar pitch (two men, two women) are often not separated; overlapping speech
and speaker changes without a pause are attributed to one speaker; more than two speakers are
folded into two. Two-channel recordings transcribed per channel avoid all of this.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

# The algorithm's name, `_asr.DIARIZER_VERSION`, lives where the engine identity reads it without
# numpy: bump it there whenever what follows changes what a recording's speakers come out as.

MIN_PITCH_GAP_OCTAVES: Final = 0.25
"""Two clusters whose median pitches are closer than this are treated as one voice."""

_RATE: Final = 16_000
_FRAME: Final = 640  # 40 ms
_HOP: Final = 160  # 10 ms
_MIN_LAG: Final = _RATE // 400
_MAX_LAG: Final = _RATE // 60
_VOICED: Final = 0.45
_MIN_SEPARATION: Final = 2.5
_JOIN_GAP_S: Final = 1.5
_RELIABLE_S: Final = 1.0

Word = tuple[float, float, str]
"""A recognised word: start and end in seconds, and its text (with Whisper's leading space)."""


def diarize_words(
    signal: npt.NDArray[np.float32], words: Sequence[Word]
) -> list[tuple[float, float, str, int]]:
    """Group words into single-speaker segments ``(start_s, end_s, text, speaker)``."""
    if not words:
        return []
    regions = speech_regions(signal) or [(words[0][0], words[-1][1])]
    labels = speaker_labels(signal, regions)
    speakers = [labels[_region_of((w[0] + w[1]) / 2, regions)] for w in words]
    segments: list[tuple[float, float, str, int]] = []
    for (start, end, text), speaker in zip(words, speakers, strict=True):
        if segments and segments[-1][3] == speaker and start - segments[-1][1] <= _JOIN_GAP_S:
            first, _, joined, _ = segments[-1]
            segments[-1] = (first, end, joined + text, speaker)
        else:
            segments.append((start, end, text, speaker))
    return [(s, e, t.strip(), k) for s, e, t, k in segments if t.strip()]


def speech_regions(signal: npt.NDArray[np.float32]) -> list[tuple[float, float]]:
    """Speech pieces ``(start_s, end_s)`` separated by pauses of at least 300 ms (Silero VAD)."""
    from scribe_eval.emulator.engines._cpu import pin_cpu_backend

    pin_cpu_backend()  # importing faster_whisper's VAD imports CTranslate2
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=300, speech_pad_ms=50, min_speech_duration_ms=150)
    chunks = get_speech_timestamps(np.ascontiguousarray(signal, dtype=np.float32), options)
    return [(c["start"] / _RATE, c["end"] / _RATE) for c in chunks]


def _region_of(time_s: float, regions: Sequence[tuple[float, float]]) -> int:
    distances = [max(start - time_s, time_s - end, 0.0) for start, end in regions]
    return int(np.argmin(distances))


def speaker_labels(
    signal: npt.NDArray[np.float32], regions: Sequence[tuple[float, float]]
) -> list[int]:
    """A speaker index (0 or 1) per region; all 0 unless two voices separate clearly."""
    features = np.array(
        [region_features(signal[int(s * _RATE) : int(e * _RATE)]) for s, e in regions]
    ).reshape(len(regions), 2)
    # Short pieces give unreliable pitch (octave errors), so only pieces of a second or more
    # decide whether there are two voices; the short ones then join the nearer voice.
    durations = np.array([end - start for start, end in regions])
    reliable = (durations >= _RELIABLE_S) & ~np.isnan(features[:, 0])
    if reliable.sum() < 2:
        return [0] * len(regions)
    # Pitch (log2 Hz, so one unit is an octave) dominates; the spectral centroid only breaks ties.
    scaled = features / np.array([0.1, 0.5])
    decided = kmeans_two(scaled[reliable])
    if not _clearly_two(features[reliable, 0], decided):
        return [0] * len(regions)
    centres = np.array([scaled[reliable][decided == k].mean(axis=0) for k in (0, 1)])
    labels: list[int] = []
    for point in scaled:
        if np.isnan(point[0]):  # unvoiced piece: most likely the same speaker as just before
            labels.append(labels[-1] if labels else 0)
        else:
            labels.append(int(np.argmin(np.linalg.norm(centres - point, axis=1))))
    # Speaker 0 is whoever speaks first, so labels read naturally in the transcript.
    return [int(label != labels[0]) for label in labels]


def _clearly_two(log_pitch: npt.NDArray[np.float64], labels: npt.NDArray[np.intp]) -> bool:
    groups = [log_pitch[labels == k] for k in (0, 1)]
    if any(group.size == 0 for group in groups):
        return False
    gap = abs(float(np.median(groups[0]) - np.median(groups[1])))
    spread = float(np.sqrt(np.mean([np.var(g) for g in groups]))) + 0.02
    return gap >= MIN_PITCH_GAP_OCTAVES and gap / spread >= _MIN_SEPARATION


def kmeans_two(points: npt.NDArray[np.float64], *, rounds: int = 25) -> npt.NDArray[np.intp]:
    """Two-cluster k-means, started from the lowest and highest point of the first column."""
    centres = points[[int(np.argmin(points[:, 0])), int(np.argmax(points[:, 0]))]].copy()
    labels = np.zeros(len(points), dtype=np.intp)
    for _ in range(rounds):
        distances = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=2)
        new = np.argmin(distances, axis=1).astype(np.intp)
        for k in (0, 1):
            if (new == k).any():
                centres[k] = points[new == k].mean(axis=0)
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def region_features(piece: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """``[log2 median pitch (NaN if unvoiced), log2 spectral centroid]`` of one speech piece."""
    if piece.size < _FRAME:
        return np.array([np.nan, np.nan])
    count = 1 + (piece.size - _FRAME) // _HOP
    index = np.arange(_FRAME)[None, :] + _HOP * np.arange(count)[:, None]
    frames = piece[index].astype(np.float64) * np.hanning(_FRAME)
    energy = (frames**2).sum(axis=1)
    loud = frames[energy > 0.05 * energy.max()]
    spectrum = np.abs(np.fft.rfft(loud, n=2 * _FRAME)) ** 2
    autocorr = np.fft.irfft(spectrum, axis=1)[:, : _MAX_LAG + 1]
    normalised = autocorr / np.maximum(autocorr[:, :1], 1e-12)
    lags = _MIN_LAG + np.argmax(normalised[:, _MIN_LAG:], axis=1)
    peaks = normalised[np.arange(len(lags)), lags]
    voiced = lags[peaks > _VOICED]
    pitch = float(np.log2(np.median(_RATE / voiced))) if voiced.size >= 3 else np.nan
    freqs = np.fft.rfftfreq(2 * _FRAME, 1 / _RATE)
    power = spectrum.mean(axis=0)
    centroid = float((freqs * power).sum() / max(power.sum(), 1e-12))
    return np.array([pitch, np.log2(max(centroid, 1.0))])
