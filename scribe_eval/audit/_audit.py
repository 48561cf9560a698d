"""The metric audit: how often, and by how much, each metric moves for each kind of error.

Every reference note of a dataset is scored against perturbed copies of itself (see
``_perturb``), exactly as the runner scores a generated note: ROUGE over the whole note, section
coverage over the sections mapped to the vendor's keys, fact recall and precision with the
encounter's medications. The unperturbed note scores 1.0 on each, so a perturbed score's change
is its distance from 1.0. A metric "moves" when its value changes by more than ``_EPSILON``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scribe_eval.audit._perturb import PERTURBATIONS, PerturbationKind, perturb
from scribe_eval.dataset import Dataset, Encounter, ReferenceNote
from scribe_eval.metrics import METRICS_VERSION, TokenizerName, check_facts, rouge, score_sections

__all__ = ["AUDIT_METRICS", "AuditCell", "AuditResult", "audit_metrics", "note_scores"]

AUDIT_METRICS: tuple[str, ...] = (
    "rouge1_f",
    "rouge2_f",
    "rougeL_f",
    "rougeLsum_f",
    "section_coverage",
    "fact_recall",
    "fact_precision",
)
"""The metrics the audit measures, in table order."""
_EPSILON = 1e-9


@dataclass(frozen=True)
class AuditCell:
    """One (perturbation kind, metric): the changes over every note the kind applied to."""

    kind: PerturbationKind
    metric: str
    deltas: tuple[float, ...] = field(default=())

    @property
    def notes(self) -> int:
        """Notes the perturbation applied to (and the metric was defined for)."""
        return len(self.deltas)

    @property
    def moved(self) -> float | None:
        """Share of those notes on which the metric changed."""
        return sum(abs(d) > _EPSILON for d in self.deltas) / self.notes if self.deltas else None

    @property
    def mean_delta(self) -> float | None:
        """Mean change (perturbed - unperturbed); negative when the metric penalises the error."""
        return sum(self.deltas) / self.notes if self.deltas else None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return {
            "kind": self.kind,
            "metric": self.metric,
            "notes": self.notes,
            "moved": self.moved,
            "mean_delta": self.mean_delta,
            "max_drop": min(self.deltas, default=None),
        }


@dataclass(frozen=True)
class AuditResult:
    """The audit table of one dataset: a cell per (kind, metric)."""

    dataset: str
    cells: tuple[AuditCell, ...]

    def cell(self, kind: PerturbationKind, metric: str) -> AuditCell:
        """The cell of ``kind`` and ``metric``."""
        return next(c for c in self.cells if c.kind == kind and c.metric == metric)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types: the dataset, every cell and ``metrics_version``."""
        return {
            "dataset": self.dataset,
            "metrics": list(AUDIT_METRICS),
            "cells": [c.as_dict() for c in self.cells],
            "metrics_version": METRICS_VERSION,
        }


def note_scores(
    reference: ReferenceNote,
    generated: dict[str, str],
    *,
    medications: Sequence[str] = (),
    language: str = "en",
    tokenizer: TokenizerName = "unicode",
) -> dict[str, float | None]:
    """The audited metrics of ``generated`` sections against ``reference``, as the runner would."""
    ref_text = "\n".join(b.strip() for b in reference.sections.values() if b.strip())
    gen_text = "\n".join(b.strip() for b in generated.values() if b.strip())
    stem = language.split("-")[0] == "en"
    scores: dict[str, float | None] = {
        k: v
        for k, v in rouge(ref_text, gen_text, tokenizer=tokenizer, stemmer=stem).as_dict().items()
        if k in AUDIT_METRICS
    }
    keys = reference.section_keys
    sections = [(keys.get(h, h), h, t) for h, t in generated.items()]
    by_section = score_sections(
        sections, reference.sections, mapping=keys or None, tokenizer=tokenizer, stemmer=stem
    )
    scores["section_coverage"] = by_section.coverage
    facts = check_facts(ref_text, gen_text, medications=medications, language=language)
    scores.update(fact_recall=facts.recall, fact_precision=facts.precision)
    return scores


def audit_metrics(
    dataset: Dataset,
    *,
    kinds: Iterable[PerturbationKind] = tuple(PERTURBATIONS),
    tokenizer: TokenizerName = "unicode",
) -> AuditResult:
    """Perturb each reference note of ``dataset`` once per kind; collect each metric's change."""
    kinds = tuple(kinds)
    deltas: dict[tuple[PerturbationKind, str], list[float]] = {
        (k, m): [] for k in kinds for m in AUDIT_METRICS
    }
    for encounter in dataset.encounters:
        for note in encounter.notes.values():
            for kind in kinds:
                for metric, delta in _note_deltas(encounter, note, kind, tokenizer).items():
                    deltas[kind, metric].append(delta)
    cells = tuple(AuditCell(k, m, tuple(d)) for (k, m), d in deltas.items())
    return AuditResult(dataset=dataset.name, cells=cells)


def _note_deltas(
    encounter: Encounter, note: ReferenceNote, kind: PerturbationKind, tokenizer: TokenizerName
) -> dict[str, float]:
    meds = [t.text for t in encounter.terms if t.kind == "medication"]
    changed = perturb(kind, note.sections, medications=meds, language=encounter.language)
    if changed is None:
        return {}
    options: dict[str, Any] = {"medications": meds, "language": encounter.language}
    base = note_scores(note, dict(note.sections), tokenizer=tokenizer, **options)
    after = note_scores(note, changed, tokenizer=tokenizer, **options)
    return {
        m: after[m] - base[m]  # type: ignore[operator]
        for m in AUDIT_METRICS
        if base.get(m) is not None and after.get(m) is not None
    }
