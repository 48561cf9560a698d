"""The gate file: non-inferiority margins per metric and slice, and hard limits.

Margins and limits are written on the scale people read: **points** (0-100) for every catalogue
metric and for rates (a 2-point margin on ROUGE-Lsum F is 0.02 in F units; a 2-point rise in the
error rate is 2 percentage points), notes for ``missing_sections`` (missing sections per note),
milliseconds for ``p95_latency_ms``.

```yaml
resamples: 2000          # bootstrap replicates (default: the candidate run's setting)
min_encounters: 5        # fewer shared encounters in a changed slice: the rule is undecided
                         #   (never fewer than 3: below that no interval, so no decision), and
                         #   an undecided slice makes the verdict inconclusive, not a pass
accept_small_slices: false  # true: slices undecided only for too few encounters do not make
                         #   the verdict inconclusive (listed as accepted, counted in the headline)
seed: 7                  # default: the candidate run's seed
rules:
  - metric: wer           # non-inferiority: fail when the data cannot rule out that the
    margin: 2             #   candidate is worse than the baseline by more than 2 points
  - metric: rougeLsum_f   # note metrics are judged per template, language and source
    margin: 2             #   unless `by` says otherwise
  - metric: rougeLsum_f
    margin: 1
    by: [language]        # pooled over templates, one result per language
    where: {language: de} # only this slice
  - limit: error_rate     # hard limits on the candidate (also unscored_rate, missing_sections,
    max: 5                #   fact_recall, p95_latency_ms)
  - limit: error_rate
    max_increase: 2       # or relative to the baseline, on the cells both runs have
  - limit: p95_latency_ms
    stage: document
    max: 30000
```

Slicing dimensions: ``language``, ``template``, ``source``, ``reference`` (the reference note
type), ``specialty``, ``tag``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from scribe_eval._yamlfile import read_config, validate_config
from scribe_eval.metrics import METRICS, FigureUnit, MetricSpec

SliceDimension = Literal["language", "template", "source", "reference", "specialty", "tag"]
LimitName = Literal[
    "error_rate", "unscored_rate", "missing_sections", "fact_recall", "p95_latency_ms"
]
Unit = FigureUnit

#: How each limit is written and shown: rates and recall in points, sections per note, ms.
LIMIT_UNITS: dict[str, Unit] = {
    "error_rate": "points",
    "unscored_rate": "points",
    "missing_sections": "count",
    "fact_recall": "points",
    "p95_latency_ms": "ms",
}

#: How each limit is named in tables, as the index names the same figure (never the stored key).
LIMIT_LABELS: dict[str, str] = {
    "error_rate": "Failed cells",
    "unscored_rate": "Unscored notes",
    "missing_sections": "Missing sections",
    "fact_recall": METRICS["fact_recall"].label,
    "p95_latency_ms": "p95 latency",
}

#: Default slicing: note metrics per template, language and source; transcripts per language.
NOTE_SLICES: tuple[SliceDimension, ...] = ("template", "language", "source")
TRANSCRIPT_SLICES: tuple[SliceDimension, ...] = ("language", "source")


def to_internal(value: float, unit: Unit) -> float:
    """A value as written in a gate file, in the stored unit (points become fractions)."""
    return value / 100.0 if unit == "points" else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricRule(_Strict):
    """A non-inferiority rule: the candidate may be worse by at most ``margin`` points."""

    metric: str
    margin: float = Field(ge=0, le=100)
    by: list[SliceDimension] | None = None
    where: dict[SliceDimension, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_metric(self) -> MetricRule:
        spec = METRICS.get(self.metric)
        gateable = [k for k, s in METRICS.items() if s.gateable]
        if spec is None:
            raise ValueError(f"unknown metric {self.metric!r}; use one of {', '.join(gateable)}")
        if not spec.gateable:
            raise ValueError(
                f"{self.metric} is descriptive (no better direction) and cannot be gated; "
                f"use one of {', '.join(gateable)}"
            )
        return self

    @property
    def spec(self) -> MetricSpec:
        """The metric's catalogue entry."""
        return METRICS[self.metric]

    @property
    def dimensions(self) -> list[SliceDimension]:
        """``by``, or the default slicing of the metric's cell kind."""
        if self.by is not None:
            return list(self.by)
        return list(NOTE_SLICES if self.spec.cell == "document" else TRANSCRIPT_SLICES)

    @property
    def margin_fraction(self) -> float:
        """The margin in metric units (0-1)."""
        return self.margin / 100.0

    @property
    def name(self) -> str:
        """A short name for tables and JUnit."""
        return f"{self.spec.label} non-inferiority (margin {self.margin:g} points)"


