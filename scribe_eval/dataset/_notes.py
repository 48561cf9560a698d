"""Reference notes: Markdown ``## Heading`` blocks, or a YAML mapping of heading to text."""

from __future__ import annotations

import re

_HEADING = re.compile(r"^#{2,3}\s+(.+?)\s*#*\s*$")
WHOLE_NOTE_HEADING = "Note"
"""The heading given to a note that has no ``##`` headings at all (a free-text note)."""


def parse_markdown_sections(text: str) -> tuple[dict[str, str], list[str]]:
    """Split Markdown into ``{heading: text}`` at ``##`` headings; also return problems.

    A note without any heading becomes one section named ``Note``. A level-1 ``#`` title line is
    ignored.
    """
    sections: dict[str, list[str]] = {}
    problems: list[str] = []
    preamble: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            heading = match.group(1).strip()
            if heading in sections:
                problems.append(f"heading {heading!r} appears twice; merge the two sections")
            current = sections.setdefault(heading, [])
        elif current is not None:
            current.append(line)
        elif not line.startswith("# "):
            preamble.append(line)
    if not sections:
        return {WHOLE_NOTE_HEADING: "\n".join(preamble).strip()}, problems
    if "\n".join(preamble).strip():
        problems.append("text before the first '## Heading' is ignored; put it under a heading")
    return {h: "\n".join(body).strip() for h, body in sections.items()}, problems


def format_markdown_sections(sections: dict[str, str]) -> str:
    """Write sections as Markdown ``## Heading`` blocks (the inverse of the parser)."""
    return "\n\n".join(f"## {heading}\n{body.strip()}" for heading, body in sections.items()) + "\n"
