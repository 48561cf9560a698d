"""JSON Schemas from the models: every example file in the repository validates against them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.cli._schemas import SCHEMA_KINDS, json_schema

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "scribe_eval" / "_starter"


def _examples() -> list[tuple[str, Path]]:
    found = [("experiment", p) for p in sorted((ROOT / "experiments").glob("*.yaml"))]
    found += [("template", p) for p in sorted((ROOT / "templates").glob("*.yaml"))]
    found += [("dataset", p) for p in sorted((ROOT / "datasets").glob("*/dataset.yaml"))]
    found += [("dataset", p) for p in sorted((ROOT / "tests/fixtures").rglob("dataset.yaml"))]
    found += [("experiment", STARTER / "experiment.yaml"), ("gate", STARTER / "gate.yaml")]
    found += [("template", p) for p in sorted((STARTER / "templates").glob("*.yaml"))]
    found += [("dataset", p) for p in sorted(STARTER.glob("datasets/*/dataset.yaml"))]
    return found


def _as_json(data: Any) -> Any:
    # An editor sees YAML keys as strings (roles: {0: doctor} has the key "0"); so does this.
    return json.loads(json.dumps(data, default=str))


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json_schema(kind)  # type: ignore[arg-type]
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _readme_blocks() -> list[tuple[str, str]]:
    """The README's complete gate and template file examples."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    kinds = [("gate", b) for b in blocks if b.startswith("# gate.yaml")]
    kinds += [("template", b) for b in blocks if b.startswith("label:")]
    return kinds


def test_examples_cover_every_kind() -> None:
    kinds = {kind for kind, _ in _examples()} | {kind for kind, _ in _readme_blocks()}
    assert kinds == set(SCHEMA_KINDS)
    assert len(_examples()) >= 8


@pytest.mark.parametrize(
    ("kind", "path"), [pytest.param(k, p, id=str(p.relative_to(ROOT))) for k, p in _examples()]
)
def test_example_file_validates(kind: str, path: Path) -> None:
    data = _as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = [e.message for e in _validator(kind).iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize(("kind", "text"), _readme_blocks())
def test_readme_example_validates(kind: str, text: str) -> None:
    errors = [e.message for e in _validator(kind).iter_errors(_as_json(yaml.safe_load(text)))]
    assert errors == []


@pytest.mark.parametrize(
    ("kind", "data", "complaint"),
    [
        pytest.param("experiment", {"name": "x", "dataset": "d", "templates": [{"key": "k"}],
                                    "concurrency": 3}, "concurrency", id="experiment-unknown-key"),
        pytest.param("experiment", {"name": "x", "dataset": "d", "templates": []}, "non-empty",
                     id="experiment-no-templates"),
        pytest.param("template", {"sections": [{"key": "a", "nameOverrid": "x"}]}, "nameOverrid",
                     id="template-misspelt-override"),
        pytest.param("gate", {"rules": [{"limit": "error_rate", "max": "high"}]}, "high",
                     id="gate-max-not-a-number"),
        pytest.param("dataset", {"name": "x", "encounters": [{"id": "a", "audio": {"rolse": {}}}]},
                     "rolse", id="dataset-misspelt-key"),
    ],
)  # fmt: skip
def test_schema_rejects_what_the_loader_rejects(kind: str, data: Any, complaint: str) -> None:
    messages = " ".join(e.message for e in _validator(kind).iter_errors(data))
    assert complaint in messages


def test_schema_command_prints_or_writes(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["schema", "gate"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json_schema("gate")
    out = tmp_path / "schemas" / "experiment.json"
    result = CliRunner().invoke(main, ["schema", "experiment", "-o", str(out)])
    assert result.exit_code == 0
    assert result.stdout.strip() == str(out)
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "scribe-eval experiment file"
