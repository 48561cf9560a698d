"""Executing the matrix: interaction -> recording -> transcript -> documents -> scores.

Each encounter is a task; per-stage semaphores bound transcripts and documents, and the overall
limit bounds every API call, its slots given to the earliest stage waiting (`RankedSlots`), with
at most ``OPEN_PER_SLOT`` encounters per slot in progress. Scoring, CPU work of a few milliseconds
a cell, runs on one thread of its own and off the chain of calls: the documents are asked for as
soon as the transcript is in and the interaction deleted as soon as the documents are, each cell
stored when its scores are; one thread, because scores are pure functions of their inputs and
need no parallelism to be deterministic.

Every stage answer, and every cell's scores, is cached under a key of everything it depends on and
committed at once; failures are data (a failed cell keeps its stage, error type, message and
request id) and the run goes on, unless ``fail_fast`` or ``max_errors`` says stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from scribe_eval.api import CreateDocumentRequest, CreateTranscriptRequest, Document, Transcript
from scribe_eval.client import gated_calls
from scribe_eval.dataset import Dataset, Encounter
from scribe_eval.errors import APIStatusError, ScribeEvalError
from scribe_eval.experiment import Cell, Experiment, Matrix, TranscriptJob
from scribe_eval.runner._breaker import RunWideBreaker
from scribe_eval.runner._cache import StageCache
from scribe_eval.runner._keys import document_key, transcript_key
from scribe_eval.runner._progress import RunProgress, Stage
from scribe_eval.runner._remote import RemoteResources
from scribe_eval.runner._requests import reference_context, transcript_body, transcript_context
from scribe_eval.runner._score import (
    adherence_catalogue,
    document_expectations,
    document_score_key,
    score_document,
    score_transcript,
    transcript_score_key,
)
from scribe_eval.runner._slots import OPEN_PER_SLOT, RankedSlots
from scribe_eval.runner._target import TargetSession
from scribe_eval.store import (
    CacheEntry,
    CellRecord,
    CellStatus,
    RemoteRecord,
    RunStore,
    utc_now,
)

if TYPE_CHECKING:
    from scribe_eval.metrics import AdherenceExpectations

T = TypeVar("T")

#: The order in which waiting calls get a slot (`RankedSlots`): the chain's earliest stage first.
#: How a document cell that had no transcript to write from begins its message (its transcript
#: cell has the cause, which follows).
NO_TRANSCRIPT = "no transcript to write from: "

_RANK = {"interaction": 0, "recording": 1, "transcript": 2, "document": 3, "delete": 4}


@dataclass
class _Clock:
    """When an operation's time starts: at its first call (its start until it makes one)."""

    start: float
    called: bool = False


class _Abort(Exception):
    """Raised inside tasks when the error budget is spent (``fail_fast`` / ``max_errors``)."""


@dataclass
class _Failure:
    stage: str
    error_type: str
    message: str
    request_id: str | None
    traceback: str | None = None


@dataclass
class ExecutionLimits:
    """When to stop early: ``fail_fast`` stops at the first failed cell, ``max_errors`` after N."""

    fail_fast: bool = False
    max_errors: int | None = None
    redo_errors: bool = False


