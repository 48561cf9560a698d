from __future__ import annotations

from pathlib import Path

import pytest

from scribe_eval.dataset import load_dataset
from scribe_eval.errors import ConfigError
from scribe_eval.experiment import (
    EmbeddedTarget,
    UrlTarget,
    build_matrix,
    experiment_hash,
    load_experiment,
    resolve_templates,
)

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "mini"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_relative_paths_resolve_against_the_file_and_targets_normalise(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("label: brief-hpi\nsections: [corti-hpi]\n", encoding="utf-8")
    path = _write(
        tmp_path,
        f"name: x\ndataset: {MINI}\ntemplates:\n  - corti-soap\n  - file: t.yaml\n",
    )
    experiment = load_experiment(path)
    assert isinstance(experiment.target, EmbeddedTarget)
    assert experiment.templates[1].file == tmp_path / "t.yaml"
    url = _write(
        tmp_path,
        f"name: x\ndataset: {MINI}\n"
        "target: {base_url: 'https://api.eu.corti.app/v2', tenant: a}\n"
        "templates: [corti-soap]\n",
    )
    assert isinstance(load_experiment(url).target, UrlTarget)


def test_every_problem_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "name: x\n"
        "dataset: nowhere\n"
        "templates:\n"
        "  - key: corti-soap\n"
        "  - key: corti-soap\n"
        "languages:\n"
        "  output: [en, xx]\n"
        "execution:\n"
        "  concurrency: 0\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_experiment(path)
    header, *rest = caught.value.message.splitlines()
    # One header line naming the file, the count and the fix; then one indented line a problem.
    assert header == f"invalid experiment file {path}: 4 problems, one per line below; fix each"
    assert all(line.startswith(f"  {path}:") for line in rest)
    lines = [line.strip() for line in rest]
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{path}:2", f"{path}:5", f"{path}:7", f"{path}:9",
    ]  # fmt: skip
    assert "dataset:" in lines[0]
    assert "templates.1: label 'corti-soap' is also used by templates.0" in lines[1]
    assert "languages.output.1: unknown language 'xx'" in lines[2]
    assert "execution.concurrency" in lines[3]


