"""The metric catalogue: the one place that says what each score key means and how to read it.

Every number a person decides on is a catalogue metric. Its spec names the stored key, a plain
label, the cell kind that carries it (a transcript or a document), how a corpus value is formed
(``ratio``: the sum of per-cell numerators over the sum of denominators, e.g. pooled WER; ``mean``:
the mean of per-encounter values, e.g. mean ROUGE-L F), and its direction (higher or lower is
better; ``None`` for descriptive figures such as the length ratio, which cannot be gated).

Values are fractions (0-1) internally and in JSON; people see them on the scale their spec names
(`MetricSpec.unit`): points on a 0-100 scale with one decimal for every rate, share and F-measure
(``41.2``), a whole percent for the length ratio (``230%``, 230 percent of the reference's
length: it is no share, and read as points ``230.2`` looked like a score off the scale).
`MetricSpec.fmt` / `MetricSpec.fmt_interval` print a metric's figure on its scale, so no page
or writer special-cases a metric. The runner's scorer, the gate, the report, ``score`` and the
Markdown/JUnit writers take labels, directions and formats from here.

How a number is shown (`shown`, one rule for every figure a person reads): points are rounded to
one decimal half away from zero (13.85 is 13.9), after float noise below 1e-9 is settled, so that
0.1385 computed as 0.13849999999999998 is 13.9 too. A difference shown beside the two values it
compares is the difference of the values *as shown* (`fmt_change`): a reader who subtracts the
numbers on the page gets the number on the page (13.9 and 11.2 give 2.7, never the 2.66 of the
exact values rounded, nor 2.6 beside 13.8). Decisions (gates, recommendations, sort orders) are
taken on the exact values; only what is printed follows this rule. An interval is the rounded
bounds of the exact one, so in rare ties a shown difference may sit 0.1 outside a shown interval.

A value printed beside the threshold it was compared with (a margin, a limit, a minimum
practical difference) is printed by `fmt_against`: with the decimals the comparison needs, so
the printed pair never contradicts the decision ("5.004 above the 5.0 limit", never "5.0 above
the 5.0 limit").

Adding a metric: one `MetricSpec` below, one scorer function that writes its key (and, for a
ratio, its numerator and denominator counts), and one test. ``tests/metrics/test_catalogue.py``
fails when the scorer and the catalogue disagree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from typing import Any, Literal, Protocol, TypeGuard

from scribe_eval.errors import ConfigError

CellKindName = Literal["transcript", "document"]
CorpusKind = Literal["mean", "ratio"]
FigureUnit = Literal["points", "percent", "count", "ms"]
"""How a figure is shown: ``points`` (a fraction x 100, one decimal), ``percent`` (a ratio x 100,
whole, with a ``%`` sign: 2.302 is ``230%``), ``count`` (a count per note, two decimals) or
``ms`` (milliseconds, whole)."""

#: Per unit: the power of ten a stored value is scaled by, and the decimals shown.
_RESOLUTION: dict[str, tuple[int, int]] = {
    "points": (2, 1), "percent": (2, 0), "count": (0, 2), "ms": (0, 0),
}  # fmt: skip
#: What follows a metric's figure on its scale (points are bare: the 0-100 scale is the default).
_SUFFIX: dict[str, str] = {"percent": "%"}
#: At most this many decimals are added to tell a value from the threshold it is compared with.
_MAX_EXTRA = 8
#: Float noise below this many decimals (of the shown scale) never decides a rounding tie.
_SETTLE = Decimal("1e-9")
#: Enough digits for any finite float at that resolution (the default 28 would raise on 1e20 ms).
_DIGITS = Context(prec=400)

MINUS = "\N{MINUS SIGN}"


class Scores(Protocol):
    """What `MetricSpec.parts` reads: a cell's stored scores (a mapping) or its typed figures."""

    def get(self, key: str, /) -> Any:
        """The value under ``key``, or None."""
        ...


