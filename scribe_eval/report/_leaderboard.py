"""Per-language leaderboards of note metrics and the pooled transcript figures, with intervals.

Every interval is a bootstrap over encounters with the run's recorded seed and resample count;
"best" comes from `scribe_eval.stats.analyze_run` (paired, Holm-corrected within a language) and
is marked only when the winner is significantly better than every other template.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from scribe_eval.errors import ScribeEvalError
from scribe_eval.report._data import RunData
from scribe_eval.report._metrics import (
    HEADLINE,
    NOTE_METRICS,
    TRANSCRIPT_METRICS,
    MetricDef,
    is_number,
    ratio_parts,
)
from scribe_eval.stats import (
    BestTemplate,
    Estimate,
    MetricSample,
    PairedComparison,
    RunAnalysis,
    analyze_run,
    bootstrap_estimate,
)
from scribe_eval.store import CellRecord

#: Below this many encounters the report shows no interval and no chance of being best.
MIN_ENCOUNTERS_FOR_CHANCE = 3

SOURCE_LABELS = {
    "asr": "written from the ASR transcript",
    "reference": "written from the reference transcript",
}


@dataclass(frozen=True)
class Shown:
    """One number as shown: value, interval, encounters, and whether it is a supported best."""

    value: float | None
    low: float | None = None
    high: float | None = None
    n: int = 0
    best: bool = False

    def __post_init__(self) -> None:
        # One encounter has no interval, and a bootstrap over two is no honest one: show none.
        if 0 < self.n < MIN_ENCOUNTERS_FOR_CHANCE:
            object.__setattr__(self, "low", None)
            object.__setattr__(self, "high", None)


@dataclass
class LeaderRow:
    """One template in one language group."""

    template: str
    spec_hash: str
    values: dict[str, Shown] = field(default_factory=dict)
    probability_best: float | None = None
    scored: int = 0
    failed: int = 0
    unscored: int = 0


@dataclass
class Leaderboard:
    """Templates x note metrics for one output language (and transcript source when several)."""

    group: str
    language: str
    source: str | None
    rows: list[LeaderRow]
    verdict: str
    winner: str | None
    detail: str


@dataclass
class TranscriptSummary:
    """Pooled transcript figures of one recording language (shared by every template)."""

    language: str
    n: int
    failed: int
    values: dict[str, Shown]
    counts: dict[str, int]
    speakers: dict[str, Shown]
    normalizer: str


def scored_documents(data: RunData) -> list[CellRecord]:
    """Document cells that finished and were scored."""
    return [
        c
        for cells in data.documents.values()
        for c in cells
        if c.status == "ok" and "unscored" not in c.scores
    ]


def group_of(data: RunData, cell: CellRecord) -> str:
    """The leaderboard a document cell belongs to: its language, plus its source when the run
    used several transcript sources (the same encounter then has one document per source)."""
    if len(data.run.config.get("sources") or ["asr"]) > 1:
        return f"{cell.language} · {SOURCE_LABELS.get(cell.source, cell.source)}"
    return cell.language


def note_samples(
    data: RunData, metric: MetricDef, cells: Iterable[CellRecord]
) -> dict[tuple[str, str], MetricSample]:
    """Per (template, group): the per-encounter values of one note metric."""
    values: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for cell in cells:
        value = cell.scores.get(metric.key)
        if is_number(value):
            values[(cell.template_label, group_of(data, cell))][cell.encounter_id] = float(value)
    return {
        key: MetricSample.from_values(list(v), list(v.values())) for key, v in values.items() if v
    }


def analyze(
    data: RunData, metric: MetricDef, samples: dict[tuple[str, str], MetricSample]
) -> RunAnalysis | None:
    """`analyze_run` with the run's seed and resamples; None when nothing can be estimated."""
    if not samples:
        return None
    try:
        return analyze_run(
            samples,
            metric=metric.key,
            higher_is_better=metric.higher_is_better,
            seed=data.seed,
            resamples=data.resamples,
            permutations=data.resamples,
            mismatched="intersect",
        )
    except ScribeEvalError:
        return None


