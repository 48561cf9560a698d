"""Adherence of real notes: the emulator (in-process, real client) writes the demo's three
templates from a sample visit's reference transcript, and the checks read what it wrote."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from scribe_eval.api import CreateDocumentRequest, CreateInteractionRequest
from scribe_eval.client import AmbientClient
from scribe_eval.emulator import EmulatorSettings, create_app
from scribe_eval.metrics import (
    AdherenceResult,
    GeneratedSection,
    check_adherence,
    expectations_from_request,
)
from scribe_eval.templates import builtin_catalogue, load_template_file

BASE = "http://emulator.test/v2"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AmbientClient]:
    app = create_app(EmulatorSettings(data_dir=tmp_path / "data", asr_engine="instant"))
    async with AmbientClient(BASE, transport=httpx.ASGITransport(app=app)) as c:
        yield c


async def adherence(
    client: AmbientClient, root: Path, visit: str, language: str
) -> dict[str, AdherenceResult]:
    transcript = (root / f"datasets/sample/transcripts/{visit}.txt").read_text(encoding="utf-8")
    telegraphic = load_template_file(root / "templates/soap-telegraphic.yaml").request_fields()
    templates = {
        "soap": {"templateKey": "corti-soap"},
        "brief": {"templateKey": "corti-brief-clinical-note"},
        "soap-telegraphic": telegraphic,
    }
    created = await client.create_interaction(
        CreateInteractionRequest.model_validate(
            {"encounter": {"identifier": visit, "status": "in-progress", "type": "consultation"}}
        )
    )
    catalogue, results = builtin_catalogue(), {}
    for label, fields in templates.items():
        body = CreateDocumentRequest.model_validate(
            {"context": [{"type": "transcript", "data": {"text": transcript}}],
             "outputLanguage": language, **fields}
        )  # fmt: skip
        document = await client.create_document(created.interaction_id, body)
        sections = [
            GeneratedSection(s.key, s.name or "", s.text) for s in document.ordered_sections()
        ]
        results[label] = check_adherence(expectations_from_request(body, catalogue), sections)
    return results


@pytest.mark.parametrize(
    ("visit", "language"),
    [("en-01-sore-throat", "en"), ("de-01-rueckenschmerzen", "de")],
)
async def test_demo_templates_on_emulator_notes(
    client: AmbientClient, project_root: Path, visit: str, language: str
) -> None:
    results = await adherence(client, project_root, visit, language)
    for result in results.values():
        assert result.rule_rate("present") == 1.0
        assert result.rule_rate("heading") == 1.0
        assert result.rule_rate("order") == 1.0
        assert result.rule_rate("allowed") == 1.0
        assert result.detected_language == language
    soap, telegraphic = dict(results["soap"].layouts), dict(results["soap-telegraphic"].layouts)
    # The telegraphic template turns SOAP's narrative history into a bullet list.
    assert soap["corti-subjective"] == "paragraph"
    assert telegraphic["corti-subjective"] == "bullets"
    history = next(
        c for c in results["soap-telegraphic"].checks if c.label == "corti-subjective.heading"
    )
    assert history.reason == "heading 'History'"


async def test_visit_language_leaks_into_english_notes(
    client: AmbientClient, project_root: Path
) -> None:
    # The emulator keeps a German visit's spoken content under English headings: a note the
    # language rule must catch.
    results = await adherence(client, project_root, "de-01-rueckenschmerzen", "en")
    for result in results.values():
        assert "note.language" in [check.label for check in result.failures()]
        assert result.detected_language == "de"
