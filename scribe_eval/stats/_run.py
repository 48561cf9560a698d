"""Within one run: every template x language cell, pairwise template comparisons, the best template.

Per language, one bootstrap index matrix and one swap matrix are drawn from a fresh
``Generator(PCG64(seed))`` and shared by every template of that language, so template
comparisons are paired, "probability best" is computed on the same replicates as the intervals,
and each number equals (up to floating-point rounding) what the standalone `bootstrap_estimate` /
`compare_paired` return for the same samples and seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from scribe_eval.errors import MetricError
from scribe_eval.stats._estimate import (
    MIN_ENCOUNTERS_FOR_INTERVAL,
    Estimate,
    bootstrap_estimate,
    estimates_from_counts,
    has_interval,
)
from scribe_eval.stats._holm import holm_correct
from scribe_eval.stats._paired import (
    PairedComparison,
    PairSettings,
    compare_columns,
)
from scribe_eval.stats._resample import (
    IntervalMethod,
    check_options,
    make_generator,
    replicates,
    resample_counts,
    swap_matrix,
    to_plain,
)
from scribe_eval.stats._sample import (
    FloatArray,
    MetricKind,
    MetricSample,
    require_estimable,
    shorten_ids,
)

Mismatch = Literal["error", "intersect"]


@dataclass(frozen=True)
class CellEstimate:
    """One template x language cell's corpus value with its interval."""

    template: str
    language: str
    estimate: Estimate

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types: template, language and the estimate's fields."""
        return {"template": self.template, "language": self.language, **self.estimate.as_dict()}


@dataclass(frozen=True)
class TemplateComparison:
    """Two templates compared within one language (``label_b`` − ``label_a``); ``p_adjusted`` is
    Holm-adjusted over the language's template pairs."""

    language: str
    comparison: PairedComparison

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types: the language and the comparison's fields."""
        return {"language": self.language, **self.comparison.as_dict()}


@dataclass(frozen=True)
class BestTemplate:
    """The best template of one language and how sure we are.

    ``probability_best`` is the share of bootstrap replicates in which it is best (ties split);
    ``clear_winner`` is True only when it is significantly better than every other template on
    enough encounters for an interval (`has_interval`): each of its k − 1 paired randomization
    tests rejects at alpha on its own ``p_permutation``. The claim needs every one of them to
    reject (an intersection-union test), so its error rate is at most alpha with no adjustment;
    the Holm adjustment over all template pairs (``p_adjusted``) serves the pairwise table, not
    this call. ``tied`` lists it with every template it could not be told apart from by that
    test (all of them below the rule).
    """

    language: str
    template: str
    value: float
    probability_best: float
    probabilities: tuple[tuple[str, float], ...]
    clear_winner: bool
    tied: tuple[str, ...]
    n: int
    statement: str

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types; ``probabilities`` becomes a template -> probability object."""
        out: dict[str, Any] = to_plain(self)
        out["probabilities"] = dict(to_plain(self.probabilities))
        return out


@dataclass(frozen=True)
class RunAnalysis:
    """One metric of one run: cells, pairwise template comparisons and best template per language.

    Holm's correction runs within each language (the family is that language's template pairs
    for this metric) and gives the comparisons' ``p_adjusted``; the best template is called on
    its own comparisons' unadjusted p-values instead (`BestTemplate`). ``alpha`` is
    ``1 - confidence``.
    """

    metric: str
    kind: MetricKind
    higher_is_better: bool
    confidence: float
    method: str
    resamples: int
    permutations: int
    seed: int
    power: float
    cells: tuple[CellEstimate, ...]
    comparisons: tuple[TemplateComparison, ...]
    best: tuple[BestTemplate, ...]

    def cell(self, template: str, language: str) -> Estimate:
        """The estimate of one cell; raises `MetricError` if the run has no such cell."""
        for item in self.cells:
            if (item.template, item.language) == (template, language):
                return item.estimate
        raise MetricError(f"no cell for template {template!r} in language {language!r}")

    def comparison(self, language: str, template_a: str, template_b: str) -> PairedComparison:
        """The comparison of two templates in either order (its labels say which is B)."""
        wanted = {template_a, template_b}
        for item in self.comparisons:
            c = item.comparison
            if item.language == language and {c.label_a, c.label_b} == wanted:
                return c
        raise MetricError(f"no comparison of {template_a!r} and {template_b!r} in {language!r}")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types, nested lists of cells, comparisons and best templates."""
        head = ("metric", "kind", "higher_is_better", "confidence", "method")
        out: dict[str, Any] = {name: getattr(self, name) for name in head}
        out.update(resamples=self.resamples, permutations=self.permutations, seed=self.seed)
        out.update(power=self.power, alpha=1.0 - self.confidence)
        out["cells"] = [c.as_dict() for c in self.cells]
        out["comparisons"] = [c.as_dict() for c in self.comparisons]
        out["best"] = [b.as_dict() for b in self.best]
        return out


