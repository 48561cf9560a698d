"""Bootstrap counts drawn block by block equal the counts of one whole index matrix."""

from __future__ import annotations

import numpy as np
import pytest

from scribe_eval.stats import _resample


def _whole(seed: int, n: int, resamples: int) -> np.ndarray:
    rng = np.random.Generator(np.random.PCG64(seed))
    indices = rng.integers(0, n, size=(resamples, n))
    flat = (indices + (np.arange(resamples) * n)[:, None]).ravel()
    return np.bincount(flat, minlength=resamples * n).reshape(resamples, n).astype(np.float64)


@pytest.mark.parametrize(("n", "resamples"), [(1, 5), (3, 7), (50, 200), (97, 31)])
@pytest.mark.parametrize("block", [1, 40, 1 << 18])
def test_counts_drawn_in_blocks_are_the_whole_draws_counts(
    n: int, resamples: int, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_resample, "_DRAW_BLOCK", block)
    rng = _resample.make_generator(11)
    counts = _resample.resample_counts(rng, n, resamples)
    assert np.array_equal(counts, _whole(11, n, resamples))
    assert counts.sum(axis=1).tolist() == [float(n)] * resamples
    # The generator moved on exactly as far as one whole draw would have moved it.
    after = np.random.Generator(np.random.PCG64(11))
    after.integers(0, n, size=(resamples, n))
    assert rng.integers(0, 1 << 40) == after.integers(0, 1 << 40)


@pytest.mark.parametrize(("n", "permutations"), [(13, 100), (50, 7), (97, 31)])
@pytest.mark.parametrize("block", [1, 40, 1 << 18])
def test_swaps_drawn_in_blocks_are_the_whole_draw(
    n: int, permutations: int, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_resample, "_DRAW_BLOCK", block)
    rng = _resample.make_generator(5)
    swaps = _resample.swap_matrix(rng, n, permutations)
    whole = np.random.Generator(np.random.PCG64(5))
    assert np.array_equal(swaps, whole.integers(0, 2, size=(permutations, n)).astype(np.float64))
    assert rng.integers(0, 1 << 40) == whole.integers(0, 1 << 40)
