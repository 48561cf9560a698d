"""Did-you-mean for paths: each missing part replaced by its closest sibling of the right kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from scribe_eval._suggest import closest_path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for folder in ("datasets/sample", "datasets/sample-de", "templates/soap-v2"):
        (tmp_path / folder).mkdir(parents=True)
    for file in ("templates/soap-telegraphic.yaml", "templates/brief.yaml", "exp.yaml"):
        (tmp_path / file).write_text("x", "utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("typed", "folder", "expected"),
    [
        pytest.param("datasets/smaple", True, "datasets/sample", id="last-part"),
        pytest.param("datsets/sample", True, "datasets/sample", id="middle-part"),
        pytest.param("templates/soap-telegrafic.yaml", False, "templates/soap-telegraphic.yaml",
                     id="file"),
        pytest.param("exp.yml", False, "exp.yaml", id="other-suffix"),
        pytest.param("templates/soap-v3.yaml", False, None, id="a-folder-is-no-file"),
        pytest.param("templates/nothing-alike.yaml", False, None, id="no-yaml-is-like-it"),
        pytest.param("datasets/sample/dataset.yaml", None, None, id="nothing-inside"),
        pytest.param("datasets/sample", True, None, id="exists"),
    ],
)  # fmt: skip
def test_the_closest_existing_path(
    tree: Path, typed: str, folder: bool | None, expected: str | None
) -> None:
    guess = closest_path(tree / typed, folder=folder)
    assert guess == (None if expected is None else tree / expected)


def test_a_relative_path_gets_a_relative_guess(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    assert closest_path(Path("datasets/smaple"), folder=True) == Path("datasets/sample")
