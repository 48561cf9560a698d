"""The experiment file's schema: what to run, against which target, and how to score it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scribe_eval._suggest import did_you_mean
from scribe_eval.experiment._duration import parse_duration
from scribe_eval.judge import JudgeConfig

TranscriptSourceName = Literal["asr", "reference"]


def _default_sources() -> list[TranscriptSourceName]:
    return ["asr"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


#: The faults an embedded target can inject: each is an ``emulator serve --fault-NAME`` option.
FAULT_NAMES: tuple[str, ...] = ("429", "500", "503", "slow", "drop", "transcript-failed")


class EmbeddedTarget(_Strict):
    """The embedded emulator, started as a subprocess on a free port for the run.

    Its data lives under the runs directory, so a resumed run finds what it made.
    """

    kind: Literal["embedded"] = "embedded"
    asr_engine: str = "whisper-base"
    note_engine: str = "template"
    async_threshold_s: float | None = None
    #: Least time each call takes, the emulator's own work included (``serve --latency-ms``).
    latency_ms: int = Field(default=0, ge=0)
    #: Probability per call of each fault the emulator can inject (``emulator serve --fault-*``).
    faults: dict[str, float] = Field(default_factory=dict)
    fault_seed: int = 0

    @field_validator("faults")
    @classmethod
    def _known_faults(cls, faults: dict[str, float]) -> dict[str, float]:
        # Checked here, with the file's line: an unknown name failed only when the emulator
        # started (exit 4, "7 failed cells" for a run where nothing ran).
        for name, probability in faults.items():
            if name not in FAULT_NAMES:
                hint = did_you_mean(name, FAULT_NAMES, f"use one of {', '.join(FAULT_NAMES)}")
                raise ValueError(f"unknown fault {name!r}; {hint}")
            if not 0.0 <= probability <= 1.0:
                raise ValueError(f"fault {name!r} has probability {probability}; give 0 to 1")
        return faults


class UrlTarget(_Strict):
    """A real API: base URL, tenant, and the *names* of the variables holding credentials.

    The credentials themselves never appear in the file, the run store or a report.
    ``model_version`` is the vendor's model version as the team declares it (the API reports
    none; ``SCRIBE_EVAL_TARGET_VERSION`` fills it when the file does not): when set it is part
    of the target identity, so a new version buys every answer again and marks the trend.
    """

    kind: Literal["url"] = "url"
    base_url: str = Field(pattern=r"^https?://")
    tenant: str = Field(min_length=1)
    auth: Literal["client-credentials", "token", "none"] = "client-credentials"
    token_url: str | None = None
    client_id_env: str = "SCRIBE_EVAL_CLIENT_ID"
    client_secret_env: str = "SCRIBE_EVAL_CLIENT_SECRET"
    token_env: str = "SCRIBE_EVAL_TOKEN"
    model_version: str | None = Field(default=None, min_length=1)


Target = Annotated[EmbeddedTarget | UrlTarget, Field(discriminator="kind")]


class TemplateEntry(_Strict):
    """A template to evaluate: a stored ``key`` or a template ``file``, with a display label.

    ``reference`` names the dataset's note type the documents are scored against.
    """

    key: str | None = None
    file: Path | None = None
    label: str | None = None
    reference: str = "soap"

    @model_validator(mode="after")
    def _exactly_one(self) -> TemplateEntry:
        if (self.key is None) == (self.file is None):
            raise ValueError("give exactly one of `key` (a stored template) or `file`")
        return self


class Languages(_Strict):
    """Recording and output languages.

    ``recording: dataset`` uses each encounter's language; ``output`` lists document languages,
    where ``recording`` means "the language the encounter was recorded in".
    """

    recording: str = "dataset"
    output: list[str] = Field(default_factory=lambda: ["recording"], min_length=1)


class TranscriptOptions(_Strict):
    """How transcripts are requested."""

    multichannel: bool = True
    diarize: bool = False
    keyterms: bool = True
    replacements: list[dict[str, str]] = Field(default_factory=list)
    async_: bool = Field(default=False, alias="async")


class Execution(_Strict):
    """Concurrency, time-outs and retries."""

    concurrency: int = Field(default=8, ge=1, le=256)
    transcript_concurrency: int = Field(default=2, ge=1, le=256)
    document_concurrency: int = Field(default=8, ge=1, le=256)
    timeout_s: float = Field(default=60.0, gt=0)
    retries: int = Field(default=4, ge=0, le=20)
    transcript_deadline_s: float = Field(default=1800.0, gt=0)


class Cleanup(_Strict):
    """What happens to remote data: delete interactions after the run; the retention header."""

    delete_interactions: bool = True
    retention: Literal["default", "none"] = "default"


#: How old a URL target's cached answer may be, unless ``cache.max_age`` says otherwise: a vendor
#: can update its model without telling, and the API reports no version.
URL_CACHE_MAX_AGE_S = 7 * 86_400.0


class CacheOptions(_Strict):
    """How old a cached stage answer may be before the run buys it again.

    ``max_age`` is a duration (``12h``, ``7d``, ``2w``) or ``none`` (no limit); unset, a URL
    target's limit is 7 days and the embedded emulator's none (its identity names its models).
    """

    max_age: str | None = None

    @field_validator("max_age", mode="before")
    @classmethod
    def _a_duration(cls, value: object) -> object:
        if value is not None:
            parse_duration(value)
        return value


class MetricOptions(_Strict):
    """How transcripts and notes are scored (recorded with every number)."""

    normalizer: str = "auto"
    tokenizer: Literal["unicode", "rouge-score"] = "unicode"
    stemmer: bool = False
    seed: int = 20261124
    bootstrap: int = Field(default=2000, ge=100, le=100_000)
    #: Points (0-100) below which a significant lead is "no practical difference".
    practical_difference: float = Field(default=1.0, ge=0, le=100)
    #: Points a recommended template may lose on section coverage or fact recall, at worst.
    tradeoff_margin: float = Field(default=5.0, ge=0, le=100)


class Experiment(_Strict):
    """An experiment file, with relative paths already resolved against its folder."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    description: str = ""
    dataset: Path
    target: Target = Field(default_factory=EmbeddedTarget)
    templates: list[TemplateEntry] = Field(min_length=1)
    languages: Languages = Field(default_factory=Languages)
    sources: list[TranscriptSourceName] = Field(default_factory=_default_sources, min_length=1)
    transcript: TranscriptOptions = Field(default_factory=TranscriptOptions)
    execution: Execution = Field(default_factory=Execution)
    cleanup: Cleanup = Field(default_factory=Cleanup)
    cache: CacheOptions = Field(default_factory=CacheOptions)
    metrics: MetricOptions = Field(default_factory=MetricOptions)
    judge: JudgeConfig | None = None
    encounters: list[str] | None = None
    path: Path | None = Field(default=None, exclude=True)

    @property
    def cache_max_age_s(self) -> float | None:
        """Seconds a cached stage answer stays usable; None for no limit.

        ``cache.max_age`` when given, else 7 days for a URL target and no limit for the embedded
        emulator.
        """
        if self.cache.max_age is not None:
            return parse_duration(self.cache.max_age)
        return URL_CACHE_MAX_AGE_S if isinstance(self.target, UrlTarget) else None
