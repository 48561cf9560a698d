"""The default note engine: deterministic, template-driven note writing without a model.

How a document is written:

1. The context is split into sentences; hesitations and discourse markers are removed, small talk
   loses weight, the clinician's questions are dropped, and a short patient answer to a yes/no
   question becomes a statement ("Any fever?" "No." -> "Patient denies fever.").
2. Each sentence is scored for every category (history, negatives, medications, allergies,
   family, social, vitals, exam, results, assessment, plan ...) by cue words in English and German
   (Danish and French for the commonest), numbers with units, doses, the speaker's role and its
   position in the visit. The first complaint of the patient is the chief complaint.
3. Each sentence goes to the section of *this* template that owns its best category (a specific
   ``corti-medications`` section beats the broad ``corti-subjective``), so two templates cut the
   same visit differently. Lists of medications, allergies and vital signs also collect sentences
   that mention them strongly.
4. A section's content override and instructions pull sentences in or keep them out
   (``Include: family history. Exclude: medications``); its format rule and writing style choose
   bullets, a numbered list, a single line or prose, and telegraphic or full sentences.
5. Sentences are rewritten as third-person clinical statements in English and German; headings
   and the engine's own phrases follow the output language, but content is kept as spoken: the
   emulator does not translate. A section with nothing to say reads "No information recorded."
   in the output language (never empty, so a reader can tell "nothing found" from a failure).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from scribe_eval.emulator._catalogue import SectionSpec
from scribe_eval.emulator.engines import _notes_lexicon as lex
from scribe_eval.emulator.engines import _notes_rules as rules
from scribe_eval.emulator.engines import _notes_text as text
from scribe_eval.emulator.engines._notes import (
    NoteRequest,
    NoteSegment,
    WrittenSection,
    request_text,
)
from scribe_eval.emulator.engines._notes_lexicon import Category
from scribe_eval.emulator.engines._notes_text import Sentence

NOTE_ENGINE_VERSION: Final = "1"
"""Bumped whenever cues, routing or rewriting change what the template engine writes."""

_THRESHOLD: Final = 1.0
_STRONG_LIST: Final = 2.0
_LIST_CATEGORIES: Final[tuple[Category, ...]] = ("medications", "allergies", "vitals")
_ANNOUNCEMENT: Final = re.compile(
    r"^(?:let me|let's|i'?m going to|i'?ll just|can you|could you|ich (?:höre|schaue|taste)|"
    r"lassen sie mich)\b.*\b(?:listen|look|check|examine|feel|take|breathe|abhören|anschauen)",
    re.IGNORECASE,
)
_WH_LABELS: Final[dict[str, dict[str, str]]] = {
    "duration": {"en": "duration", "de": "Dauer", "da": "varighed", "fr": "durée"},
    "onset": {"en": "onset", "de": "Beginn", "da": "debut", "fr": "début"},
    "frequency": {"en": "frequency", "de": "Häufigkeit", "da": "hyppighed", "fr": "fréquence"},
    "location": {"en": "location", "de": "Lokalisation", "da": "lokalisation", "fr": "siège"},
}
_WH_QUESTIONS: Final = re.compile(
    r"^(?:(?P<duration>how long|since when|wie lange|seit wann|hvor længe|depuis quand)|"
    r"(?P<onset>when did|when was|wann)|(?P<frequency>how often|wie oft|hvor tit|hvor ofte)|"
    r"(?P<location>where|wo|hvor)\b)\s*(?:have you had|has it been|did it start|did you|do you|"
    r"does it|is it|is the|haben sie|hatten sie|ist|tut es|har du)?\s*(?P<topic>.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Scored:
    sentence: Sentence
    scores: dict[Category, float]
    cues: dict[Category, float]
    ranked: tuple[Category, ...]


class TemplateNoteEngine:
    """The default note engine (name ``template``): deterministic, no model, template-driven.

    See the module docstring for how it assigns, filters and rewrites content. The same request
    always gives the same document.
    """

    name = "template"

    def identity(self) -> dict[str, str]:
        """Engine name and version: everything that changes its output."""
        return {"engine": self.name, "version": NOTE_ENGINE_VERSION, "cue_languages": "en,de,da,fr"}

    def write(self, request: NoteRequest) -> list[WrittenSection]:
        """One written section per template section, in the template's order."""
        language = request.output_language
        source = lex.detect_language(request_text(request))
        scored = _score_all(_sentences(request, source, language))
        owners = _owners(request.template.sections)
        result = []
        for section in request.template.sections:
            rule = rules.directives(section, request.template.instructions)
            chosen = _choose(section, scored, owners, rule)
            if section.key == "corti-patient-summary":
                body = _summary(chosen, rule, source, language)
            else:
                body = _render(chosen, rule, source, language)
            result.append(WrittenSection(section.key, section.name, body))
        return result


