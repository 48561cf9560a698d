"""Real-looking clinical notes and seeded perturbations of them, shared by tests and bench."""

from __future__ import annotations

import random

NOTES = [
    """Subjective:
54-year-old man with a dry cough for 3 days. Denies fever, chills or chest pain.
Reports mild shortness of breath on exertion. No sick contacts. Non-smoker.
Objective:
BP 132/84 mmHg, HR 88 bpm, temp 37.4 °C, SpO2 97% on room air.
Lungs: scattered wheeze bilaterally, no crackles. Left ear canal clear.
Assessment:
Acute bronchitis, likely viral. Hypertension, controlled on lisinopril 10 mg daily.
Plan:
Supportive care, fluids, honey for cough. Salbutamol inhaler 2 puffs every 4-6 hours as needed.
Return if fever > 38.5 °C or breathing worsens. Follow-up in 2 weeks.""",
    """Chief complaint: right knee pain after a fall two days ago.
HPI: The patient's right knee is swollen; she can bear weight with difficulty. No numbness.
Exam: effusion of the right knee, tenderness over the medial joint line, ligaments stable.
Medications: ibuprofen 400 mg t.i.d., metformin 500 mg b.i.d.
Assessment: suspected medial meniscus injury (right).
Plan: X-ray of the right knee, RICE, physiotherapy referral, review in 10 days.""",
    """Patient presents with headache for 1 week, worse in the mornings, with nausea \
but no vomiting. History of migraine. Takes sumatriptan 50 mg as needed. \
Neuro exam normal, fundi normal. BP 118/76. \
Impression: likely migraine without aura, rule out secondary causes. \
Plan: headache diary, trial of propranolol 40 mg twice daily, follow up in 4 weeks.""",
    """Anamnese: Seit 3 Tagen Husten und Fieber bis 38,9 °C. Kein Auswurf, keine Atemnot.
Befund: Lunge links basal Rasselgeräusche, rechts unauffällig. Blutdruck 128/80 mmHg.
Beurteilung: Verdacht auf Pneumonie links.
Procedere: Amoxicillin 1000 mg dreimal täglich für 7 Tage, Kontrolle in 3 Tagen.""",
]


def perturb(note: str, rng: random.Random) -> str:
    """A plausible generated version: dropped, reordered and reworded lines, lost newlines."""
    lines = [line for line in note.split("\n") if line.strip()]
    if len(lines) > 2 and rng.random() < 0.5:
        del lines[rng.randrange(len(lines))]
    if len(lines) > 2 and rng.random() < 0.5:
        i = rng.randrange(len(lines) - 1)
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    out = []
    for line in lines:
        words = line.split()
        for _ in range(rng.randint(0, 3)):
            if words:
                words[rng.randrange(len(words))] = rng.choice(["the", "patient", "mg", "pain"])
        if words and rng.random() < 0.3:
            del words[rng.randrange(len(words))]
        out.append(" ".join(words))
    return (" " if rng.random() < 0.3 else "\n").join(out)


def long_note(words: int, rng: random.Random) -> str:
    """A note of about ``words`` words assembled from the sample notes' lines."""
    lines = [line for note in NOTES[:3] for line in note.split("\n") if line.strip()]
    out: list[str] = []
    while sum(len(line.split()) for line in out) < words:
        out.append(rng.choice(lines))
    return "\n".join(out)
