"""Reading experiment files: YAML -> ``Experiment``, every problem reported with its line."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scribe_eval._suggest import closest_path, did_you_mean
from scribe_eval._yamlfile import YamlDocument, field_names, load_yaml, read_config
from scribe_eval.api import is_supported_language, load_builtin_catalogue
from scribe_eval.errors import ConfigError
from scribe_eval.experiment._model import Experiment, UrlTarget

#: The vendor model version of a URL target, when the experiment file declares none.
TARGET_VERSION_ENV = "SCRIBE_EVAL_TARGET_VERSION"


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file; relative paths resolve against its folder.

    A URL target without ``model_version`` takes it from ``SCRIBE_EVAL_TARGET_VERSION`` when that
    is set (the file wins; the embedded emulator has its own identity and ignores it).

    Raises:
        ConfigError: The file is missing, is not YAML, or breaks the schema. The message has one
            ``file:line: field: problem`` line per problem, all problems at once.
    """
    path = Path(path)
    doc = read_config(path, "experiment file")
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{path}:1: an experiment file is a YAML mapping (name, dataset, ...)")
    data = _normalise(doc.data, path.resolve().parent)
    problems = _semantic_problems(data, doc)
    problems += [(_line_number(line), line) for line in doc.duplicate_problems()]
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as exc:
        schema = doc.describe(exc, field_names(Experiment))
        problems += [(_line_number(line), line) for line in schema]
    if problems:
        # The file is refused anyway: what the run's checks would find next is found now, so the
        # user fixes it in the same round (`check_before_run` finds it when nothing else is wrong).
        problems += _stored_key_problems(data, doc)
        ordered = [line for _, line in sorted(problems, key=lambda pair: pair[0])]
        raise ConfigError.of_problems("experiment file", ordered, source=str(path))
    return with_declared_version(experiment).model_copy(update={"path": path.resolve()})


def field_location(experiment: Experiment, loc: tuple[str | int, ...]) -> str:
    """``file:line: templates.0.reference``: where a field of the experiment is written, for a
    problem found after loading (the dotted field alone for an experiment with no file, or a
    file that can no longer be read)."""
    field = ".".join(str(part) for part in loc)
    if experiment.path is None:
        return field
    try:
        doc = load_yaml(experiment.path, "experiment file")
    except (OSError, ConfigError):
        return field
    return f"{experiment.path.name}:{doc.line_of(loc)}: {field}"


def with_declared_version(experiment: Experiment) -> Experiment:
    """``experiment`` with a URL target's ``model_version`` filled from the environment.

    Only when the file declares none and ``SCRIBE_EVAL_TARGET_VERSION`` is set and not blank.
    """
    target = experiment.target
    declared = os.environ.get(TARGET_VERSION_ENV, "").strip()
    if not isinstance(target, UrlTarget) or target.model_version is not None or not declared:
        return experiment
    return experiment.model_copy(
        update={"target": target.model_copy(update={"model_version": declared})}
    )


def _line_number(described: str) -> int:
    """The line of a ``path:line: ...`` description."""
    parts = described.split(":")
    return next((int(p) for p in parts[1:] if p.isdigit()), 0)


