"""Cue words and fixed phrases of the template note engine.

Cues are written in a small notation, compiled once into regular expressions: ``cough`` matches
the whole word, ``cough*`` any word starting with it (coughing, coughs), ``*schmerz*`` any word
containing it (German and Danish compounds: Kopfschmerzen, Brustschmerz). Matching is
case-insensitive. English and German lists are the fullest (the sample dataset has both); Danish
and French cover the common words. Source content is never translated: only the fixed phrases
the engine writes itself (lead-ins, "denies", "No information recorded.") follow the output
language.
"""

from __future__ import annotations

import re
from typing import Final, Literal

Category = Literal[
    "complaint", "history", "negatives", "past_history", "medications", "allergies", "family",
    "social", "vitals", "exam", "results", "assessment", "plan",
]  # fmt: skip
"""What a sentence of the visit is about; sections collect categories."""

CATEGORIES: Final[tuple[Category, ...]] = (
    "complaint", "history", "negatives", "past_history", "medications", "allergies", "family",
    "social", "vitals", "exam", "results", "assessment", "plan",
)  # fmt: skip

_CUES: Final[dict[Category, tuple[str, str]]] = {
    # category: (strong cues, weight 2; ordinary cues, weight 1)
    "history": (
        "short of breath|since yesterday|since last|for * days|for * weeks|"
        "*schmerz*|*husten*|*fieber*|luftnot|atemnot|seit gestern|seit * tagen|seit * wochen|"
        "smerte*|hoste*|feber|åndenød|toux|tousse|fièvre|douleur*",
        "pain*|ache*|aching|hurt*|sore|cough*|fever*|chills|headache*|nausea*|nauseous|vomit*|"
        "diarrh*|dizz*|tired*|fatigue*|breathless*|rash*|itch*|swelling|swollen|bleed*|weak*|"
        "numb*|tingl*|started|began|worse|better|night*|phlegm|mucus|sputum|congest*|"
        "runny|sneez*|throat|sleep*|appetite|symptom*|weh|schüttelfrost|übelkeit|erbrech*|"
        "durchfall|schwindel*|müde|abgeschlagen|ausschlag|juck*|schwellung|geschwollen|"
        "schwach|kribbel*|angefangen|begonnen|schlimmer|besser|nachts|schleim|auswurf|"
        "schnupfen|hals*|beschwerden|kvalme|opkast*|svimmel|træt|udslæt|kløe|værre|slim|"
        "siden|nausée*|vomiss*|diarrhée|vertige*|fatigué*|essouffl*|depuis|pire|crachat*",
    ),
    "past_history": (
        "history of|diagnosed with|years ago|vorerkrank*|diagnostiziert|vor * jahren|"
        "antécédent*|tidligere",
        "surgery|operation*|operated|hospital*|chronic|asthma*|diabet*|high blood pressure|"
        "hypertension|heart attack|stroke|copd|as a child|operiert|krankenhaus|chronisch|"
        "bluthochdruck|herzinfarkt|schlaganfall|zucker|opereret|indlagt|kronisk|astma|"
        "opéré*|hospitalisé*|chronique|asthme|diabète",
    ),
    "medications": (
        "*cillin|*mycin|lisinopril|ramipril|enalapril|perindopril|*sartan|metoprolol|bisoprolol|"
        "propranolol|atenolol|atorvastatin|simvastatin|rosuvastatin|*prazol*|*oxacin|*dipin*|*formin|"
        "*cyclin*|*lukast|*sonid*|ibuprofen|paracetamol|acetaminophen|aspirin|metformin|"
        "insulin|prednisolon*|salbutamol|albuterol|levothyrox*|warfarin|apixaban|codein*|"
        "tramadol|cetirizin*|loratadin*|furosemid*|sertralin*|citalopram|naproxen|diclofenac|"
        "metamizol|novalgin|antibiotic*|antibiotik*|antibiotique*|milligram*|milligramm",
        "tablet*|pill*|capsule*|inhaler*|puffer*|medication*|medicine*|dose*|spray|cream|"
        "drops|syrup|medikament*|salbe|tropfen|sirup|einnehm*|medicin|pille*|inhalator|"
        "comprimé*|médicament*|gélule*|sirop|inhalateur",
    ),
    "allergies": (
        "allerg*|no known drug allergies|nkda|*allergi*|anaphyla*|unverträglich*|overfølsom*",
        "reaction to|intoleran*|hives",
    ),
    "family": (
        "runs in the family|family history|in der familie|familienanamnese|i familien|"
        "dans la famille|mother|mum|mom|father|dad|parents|sister*|brother*|sibling*|"
        "grandmother|grandfather|grandparent*|aunt|uncle|mutter|vater|eltern|schwester*|bruder|"
        "brüder|geschwister|großmutter|großvater|tante|onkel|mor|forældre|søster|bror|mère|"
        "père|sœur|frère",
        "family|familie|oma|opa",
    ),
    "social": (
        "smoke*|smoking|cigarette*|vap*|alcohol*|glass* of wine|pack* a day|units a week|"
        "rauch*|raucher*|zigarette*|alkohol*|ryger|rygning|ryge|cigaret*|fume*|alcool",
        "beer*|wine|work as|i work|job|occupation|live with|live alone|exercise*|married|"
        "recreational|bier|wein|arbeite*|beruf*|wohne*|verheiratet|sport|øl|vin|arbejde*|"
        "bor|bière|travaille*|habite",
    ),
    "vitals": (
        "blood pressure|heart rate|respiratory rate|oxygen saturation|temperature|"
        "blutdruck|herzfrequenz|atemfrequenz|sauerstoffsättigung|temperatur|blodtryk|"
        "iltmætning|température|tension artérielle|pression artérielle|fréquence cardiaque",
        "pulse|oxygen|saturation|sats|weight|bmi|puls|sättigung|gewicht|vægt|pouls|poids|tension",
    ),
    "exam": (
        "on examination|examination|auscultation|heart sounds|crackles|wheez*|tender*|"
        "lymph nodes|untersuchung|auskultation|herztöne|rasselgeräusch*|giemen|"
        "druckschmerz*|lymphknoten|knitren|hvæsen|ømhed|crépitant*|sibilant*|"
        "à l'examen|ganglions",
        "lungs|chest|clear|soft|abdomen|tonsil*|ear|ears|eardrum*|red|inflamed|reflex*|"
        "normal|murmur*|negative|positive|bilateral*|both sides|range of motion|"
        "straight leg raise|lunge*|vesikulär|bauch|rachen|gerötet|mandeln|unauffällig|"
        "*empfindlich|verspannt|klopfschmerz*|beweglich*|reflexe|kraft|negativ|positiv|"
        "beidseits|auf beiden seiten|muskulatur|"
        "trommelfell|lunger|svælg|rød|upåfaldende|poumon*|gorge|rouge|amygdale*|souple",
    ),
    "results": (
        "x-ray|xray|blood test*|blood work|crp|ecg|ekg|swab|hba1c|"
        "röntgen*|blutwert*|blutbild|laborwert*|abstrich|blodprøve*|prøvesvar|"
        "prise de sang|bilan sanguin|radio*",
        "result*|lab|labs|culture|urine test|scan|ultrasound|cholesterol|white count|labor|"
        "ergebnis*|ultraschall|resultat*|podning|ultralyd|résultat*|échographie|prélèvement",
    ),
    "assessment": (
        "i think|i believe|i suspect|most likely|consistent with|diagnosis|looks like|"
        "sounds like|my impression|ich denke|ich glaube|ich vermute|verdacht auf|"
        "spricht für|sieht nach|jeg tror|sandsynligvis|formentlig|mistanke|je pense|"
        "probablement|diagnostic|évoque",
        "likely|probably|infection|viral|bacterial|bronchitis|pneumonia|flu|influenza|"
        "covid|sinusitis|tonsillitis|otitis|gastroenteritis|migraine*|strain|sprain|"
        "nothing serious|not serious|vermutlich|wahrscheinlich|diagnose|infekt*|bakteriell|"
        "lungenentzündung|pneumonie|grippe|mandelentzündung|mittelohrentzündung|migräne|"
        "zerrung|infektion|virus|bronkitis|lungebetændelse|virale|bronchite",
    ),
    "plan": (
        "we will|we'll|i will|i'll|i'm going to|i'd like|i'd also like|i would like|arrange*|"
        "prescrib*|"
        "prescription|follow up|follow-up|"
        "refer*|come back|start you on|stop taking|sick note|wir werden|ich werde|verschreib*|"
        "rezept|verordne*|wiedervorstell*|kontrolltermin|überweis*|kommen sie|krankschreib*|"
        "ich schreibe sie|brauchen wir|we don't need|no need for|i suggest|suggest*|"
        "we can start|bring * back|straight away|right away|"
        "vi vil|jeg vil|ordiner*|recept|henvis*|kom tilbage|sygemeld*|nous allons|je vais|"
        "prescri*|ordonnance|revenir|arrêt de travail",
        "take|rest|fluids|drink plenty|if it gets worse|if things get worse|in a week|"
        "in two weeks|advice|advise|recommend*|should|avoid|return|book|schedule|order|"
        "kontrolle|termin|einnehmen|ruhe|schonen|viel trinken|falls|empfehle*|kontrol|hvile|"
        "drik|anbefal*|contrôle|repos|boire|recommande*|revoir|times a day|twice a day|"
        "once a day|nehmen sie|bleiben sie|vermeiden sie|täglich|bettruhe|sofort|if you|if it|"
        "if he|if she|wenn sie|falls sie|hvis du|si vous|trinken sie|ruhen sie|wiedersehen|"
        "notruf|urgences|revenez|reprendre",
    ),
}

