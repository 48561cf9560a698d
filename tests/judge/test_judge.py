"""The judge against a FAKE OpenAI-compatible server on 127.0.0.1 (tests/judge/fake_openai.py):
known claims and scores parse into known rates, malformed answers, refusals, 429s and 5xx are
retried then raised as typed errors, concurrency is bounded, and the key never reaches a log."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from scribe_eval.errors import ConfigError
from scribe_eval.judge import (
    ContentRule,
    JudgeClient,
    JudgeConfig,
    JudgeHTTPError,
    JudgeInput,
    JudgeOutputError,
    JudgeRefusalError,
    JudgeResult,
    judge_cache_key,
    judge_note,
)


def _load_fake() -> ModuleType:
    """The fake server module, loaded by path: tests are no package."""
    path = Path(__file__).with_name("fake_openai.py")
    spec = importlib.util.spec_from_file_location("fake_openai", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


fake_openai = _load_fake()
Reply = fake_openai.Reply
KEY = "sk-test-SECRET-4f9a"
TRANSCRIPT = "Doctor: Any fever? Patient: Yes, 38.5 last night. Doctor: Take paracetamol."
NOTE = "## Subjective\nFever 38.5 last night. Cough for a week.\n## Plan\nIbuprofen 400 mg."
REFERENCE = "Fever 38.5. Paracetamol advised. No cough."
RULES = (
    ContentRule("corti-subjective.1", "corti-subjective", "include", "Include: symptoms."),
    ContentRule("corti-subjective.2", "corti-subjective", "exclude", "Exclude: medications."),
)
CLAIMS = {
    "note_claims": [
        {"text": "Fever 38.5 last night", "verdict": "supported"},
        {"text": "Cough for a week", "verdict": "unsupported", "severity": "minor"},
        {"text": "Ibuprofen 400 mg", "verdict": "contradicted", "severity": "major",
         "evidence": "Take paracetamol."},
        {"text": "Seen today", "verdict": "supported"},
    ],
    "reference_claims": [
        {"text": "Fever 38.5", "omitted": False},
        {"text": "Paracetamol advised", "omitted": True, "severity": "critical"},
        {"text": "No cough", "omitted": False},
    ],
}  # fmt: skip
CONTENT = {
    "rules": [
        {"rule_id": "corti-subjective.1", "obeyed": True, "reason": "Lists the fever."},
        {"rule_id": "corti-subjective.2", "obeyed": False, "reason": "Names ibuprofen."},
    ]
}
SCORES = {
    "accurate": 2, "thorough": 3, "useful": 3, "organised": 4, "comprehensible": 5,
    "succinct": 4, "synthesised": 2, "internally_consistent": 5, "free_of_bias": 5,
}  # fmt: skip
RUBRIC = {item: {"score": score, "reason": f"{item} reason"} for item, score in SCORES.items()}
DEFAULTS = {"claims": CLAIMS, "content_rules": CONTENT, "rubric": RUBRIC}
ITEM = JudgeInput(TRANSCRIPT, NOTE, REFERENCE, RULES)


@pytest.fixture
def fake() -> Iterator[Any]:
    with fake_openai.serve_fake_openai(DEFAULTS) as server:
        yield server


class Waits:
    """A sleep that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def config(fake: Any, **changes: Any) -> JudgeConfig:
    return JudgeConfig(base_url=fake.base_url, model="fake-judge-1", **changes)


def client(fake: Any, waits: Waits | None = None, **changes: Any) -> JudgeClient:
    return JudgeClient(config(fake, **changes), api_key=KEY, sleep=waits or Waits())


