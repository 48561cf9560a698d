"""The ``dataset.yaml`` file format: strict pydantic models of what a user writes.

```yaml
name: sample
description: Synthetic primary-care visits
licence: CC-BY-4.0
default_language: en
encounters:
  - id: en-01-sore-throat
    language: en                      # optional, defaults to default_language
    audio:                            # optional: encounters without audio are first-class
      path: audio/en-01-sore-throat.ogg        # one file holding every channel, or
      # channel_paths: {0: audio/a-doctor.wav, 1: audio/a-patient.wav}   one mono file per channel
      roles: {0: doctor, 1: patient}
    transcript: transcripts/en-01-sore-throat.txt   # "Doctor: ..." lines, or .json segments
    notes:
      soap:
        path: notes/en-01-sore-throat.soap.md       # "## Heading" blocks, or inline:
        # sections: {Subjective: "...", Plan: "..."}
        section_keys: {Subjective: corti-subjective, Plan: corti-plan}
        # ratings: {accurate: 4, thorough: 3}   optional clinician PDQI-9 ratings (1-5)
    terms: [{text: amoxicillin, kind: medication}, penicillin]
    keyterms: [amoxicillin]
    metadata: {specialty: general-practice, visit_type: acute, tags: [adult]}
```
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from scribe_eval.dataset._model import Role, TermKind

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
NoteType = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
EncounterId = Annotated[str, StringConstraints(pattern=_ID_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AudioEntry(_Strict):
    """Audio: ``path`` (one file, all channels) or ``channel_paths`` (one mono file per channel)."""

    path: str | None = None
    channel_paths: dict[int, str] | None = None
    roles: dict[int, Role] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_layout(self) -> AudioEntry:
        if (self.path is None) == (self.channel_paths is None):
            raise ValueError("give exactly one of 'path' (one file) or 'channel_paths'")
        if self.channel_paths is not None:
            if sorted(self.channel_paths) != list(range(len(self.channel_paths))):
                raise ValueError("channel_paths keys must be the channels 0, 1, ... without gaps")
            unknown = sorted(set(self.roles) - set(self.channel_paths))
            if unknown:
                raise ValueError(f"roles name channels {unknown} that channel_paths lacks")
        return self


class NoteEntry(_Strict):
    """A reference note: a file (``path``) or inline ``sections``, plus the section-key mapping."""

    path: str | None = None
    sections: dict[str, str] | None = None
    section_keys: dict[str, str] = Field(default_factory=dict)
    ratings: dict[str, Annotated[int, Field(ge=1, le=5)]] = Field(default_factory=dict)
    """Optional clinician ratings of this note: PDQI-9 attribute -> 1-5 (validates the judge)."""

    @model_validator(mode="after")
    def _one_source(self) -> NoteEntry:
        if (self.path is None) == (self.sections is None):
            raise ValueError("give exactly one of 'path' or 'sections'")
        return self


class TermEntry(_Strict):
    """A medical term, with its kind (``medication``, ``condition``, ...)."""

    text: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    kind: TermKind = "other"


class MetadataEntry(_Strict):
    """Slicing labels."""

    specialty: str | None = None
    visit_type: str | None = None
    tags: list[str] = Field(default_factory=list)


class EncounterEntry(_Strict):
    """One encounter as written in the manifest."""

    id: EncounterId
    language: str | None = None
    audio: AudioEntry | None = None
    transcript: str | None = None
    notes: dict[NoteType, NoteEntry] = Field(default_factory=dict)
    terms: list[TermEntry] = Field(default_factory=list)
    keyterms: list[str] = Field(default_factory=list)
    metadata: MetadataEntry = MetadataEntry()

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, data: Any) -> Any:
        # `audio: some.ogg` is one file without roles; a term may be a bare string.
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("audio"), str):
            data["audio"] = {"path": data["audio"]}
        if isinstance(data.get("terms"), list):
            data["terms"] = [{"text": t} if isinstance(t, str) else t for t in data["terms"]]
        return data


class ManifestHeader(_Strict):
    """Everything in ``dataset.yaml`` but the encounters (which are validated one by one)."""

    name: Annotated[str, StringConstraints(pattern=_ID_PATTERN)]
    description: str = ""
    licence: str = ""
    default_language: str = "en"
    encounters: list[Any] = Field(default_factory=list)
