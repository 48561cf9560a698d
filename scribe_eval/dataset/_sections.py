"""Checks on a reference note's sections and their mapping to the vendor's section keys."""

from __future__ import annotations

import re

from scribe_eval.dataset._paths import Findings

STANDARD_SECTION_KEYS: frozenset[str] = frozenset(
    {
        "corti-subjective",
        "corti-objective",
        "corti-assessment",
        "corti-plan",
        "corti-assessment-and-plan",
        "corti-chief-complaint",
        "corti-hpi",
        "corti-review-of-systems",
        "corti-past-medical-history",
        "corti-medications",
        "corti-allergies",
        "corti-family-history",
        "corti-social-history-w-smoking-and-alcohol",
        "corti-physical-exam-with-vitals",
        "corti-vital-signs",
        "corti-diagnostic-results",
        "corti-patient-summary",
    }
)
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def check_note(
    findings: Findings,
    encounter: str,
    where: str,
    sections: dict[str, str],
    section_keys: dict[str, str],
) -> None:
    """Record problems of one reference note: emptiness, mapping to headings and key spelling."""
    if not any(body.strip() for body in sections.values()):
        findings.error(encounter, where, "reference note is empty; write its sections")
        return
    empty = [h for h, body in sections.items() if not body.strip()]
    if empty:
        findings.warning(encounter, where, f"sections {empty} are empty; fill or remove them")
    for heading, key in section_keys.items():
        if heading not in sections:
            findings.error(
                encounter,
                where,
                f"section_keys names heading {heading!r} that the "
                f"note lacks (headings: {list(sections)}); fix the spelling",
            )
        if not _KEY.match(key):
            findings.error(
                encounter,
                where,
                f"section key {key!r} is malformed; vendor keys are "
                "lower-case words joined by '-' (e.g. corti-subjective)",
            )
        elif key not in STANDARD_SECTION_KEYS:
            findings.warning(
                encounter,
                where,
                f"section key {key!r} is not a standard key; make "
                "sure the target's catalogue has it",
            )
    duplicated = sorted(
        {k for k in section_keys.values() if list(section_keys.values()).count(k) > 1}
    )
    if duplicated:
        findings.error(
            encounter,
            where,
            f"section keys {duplicated} are mapped from several "
            "headings; map each vendor key from one heading",
        )
    unmapped = [h for h in sections if h not in section_keys]
    if section_keys and unmapped:
        findings.warning(
            encounter,
            where,
            f"headings {unmapped} have no vendor section key; they count only in whole-note scores",
        )
