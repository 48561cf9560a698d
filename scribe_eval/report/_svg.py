"""Inline SVG strip charts (one row per system, one dot per encounter) and heat-map colours.

Markup is assembled here rather than in a template because a chart of a thousand points is a
thousand tiny elements; every text that goes in (labels, encounter ids) passes `escape`.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from markupsafe import Markup, escape

from scribe_eval.report._metrics import fmt, is_number

_WIDTH = 680
_LABEL = 170
_ROW = 36
_TOP = 22
# Above this many points per row, dots are drawn as one path (no per-dot link or tooltip), which
# keeps the overview small on large runs.
_LINKED_POINTS = 300


@dataclass(frozen=True)
class StripRow:
    """One row of a strip chart: a label, per-encounter points and the estimate with interval."""

    label: str
    points: tuple[tuple[str, float, str | None], ...]
    value: float | None
    low: float | None
    high: float | None


def strip_chart(rows: list[StripRow], *, title: str, higher_is_better: bool) -> Markup:
    """A strip chart on a 0-100 scale; values above 100 are drawn at the right edge."""
    height = _TOP + _ROW * len(rows) + 24
    plot = _WIDTH - _LABEL - 20
    parts = [
        f'<svg class="strip" viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for tick in range(0, 101, 20):
        x = _LABEL + plot * tick / 100
        parts.append(
            f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{_TOP - 6}" '
            f'y2="{height - 20}"/><text class="tick" x="{x:.1f}" y="{height - 6}">{tick}</text>'
        )
    direction = "higher is better →" if higher_is_better else "← lower is better"
    parts.append(
        f'<text class="axis" x="{_WIDTH - 10}" y="12" text-anchor="end">{direction}</text>'
    )
    for index, row in enumerate(rows):
        parts.append(_row(row, _TOP + _ROW * index, plot))
    parts.append("</svg>")
    return Markup("".join(parts))


def _x(value: float, plot: int) -> float:
    return _LABEL + plot * min(max(value, 0.0), 1.0)


def _row(row: StripRow, top: int, plot: int) -> str:
    mid = top + _ROW / 2
    label = escape(row.label[:28])
    out = [
        f'<text class="label" x="{_LABEL - 8}" y="{mid + 4:.1f}" text-anchor="end">{label}</text>'
    ]
    if is_number(row.low) and is_number(row.high):
        x0, x1 = _x(row.low, plot), _x(row.high, plot)
        width = max(x1 - x0, 1)
        out.append(
            f'<rect class="ci" x="{x0:.1f}" y="{top + 3}" width="{width:.1f}" height="{_ROW - 6}"/>'
        )
    if len(row.points) > _LINKED_POINTS:
        moves = "".join(f"M{_x(v, plot):.1f} {mid + _jitter(i):.1f}h0" for i, v, _ in row.points)
        out.append(f'<path class="dots" d="{moves}"/>')
    else:
        for ident, value, href in row.points:
            cx, cy = _x(value, plot), mid + _jitter(ident)
            dot = (
                f'<circle class="dot" cx="{cx:.1f}" cy="{cy:.1f}" r="3">'
                f"<title>{escape(ident)}: {fmt(value)}</title></circle>"
            )
            out.append(f'<a href="{escape(href)}">{dot}</a>' if href else dot)
    if is_number(row.value):
        x = _x(row.value, plot)
        out.append(
            f'<line class="mean" x1="{x:.1f}" x2="{x:.1f}" y1="{top + 1}" y2="{top + _ROW - 1}"/>'
        )
    over = [v for _, v, _ in row.points if v > 1.0]
    if over:
        # Drawn at the edge, so say it: a dot at 100 read as a WER of 100 beside a table of 121.
        many = f"{len(over)} above 100, drawn at the edge; the highest {fmt(max(over))}"
        out.append(
            f'<text class="axis offscale" x="{_WIDTH - 2}" y="{top + 10}">'
            f"<title>{escape(many)}</title>&gt;100</text>"
        )
    return "".join(out)


def _jitter(ident: str) -> float:
    return ((zlib.crc32(ident.encode()) % 1000) / 1000 - 0.5) * (_ROW - 12)


def heat_style(value: float | None, higher_is_better: bool = True) -> str:
    """An inline background for a heat-map cell on a fixed 0-100 scale (darker is better)."""
    if not is_number(value):
        return "background:#f3f3f3"
    goodness = value if higher_is_better else 1.0 - value
    goodness = min(max(goodness, 0.0), 1.0)
    lightness = 96 - 58 * goodness
    ink = "#fff" if lightness < 60 else "#111"
    return f"background:hsl(205,65%,{lightness:.0f}%);color:{ink}"
