"""Judge one note: every configured task, failures kept as data, scores under stable keys.

``judge_note(client, item)`` runs the tasks of ``client.config`` concurrently; a task that fails
(after its retries) is recorded in ``JudgeResult.failures`` and the other tasks still count.
``judge_cache_key(item, config)`` is the key a runner stores a judgement under: the note, the
reference, the transcript, the content rules, the prompt and rubric versions and the judge's
settings, so re-judging with nothing changed makes no call, and changing any of them does.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from scribe_eval.judge._client import JudgeClient
from scribe_eval.judge._config import JudgeConfig, JudgeTask
from scribe_eval.judge._errors import JudgeError
from scribe_eval.judge._prompts import PROMPT_VERSION, RUBRIC_VERSION, ContentRule
from scribe_eval.judge._schema import (
    PDQI_ITEMS,
    ClaimJudgement,
    ContentRuleJudgement,
    RubricJudgement,
)

_T = TypeVar("_T")
_A = TypeVar("_A", bound=BaseModel)


@dataclass(frozen=True)
class JudgeInput:
    """What one note is judged on: its transcript, the note, the reference and content rules."""

    transcript: str
    note: str
    reference: str | None = None
    rules: tuple[ContentRule, ...] = ()


@dataclass(frozen=True)
class JudgeFailure:
    """One task that gave no usable answer: its kind (``malformed``, ``refused`` ...) and why."""

    task: str
    kind: str
    message: str
    attempts: int


@dataclass(frozen=True)
class JudgeResult:
    """The judgements of one note (None where a task failed or did not apply)."""

    claims: ClaimJudgement | None
    content_rules: ContentRuleJudgement | None
    rubric: RubricJudgement | None
    failures: tuple[JudgeFailure, ...]
    provenance: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The judgement as the catalogue's ``judge_*`` scores, fractions 0-1 as they are stored
        and shown (one definition: a cell's judge scores are these), with ``judge``, the
        provenance. PDQI-9 scores (1-5) are mapped to 0-1 as ``(score - 1) / 4``; the raw scores
        and the judge's reasons are in `details` and the cached judgement."""
        claims, rubric, rules = self.claims, self.rubric, self.content_rules
        scores: dict[str, Any] = {
            "judge_unsupported_rate": claims.unsupported_rate if claims else None,
            "judge_contradicted_rate": claims.contradicted_rate if claims else None,
            "judge_omission_rate": claims.omission_rate if claims else None,
            "judge_major_errors": claims.error_count("major", "critical") if claims else None,
            "judge_critical_errors": claims.error_count("critical") if claims else None,
            "judge_major_error_notes": (
                float(claims.error_count("major", "critical") > 0) if claims else None
            ),
            "judge_note_claims": len(claims.note_claims) if claims else None,
            "judge_reference_claims": len(claims.reference_claims) if claims else None,
            "judge_content_rule_rate": rules.obeyed_rate if rules else None,
            "judge_content_rules_failed": (
                [{"rule_id": r.rule_id, "reason": r.reason} for r in rules.rules if not r.obeyed]
                if rules
                else []
            ),
        }
        raw = rubric.scores() if rubric else {}
        for item in PDQI_ITEMS:
            value = raw.get(item)
            scores[f"judge_pdqi_{item}"] = None if value is None else (value - 1) / 4
        scores["judge_pdqi_mean"] = None if rubric is None else (rubric.mean - 1) / 4
        scores["judge_failures"] = [{"stage": "judge", **f.__dict__} for f in self.failures]
        scores["judge"] = self.provenance
        return scores

    @property
    def complete(self) -> bool:
        """True when no task failed (only complete results are worth caching)."""
        return not self.failures

    def details(self) -> dict[str, Any]:
        """The judge's full answers (claims, verdicts, reasons), for the encounter page."""
        return {
            "claims": self.claims.model_dump() if self.claims else None,
            "content_rules": self.content_rules.model_dump() if self.content_rules else None,
            "rubric": self.rubric.model_dump() if self.rubric else None,
        }

    def to_cache(self) -> dict[str, Any]:
        """Plain JSON to store under ``judge_cache_key``; ``from_cache`` reads it back."""
        failures = [f.__dict__ for f in self.failures]
        return {**self.details(), "failures": failures, "provenance": self.provenance}

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> JudgeResult:
        """A result stored by ``to_cache`` (validated again, so a corrupt entry raises)."""
        return cls(
            claims=_load(data.get("claims"), ClaimJudgement),
            content_rules=_load(data.get("content_rules"), ContentRuleJudgement),
            rubric=_load(data.get("rubric"), RubricJudgement),
            failures=tuple(JudgeFailure(**f) for f in data.get("failures", [])),
            provenance=dict(data.get("provenance", {})),
        )


def judge_provenance(config: JudgeConfig) -> dict[str, Any]:
    """The judge's model, settings, prompt and rubric versions (what compare must match)."""
    return {**config.settings(), "prompt_version": PROMPT_VERSION, "rubric_version": RUBRIC_VERSION}


def judge_cache_key(item: JudgeInput, config: JudgeConfig) -> str:
    """sha256 hex of everything a judgement depends on (never the endpoint's key or URL)."""
    material = {
        "transcript": item.transcript,
        "note": item.note,
        "reference": item.reference,
        "rules": [rule.__dict__ for rule in item.rules],
        **judge_provenance(config),
    }
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def judge_note(client: JudgeClient, item: JudgeInput) -> JudgeResult:
    """Run the configured tasks on one note; a failed task is recorded, not raised.

    The content-rules task is skipped (no call) when the template states no content rule.
    """
    tasks = [t for t in client.config.tasks if t != "content_rules" or item.rules]
    outcomes = await asyncio.gather(*(_run(client, task, item) for task in tasks))
    answers = dict(zip(tasks, outcomes, strict=True))
    failures = tuple(o for o in outcomes if isinstance(o, JudgeFailure))
    return JudgeResult(
        claims=_of(answers.get("claims"), ClaimJudgement),
        content_rules=_of(answers.get("content_rules"), ContentRuleJudgement),
        rubric=_of(answers.get("rubric"), RubricJudgement),
        failures=failures,
        provenance=judge_provenance(client.config),
    )


async def _run(
    client: JudgeClient, task: JudgeTask, item: JudgeInput
) -> ClaimJudgement | ContentRuleJudgement | RubricJudgement | JudgeFailure:
    try:
        if task == "claims":
            return await client.judge_claims(
                transcript=item.transcript, note=item.note, reference=item.reference
            )
        if task == "content_rules":
            return await client.judge_content_rules(
                transcript=item.transcript, note=item.note, rules=item.rules
            )
        return await client.judge_rubric(transcript=item.transcript, note=item.note)
    except JudgeError as exc:
        return JudgeFailure(task, exc.kind, exc.message, exc.attempts)


def _load(data: Any, model: type[_A]) -> _A | None:
    return None if data is None else model.model_validate(data)


def _of(value: object, kind: type[_T]) -> _T | None:
    return value if isinstance(value, kind) else None
