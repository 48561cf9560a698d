"""The repository's own template files stay valid: ``templates validate`` runs in ``make test``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scribe_eval import api
from scribe_eval.cli import main
from scribe_eval.templates import load_template_file, newest_snapshot


def test_every_template_file_validates_against_the_committed_snapshot(
    project_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_root)
    files = sorted(str(p) for p in Path("templates").glob("*.yaml"))
    assert "templates/soap-telegraphic.yaml" in files
    snapshot = newest_snapshot(Path("templates/catalogue"))
    assert snapshot is not None, "templates/catalogue/ has no snapshot: run templates pull"
    result = CliRunner().invoke(main, ["templates", "validate", *files])
    assert result.exit_code == 0, result.output
    assert f"valid against snapshot {snapshot}" in result.output


def test_the_demo_template_is_an_edited_scaffold(project_root: Path) -> None:
    spec = load_template_file(project_root / "templates" / "soap-telegraphic.yaml")
    assert isinstance(spec.template, api.TemplateBySections)
    assert spec.section_keys() == ("corti-subjective", "corti-objective", "corti-assessment",
                                   "corti-plan")  # fmt: skip
    assert spec.languages == ("en", "de")
    assert any(s.content_override for s in spec.template.sections)
