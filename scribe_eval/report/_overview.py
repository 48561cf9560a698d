"""The overview page's other parts: what was run, failures, slices, distributions, encounters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from scribe_eval.report._data import RunData, page_name
from scribe_eval.report._leaderboard import (
    Leaderboard,
    Shown,
    group_of,
    note_samples,
    pooled_sample,
    scored_documents,
)
from scribe_eval.report._metrics import HEADLINE, is_number, ratio_parts
from scribe_eval.report._svg import StripRow, strip_chart
from scribe_eval.stats import MetricSample, analyze_run, bootstrap_estimate
from scribe_eval.store import CellRecord

_MAX_FAILURES = 500


@dataclass
class EncounterRow:
    """One encounter in the overview table."""

    id: str
    page: str | None
    language: str
    specialty: str
    visit_type: str
    tags: list[str]
    wer: float | None
    values: dict[str, float | None] = field(default_factory=dict)
    missing_sections: int = 0
    failures: int = 0


@dataclass
class SliceRow:
    """One dataset slice: how many encounters, and a figure per (language group, system) column.

    The system is a template (its headline note metric) or ``transcripts`` (WER).
    """

    slice: str
    kind: str
    n: int
    values: dict[tuple[str, str], Shown] = field(default_factory=dict)


def slice_columns(rows: list[SliceRow], templates: list[str]) -> list[tuple[str, str]]:
    """Every (group, system) column the slice rows fill: per group, templates in the
    experiment's order, then WER."""
    keys = {key for row in rows for key in row.values}
    rank = {name: i for i, name in enumerate(templates)}
    return sorted(
        keys, key=lambda k: (k[0], k[1] == "transcripts", rank.get(k[1], len(rank)), k[1])
    )


def templates_in_order(data: RunData) -> list[str]:
    """Template labels in the experiment's order, then any others the cells name."""
    order = [str(t["label"]) for t in data.run.provenance.get("templates", [])]
    seen = {c.template_label for cells in data.documents.values() for c in cells}
    return order + sorted(seen - set(order))


def failures(data: RunData) -> tuple[list[CellRecord], int]:
    """Failed cells (at most 500 are listed) and how many there are in all."""
    failed = [c for c in data.cells if c.status == "error"]
    return failed[:_MAX_FAILURES], len(failed)


def status_counts(data: RunData) -> dict[str, dict[str, int]]:
    """Cell kind -> status -> count."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cell in data.cells:
        counts[cell.kind][cell.status] += 1
    return {kind: dict(v) for kind, v in counts.items()}


def _labels(data: RunData, encounter_id: str) -> list[str]:
    encounter = data.encounter(encounter_id)
    if encounter is None:
        return []
    meta = encounter.metadata
    out = [f"specialty: {meta.specialty}"] if meta.specialty else []
    out += [f"visit type: {meta.visit_type}"] if meta.visit_type else []
    return out + [f"tag: {tag}" for tag in meta.tags]


def encounter_rows(data: RunData, *, pages: bool) -> list[EncounterRow]:
    """One row per encounter: WER of its ASR transcript and each template's headline metric."""
    rows = []
    for encounter_id in data.encounter_ids:
        encounter = data.encounter(encounter_id)
        transcripts = data.transcripts.get(encounter_id, [])
        documents = data.documents.get(encounter_id, [])
        asr = next((c for c in transcripts if c.source == "asr" and c.status == "ok"), None)
        parts = ratio_parts(asr.scores, "wer") if asr else None
        language = (
            encounter.language
            if encounter
            else next((c.recording_language for c in transcripts + documents), "")
        )
        meta = encounter.metadata if encounter else None
        row = EncounterRow(
            id=encounter_id,
            page=f"encounters/{page_name(encounter_id)}" if pages else None,
            language=language,
            specialty=(meta.specialty or "") if meta else "",
            visit_type=(meta.visit_type or "") if meta else "",
            tags=list(meta.tags) if meta else [],
            wer=parts[0] / parts[1] if parts and parts[1] > 0 else None,
            failures=sum(c.status == "error" for c in transcripts + documents),
        )
        for cell in sorted(documents, key=lambda c: c.source != "asr"):
            value = cell.scores.get(HEADLINE.key)
            if cell.template_label not in row.values and is_number(value):
                row.values[cell.template_label] = float(value)
                row.missing_sections += int(cell.scores.get("missing_sections") or 0)
        rows.append(row)
    return rows


