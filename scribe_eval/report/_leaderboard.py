"""Leaderboards of note metrics and the pooled transcript figures, and which template is best.

A leaderboard ranks only templates scored against the same reference note type, in one output
language (and transcript source), and every number on it — table and card alike — is computed
on the encounters *every* template of the board scored (``n`` is stated). Samples come from the
results layer (`scribe_eval.compare.samples`); pairwise tests and the chance of being best from
`scribe_eval.stats.analyze_run` (paired).

A template is *recommended* only when it is significantly better than every other on the primary
metric (each of its paired tests at alpha, unadjusted: the call needs all of them to reject, an
intersection-union test, so no multiplicity adjustment applies; `scribe_eval.stats.BestTemplate`),
leads by at least the minimum practical difference, and is not worse beyond the
trade-off margin on section coverage, fact recall and the share of notes written (failures
count, on every encounter both templates attempted); otherwise the card says what blocks it.
Every comparison follows the one rule of `scribe_eval.stats.has_interval`: on fewer encounters
than an interval needs, the card says "too few encounters" with the count, and a trade-off that
cannot be checked blocks a recommendation as a loss would.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from scribe_eval.compare import RunData, samples, scored, slice_keys
from scribe_eval.errors import ScribeEvalError
from scribe_eval.metrics import METRICS, MetricSpec, fmt_against, fmt_change, fmt_points
from scribe_eval.report._metrics import HEADLINE, TRANSCRIPT_METRICS, note_metrics_for
from scribe_eval.stats import (
    MIN_ENCOUNTERS_FOR_INTERVAL,
    BestTemplate,
    MetricSample,
    PairedComparison,
    RunAnalysis,
    analyze_run,
    bootstrap_estimate,
    compare_paired,
    has_interval,
)
from scribe_eval.store import CellSummary

#: Metrics a recommended template must not lose beyond the trade-off margin.
GUARD_METRICS: tuple[str, ...] = ("section_coverage", "fact_recall")
#: The guard on failures (`_delivered`): the share of attempted notes a template wrote.
NOTES_WRITTEN = "notes written (failed cells count as not written)"

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
        # Too few encounters for an interval (the stats rule every page and the CLI follow).
        if self.n > 0 and not has_interval(self.n):
            object.__setattr__(self, "low", None)
            object.__setattr__(self, "high", None)


@dataclass
class LeaderRow:
    """One template on one board."""

    template: str
    spec_hash: str
    values: dict[str, Shown] = field(default_factory=dict)
    probability_best: float | None = None
    scored: int = 0
    failed: int = 0
    unscored: int = 0


@dataclass
class Leaderboard:
    """Templates x note metrics for one output language, source and reference note type."""

    group: str
    language: str
    source: str | None
    reference: str
    rows: list[LeaderRow]
    verdict: str = ""
    winner: str | None = None
    detail: str = ""
    n: int = 0
    dropped: int = 0
    where: dict[str, str] = field(default_factory=dict)
    #: Why the board has no P(best) column values (empty when it has them).
    no_probability: str = ""


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


def _board_key(data: RunData, language: str, source: str, reference: str) -> str:
    parts = [language]
    if data.several_sources:
        parts.append(SOURCE_LABELS.get(source, source))
    parts.append(f"reference: {reference or '?'}")
    return " · ".join(parts)


def note_leaderboards(data: RunData) -> list[Leaderboard]:
    """One board per (output language, source, reference note type), templates in order."""
    boards: dict[tuple[str, str, str], Leaderboard] = {}
    order = list(data.templates)
    for cell in (c for c in data.cells if c.kind == "document"):
        key = (cell.language, cell.source, data.reference_of(cell))
        board = boards.get(key)
        if board is None:
            source = cell.source if data.several_sources else None
            board = Leaderboard(_board_key(data, *key), key[0], source, key[2], [])
            boards[key] = board
        row = next((r for r in board.rows if r.template == cell.template_label), None)
        if row is None:
            info = data.templates.get(cell.template_label)
            row = LeaderRow(cell.template_label, (info.spec_hash if info else "") or cell.spec_hash)
            board.rows.append(row)
        if cell.status == "error":
            row.failed += 1
        elif cell.status == "ok" and cell.figures.unscored is not None:
            row.unscored += 1
        elif cell.status == "ok":
            row.scored += 1
    rank = {t: i for i, t in enumerate(order)}
    for (language, origin, reference), board in boards.items():
        board.rows.sort(key=lambda r: (rank.get(r.template, len(rank)), r.template))
        board.where = {"language": language, "source": origin, "reference": reference}
        _fill_board(data, board, board.where)
    return sorted(boards.values(), key=lambda b: b.group)


def board_samples(
    data: RunData,
    spec: MetricSpec,
    where: dict[str, str],
    encounters: set[str] | None = None,
) -> dict[str, MetricSample]:
    """Per template, a metric on a board's cells (its ``where``), optionally on some encounters.

    A board and every slice of it select their cells here, and compare templates only on the
    encounters all of them scored (`shared_ids`, `align`).
    """
    by_template = samples(data, spec, by=["template"], where=where, encounters=encounters)
    return {key[0][1]: sample for key, sample in by_template.items()}


def shared_ids(by_template: dict[str, MetricSample]) -> list[str]:
    """The encounters every template of ``by_template`` scored."""
    sets = [set(s.ids) for s in by_template.values()]
    return sorted(set.intersection(*sets)) if sets else []


def align(by_template: dict[str, MetricSample], common: list[str]) -> dict[str, MetricSample]:
    """Each template's sample on the ``common`` encounters only."""
    return {t: s.subset(sorted(set(s.ids) & set(common))) for t, s in by_template.items()}


