"""The gate's outputs: a table for people, JSON, Markdown (CI job summaries) and JUnit XML."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from rich.table import Table

from scribe_eval.compare._data import describe_slice
from scribe_eval.compare._evaluate import GateResult, RuleResult

_MARK = {"pass": "PASS", "fail": "FAIL", "skipped": "skip"}


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _interval(result: RuleResult) -> str:
    if result.low is None or result.high is None:
        return ""
    return f"[{result.low:+.4f}, {result.high:+.4f}]"


def _p(result: RuleResult) -> str:
    if result.p_value is None:
        return ""
    adjusted = "" if result.p_adjusted is None else f" (Holm {result.p_adjusted:.3g})"
    return f"{result.p_value:.3g}{adjusted}"


def _slice(result: RuleResult) -> str:
    return describe_slice(tuple(sorted(result.slice.items())))


def _headline(gate: GateResult) -> str:
    verdict = "PASS" if gate.passed else "REGRESSION"
    counts = {s: sum(r.status == s for r in gate.results) for s in ("pass", "fail", "skipped")}
    which = "built-in default gate" if gate.default_gate else "gate file"
    return (
        f"{verdict}: candidate {gate.candidate_id} vs baseline {gate.baseline_id} ({which}); "
        f"{counts['pass']} passed, {counts['fail']} failed, {counts['skipped']} skipped"
    )


def gate_table(gate: GateResult) -> Table:
    """A rich table: one row per rule and slice."""
    caption = "\n".join(f"Note: {w}" for w in gate.warnings) or None
    table = Table(
        title=_headline(gate), title_justify="left", caption=caption, caption_justify="left"
    )
    for column in (
        "result", "rule", "slice", "baseline", "candidate", "diff", "95% interval", "p", "why"
    ):  # fmt: skip
        table.add_column(column, overflow="fold")
    for r in gate.results:
        table.add_row(
            _MARK[r.status], r.rule, _slice(r), _fmt(r.baseline), _fmt(r.candidate),
            "" if r.difference is None else f"{r.difference:+.4f}", _interval(r), _p(r), r.reason,
        )  # fmt: skip
    return table


def gate_json(gate: GateResult) -> str:
    """The verdict and every rule result as one JSON object."""
    return json.dumps(gate.as_dict(), indent=2)


def gate_markdown(gate: GateResult) -> str:
    """A Markdown summary (for a CI job summary): headline, then one table row per result."""
    lines = [
        f"### {'✅' if gate.passed else '❌'} {_headline(gate)}",
        "",
        "| result | rule | slice | baseline | candidate | diff | 95% interval | p | why |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in gate.results:
        cells = [
            _MARK[r.status], r.rule, _slice(r), _fmt(r.baseline), _fmt(r.candidate),
            "" if r.difference is None else f"{r.difference:+.4f}", _interval(r), _p(r), r.reason,
        ]  # fmt: skip
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += [
        "",
        f"Paired bootstrap over encounters, {gate.resamples} resamples, seed {gate.seed}, "
        f"{gate.confidence:.0%} intervals; p = approximate randomization, Holm-adjusted across "
        "the gate's comparisons. A skipped rule lacked data in one of the runs, or had fewer "
        "shared encounters than the gate's min_encounters.",
    ]
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