def note_leaderboards(data: RunData) -> list[Leaderboard]:
    """One leaderboard per language group, templates in the experiment's order."""
    cells = scored_documents(data)
    order = [t["label"] for t in data.run.provenance.get("templates", [])]
    hashes = {t["label"]: t.get("spec_hash", "") for t in data.run.provenance.get("templates", [])}
    boards: dict[str, Leaderboard] = {}
    for cell in (c for cells in data.documents.values() for c in cells):
        group = group_of(data, cell)
        board = boards.setdefault(
            group, Leaderboard(group, cell.language, _source(data, cell), [], "", None, "")
        )
        row = next((r for r in board.rows if r.template == cell.template_label), None)
        if row is None:
            row = LeaderRow(cell.template_label, hashes.get(cell.template_label, cell.spec_hash))
            board.rows.append(row)
        if cell.status == "error":
            row.failed += 1
        elif cell.status == "ok" and "unscored" in cell.scores:
            row.unscored += 1
        elif cell.status == "ok":
            row.scored += 1
    for board in boards.values():
        board.rows.sort(
            key=lambda r: (
                order.index(r.template) if r.template in order else len(order),
                r.template,
            )
        )
    for metric in NOTE_METRICS:
        samples = note_samples(data, metric, cells)
        analysis = analyze(data, metric, samples)
        for board in boards.values():
            _fill(board, metric, samples, analysis, data)
    return sorted(boards.values(), key=lambda b: b.group)


def _source(data: RunData, cell: CellRecord) -> str | None:
    return cell.source if len(data.run.config.get("sources") or ["asr"]) > 1 else None


def _fill(
    board: Leaderboard,
    metric: MetricDef,
    samples: dict[tuple[str, str], MetricSample],
    analysis: RunAnalysis | None,
    data: RunData,
) -> None:
    best = next((b for b in analysis.best if b.language == board.group), None) if analysis else None
    for row in board.rows:
        sample = samples.get((row.template, board.group))
        if sample is None:
            row.values[metric.key] = Shown(None)
            continue
        estimate = _cell_estimate(analysis, row.template, board.group, sample, data)
        supported = best is not None and best.clear_winner and best.template == row.template
        row.values[metric.key] = Shown(
            estimate.value,
            estimate.low,
            estimate.high,
            estimate.n,
            supported and len(board.rows) > 1,
        )
        if metric is HEADLINE and best is not None and best.n >= MIN_ENCOUNTERS_FOR_CHANCE:
            row.probability_best = dict(best.probabilities).get(row.template)
    if metric is HEADLINE:
        board.verdict, board.winner, board.detail = _verdict(board, best, analysis)


def _cell_estimate(
    analysis: RunAnalysis | None, template: str, group: str, sample: MetricSample, data: RunData
) -> Estimate:
    if analysis is not None:
        try:
            return analysis.cell(template, group)
        except ScribeEvalError:
            pass
    return bootstrap_estimate(sample, seed=data.seed, resamples=data.resamples)


def _verdict(
    board: Leaderboard, best: BestTemplate | None, analysis: RunAnalysis | None
) -> tuple[str, str | None, str]:
    label = HEADLINE.label
    if best is None or analysis is None:
        return f"No {label} could be estimated for {board.group}.", None, ""
    if len(best.probabilities) == 1:
        return f"Only one template ({best.template}) was scored in {board.group}.", None, ""
    chance = f"best in {best.probability_best:.0%} of {analysis.resamples} bootstrap resamples"
    if best.n < MIN_ENCOUNTERS_FOR_CHANCE:
        chance = f"only {best.n} shared encounter(s): too few to say how likely it is best"
    if best.clear_winner:
        return (
            f"{best.template} is best in {board.group} on {label}",
            best.template,
            f"significantly better than every other template (paired test, Holm-corrected, "
            f"alpha {1 - analysis.confidence:.2g}); {chance}; n = {best.n} encounters.",
        )
    tied = [
        c.comparison
        for c in analysis.comparisons
        if c.language == board.group
        and best.template in (c.comparison.label_a, c.comparison.label_b)
        and {c.comparison.label_a, c.comparison.label_b} <= set(best.tied)
    ]
    limit = _why_not_separated(max(tied, key=lambda c: c.p_adjusted), best.template) if tied else ""
    return (
        f"No clear winner in {board.group} on {label}",
        None,
        f"{', '.join(best.tied)} cannot be told apart; {best.template} has the highest value "
        f"({chance}).{limit}",
    )


