"""Honest statistics for small evaluation sets: bootstrap intervals, paired tests, Holm, MDE.

Pure numpy; every random draw comes from ``numpy.random.Generator(PCG64(seed))`` and every result
records its seed, resample count, confidence and method. Data goes in as `MetricSample`
(per-encounter numerators over denominators, so a mean and a pooled ratio such as corpus WER
are handled alike), and the bootstrap resamples encounters, never words.

- `bootstrap_estimate`: a corpus value with its interval (`has_interval`: shown from
  `MIN_ENCOUNTERS_FOR_INTERVAL` encounters on).
- `compare_paired`: B − A on the same encounters, paired-bootstrap interval, bootstrap and
  approximate-randomization p-values, minimum detectable effect; `verdict` renders it.
- `holm_adjust` / `holm_correct`: Holm's correction for a family of p-values / comparisons.
- `non_inferiority`: the gate's pass/fail on a margin, with its reason.
- `analyze_run`: every template x language cell, pairwise comparisons and the best template.
"""

from __future__ import annotations

from scribe_eval.stats._estimate import (
    MIN_ENCOUNTERS_FOR_INTERVAL,
    Estimate,
    bootstrap_estimate,
    has_interval,
)
from scribe_eval.stats._holm import holm_adjust, holm_correct
from scribe_eval.stats._noninferiority import NonInferiority, non_inferiority
from scribe_eval.stats._paired import (
    Change,
    PairedComparison,
    compare_paired,
    minimum_detectable_effect,
    verdict,
)
from scribe_eval.stats._resample import IntervalMethod
from scribe_eval.stats._run import (
    BestTemplate,
    CellEstimate,
    Mismatch,
    RunAnalysis,
    TemplateComparison,
    analyze_run,
)
from scribe_eval.stats._sample import MetricKind, MetricSample

__all__ = [
    "MIN_ENCOUNTERS_FOR_INTERVAL",
    "BestTemplate",
    "CellEstimate",
    "Change",
    "Estimate",
    "IntervalMethod",
    "MetricKind",
    "MetricSample",
    "Mismatch",
    "NonInferiority",
    "PairedComparison",
    "RunAnalysis",
    "TemplateComparison",
    "analyze_run",
    "bootstrap_estimate",
    "compare_paired",
    "has_interval",
    "holm_adjust",
    "holm_correct",
    "minimum_detectable_effect",
    "non_inferiority",
    "verdict",
]
