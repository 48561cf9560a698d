from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from scribe_eval.cli import main
from scribe_eval.compare import (
    Gate,
    GateResult,
    LimitRule,
    MetricRule,
    RuleResult,
    evaluate_gate,
    load_gate,
)
from scribe_eval.errors import ConfigError
from scribe_eval.store import RunStore

MakeRun = Callable[..., str]


def _gate(store: RunStore, a: str, b: str, gate: Gate | None = None) -> GateResult:
    return evaluate_gate(store, store.get_run(a), store.get_run(b), gate)


def test_a_run_compared_with_itself_passes_with_intervals_covering_zero(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("base")
    result = _gate(store, "base", "base")
    assert result.passed
    compared = [r for r in result.results if r.kind == "non-inferiority"]
    assert {r.metric for r in compared} == {"wer", "rougeLsum_f", "fact_recall"}
    # A run against itself: every slice is unchanged, so nothing is a hypothesis.
    assert {r.status for r in compared} == {"unchanged"}
    assert result.family == 0
    for r in compared:
        assert r.difference == 0


def test_a_noisy_rerun_is_decided_with_intervals_covering_zero(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("base")
    make_run("again", noise_seed=1, versions={"soap": "v2", "brief": "v2"}, wer_factor=1.01)
    result = _gate(store, "base", "again")
    assert result.passed
    decided = [r for r in result.results if r.kind == "non-inferiority" and r.status == "pass"]
    assert {(r.metric, r.slice.get("template")) for r in decided} >= {
        ("rougeLsum_f", "soap"),
        ("rougeLsum_f", "brief"),
        ("wer", None),
    }
    assert result.family == len(decided)
    for r in decided:
        assert r.low is not None
        assert r.high is not None
        assert r.low <= 0 <= r.high
        assert not r.significant
        if r.metric != "wer":  # WER errors round to the same counts: "identical"
            assert "no significant difference" in r.verdict


def test_a_planted_regression_beyond_the_margin_fails(store: RunStore, make_run: MakeRun) -> None:
    make_run("base")
    make_run("worse", rouge_shift=-0.05, noise_seed=1)
    result = _gate(store, "base", "worse")
    assert not result.passed
    failed = {(r.metric, r.slice["template"]) for r in result.failures}
    assert failed == {(m, t) for m in ("rougeLsum_f", "fact_recall") for t in ("soap", "brief")}
    assert all(r.slice["language"] == "en" for r in result.failures)
    for r in (r for r in result.failures if r.metric == "rougeLsum_f"):
        # One coherent statistic: the interval excludes zero, so the row says so and p agrees.
        assert r.high is not None
        assert r.high < 0
        assert r.significant
        assert r.p_value is not None
        assert r.p_value < 0.05
        assert r.verdict.startswith(("worse by 5.0 points", "worse by 5.1 points", "worse by 4.9"))


def test_a_regression_within_the_margin_passes(store: RunStore, make_run: MakeRun) -> None:
    make_run("base")
    make_run("slightly", rouge_shift=-0.005, noise_seed=1)
    result = _gate(store, "base", "slightly")
    assert result.passed
    rouge = next(r for r in result.results if r.metric == "rougeLsum_f")
    assert rouge.difference is not None
    assert rouge.difference == pytest.approx(-0.005, abs=0.002)


def test_wer_regression_is_caught_and_direction_is_right(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("base")
    make_run("deaf", wer_factor=3.0)
    make_run("sharp", wer_factor=0.2)
    assert any(r.metric == "wer" for r in _gate(store, "base", "deaf").failures)
    assert _gate(store, "base", "sharp").passed


def test_a_shifted_seed_gives_the_same_decisions(store: RunStore, make_run: MakeRun) -> None:
    make_run("base")
    make_run("worse", rouge_shift=-0.05, noise_seed=1)
    make_run("slightly", rouge_shift=-0.005, noise_seed=1)
    for seed in (1, 2, 3):
        gate = Gate(rules=[MetricRule(metric="rougeL_f", margin=2)], seed=seed)
        assert not _gate(store, "base", "worse", gate).passed
        assert _gate(store, "base", "slightly", gate).passed


def test_error_rate_limits(store: RunStore, make_run: MakeRun) -> None:
    make_run("base")
    make_run("flaky", errors=8)
    result = _gate(store, "base", "flaky")
    failed = [r for r in result.failures if r.metric == "error_rate"]
    assert len(failed) == 1
    assert failed[0].slice == {"language": "en", "source": "asr", "template": "soap"}
    assert failed[0].candidate == pytest.approx(8 / 40)
    absolute = Gate(rules=[LimitRule(limit="error_rate", max=25)])
    assert _gate(store, "base", "flaky", absolute).passed
    strict = Gate(rules=[LimitRule(limit="error_rate", max=5, by=["language"])])
    (pooled,) = _gate(store, "base", "flaky", strict).results[:1]
    assert pooled.status == "fail"
    assert pooled.candidate == pytest.approx(8 / 120)


def test_rules_without_data_are_skipped_not_failed(store: RunStore, make_run: MakeRun) -> None:
    make_run("base")
    gate = Gate(
        rules=[
            MetricRule(metric="section_coverage", margin=1),
            MetricRule(metric="rougeL_f", margin=1, where={"language": "de"}),
        ]
    )
    result = _gate(store, "base", "base", gate)
    assert result.passed
    assert [r.status for r in result.results] == ["skipped", "skipped"]


def test_changed_slices_with_too_few_encounters_are_undecided_not_passed(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("base")
    make_run("worse", rouge_shift=-0.05, noise_seed=1)
    gate = Gate(rules=[MetricRule(metric="rougeL_f", margin=2)], min_encounters=41)
    result = _gate(store, "base", "worse", gate)
    assert not result.passed
    assert result.verdict == "inconclusive"
    assert {r.status for r in result.results} == {"undecided"}
    assert "needs at least 41" in result.results[0].reason
    assert result.not_proven == ["2 changed slices undecided (2 too few encounters)"]


def test_incomparable_runs_are_refused_unless_forced(store: RunStore, make_run: MakeRun) -> None:
    make_run("base")
    make_run("other", tokenizer="rouge-score")
    with pytest.raises(ConfigError, match=r"tokenizers differ \(unicode vs rouge-score\)"):
        _gate(store, "base", "other")
    forced = evaluate_gate(store, store.get_run("base"), store.get_run("other"), force=True)
    assert forced.forced_differences


def test_gate_file_errors_carry_lines(tmp_path: Path) -> None:
    path = tmp_path / "gate.yaml"
    path.write_text(
        "rules:\n  - metric: rougeL_f\n    margin: 2\n  - metric: bleu\n    margin: 1\n"
    )
    with pytest.raises(ConfigError, match=r"gate.yaml:4: .*unknown metric 'bleu'"):
        load_gate(path)


def test_cli_exit_codes_and_outputs(store: RunStore, make_run: MakeRun, tmp_path: Path) -> None:
    make_run("base")
    make_run("again")
    make_run("worse", rouge_shift=-0.05, noise_seed=1)
    runs_dir = str(store.runs_dir)
    runner = CliRunner()
    ok = runner.invoke(main, ["compare", "base", "again", "--runs-dir", runs_dir, "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["verdict"] == "pass"
    # A ROUGE row's values are fractions, and the row says so (it said "points" over 0.45).
    rouge_row = next(r for r in json.loads(ok.output)["rules"] if r["metric"] == "rougeLsum_f")
    assert (rouge_row["unit"], rouge_row["shown_in"]) == ("fraction", "points")
    assert 0 < rouge_row["baseline"] < 1
    itself = runner.invoke(main, ["compare", "base", "base", "--runs-dir", runs_dir, "--json"])
    assert itself.exit_code == 1, itself.output  # proves nothing: never a pass
    # The wrong way round (the candidate started first), a loss reads as a gain: said, once.
    swapped = runner.invoke(main, ["compare", "worse", "base", "--runs-dir", runs_dir, "--json"])
    assert swapped.stderr.count("was started before the baseline") == 1, swapped.stderr
    assert "Warning" not in ok.stderr
    junit = tmp_path / "gate.xml"
    bad = runner.invoke(
        main,
        ["compare", "base", "worse", "--runs-dir", runs_dir, "--markdown", "--junit", str(junit)],
    )
    assert bad.exit_code == 2, bad.output
    assert "REGRESSION" in bad.output
    assert "| FAIL | ROUGE-Lsum non-inferiority (margin 2 points)" in bad.output
    # Points, one decimal, a true minus sign; each row's diff is its shown candidate minus its
    # shown baseline (45.8 and 40.7 print −5.1, though the exact −5.02 rounds to −5.0).
    rows = [line.split(" | ") for line in bad.output.splitlines() if "non-inferiority" in line]
    assert rows
    assert "| 45.8 | 40.7 | −5.1 | [−" in bad.output
    for row in rows:
        base, cand, diff = (float(x.replace("−", "-").replace("±", "")) for x in row[4:7])
        assert round(cand - base, 1) == diff, row
    assert "no multiplicity adjustment" in bad.output
    assert "(an intersection-union test)" in bad.output
    assert "| p | why |" in bad.output
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "4"
    store.bless("base", "prod")
    named = runner.invoke(main, ["compare", "--baseline", "prod", "worse", "--runs-dir", runs_dir])
    assert named.exit_code == 2
    broken = runner.invoke(main, ["compare", "base", "nope", "--runs-dir", runs_dir])
    assert broken.exit_code == 1
    assert "Error: no run or baseline named 'nope'" in broken.output


def test_a_candidate_that_scores_nothing_does_not_pass(store: RunStore, make_run: MakeRun) -> None:
    make_run("base")
    make_run("blind")
    for cell in store.cells("blind"):
        if cell.kind == "document":
            unscored = {"unscored": "no reference note of type 'soapp'"}
            store.put_cell(cell.model_copy(update={"scores": unscored}))
    result = _gate(store, "base", "blind")
    assert not result.passed
    failed = [r for r in result.failures if r.metric == "unscored_rate"]
    assert {r.slice["template"] for r in failed} == {"soap", "brief"}
    assert all(r.candidate == 1.0 for r in failed)


def test_warnings_say_what_a_passing_verdict_hides(store: RunStore, make_run: MakeRun) -> None:
    make_run("base")
    assert _gate(store, "base", "base").warnings == (
        "baseline and candidate are the same run: the gate passes trivially",
    )
    make_run("fewer")
    for cell in store.cells("fewer"):
        if cell.template_label == "brief":
            store.put_cell(cell.model_copy(update={"template_label": "brief-v2"}))
    listed = [r for r in _gate(store, "base", "fewer").results if r.metric == "template"]
    assert [(r.slice["template"], r.status) for r in listed] == [
        ("brief", "skipped"),
        ("brief-v2", "skipped"),
    ]
    assert "only in the baseline" in listed[0].reason
    assert "only in the candidate" in listed[1].reason


def test_one_degraded_template_among_three_fails_on_that_template_only(
    store: RunStore, make_run: MakeRun
) -> None:
    three = ("soap", "brief", "telegraphic")
    make_run("base", templates=three)
    make_run("cand", templates=three, shifts={"telegraphic": -0.04}, versions={"telegraphic": "v2"})
    result = _gate(store, "base", "cand")
    assert not result.passed
    # -4 points of fact recall stay within its 5-point margin; ROUGE-Lsum's 2 points do not.
    assert {(r.metric, r.slice["template"]) for r in result.failures} == {
        ("rougeLsum_f", "telegraphic"),
    }
    same = {r.slice.get("template") for r in result.results if r.status == "unchanged"}
    # None: WER, shared by every template; "*": the transcripts' error rate.
    assert same == {"soap", "brief", None, "*"}
    assert result.family == 2  # only the changed template's rows are hypotheses


def test_pooling_templates_per_language_hides_what_the_per_template_gate_catches(
    store: RunStore, make_run: MakeRun
) -> None:
    three = ("soap", "brief", "telegraphic")
    make_run("base", templates=three)
    make_run("cand", templates=three, shifts={"telegraphic": -0.04}, versions={"telegraphic": "v2"})
    pooled = Gate(rules=[MetricRule(metric="rougeLsum_f", margin=2, by=["language"])])
    assert _gate(store, "base", "cand", pooled).passed  # -1.3 points pooled: within the margin
    assert not _gate(store, "base", "cand").passed


def test_a_dropped_template_passes(store: RunStore, make_run: MakeRun) -> None:
    make_run("base", templates=("soap", "brief", "telegraphic"), errors=4)
    make_run("cand", templates=("soap", "brief"), errors=4)
    result = _gate(store, "base", "cand")
    assert result.passed, [r.reason for r in result.failures]
    listed = [r for r in result.results if r.metric == "template"]
    assert [(r.slice["template"], r.status) for r in listed] == [("telegraphic", "skipped")]


def test_a_large_sure_regression_on_eight_encounters_is_detected(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("base", encounters=8)
    make_run("cand", encounters=8, shifts={"soap": -0.06}, versions={"soap": "v2"})
    result = _gate(store, "base", "cand")
    (row,) = [r for r in result.failures if r.metric == "rougeLsum_f"]
    assert row.slice["template"] == "soap"
    assert row.n == 8
    assert row.significant
    assert row.high is not None
    assert row.high < 0
    assert "no significant difference" not in row.reason


def test_limit_rules_are_named_by_label_not_by_stored_key() -> None:
    names = {
        LimitRule(limit="error_rate", max_increase=2).name,
        LimitRule(limit="unscored_rate", max=5).name,
        LimitRule(limit="fact_recall", min=60).name,
        LimitRule(limit="p95_latency_ms", max=900).name,
    }
    assert names == {
        "Failed cells max + 2 points",
        "Unscored notes max 5 points",
        "Fact recall min 60 points",
        "p95 latency (document) max 900 ms",
    }
    assert not any("_" in name for name in names)


@pytest.mark.parametrize("min_encounters", [2, 3])
def test_a_slice_of_two_encounters_is_undecided_with_its_count_whatever_min_encounters_says(
    store: RunStore, make_run: MakeRun, min_encounters: int
) -> None:
    # Two encounters give no interval anywhere in the report: the gate decides nothing on them
    # either (a gate file's min_encounters: 2 acts as 3), and says why and on how many.
    make_run("base", encounters=2)
    make_run("worse", encounters=2, shifts={"soap": -0.2}, versions={"soap": "v2"})
    gate = Gate(rules=[MetricRule(metric="rougeL_f", margin=2)], min_encounters=min_encounters)
    result = _gate(store, "base", "worse", gate)
    (row,) = [r for r in result.results if r.slice.get("template") == "soap"]
    assert row.status == "undecided"
    assert row.reason.startswith("only 2 encounters in both runs: too few for an interval")
    assert result.family == 0
    assert result.verdict == "inconclusive"
    make_run("base3", encounters=3)
    make_run("worse3", encounters=3, shifts={"soap": -0.2}, versions={"soap": "v2"})
    decided = _gate(store, "base3", "worse3", gate).results
    (row,) = [r for r in decided if r.slice.get("template") == "soap"]
    assert row.status == "fail"


def test_a_rise_is_judged_on_any_number_of_shared_encounters(
    store: RunStore, make_run: MakeRun
) -> None:
    # A rate is counted, not estimated: a template whose every cell fails in a language of two
    # visits must fail the gate (skipping it as "too few for an interval" let it pass).
    make_run("base", encounters=2)
    make_run("broken", encounters=2, errors=2)  # every soap cell failed: 0% -> 100%
    rise = Gate(rules=[LimitRule(limit="error_rate", max_increase=2)])
    (row,) = [r for r in _gate(store, "base", "broken", rise).results if r.status != "unchanged"]
    assert row.slice == {"language": "en", "source": "asr", "template": "soap"}
    assert row.status == "fail"
    assert row.n == 2
    assert "rose by 100.0 points (from 0.0% to 100.0%)" in row.reason
    both = Gate(rules=[LimitRule(limit="error_rate", max=5, max_increase=2)])
    (row,) = [r for r in _gate(store, "base", "broken", both).results if r.status != "unchanged"]
    assert row.status == "fail"
    assert "100.0% is above the maximum 5.0%" in row.reason


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        pytest.param(
            LimitRule(limit="error_rate", max=4.99),
            "5.00% is above the maximum 4.99%",
            id="max",
        ),
        pytest.param(
            LimitRule(limit="error_rate", max_increase=4.99),
            "rose by 5.00 points (from 0.0% to 5.0%) on the cells both runs have, more than the "
            "4.99 points allowed",
            id="max-increase",
        ),
    ],
)
def test_a_limit_reason_never_reads_as_a_tie_with_its_limit(
    store: RunStore, make_run: MakeRun, rule: LimitRule, text: str
) -> None:
    # 2 failed cells of 40 are 5.0%; shown to one decimal, the 4.99 limit read "5.0" too:
    # "5.0% is above the maximum 5.0%". The pair is printed as the decision ordered it.
    make_run("base")
    make_run("flaky", errors=2)
    results = _gate(store, "base", "flaky", Gate(rules=[rule])).results
    (row,) = [r for r in results if r.slice.get("template") == "soap"]
    assert row.status == "fail"
    assert text in row.reason, row.reason


def _row(result: GateResult, metric: str, template: str) -> RuleResult:
    (row,) = [r for r in result.results if r.metric == metric and r.slice["template"] == template]
    return row


def _just_passing(store: RunStore, a: str, b: str, metric: str, where: dict[str, str]) -> float:
    """A margin in points just beyond the worse bound of the row's interval on its own."""
    alone = _gate(store, a, b, Gate(rules=[MetricRule(metric=metric, margin=50, where=where)]))
    (row,) = [r for r in alone.results if r.status == "pass"]
    assert row.low is not None
    return -row.low * 100 + 0.005


def test_unrelated_rules_never_move_a_row_or_the_verdict(
    store: RunStore, make_run: MakeRun
) -> None:
    # The gate passes only when every row passes (an intersection-union test): a row is decided
    # on its own interval, so rules about other metrics and templates leave it as it was.
    make_run("base")
    make_run("cand", shifts={"soap": -0.05}, versions={"soap": "v2", "brief": "v2"}, noise_seed=1)
    soap = {"template": "soap"}
    margin = _just_passing(store, "base", "cand", "rougeLsum_f", soap)
    rule = MetricRule(metric="rougeLsum_f", margin=margin, where=soap)
    alone = _gate(store, "base", "cand", Gate(rules=[rule]))
    unrelated = [
        MetricRule(metric="rougeL_f", margin=50, where=soap),
        MetricRule(metric="fact_recall", margin=50, where=soap),
        MetricRule(metric="rougeLsum_f", margin=50, where={"template": "brief"}),
    ]
    more = _gate(store, "base", "cand", Gate(rules=[rule, *unrelated]))
    assert (alone.family, more.family) == (1, 4)
    assert alone.verdict == more.verdict == "pass"
    before, after = _row(alone, "rougeLsum_f", "soap"), _row(more, "rougeLsum_f", "soap")
    assert (after.low, after.high, after.p_value) == (before.low, before.high, before.p_value)
    assert after.confidence == before.confidence == 0.95
    assert after.reason == before.reason


def test_another_changed_template_never_moves_a_row_or_the_verdict(
    store: RunStore, make_run: MakeRun
) -> None:
    three = ("soap", "brief", "telegraphic")
    # telegraphic draws its own noise, so soap and brief have the same values in both pairs.
    make_run("base2", own_noise=("telegraphic",))
    changed = {"shifts": {"soap": -0.05}, "noise_seed": 1, "own_noise": ("telegraphic",)}
    make_run("cand2", versions={"soap": "v2"}, **changed)
    make_run("base3", templates=three, own_noise=("telegraphic",))
    make_run("cand3", templates=three, versions={"soap": "v2", "telegraphic": "v2"}, **changed)
    margin = _just_passing(store, "base2", "cand2", "rougeLsum_f", {"template": "soap"})
    gate = Gate(rules=[MetricRule(metric="rougeLsum_f", margin=margin)])
    two, three_templates = (
        _gate(store, "base2", "cand2", gate),
        _gate(store, "base3", "cand3", gate),
    )
    assert (two.family, three_templates.family) == (2, 3)
    assert two.verdict == three_templates.verdict == "pass"
    before, after = _row(two, "rougeLsum_f", "soap"), _row(three_templates, "rougeLsum_f", "soap")
    assert (after.low, after.high, after.p_value) == (before.low, before.high, before.p_value)


def test_a_limit_that_bounds_fact_recall_from_above_is_refused(tmp_path: Path) -> None:
    """Fact recall is higher-is-better: a ``max_increase`` on it bounded a *rise*, so a candidate
    that lost 30 points of fact recall passed it ("from 75.8% to 45.8% ...: within the rise of
    2.0 points allowed", exit 0). The gate file is refused, naming what bounds a loss."""
    path = tmp_path / "gate.yaml"
    path.write_text("rules:\n  - limit: fact_recall\n    max_increase: 2\n")
    with pytest.raises(ConfigError, match=r"gate.yaml:2: .*higher is better.*min.*margin"):
        load_gate(path)
    with pytest.raises(ValidationError, match="higher is better"):
        LimitRule(limit="fact_recall", max=90)
    assert LimitRule(limit="fact_recall", min=50).min == 50