SMALL_TALK: Final = (
    "hello|hi|good morning|good afternoon|good evening|how are you|nice to see you|"
    "nice to meet you|thank*|thanks|bye|goodbye|take care|weather|weekend|traffic|parking|"
    "have a seat|come in|hallo|guten morgen|guten tag|guten abend|grüß gott|wie geht es ihnen|"
    "danke*|vielen dank|tschüss|auf wiedersehen|wetter|wochenende|nehmen sie platz|hej|goddag|"
    "godmorgen|tak|farvel|vejret|bonjour|bonsoir|merci|au revoir|comment allez-vous|météo"
)
"""Greetings, thanks and chat: a sentence matching these loses weight in every category."""

NEGATION: Final = (
    "no|not|never|none|denies|without|haven't|hasn't|don't|doesn't|didn't|nothing|"
    "kein*|nicht|nie|niemals|ohne|verneint|ingen|ikke|aldrig|uden|benægter|pas|jamais|aucun*|"
    "sans|niega|förnekar"
)
"""Words that turn a symptom into a pertinent negative."""

YES: Final = frozenset({"yes", "yeah", "yep", "ja", "jo", "oui", "sí", "si", "correct", "jawohl"})
NO: Final = frozenset({"no", "nope", "nein", "nej", "non", "never", "nie", "nee", "nö"})