def slice_rows(data: RunData) -> list[SliceRow]:
    """The headline metric per template and WER per language, on every dataset slice."""
    members: dict[str, set[str]] = defaultdict(set)
    for encounter_id in data.encounter_ids:
        for label in _labels(data, encounter_id):
            members[label].add(encounter_id)
    samples = note_samples(data, HEADLINE, scored_documents(data))
    transcripts = _asr_by_language(data)
    out = []
    for label in sorted(members):
        ids = members[label]
        row = SliceRow(label, label.split(":", 1)[0], len(ids))
        subsets = {}
        for key, sample in samples.items():
            subset = [i for i in sample.ids if i in ids]
            if subset:
                subsets[key] = sample.subset(subset)
        for (template, group), shown in _shared_estimates(data, subsets):
            row.values[(group, template)] = shown
        for language, cells in sorted(transcripts.items()):
            wer = pooled_sample([c for c in cells if c.encounter_id in ids], "wer")
            if wer is not None:
                row.values[(language, "transcripts")] = _estimate(data, wer)
        out.append(row)
    return out


def _shared_estimates(
    data: RunData, samples: dict[tuple[str, str], MetricSample]
) -> list[tuple[tuple[str, str], Shown]]:
    """Every template's estimate per group from one shared bootstrap draw (`analyze_run`'s
    cells equal standalone `bootstrap_estimate` results for the same seed)."""
    if not samples:
        return []
    analysis = analyze_run(
        samples,
        metric=HEADLINE.key,
        higher_is_better=True,
        seed=data.seed,
        resamples=data.resamples,
        permutations=1,
        mismatched="intersect",
    )
    shown = {(c.template, c.language): c.estimate for c in analysis.cells}
    return [
        (key, Shown(e.value, e.low, e.high, e.n))
        for key, e in sorted(shown.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


def _asr_by_language(data: RunData) -> dict[str, list[CellRecord]]:
    out: dict[str, list[CellRecord]] = defaultdict(list)
    for cells in data.transcripts.values():
        for cell in cells:
            if cell.source == "asr" and cell.status == "ok":
                out[cell.recording_language].append(cell)
    return out


def _estimate(data: RunData, sample: Any) -> Shown:
    e = bootstrap_estimate(sample, seed=data.seed, resamples=data.resamples)
    return Shown(e.value, e.low, e.high, e.n)


def note_distributions(
    data: RunData, boards: list[Leaderboard], *, pages: bool
) -> list[tuple[str, Markup]]:
    """Per language group: a strip chart of the headline metric, one row per template."""
    points: dict[tuple[str, str], list[tuple[str, float, str | None]]] = defaultdict(list)
    for cell in scored_documents(data):
        value = cell.scores.get(HEADLINE.key)
        if is_number(value):
            href = f"encounters/{page_name(cell.encounter_id)}" if pages else None
            points[(group_of(data, cell), cell.template_label)].append(
                (cell.encounter_id, float(value), href)
            )
    charts = []
    for board in boards:
        rows = [
            StripRow(
                r.template,
                tuple(points.get((board.group, r.template), [])),
                r.values[HEADLINE.key].value,
                r.values[HEADLINE.key].low,
                r.values[HEADLINE.key].high,
            )
            for r in board.rows
            if HEADLINE.key in r.values
        ]
        if rows:
            title = f"{HEADLINE.label} per encounter, {board.group}"
            charts.append((title, strip_chart(rows, title=title, higher_is_better=True)))
    return charts


def wer_distribution(data: RunData, summaries: list[Any], *, pages: bool) -> Markup | None:
    """A strip chart of per-recording WER, one row per recording language."""
    rows = []
    for summary in summaries:
        pts = []
        for cell in _asr_by_language(data).get(summary.language, []):
            parts = ratio_parts(cell.scores, "wer")
            if parts and parts[1] > 0:
                href = f"encounters/{page_name(cell.encounter_id)}" if pages else None
                pts.append((cell.encounter_id, parts[0] / parts[1], href))
        shown = summary.values["wer"]
        rows.append(StripRow(summary.language, tuple(pts), shown.value, shown.low, shown.high))
    if not rows:
        return None
    return strip_chart(rows, title="WER per recording", higher_is_better=False)
