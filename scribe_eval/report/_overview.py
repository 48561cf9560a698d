"""The overview page's other parts: what was run, failures, slices, distributions, encounters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from scribe_eval.compare import RunData, page_name, per_encounter_values, samples
from scribe_eval.report._leaderboard import Leaderboard, Shown, align, board_samples, shared_ids
from scribe_eval.report._metrics import HEADLINE, WER, is_number
from scribe_eval.report._svg import StripRow, strip_chart
from scribe_eval.stats import MetricSample, bootstrap_estimate
from scribe_eval.store import CellSummary

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
    """One dataset slice: how many encounters, and a figure per (group, system) column.

    A group is a leaderboard (``Leaderboard.group``: output language, source, reference note
    type), or a recording language no board has. The system is a template (its headline note
    metric, on the slice's encounters every template of the board scored, as the board compares
    them) or ``transcripts`` (WER of the recordings of the board's language).
    """

    slice: str
    kind: str
    n: int
    values: dict[tuple[str, str], Shown] = field(default_factory=dict)
    shared: dict[str, int] = field(default_factory=dict)

    def n_in(self, group: str) -> int:
        """Encounters of this slice in one group: those every template scored, or else (a group
        with no templates) the recordings its WER is on."""
        if group in self.shared:
            return self.shared[group]
        return self.wer_n(group)

    def wer_n(self, group: str) -> int:
        """Recordings of this slice the group's WER column is on (0 without one)."""
        return self.values.get((group, "transcripts"), Shown(None)).n

    def shows(self, group: str) -> bool:
        """Whether any column of ``group`` has a figure on this slice."""
        return any(v.n for (g, _), v in self.values.items() if g == group)


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
    order = list(data.templates)
    seen = {c.template_label for cells in data.documents.values() for c in cells}
    return order + sorted(seen - set(order))


def failures(data: RunData) -> tuple[list[CellSummary], int]:
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
        parts = WER.parts(asr.figures) if asr else None
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
        # One note per template: the one written from the ASR transcript in the recording's own
        # language, else the nearest to it (an encounter with notes in several languages showed
        # whichever was stored first).
        for cell in sorted(
            documents, key=lambda c: (c.source != "asr", c.language != language, c.language)
        ):
            value = cell.figures.get(HEADLINE.key)
            if cell.template_label not in row.values and is_number(value):
                row.values[cell.template_label] = float(value)
                row.missing_sections += int(cell.figures.get("missing_sections") or 0)
        rows.append(row)
    return rows


def slice_rows(data: RunData, boards: list[Leaderboard]) -> list[SliceRow]:
    """The headline metric per template of each board, and WER per language, on every slice.

    Templates are compared as their board compares them: on the board's cells (its ``where``)
    and only on the slice's encounters every template scored, so a template that failed its
    hardest encounters is not averaged over easier ones than the others.
    """
    members: dict[str, set[str]] = defaultdict(set)
    for encounter_id in data.encounter_ids:
        for label in _labels(data, encounter_id):
            members[label].add(encounter_id)
    out = []
    for label in sorted(members):
        ids = members[label]
        row = SliceRow(label, label.split(":", 1)[0], len(ids))
        for board in boards:
            by_template = board_samples(data, HEADLINE, board.where, encounters=ids)
            common = shared_ids(by_template)
            row.shared[board.group] = len(common)
            for template, sample in align(by_template, common).items():
                row.values[(board.group, template)] = _estimate(data, sample)
        wer = samples(data, WER, by=["language"], where={"source": "asr"}, encounters=ids)
        for key, sample in sorted(wer.items()):
            language = dict(key)["language"]
            groups = [b.group for b in boards if b.language == language] or [language]
            for group in groups:
                row.values[(group, "transcripts")] = _estimate(data, sample)
        out.append(row)
    return out


def _estimate(data: RunData, sample: MetricSample) -> Shown:
    if sample.n == 0:
        return Shown(None)
    e = bootstrap_estimate(sample, seed=data.seed, resamples=data.resamples)
    return Shown(e.value, e.low, e.high, e.n)


def note_distributions(
    data: RunData, boards: list[Leaderboard], *, pages: bool
) -> list[tuple[str, Markup]]:
    """Per board: a strip chart of the headline metric, one row per template, on the board's
    encounters (those every template scored), so that its line is the mean of its dots and the
    leaderboard's value; the title says how many encounters were left out."""
    charts = []
    for board in boards:
        by_template = board_samples(data, HEADLINE, board.where)
        per_template = align(by_template, shared_ids(by_template))
        rows = []
        for r in board.rows:
            sample = per_template.get(r.template)
            points = [
                (eid, value, f"encounters/{page_name(eid)}" if pages else None)
                for eid, value in (per_encounter_values(sample) if sample else {}).items()
            ]
            shown = r.values[HEADLINE.key]
            rows.append(StripRow(r.template, tuple(points), shown.value, shown.low, shown.high))
        if rows:
            title = f"{HEADLINE.label} per encounter, {board.group}"
            if board.dropped:
                title += (
                    f" ({board.dropped} encounter{'' if board.dropped == 1 else 's'} not scored "
                    "by every template left out, as in the leaderboard)"
                )
            charts.append((title, strip_chart(rows, title=title, higher_is_better=True)))
    return charts


def wer_distribution(data: RunData, summaries: list[Any], *, pages: bool) -> Markup | None:
    """A strip chart of per-recording WER, one row per recording language."""
    per_language = samples(data, WER, by=["language"], where={"source": "asr"})
    rows = []
    for summary in summaries:
        sample = per_language.get((("language", summary.language),))
        pts = [
            (eid, value, f"encounters/{page_name(eid)}" if pages else None)
            for eid, value in (per_encounter_values(sample) if sample else {}).items()
        ]
        shown = summary.values["wer"]
        rows.append(StripRow(summary.language, tuple(pts), shown.value, shown.low, shown.high))
    if not rows:
        return None
    return strip_chart(rows, title="WER per recording", higher_is_better=False)
