"""Time the statistics of one run: 200 encounters x 5 templates x 2 languages, 2,000 resamples.

Measures `analyze_run` (every cell with its interval, every template pair per language with a
paired-bootstrap interval, an approximate-randomization p-value and Holm's correction, and the
best template with its bootstrap probability) against a naive peer that does the same work
with a Python loop over replicates, both in this process. Run: ``.venv/bin/python bench/stats.py``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import numpy as np

from scribe_eval.stats import MetricSample, analyze_run, holm_adjust

ENCOUNTERS = 200
TEMPLATES = ("t1", "t2", "t3", "t4", "t5")
LANGUAGES = ("en", "de")
RESAMPLES = 2000
PERMUTATIONS = 2000
SEED = 7

Cells = dict[tuple[str, str], MetricSample]


def make_cells() -> Cells:
    """Pooled-WER cells: errors over reference words; template t5 makes 2% more errors."""
    rng = np.random.default_rng(SEED)
    ids = [f"visit-{i:03d}" for i in range(ENCOUNTERS)]
    cells: Cells = {}
    for language in LANGUAGES:
        words = rng.integers(150, 900, ENCOUNTERS)
        difficulty = rng.beta(2, 14, ENCOUNTERS)
        for k, template in enumerate(TEMPLATES):
            rate = np.clip(difficulty + 0.005 * k + rng.normal(0, 0.01, ENCOUNTERS), 0, 1)
            cells[(template, language)] = MetricSample.from_ratio(
                ids, rng.binomial(words, rate), words
            )
    return cells


def vectorised(cells: Cells) -> list[tuple[str, str, str, bool]]:
    run = analyze_run(
        cells,
        metric="wer",
        higher_is_better=False,
        resamples=RESAMPLES,
        permutations=PERMUTATIONS,
        seed=SEED,
    )
    return [
        (t.language, t.comparison.label_a, t.comparison.label_b, t.comparison.significant())
        for t in run.comparisons
    ]


def naive(cells: Cells) -> list[tuple[str, str, str, bool]]:
    """The same analysis with one Python iteration per replicate and per permutation."""
    rng = np.random.Generator(np.random.PCG64(SEED))
    decisions = []
    for language in LANGUAGES:
        num = [cells[(t, language)].numerators for t in TEMPLATES]
        den = [cells[(t, language)].denominators for t in TEMPLATES]
        reps = np.empty((RESAMPLES, len(TEMPLATES)))
        for b in range(RESAMPLES):
            idx = rng.integers(0, ENCOUNTERS, ENCOUNTERS)
            for k in range(len(TEMPLATES)):
                reps[b, k] = num[k][idx].sum() / den[k][idx].sum()
        _intervals = np.quantile(reps, [0.025, 0.975], axis=0)
        best = np.argmin(reps, axis=1)
        _probability_best = np.bincount(best, minlength=len(TEMPLATES)) / RESAMPLES
        pairs = list(itertools.combinations(range(len(TEMPLATES)), 2))
        p_values = []
        for i, j in pairs:
            _diff_interval = np.quantile(reps[:, j] - reps[:, i], [0.025, 0.975])
            observed = num[j].sum() / den[j].sum() - num[i].sum() / den[i].sum()
            extreme = 0
            for _ in range(PERMUTATIONS):
                swap = rng.integers(0, 2, ENCOUNTERS).astype(bool)
                na, nb = np.where(swap, num[j], num[i]), np.where(swap, num[i], num[j])
                da, db = np.where(swap, den[j], den[i]), np.where(swap, den[i], den[j])
                extreme += abs(nb.sum() / db.sum() - na.sum() / da.sum()) >= abs(observed)
            p_values.append((extreme + 1) / (PERMUTATIONS + 1))
        adjusted = holm_adjust(p_values)
        for (i, j), p in zip(pairs, adjusted, strict=True):
            decisions.append((language, TEMPLATES[i], TEMPLATES[j], p < 0.05))
    return decisions


def best_of(
    runs: int, fn: Callable[[Cells], list[tuple[str, str, str, bool]]], cells: Cells
) -> tuple[float, list[tuple[str, str, str, bool]]]:
    times, result = [], []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn(cells)
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    cells = make_cells()
    fast, fast_decisions = best_of(5, vectorised, cells)
    slow, slow_decisions = best_of(1, naive, cells)
    agree = len(set(fast_decisions) & set(slow_decisions))
    print(
        f"{ENCOUNTERS} encounters x {len(TEMPLATES)} templates x {len(LANGUAGES)} languages, "
        f"{RESAMPLES} resamples + {PERMUTATIONS} permutations, one metric (pooled WER)"
    )
    print(f"analyze_run (vectorised, best of 5): {fast * 1000:8.1f} ms")
    print(f"naive per-replicate Python loop:     {slow * 1000:8.1f} ms")
    print(f"speed-up: {slow / fast:.0f}x")
    # The two use different random streams, so a pair whose Holm-adjusted p sits near 0.05
    # may land on either side; clear pairs must agree.
    print(f"Holm decisions agreeing between the two: {agree}/{len(fast_decisions)}")
    significant = sum(decision[3] for decision in fast_decisions)
    print(f"significant template pairs (vectorised): {significant}/{len(fast_decisions)}")


if __name__ == "__main__":
    main()
