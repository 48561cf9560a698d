"""The judge audit: does the model judge notice the metric audit's controlled errors?

Each reference note (up to a limit) is judged as it is and once per perturbation (``_perturb``:
drop a fact, change a dose tenfold, flip a negation or a side, swap a medication, invent a
finding; reorder and paraphrase change no fact), against the encounter's reference transcript
and with the original note as the reference. The judge *flags* a perturbed note when it finds
more problems in it (unsupported, contradicted or omitted claims) than in the original. Per kind
of error the detection rate is the share of notes flagged; for the two clean rewrites it is the
false-alarm rate. Notes that carry clinician ratings (the dataset's optional per-note
``ratings``) are also scored with the PDQI-9 rubric, and the judge's scores are compared with
the clinicians' per attribute: quadratic weighted kappa and Spearman's rho.

Judge metrics count as validated for a dataset and judge once this audit has a detection rate
or an agreement figure for them (`judge_audit_key`, stored in the run store's cache).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from scribe_eval.audit._perturb import ERROR_KINDS, PERTURBATIONS, PerturbationKind, perturb
from scribe_eval.dataset import Dataset, Encounter, ReferenceNote
from scribe_eval.judge import (
    PDQI_ITEMS,
    ClaimJudgement,
    JudgeClient,
    JudgeConfig,
    JudgeError,
    JudgeInput,
    RubricJudgement,
    judge_cache_key,
    judge_provenance,
)
from scribe_eval.store import RunStore

#: Reference notes audited at most by default (each costs nine claim judgements).
JUDGE_AUDIT_NOTES = 20


@dataclass(frozen=True)
class JudgeDetection:
    """One perturbation kind: notes judged, notes the judge flagged, and judge failures."""

    kind: str
    error: bool
    notes: int
    flagged: int
    failed: int

    @property
    def rate(self) -> float | None:
        """Share of notes flagged: detection rate for an error, false alarms for a clean one."""
        return self.flagged / self.notes if self.notes else None


@dataclass(frozen=True)
class RatingAgreement:
    """The judge's rubric against clinician ratings on one PDQI-9 attribute."""

    item: str
    n: int
    kappa: float | None
    spearman: float | None


