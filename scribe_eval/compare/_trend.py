"""History and drift: one metric per run over time, for one template and language on a dataset.

Each point is the run's value of a catalogue metric, computed by the results layer exactly as the
report and the gate compute it (`samples`: per-encounter, pooled WER, mean ROUGE), with its
bootstrap interval over encounters at the run's own seed. A point is marked when the target's
identity (the vendor's or the emulator's model versions) differs from the point before, so a
silent model update shows as a step at a marked point; and, apart, when the template's spec hash
in the slice differs (a template edited under the same name), so a template change is never
mistaken for a model update.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from scribe_eval.compare._data import RunData, SliceKey, load_run_data, samples, slice_keys
from scribe_eval.compare._evaluate import comparability_problems
from scribe_eval.errors import ConfigError
from scribe_eval.metrics import metric as metric_spec
from scribe_eval.stats import bootstrap_estimate
from scribe_eval.store import RunRecord, RunStore


@dataclass(frozen=True)
class TrendPoint:
    """One run's value of the metric with its 95% bootstrap interval over encounters.

    ``low`` and ``high`` are None for fewer encounters than an interval needs
    (`scribe_eval.stats.has_interval`, the rule of the leaderboards too): the CLI and the trend
    page say "too few for an interval" rather than drawing a zero-width or a two-point one.
    """

    run_id: str
    created: str
    dataset_name: str
    dataset_hash: str
    identity: dict[str, Any]
    identity_changed: bool
    n: int
    value: float
    low: float | None
    high: float | None
    #: The spec hashes of the slice's documents (empty for transcript metrics), and whether they
    #: differ from the point before: the template itself changed under its name.
    templates: tuple[str, ...] = ()
    template_changed: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types (values are fractions)."""
        return asdict(self)


def trend_rows(
    store: RunStore,
    *,
    template: str,
    language: str,
    metric: str = "rougeLsum_f",
    dataset: str | None = None,
    source: str = "asr",
) -> list[TrendPoint]:
    """Every run's ``metric`` for ``template`` x ``language`` on one dataset, oldest first.

    ``dataset`` defaults to the dataset of the newest run that has the metric there; only runs
    comparable with the newest run of that dataset are points. Notes are those written from
    ``source``'s transcripts (the ASR ones by default: a run that also writes notes from the
    reference transcript makes no step); transcript metrics (WER ...) come from the ASR
    transcripts in ``language`` and ignore ``template``. Runs without a value are left out.
    """
    spec = metric_spec(metric)
    where = (
        {"template": template, "language": language, "source": source}
        if spec.cell == "document"
        else {"language": language, "source": "asr"}
    )
    runs = sorted(store.list_runs(), key=lambda r: (r.created, r.id))
    if dataset is None:
        dataset = _newest_dataset(store, runs, spec.key, where)
        if dataset is None:
            raise ConfigError(
                f"no run has {metric!r} for template {template!r} in {language!r}; check the "
                "template label and language (`scribe-eval runs show RUN` lists a run's cells)"
            )
    newest = next((r for r in reversed(runs) if r.dataset_name == dataset), None)
    return trends(store, spec.key, dataset=dataset, where=where, comparable_to=newest).get((), [])