FILLERS: Final = re.compile(
    r"\b(?:um+|uh+|erm+|hmm+|mhm|äh+m?|öh+m?|hm+|you know|i mean|sort of|kind of|basically|"
    r"na ja|naja|sozusagen|quasi|euh|ben)\b[,]?\s*",
    re.IGNORECASE,
)
"""Hesitations and verbal tics, removed anywhere in a sentence."""

LEADING_FILLERS: Final = re.compile(
    r"^(?:(?:so|okay|ok|alright|all right|right|well|now|and|also|genau|gut|nun|"
    r"så|godt|bon|alors|donc|et)\b[,]?\s+)+",
    re.IGNORECASE,
)
"""Discourse markers that open a sentence and carry nothing ("So, okay, ...")."""

VITAL_NUMBER: Final = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:°|degrees?|grad|grader|degrés|mmhg|bpm|beats|schläge|/min|"
    r"per minute|percent|prozent|procent|%|kg|kilos?)"
    r"|\b\d{2,3}\s*(?:over|/|zu|til|sur)\s*\d{2,3}\b",
    re.IGNORECASE,
)
"""A measurement with a unit, or a blood-pressure pair: a strong vital-sign cue."""

DOSE: Final = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|g|ml|milligrams?|milligramm|micrograms?|units|ie|iu)\b",
    re.IGNORECASE,
)
"""A dose: a strong medication cue."""

_FUNCTION_WORDS: Final[dict[str, frozenset[str]]] = {
    "en": frozenset(
        [
            "the",
            "and",
            "you",
            "i",
            "is",
            "have",
            "my",
            "it",
            "a",
            "to",
            "of",
            "in",
            "for",
            "with",
            "your",
            "that",
        ]
    ),
    "de": frozenset(
        [
            "ich",
            "und",
            "sie",
            "der",
            "die",
            "das",
            "nicht",
            "ist",
            "habe",
            "mit",
            "seit",
            "ein",
            "eine",
            "mein",
            "ihr",
        ]
    ),
    "da": frozenset(
        ["jeg", "og", "det", "er", "har", "ikke", "med", "en", "af", "på", "du", "min", "mig"]
    ),
    "fr": frozenset(
        [
            "je",
            "et",
            "le",
            "la",
            "les",
            "vous",
            "est",
            "pas",
            "avec",
            "de",
            "un",
            "une",
            "mon",
            "ma",
        ]
    ),
}

