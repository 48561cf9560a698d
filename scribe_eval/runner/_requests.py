"""Building the API requests of a cell from the dataset and the experiment."""

from __future__ import annotations

from typing import Any

from scribe_eval.api import Transcript
from scribe_eval.dataset import Encounter
from scribe_eval.experiment import Experiment

_MAX_KEYTERMS = 1000
_MAX_KEYTERM_CHARS = 50


def encounter_identifier(run_id: str, encounter_id: str, recording_language: str) -> str:
    """The ``encounter.identifier`` sent on create: unique per run, encounter and language.

    The duplicate guard looks an interaction up by it after an ambiguous failure or a crash.
    """
    return f"scribe-eval:{run_id}:{encounter_id}:{recording_language}"


def interaction_body(run_id: str, encounter: Encounter, recording_language: str) -> dict[str, Any]:
    """The body of ``POST /interactions/`` for one encounter."""
    identifier = encounter_identifier(run_id, encounter.id, recording_language)
    return {
        "encounter": {
            "identifier": identifier,
            "status": "completed",
            "type": "consultation",
            "title": f"scribe-eval {encounter.id}",
        },
        "patient": {"identifier": f"scribe-eval-{encounter.id}"},
    }


def transcript_body(
    experiment: Experiment, encounter: Encounter, recording_language: str
) -> dict[str, Any]:
    """The transcript request body (without ``recordingId``) for an encounter's recording.

    Multichannel with the dataset's roles when the audio has a role per channel; keyterms from the
    dataset when asked (trimmed to the contract's limits).
    """
    options = experiment.transcript
    body: dict[str, Any] = {
        "primaryLanguage": recording_language,
        "isMultichannel": False,
        "diarize": options.diarize,
        "automaticPunctuation": True,
        "spokenPunctuation": False,
        "async": options.async_,
    }
    audio = encounter.audio
    roles = encounter.channel_roles
    if options.multichannel and audio is not None and audio.channels > 1 and len(roles) > 1:
        body["isMultichannel"] = True
        body["participants"] = [
            {"channel": channel, "role": role} for channel, role in sorted(roles.items())
        ]
    if options.keyterms and encounter.keyterms:
        terms = [t for t in encounter.keyterms if 0 < len(t) <= _MAX_KEYTERM_CHARS]
        body["keyterms"] = {"terms": [{"term": t} for t in terms[:_MAX_KEYTERMS]]}
    if options.replacements:
        body["replacements"] = [dict(r) for r in options.replacements]
    return body


def transcript_context(transcript: Transcript) -> list[dict[str, Any]]:
    """Document context from an API transcript: one transcript item per segment."""
    items: list[dict[str, Any]] = []
    for segment in transcript.segments:
        if not segment.text.strip():
            continue
        data: dict[str, Any] = {"text": segment.text.strip()}
        for name, value in (
            ("channel", segment.channel),
            ("participant", segment.participant),
            ("speakerId", segment.speaker_id),
            ("start", segment.start),
            ("end", segment.end),
        ):
            if value is not None:
                data[name] = value
        items.append({"type": "transcript", "data": data})
    if not items:
        # A transcript without speech still gets a document (the API needs one context item).
        items.append({"type": "transcript", "data": {"text": ""}})
    return items


def reference_context(encounter: Encounter) -> list[dict[str, Any]]:
    """Document context from the reference transcript: one item, one ``Role: text`` line a turn.

    This isolates note quality from recognition errors (transcript source ``reference``).
    """
    lines = [f"{turn.speaker.capitalize()}: {turn.text}" for turn in encounter.reference_turns]
    return [{"type": "transcript", "data": {"text": "\n".join(lines)}}]