async def test_known_answers_give_known_scores(fake: Any) -> None:
    async with client(fake) as judge:
        result = await judge_note(judge, ITEM)
    scores = result.as_dict()
    assert result.failures == ()
    assert scores["judge_unsupported_rate"] == 0.5
    assert scores["judge_contradicted_rate"] == 0.25
    assert scores["judge_omission_rate"] == pytest.approx(1 / 3)
    assert scores["judge_major_errors"] == 2  # the contradicted major and the critical omission
    assert scores["judge_critical_errors"] == 1
    assert scores["judge_content_rule_rate"] == 0.5
    # PDQI-9 on the 0-1 scale the scores are stored and shown on, as a cell's are: "accurate"
    # was scored 2 of 5, returned as 2 under the key whose stored values are fractions.
    assert scores["judge_pdqi_accurate"] == 0.25
    assert scores["judge_pdqi_mean"] == pytest.approx((sum(SCORES.values()) / 9 - 1) / 4)
    assert result.rubric is not None
    assert result.rubric.free_of_bias.reason == "free_of_bias reason"
    assert scores["judge"]["model"] == "fake-judge-1"
    assert {"prompt_version", "rubric_version", "temperature"} <= set(scores["judge"])
    assert sorted(r.task for r in fake.requests) == ["claims", "content_rules", "rubric"]


async def test_requests_carry_model_schema_material_and_key(fake: Any) -> None:
    async with client(fake, seed=7) as judge:
        await judge.judge_content_rules(transcript=TRANSCRIPT, note=NOTE, rules=RULES)
    (request,) = fake.requests
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = request.body
    assert (body["model"], body["temperature"], body["seed"]) == ("fake-judge-1", 0.0, 7)
    assert body["response_format"]["json_schema"]["name"] == "content_rules"
    user = body["messages"][1]["content"]
    assert "corti-subjective.2 [exclude] Exclude: medications." in user
    assert TRANSCRIPT in user
    assert NOTE.strip() in user


async def test_no_key_variable_sends_no_authorization(fake: Any) -> None:
    async with JudgeClient(config(fake, api_key_env=None)) as judge:
        await judge.judge_rubric(transcript=TRANSCRIPT, note=NOTE)
    assert "authorization" not in fake.requests[0].headers


async def test_content_rules_skipped_without_rules(fake: Any) -> None:
    async with client(fake) as judge:
        result = await judge_note(judge, JudgeInput(TRANSCRIPT, NOTE, REFERENCE))
    assert result.content_rules is None
    assert fake.calls("content_rules") == 0
    assert judge.calls == 2


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(Reply(content="The note looks fine to me."), id="prose"),
        pytest.param(Reply(content='{"note_claims": ['), id="truncated-json"),
        pytest.param(
            Reply.answer(
                {"note_claims": [{"text": "x", "verdict": "unsupported"}], "reference_claims": []}
            ),
            id="error-without-severity",
        ),
        pytest.param(
            Reply.answer(
                {"note_claims": [{"text": "x", "verdict": "maybe"}], "reference_claims": []}
            ),
            id="unknown-verdict",
        ),
    ],
)
async def test_malformed_answer_is_asked_again(fake: Any, bad: Any) -> None:
    fake.script("claims", bad)
    waits = Waits()
    async with client(fake, waits) as judge:
        claims = await judge.judge_claims(transcript=TRANSCRIPT, note=NOTE, reference=REFERENCE)
    assert claims.unsupported_rate == 0.5
    assert fake.calls("claims") == 2
    assert len(waits.waits) == 1


async def test_fenced_json_is_accepted(fake: Any) -> None:
    fake.script("rubric", Reply(content="```json\n" + json.dumps(RUBRIC) + "\n```"))
    async with client(fake) as judge:
        rubric = await judge.judge_rubric(transcript=TRANSCRIPT, note=NOTE)
    assert rubric.scores() == SCORES
    assert fake.calls("rubric") == 1


async def test_always_malformed_raises_typed_error_after_max_attempts(fake: Any) -> None:
    fake.script("rubric", *[Reply.answer({**RUBRIC, "succinct": {"score": 9, "reason": "r"}})] * 3)
    async with client(fake, max_attempts=3) as judge:
        with pytest.raises(JudgeOutputError, match=r"malformed answer: .*succinct") as caught:
            await judge.judge_rubric(transcript=TRANSCRIPT, note=NOTE)
    assert (caught.value.task, caught.value.kind, caught.value.attempts) == (
        "rubric",
        "malformed",
        3,
    )
    assert fake.calls("rubric") == 3


