"""The trend page: each template's headline metric and each language's WER, run after run.

Only runs whose numbers compare with the report's run (same dataset content, normalisers,
tokenizer and metric version) appear.

One point per run of the same dataset (its value with its 95% interval, from the results layer
like every other number of the report); a run whose target identity differs from the run before
is marked, so a silent vendor model update shows as a step at a marked run.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from markupsafe import Markup

from scribe_eval.compare import RunData, TrendPoint, identity_short, identity_text, trends
from scribe_eval.report._leaderboard import SOURCE_LABELS
from scribe_eval.report._metrics import HEADLINE, WER
from scribe_eval.report._svg import StripRow, strip_chart

#: A trend needs at least this many runs of the dataset.
MIN_RUNS = 2


@dataclass(frozen=True)
class TrendSeries:
    """One chart: what it shows, its points oldest first, and the SVG."""

    title: str
    points: tuple[TrendPoint, ...]
    chart: Markup
    #: Each new target identity in full (``run id: JSON``), folded away on the page.
    changes: tuple[str, ...]
    #: Run id -> its new identity's short hash and the fields that changed since the point
    #: before (as `runs trend` prints them), for each point whose identity changed.
    identity_changes: dict[str, str]


def trend_series(data: RunData) -> list[TrendSeries]:
    """Every series with at least `MIN_RUNS` runs of this run's dataset (empty otherwise)."""
    out: list[TrendSeries] = []
    dataset = data.run.dataset_name
    # One series per transcript source, as the leaderboards have one board per source: notes
    # written from the reference transcript are no point of the ASR notes' trend.
    notes = trends(
        data.store, HEADLINE.key, dataset=dataset, by=["template", "language", "source"],
        comparable_to=data.run, loaded=data,
    )  # fmt: skip
    for key, points in sorted(notes.items()):
        where = dict(key)
        title = f"{HEADLINE.label}, template {where['template']}, {where['language']}"
        if where["source"] != "asr":
            title += f", {SOURCE_LABELS.get(where['source'], where['source'])}"
        out.extend(_series(title, points, higher_is_better=True))
    # WER depends on its normaliser: only runs comparable with this one, as for the notes.
    wer = trends(
        data.store, WER.key, dataset=dataset, by=["language"], where={"source": "asr"},
        comparable_to=data.run, loaded=data,
    )  # fmt: skip
    for key, points in sorted(wer.items()):
        out.extend(_series(f"WER, {dict(key)['language']}", points, higher_is_better=False))
    return out


def _series(title: str, points: list[TrendPoint], *, higher_is_better: bool) -> list[TrendSeries]:
    if len(points) < MIN_RUNS:
        return []
    rows = [
        StripRow(
            ("*" if p.identity_changed else "")
            + ("+" if p.template_changed else "")
            + (" " if p.identity_changed or p.template_changed else "")
            + p.created[:19].replace("T", " "),  # to the second: runs a minute apart are common
            (),
            p.value,
            p.low,
            p.high,
        )
        for p in points
    ]
    changes = tuple(
        f"{p.run_id}: {identity_text(p.identity)}" for p in points if p.identity_changed
    )
    changed = {
        p.run_id: identity_short(p.identity, before.identity)
        for before, p in itertools.pairwise(points)
        if p.identity_changed
    }
    chart = strip_chart(rows, title=title, higher_is_better=higher_is_better)
    return [TrendSeries(title, tuple(points), chart, changes, changed)]
