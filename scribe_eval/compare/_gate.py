"""The gate file: non-inferiority margins per metric and slice, and hard limits.

```yaml
resamples: 2000          # bootstrap replicates (default: the candidate run's setting)
min_encounters: 5        # fewer shared encounters in a slice: the rule is skipped, not decided
seed: 7                  # default: the candidate run's seed
rules:
  - metric: wer           # non-inferiority: fail when the 95% interval's worse bound
    margin: 0.02          #   shows the candidate worse than the baseline by more than this
    by: [language]        # one result per language (also: template, source, specialty, tag)
  - metric: rougeLsum_f
    margin: 0.02
    by: [language, template]
    where: {language: de} # only this slice
  - limit: error_rate     # hard limits on the candidate alone (also unscored_rate: the
    max: 0.05             #   share of written documents without a reference to score them)
  - limit: error_rate
    max_increase: 0.02    # or relative to the baseline
  - limit: p95_latency_ms
    stage: document
    max: 30000
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from scribe_eval._yamlfile import read_config, validate_config

SliceDimension = Literal["language", "template", "source", "specialty", "tag"]
LimitName = Literal[
    "error_rate", "unscored_rate", "missing_sections", "fact_recall", "p95_latency_ms"
]

#: Metric -> (cell kind, numerator key, denominator key or None for a mean, higher is better).
METRICS: dict[str, tuple[str, str, str | None, bool]] = {
    "wer": ("transcript", "errors", "ref_words", False),
    "cer": ("transcript", "char_errors", "ref_chars", False),
    "term_recall": ("transcript", "term_recognised", "term_occurrences", True),
    "rouge1_f": ("document", "rouge1_f", None, True),
    "rouge2_f": ("document", "rouge2_f", None, True),
    "rougeL_f": ("document", "rougeL_f", None, True),
    "rougeLsum_f": ("document", "rougeLsum_f", None, True),
    "section_coverage": ("document", "section_coverage", None, True),
    "section_rougeLsum_f": ("document", "section_rougeLsum_f", None, True),
    "fact_recall": ("document", "fact_recall", None, True),
}


def _by_language() -> list[SliceDimension]:
    return ["language"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricRule(_Strict):
    """A non-inferiority rule: the candidate may be worse by at most ``margin`` (metric units)."""

    metric: str
    margin: float = Field(ge=0)
    by: list[SliceDimension] = Field(default_factory=_by_language)
    where: dict[SliceDimension, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_metric(self) -> MetricRule:
        if self.metric not in METRICS:
            known = ", ".join(sorted(METRICS))
            raise ValueError(f"unknown metric {self.metric!r}; use one of {known}")
        return self

    @property
    def name(self) -> str:
        """A short name for tables and JUnit."""
        return f"{self.metric} non-inferiority (margin {self.margin:g})"


class LimitRule(_Strict):
    """A hard limit on the candidate (``min``/``max``) or on its change (``max_increase``)."""

    limit: LimitName
    max: float | None = None
    min: float | None = None
    max_increase: float | None = None
    stage: str = "document"
    by: list[SliceDimension] = Field(default_factory=list)
    where: dict[SliceDimension, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_bound(self) -> LimitRule:
        if self.max is None and self.min is None and self.max_increase is None:
            raise ValueError("a limit needs `max`, `min` or `max_increase`")
        return self

    @property
    def name(self) -> str:
        """A short name for tables and JUnit."""
        bounds = [
            f"{label} {value:g}"
            for label, value in (("max", self.max), ("min", self.min), ("max +", self.max_increase))
            if value is not None
        ]
        stage = f" ({self.stage})" if self.limit == "p95_latency_ms" else ""
        return f"{self.limit}{stage} {', '.join(bounds)}"


def _rule_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "limit" if "limit" in value else "metric"
    return "limit" if isinstance(value, LimitRule) else "metric"


Rule = Annotated[
    Annotated[MetricRule, Tag("metric")] | Annotated[LimitRule, Tag("limit")],
    Discriminator(_rule_kind),
]


class Gate(_Strict):
    """A gate: its rules and the statistics settings (defaults from the candidate run).

    ``min_encounters``: a bootstrap interval over 2 or 3 encounters is far too narrow to support
    a decision, so a slice with fewer shared encounters is reported as skipped.
    """

    rules: list[Rule] = Field(min_length=1)
    min_encounters: int = Field(default=5, ge=2)
    resamples: int | None = Field(default=None, ge=100, le=100_000)
    seed: int | None = None
    confidence: float = Field(default=0.95, gt=0.5, lt=1)


#: The gate used without ``--gate``: 2-point margins on pooled WER and mean ROUGE-L/Lsum F per
#: language, and at most 2 points more failed cells, and more unscored documents, than the
#: baseline (a candidate that scores nothing must not pass because every rule was skipped).
DEFAULT_GATE = Gate(
    rules=[
        MetricRule(metric="wer", margin=0.02, by=["language"]),
        MetricRule(metric="rougeL_f", margin=0.02, by=["language"]),
        MetricRule(metric="rougeLsum_f", margin=0.02, by=["language"]),
        LimitRule(limit="error_rate", max_increase=0.02),
        LimitRule(limit="unscored_rate", max_increase=0.02),
    ]
)


def load_gate(path: str | Path) -> Gate:
    """Read a gate file; every problem is reported with its ``file:line``."""
    doc = read_config(Path(path), "gate file")
    return validate_config(doc, Gate, doc.data, "gate file")