class MatrixExecutor:
    """Runs one run's matrix against its target, writing cells and cache entries as it goes."""

    def __init__(
        self,
        *,
        run_id: str,
        experiment: Experiment,
        dataset: Dataset,
        matrix: Matrix,
        store: RunStore,
        session: TargetSession,
        progress: RunProgress,
        limits: ExecutionLimits,
        scorers_loaded: asyncio.Future[None] | None = None,
        start_scorers: Callable[[], None] | None = None,
        scorer: Executor | None = None,
        encounters: Mapping[str, Encounter] | None = None,
    ) -> None:
        """``scorers_loaded``: the scorers' preload (`preload_scorers`); the first score waits
        for it, API calls do not. ``start_scorers`` starts that preload if it waits for the
        first call, which a run answered from the cache may never make.

        A worker runs an executor per encounter job; it passes what lasts longer than a job: the
        ``scorer`` thread(s), shut down by the worker, not by `run`, and the dataset's
        ``encounters`` by id (else both are made here)."""
        self.run_id = run_id
        self.experiment = experiment
        self.dataset = dataset
        self.matrix = matrix
        self.store = store
        # Every read of a stage answer goes through here: too old (cache.max_age) is absent.
        self.cache = StageCache(store, experiment.cache_max_age_s, run_id=run_id)
        self.session = session
        self.progress = progress
        self.limits = limits
        self.errors = 0
        self.deleted = 0
        self.aborted: str | None = None
        self.cleanup_left: str | None = None
        self.breaker = RunWideBreaker()
        # The template defaults adherence is judged against (read once; no call).
        self._catalogue = adherence_catalogue(str(session.description.get("kind", "")))
        # What each (template, output language) is held to, worked out once, not per cell.
        self._expectations: dict[tuple[str, str], AdherenceExpectations | None] = {}
        self.first_call = 0.0
        self.last_call = 0.0
        execution = experiment.execution
        self._overall = RankedSlots(execution.concurrency)
        self._open = asyncio.Semaphore(OPEN_PER_SLOT * execution.concurrency)
        self._transcripts = asyncio.Semaphore(execution.transcript_concurrency)
        self._documents = asyncio.Semaphore(execution.document_concurrency)
        self.remote = RemoteResources(
            store, run_id, session.identity.get("kind", "?"), dataset, session.ledger
        )
        self._cells_of: dict[str, list[Cell]] = {}
        self._own_scorer = scorer is None
        self._scorer = scorer or ThreadPoolExecutor(1, thread_name_prefix="scribe-eval-score")
        self._encounters = encounters
        self._scorers_loaded = scorers_loaded
        self._start_scorers = start_scorers

    async def run(self) -> None:
        """Execute every encounter; returns when all are done or the error budget is spent."""
        by_encounter: dict[str, list[TranscriptJob]] = {}
        for job in self.matrix.transcripts:
            by_encounter.setdefault(job.encounter_id, []).append(job)
        # Looked up per job and per encounter: dicts, not scans of the matrix and the dataset.
        for cell in self.matrix.cells:
            self._cells_of.setdefault(cell.transcript_cell_id, []).append(cell)
        encounters = self._encounters or {e.id: e for e in self.dataset.encounters}
        tasks = [
            asyncio.create_task(self._encounter(encounters[eid], jobs))
            for eid, jobs in by_encounter.items()
        ]
        try:
            await asyncio.gather(*tasks)
        except _Abort:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for task in tasks:
                task.cancel()
            # At most the cell being scored is waited for (milliseconds); queued ones are dropped
            # (a shared scorer's queued cells of this executor were cancelled with their tasks).
            if self._own_scorer:
                self._scorer.shutdown(wait=True, cancel_futures=True)

    async def cleanup(self) -> int:
        """Delete what is left of the run's remote interactions, when the experiment asks.

        Most are deleted already, each as soon as its encounter's cells are done; this catches
        those an earlier, interrupted attempt left behind (pending creates included). Returns how
        many were deleted in all; ``cleanup_left`` says what could not be.
        """
        if not self.experiment.cleanup.delete_interactions:
            return 0
        rows = self.store.remotes(self.run_id, kind="interaction")
        if all(r.state == "deleted" for r in rows):
            return self.deleted
        report = await self.remote.clean_up(await self.session.client())
        if report.left:
            self.cleanup_left = report.summary()
        return self.deleted + report.deleted

    def _finished(self, encounter_id: str) -> set[str]:
        """The ids of the encounter's cells a resumed run (or a retried job) skips: one indexed
        query per encounter, not one per cell nor a count of the whole run per job."""
        return {
            cell.cell_id
            for cell in self.store.encounter_cells(self.run_id, encounter_id)
            if cell.status != "pending" and not (cell.status == "error" and self.limits.redo_errors)
        }

    async def _encounter(self, encounter: Encounter, jobs: list[TranscriptJob]) -> None:
        done = self._finished(encounter.id)
        # The encounter's remote rows are read together, once, when the first is needed.
        self.remote.expect(
            encounter.id,
            {job.recording_language for job in jobs},
            [job.cell_id for job in jobs],
            [cell.cell_id for job in jobs for cell in self._cells_of.get(job.cell_id, [])],
        )
        # Scoring is off the chain of calls: the documents are asked for as soon as the
        # transcript is in, and the interaction deleted as soon as the documents are, while the
        # scorer thread works through its queue (it waits for its preload at first, and a cell
        # is ~5-30 ms). Each answer is stored before its scoring starts, so an interruption
        # meanwhile costs no call: the resumed run scores it from the cache. The encounter stays
        # in the window until it is scored, so answers waiting for the scorer stay bounded too.
        scoring: list[asyncio.Task[None]] = []
        try:
            async with self._open:
                await self._calls(encounter, jobs, done, scoring)
                await asyncio.gather(*scoring)
        finally:
            for task in scoring:
                if not task.done():
                    task.cancel()
                elif not task.cancelled():
                    task.exception()  # retrieved: an abort already on its way is not logged

    async def _calls(
        self,
        encounter: Encounter,
        jobs: list[TranscriptJob],
        done: set[str],
        scoring: list[asyncio.Task[None]],
    ) -> None:
        """The encounter's chain of calls: transcripts, their documents, the deletes."""
        for job in jobs:
            written = self._cells_of.get(job.cell_id, [])
            cells = [c for c in written if c.cell_id not in done]
            if job.cell_id in done and not cells:
                self.progress.skip(transcripts=1, documents=len(written))
                continue
            self.progress.skip(documents=len(written) - len(cells))
            context = await self._transcript(encounter, job, scoring)
            if context is None:
                for cell in cells:
                    self._fail_dependent(cell, job)
                continue
            await _together([self._document(encounter, cell, context, scoring) for cell in cells])
        await self._forget(encounter, {job.recording_language for job in jobs})

    async def _forget(self, encounter: Encounter, languages: set[str]) -> None:
        """Delete the encounter's remote interactions once its cells are done (if asked).

        Clinical data should not linger on the target longer than the run needs it; an encounter
        whose cells failed gets a new interaction if the run is resumed with --rerun-errors.
        """
        if not self.experiment.cleanup.delete_interactions:
            return
        rows = self.remote.interactions_of(encounter.id, languages)
        if not rows:
            return
        client = await self.session.client()
        for row in rows:
            try:
                call = functools.partial(self.remote.delete, client, row)
                deleted = await self._timed({}, "delete", call)
            except ScribeEvalError:
                continue  # left for the end-of-run clean-up, which reports what it could not do
            self.deleted += deleted  # after the await (encounters delete at once), not around it

    # Transcripts

    async def _transcript(
        self, encounter: Encounter, job: TranscriptJob, scoring: list[asyncio.Task[None]]
    ) -> list[dict[str, Any]] | None:
        """The document context of a transcript job (None when the transcript failed); its
        scoring and cell are left to a task added to ``scoring``."""
        if job.source == "reference":
            self._put_transcript_cell(job, "ok", scores={"source": "reference"})
            self.progress.advance("transcripts")
            return reference_context(encounter)
        assert encounter.audio_hash is not None
        body = transcript_body(self.experiment, encounter, job.recording_language)
        key = transcript_key(self.session.identity, encounter.audio_hash, body)
        timings: dict[str, float] = {}
        cached = self.cache.get(key)
        try:
            if cached is not None:
                transcript = Transcript.model_validate(cached.value)
            else:
                transcript = await self._fetch_transcript(encounter, job, body, key, timings)
        except Exception as exc:  # failures are data: one cell never stops the others
            if self.aborted:  # the run is stopping (an _Abort, or a call it cut short)
                raise _Abort(self.aborted) from None
            failure = _failure_of(exc, next(reversed(timings), "transcript"))
            self._put_transcript_cell(job, "error", key=key, failure=failure, timings=timings)
            self.progress.advance("transcripts", error=True)
            self._count_error(exc)
            return None
        self._answered(cached is None)
        options, language = self.experiment.metrics, job.recording_language
        wire = cached.value if cached is not None else transcript.to_wire()
        score = functools.partial(
            self._scored,
            transcript_score_key(encounter, wire, options, language),
            functools.partial(score_transcript, encounter, transcript, options, language),
            answered_now=cached is None,
        )
        put = functools.partial(self._put_transcript_cell, job)
        scoring.append(
            asyncio.create_task(self._finish("transcripts", put, score, key, cached, timings))
        )
        return transcript_context(transcript)

    async def _fetch_transcript(
        self,
        encounter: Encounter,
        job: TranscriptJob,
        body: dict[str, Any],
        key: str,
        timings: dict[str, float],
    ) -> Transcript:
        client = await self.session.client()
        async with self._transcripts:
            interaction = await self._timed(
                timings, "interaction",
                lambda: self.remote.interaction(client, encounter, job.recording_language),
            )  # fmt: skip
            language = job.recording_language
            recording = await self._timed(
                timings, "recording",
                lambda: self.remote.recording(client, interaction, encounter, language),
            )  # fmt: skip
            request = CreateTranscriptRequest.model_validate({**body, "recordingId": recording})
            transcript = await self._timed(
                timings, "transcript",
                lambda: self.remote.transcript(
                    client, interaction, job.cell_id, request,
                    deadline=self.experiment.execution.transcript_deadline_s,
                ),
            )  # fmt: skip
        self.cache.put(key, "transcript", transcript.to_wire(), elapsed_ms=timings["transcript"])
        return transcript

    # Documents

    async def _document(
        self,
        encounter: Encounter,
        cell: Cell,
        context: list[dict[str, Any]],
        scoring: list[asyncio.Task[None]],
    ) -> None:
        """The cell's document, asked for (or read from the cache); its scoring and cell are
        left to a task added to ``scoring``."""
        fields = cell.template.spec.request_fields()
        retention = self.experiment.cleanup.retention
        key = document_key(
            self.session.identity, context, fields, cell.output_language, {"retention": retention}
        )
        timings: dict[str, float] = {}
        cached = self.cache.get(key)
        try:
            if cached is not None:
                document = Document.model_validate(cached.value)
            else:
                document = await self._fetch_document(encounter, cell, context, key, timings)
        except Exception as exc:  # failures are data: one cell never stops the others
            if self.aborted:  # the run is stopping (an _Abort, or a call it cut short)
                raise _Abort(self.aborted) from None
            failure = _failure_of(exc, next(reversed(timings), "document"))
            self._put_document_cell(cell, "error", key=key, failure=failure, timings=timings)
            self.progress.advance("documents", error=True)
            self._count_error(exc)
            return
        self._answered(cached is None)
        score = functools.partial(self._score_document, encounter, cell, document, cached)
        put = functools.partial(self._put_document_cell, cell)
        scoring.append(
            asyncio.create_task(self._finish("documents", put, score, key, cached, timings))
        )

    async def _finish(
        self,
        kind: Stage,
        put: Callable[..., None],
        score: Callable[[], Awaitable[dict[str, Any]]],
        key: str,
        cached: CacheEntry | None,
        timings: dict[str, float],
    ) -> None:
        """Score an answered cell and store it; a scoring failure is the cell's (stage ``score``,
        not the last call's that answered). Once the run is stopping, nothing more is scored nor
        counted: the cell stays pending, its answer cached for a resumed run."""
        if self.aborted:
            raise _Abort(self.aborted)
        try:
            scores = await score()
        except Exception as exc:
            if self.aborted:
                raise _Abort(self.aborted) from None
            put("error", key=key, failure=_failure_of(exc, "score"), timings=timings)
            self.progress.advance(kind, error=True)
            self._count_error(exc)
            return
        put("ok", key=key, scores=scores, timings=timings, from_cache=cached is not None)
        self.progress.advance(kind)

    async def _score_document(
        self, encounter: Encounter, cell: Cell, document: Document, cached: CacheEntry | None
    ) -> dict[str, Any]:
        language = cell.output_language
        memo = (cell.template.spec.spec_hash, language)
        if memo not in self._expectations:
            fields = cell.template.spec.request_fields()
            self._expectations[memo] = document_expectations(fields, language, self._catalogue)
        scoring: dict[str, Any] = {
            "note_type": cell.template.reference,
            "output_language": language,
            "options": self.experiment.metrics,
            "expectations": self._expectations[memo],
        }
        wire = cached.value if cached is not None else document.to_wire()
        return await self._scored(
            document_score_key(encounter, wire, **scoring),
            functools.partial(score_document, encounter, document, **scoring),
            answered_now=cached is None,
        )

    async def _scored(
        self, key: str, compute: Callable[[], dict[str, Any]], *, answered_now: bool
    ) -> dict[str, Any]:
        """The cell's scores: from the cache under ``key``, else computed and cached.

        An answer the target just gave is scored without looking (one query a cell saved on a
        first run; at worst an identical earlier answer is scored again).
        """
        hit = None if answered_now else self.store.cache_get(key)
        if hit is not None:
            scores: dict[str, Any] = hit.value["scores"]
            return scores
        if self._scorers_loaded is not None and not self._scorers_loaded.done():
            if self._start_scorers is not None:
                self._start_scorers()
            # Not a model loaded twice on two threads. A failed preload is the run's to report;
            # the scorer then meets the same failure itself. Waited for, never cancelled.
            await asyncio.wait({self._scorers_loaded})
        loop = asyncio.get_running_loop()
        scores = await loop.run_in_executor(self._scorer, compute)
        self.store.cache_put(key, "score", {"scores": scores})
        return scores

    async def _fetch_document(
        self,
        encounter: Encounter,
        cell: Cell,
        context: list[dict[str, Any]],
        key: str,
        timings: dict[str, float],
    ) -> Document:
        client = await self.session.client()
        # The transcript stage usually made the interaction already: only a real create call
        # queues for a slot of the overall limit.
        interaction = self.remote.known_interaction(encounter.id, cell.recording_language)
        if interaction is None:
            interaction = await self._timed(
                timings, "interaction",
                lambda: self.remote.interaction(client, encounter, cell.recording_language),
            )  # fmt: skip
        body = CreateDocumentRequest.model_validate(
            {
                "context": context,
                "outputLanguage": cell.output_language,
                "name": self.remote.pending_document_name(cell.cell_id),
                **cell.template.spec.request_fields(),
            }
        )
        no_retention = self.experiment.cleanup.retention == "none"

        async def create() -> Document:
            started = time.perf_counter()

            def store_answer(answer: Document, row: RemoteRecord | None, calls: int) -> None:
                # The answer, the row saying it was created, and the calls, in one write.
                elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
                self.cache.put(
                    key, "document", answer.to_wire(), elapsed_ms=elapsed_ms, remote=row,
                    api_calls_delta=calls,
                )  # fmt: skip

            return await self.remote.document(
                client, interaction, cell.cell_id, body, no_retention=no_retention,
                store_answer=store_answer,
            )  # fmt: skip

        async with self._documents:
            document = await self._timed(timings, "document", create)
        return Document.model_validate(document.model_dump())

    # Bookkeeping

    async def _timed(
        self, timings: dict[str, float], stage: str, call: Callable[[], Awaitable[T]]
    ) -> T:
        """``call``, one remote operation of ``stage``: each of its HTTP attempts holds a slot
        of the overall limit while it is out (`_slot`), and only then; its bookkeeping (store
        rows, the recording read from disk), a retry's back-off and the pauses between polls
        hold none. ``timings[stage]``: from its first slot to its end (from its start if it
        made no call)."""
        if self.aborted:
            raise _Abort(self.aborted)  # no operation starts once the run is stopping
        clock = _Clock(time.perf_counter())
        with gated_calls(functools.partial(self._slot, _RANK[stage], clock)):
            try:
                return await call()
            finally:
                timings[stage] = round((time.perf_counter() - clock.start) * 1000, 3)

    @contextlib.asynccontextmanager
    async def _slot(self, rank: int, clock: _Clock) -> AsyncIterator[None]:
        """A slot of the overall limit for one HTTP attempt (`scribe_eval.client.gated_calls`)."""
        await self._overall.acquire(rank)
        if self.aborted:
            # Spent by a cell scored off the chain, whose task raises only when its encounter
            # awaits it: no call goes out once the run is stopping.
            self._overall.release()
            raise _Abort(self.aborted)
        now = time.perf_counter()
        self.first_call = self.first_call or now
        if not clock.called:
            clock.start, clock.called = now, True
        try:
            yield
        finally:
            self._overall.release()
            self.last_call = time.perf_counter()

    @property
    def api_span_s(self) -> float:
        """Seconds from the first API call's start to the last one's end (0 without calls)."""
        return self.last_call - self.first_call if self.first_call else 0.0

    def _count_error(self, exc: Exception) -> None:
        self.errors += 1
        limits = self.limits
        run_wide = self.breaker.failure(exc)
        if run_wide:
            self.aborted = run_wide
        elif limits.fail_fast:
            self.aborted = "stopped at the first failed cell (--fail-fast)"
        elif limits.max_errors is not None and self.errors > limits.max_errors:
            self.aborted = (
                f"stopped after {self.errors} failed cells (--max-errors {limits.max_errors})"
            )
        if self.aborted:
            raise _Abort(self.aborted)

    def _fail_dependent(self, cell: Cell, job: TranscriptJob) -> None:
        upstream = self.store.get_cell(self.run_id, job.cell_id)
        failure = _Failure(
            stage="transcript",
            error_type=(upstream.error_type if upstream else None) or "TranscriptUnavailable",
            message=f"{NO_TRANSCRIPT}{upstream.error_message if upstream else '?'}",
            request_id=upstream.request_id if upstream else None,
        )
        self._put_document_cell(cell, "error", failure=failure)
        self.progress.advance("documents", error=True)

    def _put_transcript_cell(self, job: TranscriptJob, status: CellStatus, **outcome: Any) -> None:
        """Store a transcript cell (``outcome``: key, scores, timings, failure, from_cache)."""
        self._put_cell(
            {
                "cell_id": job.cell_id,
                "kind": "transcript",
                "encounter_id": job.encounter_id,
                "language": job.recording_language,
                "recording_language": job.recording_language,
                "source": job.source,
            },
            status,
            **outcome,
        )

    def _put_document_cell(self, cell: Cell, status: CellStatus, **outcome: Any) -> None:
        """Store a document cell (``outcome``: key, scores, timings, failure, from_cache)."""
        self._put_cell(
            {
                "cell_id": cell.cell_id,
                "kind": "document",
                "encounter_id": cell.encounter_id,
                "template_label": cell.template.label,
                "spec_hash": cell.template.spec.spec_hash,
                "language": cell.output_language,
                "recording_language": cell.recording_language,
                "source": cell.source,
            },
            status,
            **outcome,
        )

    def _put_cell(
        self,
        identity: dict[str, Any],
        status: CellStatus,
        *,
        key: str | None = None,
        scores: dict[str, Any] | None = None,
        timings: dict[str, float] | None = None,
        failure: _Failure | None = None,
        from_cache: bool = False,
    ) -> None:
        record = CellRecord(
            run_id=self.run_id, status=status, cache_key=key, from_cache=from_cache,
            scores=scores or {}, timings=timings or {}, updated=utc_now(), **identity,
            **_failure_fields(failure),
        )  # fmt: skip
        with self.session.ledger.carry() as carry:
            self.store.put_cell(record, api_calls_delta=carry.calls)

    def _answered(self, called: bool) -> None:
        """An answer is in hand (``called``: from the target, not the cache): the target works,
        whenever the cell's scoring ends; and a stopping run scores nothing more."""
        if self.aborted:
            raise _Abort(self.aborted)
        if called:
            self.breaker.success()