def _fill_board(data: RunData, board: Leaderboard, where: dict[str, str]) -> None:
    metrics = note_metrics_for(data)
    per_metric = {spec.key: board_samples(data, spec, where) for spec in metrics}
    primary = per_metric[HEADLINE.key]
    common = shared_ids(primary)
    board.n = len(common)
    board.dropped = (
        len(set().union(*(s.ids for s in primary.values())) - set(common)) if primary else 0
    )
    aligned = {key: align(by_template, common) for key, by_template in per_metric.items()}
    delivered = _delivered(data, board)
    analysis = _analyze(data, HEADLINE, {t: s for t, s in aligned[HEADLINE.key].items() if s.n})
    best = analysis.best[0] if analysis and analysis.best else None
    board.no_probability = _no_probability(board, best)
    for row in board.rows:
        for spec in metrics:
            sample = aligned[spec.key].get(row.template)
            row.values[spec.key] = _estimate(data, sample)
        if best is not None and not board.no_probability:
            row.probability_best = dict(best.probabilities).get(row.template)
    board.verdict, board.winner, board.detail = _verdict(
        data, board, best, analysis, aligned, delivered
    )
    if board.winner is not None:
        winner = next(r for r in board.rows if r.template == board.winner)
        shown = winner.values[HEADLINE.key]
        winner.values[HEADLINE.key] = Shown(shown.value, shown.low, shown.high, shown.n, True)


def _no_probability(board: Leaderboard, best: BestTemplate | None) -> str:
    """Why a board shows no chance of being best (empty when it shows it)."""
    if len(board.rows) < 2:
        return "one template: there is nothing to compare it with"
    if best is None:
        return f"no {HEADLINE.label} on the encounters every template scored"
    if not has_interval(best.n):
        return (
            f"{best.n} encounter{'' if best.n == 1 else 's'} every template scored: too few "
            f"(at least {MIN_ENCOUNTERS_FOR_INTERVAL})"
        )
    return ""


def _delivered(data: RunData, board: Leaderboard) -> dict[str, MetricSample]:
    """Per template, 1 for each of the board's encounters it wrote a note for, 0 where it failed.

    The metrics are compared on the encounters every template scored, which leaves a template's
    failures out of them: this sample puts them back for the trade-off check (`_tradeoffs`).
    """
    outcomes: dict[str, dict[str, float]] = defaultdict(dict)
    for cell in data.cells:
        if cell.kind != "document" or cell.status not in ("ok", "error"):
            continue
        # The board's cells as its metrics select them (`samples` with the board's ``where``).
        for ((_, template),) in slice_keys(data, cell, ["template"], board.where):
            outcomes[template][cell.encounter_id] = 0.0 if cell.status == "error" else 1.0
    return {
        t: MetricSample.from_values(list(by_id), list(by_id.values()))
        for t, by_id in outcomes.items()
    }


