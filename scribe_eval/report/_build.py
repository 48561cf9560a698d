"""Build a report folder: ``index.html``, ``compare.html``, ``trend.html`` and the encounters.

Jinja2 renders with autoescape on and StrictUndefined; the stylesheet and script are read from
this package and inlined, so every page opens offline from ``file://`` and names no URL.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from scribe_eval.compare import RunData, load_run_data
from scribe_eval.errors import ConfigError
from scribe_eval.report._audit import audit_table
from scribe_eval.report._compare import CompareView, compare_view
from scribe_eval.report._leaderboard import Shown, note_leaderboards, transcript_summaries
from scribe_eval.report._metrics import (
    HEADLINE,
    NOTE_METRICS,
    fmt,
    fmt_diff,
    fmt_interval,
    fmt_metric,
    fmt_metric_interval,
    fmt_p,
    fmt_row_difference,
    fmt_slice,
    fmt_value,
    fmt_value_change,
    is_number,
    leader_columns,
    note_metrics_for,
)
from scribe_eval.report._overview import (
    encounter_rows,
    failures,
    note_distributions,
    slice_columns,
    slice_rows,
    status_counts,
    templates_in_order,
    wer_distribution,
)
from scribe_eval.report._pages import write_pages
from scribe_eval.report._svg import heat_style
from scribe_eval.report._trend import trend_series
from scribe_eval.store import RunRecord, RunStore, runner_gone, utc_now

_SECRET = re.compile(r"secret|token|password|credential|api[_-]?key", re.IGNORECASE)


def build_report(
    store: RunStore,
    run: RunRecord,
    out_dir: Path,
    *,
    compare_with: RunRecord | None = None,
    no_text: bool = False,
) -> Path:
    """Write the report of ``run`` into ``out_dir`` and return the path of its ``index.html``.

    With ``compare_with`` (the baseline run) a ``compare.html`` is added; with ``no_text`` the
    report holds aggregates only: no transcript or note text and no encounter pages.
    """
    out_dir = Path(out_dir)
    if compare_with is not None and compare_with.id == run.id:
        raise ConfigError(f"cannot compare run {run.id} with itself; pass another --compare run")
    data = load_run_data(store, run)
    pages = not no_text
    env = _environment()
    common = _common(no_text)
    common["note_metrics"] = note_metrics_for(data)
    common["board_metrics"], common["judge_metrics"] = leader_columns(common["note_metrics"])
    common["embedded_notice"] = embedded_notice(run)
    _clean(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    view = None
    base = None
    if compare_with is not None:
        base = load_run_data(store, compare_with, like=data)
        view = compare_view(base, data, pages=pages)
        _write(
            out_dir / "compare.html", env.get_template("compare.html").render(view=view, **common)
        )
    wait: Callable[[], None] | None = None
    if pages:
        template = env.get_template("encounter.html")
        wait = write_pages(data, template, out_dir / "encounters", common, base)
    series = trend_series(data)
    if series:
        page = env.get_template("trend.html").render(run=run, series=series, **common)
        _write(out_dir / "trend.html", page)
    context = _overview(data, pages=pages, compare=view)
    context["has_trend"] = bool(series)
    index = out_dir / "index.html"
    _write(index, env.get_template("index.html").render(**context, **common))
    if wait is not None:
        wait()
    return index


@cache
def _environment() -> Environment:
    folder = resources.files("scribe_eval.report") / "templates"
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pct=fmt,
        interval=fmt_interval,
        metric=fmt_metric,
        metric_interval=fmt_metric_interval,
        signed=fmt_diff,
        pvalue=fmt_p,
        heat=heat_style,
        slice=fmt_slice,
        value=fmt_value,
        change=fmt_value_change,
        difference=fmt_row_difference,
        share=lambda v: f"{v:.0%}" if is_number(v) else "—",
        localpath=_local_path,
        words=_whole_hyphenated,
    )
    return env


def embedded_notice(run: RunRecord) -> str | None:
    """What a reader must know about a run on the embedded emulator, or None for a real API."""
    if run.target.get("kind") != "embedded":
        return None
    engine = (run.target.get("notes") or {}).get("engine", "template")
    writer = (
        "an offline rule-based writer that sorts transcript sentences into sections"
        if engine == "template"
        else f"the emulator's {engine!r} note engine"
    )
    return (
        f"this run's notes come from {writer}, and its transcripts from an open-source speech "
        "model running offline. Its numbers show how scribe-eval measures and decides; they say "
        "nothing about the vendor's quality. Point an experiment at the vendor's API to judge it."
    )


def _whole_hyphenated(label: Any) -> Markup:
    """``label`` with each hyphenated word kept on one line: a narrow heading may wrap between
    words ("Section / coverage"), never inside "ROUGE-Lsum"."""
    return Markup(" ").join(
        Markup('<span class="nw">{}</span>').format(word) if "-" in word else escape(word)
        for word in str(label).split(" ")
    )


def _local_path(value: Any, sharing: bool) -> str:
    """A local file path, or only its file name in a sharing-safe report (folders can name
    people or sites)."""
    if not value:
        return "—"
    return Path(str(value)).name if sharing else str(value)


def _common(no_text: bool) -> dict[str, Any]:
    static = resources.files("scribe_eval.report") / "static"
    return {
        "css": Markup(static.joinpath("report.css").read_text(encoding="utf-8")),
        "js": Markup(static.joinpath("report.js").read_text(encoding="utf-8")),
        "no_text": no_text,
        "note_metrics": NOTE_METRICS,
        "headline": HEADLINE,
    }


def _clean(out_dir: Path) -> None:
    """Remove what an earlier build wrote, so that no stale text page survives a --no-text one."""
    shutil.rmtree(out_dir / "encounters", ignore_errors=True)
    for name in ("index.html", "compare.html", "trend.html"):
        (out_dir / name).unlink(missing_ok=True)


def _write(path: Path, html: str) -> None:
    path.write_text(html, encoding="utf-8")


def _target(run: RunRecord) -> list[tuple[str, str]]:
    """The target's description as (key, text) pairs; nothing that looks like a credential."""
    out = []
    for key, value in sorted(run.target.items()):
        if value is None or _SECRET.search(key):
            continue
        text = json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else str(value)
        out.append((key, text))
    return out


