"""Transcripts (contract section 4). Segment times are integer milliseconds."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from scribe_eval.api._base import RequestModel, VendorModel

ParticipantRole = Literal["doctor", "patient", "multiple"]
TranscriptStatus = Literal["processing", "completed", "failed"]


class Participant(VendorModel):
    """Which role speaks on which channel, as the API returns it."""

    channel: int = 0
    role: str


class ParticipantSpec(RequestModel):
    """Which role speaks on which channel, in a transcript request."""

    channel: int = Field(ge=0, le=31)
    role: ParticipantRole


class Replacement(RequestModel):
    """Replace ``find`` with ``replace`` in the finished transcript."""

    find: str = Field(min_length=1)
    replace: str


class Keyterm(RequestModel):
    """A word or phrase recognition should favour (at most 50 characters)."""

    term: str = Field(min_length=1, max_length=50)


class Keyterms(RequestModel):
    """The keyterms of a transcript request (at most 1000)."""

    terms: list[Keyterm] = Field(default_factory=list, max_length=1000)


class CreateTranscriptRequest(RequestModel):
    """Body of ``POST /interactions/{id}/transcripts/``."""

    recording_id: uuid.UUID
    primary_language: str = Field(min_length=2, max_length=10)
    is_multichannel: bool = False
    diarize: bool = False
    participants: list[ParticipantSpec] | None = None
    automatic_punctuation: bool = True
    spoken_punctuation: bool = False
    async_: bool = Field(default=False, alias="async")
    replacements: list[Replacement] | None = Field(default=None, max_length=1000)
    keyterms: Keyterms | None = None


class TranscriptSegment(VendorModel):
    """One recognised stretch of speech; ``start`` and ``end`` are milliseconds."""

    channel: int | None = 0
    participant: int | None = None
    speaker_id: int | None = None
    text: str = ""
    start: int | None = None
    end: int | None = None


class TranscriptMetadata(VendorModel):
    """Transcript metadata: the roles of the participants, when known."""

    participants_roles: list[Participant] | None = None


class UsageInfo(VendorModel):
    """What a call cost, in the vendor's credits."""

    credits_consumed: float | None = None


class Transcript(VendorModel):
    """A transcript: ``transcripts`` holds the segments and may be null, like ``metadata``."""

    id: str
    recording_id: str | None = None
    status: TranscriptStatus = "completed"
    metadata: TranscriptMetadata | None = None
    transcripts: list[TranscriptSegment] | None = None
    usage_info: UsageInfo | None = None

    @property
    def segments(self) -> list[TranscriptSegment]:
        """The segments, an empty list when the API sent none."""
        return list(self.transcripts or [])

    def roles_by_channel(self) -> dict[int, str]:
        """Channel -> participant role from the metadata (empty when the API sent none)."""
        roles = (self.metadata.participants_roles if self.metadata else None) or []
        return {p.channel: p.role for p in roles}

    def text(self) -> str:
        """All segment texts joined with single spaces, in the order the API gave them."""
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())


class TranscriptStatusAnswer(VendorModel):
    """Answer of ``GET .../transcripts/{tid}/status``."""

    status: TranscriptStatus


class TranscriptSummary(VendorModel):
    """One entry of ``GET .../transcripts/`` (the whole transcript only with ``full=true``)."""

    id: str
    transcript_sample: str | None = None
    transcript: Transcript | None = None


class TranscriptList(VendorModel):
    """Answer of ``GET .../transcripts/``."""

    transcripts: list[TranscriptSummary] = Field(default_factory=list)
