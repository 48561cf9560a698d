"""The ``judge:`` block of an experiment file: which OpenAI-compatible endpoint judges the notes.

```yaml
judge:
  base_url: http://127.0.0.1:8080/v1     # POSTs go to {base_url}/chat/completions
  model: llama-3.1-70b-instruct
  api_key_env: SCRIBE_EVAL_JUDGE_API_KEY  # the variable holding the key; null: send none
  concurrency: 4
```

The key itself never appears in a file, the store, a log or provenance: only the name of the
environment variable that holds it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scribe_eval.errors import ConfigError

JudgeTask = Literal["claims", "content_rules", "rubric"]
JUDGE_TASKS: tuple[JudgeTask, ...] = ("claims", "content_rules", "rubric")
ResponseFormat = Literal["json_schema", "json_object", "none"]
DEFAULT_KEY_ENV = "SCRIBE_EVAL_JUDGE_API_KEY"


class JudgeConfig(BaseModel):
    """Where the judge runs and how it is asked.

    Attributes:
        base_url: The endpoint's base (``https://host/v1``); ``/chat/completions`` is appended.
        model: The model name the endpoint serves.
        api_key_env: The environment variable holding the API key; None sends no key.
        temperature: Sampling temperature (0 for repeatable judgements).
        seed: Sampling seed, for servers that honour one.
        max_tokens: Longest answer allowed, in tokens.
        timeout: Seconds to wait for one answer.
        concurrency: Calls in flight at once.
        max_attempts: Attempts per task, the first included, for malformed or refused answers,
            429s, 5xx and dropped connections.
        response_format: ``json_schema`` (structured outputs), ``json_object``, or ``none`` for
            servers that support neither (the schema is always in the prompt as well).
        tasks: Which judgements to make.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field(min_length=1)
    model: str = Field(min_length=1)
    api_key_env: str | None = DEFAULT_KEY_ENV
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    seed: int | None = None
    max_tokens: int = Field(default=4096, ge=16)
    timeout: float = Field(default=120.0, gt=0)
    concurrency: int = Field(default=4, ge=1, le=64)
    max_attempts: int = Field(default=3, ge=1, le=10)
    response_format: ResponseFormat = "json_schema"
    tasks: tuple[JudgeTask, ...] = Field(default=JUDGE_TASKS, min_length=1)

    @field_validator("base_url")
    @classmethod
    def _plain_http_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"{value!r} is not an http(s) URL; write e.g. http://127.0.0.1:8080/v1"
            )
        if parts.username or parts.password:
            raise ValueError("put no credentials in base_url; name a variable in api_key_env")
        return value.strip().rstrip("/")

    def api_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The API key from ``api_key_env`` (None when no variable is named).

        Raises:
            ConfigError: the variable is named but unset or empty.
        """
        if self.api_key_env is None:
            return None
        key = (os.environ if environ is None else environ).get(self.api_key_env, "").strip()
        if not key:
            raise ConfigError(
                f"judge.api_key_env names {self.api_key_env}, which is not set — export it, "
                "or set api_key_env: null for a server that needs no key"
            )
        return key

    def settings(self) -> dict[str, Any]:
        """The settings that shape a judgement, for provenance and the cache key (no secrets)."""
        return {
            "model": self.model,
            "temperature": self.temperature,
            "seed": self.seed,
            "max_tokens": self.max_tokens,
            "response_format": self.response_format,
            "tasks": list(self.tasks),
        }
