"""The scores stage: transcripts against reference transcripts, documents against reference notes.

Scores are flat JSON objects under the metrics package's stable keys, plus the settings that made
them (normaliser, tokenizer, metrics version). Lists of misses are kept short and are dropped by
the report's sharing-safe mode.

Scores are cached like answers: `transcript_score_key` and `document_score_key` hash everything
a cell's scores depend on (the answer's wire form, the encounter and its reference hash, the metric
settings that change a score, ``METRICS_VERSION`` and ``SCORES_VERSION``), so an unchanged re-run
reads them instead of scoring again. Whoever changes what a score is must bump a version:
``scribe_eval.metrics.METRICS_VERSION`` for a metric's value (normaliser, tokenizer, formula,
packaged term list), `SCORES_VERSION` below for what this module writes (keys, list lengths).

The scorers are imported when first used, not with this module: a re-run whose scores all come
from the cache never loads them.
"""

from __future__ import annotations

import functools
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scribe_eval.api import CreateDocumentRequest, Document, Transcript
from scribe_eval.dataset import Encounter
from scribe_eval.errors import MetricError
from scribe_eval.experiment import MetricOptions
from scribe_eval.metrics import METRICS_VERSION

if TYPE_CHECKING:
    from scribe_eval.metrics import AdherenceExpectations, WerResult
    from scribe_eval.templates import Catalogue
from scribe_eval.runner._keys import content_hash, score_key

_MAX_LISTED = 25
_NO_CONTEXT = {"type": "string", "data": "(not sent: used to read the template's request)"}

#: The layout of the scores this module writes; bump it when a key, a list's length or a field's
#: meaning changes here, so cached scores are computed again (metric values: METRICS_VERSION).
SCORES_VERSION = "1"

#: Metric settings that only change statistics (intervals, verdicts), never a cell's scores; left
#: out of the score keys, so changing them rescores nothing. Every other setting is keyed.
_STATISTICS_ONLY = frozenset({"seed", "bootstrap", "practical_difference", "tradeoff_margin"})


def _scoring_inputs(
    encounter: Encounter, answer: dict[str, Any], options: MetricOptions, language: str
) -> dict[str, Any]:
    return {
        "answer": content_hash(answer),
        "encounter": encounter.id,
        "reference": encounter.reference_hash,
        "settings": options.model_dump(mode="json", exclude=set(_STATISTICS_ONLY)),
        "normalizer": normalizer_for(options, language),
        "language": language,
        "versions": [METRICS_VERSION, SCORES_VERSION],
    }


def transcript_score_key(
    encounter: Encounter, answer: dict[str, Any], options: MetricOptions, language: str
) -> str:
    """The cache key of `score_transcript`'s result; ``answer`` is the transcript's wire form."""
    return score_key("transcript", _scoring_inputs(encounter, answer, options, language))


def document_score_key(
    encounter: Encounter,
    answer: dict[str, Any],
    *,
    note_type: str,
    output_language: str,
    options: MetricOptions,
    expectations: AdherenceExpectations | None,
) -> str:
    """The cache key of `score_document`'s result; ``answer`` is the document's wire form.

    The adherence rules are part of it (a template override changes them), and so are the note
    type and output language, which choose the reference.
    """
    inputs = _scoring_inputs(encounter, answer, options, output_language)
    inputs["note_type"] = note_type
    inputs["adherence"] = None if expectations is None else _adherence_digest(expectations)
    return score_key("document", inputs)


@functools.lru_cache(maxsize=256)
def _adherence_digest(expectations: AdherenceExpectations) -> str:
    # A run holds a few templates' expectations, asked for by every cell: hash each once.
    from scribe_eval.metrics import ADHERENCE_VERSION

    return content_hash([ADHERENCE_VERSION, asdict(expectations)])


def normalizer_for(options: MetricOptions, language: str) -> str:
    """The normaliser used for ``language``: ``auto`` is english-clinical for English."""
    if options.normalizer != "auto":
        return options.normalizer
    return "english-clinical" if language.lower().startswith("en") else "multilingual"


