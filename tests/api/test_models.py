"""Wire models: answers parse leniently in every known spelling; requests are strict."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from scribe_eval.api import (
    CreateDocumentRequest,
    CreateInteractionRequest,
    CreateTranscriptRequest,
    ErrorBody,
    InteractionCreated,
    Template,
    TokenResponse,
    Transcript,
)

SECTION_CAMEL = {
    "sort": 2,
    "section": {
        "key": "corti-plan",
        "name": "Plan",
        "defaultWritingStyle": {"name": "concise"},
        "translations": [{"languageId": "da", "name": "Plan (da)"}],
    },
}
SECTION_SNAKE = {
    "sort": 2,
    "section": {
        "key": "corti-plan",
        "name": "Plan",
        "default_writing_style": {"name": "concise"},
        "translations": [{"languages_id": "da", "name": "Plan (da)"}],
    },
}
FIRST = {"sort": 1, "section": {"key": "corti-subjective", "name": "Subjective"}}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            {
                "key": "corti-soap",
                "name": "SOAP Note",
                "updatedAt": "2026-02-01T10:00:00Z",
                "templateSections": [SECTION_CAMEL, FIRST],
                "translations": [{"languageId": "de", "name": "SOAP-Notiz"}],
                "someNewField": {"ignored": True},
            },
            id="camelCase-2026",
        ),
        pytest.param(
            {
                "key": "corti-soap",
                "name": "SOAP Note",
                "date_updated": "2026-02-01T10:00:00Z",
                "template_sections": [SECTION_SNAKE, FIRST],
                "translations": [{"languages_id": "de", "name": "SOAP-Notiz"}],
            },
            id="snake_case-legacy",
        ),
    ],
)
def test_template_parses_both_spellings(body: dict[str, Any]) -> None:
    template = Template.model_validate(body)
    assert template.section_keys() == ["corti-subjective", "corti-plan"]
    assert template.updated_at is not None
    assert template.updated_at.year == 2026
    assert template.name_in("de-CH") == "SOAP-Notiz"
    plan = template.template_sections[0].section
    assert plan.name_in("da") == "Plan (da)"
    assert plan.default_writing_style is not None
    assert plan.default_writing_style.name == "concise"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"interactionId": "i-1", "websocketUrl": "wss://a"}, id="wire-names"),
        pytest.param({"id": "i-1", "wssUrl": "wss://a"}, id="older-prose"),
    ],
)
def test_interaction_created_reads_both_spellings(body: dict[str, str]) -> None:
    created = InteractionCreated.model_validate(body)
    assert (created.interaction_id, created.websocket_url) == ("i-1", "wss://a")


@pytest.mark.parametrize(
    ("body", "request_id", "message"),
    [
        pytest.param(
            {
                "requestid": "r1",
                "status": 400,
                "type": "bad",
                "detail": "keyterm too long",
                "validationErrors": [{"keyterms.terms[0]": "at most 50 characters"}],
            },
            "r1",
            "keyterm too long (keyterms.terms[0]: at most 50 characters)",
            id="current",
        ),
        pytest.param(
            {
                "requestid": "r2",
                "type": "about:blank",
                "status": 404,
                "title": "Not Found",
                "details": "no interaction abc",
                "instance": "/interactions/abc",
            },
            "r2",
            "no interaction abc",
            id="legacy",
        ),
        pytest.param({"title": "Bad Request"}, None, "Bad Request", id="title-only"),
    ],
)
def test_error_body_reads_both_shapes(
    body: dict[str, Any], request_id: str | None, message: str
) -> None:
    error = ErrorBody.model_validate(body)
    assert error.requestid == request_id
    assert error.message() == message


def test_transcript_accepts_nulls_and_keeps_milliseconds() -> None:
    transcript = Transcript.model_validate(
        {
            "id": "t",
            "status": "completed",
            "metadata": None,
            "transcripts": [
                {"channel": 0, "speakerId": 1, "text": " Hi. ", "start": 0, "end": 1840}
            ],
        }
    )
    assert transcript.segments[0].speaker_id == 1
    assert transcript.segments[0].end == 1840
    assert transcript.roles_by_channel() == {}
    assert transcript.text() == "Hi."
    assert Transcript.model_validate({"id": "t", "transcripts": None}).segments == []


def test_token_answer_defaults() -> None:
    token = TokenResponse.model_validate({"access_token": "a", "not_before_policy": 0})
    assert (token.expires_in, token.token_type) == (300, "Bearer")


RID = str(uuid.UUID(int=1))


@pytest.mark.parametrize(
    ("model", "body", "error"),
    [
        pytest.param(
            CreateInteractionRequest,
            {"encounter": {"identifier": "e", "status": "planned", "type": "consultation"}, "x": 1},
            "Extra inputs",
            id="interaction-unknown-field",
        ),
        pytest.param(
            CreateInteractionRequest,
            {"encounter": {"identifier": "e", "status": "open", "type": "consultation"}},
            "status",
            id="interaction-bad-status",
        ),
        pytest.param(
            CreateTranscriptRequest,
            {
                "recordingId": RID,
                "primaryLanguage": "en",
                "keyterms": {"terms": [{"term": "x" * 51}]},
            },
            "at most 50",
            id="keyterm-too-long",
        ),
        pytest.param(
            CreateTranscriptRequest,
            {"recordingId": "not-a-uuid", "primaryLanguage": "en"},
            "recordingId",
            id="recording-not-uuid",
        ),
        pytest.param(
            CreateDocumentRequest,
            {"context": [{"type": "string", "data": "x"}], "outputLanguage": "en"},
            "templateKey or template",
            id="document-no-template",
        ),
        pytest.param(
            CreateDocumentRequest,
            {
                "context": [{"type": "string", "data": "x"}, {"type": "string", "data": "y"}],
                "outputLanguage": "en",
                "templateKey": "corti-soap",
            },
            "only when all are transcripts",
            id="document-mixed-context",
        ),
        pytest.param(
            CreateDocumentRequest,
            {
                "context": [{"type": "string", "data": "x"}],
                "outputLanguage": "en",
                "template": {"sections": []},
            },
            "template",
            id="document-empty-sections",
        ),
    ],
)
def test_requests_are_strict(model: type[Any], body: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        model.model_validate(body)


def test_request_to_wire_is_camel_case_and_round_trips() -> None:
    wire = {
        "recordingId": RID,
        "primaryLanguage": "de-CH",
        "async": True,
        "participants": [{"channel": 0, "role": "doctor"}],
        "keyterms": {"terms": [{"term": "metoprolol"}]},
    }
    request = CreateTranscriptRequest.model_validate(wire)
    out = request.to_wire()
    assert out["async"] is True
    assert out["primaryLanguage"] == "de-CH"
    assert out["participants"] == [{"channel": 0, "role": "doctor"}]
    assert CreateTranscriptRequest.model_validate(out) == request


def test_document_request_by_sections_with_overrides() -> None:
    body = {
        "context": [{"type": "transcript", "data": {"text": "a", "speakerId": 0}}],
        "outputLanguage": "en",
        "template": {"sections": [{"key": "corti-subjective", "nameOverride": "Anamnesis"}]},
    }
    request = CreateDocumentRequest.model_validate(body)
    assert request.to_wire()["template"]["sections"][0] == {
        "key": "corti-subjective",
        "nameOverride": "Anamnesis",
    }
    assert request.to_wire()["context"][0]["data"] == {"text": "a", "speakerId": 0}
