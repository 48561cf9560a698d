"""Template authoring: template files in git, catalogue snapshots, validation and diffs.

A template file (YAML) names a stored template (``templateKey``) or lists the vendor's sections
with overrides; ``load_template_file`` turns it into a ``TemplateSpec``, the runner's unit, whose
``request_fields()`` is the template part of a document request and whose ``spec_hash`` is its
cache key. ``templates pull`` saves a target's catalogue as a dated snapshot folder; validation
and diffs read it (or the embedded emulator's built-in catalogue, offline).
"""

from __future__ import annotations

from scribe_eval.templates._catalogue import (
    CATALOGUE_LANGUAGES,
    DEFAULT_CATALOGUE_ROOT,
    Catalogue,
    CatalogueSource,
    fetch_catalogue,
    is_snapshot_template,
    load_snapshot,
    load_snapshot_template,
    newest_snapshot,
    save_snapshot,
)
from scribe_eval.templates._diff import (
    Outline,
    TemplateDiff,
    diff_outlines,
    outline_of_spec,
    outline_of_template,
)
from scribe_eval.templates._file import (
    Problem,
    TemplateFile,
    load_template_file,
    parse_template_file,
)
from scribe_eval.templates._scaffold import scaffold_template
from scribe_eval.templates._spec import MAX_INSTRUCTION_CHARS, MAX_NAME_CHARS, TemplateSpec
from scribe_eval.templates._target import fetch_target_catalogue, open_target, pull_snapshot
from scribe_eval.templates._validate import (
    builtin_catalogue,
    resolve_catalogue,
    validate_template_file,
)

__all__ = [
    "CATALOGUE_LANGUAGES",
    "DEFAULT_CATALOGUE_ROOT",
    "MAX_INSTRUCTION_CHARS",
    "MAX_NAME_CHARS",
    "Catalogue",
    "CatalogueSource",
    "Outline",
    "Problem",
    "TemplateDiff",
    "TemplateFile",
    "TemplateSpec",
    "builtin_catalogue",
    "diff_outlines",
    "fetch_catalogue",
    "fetch_target_catalogue",
    "is_snapshot_template",
    "load_snapshot",
    "load_snapshot_template",
    "load_template_file",
    "newest_snapshot",
    "open_target",
    "outline_of_spec",
    "outline_of_template",
    "parse_template_file",
    "pull_snapshot",
    "resolve_catalogue",
    "save_snapshot",
    "scaffold_template",
    "validate_template_file",
]
