"""Validation: every problem at once, each with file, line and a fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scribe_eval.templates import (
    MAX_INSTRUCTION_CHARS,
    Catalogue,
    resolve_catalogue,
    save_snapshot,
    validate_template_file,
)

BROKEN = """\
label: broken
languages: [en, de, xx]
documentationMode: globl
sections:
  - key: corti-subjectiv
    contentOveride: Include everything.
  - key: corti-plan
    nameOverride: ""
  - corti-medications
  - key: corti-plan
foo: 1
"""

# (line, start of the message, part of the fix) for every problem in BROKEN.
EXPECTED = [
    (2, "unknown language 'xx'", "use a contract language code"),
    (3, "documentationMode is 'globl'", "global_sequential or routed_parallel"),
    (5, "unknown section 'corti-subjectiv'", "did you mean corti-subjective?"),
    (6, "unknown field 'contentOveride'", "did you mean contentOverride?"),
    (8, "nameOverride is empty", "set it to null"),
    (9, "'corti-medications' has no de version", "remove de from languages"),
    (10, "section 'corti-plan' is listed twice (first as section 2)", "remove one"),
    (11, "unknown field 'foo'", "a template file takes only: label"),
]


def test_all_problems_are_reported_with_their_lines(
    write: Callable[..., Path], catalogue: Catalogue
) -> None:
    path = write(BROKEN)
    problems = validate_template_file(path, catalogue)
    got = [(p.line, p.message, p.fix) for p in problems]
    assert len(got) == len(EXPECTED), "\n".join(str(p) for p in problems)
    for (line, message, fix), (want_line, want_message, want_fix) in zip(
        got, EXPECTED, strict=True
    ):
        assert line == want_line, (message, line)
        assert message.startswith(want_message), message
        assert want_fix in fix, fix
    assert str(problems[0]) == f"{path}:2: unknown language 'xx' — use a contract language code"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param("label: x\nsections: []\n", 2, "empty section list", id="empty-sections"),
        pytest.param("label: x\n", 1, "neither templateKey nor sections", id="no-template"),
        pytest.param(
            "templateKey: corti-soap\nsections: [corti-plan]\n", 2,
            "both templateKey and sections", id="both-forms",
        ),
        pytest.param(
            "templateKey: corti-soap\ninstructions: Be brief.\n", 2,
            "instructions cannot be sent with a templateKey", id="instructions-with-key",
        ),
        pytest.param("templateKey: corti-soup\n", 1, "no template 'corti-soup'", id="unknown-key"),
        pytest.param(
            "base: corti-sop\nsections: [corti-plan]\n", 1,
            "base template 'corti-sop' is not in", id="unknown-base",
        ),
        pytest.param(
            "templateKey: corti-brief\nlanguages: [de]\n", 1,
            "'corti-brief' has no de version", id="template-language",
        ),
        pytest.param(
            "sections: [corti-plan]\nlanguages: [fr]\n", 2,
            "the test catalogue was not pulled for 'fr'", id="language-not-pulled",
        ),
        pytest.param(
            "sections:\n  - key: corti-plan\n"
            f"    contentOverride: {'x' * (MAX_INSTRUCTION_CHARS + 1)}\n",
            3, f"contentOverride is {MAX_INSTRUCTION_CHARS + 1} characters, over the",
            id="too-long",
        ),
        pytest.param(
            "sections:\n  - key: corti-plan\n    nameOverride: " + "N" * 81 + "\n",
            3, "nameOverride is 81 characters, over the 80 limit", id="long-heading",
        ),
        pytest.param(
            "languages: [en, no]\nsections: [corti-plan]\n", 1, "YAML reads a bare `no`",
            id="norwegian",
        ),
        pytest.param(
            "- just\n- a list\n", 1, "a template file must be a mapping", id="not-a-mapping"
        ),
        pytest.param(
            "templateKey: corti-soap\ntemplateKey: corti-brief\n", 2,
            "key 'templateKey' is written twice (lines 1 and 2)", id="dup-yaml-key",
        ),
    ],
)  # fmt: skip
def test_single_problems(
    write: Callable[..., Path], catalogue: Catalogue, text: str, line: int, message: str
) -> None:
    problems = validate_template_file(write(text), catalogue)
    assert [(p.line, p.message[: len(message)]) for p in problems] == [(line, message)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("templateKey: corti-soap\nlanguages: [en, de]\n", id="stored-key"),
        pytest.param(
            "label: ok\nbase: corti-soap\nlanguages: [en]\ninstructions: |\n  Be brief.\n"
            "sections:\n  - key: corti-subjective\n    nameOverride: Anamnesis\n"
            "    writingStyleOverride: null\n  - corti-medications\n",
            id="sections-with-nulls",
        ),
    ],
)
def test_valid_files_have_no_problems(
    write: Callable[..., Path], catalogue: Catalogue, text: str
) -> None:
    assert validate_template_file(write(text), catalogue) == []


def test_without_a_catalogue_only_file_problems_are_found(write: Callable[..., Path]) -> None:
    path = write("sections: [corti-nonexistent]\n")
    assert validate_template_file(path, None) == []


def test_resolve_prefers_the_newest_snapshot(tmp_path: Path, catalogue: Catalogue) -> None:
    from datetime import date

    save_snapshot(catalogue, tmp_path, taken=date(2026, 1, 1), target="embedded")
    newer = save_snapshot(catalogue, tmp_path, taken=date(2026, 3, 1), target="embedded")
    (tmp_path / "2026-05-01").mkdir()  # not a snapshot: no snapshot.yaml
    assert resolve_catalogue(root=tmp_path).origin == f"snapshot {newer}"
    assert resolve_catalogue(tmp_path).origin == f"snapshot {newer}"
    assert resolve_catalogue(newer).templates.keys() == catalogue.templates.keys()
