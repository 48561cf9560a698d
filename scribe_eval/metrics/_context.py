"""Negated findings by ConText-style rules (Chapman et al.'s NegEx/ConText), English, German and
French.

A text is cut into sentences; in each, explicit trigger lists mark where a scope starts:

- pre-negation cues ("no", "denies", "negative for", "kein", "ohne") scope forward,
- post-negation cues ("chest pain was denied", "Cough: none", "Fieber wird verneint") backward;
  a few ("denied", "verneint", "negiert") scope both ways ("Pat. verneint Fieber"),
- pseudo-negations ("no change", "not only", "nicht nur") look like cues but negate nothing,
- conditional and hypothetical cues ("if", "return if", "unless", "in case of", "falls", "bei")
  open a scope in which a negation is a condition, not a finding ("return if not improving").

A scope ends at the sentence end or a termination cue ("but", "however", "aber", "jedoch"). Its
items are split at commas and "or"/"and"/"nor"/"oder"/"und"; a gerund item shares the head of the
first ("no difficulty breathing or opening the mouth" -> also "difficulty opening the mouth").
Each item becomes "no <finding>", the finding canonical by the lexicon ("no runny nose" ->
"no coryza"). A colon before "no" is a post-negation too ("Fever: no"). A word that carries its
own negation is the negation it states, and negates nothing else ("afebrile" is "no fever",
"NKDA" "no allergies", "Nichtraucher" "no rauchen": `own_negations`).

`affirmed` answers the converse for given findings: does a text assert them? Yes where a finding
is named outside every negation scope in a plain statement: not in a question, and not in a
sentence with a conditional cue or one of ConText's other modifiers (`NOT_ASSERTED`: uncertain
"possible", hypothetical "risk of", historical "a week ago", another person "mother"). The fact
check asks it only about findings the other note negates, to find contradictions.

medspaCy's ConText (1.3.1, on ``spacy.blank``) was tried first and works, but it is not used: it
classifies *target* spans that a lexicon or an NER model must find first, while notes here name
open-vocabulary findings after a cue; its rules are English only; and it brings spaCy, PyRuSH
and loguru (several hundred MB with their dependencies; DEBUG logging by default) into a
package of pure metrics. negspacy has the same target-first design, and pyConTextNLP (last
release 2019) too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from scribe_eval.metrics import _english as en
from scribe_eval.metrics._lexicon import lexicon

__all__ = [
    "GENERIC_FINDINGS",
    "NOT_ASSERTED",
    "PLACEHOLDERS",
    "affirmed",
    "is_placeholder",
    "negations",
    "own_negations",
    "sentences",
    "stated_negations",
]

PRE_NEGATION = (
    "no evidence of", "no signs of", "no sign of", "no history of", "negative for", "free of",
    "absence of", "neither", "denies", "denied", "denying", "without", "no", "not", "never", "nor",
    "doesn't", "does not", "didn't", "did not", "hasn't", "has not", "haven't", "have not",
    "isn't", "wasn't", "weren't", "aren't",
    "kein", "keine", "keinen", "keinem", "keiner", "keines", "keinerlei", "ohne",
    "kein hinweis auf", "keine hinweise auf", "kein anhalt für", "nicht",
    # German puts the verb second: "Pat. verneint Fieber" is "denies fever", as "Fieber wird
    # verneint" is "fever is denied"; like "denied", these cues scope both ways.
    "verneint", "verneinte", "verneinen", "verneinten", "negiert", "negierte",
    # French ("pas d'aura": the cue is "pas d" before the apostrophe); "nie"/"nié" both ways.
    "pas de", "pas d", "sans", "aucun", "aucune", "absence de", "absence d", "ni", "jamais",
    "négatif pour", "négative pour", "nie", "nient", "nié", "niée",
)  # fmt: skip
POST_NEGATION = (
    "was denied", "were denied", "is denied", "are denied", "denied", "absent", "not present",
    "none", "nil", "negative", "ruled out", "wird verneint", "werden verneint", "verneint",
    "nicht vorhanden", "negativ", "keine", "wird negiert", "werden negiert", "negiert",
    "verneinte", "negierte", "absent", "absente", "absents", "absentes", "négatif", "négative",
    "nié", "niée", "niés", "niées", "exclu", "exclue",
)  # fmt: skip
PSEUDO_NEGATION = (
    "no change", "no changes", "no significant change", "no increase", "not only",
    "not necessarily", "not certain", "not sure", "no longer", "not been able", "nicht nur",
    "keine änderung", "keine veränderung", "gram negative", "gram-negative", "not just",
    "not great", "not bad", "not too bad", "pas de changement", "pas de modification",
    "sans changement", "pas seulement", "non seulement",
)  # fmt: skip
CONDITIONAL = (
    "return if", "come back if", "call if", "seek help if", "if", "unless", "in case of",
    "in case", "should", "whether", "wenn", "falls", "sofern", "bei", "im falle", "sollte",
    "sollten", "ob", "si", "s'il", "en cas de", "en cas d", "au cas où",
)  # fmt: skip
TERMINATION = (
    "but", "however", "although", "though", "except", "apart from", "aside from", "yet",
    "which", "whereas", "aber", "jedoch", "allerdings", "sondern", "außer", "bis auf", "wobei",
    "dafür", "mais", "cependant", "toutefois", "néanmoins", "sauf", "hormis", "par contre",
)  # fmt: skip
# A finding named in a sentence with one of these (or a conditional cue) is not asserted there:
# uncertain, hypothetical, advice, past or someone else's (ConText's other modifiers); a
# negation there is no statement either.
NOT_ASSERTED = (
    "risk", "risks", "possible", "possibly", "probable", "probably", "likely", "unlikely",
    "suspected", "suspect", "query", "consider", "considered", "exclude", "rule out", "ruled out",
    "would", "could", "may", "might", "monitor", "watch", "look out", "seek", "return", "advice",
    "advised", "advise", "safety", "safety-netting", "warning", "worried", "worry", "concerned",
    "prevent", "avoid", "screen", "screening", "previous", "previously", "past", "ago",
    "prior", "resolved", "settled", "subsided", "family", "mother", "father", "sister", "brother",
    "son", "daughter", "wife", "husband", "partner", "verdacht", "v.a", "möglich", "mögliche",
    "möglicherweise", "wahrscheinlich", "ausschluss", "risiko", "kontrolle", "wiedervorstellung",
    "früher", "abgeklungen", "mutter", "vater", "familie", "familienanamnese", "avoid", "allowed",
    "recommend", "recommended", "until", "stop", "continue", "vermeiden", "empfohlen", "weiter",
    "risque", "possible", "probable", "suspicion", "éviter", "surveiller", "surveillance",
    "mère", "père", "famille", "familiaux", "autrefois", "auparavant", "revoir", "consulter",
)  # fmt: skip
REPLACED_BY = ("instead of", "rather than", "statt", "anstatt", "anstelle von", "anstelle")
# Findings too generic to be contradicted: "no concerns" is not denied by "concerns about sleep".
GENERIC_FINDINGS = frozenset({
    "concerns", "concern", "issues", "issue", "problems", "problem", "complaints", "complaint",
    "symptoms", "changes", "change", "abnormalities", "abnormality", "distress", "beschwerden",
    "probleme", "auffälligkeiten",
})  # fmt: skip
# A negated "finding" made only of these words is about the documentation, not the patient: a
# template's placeholder ("No information recorded.", "Not discussed.", "Keine Angaben.") states
# no fact a reference could hold or miss.
PLACEHOLDERS = frozenset({
    "information", "info", "details", "data", "recorded", "documented", "documentation",
    "discussed", "mentioned", "reported", "noted", "stated", "specified", "given", "provided",
    "available", "applicable", "assessed", "examined", "elicited", "asked", "obtained", "known",
    "done", "performed", "captured", "further", "relevant", "other", "additional", "otherwise",
    "angaben", "informationen", "sonst", "ansonsten", "besprochen", "dokumentiert", "erhoben",
    "erfragt", "erwähnt", "angegeben", "bekannt", "thematisiert", "untersucht", "weitere",
    "informations", "donnée", "données", "élément", "éléments", "consigné", "consignée",
    "consignés", "consignées", "renseigné", "renseignée", "renseignés", "renseignées",
    "documenté", "documentée", "mentionné", "mentionnée", "rapporté", "rapportée", "précisé",
    "précisée", "abordé", "abordée", "évoqué", "évoquée", "recueilli", "recueillie", "examiné",
    "examinée", "particulier", "particulière", "autre", "autres", "supplémentaire", "objet",
})  # fmt: skip
#: Words a placeholder states its emptiness with ("No information recorded.", "None.", "N/A",
#: "Nothing to report", "Keine Angaben.", "Nicht erhoben.", "Aucune information consignée.",
#: "Rien à signaler.", "Non renseigné.", "Sans objet."), beside `PLACEHOLDERS`.
_EMPTINESS = frozenset({
    "no", "not", "none", "nothing", "nil", "n", "a", "na", "to", "report", "was", "were", "is",
    "been", "has", "have", "this", "at", "time", "kein", "keine", "keinerlei", "nicht", "nichts",
    "wurde", "wurden", "aucun", "aucune", "pas", "non", "rien", "néant", "d", "de", "à", "ne",
    "été", "signaler", "sans",
})  # fmt: skip
_PLACEHOLDER_WORD = re.compile(r"[^\W\d_]+")


def is_placeholder(text: str) -> bool:
    """Whether ``text`` only says that nothing was recorded ("No information recorded.",
    "Not discussed.", "None.", "N/A", "Keine Angaben."): a section written so holds nothing of
    the visit, as an empty one does."""
    words = [w.casefold() for w in _PLACEHOLDER_WORD.findall(text)]
    if not words or len(words) > 8:
        return False
    return all(w in _EMPTINESS or w in PLACEHOLDERS for w in words) and any(
        w in _EMPTINESS for w in words
    )


_ITEM_SPLIT = re.compile(r",|/|\b(?:or|and|nor|oder|und|noch|sowie|as well as|ou|et|ni)\b")
_SENTENCE = re.compile(r"(?<!\d)\.(?!\d)|\.(?=\s|$)|[!?;\n]|:(?=\s*\n)")
_HEADS = frozenset({"difficulty", "difficulties", "trouble", "problems", "pain", "schmerzen"})
_DROP = frozenset({
    "any", "a", "an", "the", "of", "signs", "sign", "symptoms", "history", "recent", "known",
    "acute", "obvious", "further", "has", "have", "had", "is", "was", "are", "were", "reports",
    "report", "complains", "with", "no", "not", "never", "denies", "denied", "without", "ohne",
    "kein", "keine", "keinen", "keinem", "keiner", "keines", "keinerlei", "significant", "new",
    "current", "currently", "other", "experienced", "experiencing", "noticed", "been", "feel",
    "made", "make", "making",
    "feeling", "being", "evidence", "hinweis", "auf", "anhalt", "für", "patient", "patientin",
    "der", "die", "das", "den", "dem", "des", "eine", "einen", "einer", "ein", "zu", "zur", "zum",
    "their", "his", "her", "your", "my", "its", "ihre", "ihr", "seine", "sein",
    "bekannt", "bekannte", "bekannten", "de", "d", "la", "le", "les", "l", "du", "un",
    "une", "signe", "signes", "notion", "patiente", "il", "elle",
})  # fmt: skip
_INNER_DROP = frozenset({
    "the", "a", "an", "any", "der", "die", "das", "den", "dem", "des", "their", "his", "her",
    "your", "la", "le", "les", "l",
})  # fmt: skip
_FILLER_END = frozenset({
    "at", "all", "today", "currently", "now", "so", "far", "reported", "since", "seit", "bisher",
    "present", "noted", "vorhanden", "connu", "connue", "connus", "connues", "actuellement",
})  # fmt: skip
# A comma item ending in one of these asserts its finding: "no fever, cough present".
_PRESENCE = frozenset({
    "present", "noted", "reported", "seen", "found", "persists", "persisting", "vorhanden",
    "besteht", "bestehend",
})  # fmt: skip
# A comma item opening with a positive descriptor is a new finding, not one more negated one:
# "no cough, swollen tonsils and tender glands".
_POSITIVE_STARTS = [
    [w]
    for w in (
        "swollen", "tender", "red", "enlarged", "inflamed", "raised", "elevated", "reduced",
        "bulging", "positive", "present", "mild", "moderate", "severe", "likely", "geschwollen",
        "gerötet", "druckschmerzhaft", "vergrößert", "erhöht", "leichte", "leichter",
    )
]  # fmt: skip
# A finding stops before these words: "no pain since the weekend" is "no pain".
_CUT = frozenset({"since", "seit", "for", "für", "depuis"})
# An item with a verb of its own starts a new statement: "no cough, tonsils are swollen", and
# "denies fever, reports cough" (a verb of reporting asserts what follows it).
_CLAUSE_VERBS = frozenset({
    "is", "are", "was", "were", "has", "have", "had", "seems", "appears", "looks", "remains",
    "feel", "feels", "felt", "just", "only", "i", "he", "she", "they", "we", "you", "it", "ist",
    "sind", "war", "waren", "hat", "haben", "er", "sie", "es", "ich", "wir", "reports",
    "complains", "endorses", "admits", "describes", "mentions", "berichtet", "klagt", "beklagt",
    "schildert", "gibt", "est", "sont", "était", "signale", "rapporte", "décrit",
})  # fmt: skip


def _alternation(cues: Iterable[str]) -> str:
    return "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))


_PRE = re.compile(rf"(?<![\w-])(?:{_alternation(PRE_NEGATION)})(?![\w-])")
# "Cough: none"; after a colon also "Fever: no" (a bare trailing "no" is too often an answer).
_POST = re.compile(
    rf"(?::\s*(?:{_alternation((*POST_NEGATION, 'no', 'nein', 'non'))})"
    rf"|\s(?:{_alternation(POST_NEGATION)}))\s*(?=$|[,.;)])",
)
# Words after these assert nothing, though they open no negation fact: a post-negation word before
# its finding ("absent breath sounds"), and "instead of" ("Bewegung statt Bettruhe").
_NOT_AFTER = re.compile(rf"(?<![\w-])(?:{_alternation((*POST_NEGATION, *REPLACED_BY))})(?![\w-])")
_NEGATION_WORD = re.compile(
    rf"(?<![\w-])(?:{_alternation((*PRE_NEGATION, *POST_NEGATION, *REPLACED_BY))})(?![\w-])"
)
_PSEUDO = re.compile(rf"(?<![\w-])(?:{_alternation(PSEUDO_NEGATION)})(?![\w-])")
_CONDITIONAL = re.compile(rf"(?<![\w-])(?:{_alternation(CONDITIONAL)})(?![\w-])")
_TERMINATION = re.compile(rf"(?<![\w-])(?:{_alternation(TERMINATION)})(?![\w-])|[()]")
_CLAUSE_END = re.compile(rf"[,;:()]|(?<![\w-])(?:{_alternation(TERMINATION)})(?![\w-])")
_NOT_ASSERTED = re.compile(rf"(?<![\w-])(?:{_alternation((*CONDITIONAL, *NOT_ASSERTED))})(?![\w-])")
_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_SPELLED_COUNT = "|".join(
    ["an?", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "few",
     "couple of", "ein\\w*", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "zehn"]
)  # fmt: skip
# A negation scope that lasts a while is an instruction: "no running or football for 2 weeks".
_INSTRUCTION = re.compile(
    rf"\b(?:for|für)\s+(?:\d+|{_SPELLED_COUNT})\s+"
    r"(?:days?|weeks?|months?|tag\w*|woche\w*|monat\w*)\b|\buntil\b"
)


def sentences(text: str) -> list[str]:
    """``text`` cut at sentence ends (a decimal point or "b.i.d." does not end one)."""
    return [s for s in _SENTENCE.split(text) if s.strip()]


def own_negations(text: str) -> str:
    """``text`` (lower-case) with each word that carries its own negation written as the
    negation it states, a statement of its own: "afebrile, tonsils swollen" is "no fever;,
    tonsils swollen" (the lexicon's ``negated_findings``), so "tonsils swollen" stays asserted."""
    words = lexicon().negated_findings
    if words.pattern is None:
        return text
    return words.pattern.sub(lambda m: words.canonical[m.group()] + ";", text)


