"""Frozen records the run store reads and writes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# The closed sets live with the readers that need no pydantic (`runs list` reads runs without it).
from scribe_eval.store._rows import CellKind, CellStatus, RemoteState, RunStatus, TranscriptSource


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Lenient(BaseModel):
    """A record read back from older runs: unknown keys are kept, missing ones get defaults."""

    model_config = ConfigDict(frozen=True, extra="allow")


class MetricSettings(_Lenient):
    """How a run's numbers were computed: recorded once, compared before two runs are compared."""

    version: str | int | None = None
    normalizers: dict[str, str] = Field(default_factory=dict)
    tokenizer: str | None = None
    stemmer: bool | None = None
    seed: int = 0
    bootstrap: int = 2000
    practical_difference: float = 1.0
    tradeoff_margin: float = 5.0


class TemplateInfo(_Lenient):
    """One template of a run: its label, spec hash and the reference note type it is scored on."""

    label: str
    spec_hash: str = ""
    template_key: str | None = None
    source: str | None = None
    reference: str = ""
    request: dict[str, Any] = Field(default_factory=dict)


class DatasetInfo(_Lenient):
    """The dataset a run read: its name, content hash and folder."""

    name: str = ""
    hash: str = ""
    root: str | None = None


#: The key a run's judge provenance carries (True) while its judge stage is under way, and after
#: one stopped mid-way (killed, Ctrl-C): some notes then carry this judge's scores and others
#: none, or another judge's, so compare refuses its judge metrics until it is judged again.
JUDGE_UNFINISHED = "unfinished"


class Provenance(_Lenient):
    """What a run was made with: versions, dataset, templates, metric settings, the matrix and
    the judge (when one scored the notes)."""

    scribe_eval: str = "?"
    python: str = "?"
    dependencies: dict[str, str | None] = Field(default_factory=dict)
    dataset: DatasetInfo = Field(default_factory=DatasetInfo)
    templates: list[TemplateInfo] = Field(default_factory=list)
    metrics: MetricSettings = Field(default_factory=MetricSettings)
    matrix: dict[str, Any] = Field(default_factory=dict)
    judge: dict[str, Any] | None = None
    """The judge's model, prompt and rubric versions and settings (None: not judged)."""


class RunRecord(_Frozen):
    """One run: what was run against what, and how it went.

    ``target`` describes the API (kind, base URL, tenant, identity) and never holds a credential;
    ``provenance`` holds tool and dependency versions, hashes, seeds and metric settings.
    """

    id: str
    name: str
    status: RunStatus
    created: str
    finished: str | None = None
    experiment_path: str | None = None
    experiment_hash: str
    dataset_name: str
    dataset_hash: str
    target: dict[str, Any]
    config: dict[str, Any]
    provenance: dict[str, Any]
    api_calls: int = 0
    notes: str | None = None
    #: Cached answers found older than the cache's age limit and bought again (every runner and
    #: worker of the run adds its own).
    expired_cache: int = 0

    @property
    def meta(self) -> Provenance:
        """``provenance`` as a typed record (older runs' missing fields get their defaults)."""
        return Provenance.model_validate(self.provenance)


class CellFields(_Frozen):
    """What every view of a cell carries: where it sits in the matrix and how it ended."""

    run_id: str
    cell_id: str
    kind: CellKind
    encounter_id: str
    template_label: str = ""
    spec_hash: str = ""
    language: str
    recording_language: str
    source: TranscriptSource
    status: CellStatus
    stage: str | None = None
    error_type: str | None = None
    error_message: str | None = None
    request_id: str | None = None
    cache_key: str | None = None
    from_cache: bool = False
    timings: dict[str, float] = Field(default_factory=dict)
    updated: str = ""


class CellRecord(CellFields):
    """One cell of a run: a transcript (per encounter and recording language) or a document.

    Failures are data: a failed cell keeps the stage it failed in, the error type and message and
    the vendor's request id, and the run goes on. ``scores`` holds everything the scorer wrote,
    lists included (sections, findings, missed facts: about 16 KB a document); readers of a whole
    run read `CellSummary` instead (``RunStore.cell_summaries``).
    """

    scores: dict[str, Any] = Field(default_factory=dict)
    traceback: str | None = None

    @property
    def note_type(self) -> str | None:
        """The reference note type the scorer stored for a document (None when it stored none)."""
        stored = self.scores.get("note_type")
        return stored if isinstance(stored, str) and stored else None


class CacheEntry(_Frozen):
    """A stage's stored answer, keyed by everything the answer depends on."""

    key: str
    stage: str
    value: dict[str, Any]
    request_id: str | None = None
    elapsed_ms: float | None = None
    created: str
    run_id: str | None = None


class RemoteRecord(_Frozen):
    """A resource the run created on the target (an interaction or a document).

    A ``pending`` row is written *before* the create call, so that after a crash the run looks the
    resource up by its identifier instead of creating a second one.
    """

    run_id: str
    key: str
    kind: str
    target: str
    identifier: str
    remote_id: str | None = None
    parent_id: str | None = None
    state: RemoteState
    updated: str


class Lease(_Frozen):
    """A run's lease: the one process allowed to run it, until ``expires`` (ISO UTC strings)."""

    run_id: str
    token: str
    host: str
    pid: int
    since: str
    heartbeat: str
    expires: str


class BaselineEvent(_Frozen):
    """One blessing of a baseline: which run, who, when, why, and the run it replaced."""

    name: str
    run_id: str
    previous_run_id: str | None = None
    user: str
    reason: str | None = None
    blessed: str
    forced: bool = False