def trends(
    store: RunStore,
    metric: str,
    *,
    dataset: str,
    by: Sequence[str] = (),
    where: Mapping[str, str] | None = None,
    comparable_to: RunRecord | None = None,
    loaded: RunData | None = None,
) -> dict[SliceKey, list[TrendPoint]]:
    """Per slice (``by``), one point per run of ``dataset`` that has the metric, oldest first.

    With ``comparable_to``, only runs whose numbers compare with that run's (same dataset
    content, normalisers, tokenizer and metric version) are points: a trend never mixes scales.
    ``loaded`` is one run's data already read (the report's run): it is used, not read again.
    """
    spec = metric_spec(metric)
    out: dict[SliceKey, list[TrendPoint]] = {}
    like = loaded
    for run in sorted(store.list_runs(), key=lambda r: (r.created, r.id)):
        if run.dataset_name != dataset:
            continue
        if comparable_to is not None and comparability_problems(comparable_to, run):
            continue
        if loaded is not None and run.id == loaded.run.id:
            data = loaded
        else:
            data = load_run_data(store, run, like=like)
        like = data
        identity = target_identity(run)
        hashes = _spec_hashes(data, by, where) if spec.cell == "document" else {}
        for key, sample in samples(data, spec, by=by, where=where).items():
            if sample.n == 0:
                continue
            estimate = bootstrap_estimate(sample, seed=data.seed, resamples=data.resamples)
            series = out.setdefault(key, [])
            changed = bool(series) and series[-1].identity != identity
            templates = tuple(sorted(hashes.get(key, ())))
            edited = bool(series) and series[-1].templates != templates
            series.append(
                TrendPoint(
                    run.id,
                    run.created,
                    run.dataset_name,
                    run.dataset_hash,
                    identity,
                    changed,
                    estimate.n,
                    estimate.value,
                    *estimate.shown_interval,
                    templates,
                    edited,
                )
            )
    return out


def _spec_hashes(
    data: RunData, by: Sequence[str], where: Mapping[str, str] | None
) -> dict[SliceKey, set[str]]:
    """Per slice, the spec hashes of its document cells (which version of each template)."""
    out: dict[SliceKey, set[str]] = {}
    wanted = dict(where or {})
    for cell in data.cells:
        if cell.kind == "document" and cell.spec_hash:
            for key in slice_keys(data, cell, by, wanted):
                out.setdefault(key, set()).add(cell.spec_hash[:12])
    return out


def _newest_dataset(
    store: RunStore, runs: list[RunRecord], metric: str, where: dict[str, str]
) -> str | None:
    for run in reversed(runs):
        if samples(load_run_data(store, run), metric, where=where).get(()) is not None:
            return run.dataset_name
    return None


def target_identity(run: RunRecord) -> dict[str, Any]:
    """What names the model versions behind a run's target: a trend marks a change of it."""
    # URL targets keep what the vendor reports under "identity"; the embedded emulator's whole
    # description is its identity (engine, model and emulator versions).
    nested = run.target.get("identity")
    return dict(nested) if isinstance(nested, dict) else dict(run.target)


def identity_text(identity: dict[str, Any]) -> str:
    """A target identity as compact, stable JSON (in full: ``--json``, once per identity)."""
    return json.dumps(identity, sort_keys=True, separators=(",", ":"))


def identity_hash(identity: dict[str, Any]) -> str:
    """The identity's short hash (12 hex digits of the SHA-256 of its compact JSON)."""
    return hashlib.sha256(identity_text(identity).encode("utf-8")).hexdigest()[:12]


def identity_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs between two identities, one ``dotted.key old -> new`` per changed field."""
    old, new = _flatten(before), _flatten(after)
    return [
        f"{key} {old.get(key, '-')} -> {new.get(key, '-')}"
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    ]


def identity_short(identity: dict[str, Any], previous: dict[str, Any] | None) -> str:
    """A table cell for an identity in a list of runs: its short hash, or "same as above", or
    its hash and the (at most two) fields that changed since the row above."""
    if previous is not None and previous == identity:
        return "same as above"
    if previous is None:
        return identity_hash(identity)
    changes = identity_changes(previous, identity)
    more = f" (+{len(changes) - _SHOWN_CHANGES} more)" if len(changes) > _SHOWN_CHANGES else ""
    return f"{identity_hash(identity)}: {'; '.join(changes[:_SHOWN_CHANGES])}{more}"


_SHOWN_CHANGES = 2


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict) and value:
        out: dict[str, str] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): json.dumps(value) if not isinstance(value, str) else value}