def negations(text: str) -> Iterable[str]:
    """Every negated finding of ``text`` (lower-case) as "no <finding>"."""
    for sentence in sentences(own_negations(text)):
        for scope, _, _ in _scopes(sentence):
            yield from _findings(scope)


def affirmed(text: str, findings: Iterable[str]) -> set[str]:
    """Which of ``findings`` (canonical, as in "no <finding>") ``text`` (lower-case) asserts.

    A finding is asserted where it is named outside every negation scope in a plain statement
    (`_plain`). Generic findings ("no concerns", "no complaints") are never asserted.
    """
    wanted = {f: f.split() for f in findings if f not in GENERIC_FINDINGS}
    found: set[str] = set()
    for sentence, cues in _statements(own_negations(text)):
        pieces = [_canonical(_tokens(p), limit=None).split() for p in _outside_negations(sentence)]
        found.update(
            finding
            for finding, words in wanted.items()
            if _plain(words, cues) and any(_contains(piece, words) for piece in pieces)
        )
    return found


def stated_negations(text: str) -> set[str]:
    """The findings ``text`` (lower-case) negates in plain statements (`_plain`), without "no".

    Only these can be contradicted: a negation that is an instruction ("no running or football
    for two weeks", "no driving until reviewed") says nothing about what the patient has.
    """
    found: set[str] = set()
    for sentence, cues in _statements(own_negations(text)):
        for scope, _, _ in _scopes(sentence):
            if _INSTRUCTION.search(scope):
                continue
            findings = (f.removeprefix("no ") for f in _findings(scope))
            found.update(f for f in findings if _plain(f.split(), cues))
    return found


