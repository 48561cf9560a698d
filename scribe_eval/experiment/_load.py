"""Reading experiment files: YAML -> ``Experiment``, every problem reported with its line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from scribe_eval._yamlfile import YamlDocument, read_config, validate_config
from scribe_eval.api import is_supported_language
from scribe_eval.errors import ConfigError
from scribe_eval.experiment._model import Experiment


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file; relative paths resolve against its folder.

    Raises:
        ConfigError: The file is missing, is not YAML, or breaks the schema. The message has one
            ``file:line: field: problem`` line per problem, all problems at once.
    """
    path = Path(path)
    doc = read_config(path, "experiment file")
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{path}:1: an experiment file is a YAML mapping (name, dataset, ...)")
    data = _normalise(doc.data, path.resolve().parent)
    experiment = validate_config(doc, Experiment, data, "experiment file")
    problems = _semantic_problems(experiment, doc)
    if problems:
        raise ConfigError("invalid experiment file:\n" + "\n".join(problems))
    return experiment.model_copy(update={"path": path.resolve()})


def experiment_hash(experiment: Experiment) -> str:
    """sha256 of the experiment's canonical JSON (paths as written, resolved)."""
    canonical = json.dumps(experiment.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _normalise(raw: dict[str, Any], folder: Path) -> dict[str, Any]:
    data = dict(raw)
    target = data.get("target")
    if target == "embedded" or target is None:
        data["target"] = {"kind": "embedded"}
    elif isinstance(target, str) and target.startswith(("http://", "https://")):
        data["target"] = {"kind": "url", "base_url": target}
    elif isinstance(target, dict) and "kind" not in target:
        data["target"] = {"kind": "url" if "base_url" in target else "embedded", **target}
    if isinstance(data.get("dataset"), str):
        data["dataset"] = str((folder / data["dataset"]).resolve())
    templates = data.get("templates")
    if isinstance(templates, list):
        data["templates"] = [_normalise_template(item, folder) for item in templates]
    return data


def _normalise_template(item: Any, folder: Path) -> Any:
    if isinstance(item, str):
        return {"key": item}
    if isinstance(item, dict) and isinstance(item.get("file"), str):
        return {**item, "file": str((folder / item["file"]).resolve())}
    return item


def _semantic_problems(experiment: Experiment, doc: YamlDocument) -> list[str]:
    problems: list[str] = []
    if not experiment.dataset.exists():
        problems.append(
            f"{doc.where(('dataset',))}: dataset: {experiment.dataset} does not exist; "
            "give the dataset's folder (a relative path is read from the experiment file's folder)"
        )
    seen: dict[str, int] = {}
    for index, entry in enumerate(experiment.templates):
        label = entry.label or entry.key or (entry.file.stem if entry.file else "")
        if label in seen:
            problems.append(
                f"{doc.where(('templates', index))}: templates.{index}: label {label!r} is also "
                f"used by templates.{seen[label]}; give each template a distinct `label`"
            )
        seen.setdefault(label, index)
        if entry.file is not None and not entry.file.exists():
            problems.append(
                f"{doc.where(('templates', index, 'file'))}: templates.{index}.file: "
                f"{entry.file} does not exist"
            )
    for index, code in enumerate(experiment.languages.output):
        if code != "recording" and not is_supported_language(code):
            problems.append(
                f"{doc.where(('languages', 'output', index))}: languages.output.{index}: "
                f"unknown language {code!r}; use a contract code such as en, de, fr or `recording`"
            )
    recording = experiment.languages.recording
    if recording != "dataset" and not is_supported_language(recording):
        problems.append(
            f"{doc.where(('languages', 'recording'))}: languages.recording: unknown language "
            f"{recording!r}; use `dataset` or a contract code"
        )
    if len(set(experiment.sources)) != len(experiment.sources):
        problems.append(f"{doc.where(('sources',))}: sources: list each source once")
    return problems