def _analyze(
    data: RunData, spec: MetricSpec, by_template: dict[str, MetricSample]
) -> RunAnalysis | None:
    if not by_template:
        return None
    try:
        return analyze_run(
            {(t, "board"): s for t, s in by_template.items()},
            metric=spec.key, higher_is_better=bool(spec.higher_is_better), seed=data.seed,
            resamples=data.resamples, permutations=data.resamples,
        )  # fmt: skip
    except ScribeEvalError:
        return None


def _estimate(data: RunData, sample: MetricSample | None) -> Shown:
    if sample is None or sample.n == 0:
        return Shown(None)
    try:
        e = bootstrap_estimate(sample, seed=data.seed, resamples=data.resamples)
    except ScribeEvalError:
        return Shown(None)
    return Shown(e.value, e.low, e.high, e.n)


def _options(data: RunData) -> tuple[float, float]:
    metrics = data.run.config.get("metrics") or {}
    settings = data.meta.metrics
    practical = float(metrics.get("practical_difference", settings.practical_difference))
    margin = float(metrics.get("tradeoff_margin", settings.tradeoff_margin))
    return practical / 100.0, margin / 100.0


def _verdict(
    data: RunData,
    board: Leaderboard,
    best: BestTemplate | None,
    analysis: RunAnalysis | None,
    aligned: dict[str, dict[str, MetricSample]],
    delivered: dict[str, MetricSample],
) -> tuple[str, str | None, str]:
    label, where = HEADLINE.label, board.group
    n = f"n = {board.n} encounter{'' if board.n == 1 else 's'} every template scored"
    if board.dropped:
        n += f" ({board.dropped} scored by only some templates left out)"
    if best is None or analysis is None:
        unscored = sum(r.unscored for r in board.rows)
        plural = "s" if unscored != 1 else ""
        why = f" ({unscored} document{plural} written, none with a reference to score against)"
        return f"Nothing scored in {where}", None, f"No {label} to rank{why if unscored else ''}."
    if len(best.probabilities) == 1:
        return f"Only one template ({best.template}) was scored in {where}.", None, n
    if not has_interval(board.n):
        # The one rule for a comparison (no interval below it): no template is called better,
        # tied or worth its trade-offs on these encounters; the table still shows their values.
        return (
            f"Too few encounters to compare templates in {where}",
            None,
            f"{n}: too few for an interval, so no template is called better than another "
            f"(a comparison needs at least {MIN_ENCOUNTERS_FOR_INTERVAL}); add encounters.",
        )
    contender = _closest(analysis, best.template)
    practical, margin = _options(data)
    if not best.clear_winner:
        blocking = _least_separated(analysis, best.template)
        reason = _why_not_separated(blocking, best.template, practical) if blocking else ""
        behind = [t for t, _ in best.probabilities if t not in best.tied]
        if behind:
            reason += f" Significantly behind {best.template}: {', '.join(behind)}."
        # No call is made, but what the leader would cost on the guard metrics is said anyway:
        # a tie on ROUGE can hide a large loss of sections or facts.
        costs = _tradeoffs(data, best.template, aligned, delivered, margin)
        if costs:
            reason += f" Before choosing {best.template}: " + "; ".join(costs) + "."
        top = _top(analysis, best)
        leader = (
            f"{best.template} has the highest value"
            if len(top) == 1
            else f"{' and '.join(top)} share the highest value"
        )
        return (
            f"No clear winner in {where} on {label}",
            None,
            f"{', '.join(best.tied)} cannot be told apart; {leader} "
            f"({_chance(best, analysis)}); {n}.{reason}",
        )
    lead = abs(contender.difference) if contender else 0.0
    shown_lead = _gap(contender) if contender else fmt_points(0.0)
    if lead < practical:
        exact, minimum = fmt_against(lead, practical)
        if float(shown_lead) >= float(minimum):
            # The table's values differ by the minimum the lead falls short of ("1.0 ... less
            # than the 1.0-point minimum"): say the lead as it was compared, which decided.
            shown_lead = f"{exact} ({shown_lead} as rounded in the table)"
        return (
            f"No practical difference in {where} on {label}",
            None,
            f"{best.template} leads by {shown_lead} points, significantly, but less than "
            f"the {minimum}-point minimum practical difference; {n}.",
        )
    blocked = _tradeoffs(data, best.template, aligned, delivered, margin)
    if blocked:
        return (
            f"{best.template} leads {label} in {where}, but not recommended",
            None,
            f"It is significantly better on {label} by at least {shown_lead} points, but "
            + "; ".join(blocked)
            + f" (trade-off margin {fmt_points(margin)} points); {n}.",
        )
    return (
        f"{best.template} is recommended in {where}",
        best.template,
        f"Significantly better on {label} than every other template (a paired randomization "
        f"test against each, every one at alpha {1 - analysis.confidence:.2g}: no adjustment, "
        f"as all must reject), by at least {shown_lead} "
        f"points; not worse beyond {fmt_points(margin)} points on section coverage, fact "
        f"recall or notes written; {_chance(best, analysis)}; {n}.",
    )


