"""The gate's outputs: a table for people, JSON, Markdown (CI job summaries) and JUnit XML."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from rich.table import Table

from scribe_eval.compare._data import describe_slice
from scribe_eval.compare._result import GateResult, RuleResult
from scribe_eval.metrics import fmt_change, fmt_figure, fmt_interval
from scribe_eval.stats import MIN_ENCOUNTERS_FOR_INTERVAL

_MARK = {"pass": "PASS", "fail": "FAIL", "skipped": "skip", "unchanged": "same"}
_COLUMNS = (
    "result", "rule", "slice", "n", "baseline", "candidate", "diff", "interval", "p (adj.)",
    "why",
)  # fmt: skip


def _fmt(result: RuleResult, value: float | None) -> str:
    """A figure in its row's unit, as the catalogue shows it (points, counts, ms)."""
    return "" if value is None else fmt_figure(value, result.unit)


def fmt_difference(result: RuleResult) -> str:
    """A row's candidate - baseline as shown beside its two values: the difference of the shown
    values (`scribe_eval.metrics.fmt_change`), so the table's arithmetic agrees with itself;
    empty when the row has no difference. The row was decided on the exact one."""
    if result.difference is None or result.baseline is None or result.candidate is None:
        return ""
    return fmt_change(result.baseline, result.candidate, result.unit)


def _interval(result: RuleResult) -> str:
    return fmt_interval(result.low, result.high)


def _p(result: RuleResult) -> str:
    if result.p_adjusted is None:
        return ""
    return "<0.001" if result.p_adjusted < 0.001 else f"{result.p_adjusted:.3g}"


def _row(r: RuleResult) -> list[str]:
    return [
        _MARK[r.status], r.rule, _slice(r), "" if r.n is None else str(r.n),
        _fmt(r, r.baseline), _fmt(r, r.candidate), fmt_difference(r),
        _interval(r), _p(r), r.reason,
    ]  # fmt: skip


def _slice(result: RuleResult) -> str:
    return describe_slice(tuple(sorted(result.slice.items())))


def _headline(gate: GateResult) -> str:
    verdict = "PASS" if gate.passed else "REGRESSION"
    counts = {s: sum(r.status == s for r in gate.results) for s in _MARK}
    which = "built-in default gate" if gate.default_gate else "gate file"
    return (
        f"{verdict}: candidate {gate.candidate_id} vs baseline {gate.baseline_id} ({which}); "
        f"{counts['pass']} passed, {counts['fail']} failed, {counts['unchanged']} unchanged, "
        f"{counts['skipped']} skipped"
    )


def method_note(gate: GateResult) -> str:
    """How every number of the gate was computed, in one paragraph."""
    return (
        f"Values in points (0-100); a diff is the difference of the two values as shown, each row "
        f"was decided on the exact ones. Paired bootstrap over the encounters both runs scored, "
        f"{gate.resamples} resamples, seed {gate.seed}; each row's interval and p-value come "
        f"from the same resamples; {gate.adjustment}. Non-inferiority fails when "
        "the interval cannot rule out a loss larger than the margin. An unchanged slice (same "
        "request, target identity and stored answers) is not a hypothesis and cannot fail; a "
        "skipped margin lacked data in one run or had fewer shared encounters than "
        f"min_encounters (never fewer than {MIN_ENCOUNTERS_FOR_INTERVAL}: too few for an "
        "interval; the row says how many). A rate limit counts cells, so it is judged on any "
        "number of them."
    )


def gate_table(gate: GateResult) -> Table:
    """A rich table: one row per rule and slice."""
    caption = "\n".join([method_note(gate), *(f"Note: {w}" for w in gate.warnings)])
    table = Table(
        title=_headline(gate), title_justify="left", caption=caption, caption_justify="left"
    )
    for column in _COLUMNS:
        table.add_column(column, overflow="fold")
    for r in gate.ordered:
        table.add_row(*_row(r))
    return table


def gate_json(gate: GateResult) -> str:
    """The verdict and every rule result as one JSON object."""
    return json.dumps(gate.as_dict(), indent=2)


def gate_markdown(gate: GateResult) -> str:
    """A Markdown summary (for a CI job summary): headline, then one table row per result."""
    lines = [
        f"### {'✅' if gate.passed else '❌'} {_headline(gate)}",
        "",
        "| " + " | ".join(_COLUMNS) + " |",
        "|" + "---|" * len(_COLUMNS),
    ]
    for r in gate.ordered:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in _row(r)) + " |")
    lines += ["", method_note(gate)]
    if gate.forced_differences:
        lines.append("Compared with --force despite: " + "; ".join(gate.forced_differences))
    lines += [f"**Note:** {warning}" for warning in gate.warnings]
    return "\n".join(lines) + "\n"


def gate_junit(gate: GateResult) -> str:
    """JUnit XML: one test case per rule and slice (failed rules fail, skipped rules skip)."""
    suite = ET.Element(
        "testsuite",
        name=f"scribe-eval gate {gate.candidate_id} vs {gate.baseline_id}",
        tests=str(len(gate.results)),
        failures=str(sum(r.status == "fail" for r in gate.results)),
        skipped=str(sum(r.status == "skipped" for r in gate.results)),
    )
    for r in gate.results:
        case = ET.SubElement(suite, "testcase", classname=r.rule, name=_slice(r))
        if r.status == "fail":
            ET.SubElement(case, "failure", message=r.reason).text = r.reason
        elif r.status == "skipped":
            ET.SubElement(case, "skipped", message=r.reason)
        else:
            ET.SubElement(case, "system-out").text = r.reason
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
