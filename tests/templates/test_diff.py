"""Section-level diffs: added, removed, moved, changed overrides, template settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scribe_eval.templates import (
    Catalogue,
    diff_outlines,
    load_template_file,
    outline_of_spec,
    outline_of_template,
)

OLD = """\
sections:
  - corti-subjective
  - corti-objective
  - corti-assessment
  - corti-plan
"""

NEW = """\
instructions: Be terse.
sections:
  - key: corti-plan
  - key: corti-subjective
    nameOverride: Anamnesis
    writingStyleOverride: telegraphic
  - corti-assessment
  - corti-medications
"""


def _diff_lines(old: Path, new: Path, catalogue: Catalogue | None) -> list[str]:
    a = outline_of_spec(load_template_file(old), catalogue, "old.yaml")
    b = outline_of_spec(load_template_file(new), catalogue, "new.yaml")
    return diff_outlines(a, b).lines()


def test_two_files(write: Callable[..., Path], catalogue: Catalogue) -> None:
    lines = _diff_lines(write(OLD, "old.yaml"), write(NEW, "new.yaml"), catalogue)
    assert lines == [
        "--- old.yaml",
        "+++ new.yaml",
        "order: corti-subjective, corti-objective, corti-assessment, corti-plan",
        "    -> corti-plan, corti-subjective, corti-assessment, corti-medications",
        "- removed  corti-objective (was 2)",
        "+ added    corti-medications (at 4)",
        "~ moved    corti-plan: 4 -> 1",
        "~ changed  corti-subjective",
        "      nameOverride: 'Subjective' (default) -> 'Anamnesis'",
        "      writingStyleOverride: 'Narrative' (default) -> 'telegraphic'",
        "~ template instructions: (none) -> 'Be terse.'",
    ]


def test_without_a_catalogue_only_overrides_are_compared(write: Callable[..., Path]) -> None:
    lines = _diff_lines(write(OLD, "old.yaml"), write(NEW, "new.yaml"), None)
    assert "      nameOverride: (none) -> 'Anamnesis'" in lines


def test_identical_templates(write: Callable[..., Path], catalogue: Catalogue) -> None:
    reordered_keys = "sections:\n  - {key: corti-subjective}\n  - corti-objective\n"
    same = "sections: [corti-subjective, corti-objective]\n"
    lines = _diff_lines(write(same, "a.yaml"), write(reordered_keys, "b.yaml"), catalogue)
    assert lines[2:] == ["no differences"]


def test_a_file_against_its_stored_base(write: Callable[..., Path], catalogue: Catalogue) -> None:
    base = outline_of_template(catalogue.template("corti-soap"), catalogue, "corti-soap")
    new = outline_of_spec(load_template_file(write(NEW)), catalogue, "new.yaml")
    result = diff_outlines(base, new)
    assert result.removed == (("corti-objective", 2),)
    assert result.added == (("corti-medications", 4),)
    assert [m[0] for m in result.moved] == ["corti-plan"]
    assert {(key, name) for key, name, _, _ in result.changed} == {
        ("corti-subjective", "nameOverride"),
        ("corti-subjective", "writingStyleOverride"),
    }


def test_two_versions_of_a_stored_template(catalogue: Catalogue) -> None:
    old = catalogue.template("corti-brief")
    new = old.model_copy(deep=True, update={"additional_instructions": "Use SI units."})
    rule = new.template_sections[1].section.default_format_rule
    assert rule is not None
    rule.name = "Numbered list"
    result = diff_outlines(
        outline_of_template(old, None, "v1"), outline_of_template(new, None, "v2")
    )
    assert result.lines()[2:] == [
        "~ changed  corti-plan",
        "      formatRuleOverride: 'Bullet list' (default) -> 'Numbered list' (default)",
        "~ template instructions: (none) -> 'Use SI units.' (default)",
    ]


def test_a_stored_key_file_is_expanded_through_the_catalogue(
    write: Callable[..., Path], catalogue: Catalogue
) -> None:
    lines = _diff_lines(
        write("templateKey: corti-brief\n", "a.yaml"), write(OLD, "b.yaml"), catalogue
    )
    assert "+ added    corti-subjective (at 1)" in lines
    assert "+ added    corti-objective (at 2)" in lines