@dataclass(frozen=True)
class JudgeAuditResult:
    """The judge audit of one dataset with one judge."""

    dataset: str
    judge: dict[str, Any]
    detections: tuple[JudgeDetection, ...]
    agreement: tuple[RatingAgreement, ...]
    notes: int
    calls: int

    @property
    def validated(self) -> bool:
        """True when there is a detection rate for an error kind or an agreement figure."""
        return any(d.error and d.notes for d in self.detections) or any(a.n for a in self.agreement)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types (``from_dict`` reads them back)."""
        return {
            "dataset": self.dataset,
            "judge": self.judge,
            "detections": [{**asdict(d), "rate": d.rate} for d in self.detections],
            "agreement": [asdict(a) for a in self.agreement],
            "notes": self.notes,
            "calls": self.calls,
            "validated": self.validated,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JudgeAuditResult:
        """A result stored by ``as_dict``."""
        return cls(
            dataset=str(data.get("dataset", "")),
            judge=dict(data.get("judge") or {}),
            detections=tuple(
                JudgeDetection(d["kind"], d["error"], d["notes"], d["flagged"], d["failed"])
                for d in data.get("detections", [])
            ),
            agreement=tuple(
                RatingAgreement(a["item"], a["n"], a["kappa"], a["spearman"])
                for a in data.get("agreement", [])
            ),
            notes=int(data.get("notes", 0)),
            calls=int(data.get("calls", 0)),
        )


def judge_audit_key(dataset_hash: str, judge: dict[str, Any]) -> str:
    """The cache key the audit of a dataset content with one judge is stored under."""
    digest = hashlib.sha256(json.dumps(judge, sort_keys=True).encode()).hexdigest()
    return f"judge-audit:{dataset_hash}:{digest}"


def weighted_kappa(a: Sequence[int], b: Sequence[int], *, low: int = 1, high: int = 5) -> float:
    """Cohen's kappa with quadratic weights for two raters' scores on ``low..high``.

    1 is perfect agreement, 0 what chance gives; when neither rater varies it is 1.0 if they
    agree everywhere (nothing else is defined).
    """
    k = high - low + 1
    observed = np.zeros((k, k))
    for x, y in zip(a, b, strict=True):
        observed[x - low, y - low] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices((k, k))
    weights = (i - j) ** 2 / (k - 1) ** 2
    disagreement = float((weights * expected).sum())
    if disagreement == 0.0:
        return 1.0 if float((weights * observed).sum()) == 0.0 else 0.0
    return 1.0 - float((weights * observed).sum()) / disagreement


async def audit_judge(
    dataset: Dataset,
    config: JudgeConfig,
    *,
    client: JudgeClient | None = None,
    store: RunStore | None = None,
    max_notes: int = JUDGE_AUDIT_NOTES,
) -> JudgeAuditResult:
    """Judge each audited note and its perturbations; rate rated notes; cache under ``store``."""
    owned = client is None
    client = client or JudgeClient(config)
    try:
        picked = _notes(dataset, max_notes)
        flagged = await asyncio.gather(*(_note_flags(client, store, e, n) for e, n in picked))
        rated = [(e, n) for e, n in _all_notes(dataset) if n.ratings]
        rubrics = await asyncio.gather(*(_rubric(client, store, e, n) for e, n in rated))
    finally:
        if owned:
            await client.aclose()
    detections = []
    for kind in PERTURBATIONS:
        outcomes = [f[kind] for f in flagged if kind in f]
        detections.append(
            JudgeDetection(
                kind, kind in ERROR_KINDS, notes=sum(o is not None for o in outcomes),
                flagged=sum(o is True for o in outcomes), failed=sum(o is None for o in outcomes),
            )
        )  # fmt: skip
    pairs = [(n.ratings, r.scores()) for (_, n), r in zip(rated, rubrics, strict=True) if r]
    result = JudgeAuditResult(
        dataset=dataset.name, judge=judge_provenance(config), detections=tuple(detections),
        agreement=_agreement(pairs), notes=len(picked), calls=client.calls,
    )  # fmt: skip
    if store is not None:
        store.cache_put(judge_audit_key(dataset.content_hash, result.judge), "judge-audit",
                        result.as_dict())  # fmt: skip
    return result


def _all_notes(dataset: Dataset) -> list[tuple[Encounter, ReferenceNote]]:
    return [(e, n) for e in dataset.encounters if e.reference_turns for n in e.notes.values()]


def _notes(dataset: Dataset, limit: int) -> list[tuple[Encounter, ReferenceNote]]:
    return _all_notes(dataset)[:limit]


def _transcript(encounter: Encounter) -> str:
    return "\n".join(f"{t.speaker.capitalize()}: {t.text}" for t in encounter.reference_turns)


def _text(sections: dict[str, str]) -> str:
    return "\n\n".join(f"## {heading}\n{body.strip()}" for heading, body in sections.items())


async def _claims(
    client: JudgeClient, store: RunStore | None, item: JudgeInput
) -> ClaimJudgement | None:
    key = "judge-audit-claims:" + judge_cache_key(item, client.config)
    entry = store.cache_get(key) if store is not None else None
    if entry is not None:
        return ClaimJudgement.model_validate(entry.value)
    try:
        answer = await client.judge_claims(
            transcript=item.transcript, note=item.note, reference=item.reference
        )
    except JudgeError:
        return None
    if store is not None:
        store.cache_put(key, "judge-audit", answer.model_dump())
    return answer


async def _note_flags(
    client: JudgeClient, store: RunStore | None, encounter: Encounter, note: ReferenceNote
) -> dict[str, bool | None]:
    """Per perturbation kind that applies: flagged (True/False), or None when the judge failed."""
    meds = [t.text for t in encounter.terms if t.kind == "medication"]
    transcript, original = _transcript(encounter), _text(note.sections)
    changed = {
        kind: perturb(kind, note.sections, medications=meds, language=encounter.language)
        for kind in PERTURBATIONS
    }
    kinds: list[PerturbationKind] = [k for k, v in changed.items() if v is not None]
    items = [JudgeInput(transcript, original, original)] + [
        JudgeInput(transcript, _text(changed[k] or {}), original) for k in kinds
    ]
    answers = await asyncio.gather(*(_claims(client, store, item) for item in items))
    base = answers[0]
    flags: dict[str, bool | None] = {}
    for kind, answer in zip(kinds, answers[1:], strict=True):
        if base is None or answer is None:
            flags[kind] = None
        else:
            flags[kind] = _problems(answer) > _problems(base)
    return flags


def _problems(claims: ClaimJudgement) -> int:
    return claims.error_count("minor", "major", "critical")


async def _rubric(
    client: JudgeClient, store: RunStore | None, encounter: Encounter, note: ReferenceNote
) -> RubricJudgement | None:
    item = JudgeInput(_transcript(encounter), _text(note.sections))
    key = "judge-audit-rubric:" + judge_cache_key(item, client.config)
    entry = store.cache_get(key) if store is not None else None
    if entry is not None:
        return RubricJudgement.model_validate(entry.value)
    try:
        answer = await client.judge_rubric(transcript=item.transcript, note=item.note)
    except JudgeError:
        return None
    if store is not None:
        store.cache_put(key, "judge-audit", answer.model_dump())
    return answer


def _agreement(
    pairs: list[tuple[dict[str, int], dict[str, int]]],
) -> tuple[RatingAgreement, ...]:
    # Imported here: scipy.stats is ~70 MB of memory, and every report imports this module.
    from scipy.stats import spearmanr

    out = []
    for item in PDQI_ITEMS:
        both = [(c[item], j[item]) for c, j in pairs if item in c and item in j]
        if not both:
            continue
        clinician, judge = [c for c, _ in both], [j for _, j in both]
        rho: float | None = None
        if len(both) >= 3 and len(set(clinician)) > 1 and len(set(judge)) > 1:
            rho = float(spearmanr(clinician, judge).statistic)
        out.append(RatingAgreement(item, len(both), weighted_kappa(clinician, judge), rho))
    return tuple(out)
