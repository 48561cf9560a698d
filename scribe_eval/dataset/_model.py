"""The loaded dataset as the rest of scribe-eval sees it: frozen, resolved, hashed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scribe_eval.errors import DatasetError

Role = Literal["doctor", "patient", "multiple"]
"""A channel's participant role, as the API's ``participants[].role`` spells it."""

TermKind = Literal["medication", "condition", "procedure", "anatomy", "test", "other"]
"""What kind of medical term a reference term is (for slicing fact checks)."""

Severity = Literal["error", "warning"]
"""How bad a validation finding is: errors make a dataset unusable, warnings do not."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Turn(_Frozen):
    """One speaker turn of a reference transcript (times in milliseconds when known)."""

    speaker: str
    text: str
    start_ms: int | None = None
    end_ms: int | None = None


class ReferenceNote(_Frozen):
    """A reference note of one note type: its sections in order and their vendor section keys.

    ``sections`` maps the reference heading to its text; ``section_keys`` maps a reference heading
    to the vendor's section key (``Subjective -> corti-subjective``). Unmapped headings are scored
    only as part of the whole note.
    """

    note_type: str
    sections: dict[str, str]
    section_keys: dict[str, str] = Field(default_factory=dict)
    path: Path | None = None
    ratings: dict[str, int] = Field(default_factory=dict)
    """Clinician ratings of this note (PDQI-9 attribute -> 1-5), when the dataset has them."""

    @property
    def text(self) -> str:
        """The whole note as Markdown: ``## Heading`` then the section text, blocks in order."""
        return "\n\n".join(f"## {heading}\n{body}" for heading, body in self.sections.items())


class Term(_Frozen):
    """A medical term the visit mentions (a medication, condition, ...) for fact checks."""

    text: str
    kind: TermKind = "other"


class EncounterMetadata(_Frozen):
    """Labels for slicing results: specialty, visit type and free tags."""

    specialty: str | None = None
    visit_type: str | None = None
    tags: tuple[str, ...] = ()


class AudioInfo(_Frozen):
    """Where an encounter's audio lives and what its header says.

    ``paths`` holds one file (all channels) or one mono file per channel (in channel order, see
    ``per_channel_files``). ``duration_s`` is the longest file's duration.
    """

    paths: tuple[Path, ...]
    per_channel_files: bool
    channels: int
    sample_rate: int
    duration_s: float
    format: str


class Encounter(_Frozen):
    """One labelled visit: audio (optional), reference transcript and reference notes."""

    id: str
    language: str
    audio: AudioInfo | None = None
    audio_hash: str | None = None
    channel_roles: dict[int, Role] = Field(default_factory=dict)
    reference_turns: tuple[Turn, ...] = ()
    notes: dict[str, ReferenceNote] = Field(default_factory=dict)
    terms: tuple[Term, ...] = ()
    keyterms: tuple[str, ...] = ()
    metadata: EncounterMetadata = EncounterMetadata()
    reference_hash: str

    @property
    def reference_text(self) -> str:
        """The reference transcript's words: every turn's text joined by spaces, no labels."""
        return " ".join(turn.text for turn in self.reference_turns if turn.text)

    @property
    def has_audio(self) -> bool:
        """True when the encounter has a recording (otherwise it is evaluated from its text)."""
        return self.audio is not None


class Dataset(_Frozen):
    """A loaded dataset: its header, its encounters in manifest order and one content hash.

    ``content_hash`` changes whenever any audio file, reference or manifest field changes.
    """

    name: str
    description: str = ""
    licence: str = ""
    root: Path
    default_language: str
    encounters: tuple[Encounter, ...]
    content_hash: str

    def encounter(self, encounter_id: str) -> Encounter:
        """Return the encounter with this id; raise DatasetError naming some known ids otherwise."""
        for encounter in self.encounters:
            if encounter.id == encounter_id:
                return encounter
        known = ", ".join(e.id for e in self.encounters[:5])
        raise DatasetError(
            f"no encounter {encounter_id!r} in dataset {self.name!r}; known ids include {known}"
        )


class Finding(_Frozen):
    """One validation problem: severity, encounter (None for the whole dataset), file and fix."""

    severity: Severity
    encounter_id: str | None
    path: str | None
    message: str

    def __str__(self) -> str:
        where = " ".join(part for part in (self.encounter_id, self.path) if part)
        return f"{self.severity}: {where or 'dataset'}: {self.message}"