def _top(analysis: RunAnalysis, best: BestTemplate) -> list[str]:
    """The templates whose value equals the leader's exactly (the leader is the first of them by
    name only: an exact tie has no leader)."""
    return sorted(c.template for c in analysis.cells if c.estimate.value == best.value)


def _chance(best: BestTemplate, analysis: RunAnalysis) -> str:
    if not has_interval(best.n):
        return f"only {best.n} shared encounter(s): too few to say how likely it is best"
    return f"best in {best.probability_best:.0%} of {analysis.resamples} bootstrap resamples"


def _gap(c: PairedComparison) -> str:
    """The size of ``c``'s difference as the board shows it: the difference of its two values
    as shown in the table (`fmt_change`), so the card agrees with the reader's arithmetic.

    The board's samples are aligned to the encounters every template scored, so the pair's
    values are the table's. Decisions use ``c.difference``, never this text.
    """
    return fmt_change(c.value_a, c.value_b, signed=False)


def _closest(analysis: RunAnalysis, best: str) -> PairedComparison | None:
    """The comparison of ``best`` with the template closest to it."""
    mine = [
        c.comparison
        for c in analysis.comparisons
        if best in (c.comparison.label_a, c.comparison.label_b)
    ]
    return min(mine, key=lambda c: abs(c.difference)) if mine else None


def _least_separated(analysis: RunAnalysis, best: str) -> PairedComparison | None:
    """The comparison of ``best`` that is furthest from rejecting (largest raw p-value, the one
    the clear-winner call uses), which is what stops the call."""
    mine = [
        c.comparison
        for c in analysis.comparisons
        if best in (c.comparison.label_a, c.comparison.label_b)
    ]
    return max(mine, key=lambda c: (c.p_permutation, -abs(c.difference))) if mine else None


def _tradeoffs(
    data: RunData,
    best: str,
    aligned: dict[str, dict[str, MetricSample]],
    delivered: dict[str, MetricSample],
    margin: float,
) -> list[str]:
    """What the leader may lose beyond the margin on the guard metrics, one clause each.

    The guards are `GUARD_METRICS` on the encounters every template scored, and the share of
    notes written (`_delivered`) on every encounter two templates both attempted: a template
    that fails where another writes its note is not recommended on the notes it did write.
    """
    guards = [(METRICS[key].label, aligned.get(key, {})) for key in GUARD_METRICS]
    guards.append((NOTES_WRITTEN, delivered))
    out = []
    for label, by_template in guards:
        mine = by_template.get(best)
        for other, theirs in sorted(by_template.items()):
            if other == best or mine is None:
                continue
            ids = sorted(set(mine.ids) & set(theirs.ids))
            if not has_interval(len(ids)):
                # Too few to rule a loss out is no "not worse": the clause blocks a
                # recommendation as a loss would, and says on how many encounters.
                shared = f"only {len(ids)} encounter{'' if len(ids) == 1 else 's'}"
                out.append(
                    f"{shared} shared with {other} have {label}: too few to say what "
                    f"choosing it costs there (at least {MIN_ENCOUNTERS_FOR_INTERVAL})"
                )
                continue
            c = compare_paired(
                theirs.subset(ids), mine.subset(ids), higher_is_better=True, seed=data.seed,
                resamples=data.resamples, permutations=100,
            )  # fmt: skip
            if -c.low > margin:
                # The bound is no difference of the two means shown beside it: say so, and
                # print the means' difference as the reader computes it from them.
                out.append(
                    f"it may be up to {fmt_points(-c.low)} points worse than {other} on "
                    f"{label} (interval bound; means {fmt_points(c.value_b)} vs "
                    f"{fmt_points(c.value_a)}, {fmt_change(c.value_a, c.value_b)})"
                )
    return out