def analyze_run(
    cells: Mapping[tuple[str, str], MetricSample],
    *,
    metric: str,
    higher_is_better: bool,
    confidence: float = 0.95,
    resamples: int = 2000,
    permutations: int = 2000,
    seed: int = 0,
    method: IntervalMethod = "percentile",
    power: float = 0.8,
    mismatched: Mismatch = "error",
) -> RunAnalysis:
    """Analyse one metric over ``{(template, language): sample}``.

    Templates of a language must cover the same encounters; with ``mismatched="intersect"``
    comparisons and the best template use the shared encounters (cells keep all of theirs).
    Raises `MetricError` for empty cells, mixed metric kinds or mismatched encounters.
    """
    check_options(
        confidence=confidence,
        resamples=resamples,
        seed=seed,
        method=method,
        permutations=permutations,
    )
    kinds = sorted({sample.kind for sample in cells.values()})
    if len(kinds) != 1:
        raise MetricError(
            f"metric {metric!r} needs cells of one kind, got {kinds or 'no cells'}; "
            "pass one metric's per-encounter data at a time"
        )
    by_language: dict[str, dict[str, MetricSample]] = {}
    for (template, language), sample in sorted(cells.items()):
        require_estimable(sample, f"cell (template {template!r}, language {language!r})")
        by_language.setdefault(language, {})[template] = sample
    settings = PairSettings(kinds[0], higher_is_better, confidence, method, power, seed)
    parts = [
        _analyze_language(language, samples, settings, resamples, permutations, mismatched)
        for language, samples in sorted(by_language.items())
    ]
    return RunAnalysis(
        metric=metric,
        kind=kinds[0],
        higher_is_better=higher_is_better,
        confidence=confidence,
        method=method,
        resamples=resamples,
        permutations=permutations,
        seed=seed,
        power=power,
        cells=tuple(cell for part in parts for cell in part[0]),
        comparisons=tuple(comparison for part in parts for comparison in part[1]),
        best=tuple(part[2] for part in parts),
    )


def _analyze_language(
    language: str,
    samples: dict[str, MetricSample],
    settings: PairSettings,
    resamples: int,
    permutations: int,
    mismatched: Mismatch,
) -> tuple[list[CellEstimate], list[TemplateComparison], BestTemplate]:
    templates = sorted(samples)
    common = _common_ids(language, samples, mismatched)
    aligned = [
        samples[t] if samples[t].ids == common else samples[t].subset(common) for t in templates
    ]
    for template, sample in zip(templates, aligned, strict=True):
        require_estimable(sample, f"template {template!r} on the encounters shared in {language}")
    rng = make_generator(settings.seed)
    counts = resample_counts(rng, len(common), resamples)
    swaps = swap_matrix(rng, len(common), permutations)
    num = np.column_stack([s.numerators for s in aligned])
    den = np.column_stack([s.denominators for s in aligned])
    shared = estimates_from_counts(
        num,
        den,
        counts,
        kind=settings.kind,
        confidence=settings.confidence,
        method=settings.method,
        seed=settings.seed,
    )
    cells = []
    for k, template in enumerate(templates):
        own = samples[template]
        estimate = shared[k] if own.ids == common else _own_estimate(own, settings, resamples)
        cells.append(CellEstimate(template, language, estimate))
    pairs = [(i, j) for i in range(len(templates)) for j in range(i + 1, len(templates))]
    raw = compare_columns(num, den, pairs, tuple(templates), counts, swaps, settings)
    comparisons = list(holm_correct(raw, family=f"template pairs in language {language}"))
    best = _best_template(language, templates, num, den, counts, comparisons, settings)
    return cells, [TemplateComparison(language, c) for c in comparisons], best


