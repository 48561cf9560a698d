"""Interactions and recordings (contract sections 2 and 3)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AliasChoices, Field

from scribe_eval.api._base import RequestModel, VendorModel

EncounterStatus = Literal["planned", "in-progress", "on-hold", "completed", "cancelled", "deleted"]
EncounterType = Literal[
    "first_consultation", "consultation", "emergency", "inpatient", "outpatient"
]


class Period(VendorModel):
    """When the encounter started and, if it has, ended."""

    started_at: datetime
    ended_at: datetime | None = None


class Encounter(VendorModel):
    """The clinical encounter an interaction belongs to, as the API returns it."""

    identifier: str
    status: str
    type: str
    period: Period | None = None
    title: str | None = None


class Patient(VendorModel):
    """The patient of an interaction, as the API returns it."""

    identifier: str
    name: str | None = None
    gender: str | None = None
    birth_date: str | None = None


class PeriodSpec(RequestModel):
    """The encounter period in a request."""

    started_at: datetime
    ended_at: datetime | None = None


class EncounterSpec(RequestModel):
    """The encounter in a create or update request.

    ``identifier`` is the client's own id; scribe-eval puts a per-cell key there so that a create
    call that timed out can be found again instead of being repeated.
    """

    identifier: str = Field(min_length=1, max_length=200)
    status: EncounterStatus
    type: EncounterType
    period: PeriodSpec | None = None
    title: str | None = Field(default=None, max_length=500)


class PatientSpec(RequestModel):
    """The patient in a create or update request."""

    identifier: str = Field(min_length=1, max_length=200)
    name: str | None = None
    gender: str | None = None
    birth_date: str | None = None


class CreateInteractionRequest(RequestModel):
    """Body of ``POST /interactions/``."""

    assigned_user_id: str | None = None
    encounter: EncounterSpec
    patient: PatientSpec | None = None


class UpdateInteractionRequest(RequestModel):
    """Body of ``PATCH /interactions/{id}``: any create field."""

    assigned_user_id: str | None = None
    encounter: EncounterSpec | None = None
    patient: PatientSpec | None = None


class InteractionCreated(VendorModel):
    """Answer of ``POST /interactions/`` (older prose spells the fields ``id`` and ``wssUrl``)."""

    interaction_id: str = Field(validation_alias=AliasChoices("interactionId", "id"))
    websocket_url: str | None = Field(
        default=None, validation_alias=AliasChoices("websocketUrl", "wssUrl", "websocket_url")
    )


class Interaction(VendorModel):
    """One interaction as ``GET /interactions/{id}`` returns it."""

    id: str = Field(validation_alias=AliasChoices("id", "interactionId"))
    assigned_user_id: str | None = None
    encounter: Encounter | None = None
    patient: Patient | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    ended_at: datetime | None = None
    websocket_url: str | None = Field(
        default=None, validation_alias=AliasChoices("websocketUrl", "wssUrl", "websocket_url")
    )


class InteractionList(VendorModel):
    """One page of ``GET /interactions/`` (an empty page ends paging; there is no total)."""

    interactions: list[Interaction] = Field(default_factory=list)


class RecordingCreated(VendorModel):
    """Answer of ``POST /interactions/{id}/recordings/``."""

    recording_id: str = Field(validation_alias=AliasChoices("recordingId", "id", "recording_id"))


class RecordingList(VendorModel):
    """Answer of ``GET /interactions/{id}/recordings/``: the recording ids."""

    recordings: list[str] = Field(default_factory=list)
