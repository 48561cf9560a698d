"""``templates list/show --lang``: the names the snapshot holds in that language."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from scribe_eval.cli import main

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = max((ROOT / "templates" / "catalogue").iterdir())


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(main, ["templates", *args, "--catalogue", str(SNAPSHOT)])
    assert result.exit_code == 0, result.output
    return result.output


def test_list_in_german_shows_german_names() -> None:
    lines = _invoke("list", "--lang", "de").splitlines()
    soap = next(line for line in lines if line.startswith("corti-soap "))
    assert soap.split()[1] == "SOAP-Notiz"
    english = next(line for line in _invoke("list").splitlines() if line.startswith("corti-soap "))
    assert "SOAP Note" in english


def test_list_sections_in_french() -> None:
    lines = _invoke("list", "--sections", "--lang", "fr").splitlines()
    assessment = next(line for line in lines if line.startswith("corti-assessment "))
    assert "Évaluation" in assessment


def test_show_in_german_names_the_template_its_sections_and_description() -> None:
    lines = _invoke("show", "corti-soap", "--lang", "de").splitlines()
    assert lines[0].startswith("corti-soap: SOAP-Notiz  [")
    assert lines[1].strip().startswith("Subjektiv, Objektiv, Beurteilung und Procedere")
    assert any(line.startswith("  4. corti-plan: Procedere (") for line in lines)
    section = _invoke("show", "corti-plan", "--lang", "de").splitlines()[0]
    assert section.startswith("corti-plan: Procedere (")
