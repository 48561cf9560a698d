"""The cells both runs have: every row of the gate is measured on them.

One slice (a template, a language, a language pooled over templates) of the baseline and the same
slice of the candidate can hold different cells: the candidate added a template, dropped one, or
failed some cells. Values taken on each run's own cells would compare different (encounter,
template, language, source) sets, so a changed template mix could fail or pass the gate by itself.
Every row is therefore measured on the slice's *shared* cells: the same cell (encounter, template,
language and source: its id) in both runs, in the slice in both. Whether the slice is unchanged
(`scribe_eval.compare.unchanged`), the values shown, the paired bootstrap and the rate limits all
read that one set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scribe_eval.compare._data import RunData, SliceKey, samples, slice_keys
from scribe_eval.metrics import MetricSpec
from scribe_eval.stats import MetricSample
from scribe_eval.store import CellSummary


def slice_members(
    data: RunData, cells: Iterable[CellSummary], by: Sequence[str], where: Mapping[Any, str]
) -> dict[SliceKey, dict[str, CellSummary]]:
    """Per slice, its cells by id (a cell with several tags is in several ``tag`` slices)."""
    out: dict[SliceKey, dict[str, CellSummary]] = defaultdict(dict)
    for cell in cells:
        for key in slice_keys(data, cell, by, where):
            out[key][cell.cell_id] = cell
    return dict(out)


@dataclass(frozen=True)
class SharedSlice:
    """One slice of a metric, measured on the cells both runs have in it.

    ``cells``: the ids both runs have in the slice, whatever their status. ``baseline`` and
    ``candidate``: the per-encounter samples on the cells *both* runs scored (None when there
    is none), so the two values always come from the same cells. ``one_sided``: cells of the
    slice scored in one run only, left out. The pairs are (baseline, candidate): ``present``,
    whether the run has any cell in the slice; ``scored``, how many shared cells it scored;
    ``measured``, whether it measured the metric on any shared cell (a score, or the key without
    a value, as a judge that failed leaves it). A metric neither run measures there (WER of a
    reference transcript, a judge metric of a run never judged) does not apply to the slice.
    """

    key: SliceKey
    cells: frozenset[str]
    baseline: MetricSample | None
    candidate: MetricSample | None
    one_sided: int
    present: tuple[bool, bool]
    scored: tuple[int, int]
    measured: tuple[bool, bool]

    @property
    def n(self) -> int:
        """The encounters the two samples share (0 when nothing was scored in both)."""
        return 0 if self.baseline is None else self.baseline.n


def shared_samples(
    base: RunData,
    cand: RunData,
    spec: MetricSpec,
    *,
    by: Sequence[str],
    where: Mapping[Any, str] | None = None,
) -> dict[SliceKey, SharedSlice]:
    """Per slice of either run, the metric measured on the cells both runs scored in it.

    Cells of one encounter in the slice are pooled the metric's way (`samples`), on those cells
    only, in both runs: a template only one run has never enters the other's value.
    """
    wanted = dict(where or {})
    members = [
        slice_members(data, (c for c in data.cells if c.kind == spec.cell), by, wanted)
        for data in (base, cand)
    ]
    out: dict[SliceKey, SharedSlice] = {}
    for key in sorted(set(members[0]) | set(members[1])):
        a, b = members[0].get(key, {}), members[1].get(key, {})
        shared = a.keys() & b.keys()
        scored_a = {i for i, c in a.items() if _scored(spec, c)}
        scored_b = {i for i, c in b.items() if _scored(spec, c)}
        both = sorted(scored_a & scored_b)
        pair = (
            _sample(base, spec, by, wanted, key, [a[i] for i in both]),
            _sample(cand, spec, by, wanted, key, [b[i] for i in both]),
        )
        out[key] = SharedSlice(
            key, frozenset(shared), *pair, one_sided=len(scored_a ^ scored_b),
            present=(bool(a), bool(b)),
            scored=(len(scored_a & shared), len(scored_b & shared)),
            measured=(
                any(_measured(spec, a[i]) for i in shared),
                any(_measured(spec, b[i]) for i in shared),
            ),
        )  # fmt: skip
    return out


def _sample(
    data: RunData,
    spec: MetricSpec,
    by: Sequence[str],
    where: Mapping[Any, str],
    key: SliceKey,
    cells: list[CellSummary],
) -> MetricSample | None:
    if not cells:
        return None
    return samples(data, spec, by=by, where=where, cells=cells).get(key)


def measures(data: RunData, spec: MetricSpec) -> bool:
    """True when any cell of the run carries the metric (with a value or without one)."""
    return any(c.kind == spec.cell and _measured(spec, c) for c in data.cells)


def _scored(spec: MetricSpec, cell: CellSummary) -> bool:
    return cell.status == "ok" and spec.parts(cell.figures) is not None


def _measured(spec: MetricSpec, cell: CellSummary) -> bool:
    """The cell carries the metric, with a value or with none (a judge that failed)."""
    if cell.status != "ok":
        return False
    names = [spec.key, spec.numerator, spec.denominator]
    return any(n in cell.figures.metrics or n in cell.figures.counts for n in names if n)
