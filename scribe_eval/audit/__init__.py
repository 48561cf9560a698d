"""The metric audit: controlled errors in reference notes, and how much each metric notices.

``audit_metrics(load_dataset(path))`` perturbs every reference note once per kind of error
(``PERTURBATIONS``: drop a fact, change a dose tenfold, flip a negation or a side, swap a
medication, invent a finding) and twice without one (reorder sections, paraphrase), then reports
per metric how often and by how much it moved. A team picks its gate metrics from this table.
"""

from __future__ import annotations

from scribe_eval.audit._audit import (
    AUDIT_METRICS,
    AuditCell,
    AuditResult,
    audit_metrics,
    note_scores,
)
from scribe_eval.audit._perturb import ERROR_KINDS, PERTURBATIONS, PerturbationKind, perturb

__all__ = [  # noqa: RUF022 - plain sorted(), as tests/test_exports.py checks
    "AUDIT_METRICS",
    "AuditCell",
    "AuditResult",
    "ERROR_KINDS",
    "PERTURBATIONS",
    "PerturbationKind",
    "audit_metrics",
    "note_scores",
    "perturb",
]