def _sentences(request: NoteRequest, source: str, output: str) -> list[Sentence]:
    raw: list[Sentence] = []
    pieces: list[tuple[str, str | None, Category | None]] = [
        (piece, _role(segment), None)
        for segment in request.segments
        for piece in text.split_sentences(segment.text)
    ]
    pieces.extend((p, None, None) for p in text.split_sentences(request.free_text or ""))
    pieces.extend(_fact(fact) for fact in request.facts)
    for piece, role, hint in pieces:
        cleaned = text.clean(piece)
        if not cleaned:
            continue
        question = piece.rstrip().endswith("?")
        speaker = role or text.infer_role(cleaned, source)
        raw.append(Sentence(cleaned, speaker, len(raw), source, question=question, hint=hint))
    return _pair_answers(raw, output)


def _role(segment: NoteSegment) -> str | None:
    return segment.role if segment.role in ("doctor", "patient") else None


def _fact(fact: str) -> tuple[str, str | None, Category | None]:
    group, sep, rest = fact.partition(":")
    category = rules.category_of_term(group.strip().lower()) if sep else None
    return (rest.strip(), None, category) if category else (fact, None, None)


def _pair_answers(sentences: list[Sentence], output: str) -> list[Sentence]:
    result: list[Sentence] = []
    for previous, sentence in zip([None, *sentences], sentences, strict=False):
        if previous is None or not previous.question or sentence.role == "doctor":
            result.append(sentence)
            continue
        answer = text.yes_no(sentence.text)
        if answer is not None:
            topic = text.question_topic(previous.text)
            statement = lex.phrase(output, "denies" if answer == "no" else "confirms")
            result.append(
                replace(sentence, text=statement.format(topic), answered=previous.text, final=True)
            )
            rest = re.sub(r"^\W*\w+\W*", "", sentence.text)
            if len(text.words(rest)) >= 3:
                result.append(replace(sentence, text=text.capitalise(rest)))
            continue
        result.append(_wh_answer(previous, sentence, output))
    return result


def _wh_answer(question: Sentence, answer: Sentence, output: str) -> Sentence:
    match = _WH_QUESTIONS.match(question.text.rstrip("?"))
    if match is None or len(text.words(answer.text)) > 6:
        return replace(answer, answered=question.text) if answer.role else answer
    kind = next(k for k in _WH_LABELS if match.group(k))
    label = _WH_LABELS[kind].get(output.split("-")[0].lower(), _WH_LABELS[kind]["en"])
    topic = re.sub(r"^(?:the|your|der|die|das|ihr|ihre)\s+", "", match.group("topic"), flags=re.I)
    lead = f"{text.capitalise(topic)}, {label}" if topic else text.capitalise(label)
    statement = f"{lead}: {answer.text.rstrip('.')}"
    return replace(answer, text=statement, answered=question.text, final=True)


def _score_all(sentences: list[Sentence]) -> list[_Scored]:
    last = max(len(sentences) - 1, 1)
    scored = [_score(s, s.index / last) for s in sentences]
    complaint = next(
        (
            item
            for item in scored
            if item.ranked[:1] == ("history",)
            and item.sentence.role != "doctor"
            and item.sentence.index / last <= 0.6
        ),
        None,
    )
    if complaint is None:
        return scored
    scores = {**complaint.scores, "complaint": complaint.scores["history"] + 1}
    promoted = _Scored(complaint.sentence, scores, complaint.cues, ("complaint", "history"))
    return [promoted if item is complaint else item for item in scored]


