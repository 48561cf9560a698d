"""The metric audit: controlled errors in reference notes, and how much each metric notices.

``audit_metrics(load_dataset(path))`` perturbs every reference note once per kind of error
(``PERTURBATIONS``: drop a fact, change a dose tenfold, flip a negation or a side, swap a
medication, invent a finding) and twice without one (reorder sections, paraphrase), then reports
per metric how often and by how much it moved. A team picks its gate metrics from this table.
``audit_judge(dataset, judge_config)`` runs the same perturbations through the model judge and
reports its detection rate per kind of error, and its agreement with clinician ratings.
"""

from __future__ import annotations

from scribe_eval.audit._audit import (
    AUDIT_METRICS,
    AuditCell,
    AuditResult,
    audit_metrics,
    note_scores,
)
from scribe_eval.audit._judge_audit import (
    JUDGE_AUDIT_NOTES,
    JudgeAuditResult,
    JudgeDetection,
    RatingAgreement,
    audit_judge,
    judge_audit_key,
    weighted_kappa,
)
from scribe_eval.audit._perturb import ERROR_KINDS, PERTURBATIONS, PerturbationKind, perturb

__all__ = [  # noqa: RUF022 - plain sorted(), as tests/test_exports.py checks
    "AUDIT_METRICS",
    "AuditCell",
    "AuditResult",
    "ERROR_KINDS",
    "JUDGE_AUDIT_NOTES",
    "JudgeAuditResult",
    "JudgeDetection",
    "PERTURBATIONS",
    "PerturbationKind",
    "RatingAgreement",
    "audit_judge",
    "audit_metrics",
    "judge_audit_key",
    "note_scores",
    "perturb",
    "weighted_kappa",
]