def test_a_refused_file_also_names_its_unknown_stored_templates_with_their_lines(
    tmp_path: Path,
) -> None:
    # The run's checks would find the key next: a second round for the user, without a line.
    path = _write(
        tmp_path,
        f"name: x\ndataset: {MINI}\n"
        "templates:\n"
        "  - key: corti-sopa\n"
        "execution:\n"
        "  concurrency: eight\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_experiment(path)
    lines = [line.strip() for line in caught.value.message.splitlines()[1:]]
    assert lines[0] == (
        f"{path}:4: templates.0.key: no stored template 'corti-sopa' on the embedded target; "
        "did you mean corti-soap?"
    )
    assert lines[1].startswith(f"{path}:6: execution.concurrency")
    assert len(lines) == 2


def test_one_problem_is_one_line_and_a_misspelt_required_key_is_one_problem(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "name: x\ndataset: .\ntemplats: [corti-soap]\n")
    with pytest.raises(ConfigError) as caught:
        load_experiment(path)
    # Not also "templates: Field required" on line 1: the typo is the one problem.
    assert caught.value.message == (
        f"invalid experiment file: {path}:3: templats: unknown key 'templats'; "
        "did you mean 'templates'?"
    )
    missing = _write(tmp_path, "name: x\ndataset: .\n")
    with pytest.raises(ConfigError) as caught:
        load_experiment(missing)
    assert caught.value.message.endswith("templates: required key 'templates' is missing; add it")
    assert "\n" not in caught.value.message


def test_a_template_needs_exactly_one_of_key_or_file(tmp_path: Path) -> None:
    path = _write(tmp_path, f"name: x\ndataset: {MINI}\ntemplates:\n  - label: nothing\n")
    with pytest.raises(ConfigError, match=r"exp.yaml:4: templates.0: .*exactly one of `key`"):
        load_experiment(path)


def test_matrix_shares_one_transcript_per_encounter_and_language(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"name: x\ndataset: {MINI}\ntemplates: [corti-soap, corti-brief-clinical-note]\n"
        "languages:\n  output: [recording, de]\nsources: [asr, reference]\n",
    )
    experiment = load_experiment(path)
    dataset = load_dataset(MINI)
    matrix = build_matrix(experiment, dataset, resolve_templates(experiment))
    # 2 encounters with audio x 2 sources + 1 text-only encounter x reference.
    assert len(matrix.transcripts) == 5
    assert len(matrix.cells) == 5 * 2 * 2
    job = matrix.transcripts[0]
    assert job.cell_id == "en-01-cough|transcript|en|asr"
    shared = matrix.cells_for(job.cell_id)
    assert sorted(c.cell_id for c in shared) == [
        "en-01-cough|corti-brief-clinical-note|de|asr",
        "en-01-cough|corti-brief-clinical-note|en|asr",
        "en-01-cough|corti-soap|de|asr",
        "en-01-cough|corti-soap|en|asr",
    ]
    assert any("has no audio" in note for note in matrix.notes)


def test_a_template_file_writing_a_language_it_does_not_declare_is_said_up_front(
    tmp_path: Path,
) -> None:
    # The demo wrote French notes with a template declaring [en, de] and ranked it in French,
    # without a word (a new user's finding).
    (tmp_path / "t.yaml").write_text(
        "label: t\nlanguages: [en]\nsections: [corti-hpi]\n", encoding="utf-8"
    )
    path = _write(
        tmp_path,
        f"name: x\ndataset: {MINI}\ntemplates:\n  - file: t.yaml\n  - corti-soap\n"
        "languages:\n  output: [recording, de]\n",
    )
    experiment = load_experiment(path)
    matrix = build_matrix(experiment, load_dataset(MINI), resolve_templates(experiment))
    said = [note for note in matrix.notes if "does not declare" in note]
    german = sum(1 for c in matrix.cells if c.template.label == "t" and c.output_language == "de")
    assert german > 1
    assert said == [
        f"t: {german} documents are in de, which the template does not declare (languages: en); "
        "written and scored all the same, so they rank it there"
    ]


def test_the_hash_is_stable_and_follows_content(tmp_path: Path) -> None:
    text = f"name: x\ndataset: {MINI}\ntemplates: [corti-soap]\n"
    first = experiment_hash(load_experiment(_write(tmp_path, text)))
    assert experiment_hash(load_experiment(_write(tmp_path, text))) == first
    changed = experiment_hash(load_experiment(_write(tmp_path, text + "sources: [reference]\n")))
    assert changed != first


def test_misspelt_keys_get_a_suggestion_and_the_line_of_the_value(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"name: x\ndataset: {MINI}\ntarget:\n  kind: embeded\ntemplates:\n"
        "  - key: corti-soap\n    lable: soap\nexecution:\n  concurency: 4\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_experiment(path)
    lines = [line.strip() for line in caught.value.message.splitlines()[1:]]
    assert lines == [
        f"{path}:4: target.kind: 'embeded' is not one of 'embedded', 'url'",
        f"{path}:7: templates.0.lable: unknown key 'lable'; did you mean 'label'?",
        f"{path}:9: execution.concurency: unknown key 'concurency'; did you mean 'concurrency'?",
    ]


def test_a_right_key_in_the_wrong_kind_is_never_suggested_as_itself(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"name: x\ndataset: {MINI}\ntarget:\n  kind: embedded\n  model_version: '2026-11'\n"
        "templates: [corti-soap]\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_experiment(path)
    message = caught.value.message
    assert f"{path}:5:" in message
    assert "key 'model_version' is not valid here: it belongs to another section or kind" in message
    assert "did you mean" not in message


def test_a_key_written_twice_and_broken_yaml_are_reported_with_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, f"name: x\ndataset: {MINI}\ntemplates: [corti-soap]\nname: y\n")
    twice = r"exp.yaml:4: name: key 'name' is written twice \(lines 1 and 4\)"
    with pytest.raises(ConfigError, match=twice):
        load_experiment(path)
    path = _write(tmp_path, f"name: x\ndataset: {MINI}\ntemplates: [corti-soap\n")
    with pytest.raises(ConfigError, match=r"exp.yaml:\d+: YAML syntax error"):
        load_experiment(path)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        pytest.param("execution", "concurrency: eight",
                     "must be a whole number (e.g. 8), not 'eight'", id="integer-word"),
        pytest.param("execution", "concurrency: 2.5", "must be a whole number (e.g. 8), not 2.5",
                     id="integer-fraction"),
        pytest.param("execution", "timeout_s: soon", "must be a number (e.g. 0.5), not 'soon'",
                     id="number"),
        pytest.param("metrics", "stemmer: maybe", "must be true or false, not 'maybe'",
                     id="boolean"),
        pytest.param("execution", "concurrency: 0", "must be at least 1, not 0", id="lower-bound"),
        pytest.param("execution", "timeout_s: 0", "must be more than 0, not 0", id="positive"),
        pytest.param("metrics", "bootstrap: 1000000", "must be at most 100000, not 1000000",
                     id="upper-bound"),
    ],
)  # fmt: skip
def test_a_wrong_type_or_bound_is_said_in_the_files_terms(
    tmp_path: Path, setting: str, value: str, message: str
) -> None:
    # One place words pydantic's type errors ("Input should be a valid integer, unable to parse
    # string as an integer") for every integer, number and true/false field of every file.
    path = _write(
        tmp_path, f"name: x\ndataset: {MINI}\ntemplates: [corti-soap]\n{setting}:\n  {value}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_experiment(path)
    key = value.split(":")[0]
    assert caught.value.message == f"invalid experiment file: {path}:5: {setting}.{key}: {message}"


def test_an_unknown_fault_is_refused_with_its_line_before_anything_runs(tmp_path: Path) -> None:
    # It used to pass loading and fail only when the emulator started (exit 4, "7 failed cells").
    path = _write(
        tmp_path,
        f"name: x\ndataset: {MINI}\ntemplates: [corti-soap]\n"
        "target:\n  kind: embedded\n  faults:\n    transcript_failed: 0.1\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_experiment(path)
    assert "exp.yaml:6: target.faults:" in caught.value.message
    assert "unknown fault 'transcript_failed'; did you mean transcript-failed?" in (
        caught.value.message
    )
    path = _write(
        tmp_path,
        f"name: x\ndataset: {MINI}\ntemplates: [corti-soap]\n"
        "target: {kind: embedded, faults: {'500': 1.5}}\n",
    )
    with pytest.raises(ConfigError, match=r"probability 1\.5; give 0 to 1"):
        load_experiment(path)


def test_every_fault_an_experiment_may_name_is_an_option_of_the_emulator() -> None:
    from scribe_eval.cli.emulator import serve
    from scribe_eval.experiment._model import FAULT_NAMES

    options = {o for p in serve.params for o in getattr(p, "opts", [])}
    assert {f"--fault-{name}" for name in FAULT_NAMES} <= options
    assert {o for o in options if o.startswith("--fault-")} - {"--fault-seed"} == {
        f"--fault-{name}" for name in FAULT_NAMES
    }