def score_transcript(
    encounter: Encounter, transcript: Transcript, options: MetricOptions, language: str
) -> dict[str, Any]:
    """WER family, speaker-attributed WER, term and keyterm recall for one recording."""
    from scribe_eval.metrics import keyterm_recall, speaker_wer, term_recall, wer

    normalizer = normalizer_for(options, language)
    reference = encounter.reference_text
    if not reference.strip():
        return {"unscored": "the encounter has no reference transcript"}
    result = wer(reference, transcript.text(), normalizer=normalizer)
    scores = result.as_dict()
    # The pooled ratios' numerators and denominators (see scribe_eval.metrics.METRICS).
    # (``errors`` itself is one of the result's keys.)
    scores["aligned_words"] = result.hits + result.errors
    hyp_turns = _hypothesis_turns(transcript)
    ref_turns = [(t.speaker.lower(), t.text) for t in encounter.reference_turns]
    if hyp_turns and len({s for s, _ in ref_turns}) > 1:
        by_speaker = speaker_wer(ref_turns, hyp_turns, normalizer=normalizer)
        scores["attributed_wer"] = by_speaker.attributed_wer
        per_speaker = by_speaker.per_speaker.values()
        scores["attributed_errors"] = sum(r.errors for r in per_speaker)
        scores["attributed_ref_words"] = sum(len(r.ref_words) for r in per_speaker)
        scores["speakers"] = {
            role: {
                "wer": r.wer,
                "errors": r.errors,
                "ref_words": len(r.ref_words),
            }
            for role, r in sorted(by_speaker.per_speaker.items())
        }
        scores.update(_attribution(ref_turns, hyp_turns, normalizer))
    elif len({s for s, _ in ref_turns}) > 1 and (diarized := _diarized_turns(transcript)):
        # One channel, speakers told apart by diarization: the API names no roles, so there is
        # no per-role WER and no swap flag, but cpWER/ORC-WER need no names (they are
        # permutation-free) and measure how many words went to the wrong speaker.
        attribution = _attribution(ref_turns, diarized, normalizer)
        attribution.pop("speaker_swap", None)
        scores.update(attribution)
    scores.update(_term_list(result, language, normalizer))
    terms = [t.text for t in encounter.terms]
    if terms:
        recall = term_recall(result, None, terms, normalizer=normalizer)
        scores["term_recall"] = recall.as_dict().get("recall")
        scores["term_occurrences"] = recall.occurrences
        scores["term_recognised"] = recall.recognised
        scores["term_misses"] = [list(m) for m in recall.misses[:_MAX_LISTED]]
    if encounter.keyterms:
        scores["keyterm_recall"] = (
            keyterm_recall(result, None, encounter.keyterms, normalizer=normalizer)
            .as_dict()
            .get("recall")
        )
    scores["segments"] = len(transcript.segments)
    return scores


def document_expectations(
    request_fields: dict[str, Any], output_language: str, catalogue: Any
) -> AdherenceExpectations | None:
    """What a document asked for (headings, formats, order, language, limits), or None.

    ``request_fields`` are the template's request fields (``templateKey`` or ``template``);
    ``catalogue`` a `scribe_eval.templates.Catalogue` giving the defaults (None: no check).
    """
    if catalogue is None:
        return None
    from scribe_eval.metrics import expectations_from_request

    body = {**request_fields, "outputLanguage": output_language, "context": [_NO_CONTEXT]}
    try:
        request = CreateDocumentRequest.model_validate(body)
        return expectations_from_request(request, catalogue)
    except (MetricError, ValueError):  # a template the catalogue lacks: adherence not judged
        return None


