"""Experiment files and the matrix of cells they expand to.

An experiment names a dataset, a target API, the templates to compare, languages, transcript
sources and options; ``build_matrix`` turns it into transcript jobs (one per encounter, recording
language and source) and document cells (encounter x template x output language x source).
"""

from __future__ import annotations

from scribe_eval.experiment._duration import format_duration, parse_duration
from scribe_eval.experiment._load import experiment_hash, load_experiment
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
    "format_duration",
    "load_experiment",
    "parse_duration",
    "resolve_templates",
    "transcript_cell_id",
]