async def _together(calls: list[Coroutine[Any, Any, None]]) -> None:
    """Run ``calls`` concurrently; the first to raise cancels the others (and is re-raised once
    they have ended), so a stopping run leaves none of them answering after it."""
    tasks = [asyncio.ensure_future(call) for call in calls]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def _failure_of(exc: Exception, stage: str) -> _Failure:
    request_id = exc.request_id if isinstance(exc, APIStatusError) else None
    # Not one of ours means a bug or an unexpected answer: keep its type so it can be reported.
    if isinstance(exc, ScribeEvalError):
        return _Failure(stage, type(exc).__name__, exc.message, request_id)
    return _Failure(
        stage, type(exc).__name__, str(exc) or repr(exc), request_id, trimmed_traceback(exc)
    )


_TRACEBACK_FRAMES = 8
_TRACEBACK_CHARS = 4000


def trimmed_traceback(exc: BaseException) -> str:
    """The last frames of ``exc``'s traceback, for `runs show --errors` (never printed by default).

    Only an error that is not ours gets one: ours name the problem and the fix already. The
    message line is left out (the cell keeps it in ``error_message``); at most
    ``_TRACEBACK_CHARS`` characters, cut from the start, so the frame that raised is always kept.
    """
    frames = traceback.format_tb(exc.__traceback__, limit=-_TRACEBACK_FRAMES)
    text = "".join(frames).rstrip()
    return text[-_TRACEBACK_CHARS:] if len(text) > _TRACEBACK_CHARS else text


def _failure_fields(failure: _Failure | None) -> dict[str, Any]:
    if failure is None:
        return {}
    return {
        "stage": failure.stage,
        "error_type": failure.error_type,
        "error_message": failure.message,
        "request_id": failure.request_id,
        "traceback": failure.traceback,
    }
