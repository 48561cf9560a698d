"""Sentence handling of the template note engine: splitting, cleaning, question-answer pairs and
rewriting spoken first-person turns into third-person clinical statements.

Rewriting is rule-based and only as deep as it can be honest: English turns get full
first-to-third-person rewriting ("I've had a cough" -> "Patient has had a cough"), German turns
the common verb forms ("Ich habe" -> "Pat. hat"). Content in any other language, or in a language
other than the output language, is kept as spoken behind a lead-in phrase in the output language:
the emulator does not translate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from scribe_eval.emulator.engines import _notes_lexicon as lex

_ABBREVIATIONS: Final = re.compile(
    r"\b(?:dr|mr|mrs|ms|pat|ca|bzw|vs|approx|nr|st|z\.b|e\.g|i\.e|d\.h|u\.a)\.$", re.IGNORECASE
)
_SENTENCE_END: Final = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Sentence:
    """One cleaned sentence of the visit, with who said it and where.

    ``answered`` holds the clinician's question a patient answer replies to; ``final`` marks text
    the engine already wrote as a statement ("Patient denies fever."); ``hint`` is a category
    named by a fact's group (``"allergies: penicillin"``).
    """

    text: str
    role: str | None
    index: int
    language: str
    question: bool = False
    answered: str | None = None
    final: bool = False
    hint: lex.Category | None = None


def split_sentences(text: str) -> list[str]:
    """Split spoken text into sentences, keeping abbreviations such as "Dr." and "z.B." whole."""
    pieces: list[str] = []
    for chunk in _SENTENCE_END.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if pieces and _ABBREVIATIONS.search(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {chunk}"
        else:
            pieces.append(chunk)
    return pieces


def clean(text: str) -> str:
    """Remove hesitations and opening discourse markers; tidy spaces; capitalise."""
    text = lex.FILLERS.sub("", text)
    text = lex.LEADING_FILLERS.sub("", text.strip())
    text = re.sub(r"\s+([,.!?;:])", r"\1", re.sub(r"\s{2,}", " ", text)).strip(" ,;-")
    return capitalise(text)


def capitalise(text: str) -> str:
    """``text`` with its first letter in upper case (the rest untouched)."""
    return text[:1].upper() + text[1:] if text else text


def words(text: str) -> list[str]:
    """Lower-cased word tokens of ``text``."""
    return re.findall(r"[\w']+", text.lower())


def yes_no(text: str) -> str | None:
    """``"yes"`` or ``"no"`` when ``text`` opens with such an answer, else None."""
    tokens = words(text)
    if not tokens:
        return None
    # "No, ..." answers; "No cough at all" is a statement of its own.
    if len(tokens) > 1 and not re.match(r"^\W*\w+\s*[,.!;:-]", text):
        return None
    if tokens[0] in lex.YES:
        return "yes"
    if tokens[0] in lex.NO or tokens[:2] in (["not", "really"], ["no", "not"]):
        return "no"
    return None


def infer_role(text: str, language: str) -> str | None:
    """Best guess at the speaker of an unattributed sentence, from person and sentence mood."""
    lower = f" {text.lower()} "
    if text.rstrip().endswith("?"):
        return "doctor"
    clinician = (
        " i think ", " i'll ", " we'll ", " we will ", " let me ", " i can hear ", " prescribe",
        " ich denke ", " ich verschreibe", " wir werden ", " ich höre ",
    )  # fmt: skip
    if any(marker in lower for marker in clinician):
        return "doctor"
    first = {"en": (" i ", " i'm ", " i've ", " my ", " me "), "de": (" ich ", " mein", " mir ")}
    second = {"en": (" you ", " your "), "de": (" sie ", " ihr ", " ihnen ")}
    if any(marker in lower for marker in first.get(language, ())):
        return "patient"
    if any(marker in lower for marker in second.get(language, ())):
        return "doctor"
    return None


_QUESTION_LEAD: Final = re.compile(
    r"^(?:and\s+)?(?:do you (?:have|get|feel|take|use|notice)|have you (?:had|been|noticed|got|"
    r"felt|taken)|did you (?:have|notice|get|take)|are you(?: having| taking| getting)?|"
    r"is there|were there|any(?:thing)?|haben sie|hatten sie|sind sie|nehmen sie|gibt es|"
    r"hast du|har du|har de|avez-vous|est-ce que vous avez)\s+(?:any|some|irgendwelche|"
    r"noch|auch)?\s*",
    re.IGNORECASE,
)
_VERB_QUESTION: Final = re.compile(r"^(?:do you|did you)\s+(\w+)(.*)$", re.IGNORECASE)
_GERMAN_VERB_QUESTION: Final = re.compile(r"^(\w+en) sie\b\s*(.*)$", re.IGNORECASE)


def question_topic(question: str) -> str:
    """What a yes/no question asks about: "Any fever or chills?" -> "fever or chills"."""
    text = clean(question).rstrip("?. ")
    text = re.sub(r"\byour\b", "their", text, flags=re.IGNORECASE)
    being = re.match(r"^are you\s+(?!\w+ing\b)(.+)$", text, re.IGNORECASE)
    if being:
        return f"being {being.group(1)}"
    verb = _VERB_QUESTION.match(text)
    if verb and verb.group(1).lower() not in {"have", "get", "feel", "take", "use", "notice"}:
        return f"{_gerund(verb.group(1).lower())}{verb.group(2)}".strip()
    german = _GERMAN_VERB_QUESTION.match(text)
    if german and german.group(1).lower() not in {"haben", "hatten", "sind", "nehmen"}:
        rest = re.sub(r"\s+(?:ab|an|auf|aus|ein|mit|vor|nach|weg|zurück)$", "", german.group(2))
        return rest.strip() or capitalise(german.group(1).lower())
    topic = _QUESTION_LEAD.sub("", text).strip()
    return re.sub(r"\b(?:recently|lately|at all)\b", "", topic).strip(" ,") or text


def _gerund(verb: str) -> str:
    if verb.endswith("e") and not verb.endswith("ee"):
        return f"{verb[:-1]}ing"
    return f"{verb}ing"


_EN_SUBJECT: Final[tuple[tuple[str, str], ...]] = (
    (r"i'?ve been|i have been", "has been"), (r"i'?ve had|i have had", "has had"),
    (r"i'?ve got|i have got|i got", "has"), (r"i haven'?t|i have not", "has not"),
    (r"i have|i'?ve", "has"), (r"i'?m|i am", "is"), (r"i was", "was"), (r"i had", "had"),
    (r"i don'?t|i do not", "does not"), (r"i didn'?t|i did not", "did not"),
    (r"i can'?t|i cannot", "cannot"), (r"i can", "can"), (r"i'?ll|i will", "will"),
    (r"i'?d", "would"), (r"i wasn'?t|i was not", "was not"),
)  # fmt: skip
_EN_INNER: Final[tuple[tuple[str, str], ...]] = (
    (r"\bI was\b", "they were"), (r"\bI'?m\b|\bI am\b", "they are"), (r"\bI'?ve\b", "they have"),
    (r"\bI'?ll\b", "they will"), (r"\bI'?d\b", "they would"), (r"\bI\b", "they"),
    (r"\bmy\b", "their"), (r"\bmyself\b", "themselves"), (r"\bme\b", "them"),
    (r"\bmine\b", "theirs"),
)  # fmt: skip
_IRREGULAR_PAST: Final = frozenset(
    (
        "went", "felt", "took", "got", "woke", "came", "saw", "thought", "had", "was", "did",
        "began", "fell", "ate", "drank", "slept", "lost", "left", "kept", "gave", "told", "said",
    )
)  # fmt: skip


def third_person_en(text: str) -> str:
    """An English patient turn as a third-person statement ("I've had" -> "Patient has had")."""
    lower = text.lower()
    for pattern, verb in _EN_SUBJECT:
        match = re.match(rf"(?:{pattern})\b", lower)
        if match:
            return f"Patient {verb}{_inner_en(text[match.end() :])}"
    generic = re.match(r"i (\w+)\b", lower)
    if generic:
        return f"Patient {_third_person_verb(generic.group(1))}{_inner_en(text[generic.end() :])}"
    return f"Patient reports {_lower_first(_inner_en(text))}"


def _inner_en(text: str) -> str:
    for pattern, replacement in _EN_INNER:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    return text


def _third_person_verb(verb: str) -> str:
    if verb in _IRREGULAR_PAST or verb.endswith("ed"):
        return verb
    if verb.endswith(("s", "sh", "ch", "x", "o")):
        return f"{verb}es"
    if verb.endswith("y") and verb[-2:-1] not in tuple("aeiou"):
        return f"{verb[:-1]}ies"
    return f"{verb}s"


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[1:2].isupper():
        return text  # An acronym or a name: keep its case.
    return text[:1].lower() + text[1:]


_DE_VERBS: Final[dict[str, str]] = {
    "habe": "hat", "bin": "ist", "hatte": "hatte", "war": "war", "nehme": "nimmt",
    "kann": "kann", "muss": "muss", "fühle mich": "fühlt sich", "rauche": "raucht",
    "trinke": "trinkt", "arbeite": "arbeitet", "schlafe": "schläft", "huste": "hustet",
    "bekomme": "bekommt", "merke": "merkt", "wohne": "wohnt",
}  # fmt: skip


def third_person_de(text: str) -> str:
    """A German patient turn in the third person for the common verbs ("Ich habe" -> "Pat. hat")."""
    for first, third in _DE_VERBS.items():
        text = re.sub(rf"^ich {first}\b", f"Pat. {third}", text, flags=re.IGNORECASE)
        text = re.sub(rf"\b{first} ich\b", f"{third} Pat.", text, flags=re.IGNORECASE)
    if re.match(r"^ich\b", text, re.IGNORECASE):
        return lex.phrase("de", "reports").format(text)
    return capitalise(text) if text.startswith("Pat.") else text


_EN_HEDGE: Final = re.compile(
    r"^(?:i think|i believe|i suspect|i'm fairly sure|it (?:looks|sounds|seems) like|"
    r"it seems|this (?:looks|sounds) like|my impression is)(?: that)?,?\s*"
    r"(?:this is|it is|it's|you have|you've got|you've|this)?\s*",
    re.IGNORECASE,
)
_DE_HEDGE: Final = re.compile(
    r"^(?:ich denke|ich glaube|ich vermute|es sieht (?:so )?aus|das sieht nach)(?:,)?\s*"
    r"(?:(?:dass|als ob)\b)?\s*(?:(?:das ist|es ist|es handelt sich um|sie haben)\b)?\s*"
    r"(?:(?:einen|einer|eine|ein|der|die|das)\b)?\s*",
    re.IGNORECASE,
)
_EN_PLAN_LEAD: Final = re.compile(
    r"^(?:i'?m going to|i am going to|i'?ll|i will|we'?ll|we will|we'?re going to|"
    r"we are going to|let'?s|i'?d like to|i would like to|i want to)\s+",
    re.IGNORECASE,
)
_EN_PATIENT_TO: Final = re.compile(
    r"^(?:i'?d (?:also )?like you to|i would (?:also )?like you to|i (?:also )?want you to|"
    r"i need you to|you should|"
    r"you need to|you must|make sure you|please)\s+",
    re.IGNORECASE,
)
_EN_SENSES: Final[tuple[tuple[str, str], ...]] = (
    (r"^(?:i can hear|i hear)\s+", "On auscultation, "), (r"^(?:i can see|i see)\s+",
    "On inspection, "), (r"^(?:i can feel|i feel)\s+", "On palpation, "),
)  # fmt: skip


def clinician_en(text: str, category: str) -> str:
    """An English clinician turn as a note statement: hedges, lead-ins and "you" removed."""
    if category in ("assessment", "plan"):
        hedged = _EN_HEDGE.match(text)
        if hedged and hedged.end() < len(text):
            rest = text[hedged.end() :]
            if not re.search(r"\b(?:likely|probably|possibly)\b", rest, re.IGNORECASE):
                return lex.phrase("en", "likely").format(_patient_en(rest))
            return capitalise(_patient_en(rest))
    text = _EN_PATIENT_TO.sub("Patient to ", text)
    text = _EN_PLAN_LEAD.sub("", text)
    text = re.sub(r"\b(?:I'?ll|I will|we'?ll|we will|I'?m going to)\s+", "", text, flags=re.I)
    for pattern, replacement in _EN_SENSES:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    text = re.sub(r"^(?:your|the)\s+", "", text, flags=re.IGNORECASE)
    return capitalise(_patient_en(text))


def _patient_en(text: str) -> str:
    text = re.sub(r"\byou'?re\b", "the patient is", text, flags=re.IGNORECASE)
    text = re.sub(r"\byourself\b", "themselves", text, flags=re.IGNORECASE)
    text = re.sub(r"\byour\b", "the patient's", text, flags=re.IGNORECASE)
    return re.sub(r"\byou\b", "the patient", text, flags=re.IGNORECASE)


def clinician_de(text: str, category: str) -> str:
    """A German clinician turn as a note statement ("Ich denke, das ist eine Bronchitis" ->
    "Verdacht auf Bronchitis"; "Ihr Blutdruck" -> "Blutdruck")."""
    looks = re.match(r"^es sieht nach (?:einem|einer|einen)?\s*(.+?)\s+aus\W*$", text, re.I)
    if looks:
        return lex.phrase("de", "likely").format(looks.group(1))
    if category in ("assessment", "plan"):
        hedged = _DE_HEDGE.match(text)
        if hedged and hedged.end() < len(text):
            return lex.phrase("de", "likely").format(text[hedged.end() :])
    text = re.sub(r"^(?:ihr|ihre|ihren|ihrem)\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^ich verschreibe (?:ihnen )?", "Verordnung: ", text, flags=re.IGNORECASE)
    text = re.sub(r"^ich überweise sie\b", "Überweisung", text, flags=re.IGNORECASE)
    return capitalise(text)


def strip_hedge(text: str) -> str:
    """``text`` without an opening English hedge ("I think this is ...")."""
    hedged = _EN_HEDGE.match(text)
    return capitalise(text[hedged.end() :]) if hedged and hedged.end() < len(text) else text


def second_person_en(text: str) -> str:
    """An English patient turn addressed back to the patient ("I have" -> "you have")."""
    pairs = ((r"\bI'?m\b|\bI am\b", "you are"), (r"\bI'?ve\b", "you have"), (r"\bI was\b",
             "you were"), (r"\bI\b", "you"), (r"\bmy\b", "your"), (r"\bme\b", "you"))  # fmt: skip
    for pattern, replacement in pairs:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    return text


_TELEGRAPHIC_SUBJECT: Final = re.compile(
    r"^(?:patient|pat\.)\s+(?:reports(?: that)?|has been|has had|has|is|was|had|to|hat|ist|war|"
    r"hatte|berichtet:)?\s*",
    re.IGNORECASE,
)


def telegraphic(text: str, language: str) -> str:
    """Shorten a statement to note shorthand: no subject, no articles, no final full stop."""
    text = _TELEGRAPHIC_SUBJECT.sub("", text)
    if language == "en":
        text = re.sub(r"^(?:a|an|the|this|that|some|their)\s+", "", text, flags=re.IGNORECASE)
    return capitalise(text.strip().rstrip("."))


def full_sentence(text: str) -> str:
    """``text`` capitalised and ending with a full stop (or its own ! or ?)."""
    text = capitalise(text.strip())
    return text if text.endswith((".", "!", "?", ":")) else f"{text}."