def _score(sentence: Sentence, position: float) -> _Scored:
    cues = _cue_scores(sentence.text)
    if sentence.answered:
        for category, value in _cue_scores(sentence.answered).items():
            cues[category] += value / 2
    scores = dict(cues)
    _adjust_for_role(scores, sentence.role)
    if position > 0.6:
        for category in ("assessment", "plan"):
            scores[category] += 0.3 if scores[category] > 0 else 0
    negated = bool(lex.NEGATION_PATTERN.search(sentence.text))
    if negated and cues["history"] > 0 and sentence.role != "doctor":
        scores["negatives"] = scores["history"] + 0.5
    if lex.SMALL_TALK_PATTERN.search(sentence.text):
        scores = {category: value - 2 for category, value in scores.items()}
    if sentence.hint is not None:
        scores[sentence.hint] += 5
    substantial = len(text.words(sentence.text)) >= 4
    if sentence.role == "patient" and max(scores.values()) <= 0 and substantial:
        scores["history"] = _THRESHOLD
    dropped = (sentence.question and not sentence.answered) or (
        sentence.role == "doctor" and _ANNOUNCEMENT.match(sentence.text)
    )
    ranked = () if dropped else _ranked(scores)
    return _Scored(sentence, scores, cues, ranked)


def _cue_scores(sentence: str) -> dict[Category, float]:
    scores: dict[Category, float] = dict.fromkeys(lex.CATEGORIES, 0.0)
    for category, (strong, ordinary) in lex.CUE_PATTERNS.items():
        strong_hits = {m.group(0).lower() for m in strong.finditer(sentence)}
        ordinary_hits = {m.group(0).lower() for m in ordinary.finditer(sentence)} - strong_hits
        scores[category] = 2.0 * len(strong_hits) + len(ordinary_hits)
    if lex.VITAL_NUMBER.search(sentence):
        scores["vitals"] += 2
    if lex.DOSE.search(sentence):
        scores["medications"] += 2
    return scores


_PATIENT_BIAS: Final[dict[Category, float]] = {
    "history": 0.5, "exam": -1.5, "vitals": -1.5, "assessment": -1.0, "plan": -1.0,
    "results": -0.5,
}  # fmt: skip
_CLINICIAN_BIAS: Final[dict[Category, float]] = {
    "history": -0.5, "medications": -2.0, "allergies": -1.5, "exam": 0.5, "assessment": 0.5,
    "plan": 0.5, "vitals": 0.5,
}  # fmt: skip


def _adjust_for_role(scores: dict[Category, float], role: str | None) -> None:
    # Patients describe symptoms, clinicians examine and decide: the speaker tips close calls,
    # but a clinician's bonus only strengthens a category the words already point to.
    if role == "patient":
        for category, change in _PATIENT_BIAS.items():
            scores[category] += change
    elif role == "doctor":
        for category, change in _CLINICIAN_BIAS.items():
            if change < 0 or scores[category] > 0:
                scores[category] += change


def _ranked(scores: dict[Category, float]) -> tuple[Category, ...]:
    order = sorted(scores, key=lambda c: (-scores[c], lex.CATEGORIES.index(c)))
    return tuple(c for c in order if scores[c] >= _THRESHOLD)


def _owners(sections: Sequence[SectionSpec]) -> dict[Category, str]:
    owners: dict[Category, tuple[int, int, str]] = {}
    for position, section in enumerate(sections):
        for rank, category in enumerate(rules.section_categories(section)):
            candidate = (rank, position, section.key)
            if category not in owners or candidate < owners[category]:
                owners[category] = candidate
    return {category: key for category, (_, _, key) in owners.items()}


def _choose(
    section: SectionSpec, scored: list[_Scored], owners: dict[Category, str], rule: rules.Directives
) -> list[tuple[_Scored, Category]]:
    own = rules.section_categories(section)
    chosen: list[tuple[_Scored, Category]] = []
    for item in scored:
        home = next((c for c in item.ranked if c in owners), None)
        category = _placement(item, home, section, own, owners)
        if category is None or rule.only:
            category = _included(item, rule)
        if category is not None and not _excluded(item, rule):
            chosen.append((item, category))
    return chosen[: rule.limit] if rule.limit else chosen


