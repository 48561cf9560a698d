"""Rescoring: recompute every score of a stored run from its stored answers, with no API call.

A newer scribe-eval may score differently (a fixed fact checker, a new metric): `rescore_run`
reads the run's stored transcripts and documents from the stage cache, scores them again against
the same dataset (checked against the hash the run recorded) with the run's own metric options,
and writes a new run linked to the old one (``provenance.rescored_from``). Failed cells are copied
as they are. Two runs compare only when their metric versions agree, so a baseline made by an
older version is rescored, never re-bought.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError

from scribe_eval.api import Document, Transcript
from scribe_eval.dataset import Dataset, load_dataset
from scribe_eval.errors import ConfigError, ScribeEvalError, StoreError
from scribe_eval.experiment import MetricOptions
from scribe_eval.metrics import METRICS_VERSION
from scribe_eval.runner._score import (
    adherence_catalogue,
    document_expectations,
    normalizer_for,
    score_document,
    score_transcript,
)
from scribe_eval.store import CellRecord, RunRecord, RunStore, utc_now


@dataclass(frozen=True)
class RescoreOutcome:
    """What a rescore did: the new run, how many cells it scored and how many it copied."""

    run: RunRecord
    rescored: int
    copied: int
    missing_answers: int


def rescore_run(
    store: RunStore, run_ref: str, *, metrics_version: str | None = None
) -> RescoreOutcome:
    """Score ``run_ref``'s stored answers again into a new run; no API call is made.

    Raises:
        ConfigError: The dataset is gone or changed, or ``metrics_version`` is not the one this
            scribe-eval computes.
    """
    if metrics_version is not None and str(metrics_version) != str(METRICS_VERSION):
        raise ConfigError(
            f"this scribe-eval computes metrics version {METRICS_VERSION} only, not "
            f"{metrics_version!r}; install the scribe-eval that has it, or leave out "
            "--metrics-version"
        )
    old = store.resolve_run(run_ref)
    dataset = _dataset(old)
    options = _options(old)
    new = _new_record(old, dataset, options)
    store.create_run(new)
    rescored = copied = missing = 0
    catalogue = adherence_catalogue(str(old.target.get("kind", "")))
    for cell in store.cells(old.id):
        scores = _rescore(store, old, dataset, options, cell, catalogue)
        if scores is None:
            copied += 1
            missing += cell.status == "ok"
            store.put_cell(cell.model_copy(update={"run_id": new.id}))
            continue
        rescored += 1
        # The judge's scores are the judge stage's, not the scorer's: they stay as they were.
        judged = {k: v for k, v in cell.scores.items() if k.startswith("judge_")}
        scores = {**scores, **judged}
        store.put_cell(
            cell.model_copy(
                update={
                    "run_id": new.id,
                    "scores": scores,
                    "from_cache": True,
                    "updated": utc_now(),
                }
            )
        )
    store.update_run(new.id, status="completed", finished=utc_now())
    return RescoreOutcome(store.get_run(new.id), rescored, copied, missing)


def _dataset(run: RunRecord) -> Dataset:
    root = run.meta.dataset.root
    if not root:
        raise ConfigError(
            f"run {run.id} did not record where its dataset lives; it cannot be rescored"
        )
    try:
        dataset = load_dataset(root)
    except ScribeEvalError as exc:  # a missing or broken folder: say which and how to fix it
        raise ConfigError(
            f"run {run.id}'s dataset at {root} does not load ({exc.message}); restore it to "
            "rescore the run"
        ) from exc
    if dataset.content_hash != run.dataset_hash:
        raise ConfigError(
            f"the dataset at {root} changed since run {run.id} (hash {dataset.content_hash[:12]}, "
            f"the run used {run.dataset_hash[:12]}); rescoring needs the same references"
        )
    return dataset


def _options(run: RunRecord) -> MetricOptions:
    try:
        return MetricOptions.model_validate(run.config.get("metrics") or {})
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise StoreError(
            f"run {run.id} stored metric options this scribe-eval cannot read ({reason})"
        ) from exc


def _new_record(old: RunRecord, dataset: Dataset, options: MetricOptions) -> RunRecord:
    provenance = dict(old.provenance)
    metrics = dict(provenance.get("metrics") or {})
    languages = sorted({e.language for e in dataset.encounters})
    metrics.update(
        version=METRICS_VERSION,
        normalizers={lang: normalizer_for(options, lang) for lang in languages},
    )
    provenance.update(metrics=metrics, rescored_from=old.id)
    stamp = f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    return old.model_copy(
        update={
            "id": stamp, "name": old.name, "status": "running", "created": utc_now(),
            "finished": None, "provenance": provenance, "api_calls": 0,
            "notes": f"rescored from run {old.id} (metrics version {old.meta.metrics.version})",
        }
    )  # fmt: skip


def _rescore(
    store: RunStore,
    run: RunRecord,
    dataset: Dataset,
    options: MetricOptions,
    cell: CellRecord,
    catalogue: object,
) -> dict[str, object] | None:
    if cell.status != "ok" or not cell.cache_key:
        return None
    entry = store.cache_get(cell.cache_key)
    try:
        encounter = dataset.encounter(cell.encounter_id)
    except ScribeEvalError:  # the encounter left the dataset: keep the old scores
        return None
    if entry is None:
        return None
    if cell.kind == "transcript":
        transcript = Transcript.model_validate(entry.value)
        return dict(score_transcript(encounter, transcript, options, cell.language))
    info = next((t for t in run.meta.templates if t.label == cell.template_label), None)
    note_type = str(cell.scores.get("note_type") or (info.reference if info else ""))
    document = Document.model_validate(entry.value)
    expected = (
        document_expectations(info.request, cell.language, catalogue) if info is not None else None
    )
    return dict(
        score_document(
            encounter,
            document,
            note_type=note_type,
            output_language=cell.language,
            options=options,
            expectations=expected,
        )
    )