@dataclass(frozen=True)
class MetricSpec:
    """One metric: stored key, label, cell kind, corpus formula, direction and description.

    ``numerator``/``denominator`` name the per-cell count keys of a ``ratio`` metric; a ``mean``
    metric reads its own key. ``higher_is_better`` is None for a descriptive figure. ``unit``
    is the scale people read it on (`FigureUnit`; ``fmt``, ``fmt_interval``).
    """

    key: str
    label: str
    cell: CellKindName
    kind: CorpusKind
    higher_is_better: bool | None
    description: str
    numerator: str | None = None
    denominator: str | None = None
    unit: FigureUnit = "points"

    @property
    def direction(self) -> str:
        """``higher is better``, ``lower is better`` or ``descriptive``."""
        if self.higher_is_better is None:
            return "descriptive"
        return "higher is better" if self.higher_is_better else "lower is better"

    @property
    def gateable(self) -> bool:
        """True when the metric has a direction, so a margin can say what "worse" means."""
        return self.higher_is_better is not None

    def parts(self, scores: Scores) -> tuple[float, float] | None:
        """One cell's contribution: (numerator, denominator), or None when it has no score.

        For a mean metric the denominator is 1. A ratio needs a positive denominator.
        """
        if self.kind == "mean":
            value = scores.get(self.key)
            return (float(value), 1.0) if is_number(value) else None
        assert self.numerator is not None
        assert self.denominator is not None
        num, den = scores.get(self.numerator), scores.get(self.denominator)
        if not (is_number(num) and is_number(den)) or den <= 0:
            return None
        return float(num), float(den)

    def corpus(self, cells: Iterable[Scores]) -> float | None:
        """The metric over ``cells`` taken as one encounter each: the sum of their numerators
        over the sum of their denominators (`parts`), so a mean metric's mean and a ratio's
        pooled value, as `compare` and the report compute them. None when no cell has it."""
        pairs = [p for p in map(self.parts, cells) if p is not None]
        denominator = sum(d for _, d in pairs)
        return sum(n for n, _ in pairs) / denominator if denominator else None

    def fmt(self, value: Any, *, signed: bool = False) -> str:
        """``value`` as every page shows this metric (``41.2``, ``230%``); an em dash when
        missing."""
        text = fmt_figure(value, self.unit, signed=signed)
        return text if text == "—" else text + _SUFFIX.get(self.unit, "")

    def fmt_interval(self, low: Any, high: Any) -> str:
        """An interval on this metric's scale (``[−3.4, −0.9]``, ``[180%, 260%]``); empty when
        missing."""
        if not (is_number(low) and is_number(high)):
            return ""
        return f"[{self.fmt(low)}, {self.fmt(high)}]"

    def fmt_change(self, before: Any, after: Any, *, signed: bool = True) -> str:
        """`fmt_change` on this metric's scale (the difference of the two shown values)."""
        text = fmt_change(before, after, self.unit, signed=signed)
        return text if text == "—" else text + _SUFFIX.get(self.unit, "")