def _statements(text: str) -> Iterator[tuple[str, list[list[str]]]]:
    """Each sentence that is no question, with the `NOT_ASSERTED` cues in it (as word lists)."""
    for sentence, question in _sentence_ends(text):
        if not question:
            yield sentence, [m.group().split() for m in _NOT_ASSERTED.finditer(sentence)]


def _plain(finding: list[str], cues: list[list[str]]) -> bool:
    """Whether a finding is plainly stated in a sentence with ``cues``: no conditional,
    hypothetical, historical, other-person or advice cue ("return if fever", "risk of fever",
    "fever a week ago", "mother has asthma", "avoid alcohol"), except one inside the finding,
    which qualifies it in both notes alike ("previous admissions" and "no previous admissions").
    """
    return all(_contains(finding, cue) for cue in cues)


def _sentence_ends(text: str) -> Iterator[tuple[str, bool]]:
    """Each sentence of ``text`` with whether it ends in a question mark."""
    start = 0
    for end in _SENTENCE.finditer(text):
        yield text[start : end.start()], end.group() == "?"
        start = end.end()
    yield text[start:], False


def _outside_negations(sentence: str) -> list[str]:
    """The pieces of ``sentence`` that no negation covers: none of its scopes, no clause with a
    negation word ("Atemnot habe ich nicht"), and nothing after a negation word that opens no
    negation fact ("absent breath sounds", "Bewegung statt Bettruhe") up to a termination cue.
    """
    spans = [(lo, hi) for _, lo, hi in _scopes(sentence)]
    for cue in _NOT_AFTER.finditer(sentence):
        end = _TERMINATION.search(sentence, cue.end())
        spans.append((cue.start(), end.start() if end else len(sentence)))
    start = 0
    for end in [*_CLAUSE_END.finditer(sentence), None]:
        stop = end.start() if end else len(sentence)
        if _NEGATION_WORD.search(sentence, start, stop):
            spans.append((start, stop))
        start = end.end() if end else stop
    pieces, start = [], 0
    for lo, hi in sorted(spans):
        pieces.append(sentence[start:lo])
        start = max(start, hi)
    pieces.append(sentence[start:])
    return pieces