def _overview(data: RunData, *, pages: bool, compare: CompareView | None) -> dict[str, Any]:
    run = data.run
    boards = note_leaderboards(data)
    summaries = transcript_summaries(data)
    rows = encounter_rows(data, pages=pages)
    shown_failures, total = failures(data)
    heat: dict[tuple[str, str, str], Shown] = {}
    for board in boards:
        for row in board.rows:
            for key, value in row.values.items():
                heat[(key, row.template, board.group)] = value
    slices = slice_rows(data, boards)
    meta = data.meta
    return {
        "run": run,
        # Stored `running`, but nobody runs it (killed, crashed): read as interrupted.
        "runner_gone": runner_gone(data.store, run),
        "boards": boards,
        "summaries": summaries,
        "wer_chart": wer_distribution(data, summaries, pages=pages),
        "charts": note_distributions(data, boards, pages=pages),
        "heat": heat,
        "heat_groups": [b.group for b in boards],
        "template_labels": templates_in_order(data),
        "slices": slices,
        "slice_columns": slice_columns(slices, templates_in_order(data)),
        "slice_kinds": sorted({s.kind for s in slices}),
        "encounters": rows,
        "specialties": sorted({r.specialty for r in rows if r.specialty}),
        "tags": sorted({t for r in rows for t in r.tags}),
        "failures": shown_failures,
        "failure_total": total,
        "status_counts": status_counts(data),
        "templates": [t.model_dump() for t in meta.templates],
        "target": _target(run),
        "recording_languages": sorted({c.recording_language for c in data.cells}),
        "output_languages": sorted({c.language for c in data.cells if c.kind == "document"}),
        "matrix_notes": meta.matrix.get("notes") or [],
        "methods": {
            "normalizers": meta.metrics.normalizers,
            "tokenizer": meta.metrics.tokenizer or "?",
            "stemmer": bool(meta.metrics.stemmer),
            "version": meta.metrics.version if meta.metrics.version is not None else "?",
            "bootstrap": data.resamples,
            "seed": data.seed,
            "scribe_eval": meta.scribe_eval,
            "python": meta.python,
            "dependencies": {k: v for k, v in meta.dependencies.items() if v},
        },
        "dataset_problem": data.dataset_problem,
        "audit": audit_table(data),
        "compare": compare,
        "built": utc_now(),
        "empty": Shown(None),
    }