def _why_not_separated(c: PairedComparison, best: str) -> str:
    """The reason the closest contender could not be told apart from ``best``, in one sentence."""
    other = c.label_b if c.label_a == best else c.label_a
    if c.n < 2:
        return f" With {c.n} shared encounter(s) no comparison is possible: add encounters."
    alpha = 1.0 - c.confidence
    smallest_p = 2.0 / 2**c.n if c.permutation_exact else 0.0
    if smallest_p >= alpha:
        return (
            f" With only {c.n} shared encounters no difference can reach significance (the "
            f"smallest possible p-value is {smallest_p:.2g}): add encounters."
        )
    if c.mde is not None and abs(c.difference) < c.mde:
        return (
            f" With {c.n} encounters, differences smaller than about {c.mde * 100:.1f} points "
            f"could not be detected reliably (80% power); {best} leads {other} by "
            f"{abs(c.difference) * 100:.1f}."
        )
    return (
        f" Its lead over {other} ({abs(c.difference) * 100:.1f} points on {c.n} encounters) is "
        f"not significant after Holm correction (p = {c.p_adjusted:.2g})."
    )


def transcript_summaries(data: RunData) -> list[TranscriptSummary]:
    """Pooled WER, CER and term recall per recording language, over ASR transcripts."""
    by_language: dict[str, list[CellRecord]] = defaultdict(list)
    failed: dict[str, int] = defaultdict(int)
    normalizers = data.run.provenance.get("metrics", {}).get("normalizers", {})
    for cells in data.transcripts.values():
        for cell in cells:
            if cell.source != "asr":
                continue
            if cell.status == "error":
                failed[cell.recording_language] += 1
            elif cell.status == "ok" and ratio_parts(cell.scores, "wer") is not None:
                by_language[cell.recording_language].append(cell)
    out = []
    for language in sorted(set(by_language) | set(failed)):
        cells = by_language.get(language, [])
        values = {m.key: _pooled(data, cells, m.key) for m in TRANSCRIPT_METRICS}
        counts = {
            k: int(sum(c.scores.get(k, 0) or 0 for c in cells))
            for k in ("substitutions", "deletions", "insertions", "ref_words")
        }
        normalizer = (
            str(cells[0].scores.get("normalizer", "")) if cells else normalizers.get(language, "")
        )
        out.append(
            TranscriptSummary(
                language,
                len(cells),
                failed.get(language, 0),
                values,
                counts,
                _speakers(data, cells),
                normalizer,
            )
        )
    return out


def pooled_sample(cells: Iterable[CellRecord], key: str) -> MetricSample | None:
    """The per-encounter numerators and denominators of a pooled transcript metric."""
    ids, nums, dens = [], [], []
    for cell in cells:
        parts = ratio_parts(cell.scores, key)
        if parts is not None and parts[1] > 0:
            ids.append(cell.encounter_id)
            nums.append(parts[0])
            dens.append(parts[1])
    return MetricSample.from_ratio(ids, nums, dens) if ids else None


def _pooled(data: RunData, cells: list[CellRecord], key: str) -> Shown:
    sample = pooled_sample(cells, key)
    return _estimate(data, sample)


def _estimate(data: RunData, sample: MetricSample | None) -> Shown:
    if sample is None:
        return Shown(None)
    try:
        e = bootstrap_estimate(sample, seed=data.seed, resamples=data.resamples)
    except ScribeEvalError:
        return Shown(None)
    return Shown(e.value, e.low, e.high, e.n)


def _speakers(data: RunData, cells: list[CellRecord]) -> dict[str, Shown]:
    parts: dict[str, tuple[list[str], list[float], list[float]]] = defaultdict(lambda: ([], [], []))
    for cell in cells:
        for role, figures in (cell.scores.get("speakers") or {}).items():
            errors, words = figures.get("errors"), figures.get("ref_words")
            if is_number(errors) and is_number(words) and words > 0:
                ids, nums, dens = parts[role]
                ids.append(cell.encounter_id)
                nums.append(float(errors))
                dens.append(float(words))
    return {role: _estimate(data, MetricSample.from_ratio(*p)) for role, p in sorted(parts.items())}