def adherence_catalogue(target_kind: str) -> Any:
    """The catalogue that gives a target's template defaults: the built-in one for the embedded
    emulator, else the newest pulled snapshot (None when there is none: adherence not judged).

    Read once per process while its files are unchanged: a worker builds an executor per
    encounter job, and parsing the snapshot's YAML each time cost more than the job's own scoring.
    """
    from scribe_eval.templates import DEFAULT_CATALOGUE_ROOT, newest_snapshot

    if target_kind == "embedded":
        return builtin_catalogue_once()
    newest = newest_snapshot(DEFAULT_CATALOGUE_ROOT)
    if newest is None:
        return None
    folder = newest.resolve()
    return _snapshot_catalogue(folder, _files_stamp(folder))


@functools.lru_cache(maxsize=1)
def builtin_catalogue_once() -> Catalogue:
    """The built-in catalogue, built once per process (~20 ms each time: a run's checks and its
    scorers both read it)."""
    from scribe_eval.templates import builtin_catalogue

    return builtin_catalogue()


@functools.lru_cache(maxsize=4)
def _snapshot_catalogue(folder: Path, stamp: tuple[tuple[str, int, int], ...]) -> Any:
    from scribe_eval.templates import load_snapshot

    del stamp  # part of the cache key only: a file changed, added or removed reads it again
    return load_snapshot(folder)


def _files_stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, modification time and size of every file of a snapshot folder."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            info = path.stat()
            found.append((str(path.relative_to(folder)), info.st_mtime_ns, info.st_size))
    return tuple(found)


def score_adherence(document: Document, expected: AdherenceExpectations) -> dict[str, Any]:
    """Did the note follow its template? Rates per rule, and the failed rules with reasons."""
    from scribe_eval.metrics import GeneratedSection, check_adherence

    sections = [GeneratedSection(s.key, s.name or "", s.text) for s in document.ordered_sections()]
    scores = check_adherence(expected, sections).as_dict()
    scores.pop("metrics_version", None)
    scores["adherence_failures"] = scores.get("adherence_failures", [])[:_MAX_LISTED]
    return scores


def score_document(
    encounter: Encounter,
    document: Document,
    *,
    note_type: str,
    output_language: str,
    options: MetricOptions,
    expectations: AdherenceExpectations | None = None,
) -> dict[str, Any]:
    """ROUGE on the whole note, per-section scores and findings, fact checks and adherence.

    Adherence (``expectations``, from `document_expectations`) needs no reference: it is scored
    even when the note is not. Returns ``{"unscored": reason}`` (plus adherence) when the
    encounter has no reference note of ``note_type`` or its reference is in another language
    than the document (the emulator does not translate).
    """
    adherence = score_adherence(document, expectations) if expectations is not None else {}
    scores = _score_against_reference(encounter, document, note_type, output_language, options)
    return {**scores, **adherence}


def _score_against_reference(
    encounter: Encounter,
    document: Document,
    note_type: str,
    output_language: str,
    options: MetricOptions,
) -> dict[str, Any]:
    from scribe_eval.metrics import check_facts, rouge, score_sections

    reference = encounter.notes.get(note_type)
    if reference is None:
        return {"unscored": f"no reference note of type {note_type!r} for {encounter.id}"}
    if _base(output_language) != _base(encounter.language):
        return {
            "unscored": f"the reference note is in {encounter.language}, the document in "
            f"{output_language}"
        }
    sections = document.ordered_sections()
    generated_text = "\n".join(s.text.strip() for s in sections if s.text.strip())
    reference_text = "\n".join(body.strip() for body in reference.sections.values() if body.strip())
    stem = options.stemmer and _base(output_language) == "en"
    scores: dict[str, Any] = dict(
        rouge(reference_text, generated_text, tokenizer=options.tokenizer, stemmer=stem).as_dict()
    )
    by_section = score_sections(
        [(s.key, s.name or s.key, s.text) for s in sections],
        reference.sections,
        mapping=reference.section_keys or None,
        tokenizer=options.tokenizer,
        stemmer=stem,
    ).as_dict()
    findings = by_section.pop("findings")
    scores.update({k: v for k, v in by_section.items() if k != "pairs"})
    scores["sections"] = by_section.get("pairs", [])
    # Missing: the reference has something to say there and the note says nothing, whether it
    # left the section out or wrote it empty ("No information recorded."), as the encounter
    # page lists them and as section coverage counts them.
    scores["missing_sections"] = _count(findings, "missing", "empty_generated")
    scores["extra_sections"] = _count(findings, "extra")
    scores["empty_sections"] = _count(findings, "empty_generated", "both_empty")
    scores["findings"] = findings[:_MAX_LISTED]
    medications = [t.text for t in encounter.terms if t.kind == "medication"]
    facts = check_facts(
        reference_text, generated_text, medications=medications, language=output_language
    )
    scores["fact_recall"] = facts.recall
    scores["fact_precision"] = facts.precision
    scores["fact_misses"] = [list(m) for m in facts.misses[:_MAX_LISTED]]
    scores["fact_invented"] = [list(m) for m in facts.invented[:_MAX_LISTED]]
    scores["note_type"] = note_type
    scores["metrics_version"] = METRICS_VERSION
    return scores


