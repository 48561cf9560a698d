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
from typing import Final, Protocol, runtime_checkable

from scribe_eval.emulator._catalogue import ResolvedTemplate

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