PHRASES: Final[dict[str, dict[str, str]]] = {
    "en": {
        "empty": "No information recorded.", "reports": "Patient reports: {}",
        "denies": "Patient denies {}.", "confirms": "Patient reports {}.",
        "likely": "Likely {}", "reason": "Reason for your visit: {}",
        "found": "What we found: {}", "next": "Next steps: {}",
    },
    "de": {
        "empty": "Keine Angaben dokumentiert.", "reports": "Pat. berichtet: {}",
        "denies": "Pat. verneint {}.", "confirms": "Pat. bejaht {}.",
        "likely": "Verdacht auf {}", "reason": "Grund Ihres Besuchs: {}",
        "found": "Unser Befund: {}", "next": "Nächste Schritte: {}",
    },
    "da": {
        "empty": "Ingen oplysninger registreret.", "reports": "Patienten oplyser: {}",
        "denies": "Patienten benægter {}.", "confirms": "Patienten bekræfter {}.",
        "likely": "Formodet {}", "reason": "Årsag til dit besøg: {}",
        "found": "Det fandt vi: {}", "next": "Næste skridt: {}",
    },
    "fr": {
        "empty": "Aucune information consignée.", "reports": "Le patient rapporte : {}",
        "denies": "Le patient nie : {}.", "confirms": "Le patient confirme : {}.",
        "likely": "Probable {}", "reason": "Motif de votre visite : {}",
        "found": "Ce que nous avons constaté : {}", "next": "Prochaines étapes : {}",
    },
    "es": {
        "empty": "No se registró información.", "reports": "El paciente refiere: {}",
        "denies": "El paciente niega {}.", "confirms": "El paciente refiere {}.",
        "likely": "Probable {}", "reason": "Motivo de su visita: {}",
        "found": "Lo que encontramos: {}", "next": "Próximos pasos: {}",
    },
    "sv": {
        "empty": "Ingen information registrerad.", "reports": "Patienten uppger: {}",
        "denies": "Patienten förnekar {}.", "confirms": "Patienten bekräftar {}.",
        "likely": "Misstänkt {}", "reason": "Orsak till ditt besök: {}",
        "found": "Vad vi fann: {}", "next": "Nästa steg: {}",
    },
}  # fmt: skip
"""The engine's own fixed phrases per output language (base code; en-GB uses en, de-CH de)."""


def phrase(language: str, name: str) -> str:
    """The fixed phrase ``name`` in ``language`` (English when the language has none)."""
    table = PHRASES.get(language.split("-")[0].lower(), PHRASES["en"])
    return table[name]


def compile_cues(cues: str) -> re.Pattern[str]:
    """Compile ``a|b*|*c*`` notation (see the module docstring) into one regular expression."""
    parts = []
    for cue in cues.split("|"):
        body = re.escape(cue.strip("*")).replace(r"\ \*\ ", r" \w+ ")
        start = r"\w*" if cue.startswith("*") else r"\b"
        end = r"\w*" if cue.endswith("*") else r"\b"
        parts.append(f"{start}{body}{end}")
    return re.compile("|".join(parts), re.IGNORECASE)


CUE_PATTERNS: Final[dict[Category, tuple[re.Pattern[str], re.Pattern[str]]]] = {
    category: (compile_cues(strong), compile_cues(ordinary))
    for category, (strong, ordinary) in _CUES.items()
}
"""Per category, the compiled (strong, ordinary) cue patterns."""

SMALL_TALK_PATTERN: Final = compile_cues(SMALL_TALK)
NEGATION_PATTERN: Final = compile_cues(NEGATION)


def detect_language(text: str) -> str:
    """The language (en, de, da, fr) whose function words are commonest in ``text``; en on a tie."""
    words = re.findall(r"\w+", text.lower())
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in _FUNCTION_WORDS.items()}
    best = max(counts, key=lambda lang: (counts[lang], lang == "en"))
    return best if counts[best] else "en"
