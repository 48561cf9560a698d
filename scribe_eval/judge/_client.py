"""The judge's HTTP client: one chat completion per task, validated, retried, bounded.

Retries follow the scribe client's policy (``client.RetryPolicy``): 408, 429, 5xx and dropped
connections wait with full-jitter back-off, ``Retry-After`` honoured as a floor, and a server
that asks for longer than ``max_wait`` gets no further attempt. A malformed answer (not JSON, or
not of the task's schema) or a refusal is asked again too. Every try counts against
``max_attempts``; when they run out a typed :class:`JudgeError` is raised. At most
``concurrency`` calls are in flight; waits happen outside that limit.

Logs name the task, attempt, status and time only: never the API key, a prompt or an answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from scribe_eval.client import RetryPolicy, parse_retry_after
from scribe_eval.judge._config import JudgeConfig, JudgeTask
from scribe_eval.judge._errors import (
    JudgeError,
    JudgeErrorKind,
    JudgeHTTPError,
    JudgeOutputError,
    JudgeRefusalError,
)
from scribe_eval.judge._prompts import SCHEMAS, ContentRule, task_messages
from scribe_eval.judge._schema import ClaimJudgement, ContentRuleJudgement, RubricJudgement

logger = logging.getLogger("scribe_eval.judge")
_M = TypeVar("_M", bound=BaseModel)
Sleep = Callable[[float], Awaitable[None]]


class _Retry(Exception):
    """One failed try worth another: the error to raise if none is left, and a wait floor."""

    def __init__(self, error: JudgeError, retry_after: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after


class JudgeClient:
    """An async client for an OpenAI-compatible ``/chat/completions`` endpoint, as judge.

    Args:
        config: The ``judge:`` block.
        api_key: The key; by default read from ``config.api_key_env``.
        transport: An httpx transport (tests); by default a real connection pool.
        retry: Back-off policy; ``max_attempts`` comes from the config.
        sleep: The wait function (tests pass one that does not wait).
    """

    def __init__(
        self,
        config: JudgeConfig,
        *,
        api_key: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.config = config
        key = api_key if api_key is not None else config.api_key()
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._http = httpx.AsyncClient(
            base_url=config.base_url, headers=headers, timeout=config.timeout, transport=transport
        )
        base = retry or RetryPolicy()
        self._retry = RetryPolicy(
            config.max_attempts, base.initial_backoff, base.max_backoff, base.max_wait
        )
        self._slots = asyncio.Semaphore(config.concurrency)
        self._sleep = sleep
        self.calls = 0
        """HTTP calls made so far (a cached re-run makes none)."""

    async def __aenter__(self) -> JudgeClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def judge_claims(
        self, *, transcript: str, note: str, reference: str | None
    ) -> ClaimJudgement:
        """The note's claims against the transcript, and the reference's omitted claims."""
        chat = task_messages("claims", transcript=transcript, note=note, reference=reference)
        return await self._complete("claims", chat, ClaimJudgement)

    async def judge_content_rules(
        self, *, transcript: str, note: str, rules: Sequence[ContentRule]
    ) -> ContentRuleJudgement:
        """One obeyed/not verdict per content rule (exactly the ids given, else malformed)."""
        chat = task_messages("content_rules", transcript=transcript, note=note, rules=rules)
        wanted = {rule.rule_id for rule in rules}

        def same_rules(answer: ContentRuleJudgement) -> str | None:
            got = [verdict.rule_id for verdict in answer.rules]
            if sorted(got) != sorted(wanted):
                return f"answered rules {sorted(got)}, asked for {sorted(wanted)}"
            return None

        return await self._complete("content_rules", chat, ContentRuleJudgement, same_rules)

    async def judge_rubric(self, *, transcript: str, note: str) -> RubricJudgement:
        """The PDQI-9-style rubric of the note."""
        chat = task_messages("rubric", transcript=transcript, note=note)
        return await self._complete("rubric", chat, RubricJudgement)

    async def _complete(
        self,
        task: JudgeTask,
        chat: list[dict[str, str]],
        schema: type[_M],
        check: Callable[[_M], str | None] | None = None,
    ) -> _M:
        """Ask until an answer validates or the attempts run out; waits follow the retry policy."""
        body = self._body(task, chat)
        for attempt in range(1, self.config.max_attempts + 1):
            try:
                answer = await self._call(task, body, attempt)
                return _parse(task, answer, schema, check, attempt)
            except _Retry as retry:
                failure = retry.error
                if attempt == self.config.max_attempts:
                    raise failure from None
                wait = self._retry.delay(attempt, retry.retry_after)
                if wait is None:
                    raise JudgeHTTPError(
                        f"judge {task}: the endpoint asked to wait {retry.retry_after:.0f} s, "
                        f"over the {self._retry.max_wait:.0f} s limit — lower judge.concurrency "
                        "or try later",
                        task=task, kind="rate_limited", attempts=attempt, status_code=429,
                    ) from None  # fmt: skip
                logger.info("judge %s: attempt %d failed (%s); again in %.1f s",
                            task, attempt, failure.kind, wait)  # fmt: skip
                await self._sleep(wait)
        raise AssertionError("unreachable: the loop returns or raises")

    def _body(self, task: JudgeTask, chat: list[dict[str, str]]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": chat,
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        }
        if self.config.seed is not None:
            body["seed"] = self.config.seed
        if self.config.response_format == "json_object":
            body["response_format"] = {"type": "json_object"}
        elif self.config.response_format == "json_schema":
            schema = SCHEMAS[task].model_json_schema()
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": task, "schema": schema, "strict": False},
            }
        return body

    async def _call(self, task: JudgeTask, body: dict[str, Any], attempt: int) -> dict[str, Any]:
        started = time.monotonic()
        async with self._slots:
            self.calls += 1
            try:
                response = await self._http.post("/chat/completions", json=body)
            except httpx.HTTPError as exc:
                error = JudgeHTTPError(
                    f"judge {task}: no answer from {self.config.base_url} "
                    f"({type(exc).__name__}) — check the server is up",
                    task=task, kind="transport", attempts=attempt, status_code=None,
                )  # fmt: skip
                raise _Retry(error) from None
        logger.debug("judge %s: attempt %d answered %d in %.2f s",
                     task, attempt, response.status_code, time.monotonic() - started)  # fmt: skip
        return _answer(task, response, attempt, self.config)


def _answer(
    task: JudgeTask, response: httpx.Response, attempt: int, config: JudgeConfig
) -> dict[str, Any]:
    status = response.status_code
    if status == 200:
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
        raise _Retry(_malformed(task, attempt, "the answer body is not a JSON object"))
    kind: JudgeErrorKind = "rate_limited" if status == 429 else "http"
    hints = {
        401: f"check the key in {config.api_key_env}",
        403: "check the key's access",
        404: "check base_url ends in /v1 and the model name",
    }
    hint = hints.get(status, "try again later")
    error = JudgeHTTPError(
        f"judge {task}: {config.base_url} answered {status} — {hint}",
        task=task, kind=kind, attempts=attempt, status_code=status,
    )  # fmt: skip
    if status in (408, 429) or status >= 500:
        raise _Retry(error, parse_retry_after(response.headers.get("retry-after")))
    raise error


def _parse(
    task: JudgeTask,
    data: dict[str, Any],
    schema: type[_M],
    check: Callable[[_M], str | None] | None,
    attempt: int,
) -> _M:
    message = _message(data)
    if message is None:
        raise _Retry(_malformed(task, attempt, "no choices[0].message in the answer"))
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal.strip():
        raise _Retry(JudgeRefusalError(
            f"judge {task}: the model refused — use a model that accepts clinical text",
            task=task, kind="refused", attempts=attempt,
        ))  # fmt: skip
    content = message.get("content")
    try:
        answer = schema.model_validate(
            json.loads(_unfenced(content if isinstance(content, str) else ""))
        )
    except (ValueError, ValidationError) as exc:
        problem = f"{type(exc).__name__} ({_first_problem(exc)})"
        raise _Retry(_malformed(task, attempt, problem)) from None
    mismatch = check(answer) if check else None
    if mismatch:
        raise _Retry(_malformed(task, attempt, mismatch))
    return answer


def _message(data: dict[str, Any]) -> dict[str, Any] | None:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    message = choices[0].get("message")
    return message if isinstance(message, dict) else None


def _unfenced(content: str) -> str:
    # Some servers wrap JSON in a Markdown code fence even when asked not to.
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "answer"
        return f"{where}: {error['msg']}"
    return "not JSON"


def _malformed(task: JudgeTask, attempt: int, problem: str) -> JudgeOutputError:
    return JudgeOutputError(
        f"judge {task}: malformed answer: {problem} — use a model that follows JSON schemas, "
        "or set judge.response_format to json_object",
        task=task, kind="malformed", attempts=attempt,
    )  # fmt: skip
