"""The ``template`` note engine as an object: its name and identity now, its writing on first use.

The writing (``_notes_template`` with its cue lexicon, rules and renderer) takes ~30 ms to import,
most of it compiling the cue patterns. The server builds its note engine before its ready line,
which the runner waits for, so the writing is imported by the first document, or ahead of it by
:meth:`TemplateNoteEngine.load` (which ``emulator serve`` runs on a thread once it is ready).
"""

from __future__ import annotations

from typing import Final

from scribe_eval.emulator.engines._notes import NoteRequest, WrittenSection

NOTE_ENGINE_VERSION: Final = "2"
"""Bumped whenever cues, routing or rewriting change what the template engine writes."""


class TemplateNoteEngine:
    """The default note engine (name ``template``): deterministic, no model, template-driven.

    See ``_notes_template`` for how it assigns, filters and rewrites content. The same request
    always gives the same document.
    """

    name = "template"

    def identity(self) -> dict[str, str]:
        """Engine name and version: everything that changes its output."""
        return {"engine": self.name, "version": NOTE_ENGINE_VERSION, "cue_languages": "en,de,da,fr"}

    def load(self) -> TemplateNoteEngine:
        """Import the writing now (it is otherwise imported by the first document)."""
        from scribe_eval.emulator.engines import _notes_template  # noqa: F401

        return self

    def write(self, request: NoteRequest) -> list[WrittenSection]:
        """One written section per template section, in the template's order."""
        from scribe_eval.emulator.engines._notes_template import write_note

        return write_note(request)
