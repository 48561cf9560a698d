"""The judge stage: after a run's documents, an optional model judge scores each note.

Configured by the experiment's ``judge:`` block (`scribe_eval.judge.JudgeConfig`). For every
document cell that finished ``ok`` the stage rebuilds what the note was written from — the
transcript the scribe saw (the ASR transcript, or the reference lines for source
``reference``), the reference note and the template's content rules — and asks the judge.
Judgements are cached under `scribe_eval.judge.judge_cache_key` (note, reference, transcript,
rules, prompt and rubric versions, judge model and settings): re-judging with nothing changed
makes no call, and the scribe API is never called again. Results go into the cell's scores under
the catalogue's ``judge_*`` keys; a task that failed is kept in ``judge_failures`` (stage
``judge``), never as a failed cell, so a broken judge cannot stop or spoil the run's other stages.
The judge's model, prompt version and settings are written into the run's provenance.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from scribe_eval.api import Document, Transcript
from scribe_eval.dataset import Dataset, Encounter, load_dataset
from scribe_eval.errors import ConfigError, ScribeEvalError
from scribe_eval.experiment import transcript_cell_id
from scribe_eval.judge import (
    ContentRule,
    JudgeClient,
    JudgeConfig,
    JudgeInput,
    JudgeResult,
    content_rules,
    judge_cache_key,
    judge_note,
    judge_provenance,
    note_text,
)
from scribe_eval.metrics import GeneratedSection
from scribe_eval.runner._requests import reference_context
from scribe_eval.runner._score import adherence_catalogue, document_expectations
from scribe_eval.store import JUDGE_UNFINISHED, CellRecord, RunRecord, RunStore

logger = logging.getLogger("scribe_eval.judge")

#: Cell score keys the judge stage owns (removed before a cell is judged again).
JUDGE_PREFIX = "judge_"


@dataclass(frozen=True)
class JudgeOutcome:
    """What one judge stage did: cells judged (and of those, from the cache), cells with a
    failed task, cells that could not be judged (failed documents), and HTTP calls made.

    ``error`` says why a judge could not start at all (a missing key, an unusable endpoint):
    then every note it should have judged counts in ``failed``.
    """

    run_id: str
    judged: int
    from_cache: int
    failed: int
    skipped: int
    calls: int
    error: str | None = None

    def summary(self) -> str:
        """One line for the console: what was judged and what failed."""
        if self.error is not None:
            return f"could not start ({self.error}); {self.failed} notes not judged"
        return (
            f"{self.judged} notes judged ({self.from_cache} from cache), "
            f"{self.calls} judge calls; {self.failed} with a failed judge task, "
            f"{self.skipped} not judgeable (failed documents)"
        )


async def judge_finished_run(
    store: RunStore, run_id: str, config: JudgeConfig | None, dataset: Dataset
) -> JudgeOutcome | None:
    """The runner's hook after a run's documents: judge them when the experiment has a judge.

    Never raises for a judge problem (a missing key, a dead endpoint): it is logged, recorded
    on the cells as a judge failure and counted in the outcome's ``failed`` (``run`` exits 3 on
    it, as for failed cells). Cancellation (Ctrl-C) propagates.
    """
    if config is None:
        return None
    try:
        return await judge_run(store, run_id, config, dataset)
    except Exception as exc:  # the judge is optional: nothing it does may fail the run
        message = exc.message if isinstance(exc, ScribeEvalError) else repr(exc)
        logger.warning("judge stage of run %s failed: %s", run_id, message)
        failed = _record_setup_failure(store, run_id, message)
        return JudgeOutcome(run_id, judged=0, from_cache=0, failed=failed, skipped=0, calls=0,
                            error=message)  # fmt: skip


async def judge_run(
    store: RunStore,
    run_id: str,
    config: JudgeConfig,
    dataset: Dataset,
    *,
    client: JudgeClient | None = None,
) -> JudgeOutcome:
    """Judge every ``ok`` document cell of ``run_id``; cached judgements make no call.

    Raises:
        ConfigError: the judge's API key variable is named but unset.
    """
    run = store.get_run(run_id)
    owned = client is None
    client = client or JudgeClient(config)  # reads the key first: a missing one changes nothing
    # Marked unfinished until every note is judged: a stage killed or stopped mid-way leaves
    # notes judged by this judge beside notes not judged (or judged by the one before).
    _record_provenance(store, run, config, finished=False)
    catalogue = adherence_catalogue(str(run.target.get("kind", "")))
    cells = store.cells(run_id)
    by_id = {c.cell_id: c for c in cells}
    documents = [c for c in cells if c.kind == "document"]
    slots = asyncio.Semaphore(config.concurrency * 2)
    try:
        results = await asyncio.gather(
            *(_judge_cell(store, run, dataset, client, c, by_id, catalogue, slots)
              for c in documents)
        )  # fmt: skip
    finally:
        if owned:
            await client.aclose()
    _record_provenance(store, store.get_run(run_id), config, finished=True)
    done = [r for r in results if r is not None]
    return JudgeOutcome(
        run_id=run_id,
        judged=len(done),
        from_cache=sum(cached for cached, _ in done),
        failed=sum(failed for _, failed in done),
        skipped=len(results) - len(done),
        calls=client.calls,
    )


async def _judge_cell(
    store: RunStore,
    run: RunRecord,
    dataset: Dataset,
    client: JudgeClient,
    cell: CellRecord,
    by_id: dict[str, CellRecord],
    catalogue: object,
    slots: asyncio.Semaphore,
) -> tuple[bool, bool] | None:
    """(from cache, a task failed) for a judged cell; None when it cannot be judged."""
    item = _judge_input(store, run, dataset, cell, by_id, catalogue)
    if item is None:
        return None
    key = judge_cache_key(item, client.config)
    entry = store.cache_get(key)
    result: JudgeResult | None = None
    if entry is not None:
        try:
            result = JudgeResult.from_cache(entry.value)
        except ValueError:  # a corrupt entry is judged again
            result = None
    cached = result is not None
    if result is None:
        async with slots:
            result = await judge_note(client, item)
        if result.complete:
            store.cache_put(key, "judge", result.to_cache())
    fresh = store.get_cell(cell.run_id, cell.cell_id) or cell
    kept = {k: v for k, v in fresh.scores.items() if not k.startswith(JUDGE_PREFIX)}
    store.put_cell(fresh.model_copy(update={"scores": {**kept, **judge_scores(result, key)}}))
    return cached, not result.complete


def judge_stored_run(
    store: RunStore, run_ref: str, config: JudgeConfig | None = None
) -> JudgeOutcome:
    """(Re-)judge a stored run in place (``scribe-eval judge RUN``); the scribe API is not called.

    ``config`` defaults to the ``judge:`` block the run's experiment had. Unchanged judgements
    come from the cache; the run's provenance names the judge used last.

    Raises:
        ConfigError: No judge is given or stored, or the run's dataset is gone or changed.
    """
    run = store.resolve_run(run_ref)
    if config is None:
        stored = run.config.get("judge")
        if not stored:
            raise ConfigError(
                f"run {run.id}'s experiment has no judge: block; pass --experiment FILE whose "
                "judge: block names the endpoint and model"
            )
        config = JudgeConfig.model_validate(stored)
    root = run.meta.dataset.root
    try:
        dataset = load_dataset(root) if root else None
    except ScribeEvalError as exc:
        raise ConfigError(
            f"run {run.id}'s dataset at {root} does not load ({exc.message}); restore it to judge"
        ) from exc
    if dataset is None or dataset.content_hash != run.dataset_hash:
        raise ConfigError(
            f"run {run.id}'s dataset at {root} is missing or changed since the run; the judge "
            "needs the same references and transcripts"
        )
    return asyncio.run(judge_run(store, run.id, config, dataset))


def judge_scores(result: JudgeResult, key: str | None = None) -> dict[str, Any]:
    """A judgement as cell scores: `JudgeResult.as_dict` (the catalogue's ``judge_*`` keys,
    fractions 0-1) without its provenance, with ``judge_key``, where the cached judgement (raw
    PDQI-9 scores and the judge's reasons) is."""
    scores = result.as_dict()
    del scores["judge"]
    scores["judge_key"] = key
    return scores


def _judge_input(
    store: RunStore,
    run: RunRecord,
    dataset: Dataset,
    cell: CellRecord,
    by_id: dict[str, CellRecord],
    catalogue: object,
) -> JudgeInput | None:
    if cell.status != "ok" or not cell.cache_key:
        return None
    entry = store.cache_get(cell.cache_key)
    try:
        encounter = dataset.encounter(cell.encounter_id)
    except ScribeEvalError:  # the encounter left the dataset
        return None
    if entry is None:
        return None
    document = Document.model_validate(entry.value)
    transcript = _transcript_text(store, encounter, cell, by_id)
    if transcript is None:
        return None
    sections = [GeneratedSection(s.key, s.name or "", s.text) for s in document.ordered_sections()]
    info = next((t for t in run.meta.templates if t.label == cell.template_label), None)
    rules: tuple[ContentRule, ...] = ()
    reference = None
    if info is not None:
        expected = document_expectations(info.request, cell.language, catalogue)
        rules = content_rules(expected) if expected is not None else ()
        note = encounter.notes.get(info.reference)
        if note is not None and _base(encounter.language) == _base(cell.language):
            reference = note.text
    return JudgeInput(transcript, note_text(sections), reference, rules)


def _transcript_text(
    store: RunStore, encounter: Encounter, cell: CellRecord, by_id: dict[str, CellRecord]
) -> str | None:
    """The transcript the note was written from, one ``Role: text`` line per turn."""
    if cell.source == "reference":
        return str(reference_context(encounter)[0]["data"]["text"])
    source = by_id.get(transcript_cell_id(encounter.id, cell.recording_language, cell.source))
    entry = store.cache_get(source.cache_key) if source and source.cache_key else None
    if entry is None:
        return None
    transcript = Transcript.model_validate(entry.value)
    roles = transcript.roles_by_channel()
    lines = []
    for segment in transcript.segments:
        if segment.text.strip():
            role = roles.get(segment.channel or 0) if roles else None
            lines.append(f"{role.capitalize()}: {segment.text.strip()}" if role else segment.text)
    return "\n".join(lines)


def _record_provenance(
    store: RunStore, run: RunRecord, config: JudgeConfig, *, finished: bool
) -> None:
    judge = judge_provenance(config) | ({} if finished else {JUDGE_UNFINISHED: True})
    provenance = {**run.provenance, "judge": judge}
    if provenance != run.provenance:
        store.update_run(run.id, provenance=provenance)


def _record_setup_failure(store: RunStore, run_id: str, message: str) -> int:
    """A judge that could not start: every ok document cell says so (stage ``judge``); how many."""
    failure = {"stage": "judge", "task": "", "kind": "config", "message": message, "attempts": 0}
    count = 0
    for cell in store.cells(run_id):
        if cell.kind != "document" or cell.status != "ok":
            continue
        kept = {k: v for k, v in cell.scores.items() if not k.startswith(JUDGE_PREFIX)}
        store.put_cell(cell.model_copy(update={"scores": {**kept, "judge_failures": [failure]}}))
        count += 1
    return count


def _base(language: str) -> str:
    return language.split("-")[0].lower()
