"""Template files against the real emulator: each request form round-trips, pull saves a snapshot.

The emulator runs in-process through ``httpx.ASGITransport`` (no lifespan needed); one test starts
it for real as ``scribe-eval templates pull --target embedded`` does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from scribe_eval import api
from scribe_eval.cli import main
from scribe_eval.client import AmbientClient
from scribe_eval.emulator import EmulatorSettings, create_app
from scribe_eval.templates import (
    CATALOGUE_LANGUAGES,
    TemplateSpec,
    builtin_catalogue,
    fetch_catalogue,
    load_snapshot,
    load_template_file,
    save_snapshot,
    validate_template_file,
)

CONTEXT = (
    "Doctor: What brings you in? Patient: A dry cough for three days, no fever. "
    "Doctor: Lungs are clear. Likely a viral infection; rest and fluids, return if worse."
)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AmbientClient]:
    """The real client against the emulator in-process."""
    settings = EmulatorSettings(data_dir=tmp_path / "emulator", asr_engine="instant")
    transport = httpx.ASGITransport(app=create_app(settings))
    async with AmbientClient("http://emulator/v2", transport=transport) as ambient:
        yield ambient


async def _document(client: AmbientClient, spec: TemplateSpec, language: str) -> api.Document:
    created = await client.create_interaction(
        api.CreateInteractionRequest.model_validate(
            {"encounter": {"identifier": spec.spec_hash[:12], "status": "in-progress",
                           "type": "consultation"}}
        )
    )  # fmt: skip
    body = api.CreateDocumentRequest.model_validate(
        {"context": [{"type": "string", "data": CONTEXT}], "outputLanguage": language,
         **spec.request_fields()}
    )  # fmt: skip
    return await client.create_document(created.interaction_id, body)


@pytest.mark.parametrize(
    ("text", "keys", "headings"),
    [
        pytest.param(
            "templateKey: corti-soap\n",
            ["corti-subjective", "corti-objective", "corti-assessment", "corti-plan"],
            None,
            id="template-key",
        ),
        pytest.param(
            "sections: [corti-plan, corti-chief-complaint]\ninstructions: Be brief.\n",
            ["corti-plan", "corti-chief-complaint"],
            None,
            id="section-keys",
        ),
        pytest.param(
            "sections:\n  - key: corti-assessment\n    nameOverride: Impression\n"
            "  - key: corti-subjective\n    nameOverride: Anamnesis\n"
            "    formatRuleOverride: bullet list\n",
            ["corti-assessment", "corti-subjective"],
            ["Impression", "Anamnesis"],
            id="sections-with-overrides",
        ),
    ],
)
async def test_each_request_form_round_trips(
    client: AmbientClient,
    write: Callable[..., Path],
    text: str,
    keys: list[str],
    headings: list[str] | None,
) -> None:
    spec = load_template_file(write(text))
    document = await _document(client, spec, "en")
    sections = document.ordered_sections()
    assert [s.key for s in sections] == keys
    if headings is not None:
        assert [s.name for s in sections] == headings


async def test_fetch_through_the_client_equals_the_builtin_catalogue(
    client: AmbientClient,
) -> None:
    fetched = await fetch_catalogue(client, CATALOGUE_LANGUAGES, origin="emulator")
    builtin = builtin_catalogue()
    assert fetched.templates.keys() == builtin.templates.keys()
    assert fetched.section_languages == builtin.section_languages
    assert fetched.templates["corti-soap"] == builtin.templates["corti-soap"]


async def test_snapshot_round_trips_through_files(client: AmbientClient, tmp_path: Path) -> None:
    fetched = await fetch_catalogue(client, ("en", "de"), origin="emulator")
    folder = save_snapshot(fetched, tmp_path, taken=date(2026, 1, 2), target="embedded")
    again = load_snapshot(folder)
    assert again.templates == fetched.templates
    assert again.sections == fetched.sections
    assert again.template_languages == fetched.template_languages
    # Saving again writes byte-identical files: snapshots diff only where the catalogue changed.
    before = {p: p.read_bytes() for p in folder.rglob("*.yaml")}
    save_snapshot(again, tmp_path, taken=date(2026, 1, 2), target="embedded")
    assert {p: p.read_bytes() for p in folder.rglob("*.yaml")} == before


def test_validate_falls_back_to_the_builtin_catalogue(
    write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no templates/catalogue/ here
    path = write("sections: [corti-subjectiv]\n")
    result = CliRunner().invoke(main, ["templates", "validate", str(path)])
    assert result.exit_code == 1
    assert "did you mean corti-subjective?" in result.output
    assert "the built-in catalogue" in result.output


@pytest.mark.slow
def test_pull_embedded_starts_the_emulator_and_saves_a_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "catalogue"
    result = CliRunner().invoke(
        main, ["templates", "pull", "--target", "embedded", "-o", str(out), "--lang", "en",
               "--lang", "de"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = out / date.today().isoformat()
    assert (folder / "templates" / "corti-soap.yaml").is_file()
    catalogue = load_snapshot(folder)
    assert catalogue.languages == ("en", "de")
    assert catalogue.template_languages["corti-soap"] == ("en", "de")
    spec_file = tmp_path / "t.yaml"
    spec_file.write_text("sections: [corti-plan]\nlanguages: [en, de]\n", encoding="utf-8")
    assert validate_template_file(spec_file, catalogue) == []