def _contains(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _scopes(sentence: str) -> Iterator[tuple[str, int, int]]:
    """Each negation scope of ``sentence``: its text, and the span its cue and items cover."""
    blocked = _blocked_spans(sentence)
    for cue in _PRE.finditer(sentence):
        if any(lo <= cue.start() < hi for lo, hi in blocked):
            continue
        end = _TERMINATION.search(sentence, cue.end())
        scope = sentence[cue.end() : end.start() if end else len(sentence)]
        if _INFINITIVE.match(scope):
            continue  # "easier not to wake up", "advised not to drive": an act, not a finding
        covered = max((stop for _, _, stop in _covered(scope)), default=0)
        yield scope, cue.start(), cue.end() + covered
    for cue in _POST.finditer(sentence):
        if any(lo <= cue.start() < hi for lo, hi in blocked):
            continue
        start = max((m.end() for m in _TERMINATION.finditer(sentence, 0, cue.start())), default=0)
        yield sentence[start : cue.start()], start, cue.end()


#: A negated infinitive ("not to wake up", "no to surgery"): what someone does or would rather not
#: do, never the absence of a finding.
_INFINITIVE = re.compile(r"\s*to\b")


def _blocked_spans(sentence: str) -> list[tuple[int, int]]:
    """Pseudo-negations, and conditional scopes up to the next termination cue."""
    spans = [(m.start(), m.end()) for m in _PSEUDO.finditer(sentence)]
    for cue in _CONDITIONAL.finditer(sentence):
        end = _TERMINATION.search(sentence, cue.end())
        spans.append((cue.start(), end.start() if end else len(sentence)))
    return spans


def _findings(scope: str) -> Iterable[str]:
    head: str | None = None
    for i, words, _ in _covered(scope):
        if not words:
            continue
        if i == 0 and len(words) > 1 and words[0] in _HEADS:
            head = words[0]
        elif head and words[0].endswith("ing") and words[0] not in _HEADS:
            words = [head, *words]
        if PLACEHOLDERS.issuperset(words):
            continue
        yield "no " + _canonical(words)


def _covered(scope: str) -> Iterator[tuple[int, list[str], int]]:
    """The items a scope negates: index, finding words (maybe none) and where the item ends."""
    for i, (item, after_comma, end) in enumerate(_items(scope)):
        if i > 0 and _ends_scope(item, after_comma):
            return
        words = _words(item)
        if not words and i == 0:
            return  # "denied, weight stable": the cue closed a statement, it opens none
        yield i, words, end


def _items(scope: str) -> Iterator[tuple[str, bool, int]]:
    """The items of a scope, each with whether a comma (not "or"/"and") introduced it and its
    end."""
    start, after_comma = 0, False
    for sep in _ITEM_SPLIT.finditer(scope):
        yield scope[start : sep.start()], after_comma, sep.start()
        start, after_comma = sep.end(), sep.group() == ","
    yield scope[start:], after_comma, len(scope)


def _ends_scope(item: str, after_comma: bool) -> bool:
    """An item with its own verb or a number, or a long, positive or present comma item ("no
    fever, cough present"), starts anew. After "or" a presence word closes the list instead:
    "no fever, chills or night sweats reported"."""
    words = item.split()
    return (
        bool(_CLAUSE_VERBS.intersection(words))
        or any(c.isdigit() for c in item)
        or (
            after_comma
            and (
                len(words) > 3
                or words[:1] in _POSITIVE_STARTS
                or bool(_PRESENCE.intersection(_TOKEN.findall(item)[-1:]))
            )
        )
    )


def _tokens(text: str) -> list[str]:
    return [en.UK_TO_US.get(w, w) for w in _TOKEN.findall(text) if w not in _INNER_DROP]


def _words(item: str) -> list[str]:
    words = [en.UK_TO_US.get(w, w) for w in _TOKEN.findall(item)]
    while words and words[0] in _DROP and not _lexicon_phrase_at_start(words):
        words.pop(0)
    words = [w for w in words if w not in _INNER_DROP]
    cut = next((i for i, w in enumerate(words) if w in _CUT), len(words))
    words = words[:cut]
    while words and words[-1] in _FILLER_END:
        words.pop()
    return words


def _lexicon_phrase_at_start(words: list[str]) -> bool:
    """Whether a lexicon variant starts the item: "feeling sick" is nausea, not "sick"."""
    found = lexicon().findings.find(" ".join(words))
    return bool(found) and found[0][0] == 0


def _canonical(words: list[str], limit: int | None = 5) -> str:
    phrase = lexicon().findings.rewrite(" ".join(words))
    return " ".join(phrase.split()[:limit])
