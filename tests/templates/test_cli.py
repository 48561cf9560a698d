"""The ``scribe-eval templates`` commands through click's CliRunner, on a snapshot folder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from scribe_eval.cli import main
from scribe_eval.templates import Catalogue, load_template_file, save_snapshot


@pytest.fixture
def snapshot(tmp_path: Path, catalogue: Catalogue) -> Path:
    """The test catalogue saved as a snapshot folder."""
    return save_snapshot(catalogue, tmp_path / "catalogue", taken=date(2026, 2, 1), target="x")


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, ["templates", *args], catch_exceptions=False)


def test_list_and_show(snapshot: Path) -> None:
    listed = _run("list", "--catalogue", str(snapshot))
    assert listed.exit_code == 0, listed.output
    rows = listed.output.splitlines()[1:]
    assert [row.split()[0] for row in rows] == ["corti-brief", "corti-soap"]
    assert rows[1].endswith("4 sections  en de")
    german = _run("list", "--catalogue", str(snapshot), "--lang", "de")
    assert [row.split()[0] for row in german.output.splitlines()[1:]] == ["corti-soap"]
    shown = _run("show", "corti-soap", "--catalogue", str(snapshot))
    assert shown.exit_code == 0, shown.output
    assert "  4. corti-plan: Plan (style: Concise; format: Bullet list)" in shown.output
    section = _run("show", "corti-medications", "--catalogue", str(snapshot))
    assert (
        section.output.strip()
        == "corti-medications: Medications (style: Concise; format: Bullet list)  [en]"
    )


def test_show_unknown_key_suggests_the_closest(snapshot: Path) -> None:
    result = CliRunner().invoke(
        main, ["templates", "show", "corti-sop", "--catalogue", str(snapshot)]
    )
    assert result.exit_code == 1
    assert "did you mean corti-soap?" in result.output


def test_new_then_validate_then_edit(tmp_path: Path, snapshot: Path) -> None:
    out = tmp_path / "soap-x.yaml"
    made = _run(
        "new", "soap-x", "--from", "corti-soap", "-o", str(out), "--catalogue", str(snapshot)
    )
    assert made.exit_code == 0, made.output
    text = out.read_text(encoding="utf-8")
    assert text.count("    contentOverride: null") == 4
    assert "    writingStyleOverride: null  # default: Narrative" in text
    spec = load_template_file(out)
    # Untouched, the scaffold asks for the stored template's sections (sectionKeys form).
    assert spec.request_fields() == {
        "template": {
            "sectionKeys": ["corti-subjective", "corti-objective", "corti-assessment", "corti-plan"]
        }
    }
    assert spec.languages == ("en", "de")
    ok = _run("validate", str(out), "--catalogue", str(snapshot))
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("ok: 1 file(s) valid against snapshot")
    out.write_text(
        text.replace("    contentOverride: null", "    contentOveride: x", 1), encoding="utf-8"
    )
    bad = CliRunner().invoke(
        main, ["templates", "validate", str(out), "--catalogue", str(snapshot)]
    )
    assert bad.exit_code == 1
    assert f"{out}:20: unknown field 'contentOveride' — did you mean contentOverride?" in bad.output
    again = CliRunner().invoke(
        main, ["templates", "new", "soap-x", "--from", "corti-soap", "-o", str(out),
               "--catalogue", str(snapshot)],
    )  # fmt: skip
    assert again.exit_code == 1
    assert "exists" in again.output


def test_validate_reports_problems_of_every_file(
    write: Callable[..., Path], snapshot: Path
) -> None:
    one = write("sections: [corti-plann]\n", "one.yaml")
    two = write("templateKey: corti-soap\nsections: []\n", "two.yaml")
    result = CliRunner().invoke(
        main, ["templates", "validate", str(one), str(two), "--catalogue", str(snapshot)]
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (
        f"{one}:1: unknown section 'corti-plann' (not in snapshot {snapshot}) — "
        "did you mean corti-plan?"
    )
    assert any(line.startswith(f"{two}:2: empty section list") for line in lines)
    assert lines[-1].startswith("3 problem(s) in 2 file(s)")


def test_diff_file_against_its_base(write: Callable[..., Path], snapshot: Path) -> None:
    path = write("base: corti-soap\nsections: [corti-subjective, corti-plan]\n")
    result = _run("diff", str(path), "--catalogue", str(snapshot))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"--- corti-soap (snapshot {snapshot})",
        f"+++ {path}",
    ]
    assert "- removed  corti-objective (was 2)" in result.output
    assert "- removed  corti-assessment (was 3)" in result.output


def test_diff_two_snapshot_versions(tmp_path: Path, snapshot: Path) -> None:
    old = snapshot / "templates" / "corti-soap.yaml"
    new = tmp_path / "newer.yaml"
    item = yaml.safe_load(old.read_text(encoding="utf-8"))
    item["template"]["templateSections"][3]["sort"] = 0  # the plan moves to the top
    new.write_text(yaml.safe_dump(item), encoding="utf-8")
    result = _run("diff", str(old), str(new), "--catalogue", str(snapshot))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2:] == [
        "order: corti-subjective, corti-objective, corti-assessment, corti-plan",
        "    -> corti-plan, corti-subjective, corti-objective, corti-assessment",
        "~ moved    corti-plan: 4 -> 1",
    ]


def test_diff_needs_a_base_for_one_argument(write: Callable[..., Path], snapshot: Path) -> None:
    path = write("sections: [corti-plan]\n")
    result = CliRunner().invoke(
        main, ["templates", "diff", str(path), "--catalogue", str(snapshot)]
    )
    assert result.exit_code == 1
    assert "has no `base:`" in result.output


def test_pull_refuses_a_target_that_is_not_a_url(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["templates", "pull", "--target", "staging", "-o", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "target 'staging' is neither 'embedded' nor a base URL" in result.output
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("target", "stored"),
    [
        pytest.param("embedded", "embedded", id="embedded"),
        pytest.param("https://api.eu.corti.app/v2", "https://api.eu.corti.app/v2", id="plain"),
        pytest.param("https://user:secret@host/v2?token=abc", "https://host/v2", id="credentials"),
    ],
)
def test_a_snapshot_never_records_credentials(target: str, stored: str) -> None:
    from scribe_eval.templates._target import display_target

    assert display_target(target) == stored
