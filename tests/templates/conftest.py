"""A small catalogue built from wire models, so most template tests need no server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scribe_eval import api
from scribe_eval.templates import Catalogue

_SECTIONS = {
    "corti-subjective": ("Subjective", "Narrative", "Paragraph"),
    "corti-objective": ("Objective", "Concise", "Bullet list"),
    "corti-assessment": ("Assessment", "Narrative", "Paragraph"),
    "corti-plan": ("Plan", "Concise", "Bullet list"),
    "corti-medications": ("Medications", "Concise", "Bullet list"),
}


def make_section(key: str) -> api.Section:
    """A catalogue section with a default writing style and format rule."""
    name, style, rule = _SECTIONS[key]
    return api.Section(
        key=key,
        name=name,
        default_writing_style=api.NamedRef(name=style),
        default_format_rule=api.NamedRef(name=rule),
    )


def make_template(key: str, sections: list[str], instructions: str | None = None) -> api.Template:
    """A stored template made of ``sections`` in that order."""
    return api.Template(
        key=key,
        name=key.replace("corti-", "").upper(),
        additional_instructions=instructions,
        template_sections=[
            api.TemplateSection(sort=i, section=make_section(s))
            for i, s in enumerate(sections, start=1)
        ],
    )


def make_catalogue() -> Catalogue:
    """Two templates in en and de; corti-medications is English-only."""
    soap = ["corti-subjective", "corti-objective", "corti-assessment", "corti-plan"]
    sections = {key: make_section(key) for key in _SECTIONS}
    return Catalogue(
        templates={
            "corti-soap": make_template("corti-soap", soap),
            "corti-brief": make_template("corti-brief", ["corti-assessment", "corti-plan"]),
        },
        sections=sections,
        template_languages={"corti-soap": ("en", "de"), "corti-brief": ("en",)},
        section_languages={
            key: ("en",) if key == "corti-medications" else ("en", "de") for key in sections
        },
        languages=("en", "de"),
        origin="the test catalogue",
    )


@pytest.fixture
def catalogue() -> Catalogue:
    """The small test catalogue."""
    return make_catalogue()


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write ``text`` to ``tmp_path / name`` and return the path."""

    def _write(text: str, name: str = "t.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