def _own_estimate(sample: MetricSample, settings: PairSettings, resamples: int) -> Estimate:
    return bootstrap_estimate(
        sample,
        confidence=settings.confidence,
        resamples=resamples,
        seed=settings.seed,
        method=settings.method,
    )


def _common_ids(
    language: str, samples: dict[str, MetricSample], mismatched: Mismatch
) -> tuple[str, ...]:
    union = set().union(*(s.ids for s in samples.values()))
    common = set(union).intersection(*(s.ids for s in samples.values()))
    if common != union and mismatched != "intersect":
        lacking = [
            f"{template} lacks {shorten_ids(sorted(union - set(sample.ids)))}"
            for template, sample in sorted(samples.items())
            if set(sample.ids) != union
        ]
        raise MetricError(
            f"templates in language {language!r} cover different encounters: "
            f"{'; '.join(lacking)}; re-run the failed cells or pass mismatched='intersect'"
        )
    if not common:
        raise MetricError(
            f"templates in language {language!r} share no encounter, so none can be compared; "
            "check that the cells come from the same run"
        )
    return tuple(sorted(common))


def _best_template(
    language: str,
    templates: list[str],
    num: FloatArray,
    den: FloatArray,
    counts: FloatArray,
    comparisons: list[PairedComparison],
    settings: PairSettings,
) -> BestTemplate:
    sign = 1.0 if settings.higher_is_better else -1.0
    values = num.sum(axis=0) / den.sum(axis=0)
    best = int(np.argmax(sign * values))
    probabilities = _probability_best(sign * replicates(counts, num, den))
    name = templates[best]
    n = num.shape[0]
    tied = [name]
    for c in comparisons:
        if name in (c.label_a, c.label_b):
            other = c.label_b if c.label_a == name else c.label_a
            favours_best = (c.change == "worse") == (c.label_a == name)
            # "Better than every other" needs every one of the leader's tests to reject: an
            # intersection-union test, at alpha per test with no adjustment (so the raw
            # p-value, not the all-pairs Holm one). Below the one rule for an interval nothing
            # is told apart, whatever a test says.
            beaten = not c.degenerate and c.p_permutation < 1.0 - c.confidence
            if not (has_interval(n) and beaten and favours_best):
                tied.append(other)
    chance = float(probabilities[best])
    if len(templates) == 1:
        statement = f"{name} is the only template in {language}"
    elif not has_interval(n):
        statement = (
            f"too few encounters in {language} to tell templates apart: {n}, at least "
            f"{MIN_ENCOUNTERS_FOR_INTERVAL} are needed"
        )
    elif len(tied) == 1:
        statement = (
            f"{name} is best in {language}: significantly better than all "
            f"{len(templates) - 1} others (best in {chance:.0%} of resamples)"
        )
    else:
        statement = (
            f"no clear winner in {language}: {', '.join(tied)} cannot be told apart "
            f"({name} best in {chance:.0%} of resamples)"
        )
    return BestTemplate(
        language=language,
        template=name,
        value=float(values[best]),
        probability_best=chance,
        probabilities=tuple((t, float(p)) for t, p in zip(templates, probabilities, strict=True)),
        clear_winner=len(tied) == 1,
        tied=tuple(tied),
        n=n,
        statement=statement,
    )


def _probability_best(signed: FloatArray) -> FloatArray:
    """Share of replicates in which each column is the largest (ties split evenly)."""
    rows = signed[~np.isnan(signed).any(axis=1)]
    if rows.shape[0] == 0:
        return np.full(signed.shape[1], np.nan)
    top = rows == rows.max(axis=1, keepdims=True)
    share: FloatArray = (top / top.sum(axis=1, keepdims=True)).mean(axis=0)
    return share
