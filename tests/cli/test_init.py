"""``scribe-eval init``: a starter project whose every file the tool itself accepts."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.compare import load_gate
from scribe_eval.dataset import load_dataset, validate_dataset
from scribe_eval.experiment import load_experiment
from scribe_eval.templates import load_template_file

EXPECTED = {
    "experiment.yaml", "gate.yaml", "README.md", "templates/soap-brief.yaml",
    ".github/workflows/scribe-eval.yml", "datasets/mini/dataset.yaml",
    ".schemas/experiment.json", ".schemas/template.json", ".schemas/gate.json",
    ".schemas/dataset.json",
}  # fmt: skip


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_init_writes_a_project_the_tool_accepts(tmp_path: Path) -> None:
    project = tmp_path / "x"
    result = CliRunner().invoke(main, ["init", str(project)])
    assert result.exit_code == 0, result.output
    assert _files(project) >= EXPECTED
    experiment = load_experiment(project / "experiment.yaml")
    assert experiment.dataset == (project / "datasets" / "mini").resolve()
    assert [t.label for t in experiment.templates] == ["soap", "soap-brief"]
    assert not [f for f in validate_dataset(project / "datasets/mini") if f.severity == "error"]
    dataset = load_dataset(project / "datasets" / "mini")
    assert sum(e.audio is not None for e in dataset.encounters) == 2
    assert load_template_file(project / "templates" / "soap-brief.yaml").label == "soap-brief"
    assert load_gate(project / "gate.yaml").min_encounters == 3
    schema = json.loads((project / ".schemas" / "experiment.json").read_text(encoding="utf-8"))
    assert schema["title"] == "scribe-eval experiment file"
    first_line = (project / "experiment.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=.schemas/experiment.json"


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    project = tmp_path / "x"
    project.mkdir()
    (project / "gate.yaml").write_text("rules: []  # mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(project)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: 1 starter file(s) already exist")
    assert "--force" in result.output
    assert (project / "gate.yaml").read_text(encoding="utf-8") == "rules: []  # mine\n"
    assert _files(project) == {"gate.yaml"}
    result = CliRunner().invoke(main, ["init", str(project), "--force"])
    assert result.exit_code == 0
    assert "rules:\n  - metric: wer" in (project / "gate.yaml").read_text(encoding="utf-8")
