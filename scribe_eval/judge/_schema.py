"""What the judge must answer: one pydantic schema per task, and the scores derived from them.

The schemas are sent to the endpoint (``response_format`` and in the prompt) and every answer is
validated against them; an answer that does not validate counts as malformed and is asked again.
Answers may carry extra keys (ignored); required keys, closed sets and score ranges are strict.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Support = Literal["supported", "unsupported", "contradicted"]
Severity = Literal["minor", "major", "critical"]
PDQI_ITEMS: tuple[str, ...] = (
    "accurate", "thorough", "useful", "organised", "comprehensible", "succinct", "synthesised",
    "internally_consistent", "free_of_bias",
)  # fmt: skip
"""The nine PDQI-9 attributes, in the instrument's order."""


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class NoteClaim(_Answer):
    """One claim of the generated note and whether the transcript supports it."""

    text: str = Field(min_length=1)
    verdict: Support
    severity: Severity | None = Field(
        default=None, description="Required unless supported: how much the error could harm."
    )
    evidence: str = Field(default="", description="The transcript words that decide it.")

    @model_validator(mode="after")
    def _severity_of_errors(self) -> NoteClaim:
        if self.verdict != "supported" and self.severity is None:
            raise ValueError(f"a {self.verdict} claim needs a severity (minor, major, critical)")
        return self


class ReferenceClaim(_Answer):
    """One claim of the reference note and whether the generated note omits it."""

    text: str = Field(min_length=1)
    omitted: bool
    severity: Severity | None = Field(default=None, description="Required when omitted.")

    @model_validator(mode="after")
    def _severity_of_omissions(self) -> ReferenceClaim:
        if self.omitted and self.severity is None:
            raise ValueError("an omitted claim needs a severity (minor, major, critical)")
        return self


class ClaimJudgement(_Answer):
    """The note's claims against the transcript, and the reference's claims against the note."""

    note_claims: list[NoteClaim]
    reference_claims: list[ReferenceClaim]

    @property
    def unsupported_rate(self) -> float | None:
        """Share of note claims not supported (unsupported or contradicted)."""
        wrong = [c for c in self.note_claims if c.verdict != "supported"]
        return len(wrong) / len(self.note_claims) if self.note_claims else None

    @property
    def contradicted_rate(self) -> float | None:
        """Share of note claims the transcript contradicts."""
        wrong = [c for c in self.note_claims if c.verdict == "contradicted"]
        return len(wrong) / len(self.note_claims) if self.note_claims else None

    @property
    def omission_rate(self) -> float | None:
        """Share of reference claims the note omits."""
        omitted = [c for c in self.reference_claims if c.omitted]
        return len(omitted) / len(self.reference_claims) if self.reference_claims else None

    def error_count(self, *severities: Severity) -> int:
        """Unsupported, contradicted or omitted claims of the given severities."""
        errors = [c.severity for c in self.note_claims if c.verdict != "supported"]
        errors += [c.severity for c in self.reference_claims if c.omitted]
        return sum(severity in severities for severity in errors)


class ContentRuleVerdict(_Answer):
    """Whether the note obeyed one content rule (``rule_id`` as given in the prompt)."""

    rule_id: str = Field(min_length=1)
    obeyed: bool
    reason: str = ""


class ContentRuleJudgement(_Answer):
    """One verdict per content rule."""

    rules: list[ContentRuleVerdict]

    @property
    def obeyed_rate(self) -> float | None:
        """Share of rules obeyed (None without rules)."""
        return sum(r.obeyed for r in self.rules) / len(self.rules) if self.rules else None


class RubricScore(_Answer):
    """One PDQI-9 attribute scored 1 (not at all) to 5 (extremely), with the judge's reason."""

    score: int = Field(ge=1, le=5)
    reason: str = Field(min_length=1)


class RubricJudgement(_Answer):
    """The PDQI-9-style rubric of one note."""

    accurate: RubricScore
    thorough: RubricScore
    useful: RubricScore
    organised: RubricScore
    comprehensible: RubricScore
    succinct: RubricScore
    synthesised: RubricScore
    internally_consistent: RubricScore
    free_of_bias: RubricScore

    def scores(self) -> dict[str, int]:
        """Each attribute's score, in ``PDQI_ITEMS`` order."""
        return {item: getattr(self, item).score for item in PDQI_ITEMS}

    @property
    def mean(self) -> float:
        """The mean of the nine scores."""
        return sum(self.scores().values()) / len(PDQI_ITEMS)
