"""The pitch-based two-speaker heuristic on synthetic voiced sounds of known pitch (no model)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from scribe_eval.emulator.engines._asr_diarize import kmeans_two, region_features, speaker_labels

RATE = 16_000
Signal = npt.NDArray[np.float32]


def _voice(f0: float, seconds: float) -> npt.NDArray[np.float32]:
    """A buzzy harmonic sound with a slight vibrato: pitch-trackable like a vowel."""
    t = np.arange(int(seconds * RATE)) / RATE
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.02 * np.sin(2 * np.pi * 5 * t))) / RATE
    wave = np.sum([np.sin(k * phase) / k for k in range(1, 12)], axis=0)
    return np.asarray(0.1 * wave, dtype=np.float32)


def _turns(pitches: list[tuple[float, float]]) -> tuple[Signal, list[tuple[float, float]]]:
    pieces, regions, clock = [], [], 0.0
    gap = np.zeros(RATE // 2, dtype=np.float32)
    for f0, seconds in pitches:
        pieces += [_voice(f0, seconds), gap]
        regions.append((clock, clock + seconds))
        clock += seconds + 0.5
    return np.concatenate(pieces), regions


@pytest.mark.parametrize("f0", [100.0, 165.0, 230.0])
def test_region_features_find_the_pitch(f0: float) -> None:
    pitch, _centroid = region_features(_voice(f0, 1.0))
    assert 2**pitch == pytest.approx(f0, rel=0.04)


def test_unvoiced_noise_has_no_pitch() -> None:
    noise = np.random.default_rng(3).normal(0, 0.1, RATE).astype(np.float32)
    assert np.isnan(region_features(noise)[0])


@pytest.mark.parametrize(
    ("pitches", "expected"),
    [
        pytest.param([(110, 1.5), (210, 2.0), (115, 1.2), (205, 1.8)], [0, 1, 0, 1],
                     id="man-woman-alternating"),
        pytest.param([(210, 1.5), (110, 2.0), (110, 1.2)], [0, 1, 1], id="first-speaker-is-0"),
        pytest.param([(110, 1.5), (118, 2.0), (105, 1.2), (113, 1.8)], [0, 0, 0, 0],
                     id="one-voice"),
        pytest.param([(110, 1.5), (220, 0.4), (112, 2.0)], [0, 0, 0],
                     id="short-octave-jump-is-not-a-speaker"),
        pytest.param([(110, 3.0)], [0], id="single-piece"),
    ],
)  # fmt: skip
def test_speaker_labels(pitches: list[tuple[float, float]], expected: list[int]) -> None:
    signal, regions = _turns(pitches)
    assert speaker_labels(signal, regions) == expected


def test_kmeans_two_splits_two_groups() -> None:
    points = np.array([[0.0, 0.0], [0.2, 0.1], [5.0, 5.0], [5.1, 4.9], [0.1, 0.3]])
    labels = kmeans_two(points)
    assert labels[0] == labels[1] == labels[4]
    assert labels[2] == labels[3] != labels[0]
