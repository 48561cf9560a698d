"""Optional note engine: any OpenAI-compatible chat-completions endpoint writes the sections.

Configure with ``SCRIBE_EVAL_NOTE_BASE_URL`` (e.g. ``http://127.0.0.1:8080/v1`` for a llama.cpp
server, Ollama's ``http://127.0.0.1:11434/v1``, or a hosted service), ``SCRIBE_EVAL_NOTE_MODEL``
and, when the endpoint needs one, ``SCRIBE_EVAL_NOTE_API_KEY``. The template's sections (heading,
description, writing style, format rule, instructions) become the instructions; the model is
asked for one JSON object mapping section keys to text, and the answer is parsed leniently (code
fences, prose around the object, lists instead of strings, headings instead of keys). The key is
sent only in the ``Authorization`` header and never logged or shown in errors or the identity.
"""

from __future__ import annotations

import json
import logging
import os
import re
from typing import Any, Final

import httpx

from scribe_eval.emulator.engines._notes import NoteRequest, WrittenSection
from scribe_eval.errors import EngineError

_log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S: Final = 120.0
"""Local models are slow: a note can take a minute on a CPU."""

_SYSTEM: Final = (
    "You are a clinical documentation assistant. Write the requested sections of a clinical "
    "note from the visit below. Use only information present in the visit; do not invent "
    "findings. Answer with one JSON object and nothing else: its keys are the section keys, its "
    "values the section text."
)


class OpenAINoteEngine:
    """Note engine ``openai``: asks a chat-completions endpoint for ``{section key: text}``.

    Args:
        base_url: The API base, ending before ``/chat/completions`` (e.g. ``.../v1``).
        model: The model name the endpoint expects.
        api_key: Bearer token, or None for endpoints without auth.
        timeout_s: Time-out of one request in seconds.
        json_mode: Send ``response_format: json_object`` (turn off for endpoints that refuse it).
    """

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        json_mode: bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url or not model:
            raise EngineError(
                "the openai note engine needs a base URL and a model; set "
                "SCRIBE_EVAL_NOTE_BASE_URL and SCRIBE_EVAL_NOTE_MODEL"
            )
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._api_key = api_key
        self.timeout_s = timeout_s
        self.json_mode = json_mode
        self._transport = transport

    @classmethod
    def from_env(cls, **options: Any) -> OpenAINoteEngine:
        """Build the engine from keyword options, filling the rest from ``SCRIBE_EVAL_NOTE_*``."""
        options.setdefault("base_url", os.environ.get("SCRIBE_EVAL_NOTE_BASE_URL", ""))
        options.setdefault("model", os.environ.get("SCRIBE_EVAL_NOTE_MODEL", ""))
        options.setdefault("api_key", os.environ.get("SCRIBE_EVAL_NOTE_API_KEY") or None)
        return cls(**options)

    def __repr__(self) -> str:
        return f"OpenAINoteEngine(base_url={self.base_url!r}, model={self.model!r})"

    def identity(self) -> dict[str, str]:
        """Engine name, endpoint and model (never the key)."""
        return {"engine": self.name, "base_url": self.base_url, "model": self.model}

    def write(self, request: NoteRequest) -> list[WrittenSection]:
        """Ask the endpoint for every section at once; a missing section comes back empty.

        Raises:
            EngineError: The endpoint is unreachable, answers an error, or answers no JSON.
        """
        content = self._complete(build_messages(request))
        texts = parse_sections(content, request)
        return [
            WrittenSection(section.key, section.name, texts.get(section.key, ""))
            for section in request.template.sections
        ]

    def _complete(self, messages: list[dict[str, str]]) -> str:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0}
        if self.json_mode:
            body["response_format"] = {"type": "json_object"}
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        url = f"{self.base_url}/chat/completions"
        _log.info("note engine openai: POST %s model=%s", url, self.model)
        try:
            with httpx.Client(timeout=self.timeout_s, transport=self._transport) as client:
                answer = client.post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise EngineError(
                f"the note endpoint {url} could not be reached ({type(exc).__name__}); "
                "check SCRIBE_EVAL_NOTE_BASE_URL and that the server is running"
            ) from exc
        if answer.status_code >= 400:
            raise EngineError(
                f"the note endpoint {url} answered {answer.status_code}: "
                f"{answer.text[:200]!r}; check the model name and the API key"
            )
        try:
            return str(answer.json()["choices"][0]["message"]["content"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise EngineError(
                f"the note endpoint {url} gave no chat-completions answer "
                f"({answer.text[:200]!r}); is it OpenAI-compatible?"
            ) from exc


def build_messages(request: NoteRequest) -> list[dict[str, str]]:
    """The chat messages for ``request``: instructions per section, then the visit."""
    lines = [f"Write the note in the language with code {request.output_language!r}."]
    if request.template.instructions:
        lines.append(f"Instructions for the whole note: {request.template.instructions}")
    lines.append("Sections (JSON key: heading - what goes in):")
    for section in request.template.sections:
        details = [section.description or ""]
        for label, value in (
            ("writing style", section.writing_style), ("format", section.format_rule),
            ("instructions", section.additional_instructions), ("content", section.content),
        ):  # fmt: skip
            if value:
                details.append(f"{label}: {value}")
        lines.append(f'- "{section.key}": {section.name} - ' + "; ".join(d for d in details if d))
    return [
        {"role": "system", "content": _SYSTEM},
        {"role": "user", "content": "\n".join(lines) + "\n\nVisit:\n" + _visit(request)},
    ]


def _visit(request: NoteRequest) -> str:
    turns = [f"{(s.role or 'speaker').upper()}: {s.text.strip()}" for s in request.segments]
    if request.free_text:
        turns.append(request.free_text.strip())
    turns.extend(f"FACT: {fact}" for fact in request.facts)
    return "\n".join(turns)


def parse_sections(content: str, request: NoteRequest) -> dict[str, str]:
    """Section texts from a model's answer: a JSON object, possibly fenced or wrapped in prose.

    Keys may be the section keys or their headings (any case); list values become bullet lists.

    Raises:
        EngineError: The answer holds no JSON object.
    """
    data = _json_object(content)
    by_name = {section.name.lower(): section.key for section in request.template.sections}
    by_key = {section.key.lower(): section.key for section in request.template.sections}
    texts: dict[str, str] = {}
    for raw_key, value in data.items():
        name = str(raw_key).strip().lower()
        key = by_key.get(name) or by_name.get(name) or by_key.get(f"corti-{name}")
        if key is not None:
            texts[key] = _as_text(value)
    return texts


def _json_object(content: str) -> dict[str, Any]:
    unfenced = re.sub(r"^```(?:json)?\s*|\s*```$", "", content.strip(), flags=re.IGNORECASE)
    for candidate in (unfenced, _outermost_braces(content)):
        if candidate is None:
            continue
        try:
            parsed = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            return parsed
    raise EngineError(
        f"the note model answered no JSON object ({content[:120]!r}); use a model that follows "
        "instructions, or an endpoint that supports response_format json_object"
    )


def _outermost_braces(content: str) -> str | None:
    start, end = content.find("{"), content.rfind("}")
    return content[start : end + 1] if 0 <= start < end else None


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return "\n".join(f"- {_as_text(item)}" for item in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_as_text(v)}" for k, v in value.items())
    return "" if value is None else str(value)