def _why_not_separated(c: PairedComparison, best: str, practical: float = 0.01) -> str:
    """Why the contender of ``c`` could not be told apart from ``best``, and what would help."""
    other = c.label_b if c.label_a == best else c.label_a
    if not has_interval(c.n):
        return f" With {c.n} shared encounter(s) no comparison is possible: add encounters."
    if c.difference == 0:
        return f" It ties with {other} on {c.n} encounters: neither leads."
    alpha = 1.0 - c.confidence
    smallest_p = 2.0 / 2**c.n if c.permutation_exact else 0.0
    if smallest_p >= alpha:
        return (
            f" With only {c.n} shared encounters no difference can reach significance (the "
            f"smallest possible p-value is {smallest_p:.2g}): add encounters."
        )
    if c.mde is not None and abs(c.difference) < c.mde:
        target = max(practical, abs(c.difference))
        needed = int(c.n * (c.mde / target) ** 2) + 1 if target > 0 else None
        more = (
            f" About {needed} encounters would detect a {fmt_points(target)}-point difference."
            if needed
            else ""
        )
        return (
            f" With {c.n} encounters, differences smaller than about {fmt_points(c.mde)} points "
            f"could not be detected reliably (80% power); {best} leads {other} by "
            f"{_gap(c)}.{more}"
        )
    return (
        f" Its lead over {other} ({_gap(c)} points on {c.n} encounters) is "
        f"not significant (paired randomization test, p = {c.p_permutation:.2g})."
    )


def transcript_summaries(data: RunData) -> list[TranscriptSummary]:
    """Pooled WER, CER and term recall per recording language, over ASR transcripts."""
    failed: dict[str, int] = defaultdict(int)
    normalizers = data.meta.metrics.normalizers
    for cells in data.transcripts.values():
        for cell in cells:
            if cell.source == "asr" and cell.status == "error":
                failed[cell.language] += 1
    per_metric = {
        spec.key: samples(data, spec, by=["language"], where={"source": "asr"})
        for spec in TRANSCRIPT_METRICS
    }
    languages = {k[0][1] for by_key in per_metric.values() for k in by_key} | set(failed)
    wer = METRICS["wer"]
    out = []
    for language in sorted(languages):
        key = (("language", language),)
        cells = [c for c in scored(data, wer) if c.source == "asr" and c.language == language]
        values = {m: _estimate(data, per_metric[m].get(key)) for m in per_metric}
        counts = {
            k: int(sum(c.figures.get(k) or 0 for c in cells))
            for k in ("substitutions", "deletions", "insertions", "ref_words")
        }
        normalizer = (cells[0].figures.normalizer or "") if cells else normalizers.get(language, "")
        n = per_metric["wer"][key].n if key in per_metric["wer"] else 0
        speakers = _speakers(data, cells)
        out.append(
            TranscriptSummary(
                language, n, failed.get(language, 0), values, counts, speakers, normalizer
            )
        )
    return out


def _speakers(data: RunData, cells: list[CellSummary]) -> dict[str, Shown]:
    parts: dict[str, tuple[list[str], list[float], list[float]]] = defaultdict(lambda: ([], [], []))
    for cell in cells:
        for role, figures in cell.figures.speakers.items():
            errors, words = figures.errors, figures.ref_words
            if errors is not None and words is not None and words > 0:
                ids, nums, dens = parts[role]
                ids.append(cell.encounter_id)
                nums.append(errors)
                dens.append(words)
    return {role: _estimate(data, MetricSample.from_ratio(*p)) for role, p in sorted(parts.items())}
