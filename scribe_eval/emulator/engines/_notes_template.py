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

The engine object (`TemplateNoteEngine`, in ``_notes_template_engine``) imports this module on its
first document: its cue patterns and helpers take ~30 ms to import, which the server's start-up
need not pay. ``NOTE_ENGINE_VERSION`` lives there too, and is bumped whenever cues, routing or
rewriting here change what the engine writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from scribe_eval.emulator._catalogue import SectionSpec
from scribe_eval.emulator.engines import _notes_lexicon as lex
from scribe_eval.emulator.engines import _notes_render as render
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

_THRESHOLD: Final = 1.0
_STRONG_LIST: Final = 2.0
_LIST_CATEGORIES: Final[tuple[Category, ...]] = ("medications", "allergies", "vitals")
_ANNOUNCEMENT: Final = re.compile(
    r"^(?:let me|let's|i'?m going to|i'?ll just|can you|could you|ich (?:höre|schaue|taste)|"
    r"ich untersuche|"
    r"lassen sie mich)\b.*\b(?:listen|look|check|examine|feel|take|breathe|abhören|anschauen)",
    re.IGNORECASE,
)
_IMPERATIVE: Final = re.compile(r"^(?:\w+en sie\b|\w+ez\b|\w+(?:er|ere) du\b)", re.IGNORECASE)
"""A clinician's instruction ("Nehmen Sie ...", "Revenez ..."): advice is plan."""
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


def write_note(request: NoteRequest) -> list[WrittenSection]:
    """One written section per template section, in the template's order (the ``template``
    engine's `TemplateNoteEngine.write`)."""
    language = request.output_language
    source = lex.detect_language(request_text(request))
    scored = _score_all(_sentences(request, source, language))
    owners = _owners(request.template.sections)
    result = []
    for section in request.template.sections:
        rule = rules.directives(section, request.template.instructions)
        chosen = _choose(section, scored, owners, rule)
        picked = [(item.sentence, category) for item, category in chosen]
        if section.key == "corti-patient-summary":
            body = render.summary(picked, rule, source, language)
        else:
            body = render.render(picked, rule, source, language)
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
        if speaker == "doctor" and text.yes_no(cleaned) and len(text.words(cleaned)) > 3:
            # The clinician answering the patient's question: "Yes, probably pneumonia."
            cleaned = text.capitalise(re.sub(r"^\W*\w+\W+", "", cleaned))
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
        elif text.yes_no(sentence.text) is None:
            result.append(_wh_answer(previous, sentence, output))
        else:
            result.extend(_yes_no_answer(previous, sentence, output))
    return result


def _yes_no_answer(question: Sentence, answer: Sentence, output: str) -> list[Sentence]:
    """A statement from a yes/no answer, plus whatever the patient said after the yes or no.

    A "yes" to a question whose topic cannot be cut out ("Does the pain spread to your leg?")
    keeps only the patient's own words when there are any, with the question as context.
    """
    topic = text.question_topic(question.text)
    whole_question = topic == text.clean(question.text).rstrip("?. ")
    rest = re.sub(r"^\W*\w+\W*", "", answer.text)
    said = [replace(answer, text=text.capitalise(rest), answered=question.text)]
    if len(text.words(rest)) < 4:
        said = []
    elif text.yes_no(answer.text) == "yes" and whole_question:
        return said
    kind = "denies" if text.yes_no(answer.text) == "no" else "confirms"
    statement = lex.phrase(output, kind).format(topic)
    return [replace(answer, text=statement, answered=question.text, final=True), *said]


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
    if negated and (cues["history"] > 0 or sentence.final) and sentence.role != "doctor":
        scores["negatives"] = max(scores["history"], _THRESHOLD) + 0.5
    if sentence.role == "doctor" and not sentence.question and _IMPERATIVE.match(sentence.text):
        scores["plan"] += 2
    chat = bool(lex.SMALL_TALK_PATTERN.search(sentence.text))
    if chat:
        scores = {category: value - 2 for category, value in scores.items()}
    if sentence.hint is not None:
        scores[sentence.hint] += 5
    substantial = len(text.words(sentence.text)) >= 4
    if (
        sentence.role == "patient"
        and max(scores.values()) < _THRESHOLD
        and substantial
        and not chat
    ):
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
    "history": 0.5, "exam": -1.5, "vitals": -1.5, "assessment": -1.0, "plan": -2.0,
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
        if scores["medications"] > 0:
            scores["plan"] += 1.5  # A clinician naming a drug is usually treating with it.
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
        home = _home(item.ranked, owners)
        category = _placement(item, home, section, own, owners)
        if category is None or rule.only:
            category = _included(item, rule)
        if category is not None and not _excluded(item, rule):
            chosen.append((item, category))
    return chosen[: rule.limit] if rule.limit else chosen


_GROUPS: Final[tuple[frozenset[Category], ...]] = (
    frozenset(("complaint", "history", "negatives", "past_history", "medications", "allergies",
               "family", "social")),
    frozenset(("vitals", "exam", "results")),
    frozenset(("assessment", "plan")),
)  # fmt: skip


def _home(ranked: tuple[Category, ...], owners: dict[Category, str]) -> Category | None:
    """The first of a sentence's categories this template has a section for.

    A sentence only falls back within its group (what the patient tells, what is found, what is
    decided): a template without a plan section leaves the plan out rather than putting it under
    "Subjective".
    """
    if not ranked:
        return None
    group = next(g for g in _GROUPS if ranked[0] in g)
    return next((c for c in ranked if c in owners and c in group), None)


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
    if (
        len(own) == 1
        and own[0] in _LIST_CATEGORIES
        and own[0] in item.ranked[:2]
        and item.ranked[0] not in _LIST_CATEGORIES
    ):
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
