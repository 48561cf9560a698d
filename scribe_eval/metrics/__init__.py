"""Pure scoring functions: normalisation, the WER family, the ROUGE family, sections and facts.

The metric catalogue (`METRICS`, `MetricSpec`) is the one place that says what each score key
means: label, cell kind, ratio or mean, direction. The results layer (`scribe_eval.compare`'s read
model and `samples`) and every output read it. Adding a metric is one catalogue entry, one scorer
function (``scribe_eval/runner/_score.py`` writes the key) and one test.

Nothing here does I/O or imports anything of scribe-eval but ``scribe_eval.errors``. Every result
is a frozen dataclass whose ``as_dict()`` returns plain JSON types under stable keys, including
how the numbers were computed (normaliser ``name@version``, tokenizer ``name@version``,
``METRICS_VERSION``).

Transcripts::

    r = wer(reference, hypothesis, normalizer="english-clinical")   # one recording
    corpus_wer([r1, r2, ...]).wer                                     # pooled over recordings

Notes::

    rouge(reference_note, generated_note).rougeLsum.fmeasure

Template adherence (did the note follow its template?)::

    expected = expectations_from_request(document_request, catalogue)
    check_adherence(expected, generated_sections).as_dict()["adherence_rate"]

Names are imported on first use (PEP 562): ``from scribe_eval.metrics import wer`` loads the WER
module and its libraries, not the fact checker's or speaker attribution's, so ``scribe-eval score``
and ``runs list`` start fast. `_EXPORTS` says which module holds each public name; the imports
under ``TYPE_CHECKING`` say the same to type checkers (``tests/metrics/test_exports_lazy.py``
checks the two agree).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scribe_eval._lazy import lazy_exports

if TYPE_CHECKING:
    from scribe_eval.metrics._adherence import (
        ADHERENCE_RULES,
        AdherenceResult,
        RuleCheck,
        check_adherence,
        detect_layout,
        pooled_adherence,
    )
    from scribe_eval.metrics._adherence_spec import (
        AdherenceExpectations,
        LengthLimit,
        SectionExpectation,
        expectations_from_request,
    )
    from scribe_eval.metrics._attribution import AttributionResult, speaker_attribution
    from scribe_eval.metrics._catalogue import (
        COUNT_KEYS,
        JUDGE_HEADLINES,
        JUDGE_METRIC_KEYS,
        METRICS,
        MINUS,
        NOTE_HEADLINES,
        PRIMARY_NOTE_METRIC,
        TRANSCRIPT_HEADLINES,
        CellKindName,
        FigureUnit,
        MetricSpec,
        fmt_against,
        fmt_change,
        fmt_figure,
        fmt_interval,
        fmt_points,
        is_number,
        metric,
        metrics_of,
        shown_change,
    )
    from scribe_eval.metrics._facts import (
        Contradiction,
        FactCheckResult,
        FactKindResult,
        check_facts,
        extract_facts,
    )
    from scribe_eval.metrics._normalize import (
        NORMALIZERS,
        Normalizer,
        get_normalizer,
        load_normalizer,
        normalizer_provenance,
    )
    from scribe_eval.metrics._numbers import read_numbers
    from scribe_eval.metrics._preload import preload_scorers
    from scribe_eval.metrics._rouge import ROUGE_TYPES, RougeResult, RougeScore, rouge
    from scribe_eval.metrics._sections import (
        GeneratedSection,
        SectionPair,
        SectionScores,
        score_sections,
        split_markdown_sections,
    )
    from scribe_eval.metrics._terms import (
        TermEntry,
        TermList,
        TermListRecallResult,
        TermMiss,
        load_term_list,
        parse_term_list,
        term_list_recall,
    )
    from scribe_eval.metrics._tokenize import TOKENIZERS, TokenizerName, split_sentences, tokenize
    from scribe_eval.metrics._transcript import (
        SpeakerWerResult,
        TermRecallResult,
        keyterm_recall,
        speaker_wer,
        term_recall,
    )
    from scribe_eval.metrics._version import ADHERENCE_VERSION, METRICS_VERSION
    from scribe_eval.metrics._wer import (
        AlignmentOp,
        CorpusWerResult,
        WerResult,
        confusion_pairs,
        corpus_wer,
        wer,
    )

# Public name -> the private module defining it (loaded when the name is first asked for).
_EXPORTS: dict[str, str] = {
    "ADHERENCE_RULES": "_adherence",
    "ADHERENCE_VERSION": "_version",
    "AdherenceResult": "_adherence",
    "RuleCheck": "_adherence",
    "check_adherence": "_adherence",
    "detect_layout": "_adherence",
    "pooled_adherence": "_adherence",
    "AdherenceExpectations": "_adherence_spec",
    "LengthLimit": "_adherence_spec",
    "SectionExpectation": "_adherence_spec",
    "expectations_from_request": "_adherence_spec",
    "AttributionResult": "_attribution",
    "speaker_attribution": "_attribution",
    "COUNT_KEYS": "_catalogue",
    "JUDGE_HEADLINES": "_catalogue",
    "JUDGE_METRIC_KEYS": "_catalogue",
    "METRICS": "_catalogue",
    "MINUS": "_catalogue",
    "NOTE_HEADLINES": "_catalogue",
    "PRIMARY_NOTE_METRIC": "_catalogue",
    "TRANSCRIPT_HEADLINES": "_catalogue",
    "CellKindName": "_catalogue",
    "FigureUnit": "_catalogue",
    "MetricSpec": "_catalogue",
    "fmt_against": "_catalogue",
    "fmt_change": "_catalogue",
    "shown_change": "_catalogue",
    "fmt_figure": "_catalogue",
    "fmt_interval": "_catalogue",
    "fmt_points": "_catalogue",
    "is_number": "_catalogue",
    "metric": "_catalogue",
    "metrics_of": "_catalogue",
    "Contradiction": "_facts",
    "FactCheckResult": "_facts",
    "FactKindResult": "_facts",
    "check_facts": "_facts",
    "extract_facts": "_facts",
    "NORMALIZERS": "_normalize",
    "Normalizer": "_normalize",
    "get_normalizer": "_normalize",
    "load_normalizer": "_normalize",
    "normalizer_provenance": "_normalize",
    "read_numbers": "_numbers",
    "preload_scorers": "_preload",
    "ROUGE_TYPES": "_rouge",
    "RougeResult": "_rouge",
    "RougeScore": "_rouge",
    "rouge": "_rouge",
    "GeneratedSection": "_sections",
    "SectionPair": "_sections",
    "SectionScores": "_sections",
    "score_sections": "_sections",
    "split_markdown_sections": "_sections",
    "TermEntry": "_terms",
    "TermList": "_terms",
    "TermListRecallResult": "_terms",
    "TermMiss": "_terms",
    "load_term_list": "_terms",
    "parse_term_list": "_terms",
    "term_list_recall": "_terms",
    "TOKENIZERS": "_tokenize",
    "TokenizerName": "_tokenize",
    "split_sentences": "_tokenize",
    "tokenize": "_tokenize",
    "SpeakerWerResult": "_transcript",
    "TermRecallResult": "_transcript",
    "keyterm_recall": "_transcript",
    "speaker_wer": "_transcript",
    "term_recall": "_transcript",
    "METRICS_VERSION": "_version",
    "AlignmentOp": "_wer",
    "CorpusWerResult": "_wer",
    "WerResult": "_wer",
    "confusion_pairs": "_wer",
    "corpus_wer": "_wer",
    "wer": "_wer",
}

__all__ = [  # noqa: RUF022 - plain sorted(), as tests/test_exports.py checks
    "ADHERENCE_RULES",
    "ADHERENCE_VERSION",
    "AdherenceExpectations",
    "AdherenceResult",
    "AlignmentOp",
    "AttributionResult",
    "COUNT_KEYS",
    "CellKindName",
    "Contradiction",
    "CorpusWerResult",
    "FactCheckResult",
    "FactKindResult",
    "FigureUnit",
    "GeneratedSection",
    "JUDGE_HEADLINES",
    "JUDGE_METRIC_KEYS",
    "LengthLimit",
    "METRICS",
    "METRICS_VERSION",
    "MINUS",
    "MetricSpec",
    "NORMALIZERS",
    "NOTE_HEADLINES",
    "Normalizer",
    "PRIMARY_NOTE_METRIC",
    "ROUGE_TYPES",
    "RougeResult",
    "RougeScore",
    "RuleCheck",
    "SectionExpectation",
    "SectionPair",
    "SectionScores",
    "SpeakerWerResult",
    "TOKENIZERS",
    "TRANSCRIPT_HEADLINES",
    "TermEntry",
    "TermList",
    "TermListRecallResult",
    "TermMiss",
    "TermRecallResult",
    "TokenizerName",
    "WerResult",
    "check_adherence",
    "check_facts",
    "confusion_pairs",
    "corpus_wer",
    "detect_layout",
    "expectations_from_request",
    "extract_facts",
    "fmt_against",
    "fmt_change",
    "fmt_figure",
    "fmt_interval",
    "fmt_points",
    "get_normalizer",
    "is_number",
    "keyterm_recall",
    "load_normalizer",
    "load_term_list",
    "metric",
    "metrics_of",
    "normalizer_provenance",
    "parse_term_list",
    "pooled_adherence",
    "preload_scorers",
    "read_numbers",
    "rouge",
    "score_sections",
    "shown_change",
    "speaker_attribution",
    "speaker_wer",
    "split_markdown_sections",
    "split_sentences",
    "term_list_recall",
    "term_recall",
    "tokenize",
    "wer",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