def experiment_hash(experiment: Experiment) -> str:
    """sha256 of the experiment's canonical JSON (paths as written, resolved).

    The ``judge:`` block is left out: the judge is a stage after the documents, so adding or
    changing it neither changes what the scribe API is asked nor stops a run from resuming. So
    is ``cache:`` (how old a reused answer may be changes no request), and an unset
    ``target.model_version``, so that experiments written before it existed keep their hash.
    """
    data = experiment.model_dump(mode="json", by_alias=True, exclude={"judge", "cache"})
    if data["target"].get("model_version", "") is None:
        del data["target"]["model_version"]
    canonical = json.dumps(data, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _normalise(raw: dict[str, Any], folder: Path) -> dict[str, Any]:
    data = dict(raw)
    target = data.get("target")
    if target == "embedded" or target is None:
        data["target"] = {"kind": "embedded"}
    elif isinstance(target, str) and target.startswith(("http://", "https://")):
        data["target"] = {"kind": "url", "base_url": target}
    elif isinstance(target, dict):
        if "url" in target and "base_url" not in target:  # `target: {url: ..., tenant: ...}`
            target = {("base_url" if k == "url" else k): v for k, v in target.items()}
        if "kind" not in target:
            target = {"kind": "url" if "base_url" in target else "embedded", **target}
        data["target"] = target
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


def unknown_stored_template(key: str) -> str | None:
    """Why the embedded target cannot write with stored template ``key`` (it serves the built-in
    catalogue), with the closest key; None when it has it."""
    catalogue = load_builtin_catalogue()
    if catalogue.template(key) is not None:
        return None
    stored = [t.key for t in catalogue.templates(catalogue.output_languages())]
    fix = did_you_mean(key, stored, "see `scribe-eval templates list`")
    return f"no stored template {key!r} on the embedded target; {fix}"


def _stored_key_problems(data: dict[str, Any], doc: YamlDocument) -> list[tuple[int, str]]:
    target = data.get("target")
    templates = data.get("templates")
    if not (isinstance(target, dict) and target.get("kind") == "embedded"):
        return []
    problems = []
    for index, entry in enumerate(templates if isinstance(templates, list) else []):
        key = entry.get("key") if isinstance(entry, dict) and "file" not in entry else None
        why = unknown_stored_template(key) if isinstance(key, str) else None
        if why is not None:
            loc = ("templates", index, "key")
            problems.append((doc.line_of(loc), f"{doc.where(loc)}: templates.{index}.key: {why}"))
    return problems


def _semantic_problems(data: dict[str, Any], doc: YamlDocument) -> list[tuple[int, str]]:
    """Problems the schema cannot see, read from the raw (normalised) data so that they are
    reported together with the schema's: (line, message) pairs."""
    problems: list[tuple[int, str]] = []

    def add(loc: tuple[str | int, ...], message: str) -> None:
        problems.append((doc.line_of(loc), f"{doc.where(loc)}: {message}"))

    dataset = data.get("dataset")
    if isinstance(dataset, str) and not Path(dataset).exists():
        guess = closest_path(Path(dataset), folder=True)
        fix = f"did you mean {guess}?" if guess else "give the dataset's folder"
        add(
            ("dataset",),
            f"dataset: {dataset} does not exist; {fix} (a relative path is read from the "
            "experiment file's folder)",
        )
    templates = data.get("templates")
    seen: dict[str, int] = {}
    for index, entry in enumerate(templates if isinstance(templates, list) else []):
        if not isinstance(entry, dict):
            continue
        file = entry.get("file")
        label = entry.get("label") or entry.get("key") or (Path(file).stem if file else "")
        if isinstance(label, str) and label in seen:
            add(
                ("templates", index),
                f"templates.{index}: label {label!r} is also used by templates.{seen[label]}; "
                "give each template a distinct `label`",
            )
        if isinstance(label, str):
            seen.setdefault(label, index)
        if isinstance(file, str) and not Path(file).exists():
            guess = closest_path(Path(file), folder=False)
            fix = f"; did you mean {guess}?" if guess else ""
            add(("templates", index, "file"), f"templates.{index}.file: {file} does not exist{fix}")
    languages = data.get("languages")
    languages = languages if isinstance(languages, dict) else {}
    output = languages.get("output")
    for index, code in enumerate(output if isinstance(output, list) else []):
        if isinstance(code, str) and code != "recording" and not is_supported_language(code):
            add(
                ("languages", "output", index),
                f"languages.output.{index}: unknown language {code!r}; use a contract code such "
                "as en, de, fr or `recording`",
            )
    recording = languages.get("recording")
    if (
        isinstance(recording, str)
        and recording != "dataset"
        and not is_supported_language(recording)
    ):
        add(
            ("languages", "recording"),
            f"languages.recording: unknown language {recording!r}; use `dataset` or a "
            "contract code",
        )
    sources = data.get("sources")
    if isinstance(sources, list) and len({str(x) for x in sources}) != len(sources):
        add(("sources",), "sources: list each source once")
    return problems
