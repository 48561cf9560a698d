"""Precision and recall of the fact extractor per fact type on our golden set.

Each golden case lists every fact a careful reader expects (tests/fixtures/facts/golden-*.yaml);
the extractor's facts are compared with them per kind: a true positive is a labelled fact found,
a false positive a fact found but not labelled, a false negative a labelled fact not found.

    .venv/bin/python bench/facts.py              # the figures per language and kind
    .venv/bin/python bench/facts.py --errors     # and every wrong case

To measure another version of the extractor (e.g. main's, for before/after figures), put its
checkout first on the path: ``PYTHONPATH=/path/to/other/checkout python bench/facts.py``.
Targets: precision >= 0.95 and recall >= 0.90 per kind.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from scribe_eval.metrics import METRICS_VERSION, extract_facts
from scribe_eval.metrics._facts import FACT_KINDS

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "facts"


def score(path: Path, counts: Counter[tuple[str, str, str]], show: bool) -> int:
    """Add the case counts of one golden file to ``counts``; return the number of cases."""
    data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    lang = data["language"] + ("-holdout" if data.get("split") == "holdout" else "")
    for case in data["cases"]:
        found = extract_facts(
            case["text"], medications=data.get("medications", ()), language=data["language"]
        )
        for kind in FACT_KINDS:
            want, got = set(case.get(kind) or ()), set(found[kind])
            counts[lang, kind, "tp"] += len(want & got)
            counts[lang, kind, "fp"] += len(got - want)
            counts[lang, kind, "fn"] += len(want - got)
            if show and want != got:
                print(f"  [{lang} {kind}] {case['text']!r}: missed {sorted(want - got)}, "
                      f"extra {sorted(got - want)}")  # fmt: skip
    return len(data["cases"])


def ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "  -  "


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--errors", action="store_true", help="Also print every wrong case.")
    errors = parser.parse_args().errors
    counts: Counter[tuple[str, str, str]] = Counter()
    files = sorted(GOLDEN.glob("golden-*.yaml"))
    cases = {p.stem: score(p, counts, errors) for p in files}
    print(f"metrics_version {METRICS_VERSION}; cases {cases}")
    print(f"{'lang':<10} {'kind':<11} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}")
    for lang in [*sorted({k[0] for k in counts}), "all"]:
        for kind in FACT_KINDS:
            tp, fp, fn = (
                sum(v for (la, ki, c), v in counts.items() if ki == kind and c == part and
                    lang in (la, "all"))
                for part in ("tp", "fp", "fn")
            )  # fmt: skip
            print(f"{lang:<10} {kind:<11} {tp:>4} {fp:>4} {fn:>4} {ratio(tp, tp + fp):>9} "
                  f"{ratio(tp, tp + fn):>7}")  # fmt: skip


if __name__ == "__main__":
    main()
