"""ROUGE-L and ROUGE-Lsum: scribe-eval's fast kernels against rouge-score 0.1.2, same run.

Notes of 300-1,500 words are built from real-looking clinical lines (one sentence per line, the
shape ROUGE-Lsum expects); every timing is the median of a few runs, and each pair's scores are
checked equal before timing. Both sides tokenize with rouge-score's tokenizer, so the ratio is
the LCS work. Targets (issue 5): >= 50x for ROUGE-L, >= 10x for ROUGE-Lsum.

Run: ``.venv/bin/python bench/rouge.py``
"""

from __future__ import annotations

import importlib.util
import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from rouge_score import rouge_scorer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scribe_eval.metrics import rouge, split_sentences, tokenize
from scribe_eval.metrics._rouge import _ids, _lcs_score, _summary_lcs_score


def _long_note_builder() -> Callable[[int, random.Random], str]:
    path = Path(__file__).resolve().parent.parent / "tests" / "metrics" / "_notes.py"
    spec = importlib.util.spec_from_file_location("_notes", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    builder: Callable[[int, random.Random], str] = module.long_note
    return builder


long_note = _long_note_builder()

SIZES = (300, 600, 1000, 1500)
REPEATS = 3


def _median_seconds(func: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _ours_l(reference: str, hypothesis: str) -> float:
    ids: dict[str, int] = {}
    ref = _ids(tokenize(reference, "rouge-score"), ids)
    hyp = _ids(tokenize(hypothesis, "rouge-score"), ids)
    return _lcs_score(ref, hyp).fmeasure


def _ours_lsum(reference: str, hypothesis: str) -> float:
    ids: dict[str, int] = {}
    ref = [_ids(tokenize(s, "rouge-score"), ids) for s in split_sentences(reference, "rouge-score")]
    hyp = [
        _ids(tokenize(s, "rouge-score"), ids) for s in split_sentences(hypothesis, "rouge-score")
    ]
    return _summary_lcs_score(ref, hyp).fmeasure


def _row(size: int, variant: str, slow: float, fast: float) -> None:
    print(f"{size:>6} {variant:<10} {slow * 1e3:>15.1f} {fast * 1e3:>15.2f} {slow / fast:>7.0f}x")


def main() -> None:
    rng = random.Random(2026)
    scorers = {t: rouge_scorer.RougeScorer([t]) for t in ("rougeL", "rougeLsum")}
    ours = {"rougeL": _ours_l, "rougeLsum": _ours_lsum}
    print(
        f"{'words':>6} {'variant':<10} {'rouge-score ms':>15} {'scribe-eval ms':>15} {'ratio':>8}"
    )
    ratios: dict[str, list[float]] = {"rougeL": [], "rougeLsum": []}
    for size in SIZES:
        reference, hypothesis = long_note(size, rng), long_note(size, rng)
        for variant, scorer in scorers.items():
            want = scorer.score(reference, hypothesis)[variant].fmeasure
            got = ours[variant](reference, hypothesis)
            assert abs(want - got) <= 1e-12, (variant, size, want, got)
            slow = _median_seconds(partial(scorer.score, reference, hypothesis))
            fast = _median_seconds(partial(ours[variant], reference, hypothesis), 7)
            ratios[variant].append(slow / fast)
            _row(size, variant, slow, fast)
    full = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"])
    reference, hypothesis = long_note(1500, rng), long_note(1500, rng)
    slow = _median_seconds(lambda: full.score(reference, hypothesis))
    fast = _median_seconds(lambda: rouge(reference, hypothesis, tokenizer="rouge-score"), 7)
    print(
        f"{1500:>6} {'all four':<10} {slow * 1e3:>15.1f} {fast * 1e3:>15.2f} {slow / fast:>7.0f}x"
    )
    for variant, values in ratios.items():
        print(f"{variant}: min ratio {min(values):.0f}x over {SIZES[0]}-{SIZES[-1]} words")


if __name__ == "__main__":
    main()
