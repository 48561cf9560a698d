"""The gate's outputs: a table for people, JSON, Markdown (CI job summaries) and JUnit XML."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from rich.table import Table

from scribe_eval.compare._data import describe_slice
from scribe_eval.compare._result import GateResult, RuleResult
from scribe_eval.metrics import fmt_change, fmt_figure, fmt_interval
from scribe_eval.stats import MIN_ENCOUNTERS_FOR_INTERVAL

_MARK = {
    "pass": "PASS", "fail": "FAIL", "undecided": "UNDECIDED", "skipped": "skipped",
    "unchanged": "unchanged",
}  # fmt: skip
_HEADLINE = {"pass": "PASS", "fail": "REGRESSION", "inconclusive": "INCONCLUSIVE"}
_EMOJI = {"pass": "✅", "fail": "❌", "inconclusive": "⚠️"}
_COLUMNS = (
    "result", "rule", "slice", "n", "baseline", "candidate", "diff", "interval", "p",
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
    if result.p_value is None:
        return ""
    return "<0.001" if result.p_value < 0.001 else f"{result.p_value:.3g}"


def _row(r: RuleResult) -> list[str]:
    return [
        _mark(r), r.rule, _slice(r), "" if r.n is None else str(r.n),
        _fmt(r, r.baseline), _fmt(r, r.candidate), fmt_difference(r),
        _interval(r), _p(r), r.reason,
    ]  # fmt: skip


def _mark(result: RuleResult) -> str:
    return "accepted" if result.accepted else _MARK[result.status]


def _slice(result: RuleResult) -> str:
    return describe_slice(tuple(sorted(result.slice.items())))


def headline(gate: GateResult) -> str:
    """The verdict in one line: PASS, REGRESSION or INCONCLUSIVE, the row counts, and what
    leaves the rollout unproven (incomplete runs, undecided slices), or the accepted ones."""
    text = f"{_HEADLINE[gate.verdict]}: {tally(gate)}"
    if gate.not_proven:
        lead = "also not proven safe" if gate.verdict == "fail" else "not proven safe"
        text += f"; {lead}: " + "; ".join(gate.not_proven)
    if gate.accepted:
        n = len(gate.accepted)
        text += (
            f"; {n} small slice{'' if n == 1 else 's'} accepted undecided (the gate file's "
            "accept_small_slices)"
        )
    return text


def tally(gate: GateResult) -> str:
    """Which runs were compared under which gate, and how many rows ended how: the headline
    without its verdict (the report's banner says that)."""
    counts = {s: sum(r.status == s for r in gate.results) for s in _MARK}
    which = "built-in default gate" if gate.default_gate else "gate file"
    undecided = f", {len(gate.undecided)} undecided" if gate.undecided else ""
    return (
        f"candidate {gate.candidate_id} vs baseline {gate.baseline_id} ({which}); "
        f"{counts['pass']} passed, {counts['fail']} failed{undecided}, "
        f"{counts['unchanged']} unchanged, {counts['skipped']} skipped"
    )


def method_note(gate: GateResult) -> str:
    """How every number of the gate was computed, in one paragraph."""
    return (
        f"Values in points (0-100; an error rate such as WER passes 100 when there are more errors "
        "than reference words); a diff is the difference of the two values as shown, each row "
        "was decided on the exact ones. Every row is measured on the cells both runs have in its "
        "slice (same encounter, template, language and source), so a template in one run only "
        "never enters a value. Paired bootstrap over the encounters of the cells both runs "
        f"scored, {gate.resamples} resamples, seed {gate.seed}; each row's interval (at "
        f"{gate.confidence * 100:g}%) and p-value come from the same resamples, p the exact "
        "inverse of the interval (below 1 - confidence exactly when it excludes 0); "
        f"{gate.adjustment}. Non-inferiority fails when the row's interval, as shown, cannot "
        "rule out a loss larger than the margin. An unchanged slice (same "
        "request, target identity and stored answers) is not a hypothesis and cannot fail. A "
        "changed slice the data cannot decide is undecided: fewer shared encounters than "
        f"min_encounters (never fewer than {MIN_ENCOUNTERS_FOR_INTERVAL}: too few for an "
        "interval; the row says how many), or no score in a run; an undecided slice or an "
        "incomplete run makes the verdict inconclusive (exit code 3), never a pass"
        f"{_acceptance(gate)}. A skipped row had nothing to compare (cells in one run only, a "
        "metric neither run measures there). A rate limit counts cells, so it is judged on any "
        "number of them. Template * is the transcripts, which every template of an encounter "
        "shares."
    )


def _acceptance(gate: GateResult) -> str:
    if not gate.accept_small_slices:
        return ""
    return (
        " (this gate file sets accept_small_slices: a slice undecided only for too few "
        "encounters is accepted, listed as such)"
    )


def gate_table(gate: GateResult) -> Table:
    """A rich table: one row per rule and slice."""
    caption = "\n".join([method_note(gate), *(f"Note: {w}" for w in gate.warnings)])
    table = Table(
        title=headline(gate), title_justify="left", caption=caption, caption_justify="left"
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
        f"### {_EMOJI[gate.verdict]} {headline(gate)}",
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
    """JUnit XML: one test case per rule and slice (failed rules fail, skipped rules skip), an
    undecided slice an error (it could not be decided; an accepted one is skipped), and one
    error case per incomplete run."""
    undecided = len(gate.undecided) + len(gate.incomplete)
    suite = ET.Element(
        "testsuite",
        name=f"scribe-eval gate {gate.candidate_id} vs {gate.baseline_id}",
        tests=str(len(gate.results) + len(gate.incomplete)),
        failures=str(len(gate.failures)),
        errors=str(undecided),
        skipped=str(sum(r.status == "skipped" or r.accepted for r in gate.results)),
    )
    for why in gate.incomplete:
        case = ET.SubElement(suite, "testcase", classname="run completeness", name=why)
        ET.SubElement(case, "error", type="incomplete", message=why).text = why
    for r in gate.results:
        case = ET.SubElement(suite, "testcase", classname=r.rule, name=_slice(r))
        if r.status == "fail":
            ET.SubElement(case, "failure", message=r.reason).text = r.reason
        elif r.status == "skipped" or r.accepted:
            ET.SubElement(case, "skipped", message=r.reason)
        elif r.status == "undecided":
            ET.SubElement(case, "error", type="undecided", message=r.reason).text = r.reason
        else:
            ET.SubElement(case, "system-out").text = r.reason
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
