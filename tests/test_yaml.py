"""The one YAML loader: duplicate keys refused with both lines, C and Python loaders agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from scribe_eval._textfile import read_text_file
from scribe_eval._yaml import (
    YamlTextError,
    load_yaml_text,
    parse_yaml,
    read_yaml_file,
    uses_c_loader,
)
from scribe_eval.errors import ConfigError, DatasetError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("text", "key", "lines"),
    [
        pytest.param("encounters: [a]\nname: x\nencounters: [b]\n", "encounters", (1, 3), id="top"),
        pytest.param("a:\n  b: 1\n  c: 2\n  b: 3\n", "b", (2, 4), id="nested"),
        pytest.param("- {x: 1, x: 2}\n", "x", (1, 1), id="flow-same-line"),
        pytest.param("1: a\n'1': b\n1: c\n", 1, (1, 3), id="int-key"),
        pytest.param("a: 1\nb: 2\n'a': 3\n", "a", (1, 3), id="quoted-equals-plain"),
    ],
)
def test_a_key_written_twice_is_refused_with_both_lines(
    text: str, key: object, lines: tuple[int, int]
) -> None:
    with pytest.raises(YamlTextError) as caught:
        load_yaml_text(text)
    message = str(caught.value)
    assert f"key {key!r} is written twice (lines {lines[0]} and {lines[1]})" in message
    assert caught.value.line == lines[1]
    assert "\n" not in message


def test_a_merged_key_may_be_overridden() -> None:
    text = "base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  x: 3\n"
    assert load_yaml_text(text) == {"base": {"x": 1, "y": 2}, "item": {"x": 3, "y": 2}}


def test_the_same_key_in_different_mappings_is_fine() -> None:
    assert load_yaml_text("- {id: 1}\n- {id: 2}\n") == [{"id": 1}, {"id": 2}]


def test_parse_yaml_names_file_and_line_in_the_chosen_error() -> None:
    with pytest.raises(DatasetError, match=r"^ds/dataset\.yaml:2: key 'a' is written twice"):
        parse_yaml("a: 1\na: 2\n", "ds/dataset.yaml", error=DatasetError)
    with pytest.raises(ConfigError, match=r"^f\.yaml:2: YAML syntax error.*started at line 1"):
        parse_yaml("a: [1\n", "f.yaml")


def test_reading_a_file_names_it_when_missing_or_not_utf8(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError, match=r"cannot read experiment file .*missing\.yaml"):
        read_yaml_file(missing, what="experiment file")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"name: ok\nnote: caf\xe9\n")
    with pytest.raises(ConfigError, match=r"latin\.yaml is not UTF-8 text \(byte 0xe9 on line 2\)"):
        read_text_file(latin)
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbfname: ok\n")
    assert read_yaml_file(bom) == {"name": "ok"}


def test_libyaml_is_used_here() -> None:
    # The development install has PyYAML's wheels, which bundle libyaml; a pure-Python fallback
    # here would silently cost the speed issue 19 measured.
    assert uses_c_loader()


def _repo_yaml_files() -> list[Path]:
    folders = ["datasets", "experiments", "templates", "scribe_eval", "tests/fixtures"]
    files = [p for folder in folders for p in sorted((ROOT / folder).rglob("*.y*ml"))]
    return [p for p in files if p.suffix in {".yaml", ".yml"}]


def test_c_and_python_loaders_build_identical_data() -> None:
    files = _repo_yaml_files()
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        python = yaml.load(text, Loader=yaml.SafeLoader)
        assert load_yaml_text(text) == python, path


def test_no_module_parses_yaml_around_the_one_loader() -> None:
    pattern = re.compile(r"yaml\.(safe_load|load|load_all|safe_load_all|full_load|unsafe_load)\(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "scribe_eval").rglob("*.py"))
        if path.name != "_yaml.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
