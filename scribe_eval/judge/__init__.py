"""An optional clinical judge: a model on any OpenAI-compatible chat endpoint scores each note.

Three tasks, each answered as JSON validated against a schema:

- ``claims``: the note split into claims, each supported by the transcript, unsupported or
  contradicted (with severity); the reference split into claims, each omitted or not;
- ``content_rules``: whether each ``contentOverride`` clause, instruction and writing style of
  the template was obeyed (rules from ``content_rules(expectations)``);
- ``rubric``: a PDQI-9-style 1-5 score per attribute, with the judge's reason.

::

    config = JudgeConfig(base_url="http://127.0.0.1:8080/v1", model="qwen2.5-7b-instruct",
                         api_key_env=None)
    async with JudgeClient(config) as client:
        result = await judge_note(client, JudgeInput(transcript, note, reference, rules))
    result.as_dict()["judge_unsupported_rate"]

Store judgements under ``judge_cache_key(item, config)``; record ``judge_provenance(config)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scribe_eval._lazy import lazy_exports

# Loaded on first use (PEP 562): an experiment's `judge:` settings (`_config`) do not import the
# judge's HTTP client and prompts, which only a judged run needs.
if TYPE_CHECKING:
    from scribe_eval.judge._client import JudgeClient
    from scribe_eval.judge._config import DEFAULT_KEY_ENV, JUDGE_TASKS, JudgeConfig, JudgeTask
    from scribe_eval.judge._errors import (
        JudgeError,
        JudgeHTTPError,
        JudgeOutputError,
        JudgeRefusalError,
    )
    from scribe_eval.judge._judge import (
        JudgeFailure,
        JudgeInput,
        JudgeResult,
        judge_cache_key,
        judge_note,
        judge_provenance,
    )
    from scribe_eval.judge._prompts import (
        PROMPT_VERSION,
        RUBRIC_VERSION,
        ContentRule,
        content_rules,
        note_text,
        task_messages,
    )
    from scribe_eval.judge._schema import (
        PDQI_ITEMS,
        ClaimJudgement,
        ContentRuleJudgement,
        ContentRuleVerdict,
        NoteClaim,
        ReferenceClaim,
        RubricJudgement,
        RubricScore,
    )

# Public name -> the private module defining it.
_EXPORTS: dict[str, str] = {
    "JudgeClient": "_client",
    "DEFAULT_KEY_ENV": "_config",
    "JUDGE_TASKS": "_config",
    "JudgeConfig": "_config",
    "JudgeTask": "_config",
    "JudgeError": "_errors",
    "JudgeHTTPError": "_errors",
    "JudgeOutputError": "_errors",
    "JudgeRefusalError": "_errors",
    "JudgeFailure": "_judge",
    "JudgeInput": "_judge",
    "JudgeResult": "_judge",
    "judge_cache_key": "_judge",
    "judge_note": "_judge",
    "judge_provenance": "_judge",
    "PROMPT_VERSION": "_prompts",
    "RUBRIC_VERSION": "_prompts",
    "ContentRule": "_prompts",
    "content_rules": "_prompts",
    "note_text": "_prompts",
    "task_messages": "_prompts",
    "PDQI_ITEMS": "_schema",
    "ClaimJudgement": "_schema",
    "ContentRuleJudgement": "_schema",
    "ContentRuleVerdict": "_schema",
    "NoteClaim": "_schema",
    "ReferenceClaim": "_schema",
    "RubricJudgement": "_schema",
    "RubricScore": "_schema",
}

__all__ = [  # noqa: RUF022 - plain sorted(), as tests/test_exports.py checks
    "ClaimJudgement",
    "ContentRule",
    "ContentRuleJudgement",
    "ContentRuleVerdict",
    "DEFAULT_KEY_ENV",
    "JUDGE_TASKS",
    "JudgeClient",
    "JudgeConfig",
    "JudgeError",
    "JudgeFailure",
    "JudgeHTTPError",
    "JudgeInput",
    "JudgeOutputError",
    "JudgeRefusalError",
    "JudgeResult",
    "JudgeTask",
    "NoteClaim",
    "PDQI_ITEMS",
    "PROMPT_VERSION",
    "RUBRIC_VERSION",
    "ReferenceClaim",
    "RubricJudgement",
    "RubricScore",
    "content_rules",
    "judge_cache_key",
    "judge_note",
    "judge_provenance",
    "note_text",
    "task_messages",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
