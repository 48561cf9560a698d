"""The emulator's settings: one pydantic-settings model, from flags or ``SCRIBE_EVAL_EMULATOR_*``.

Nested values use ``__`` in the environment (``SCRIBE_EVAL_EMULATOR_FAULTS__P429=0.1``); the
per-tenant client credentials are one JSON object
(``SCRIBE_EVAL_EMULATOR_CLIENTS='{"base": {"client_id": "id", "client_secret": "secret"}}'``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

AuthMode = Literal["none", "client-credentials"]
"""``none`` accepts any bearer token; ``client-credentials`` checks tokens it issued itself."""

DEFAULT_MAX_UPLOAD_BYTES = 150 * 1024 * 1024
DEFAULT_MAX_DURATION_S = 120 * 60.0


class ClientCredential(BaseModel):
    """One tenant's client id and secret for the emulator's token endpoint."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: str = Field(min_length=1)
    client_secret: SecretStr


class FaultSettings(BaseModel):
    """Fault injection (contract section 8): probabilities per request, all off by default.

    The faults never touch ``/v2/health``, ``/v2/_emulator/*`` or the token endpoint. One seeded
    random stream decides them, so the same sequence of calls meets the same faults.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    p429: float = Field(default=0.0, ge=0.0, le=1.0)
    p500: float = Field(default=0.0, ge=0.0, le=1.0)
    p503: float = Field(default=0.0, ge=0.0, le=1.0)
    p_slow: float = Field(default=0.0, ge=0.0, le=1.0)
    slow_ms: int = Field(default=2000, ge=0)
    p_drop: float = Field(default=0.0, ge=0.0, le=1.0)
    p_transcript_failed: float = Field(default=0.0, ge=0.0, le=1.0)
    latency_ms: int = Field(default=0, ge=0)
    retry_after_s: int = Field(default=1, ge=0)
    seed: int = 0

    def any_enabled(self) -> bool:
        """True when any fault or added latency is configured."""
        probabilities = (self.p429, self.p500, self.p503, self.p_slow, self.p_drop)
        return any(p > 0 for p in probabilities) or self.latency_ms > 0


def default_data_dir() -> Path:
    """Where the emulator keeps its database and audio when no ``--data-dir`` is given."""
    return Path(platformdirs.user_data_dir("scribe-eval")) / "emulator"


class EmulatorSettings(BaseSettings):
    """Everything the emulator needs to start; flags of ``scribe-eval emulator serve`` map here.

    Attributes:
        data_dir: SQLite database and audio files (created when missing).
        auth: ``none`` (any bearer token, or none) or ``client-credentials``.
        clients: Tenant name -> client credentials, used when ``auth`` is ``client-credentials``.
        token_ttl_s: Lifetime of issued access tokens.
        asr_engine: Speech engine name (``whisper-base``, ``whisper-tiny.en``, ``instant``).
        asr_model_dir: A local faster-whisper model folder that wins over the packaged weights.
        asr_threads: CPU threads for speech recognition (``None``: all cores).
        preload_asr: Load the speech model in ``create_app`` instead of on the first transcript.
        note_engine: Note engine name (``template`` by default).
        async_threshold_s: Recordings longer than this answer 202 and finish in the background.
        max_upload_bytes: Uploads larger than this answer 413 (checked while streaming).
        max_duration_s: Recordings longer than this answer 413.
        faults: Fault injection settings.
    """

    model_config = SettingsConfigDict(
        env_prefix="SCRIBE_EVAL_EMULATOR_",
        env_nested_delimiter="__",
        # "ignore": another tool's SCRIBE_EVAL_EMULATOR_* variable must not stop the server.
        extra="ignore",
        frozen=True,
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    auth: AuthMode = "none"
    clients: dict[str, ClientCredential] = Field(default_factory=dict)
    token_ttl_s: int = Field(default=300, ge=1)
    asr_engine: str = "whisper-base"
    asr_model_dir: Path | None = None
    asr_threads: int | None = Field(default=None, ge=1)
    preload_asr: bool = False
    note_engine: str = "template"
    async_threshold_s: float = Field(default=25.0, ge=0.0)
    max_upload_bytes: int = Field(default=DEFAULT_MAX_UPLOAD_BYTES, ge=1)
    max_duration_s: float = Field(default=DEFAULT_MAX_DURATION_S, gt=0.0)
    faults: FaultSettings = Field(default_factory=FaultSettings)

    @model_validator(mode="after")
    def _credentials_when_checked(self) -> EmulatorSettings:
        if self.auth == "client-credentials" and not self.clients:
            raise ValueError(
                "auth 'client-credentials' needs at least one tenant's client id and secret "
                "(--client TENANT:ID:SECRET or SCRIBE_EVAL_EMULATOR_CLIENTS)"
            )
        return self
