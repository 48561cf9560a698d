"""The judge's prompts, versioned: a changed word here needs a new ``PROMPT_VERSION`` (cache key).

Each task is one chat completion: a system message that fixes the role and the answer's JSON
schema, and a user message with the material between ``<<<`` and ``>>>`` fences. The content
rules come from the template request (``contentOverride`` clauses, instructions, writing style)
through the same expectations the deterministic adherence checks use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from pydantic import BaseModel

from scribe_eval.judge._config import JudgeTask
from scribe_eval.judge._schema import ClaimJudgement, ContentRuleJudgement, RubricJudgement
from scribe_eval.metrics import AdherenceExpectations, GeneratedSection

PROMPT_VERSION: Final = "2026-12-01.1"
"""Version of the prompts below; part of every cache key and of provenance."""
RUBRIC_VERSION: Final = "pdqi9-1"
"""Version of the rubric (PDQI-9 attributes, 1-5 anchors); part of every cache key."""
RuleKind = Literal["include", "exclude", "only", "instruction", "style"]
SCHEMAS: Final[dict[JudgeTask, type[BaseModel]]] = {
    "claims": ClaimJudgement,
    "content_rules": ContentRuleJudgement,
    "rubric": RubricJudgement,
}
_CLAUSE: Final = re.compile(r"(?<=[.;])\s+")
_KINDS: Final[tuple[tuple[RuleKind, re.Pattern[str]], ...]] = (
    ("only", re.compile(r"^(only include|only|nur)\b", re.I)),
    ("include", re.compile(r"^(include|including|add|mention|einschlie(ß|ss)en|erwähnen)\b", re.I)),
    ("exclude", re.compile(r"^(exclude|omit|leave out|without|do not|don't|no|ohne|weglassen)\b",
                           re.I)),
)  # fmt: skip

_SYSTEM = """You review clinical notes written by an AI scribe from a recorded visit. \
You are exact, you never guess, and you judge only from the material given. \
Answer with one JSON object and nothing else (no prose, no code fences), valid against this \
JSON schema:
{schema}"""

_TASKS: Final[dict[JudgeTask, str]] = {
    "claims": """Split the NOTE into atomic claims (one fact each). For each, decide from the \
TRANSCRIPT whether it is "supported", "unsupported" (not said) or "contradicted" (the transcript \
says otherwise); for every claim that is not supported give a severity: "minor" (no clinical \
consequence), "major" (could change care) or "critical" (could harm the patient), and quote the \
deciding transcript words as evidence. Then split the REFERENCE note into atomic claims and mark \
each "omitted": true when the NOTE does not state it, with the severity of leaving it out. \
When there is no reference, answer "reference_claims": [].""",
    "content_rules": """The note was written from a template with the RULES below. For each \
rule, decide whether the NOTE obeys it (an include rule: the note covers what it names, when the \
transcript has it; an exclude rule: the note leaves it out; an instruction or style: the note \
follows it). Answer one entry per rule with its rule_id exactly as given, obeyed true or false, \
and a one-sentence reason.""",
    "rubric": """Score the NOTE on the nine PDQI-9 attributes from 1 (not at all) to 5 \
(extremely), judged against the TRANSCRIPT: accurate (free of errors), thorough (complete), \
useful (relevant to care), organised (well-formed and structured), comprehensible (clear), \
succinct (no redundancy), synthesised (shows understanding, not transcription), \
internally_consistent (no part contradicts another), free_of_bias (no judgemental or \
stigmatising language). Give each a score and a one-sentence reason.""",
}


@dataclass(frozen=True)
class ContentRule:
    """One content rule of a template: ``rule_id`` (``<section>.<n>``), its kind and text."""

    rule_id: str
    section: str | None
    kind: RuleKind
    text: str


def content_rules(expectations: AdherenceExpectations) -> tuple[ContentRule, ...]:
    """The rules a reader must check: content clauses, instructions and writing styles.

    ``contentOverride`` is split into clauses ("Include: a, b." / "Exclude: c."); each section's
    instructions and writing style, and the template-level instructions, are one rule each.
    """
    rules: list[ContentRule] = []
    for section in expectations.sections:
        texts: list[tuple[RuleKind | None, str | None]] = [
            *((None, clause) for clause in _CLAUSE.split(section.content or "") if clause),
            ("instruction", section.instructions),
            ("style", f"Writing style: {section.writing_style}" if section.writing_style else None),
        ]
        for kind, text in texts:
            if text and text.strip():
                rule_id = f"{section.key}.{sum(r.section == section.key for r in rules) + 1}"
                rules.append(ContentRule(rule_id, section.key, kind or _kind(text), text.strip()))
    if expectations.instructions:
        rules.append(ContentRule("note.1", None, "instruction", expectations.instructions.strip()))
    return tuple(rules)


def _kind(clause: str) -> RuleKind:
    return next((kind for kind, pattern in _KINDS if pattern.match(clause)), "instruction")


def note_text(sections: Sequence[GeneratedSection]) -> str:
    """A generated document as Markdown: ``## heading`` then the text, per section."""
    return "\n\n".join(f"## {s.name or s.key}\n{s.text.strip()}" for s in sections)


def task_messages(
    task: JudgeTask,
    *,
    transcript: str,
    note: str,
    reference: str | None = None,
    rules: Sequence[ContentRule] = (),
) -> list[dict[str, str]]:
    """The chat messages of one task (system: role and schema; user: task and material)."""
    schema = json.dumps(SCHEMAS[task].model_json_schema(), separators=(",", ":"))
    parts = [_TASKS[task], _fenced("TRANSCRIPT", transcript), _fenced("NOTE", note)]
    if task == "claims":
        parts.append(_fenced("REFERENCE", reference or "(no reference)"))
    if task == "content_rules":
        listed = "\n".join(f"- {r.rule_id} [{r.kind}] {r.text}" for r in rules)
        parts.append(_fenced("RULES", listed))
    return [
        {"role": "system", "content": _SYSTEM.format(schema=schema)},
        {"role": "user", "content": "\n\n".join(parts)},
    ]


def _fenced(label: str, text: str) -> str:
    return f"{label}:\n<<<\n{text.strip()}\n>>>"