async def test_wrong_rule_ids_are_malformed(fake: Any) -> None:
    wrong = {"rules": [{"rule_id": "corti-subjective.1", "obeyed": True, "reason": "ok"}]}
    fake.script("content_rules", Reply.answer(wrong))
    async with client(fake) as judge:
        answer = await judge.judge_content_rules(transcript=TRANSCRIPT, note=NOTE, rules=RULES)
    assert len(answer.rules) == 2
    assert fake.calls("content_rules") == 2


async def test_refusal_is_retried_then_raised(fake: Any) -> None:
    refusal = Reply(refusal="I can't help with medical records.")
    fake.script("claims", refusal)
    async with client(fake) as judge:
        claims = await judge.judge_claims(transcript=TRANSCRIPT, note=NOTE, reference=None)
        assert len(claims.note_claims) == 4
        fake.script("claims", refusal, refusal, refusal)
        with pytest.raises(JudgeRefusalError) as caught:
            await judge.judge_claims(transcript=TRANSCRIPT, note=NOTE, reference=None)
    assert caught.value.kind == "refused"
    assert fake.calls("claims") == 5


async def test_429_waits_as_retry_after_asks(fake: Any) -> None:
    fake.script("rubric", Reply.error(429, Retry_After="3"), Reply.error(503))
    waits = Waits()
    async with client(fake, waits) as judge:
        await judge.judge_rubric(transcript=TRANSCRIPT, note=NOTE)
    assert waits.waits[0] == 3.0
    assert len(waits.waits) == 2  # the 503 waited a jittered back-off
    assert fake.calls("rubric") == 3


async def test_429_asking_too_long_stops_at_once(fake: Any) -> None:
    fake.script("rubric", Reply.error(429, Retry_After="3600"))
    async with client(fake) as judge:
        with pytest.raises(JudgeHTTPError, match="over the 60 s limit") as caught:
            await judge.judge_rubric(transcript=TRANSCRIPT, note=NOTE)
    assert (caught.value.kind, caught.value.status_code, fake.calls()) == ("rate_limited", 429, 1)


async def test_429_every_time_raises_after_max_attempts(fake: Any) -> None:
    fake.script("rubric", *[Reply.error(429, Retry_After="0")] * 2)
    async with client(fake, max_attempts=2) as judge:
        with pytest.raises(JudgeHTTPError) as caught:
            await judge.judge_rubric(transcript=TRANSCRIPT, note=NOTE)
    assert (caught.value.kind, caught.value.attempts) == ("rate_limited", 2)


async def test_401_is_not_retried_and_names_the_variable_not_the_key(fake: Any) -> None:
    fake.script("rubric", Reply.error(401))
    async with client(fake) as judge:
        with pytest.raises(JudgeHTTPError, match="SCRIBE_EVAL_JUDGE_API_KEY") as caught:
            await judge.judge_rubric(transcript=TRANSCRIPT, note=NOTE)
    assert KEY not in str(caught.value)
    assert fake.calls() == 1


async def test_server_down_is_a_transport_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = JudgeConfig(base_url=f"http://127.0.0.1:{port}/v1", model="m", max_attempts=2)
    async with JudgeClient(down, api_key=KEY, sleep=Waits()) as judge:
        with pytest.raises(JudgeHTTPError, match="no answer") as caught:
            await judge.judge_rubric(transcript=TRANSCRIPT, note=NOTE)
    assert (caught.value.kind, caught.value.attempts) == ("transport", 2)


async def test_failed_task_is_recorded_and_others_still_count(fake: Any) -> None:
    fake.script("claims", *[Reply(content="nope")] * 2)
    async with client(fake, max_attempts=2) as judge:
        result = await judge_note(judge, ITEM)
    assert result.claims is None
    assert result.rubric is not None
    assert result.content_rules is not None
    (failure,) = result.failures
    assert (failure.task, failure.kind, failure.attempts) == ("claims", "malformed", 2)
    scores = result.as_dict()
    assert scores["judge_unsupported_rate"] is None
    assert scores["judge_pdqi_mean"] is not None
    assert not result.complete


async def test_concurrency_is_bounded() -> None:
    with fake_openai.serve_fake_openai(DEFAULTS, delay=0.1) as slow:
        async with client(slow, concurrency=2) as judge:
            await asyncio.gather(*(judge_note(judge, ITEM) for _ in range(4)))
    assert slow.max_in_flight == 2
    assert slow.calls() == 12


