"""ROUGE-1/2/L/Lsum: ``scribe-eval score notes`` against rouge-score 0.1.2, same run, same pairs.

Two figures, each the min and median of ``--runs`` runs with the load average printed:

* the whole command: ``scribe-eval score notes FILE --tokenizer rouge-score --json`` against a
  script that reads the same CSV and scores every pair with ``RougeScorer`` (both in a fresh
  Python process, start-up included). Target (issue 19): >= 50x on 1,000 pairs.
* in process: ``rouge()`` against ``RougeScorer.score`` over the same pairs (no start-up).

Every pair's 12 numbers (P, R, F of four variants) are checked equal (|diff| <= 1e-12) before a
ratio is printed.

Pairs: ``--csv FILE`` (with ``--ref-col``/``--hyp-col``) for real notes; else generated notes
whose shape follows published clinical notes (ACI-Bench, Yim et al. 2023, whose notes are cited
as ~415 words): per note the word count, the number of lines (ROUGE-Lsum sentences) and the words
per line are drawn from the deciles measured on ACI-Bench's reference notes and on its baseline
systems' generated notes; the text is drawn from clinical lines with a Zipf-like word mix, and
the generated note is a reworded, reordered, partly dropped copy of the reference.

Run: ``.venv/bin/python bench/rouge.py [--pairs 1000] [--runs 3] [--csv FILE]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET = 50.0
TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")

# Deciles (10th ... 90th percentile) measured on 1,000 ACI-Bench pairs (reference notes of the
# challenge splits against the published baselines' generated notes).
REF_WORDS = (276, 331, 359, 391, 420, 440, 484, 511, 609)
REF_WORDS_PER_LINE = (1, 2, 2, 3, 5, 8, 12, 18, 35)
HYP_LINES = (1, 4, 5, 8, 12, 20, 24, 30, 36)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


HEADINGS = (
    "CHIEF COMPLAINT",
    "HISTORY OF PRESENT ILLNESS",
    "REVIEW OF SYSTEMS",
    "PHYSICAL EXAMINATION",
    "VITALS REVIEWED",
    "RESULTS",
    "ASSESSMENT AND PLAN",
    "MEDICATIONS",
    "INSTRUCTIONS",
)
COMMON = _words(
    "the the the and and of of to to a a in in with with he she is was for on that has "
    "his her patient reports denies no not any right left today at as be this which"
)
CLINICAL = _words(
    "pain numbness tingling hands wrist neck fever cough chest shortness breath exertion "
    "swelling knee ankle back headache nausea vomiting dizziness fatigue weight appetite "
    "history hypertension diabetes anxiety depression asthma medication lisinopril metformin "
    "ibuprofen coreg lexapro splint accident contusion examination tenderness palpation "
    "strength reflexes sensation bilaterally symmetric normal abnormal mild moderate severe "
    "chronic acute weeks months years daily twice night morning follow up referral physical "
    "therapy x-ray mri blood pressure heart rate lungs clear murmur abdomen soft nontender "
    "plan continue increase decrease start stop recommend discussed questions agrees 10 mg "
    "20 500 2 3 4 week month stable improved worsened symptoms diagnosis carpal tunnel "
    "syndrome injury fracture laboratory results elevated a1c cholesterol kidney function "
    "ultrasound echocardiogram ekg sinus rhythm nerve conduction study orthopedics surgery"
)


def _decile_draw(deciles: Sequence[int], rng: random.Random, tail: float = 1.6) -> int:
    """A value from the piecewise-linear distribution through the deciles (tails stretched)."""
    points = [max(1, round(deciles[0] * 0.6)), *deciles, round(deciles[-1] * tail)]
    u = rng.random() * 10
    k = min(int(u), 9)
    return max(1, round(points[k] + (points[k + 1] - points[k]) * (u - k)))


# Zipf-like: earlier clinical words are more frequent; names, drugs and numbers are rare words.
CLINICAL_WEIGHTS = tuple(1 / (rank + 10) for rank in range(len(CLINICAL)))
RARE = tuple(
    f"{a}{b}{c}"
    for a in ("ka", "me", "lo", "pra", "zi", "tor", "ve", "su")
    for b in ("no", "li", "ta", "rex", "mo", "da", "pi", "gu")
    for c in ("l", "n", "ne", "zol", "pril", "x")
)


def _word(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(COMMON)
    if roll < 0.88:
        return rng.choices(CLINICAL, CLINICAL_WEIGHTS)[0]
    return rng.choice(RARE) if rng.random() < 0.7 else str(rng.randint(1, 400))


def _sentence(words: int, rng: random.Random) -> str:
    text = " ".join(_word(rng) for _ in range(words))
    return text[:1].upper() + text[1:] + "."


def reference_note(rng: random.Random) -> list[str]:
    """Lines of a reference note: headings and lines of one or more sentences."""
    target, lines, total = _decile_draw(REF_WORDS, rng), [], 0
    while total < target:
        # The top decile holds whole paragraphs (an HPI of 100+ words on one line).
        size = _decile_draw(REF_WORDS_PER_LINE, rng, tail=4.0)
        if size <= 3 and rng.random() < 0.5:
            lines.append(rng.choice(HEADINGS))
            total += 2
            continue
        parts, left = [], size
        while left > 0:
            take = min(left, rng.randint(6, 22))
            parts.append(_sentence(take, rng))
            left -= take
        lines.append(" ".join(parts))
        total += size
    return lines


def generated_note(reference: list[str], rng: random.Random) -> str:
    """A generated version: words reworded, added and dropped, lines reordered and merged."""
    lines = [line for line in reference if rng.random() > 0.15]
    for _ in range(len(lines) // 8):
        i = rng.randrange(max(1, len(lines) - 1))
        lines[i : i + 2] = lines[i : i + 2][::-1]
    words: list[list[str]] = []
    for line in lines:
        out = []
        for word in line.split():
            roll = rng.random()
            if roll < 0.15:
                out.append(_word(rng))
            elif roll < 0.2:
                continue
            else:
                out.append(word)
            if rng.random() < 0.05:
                out.append(_word(rng))
        words.append(out)
    groups = max(1, min(len(words), _decile_draw(HYP_LINES, rng)))
    cuts = sorted(rng.sample(range(1, len(words)), groups - 1)) if len(words) > 1 else []
    bounds = [0, *cuts, len(words)]
    return "\n".join(" ".join(w for line in words[a:b] for w in line) for a, b in pairwise(bounds))


def generated_pairs(count: int, seed: int = 2026) -> list[tuple[str, str]]:
    """``count`` (reference, generated) note pairs shaped like ACI-Bench's."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        reference = reference_note(rng)
        pairs.append(("\n\n".join(reference), generated_note(reference, rng)))
    return pairs