class LimitRule(_Strict):
    """A hard limit on the candidate (``min``/``max``) or on its change (``max_increase``).

    Values are in the limit's unit (`LIMIT_UNITS`): points for rates and recall.
    """

    limit: LimitName
    max: float | None = None
    min: float | None = None
    max_increase: float | None = None
    stage: str = "document"
    by: list[SliceDimension] | None = None
    where: dict[SliceDimension, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_bound(self) -> LimitRule:
        if self.max is None and self.min is None and self.max_increase is None:
            raise ValueError("a limit needs `max`, `min` or `max_increase`")
        spec = METRICS.get(self.limit)  # a limit on a metric: its direction is the catalogue's
        if (spec is not None and spec.higher_is_better) and (
            self.max is not None or self.max_increase is not None
        ):
            # A bound from above on a higher-is-better figure lets any loss pass.
            raise ValueError(
                f"{self.limit} is higher is better: `max` and `max_increase` bound it from above, "
                "so a loss would pass; bound its level with `min`, or its loss with a metric "
                f"rule (`metric: {self.limit}`, `margin: N` points)"
            )
        return self

    @property
    def unit(self) -> Unit:
        """The unit its bounds are written in."""
        return LIMIT_UNITS[self.limit]

    @property
    def dimensions(self) -> list[SliceDimension]:
        """``by``, or per template, language and source as the margins are (latency: the whole
        run): notes written from the reference transcript never dilute the ASR notes' rate."""
        if self.by is not None:
            return list(self.by)
        return [] if self.limit == "p95_latency_ms" else ["template", "language", "source"]

    @property
    def name(self) -> str:
        """A short name for tables and JUnit."""
        unit = {"points": " points", "count": "", "ms": " ms"}[self.unit]
        bounds = [
            f"{label} {value:g}{unit}"
            for label, value in (("max", self.max), ("min", self.min), ("max +", self.max_increase))
            if value is not None
        ]
        stage = f" ({self.stage})" if self.limit == "p95_latency_ms" else ""
        return f"{LIMIT_LABELS[self.limit]}{stage} {', '.join(bounds)}"


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
    a decision, so a changed slice with fewer shared encounters is reported as undecided, and
    the verdict is inconclusive. Below `scribe_eval.stats.MIN_ENCOUNTERS_FOR_INTERVAL` (3)
    nothing is decided whatever it says (a value of 2, accepted for old gate files, acts as 3).
    ``accept_small_slices``: a team that accepts undecided small slices says so here; such
    slices are then listed as accepted and counted in the headline, and do not block a pass
    (an undecided slice for any other reason still does).
    """

    rules: list[Rule] = Field(min_length=1)
    min_encounters: int = Field(default=5, ge=2)
    accept_small_slices: bool = False
    resamples: int | None = Field(default=None, ge=100, le=100_000)
    seed: int | None = None
    confidence: float = Field(default=0.95, gt=0.5, lt=1)


#: The gate used without ``--gate``: per template (and language and source), the candidate may
#: lose at most 2 points of ROUGE-Lsum F and 5 points of fact recall; per language at most 2
#: points of pooled WER; per template, language and source, on the cells both runs have, at most
#: 2 points more failed cells and more unscored documents (a candidate that scores nothing must
#: not pass because every rule was skipped).
DEFAULT_GATE = Gate(
    rules=[
        MetricRule(metric="wer", margin=2),
        MetricRule(metric="rougeLsum_f", margin=2),
        MetricRule(metric="fact_recall", margin=5),
        LimitRule(limit="error_rate", max_increase=2),
        LimitRule(limit="unscored_rate", max_increase=2),
    ]
)


def load_gate(path: str | Path) -> Gate:
    """Read a gate file; every problem is reported with its ``file:line``."""
    doc = read_config(Path(path), "gate file")
    return validate_config(doc, Gate, doc.data, "gate file")