async def test_key_and_note_never_logged(fake: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake.script("claims", Reply.error(429, Retry_After="0"), Reply(content=NOTE))
    fake.script("rubric", Reply.error(401))
    async with client(fake) as judge:
        result = await judge_note(judge, ITEM)
    assert caplog.records, "the judge logs its retries"
    stored = json.dumps(result.as_dict()) + json.dumps(result.to_cache())
    for secret in (KEY, "Cough for a week", "Ibuprofen 400"):
        assert secret not in caplog.text
        assert secret not in json.dumps([f.__dict__ for f in result.failures])
    assert KEY not in stored


async def test_cached_rejudge_makes_no_call(fake: Any) -> None:
    cache: dict[str, dict[str, Any]] = {}
    settings = config(fake)

    async def judged(judge: JudgeClient) -> JudgeResult:
        key = judge_cache_key(ITEM, settings)
        if key not in cache:
            cache[key] = (await judge_note(judge, ITEM)).to_cache()
        return JudgeResult.from_cache(cache[key])

    async with JudgeClient(settings, api_key=KEY) as first:
        before = await judged(first)
    async with JudgeClient(settings, api_key=KEY) as second:
        after = await judged(second)
    assert (first.calls, second.calls) == (3, 0)
    assert after.as_dict() == before.as_dict()


def test_cache_key_changes_with_every_input_but_not_the_endpoint() -> None:
    base = JudgeConfig(base_url="http://a.test/v1", model="m1")
    key = judge_cache_key(ITEM, base)
    assert key == judge_cache_key(JudgeInput(TRANSCRIPT, NOTE, REFERENCE, RULES), base)
    same = JudgeConfig(base_url="https://b.test/v1", model="m1", api_key_env="OTHER", timeout=5)
    assert judge_cache_key(ITEM, same) == key
    changed = [
        judge_cache_key(JudgeInput(TRANSCRIPT + ".", NOTE, REFERENCE, RULES), base),
        judge_cache_key(JudgeInput(TRANSCRIPT, NOTE + ".", REFERENCE, RULES), base),
        judge_cache_key(JudgeInput(TRANSCRIPT, NOTE, None, RULES), base),
        judge_cache_key(JudgeInput(TRANSCRIPT, NOTE, REFERENCE, RULES[:1]), base),
        judge_cache_key(ITEM, JudgeConfig(base_url="http://a.test/v1", model="m2")),
        judge_cache_key(ITEM, JudgeConfig(base_url="http://a.test/v1", model="m1", seed=1)),
    ]
    assert key not in changed
    assert len(set(changed)) == len(changed)


def test_cache_key_changes_with_prompt_version(monkeypatch: pytest.MonkeyPatch) -> None:
    import scribe_eval.judge._judge as judge_module

    settings = JudgeConfig(base_url="http://a.test/v1", model="m1")
    key = judge_cache_key(ITEM, settings)
    monkeypatch.setattr(judge_module, "PROMPT_VERSION", "next")
    assert judge_cache_key(ITEM, settings) != key


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"base_url": "http://x/v1", "model": "m", "apikey": "k"}, "Extra inputs"),
        ({"base_url": "http://u:p@x/v1", "model": "m"}, "no credentials in base_url"),
        ({"base_url": "x.test/v1", "model": "m"}, "not an http"),
        ({"base_url": "http://x/v1", "model": "m", "concurrency": 0}, "greater than or equal"),
        ({"base_url": "http://x/v1", "model": "m", "tasks": ["vibes"]}, "claims"),
    ],
)
def test_config_rejects_bad_blocks(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        JudgeConfig.model_validate(data)


def test_config_reads_key_from_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = JudgeConfig(base_url="http://x/v1/", model="m", api_key_env="SCRIBE_EVAL_JUDGE_K")
    assert settings.base_url == "http://x/v1"
    with pytest.raises(ConfigError, match="SCRIBE_EVAL_JUDGE_K, which is not set"):
        settings.api_key()
    monkeypatch.setenv("SCRIBE_EVAL_JUDGE_K", KEY)
    assert settings.api_key() == KEY
    assert KEY not in json.dumps(settings.settings())