def _attribution(
    ref_turns: list[tuple[str, str]], hyp_turns: list[tuple[str, str]], normalizer: str
) -> dict[str, Any]:
    """cpWER, ORC-WER and whether the API swapped doctor and patient (meeting-recognition WERs)."""
    from scribe_eval.metrics import speaker_attribution

    result = speaker_attribution(ref_turns, hyp_turns, normalizer=normalizer)
    if not result.ref_words:
        return {}
    return {
        "cpwer": result.cpwer,
        "orcwer": result.orcwer,
        "attribution_error_rate": result.attribution_error_rate,
        "cp_errors": result.cp_errors,
        "orc_errors": result.orc_errors,
        "attribution_errors": result.cp_errors - result.orc_errors,
        "cp_ref_words": result.ref_words,
        "speaker_swap": 1.0 if result.speaker_swap else 0.0,
    }


def _term_list(result: WerResult, language: str, normalizer: str) -> dict[str, Any]:
    """Recall of the packaged medical-term list of the language, with the missed terms."""
    from scribe_eval.metrics import load_term_list, term_list_recall

    try:
        terms = load_term_list(language)
    except MetricError:  # no packaged list for this language: nothing to report
        return {}
    recall = term_list_recall(result, None, terms, normalizer=normalizer)
    if not recall.occurrences:
        return {}
    return {
        "term_list_recall": recall.recall,
        "term_list_occurrences": recall.occurrences,
        "term_list_recognised": recall.recognised,
        "term_list": recall.term_list,
        "missed_terms": [
            {"term": m.term, "said": m.said, "heard": m.heard} for m in recall.misses[:_MAX_LISTED]
        ],
    }


def _hypothesis_turns(transcript: Transcript) -> list[tuple[str, str]]:
    roles = transcript.roles_by_channel()
    if not roles:
        return []
    turns: list[tuple[str, str]] = []
    for segment in transcript.segments:
        if not segment.text.strip():
            continue  # a silent stretch says nothing about who spoke; skip it, as diarized turns do
        role = roles.get(segment.channel or 0)
        if role is None:
            return []
        turns.append((role.lower(), segment.text))
    return turns


def _diarized_turns(transcript: Transcript) -> list[tuple[str, str]]:
    """Turns labelled by diarized speaker id (``speaker 0``...), when there are two or more."""
    turns: list[tuple[str, str]] = []
    for segment in transcript.segments:
        if not segment.text.strip():
            continue
        if segment.speaker_id is None:
            return []
        turns.append((f"speaker {segment.speaker_id}", segment.text))
    return turns if len({s for s, _ in turns}) > 1 else []


def _count(findings: list[dict[str, Any]], *statuses: str) -> int:
    return sum(1 for finding in findings if finding.get("status") in statuses)


def _base(language: str) -> str:
    return language.split("-")[0].lower()
