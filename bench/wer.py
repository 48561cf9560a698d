"""The WER family: ``scribe_eval.metrics.wer`` against ``jiwer.process_words`` on the same pairs.

Transcript pairs of visit length (600-2,400 words, a 5-20 minute consultation) are drawn from
clinical and conversational words; the hypothesis has ~10% substitutions, ~3% deletions and ~3%
insertions, in runs, as a recogniser makes them. Both sides get the same already-normalised
text, so each figure is the alignment and the counts:

* words: ``wer(ref, hyp, normalizer="none")`` reading WER, MER, WIL and the S/D/I counts, against
  ``jiwer.process_words(ref, hyp)``. Target (issue 19): <= 1.2x jiwer.
* words + CER: the same plus ``.cer``, against ``jiwer.process_words`` plus
  ``jiwer.process_characters``.
* default normaliser: ``wer(ref, hyp)`` (``basic``), for information.

Counts (and CER) are checked equal before timing. Min and median of ``--runs`` runs, with the
load average.

Run: ``.venv/bin/python bench/wer.py [--pairs 200] [--runs 5]``
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable

import jiwer

from scribe_eval.metrics import wer

TARGET = 1.2
WORDS = tuple(
    str.split(
        "the and i you to a of it that is in so we um uh yeah okay right well just have was for "
        "on with my your do not pain patient doctor today mg blood pressure chest cough fever "
        "knee back weeks days morning night medication lisinopril metformin ibuprofen x-ray "
        "swelling breath breathing sleep tired appetite weight family history smoke alcohol "
        "exercise diet sugar insulin heart rate lungs clear listen deep breath again follow up "
        "appointment referral physical therapy surgery scan results normal high low little bit "
        "about since when does it hurt here there left right side sharp dull comes goes"
    )
)


def _pairs(count: int, seed: int = 2026) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    weights = [1 / (rank + 3) for rank in range(len(WORDS))]
    pairs = []
    for _ in range(count):
        ref = rng.choices(WORDS, weights, k=rng.randint(600, 2400))
        hyp: list[str] = []
        i = 0
        while i < len(ref):
            roll, run = rng.random(), rng.choice((1, 1, 1, 2, 3))
            if roll < 0.10:
                hyp.extend(rng.choices(WORDS, weights, k=run))
            elif roll < 0.13:
                pass
            elif roll < 0.16:
                hyp.extend(rng.choices(WORDS, weights, k=run))
                hyp.extend(ref[i : i + run])
            else:
                hyp.extend(ref[i : i + run])
            i += run
        pairs.append((" ".join(ref), " ".join(hyp)))
    return pairs


def _check(pairs: list[tuple[str, str]]) -> None:
    for reference, hypothesis in pairs:
        ours = wer(reference, hypothesis, normalizer="none")
        theirs = jiwer.process_words(reference, hypothesis)
        got = (ours.hits, ours.substitutions, ours.deletions, ours.insertions)
        want = (theirs.hits, theirs.substitutions, theirs.deletions, theirs.insertions)
        assert got == want, (got, want)
        assert abs((ours.wer or 0.0) - theirs.wer) <= 1e-12
        assert abs((ours.cer or 0.0) - jiwer.cer(reference, hypothesis)) <= 1e-12


def _ours_words(pairs: list[tuple[str, str]]) -> None:
    for reference, hypothesis in pairs:
        result = wer(reference, hypothesis, normalizer="none")
        _ = (result.wer, result.mer, result.wil, result.errors)


def _ours_with_cer(pairs: list[tuple[str, str]]) -> None:
    for reference, hypothesis in pairs:
        result = wer(reference, hypothesis, normalizer="none")
        _ = (result.wer, result.mer, result.wil, result.errors, result.cer)


def _ours_default(pairs: list[tuple[str, str]]) -> None:
    for reference, hypothesis in pairs:
        _ = wer(reference, hypothesis).wer


def _jiwer_words(pairs: list[tuple[str, str]]) -> None:
    for reference, hypothesis in pairs:
        jiwer.process_words(reference, hypothesis)


def _jiwer_with_cer(pairs: list[tuple[str, str]]) -> None:
    for reference, hypothesis in pairs:
        jiwer.process_words(reference, hypothesis)
        jiwer.process_characters(reference, hypothesis)


def _times(func: Callable[[list[tuple[str, str]]], None], pairs: list[tuple[str, str]]) -> float:
    start = time.process_time()
    func(pairs)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    pairs = _pairs(args.pairs)
    words = statistics.mean(len(r.split()) for r, _ in pairs)
    print(f"{len(pairs)} pairs, reference {words:.0f} words (mean); CPU seconds per run")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    _check(pairs)
    cases = {
        "words": (_ours_words, _jiwer_words),
        "words + CER": (_ours_with_cer, _jiwer_with_cer),
        "default normaliser": (_ours_default, _jiwer_words),
    }
    for name, (ours_func, peer_func) in cases.items():
        ours, peer = [], []
        for _ in range(args.runs):  # interleaved, so load drifts hit both alike
            peer.append(_times(peer_func, pairs))
            ours.append(_times(ours_func, pairs))
        ratio_min = min(ours) / min(peer)
        ratio_median = statistics.median(ours) / statistics.median(peer)
        print(
            f"{name:<19} scribe-eval min {min(ours):.3f} median {statistics.median(ours):.3f} | "
            f"jiwer min {min(peer):.3f} median {statistics.median(peer):.3f} | "
            f"ratio {ratio_min:.2f}x (min) {ratio_median:.2f}x (median)"
            + (f"; target <= {TARGET}x" if name == "words" else "")
        )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