def is_number(value: Any) -> TypeGuard[float]:
    """True for a finite int or float (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def shown(value: Any, unit: FigureUnit = "points") -> Decimal | None:
    """The number a reader sees for ``value`` (None when it is missing): scaled to ``unit`` and
    rounded half away from zero at its resolution, float noise settled first (see the module)."""
    exact = _settled(value, unit)
    return None if exact is None else _rounded(exact, _RESOLUTION[unit][1])


def fmt_figure(value: Any, unit: FigureUnit = "points", *, signed: bool = False) -> str:
    """``value`` as shown in ``unit`` (`shown`); signed uses a true minus sign and ``±0.0``."""
    number = shown(value, unit)
    return "—" if number is None else _text(number, signed)


def fmt_points(value: Any, *, signed: bool = False) -> str:
    """A fraction as points with one decimal; signed differences use a true minus sign."""
    return fmt_figure(value, "points", signed=signed)


def shown_change(before: Any, after: Any, unit: FigureUnit = "points") -> Decimal | None:
    """``after - before`` as a reader computes it from the two shown values (exact decimals)."""
    a, b = shown(before, unit), shown(after, unit)
    return None if a is None or b is None else b - a


def fmt_change(before: Any, after: Any, unit: FigureUnit = "points", *, signed: bool = True) -> str:
    """The difference ``after - before`` to print beside the two values: the difference of the
    shown values, so the page's arithmetic agrees with itself (``13.9`` and ``11.2`` give
    ``+2.7``). Unsigned, its size (``leads by 2.7``). Decide on the exact values, never on this.
    """
    change = shown_change(before, after, unit)
    if change is None:
        return "—"
    return _text(change if signed else abs(change), signed)


def _text(number: Decimal, signed: bool) -> str:
    if number.is_zero():
        number = abs(number)  # no "-0.0"
    text = f"{number:+f}" if signed else f"{number:f}"
    if signed and number.is_zero():
        text = "±" + text[1:]
    return text.replace("-", MINUS)


def fmt_interval(low: Any, high: Any) -> str:
    """``[−3.4, −0.9]`` in points, unambiguous for negative bounds; empty when missing."""
    if not (is_number(low) and is_number(high)):
        return ""
    return f"[{fmt_points(low)}, {fmt_points(high)}]"


def fmt_against(value: Any, threshold: Any, unit: FigureUnit = "points") -> tuple[str, str]:
    """``value`` and the ``threshold`` it was compared with, as printed side by side.

    Each is shown as usual (`fmt_figure`) unless, so shown, the pair would contradict the exact
    comparison (5.004 against 5.0 reads "5.0 above the 5.0 limit", 0.98 against 1.0 "leads by
    1.0, less than the 1.0 minimum"): then both get the fewest extra decimals that order them as
    the decision did and show the threshold as written (``("5.004", "5.0")``, ``("2.004",
    "2.005")``; a threshold keeps its own decimals when it has no more). The one tie rule of
    every reason that prints a value beside its limit.
    """
    a, b = _settled(value, unit), _settled(threshold, unit)
    if a is None or b is None:
        return fmt_figure(value, unit), fmt_figure(threshold, unit)
    _, decimals = _RESOLUTION[unit]
    for extra in range(_MAX_EXTRA + 1):
        x, y = (_rounded(v, decimals + extra) for v in (a, b))
        # Once decimals are added, the threshold is shown exactly: a margin written 2.005 must
        # not read 2.01 in the one sentence that needed more precision.
        if _order(x, y) == _order(a, b) and (extra == 0 or y == b):
            break
    short = _rounded(b, decimals)
    if short == y:
        y = short  # "5.0", not "5.000": the threshold has no more digits to show
    return _text(x, False), _text(y, False)


def _settled(value: Any, unit: FigureUnit) -> Decimal | None:
    """``value`` scaled to ``unit`` with float noise settled (see the module), unrounded."""
    if not is_number(value):
        return None
    shift, _ = _RESOLUTION[unit]
    return Decimal(value).scaleb(shift).quantize(_SETTLE, ROUND_HALF_EVEN, _DIGITS)


def _rounded(number: Decimal, decimals: int) -> Decimal:
    return number.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP, _DIGITS)


def _order(a: Decimal, b: Decimal) -> int:
    return (a > b) - (a < b)


def _rouge_specs() -> list[MetricSpec]:
    names = {
        "rouge1": "ROUGE-1",
        "rouge2": "ROUGE-2",
        "rougeL": "ROUGE-L",
        "rougeLsum": "ROUGE-Lsum",
    }
    what = {
        "rouge1": "shared words (unigrams) with the reference note",
        "rouge2": "shared word pairs (bigrams) with the reference note",
        "rougeL": "the longest common word subsequence with the reference note",
        "rougeLsum": "the summary-level LCS, sentence by sentence (multi-sentence notes)",
    }
    parts = {"f": "F", "p": "precision", "r": "recall"}
    out = []
    for name, label in names.items():
        for suffix, part in parts.items():
            shown = label if suffix == "f" else f"{label} {part}"
            out.append(
                MetricSpec(
                    f"{name}_{suffix}",
                    shown,
                    "document",
                    "mean",
                    True,
                    f"{part} of {what[name]}, mean over notes",
                )
            )
        out.append(
            MetricSpec(
                f"section_{name}_f",
                f"Section {label}",
                "document",
                "mean",
                True,
                f"{label} F section by section, mean over the sections both notes have",
            )
        )
    return out


def _adherence_specs() -> list[MetricSpec]:
    rules = {
        "present": "every section the template asks for is in the note",
        "allowed": "no section the template does not contain",
        "order": "sections in the template's order",
        "heading": "headings equal nameOverride or the catalogue name in the output language",
        "format": "each section's layout (bullets, numbered, paragraph) follows its format rule",
        "language": "the note is in the requested output language",
        "length": "length limits the template states are kept",
    }
    out = [
        MetricSpec(
            "adherence_rate",
            "Template adherence",
            "document",
            "mean",
            True,
            "share of the template's checkable rules the note obeyed (no reference needed)",
        )
    ]
    for rule, what in rules.items():
        out.append(
            MetricSpec(
                f"adherence_{rule}_rate",
                f"Adherence: {rule}",
                "document",
                "mean",
                True,
                f"share of notes' {rule} checks passed: {what}",
            )
        )
    return out


def _judge_specs() -> list[MetricSpec]:
    """The model judge's metrics (``scribe_eval.judge``), written by the judge stage, not the
    scorer: present only in runs whose experiment has a ``judge:``."""
    out = [
        MetricSpec(
            "judge_unsupported_rate", "Judge: unsupported claims", "document", "mean", False,
            "share of the note's claims the judge found unsupported or contradicted by the "
            "transcript, mean over notes",
        ),
        MetricSpec(
            "judge_contradicted_rate", "Judge: contradicted claims", "document", "mean", False,
            "share of the note's claims the judge found contradicted by the transcript",
        ),
        MetricSpec(
            "judge_omission_rate", "Judge: omissions", "document", "mean", False,
            "share of the reference note's claims the judge found missing from the note",
        ),
        MetricSpec(
            "judge_major_error_notes", "Judge: notes with a major error", "document", "mean",
            False, "share of notes with at least one major or critical unsupported, contradicted "
            "or omitted claim (the count per note is on the encounter page)",
        ),
        MetricSpec(
            "judge_content_rule_rate", "Judge: content rules obeyed", "document", "mean", True,
            "share of the template's content rules (contentOverride clauses, instructions, "
            "writing style) the judge found obeyed",
        ),
        MetricSpec(
            "judge_pdqi_mean", "Judge: PDQI-9 mean", "document", "mean", True,
            "mean of the nine PDQI-9 scores, 1-5 mapped to 0-100 (1 = 0, 5 = 100)",
        ),
    ]  # fmt: skip
    for item in PDQI_ITEM_KEYS:
        shown = item.replace("_", " ")
        out.append(
            MetricSpec(
                f"judge_pdqi_{item}", f"Judge: PDQI-9 {shown}", "document", "mean", True,
                f"the judge's PDQI-9 '{shown}' score, 1-5 mapped to 0-100 (1 = 0, 5 = 100)",
            )
        )  # fmt: skip
    return out


#: The PDQI-9 attributes the judge scores (as ``scribe_eval.judge.PDQI_ITEMS``; metrics imports
#: no other package of ours).
PDQI_ITEM_KEYS: tuple[str, ...] = (
    "accurate", "thorough", "useful", "organised", "comprehensible", "succinct", "synthesised",
    "internally_consistent", "free_of_bias",
)  # fmt: skip


_SPECS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "wer", "WER", "transcript", "ratio", False,
        "word error rate pooled over recordings: (S + D + I) / reference words",
        numerator="errors", denominator="ref_words",
    ),
    MetricSpec(
        "mer", "MER", "transcript", "ratio", False,
        "match error rate pooled over recordings: (S + D + I) / (H + S + D + I)",
        numerator="errors", denominator="aligned_words",
    ),
    MetricSpec(
        "wil", "WIL", "transcript", "mean", False,
        "word information lost, mean over recordings",
    ),
    MetricSpec(
        "cer", "CER", "transcript", "ratio", False,
        "character error rate pooled over recordings",
        numerator="char_errors", denominator="ref_chars",
    ),
    MetricSpec(
        "attributed_wer", "Speaker-attributed WER", "transcript", "ratio", False,
        "WER when each word must also be given to the right speaker, pooled over recordings",
        numerator="attributed_errors", denominator="attributed_ref_words",
    ),
    MetricSpec(
        "cpwer", "cpWER", "transcript", "ratio", False,
        "concatenated minimum-permutation WER: speakers matched the best way, pooled",
        numerator="cp_errors", denominator="cp_ref_words",
    ),
    MetricSpec(
        "orcwer", "ORC-WER", "transcript", "ratio", False,
        "optimal reference combination WER: each utterance to its best stream, pooled",
        numerator="orc_errors", denominator="cp_ref_words",
    ),
    MetricSpec(
        "attribution_error_rate", "Attribution errors", "transcript", "ratio", False,
        "cpWER minus ORC-WER: words recognised right but given to the wrong speaker, pooled",
        numerator="attribution_errors", denominator="cp_ref_words",
    ),
    MetricSpec(
        "speaker_swap", "Speaker swaps", "transcript", "mean", False,
        "share of recordings whose doctor and patient are swapped (matters clinically even "
        "when cpWER forgives it)",
    ),
    MetricSpec(
        "term_list_recall", "Term-list recall", "transcript", "ratio", True,
        "share of the packaged medical-term list's occurrences recognised (forms and synonyms)",
        numerator="term_list_recognised", denominator="term_list_occurrences",
    ),
    MetricSpec(
        "term_recall", "Medical-term recall", "transcript", "ratio", True,
        "share of the encounters' medical-term occurrences recognised correctly",
        numerator="term_recognised", denominator="term_occurrences",
    ),
    MetricSpec(
        "keyterm_recall", "Keyterm recall", "transcript", "mean", True,
        "share of the keyterms sent to the API that were recognised, mean over recordings",
    ),
    *_rouge_specs(),
    MetricSpec(
        "section_coverage", "Section coverage", "document", "mean", True,
        "share of the reference note's sections the note filled",
    ),
    MetricSpec(
        "fact_recall", "Fact recall", "document", "mean", True,
        "share of reference facts (quantities, medications, negations, sides) found in the note",
    ),
    MetricSpec(
        "fact_precision", "Fact precision", "document", "mean", True,
        "share of the note's facts that the reference supports (a hallucination proxy; none "
        "for notes that state no fact)",
    ),
    *_adherence_specs(),
    MetricSpec(
        "length_ratio", "Length ratio", "document", "mean", None,
        "note length in percent of the reference's (100% = same length; descriptive, not gated)",
        unit="percent",
    ),
    *_judge_specs(),
)  # fmt: skip

METRICS: dict[str, MetricSpec] = {spec.key: spec for spec in _SPECS}
"""Every catalogue metric by key, in display order."""

#: The metric that names a language's best template (notes are multi-sentence: ROUGE-Lsum).
PRIMARY_NOTE_METRIC = "rougeLsum_f"

#: Note metrics a person reads first (leaderboards, overview), in that order.
NOTE_HEADLINES: tuple[str, ...] = (
    "rouge1_f", "rouge2_f", "rougeL_f", "rougeLsum_f",
    "section_coverage", "fact_recall", "fact_precision", "adherence_rate", "length_ratio",
)  # fmt: skip

#: Transcript metrics a person reads first.
TRANSCRIPT_HEADLINES: tuple[str, ...] = ("wer", "cer", "term_recall", "term_list_recall", "cpwer")

#: Per-cell counts the scorer stores beside the metrics (numerators, denominators, sizes).
COUNT_KEYS: frozenset[str] = frozenset(
    {
        "hits", "substitutions", "deletions", "insertions", "errors", "aligned_words",
        "ref_words", "hyp_words", "ref_chars", "char_errors", "attributed_errors",
        "attributed_ref_words", "ref_tokens", "hyp_tokens", "cp_errors", "orc_errors",
        "attribution_errors", "cp_ref_words", "term_list_occurrences", "term_list_recognised",
        "adherence_passed", "adherence_failed_count",
        "term_occurrences", "term_recognised", "segments", "n_scored", "missing_sections",
        "extra_sections", "empty_sections",
    }
)  # fmt: skip


def metric(key: str) -> MetricSpec:
    """The spec of ``key``; raises `ConfigError` with the known keys when there is none."""
    try:
        return METRICS[key]
    except KeyError:
        known = ", ".join(METRICS)
        raise ConfigError(f"unknown metric {key!r}; use one of {known}") from None


def metrics_of(cell: CellKindName) -> tuple[MetricSpec, ...]:
    """Every metric a cell kind carries, in display order."""
    return tuple(spec for spec in METRICS.values() if spec.cell == cell)


#: The judge's metrics (written by the judge stage; "unvalidated" until a judge audit or
#: clinician ratings exist for the dataset and judge).
JUDGE_METRIC_KEYS: frozenset[str] = frozenset(k for k in METRICS if k.startswith("judge_"))

#: Judge metrics the report shows beside ``NOTE_HEADLINES`` when a run was judged.
JUDGE_HEADLINES: tuple[str, ...] = (
    "judge_unsupported_rate", "judge_omission_rate", "judge_major_error_notes",
    "judge_content_rule_rate", "judge_pdqi_mean",
)  # fmt: skip
