"""The one version string of every number this package computes."""

from __future__ import annotations

from typing import Final

ADHERENCE_VERSION: Final = "1"
"""Version of the adherence rules; bump when a check's definition changes. Kept here, not in
``_adherence``: every document's score key names it, and a cached re-run, which checks nothing,
would import the checks (regex, the ROUGE scorers, ~0.1 s) to read it."""

METRICS_VERSION = "15"
"""Changes whenever any metric value could change (a normaliser, tokenizer or formula).

15: one length or duration written two ways is one fact, as a temperature or a weight on two
scales is (exactly, not to the precision written): "1.78 m" is "178 cm" ("m" is a unit only for a
height, 0.3-2.5: "45 M" is a 45-year-old man), "15 mm" is "1.5 cm", "2 weeks" is "14 days" and
"48 hours" "2 days", but "5 mm" is not "1 cm" nor "10 days" "2 weeks". Clinical shorthand for a
duration is read: "x 5/7" is 5 days (it was the ratio "5/7", a miss of the reference's "5 days"
and an invented fact), "2/52" 2 weeks, "3/12" 3 months after "for", "x", "since"... or before
"ago" ("6/12" alone may be a visual acuity). "A fortnight" is 2 weeks; "7 out of 10" (and German
"7 von 10") is "7/10", as "7/10" is.

14: a French placeholder ("Aucune information consignée.", "Non renseigné.", "Rien à signaler.",
"Sans objet.") is a placeholder, as "No information recorded." and "Keine Angaben." are: its
section covers nothing of the reference, and it states no fact. With French negations read
(11), "Aucune information consignée." was an invented "no information consignée". A negated
infinitive is no finding: "easier not to wake up" gave "no to wake up", "advised not to drive"
"no to drive". "Never made any plans" is "no plans" (it gave "no made plans", an invented fact
beside the reference's "no plans").

13: "Missing sections" counts the sections a note left empty where the reference has content
("No information recorded."), as well as those it left out: the encounter page listed them as
missing ("Objective (empty)") and section coverage counted them as not covered, while the count
(and a gate's ``limit: missing_sections``) saw 0 for a note that emptied two sections.

12: WER no longer counts pure formatting differences as errors, and still counts what was said
differently (``english-clinical`` 5, ``multilingual`` 3). English: "second" and "2nd", "twenty
first" and "21st" were one and two errors; "BP 120/80" against "120 over 80" three; "2:30"
against "two thirty" two; "45-year-old" and "covid-19" against their spaced forms two; "well—I"
(em dash) one glued word; "5–10" (en dash) against "5-10" one; "he's been" against "he has
been" one ("is been"); "uh-huh" left "huh" behind, while "uh-uh" (no) vanished, so a "no" heard
as "yes" cost nothing. German and French (``multilingual``): "38,5" against "38.5" was one
error, "400mg" against "400 mg" two, "l' homme" against "l'homme" two, "1 000" (grouped by a
narrow no-break space) against "1000" two, and hesitations ("äh", "ähm", "euh") counted as words,
though ``english-clinical`` drops "uh" and "um": German and French WER were inflated next to
English. Still errors: "1,500" against "1.5", "uh-uh" against "uh-huh", "-5" against "5"; "um"
(a German word) is kept; German and French spelled numbers are not read as digits.

11: a weight in pounds is in pounds ("154 lb", "154 pounds"): "lb" was no unit, so the cue
"weight" read "Weight 154 lb" as "154 kg", which matched a reference's "154 kg" (twice the
weight, counted as supported) and missed its "70 kg". A reading in kilograms and one in pounds
are one fact when they agree to the precision each is written with ("70 kg" is "154 lb"), as
temperatures in °C and °F are; that precision now also sets how far apart a temperature
written to the degree may be ("38 °C" is "100 °F", 100.4 °F).
A word that carries its own negation is that negation, and negates nothing after it (fact
lexicon 2): "afebrile" and "apyrexial" are "no fever", "nonsmoker" and "non-smoker" are "no
smoking", "NKDA" is "no allergies", "fieberfrei" is "no fieber", "Nichtraucher" "no rauchen".
They were no negation, so the note that wrote them missed the reference's "no fever", and
"Afebrile." against "Patient has a fever." was no contradiction. "Smoke", "smoker" and "smoked"
are "smoking" ("does not smoke" is "denies smoking"; "Never smoked." was "no smoked").
A negation's scope ends where a comma item asserts its finding ("No fever, cough present.",
"Kein Fieber, Husten vorhanden.") or a verb of reporting starts one ("Denies fever, reports
cough.", "... and admits to dyspnoea"): the cough was "no cough present", or even "no cough", a
negation the reference never had and a contradiction of a note writing "Cough present.". "No
cough present." is "no cough".
A volume is in litres from one litre and in millilitres below ("1500 ml" is "1.5 l", "0.5 l" is
"500 ml", "1000 ml/h" is "1 l/hour"): one volume written both ways was missed and invented.
A lone "x" glued to a number is a multiplication sign: "cough x3 days" is "3 day", as "x 3 days"
was; the glued "x" hid the number.
French quantities are read: durations and counts ("6 mois", "4 à 8 heures", "3 comprimés"),
numbers spelled before a unit ("deux jours", "une semaine"), "122 sur 78" as "122/78", and the
cues "fièvre", "pouls", "fréquence cardiaque" and "poids". A French note (the sample's fr-01)
had only its doses and blood pressure as facts, so a note that dropped "6 mois" lost nothing.
French negations are read (fact lexicon 2): "pas de", "pas d'", "sans", "aucun(e)", "absence de",
"ni", "nie"/"nié(e)" (both ways), "négatif pour", and after a finding "absente", "négatif",
"exclu"; "si" and "en cas de" open conditions, "mais" and "cependant" end a scope; "apyrétique"
is "no fièvre", "non-fumeur" "no tabac". "Pas de vomissements" and "migraine sans aura" were no
fact, and "Pas de fièvre." against "La patiente a de la fièvre." was no contradiction.

10: a quantity with a compound unit is a fact: a dose per body weight or area, or a rate per time
("15 mg/kg", "0.1 mcg/kg/min", "2 l/min", "18 units/kg/h"), and a medication's dose. They were
no fact at all, so a tenfold error in a weight-based dose ("15 mg/kg" against "150 mg/kg") left
fact recall and precision at 1.0. A lone per-day or per-week is the dose's frequency, as "daily"
is: "60 mg/day" is "60 mg", "1 g/day" is "1000 mg".
A naked decimal is the decimal it is: ".5 mg" is "0.5 mg", so against "5 mg" it is a tenfold
error (missed and invented), and against "0.5 mg" the same dose; it was no fact at all.
A range after a measurement cue takes the cue's unit as a single value does ("Fever 38 to 39.5"
is "38-39.5 °c"): the note that wrote the unit was charged with an invented fact.
A range in grams is in milligrams as a single dose is ("1-2 g" is "1000-2000 mg").
A generated section that only says nothing was recorded ("No information recorded.", "Not
discussed.", "None.", "Keine Angaben.") does not cover its reference section (section coverage,
and the section has no ROUGE pair): a template that emptied its History read 100% coverage.
A temperature one note writes in °C and the other in °F is one fact ("38.5 °C" is "101.3 °F", to
the decimal each is written with): it was missed and invented.
"Saturations" is a cue as "saturation" is ("Saturations of 96" is "96 %").

9: a body temperature of one note written with a decimal ("Fever to 38.5 °C") is found as a bare
number of the other ("last night it was 38.5, came down with paracetamol"), where no cue gave it
a unit: a note that keeps the reading and drops the word "fever" no longer misses the fact.

8: when several speaker assignments have cpWER's fewest errors, the one keeping the most labels
as given is taken, then one without a doctor/patient swap, then the first by speaker names, so a
tie is no swap and does not depend on who spoke first (meeteval's optimiser flagged a swap when
the hypothesis's first speaker was the patient and every word was wrong). cpWER is unchanged.

7: a negated placeholder ("No information recorded.", "Not discussed.", "Keine Angaben.") is no
negation fact: it says nothing about the patient, and counted as an invented finding it cost the
template that writes what its instructions ask for ("not discussed" rather than a guess).

6: a "-", "." or Unicode minus that starts a number is kept by ``basic`` (now version 2),
``english-clinical`` (3) and ``multilingual`` (2): ".5 mg" against "5 mg" and "-5" against "5" are
errors, not matches. "−5" is written "-5"; ``english-clinical`` writes ".5" as "0.5" and reads
"point five milligrams" as "0.5 mg", as it read "zero point five". A blank segment in a
channel-per-speaker transcript no longer drops the encounter's speaker-attributed WER, per-speaker
WER, cpWER and swap flag: it is skipped, as diarized transcripts skip it.

5: German "verneint" and "negiert" before their finding ("Pat. verneint Fieber und Husten") are
negations, as "denies" is in English; they were read only after it ("Fieber wird verneint").

4: the fact check reads numbers by the note's language ("1,000 mg" is 1000 mg in English),
finds temperatures written "38.1C", "101.3F" or "T 38.1" in a vitals run, lets a duration pass a
measurement cue, and counts a finding one note negates and the other asserts as a contradiction.
"""
