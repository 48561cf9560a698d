"""Experiment files and the matrix of cells they expand to.

An experiment names a dataset, a target API, the templates to compare, languages, transcript
sources and options; ``build_matrix`` turns it into transcript jobs (one per encounter, recording
language and source) and document cells (encounter x template x output language x source).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scribe_eval._lazy import lazy_exports

# Loaded on first use (PEP 562): reading an experiment file does not import the dataset's audio
# stack (numpy, soundfile) the matrix needs, so `run` starts its emulator sooner.
if TYPE_CHECKING:
    from scribe_eval.experiment._duration import format_duration, parse_duration
    from scribe_eval.experiment._load import (
        experiment_hash,
        field_location,
        load_experiment,
        unknown_stored_template,
    )
    from scribe_eval.experiment._matrix import (
        Cell,
        Matrix,
        TemplateChoice,
        TranscriptJob,
        build_matrix,
        document_cell_id,
        resolve_templates,
        transcript_cell_id,
    )
    from scribe_eval.experiment._model import (
        CacheOptions,
        Cleanup,
        EmbeddedTarget,
        Execution,
        Experiment,
        Languages,
        MetricOptions,
        TemplateEntry,
        TranscriptOptions,
        TranscriptSourceName,
        UrlTarget,
    )

# Public name -> the private module defining it.
_EXPORTS: dict[str, str] = {
    "format_duration": "_duration",
    "parse_duration": "_duration",
    "experiment_hash": "_load",
    "field_location": "_load",
    "load_experiment": "_load",
    "unknown_stored_template": "_load",
    "Cell": "_matrix",
    "Matrix": "_matrix",
    "TemplateChoice": "_matrix",
    "TranscriptJob": "_matrix",
    "build_matrix": "_matrix",
    "document_cell_id": "_matrix",
    "resolve_templates": "_matrix",
    "transcript_cell_id": "_matrix",
    "CacheOptions": "_model",
    "Cleanup": "_model",
    "EmbeddedTarget": "_model",
    "Execution": "_model",
    "Experiment": "_model",
    "Languages": "_model",
    "MetricOptions": "_model",
    "TemplateEntry": "_model",
    "TranscriptOptions": "_model",
    "TranscriptSourceName": "_model",
    "UrlTarget": "_model",
}

__all__ = [
    "CacheOptions",
    "Cell",
    "Cleanup",
    "EmbeddedTarget",
    "Execution",
    "Experiment",
    "Languages",
    "Matrix",
    "MetricOptions",
    "TemplateChoice",
    "TemplateEntry",
    "TranscriptJob",
    "TranscriptOptions",
    "TranscriptSourceName",
    "UrlTarget",
    "build_matrix",
    "document_cell_id",
    "experiment_hash",
    "field_location",
    "format_duration",
    "load_experiment",
    "parse_duration",
    "resolve_templates",
    "transcript_cell_id",
    "unknown_stored_template",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
