"""JSON Schemas of the YAML files users write, generated from the pydantic models that read them.

The models stay the one source of truth; this module only adds what the loaders accept before
validation (shorthands such as ``target: embedded``, a bare template key, ``audio: file.ogg``) so
that an editor does not flag a file the tool reads. ``tests/cli/test_schema.py`` checks every
example file in the repository against these schemas.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from scribe_eval.compare import Gate
from scribe_eval.dataset import EncounterEntry, ManifestHeader
from scribe_eval.experiment import Experiment
from scribe_eval.templates import TemplateFile

SchemaKind = Literal["experiment", "template", "gate", "dataset"]
SCHEMA_KINDS: tuple[SchemaKind, ...] = ("experiment", "template", "gate", "dataset")

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_STRING: dict[str, Any] = {"type": "string"}


def json_schema(kind: SchemaKind) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one kind of file: experiment, template, gate, dataset."""
    builders = {
        "experiment": _experiment,
        "template": _template,
        "gate": _gate,
        "dataset": _dataset,
    }
    schema = builders[kind]()
    return {"$schema": _DIALECT, **schema}


def _experiment() -> dict[str, Any]:
    schema = Experiment.model_json_schema(by_alias=True)
    props = schema["properties"]
    props.pop("path", None)  # set by the loader, never written in the file
    props["target"] = {
        "anyOf": [
            {"const": "embedded", "description": "The embedded emulator, default settings."},
            {"type": "string", "pattern": "^https?://", "description": "An API base URL."},
            _without_discriminator(props["target"]),
        ]
    }
    props["templates"]["items"] = {
        "anyOf": [{**_STRING, "description": "A stored template key."}, props["templates"]["items"]]
    }
    schema["title"] = "scribe-eval experiment file"
    return schema


def _template() -> dict[str, Any]:
    schema = TemplateFile.model_json_schema(by_alias=True)
    section = schema["$defs"].pop("_Section")
    section["title"] = "Section"
    schema["$defs"]["Section"] = section
    ref = {"$ref": "#/$defs/Section"}
    bare = {**_STRING, "minLength": 1, "description": "A section key without overrides."}
    sections = schema["properties"]["sections"]
    sections["anyOf"][0]["items"] = {"anyOf": [bare, ref]}
    schema["title"] = "scribe-eval template file"
    return schema


def _gate() -> dict[str, Any]:
    schema = Gate.model_json_schema()
    schema["title"] = "scribe-eval gate file"
    return schema


def _dataset() -> dict[str, Any]:
    schema = ManifestHeader.model_json_schema()
    encounter = EncounterEntry.model_json_schema()
    schema.setdefault("$defs", {}).update(encounter.pop("$defs", {}))
    props = encounter["properties"]
    props["audio"]["anyOf"].insert(0, {**_STRING, "description": "One audio file, no roles."})
    terms = props["terms"]["items"]
    props["terms"]["items"] = {"anyOf": [{**_STRING, "minLength": 1}, terms]}
    schema["$defs"]["EncounterEntry"] = encounter
    schema["properties"]["encounters"] = {
        "type": "array",
        "items": {"$ref": "#/$defs/EncounterEntry"},
        "title": "Encounters",
    }
    schema["title"] = "scribe-eval dataset.yaml"
    return schema


def _without_discriminator(union: dict[str, Any]) -> dict[str, Any]:
    # `discriminator` is an OpenAPI keyword; plain JSON Schema validators ignore it, and the
    # loader fills in `kind` when it is missing, so the branches are told apart by their fields.
    cleaned = copy.deepcopy(union)
    cleaned.pop("discriminator", None)
    return cleaned