def _placement(
    item: _Scored,
    home: Category | None,
    section: SectionSpec,
    own: tuple[Category, ...],
    owners: dict[Category, str],
) -> Category | None:
    if home is not None and owners[home] == section.key:
        return home
    if home == "complaint" and owners.get("history") == section.key:
        return "history"
    if len(own) == 1 and own[0] in _LIST_CATEGORIES and own[0] in item.ranked[:2]:
        return own[0] if item.cues[own[0]] >= _STRONG_LIST else None
    return None


def _included(item: _Scored, rule: rules.Directives) -> Category | None:
    if not item.ranked:
        return None
    lower = item.sentence.text.lower()
    for term in rule.include:
        category = rules.category_of_term(term)
        if category is not None and (item.cues[category] >= _THRESHOLD or category in item.ranked):
            return category
        if category is None and term in lower:
            return item.ranked[0]
    return None


def _excluded(item: _Scored, rule: rules.Directives) -> bool:
    lower = item.sentence.text.lower()
    for term in rule.exclude:
        category = rules.category_of_term(term)
        if category is not None and (item.cues[category] > 0 or item.sentence.hint == category):
            return True
        if category is None and term in lower:
            return True
    return False


def _statement(sentence: Sentence, category: Category, source: str, output: str) -> str:
    if sentence.final:
        return sentence.text
    base = output.split("-")[0].lower()
    if source != base:
        if sentence.role == "patient":
            return lex.phrase(output, "reports").format(sentence.text)
        return sentence.text
    if source == "en":
        if sentence.role == "patient":
            return text.third_person_en(sentence.text)
        return text.clinician_en(sentence.text, category)
    if source == "de":
        if sentence.role == "patient":
            return text.third_person_de(sentence.text)
        return text.clinician_de(sentence.text, category)
    return sentence.text


def _render(
    chosen: list[tuple[_Scored, Category]], rule: rules.Directives, source: str, output: str
) -> str:
    items: list[str] = []
    for item, category in chosen:
        statement = _statement(item.sentence, category, source, output)
        if rule.style == "telegraphic" or rule.layout == "line":
            statement = text.telegraphic(statement, source)
        else:
            statement = text.full_sentence(statement)
        if statement and statement not in items:
            items.append(statement)
    return _layout(items, rule.layout, output)


def _layout(items: list[str], layout: rules.Layout, output: str) -> str:
    if not items:
        return lex.phrase(output, "empty")
    if layout == "bullets":
        return "\n".join(f"- {item}" for item in items)
    if layout == "numbered":
        return "\n".join(f"{number}. {item}" for number, item in enumerate(items, start=1))
    if layout == "line":
        return _one_line(items[0])
    return " ".join(text.full_sentence(item) for item in items)


def _one_line(item: str) -> str:
    # A one-line section keeps the first clause when the statement runs on.
    clause = re.split(r",\s+|\s+(?:and|but|und|aber|og|men|et|mais)\s+", item, maxsplit=1)[0]
    return clause if len(text.words(clause)) >= 2 else item


def _summary(
    chosen: list[tuple[_Scored, Category]], rule: rules.Directives, source: str, output: str
) -> str:
    """A plain-language summary addressed to the patient: reason, findings, next steps."""
    groups: dict[str, list[str]] = {"reason": [], "found": [], "next": []}
    part_of = {"complaint": "reason", "history": "reason", "assessment": "found", "plan": "next"}
    for item, category in chosen:
        sentence = item.sentence.text
        if source == "en" and output.startswith("en"):
            sentence = _plain_en(item.sentence)
        part = groups[part_of.get(category, "found")]
        if len(part) < 3 and sentence not in part:
            part.append(text.full_sentence(sentence))
    parts = [
        lex.phrase(output, name).format(" ".join(lines)) for name, lines in groups.items() if lines
    ]
    return _layout(parts, "bullets" if rule.layout in ("bullets", "numbered") else "prose", output)


def _plain_en(sentence: Sentence) -> str:
    if sentence.role == "patient" and not sentence.final:
        return text.second_person_en(sentence.text)
    return text.strip_hedge(sentence.text)