def _read_csv(path: Path, ref_col: str, hyp_col: str, limit: int) -> list[tuple[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [(row[ref_col], row[hyp_col]) for row in csv.DictReader(handle)]
    return rows[:limit]


PEER = """
import csv, json, sys
from rouge_score import rouge_scorer
csv.field_size_limit(sys.maxsize)
scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"])
with open(sys.argv[1], encoding="utf-8-sig", newline="") as handle:
    rows = list(csv.DictReader(handle))
items = []
for row in rows:
    scores = scorer.score(row["reference"], row["generated"])
    items.append({f"{k}_{m}": getattr(v, a) for k, v in scores.items()
                  for m, a in (("p", "precision"), ("r", "recall"), ("f", "fmeasure"))})
json.dump({"items": items}, sys.stdout)
"""


def _timed(command: list[str]) -> tuple[float, list[dict[str, float]]]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    items: list[dict[str, float]] = json.loads(done.stdout)["items"]
    return seconds, items


def _check(ours: list[dict[str, float]], peer: list[dict[str, float]]) -> None:
    assert len(ours) == len(peer), (len(ours), len(peer))
    for number, (got, want) in enumerate(zip(ours, peer, strict=True)):
        for key, value in want.items():
            assert abs(got[key] - value) <= 1e-12, (number, key, got[key], value)


def _stats(values: list[float]) -> str:
    return f"min {min(values):8.3f}  median {statistics.median(values):8.3f}"


def whole_command(path: Path, runs: int) -> float:
    """Time both commands ``runs`` times, interleaved; print and return the min-time ratio."""
    ours_cmd = [
        str(BIN / "scribe-eval"),
        "score",
        "notes",
        str(path),
        "--ref-col",
        "reference",
        "--hyp-col",
        "generated",
        "--tokenizer",
        "rouge-score",
        "--no-facts",  # like for like: the peer computes ROUGE only
        "--json",
    ]
    peer_cmd = [sys.executable, "-c", PEER, str(path)]
    ours_s, peer_s = [], []
    for _ in range(runs):
        seconds, peer_items = _timed(peer_cmd)
        peer_s.append(seconds)
        seconds, our_items = _timed(ours_cmd)
        ours_s.append(seconds)
        _check(our_items, peer_items)
    print(f"  rouge-score  s: {_stats(peer_s)}")
    print(f"  scribe-eval  s: {_stats(ours_s)}")
    ratio = min(peer_s) / min(ours_s)
    print(
        f"  ratio (min/min) {ratio:.1f}x, (median/median) "
        f"{statistics.median(peer_s) / statistics.median(ours_s):.1f}x; target >= {TARGET:.0f}x"
    )
    return ratio


def in_process(pairs: list[tuple[str, str]], runs: int) -> None:
    """``rouge()`` against ``RougeScorer.score`` over the same pairs, after both are imported."""
    from rouge_score import rouge_scorer

    from scribe_eval.metrics import rouge

    scorer = rouge_scorer.RougeScorer(list(TYPES))
    ours_s, peer_s = [], []
    for _ in range(runs):
        start = time.perf_counter()
        for reference, hypothesis in pairs:
            scorer.score(reference, hypothesis)
        peer_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        for reference, hypothesis in pairs:
            rouge(reference, hypothesis, tokenizer="rouge-score")
        ours_s.append(time.perf_counter() - start)
    per_pair = 1e3 / len(pairs)
    print(f"  rouge-score  ms/pair: {_stats([s * per_pair for s in peer_s])}")
    print(f"  scribe-eval  ms/pair: {_stats([s * per_pair for s in ours_s])}")
    print(f"  ratio (min/min) {min(peer_s) / min(ours_s):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--csv", type=Path, default=None, help="Real pairs (CSV with header).")
    parser.add_argument("--ref-col", default="reference")
    parser.add_argument("--hyp-col", default="generated")
    args = parser.parse_args()
    if args.csv:
        pairs = _read_csv(args.csv, args.ref_col, args.hyp_col, args.pairs)
        source = f"{args.csv}"
    else:
        pairs = generated_pairs(args.pairs)
        source = "generated (ACI-Bench-shaped)"
    words = statistics.mean(len(r.split()) for r, _ in pairs)
    lines = statistics.mean(sum(1 for x in r.split("\n") if x) for r, _ in pairs)
    print(f"{len(pairs)} pairs, {source}: reference {words:.0f} words, {lines:.0f} lines (mean)")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pairs.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["reference", "generated"])
            writer.writerows(pairs)
        print(f"whole command, {args.runs} runs (start-up included):")
        whole_command(path, args.runs)
    print(f"in process, {args.runs} runs:")
    in_process(pairs, args.runs)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
