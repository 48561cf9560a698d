"""The matrix: encounter x template x output language x transcript source, with stable ids.

Transcripts are made once per encounter, recording language and source and shared by all the
documents written from them. Encounters without audio are evaluated from their reference
transcript: their ``asr`` cells become ``reference`` cells (said in ``Matrix.notes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scribe_eval.dataset import Dataset, Encounter
from scribe_eval.errors import ConfigError
from scribe_eval.experiment._model import Experiment, TranscriptSourceName
from scribe_eval.templates import TemplateSpec, load_template_file


@dataclass(frozen=True)
class TemplateChoice:
    """One template of the experiment: its display label, spec and the reference note type."""

    label: str
    spec: TemplateSpec
    reference: str


@dataclass(frozen=True)
class TranscriptJob:
    """One transcript to obtain: per encounter, recording language and source."""

    cell_id: str
    encounter_id: str
    recording_language: str
    source: TranscriptSourceName


@dataclass(frozen=True)
class Cell:
    """One document to write and score."""

    cell_id: str
    encounter_id: str
    template: TemplateChoice
    output_language: str
    recording_language: str
    source: TranscriptSourceName
    transcript_cell_id: str


@dataclass
class Matrix:
    """Every transcript job and document cell of an experiment on a dataset."""

    transcripts: list[TranscriptJob] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    templates: list[TemplateChoice] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def cells_for(self, transcript_cell_id: str) -> list[Cell]:
        """The document cells written from one transcript."""
        return [c for c in self.cells if c.transcript_cell_id == transcript_cell_id]


def transcript_cell_id(encounter_id: str, recording_language: str, source: str) -> str:
    """The stable id of a transcript cell."""
    return f"{encounter_id}|transcript|{recording_language}|{source}"


def document_cell_id(encounter_id: str, label: str, output_language: str, source: str) -> str:
    """The stable id of a document cell."""
    return f"{encounter_id}|{label}|{output_language}|{source}"


def resolve_templates(experiment: Experiment) -> list[TemplateChoice]:
    """Load each template entry (files are validated and hashed)."""
    choices: list[TemplateChoice] = []
    for entry in experiment.templates:
        if entry.file is not None:
            spec = load_template_file(entry.file)
        else:
            assert entry.key is not None
            spec = TemplateSpec.from_key(entry.key, entry.label)
        choices.append(TemplateChoice(entry.label or spec.label, spec, entry.reference))
    labels = [c.label for c in choices]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise ConfigError(
            f"template labels {', '.join(duplicates)} are used twice; give each template a "
            "distinct `label` in the experiment file"
        )
    return choices


def build_matrix(
    experiment: Experiment, dataset: Dataset, templates: list[TemplateChoice]
) -> Matrix:
    """Expand an experiment over a dataset into transcript jobs and document cells."""
    matrix = Matrix(templates=list(templates))
    for encounter in _selected(experiment, dataset):
        recording = _recording_language(experiment, encounter)
        sources = _sources(experiment, encounter, matrix)
        for source in sources:
            tid = transcript_cell_id(encounter.id, recording, source)
            matrix.transcripts.append(TranscriptJob(tid, encounter.id, recording, source))
            for template in templates:
                for output in _outputs(experiment, recording):
                    matrix.cells.append(
                        Cell(
                            cell_id=document_cell_id(encounter.id, template.label, output, source),
                            encounter_id=encounter.id,
                            template=template,
                            output_language=output,
                            recording_language=recording,
                            source=source,
                            transcript_cell_id=tid,
                        )
                    )
    matrix.notes.extend(_unscored_notes(dataset, matrix))
    matrix.notes.extend(_undeclared_languages(matrix))
    return matrix


def _undeclared_languages(matrix: Matrix) -> list[str]:
    """Say up front which documents a template file writes in a language it does not declare
    (``languages:``): they are written and scored, and rank the template in that language,
    though no one wrote it for it (the embedded emulator writes any language)."""
    notes = []
    for template in matrix.templates:
        declared = {code.split("-")[0].lower() for code in template.spec.languages}
        if not declared:
            continue
        mine = [c for c in matrix.cells if c.template is template]
        outside = sorted(
            {c.output_language for c in mine}
            - {
                c.output_language
                for c in mine
                if c.output_language.split("-")[0].lower() in declared
            }
        )
        if outside:
            count = sum(1 for c in mine if c.output_language in outside)
            documents = "1 document is" if count == 1 else f"{count} documents are"
            notes.append(
                f"{template.label}: {documents} in {', '.join(outside)}, which the template "
                f"does not declare (languages: {', '.join(template.spec.languages)}); written "
                "and scored all the same, so they rank it there"
            )
    return notes


def _unscored_notes(dataset: Dataset, matrix: Matrix) -> list[str]:
    """Say up front which documents will be written but cannot be scored, and why."""
    notes = []
    by_id = {e.id: e for e in dataset.encounters}
    for template in matrix.templates:
        cells = [c for c in matrix.cells if c.template is template]
        no_reference = {
            c.encounter_id for c in cells if template.reference not in by_id[c.encounter_id].notes
        }
        other_language = {
            c.cell_id for c in cells
            if c.output_language.split("-")[0].lower()
            != by_id[c.encounter_id].language.split("-")[0].lower()
        }  # fmt: skip
        if no_reference:
            notes.append(
                f"{template.label}: {len(no_reference)} of {len({c.encounter_id for c in cells})} "
                f"encounters have no reference {template.reference!r} note; their documents are "
                "written but unscored"
            )
        if other_language:
            notes.append(
                f"{template.label}: {len(other_language)} documents are in another language than "
                "their encounter's references; they are written but unscored"
            )
    return notes


def _selected(experiment: Experiment, dataset: Dataset) -> list[Encounter]:
    if experiment.encounters is None:
        return list(dataset.encounters)
    return [dataset.encounter(encounter_id) for encounter_id in experiment.encounters]


def _recording_language(experiment: Experiment, encounter: Encounter) -> str:
    chosen = experiment.languages.recording
    return encounter.language if chosen == "dataset" else chosen


def _outputs(experiment: Experiment, recording: str) -> list[str]:
    out: list[str] = []
    for code in experiment.languages.output:
        resolved = recording if code == "recording" else code
        if resolved not in out:
            out.append(resolved)
    return out


def _sources(
    experiment: Experiment, encounter: Encounter, matrix: Matrix
) -> list[TranscriptSourceName]:
    sources = list(experiment.sources)
    if not encounter.has_audio and "asr" in sources:
        sources.remove("asr")
        if "reference" not in sources:
            sources.append("reference")
        matrix.notes.append(
            f"{encounter.id} has no audio: its notes are written from the reference transcript"
        )
    if "reference" in sources and not encounter.reference_turns:
        sources.remove("reference")
        matrix.notes.append(
            f"{encounter.id} has no reference transcript: source `reference` skipped"
        )
    return sources
