"""Note writing for the emulator, behind the small :class:`NoteEngine` protocol.

Engines (pick one by name with :func:`create_note_engine`):

- ``template`` (the default): deterministic and template-driven, no model. It assigns the
  sentences of the visit to the template's sections by per-section cue words, speaker role and
  position, and rewrites them as clinical prose or lists (see ``_notes_template``).
- ``openai``: any OpenAI-compatible chat-completions endpoint (llama.cpp server, vLLM, Ollama or
  a hosted service), configured by ``SCRIBE_EVAL_NOTE_BASE_URL``, ``SCRIBE_EVAL_NOTE_MODEL`` and
  ``SCRIBE_EVAL_NOTE_API_KEY`` (see ``_notes_openai``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Protocol, runtime_checkable

from scribe_eval.emulator._catalogue import ResolvedTemplate
from scribe_eval.errors import EngineError

DEFAULT_NOTE_ENGINE: Final = "template"
"""The note engine the emulator uses unless told otherwise."""


@dataclass(frozen=True)
class NoteSegment:
    """One piece of the visit transcript; ``role`` is ``doctor``, ``patient``, ``multiple`` or None.

    Times are integer milliseconds from the start of the recording, when known.
    """

    text: str
    role: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None


@dataclass(frozen=True)
class NoteRequest:
    """Everything a note engine writes from: the context of a document request and its template.

    ``facts`` are short statements; a fact of the form ``"allergies: penicillin"`` is routed by
    its group. Lists given for ``segments`` or ``facts`` are stored as tuples, and fact objects
    with ``text`` and ``group`` (``api.Fact``) are turned into ``"group: text"`` strings.
    """

    segments: tuple[NoteSegment, ...]
    free_text: str | None
    facts: tuple[str, ...]
    template: ResolvedTemplate
    output_language: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.segments))
        object.__setattr__(self, "facts", tuple(_fact_text(fact) for fact in self.facts))


@dataclass(frozen=True)
class WrittenSection:
    """One written section: its key, its heading (the override when given) and its text."""

    key: str
    name: str
    text: str


@runtime_checkable
class NoteEngine(Protocol):
    """Writes the sections of a document from a visit's transcript and a resolved template."""

    name: str

    def identity(self) -> dict[str, str]:
        """Engine name, version and options: everything that changes its output."""
        ...

    def write(self, request: NoteRequest) -> list[WrittenSection]:
        """One written section per template section, in the template's order."""
        ...


def create_note_engine(name: str = DEFAULT_NOTE_ENGINE, **options: Any) -> NoteEngine:
    """Build a note engine by name: ``template`` (default) or ``openai``.

    ``options`` go to the engine's constructor (for ``openai``: ``base_url``, ``model``,
    ``api_key``, ``timeout_s``; missing ones come from the ``SCRIBE_EVAL_NOTE_*`` variables).

    Raises:
        EngineError: Unknown name, or the ``openai`` engine lacks its base URL or model.
    """
    if name == "template":
        from scribe_eval.emulator.engines._notes_template import TemplateNoteEngine

        if options:
            raise EngineError(
                f"the template note engine takes no options (got {', '.join(sorted(options))}); "
                "leave them out or use the openai engine"
            )
        return TemplateNoteEngine()
    if name == "openai":
        from scribe_eval.emulator.engines._notes_openai import OpenAINoteEngine

        return OpenAINoteEngine.from_env(**options)
    raise EngineError(f"unknown note engine {name!r}; use 'template' (the default) or 'openai'")


def request_text(request: NoteRequest) -> str:
    """The whole context of ``request`` as one text (segments, free text, then facts)."""
    parts = [segment.text.strip() for segment in request.segments]
    parts.append((request.free_text or "").strip())
    parts.extend(fact.strip() for fact in request.facts)
    return "\n".join(part for part in parts if part)


def _fact_text(fact: object) -> str:
    if isinstance(fact, str):
        return fact
    text = str(getattr(fact, "text", fact))
    group = getattr(fact, "group", None)
    return f"{group}: {text}" if group else text
