"""A corpus of bad inputs through the real command line: one line naming each, never a traceback.

Every case runs ``scribe-eval`` in-process through click's runner (as a user's shell would call
it, arguments and environment included) and asserts the exit code (1 for a bad input, click's
usage errors included: 2 is the gate's), that no traceback is printed, and that the message
names the problem.
A few cases that need a fresh interpreter (a missing extra, ``--debug``) run it as a subprocess.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.store import RunStore

from .conftest import write_runs

REPO = Path(__file__).resolve().parents[2]
LATIN1 = b"# caf\xe9 au lait\n"
GOOD_TEMPLATE = (REPO / "templates" / "soap-telegraphic.yaml").read_text("utf-8")


def _experiment(ws: Path, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "bad-input",
        "dataset": str(ws / "dataset"),
        "target": {"kind": "embedded", "asr_engine": "instant"},
        "templates": [{"key": "corti-soap", "label": "soap"}],
        "sources": ["reference"],
    }
    data.update(changes)
    return data


def _write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding one bad file (or store) per case, and a few good ones to point at."""
    ws = tmp_path_factory.mktemp("bad-inputs")
    shutil.copytree(REPO / "tests" / "fixtures" / "datasets" / "mini", ws / "dataset")
    for build in (_templates, _experiments, _datasets, _score_files, _stores):
        build(ws)
    return ws


def _templates(ws: Path) -> None:
    (ws / "latin1-template.yaml").write_bytes(GOOD_TEMPLATE.encode() + LATIN1)
    (ws / "dup-template.yaml").write_text("label: a\nbase: corti-soap\nlabel: b\n", "utf-8")
    (ws / "syntax-template.yaml").write_text("label: a\nsections:\n  - key: [x\n", "utf-8")
    (ws / "list-template.yaml").write_text("- a\n- b\n", "utf-8")
    (ws / "empty.yaml").write_text("", "utf-8")
    (ws / "binary.yaml").write_bytes(bytes(range(256)) * 4)
    (ws / "a-folder.yaml").mkdir()


def _experiments(ws: Path) -> None:
    _write_yaml(ws / "exp-ok.yaml", _experiment(ws))
    text = (ws / "exp-ok.yaml").read_text("utf-8")
    (ws / "exp-dup.yaml").write_text(text + "name: again\n", "utf-8")
    (ws / "exp-latin1.yaml").write_bytes(text.encode() + LATIN1)
    (ws / "exp-syntax.yaml").write_text(text + "templates: [\n", "utf-8")
    _write_yaml(ws / "exp-no-dataset.yaml", _experiment(ws, dataset=str(ws / "nowhere")))
    _write_yaml(ws / "exp-typo.yaml", {**_experiment(ws), "templtes": []})
    _write_yaml(ws / "exp-kind.yaml", _experiment(ws, target={"kind": "embeded"}))
    two = _experiment(ws, dataset=str(ws / "nowhere"), execution={"concurrency": 0})
    _write_yaml(ws / "exp-two-problems.yaml", two)
    latin_template = [{"file": str(ws / "latin1-template.yaml"), "label": "t"}]
    _write_yaml(ws / "exp-latin1-template.yaml", _experiment(ws, templates=latin_template))
    missing_template = [{"file": str(ws / "nope.yaml"), "label": "t"}]
    _write_yaml(ws / "exp-missing-template.yaml", _experiment(ws, templates=missing_template))
    url = {"kind": "url", "base_url": "http://127.0.0.1:9/v2", "tenant": "acme"}
    _write_yaml(ws / "exp-url-no-token-url.yaml", _experiment(ws, target=url))
    # Typos: the dataset's folder, a template's file name (a folder of the same name is not it).
    (ws / "templates").mkdir()
    (ws / "templates" / "soap-telegraphic.yaml").write_text(GOOD_TEMPLATE, "utf-8")
    (ws / "templates" / "soap-telegraphic-v2").mkdir()
    misspelt = [{"file": str(ws / "templates" / "soap-telegrafic.yaml"), "label": "t"}]
    _write_yaml(ws / "exp-typo-template.yaml", _experiment(ws, templates=misspelt))
    _write_yaml(ws / "exp-typo-dataset.yaml", _experiment(ws, dataset=str(ws / "datset")))


def _datasets(ws: Path) -> None:
    dataset = ws / "dataset"
    for name in ("ds-dup", "ds-latin1", "ds-list", "ds-cut-audio"):
        shutil.copytree(dataset, ws / name)
    manifest = (dataset / "dataset.yaml").read_text("utf-8")
    (ws / "ds-dup" / "dataset.yaml").write_text(manifest + "encounters: []\n", "utf-8")
    (ws / "ds-latin1" / "dataset.yaml").write_bytes(manifest.encode() + LATIN1)
    (ws / "ds-list" / "dataset.yaml").write_text("- one\n- two\n", "utf-8")
    for audio in sorted((ws / "ds-cut-audio" / "audio").iterdir()):
        audio.write_bytes(audio.read_bytes()[: audio.stat().st_size // 2])


def _score_files(ws: Path) -> None:
    (ws / "pairs.csv").write_text("ref,hyp\na b,a b\n", "utf-8")
    (ws / "latin1.csv").write_bytes(b"ref,hyp\ncaf\xe9,cafe\n")
    (ws / "no-hyps.csv").write_text("ref,hyp\na b\nc d,\n", "utf-8")
    (ws / "bad.jsonl").write_text('{"ref": "a", "hyp": "a"}\n{"ref": \n', "utf-8")
    (ws / "typed.jsonl").write_text('{"ref": 12, "hyp": "a"}\n', "utf-8")
    (ws / "header-only.csv").write_text("ref,hyp\n", "utf-8")
    (ws / "terms-latin1.txt").write_bytes(b"caf\xe9\n")
    sf.write(str(ws / "tone.wav"), np.zeros(1600, dtype=np.float32), 16000)


def _stores(ws: Path) -> None:
    (ws / "gate-dup.yaml").write_text("rules: []\nrules: []\n", "utf-8")
    (ws / "gate-latin1.yaml").write_bytes(b"rules: []\n" + LATIN1)
    # Gates and run stores: a good store, a damaged one, a file where a folder belongs.
    with RunStore(ws / "runs") as store:
        write_runs(store)
    (ws / "damaged-runs").mkdir()
    (ws / "damaged-runs" / "scribe-eval.sqlite").write_bytes(b"not a database " * 500)
    shutil.copytree(ws / "runs", ws / "torn-runs")
    torn = ws / "torn-runs" / "scribe-eval.sqlite"
    data = bytearray(torn.read_bytes())
    data[100 : len(data)] = bytes(len(data) - 100)  # the header survives, every page is zeroed
    torn.write_bytes(bytes(data))
    (ws / "a-file").write_text("not a folder\n", "utf-8")


# (arguments, environment, exit code, fragments the output must contain); "{ws}" is the folder.
CASES = [
    # Template files.
    pytest.param(["templates", "validate", "{ws}/latin1-template.yaml"], {}, 1,
                 ["latin1-template.yaml", "not UTF-8", "save it as UTF-8"], id="template-latin1"),
    pytest.param(["templates", "validate", "{ws}/dup-template.yaml"], {}, 1,
                 ["key 'label' is written twice (lines 1 and 3)"], id="template-dup-key"),
    pytest.param(["templates", "validate", "{ws}/syntax-template.yaml"], {}, 1,
                 ["syntax-template.yaml:4", "YAML syntax error"], id="template-syntax"),
    pytest.param(["templates", "validate", "{ws}/list-template.yaml"], {}, 1,
                 ["must be a mapping"], id="template-not-a-mapping"),
    pytest.param(["templates", "validate", "{ws}/nope.yaml"], {}, 1,
                 ["nope.yaml", "No such file", "check the path"], id="template-missing"),
    pytest.param(["templates", "validate", "{ws}/binary.yaml"], {}, 1,
                 ["binary.yaml", "not UTF-8"], id="template-binary"),
    pytest.param(["templates", "validate", "{ws}/empty.yaml"], {}, 1,
                 ["empty.yaml", "mapping"], id="template-empty"),
    pytest.param(["templates", "show", "no-such-template"], {}, 1,
                 ["no-such-template"], id="template-unknown-key"),
    # Experiment files and `run` (every case fails before any API call).
    pytest.param(["run", "{ws}/exp-dup.yaml", "--runs-dir", "{ws}/r"], {}, 1,
                 ["exp-dup.yaml", "key 'name' is written twice"], id="run-dup-key"),
    pytest.param(["run", "{ws}/exp-latin1.yaml", "--runs-dir", "{ws}/r"], {}, 1,
                 ["exp-latin1.yaml", "not UTF-8"], id="run-latin1-experiment"),
    pytest.param(["run", "{ws}/exp-syntax.yaml", "--runs-dir", "{ws}/r"], {}, 1,
                 ["exp-syntax.yaml", "YAML syntax error"], id="run-syntax"),
    pytest.param(["run", "{ws}/exp-no-dataset.yaml", "--runs-dir", "{ws}/r"], {}, 1,
                 ["nowhere"], id="run-missing-dataset"),
    pytest.param(["run", "{ws}/exp-typo.yaml", "--runs-dir", "{ws}/r"], {}, 1,
                 ["unknown key 'templtes'", "did you mean 'templates'"], id="run-typo-key"),
    pytest.param(["run", "{ws}/exp-kind.yaml", "--runs-dir", "{ws}/r"], {}, 1,
                 ["'embeded' is not one of"], id="run-bad-target-kind"),
    pytest.param(["run", "{ws}/exp-latin1-template.yaml", "--runs-dir", "{ws}/r"], {}, 1,
                 ["latin1-template.yaml", "not UTF-8"], id="run-latin1-template"),
    pytest.param(["run", "{ws}/exp-missing-template.yaml", "--runs-dir", "{ws}/r"], {}, 1,
                 ["nope.yaml"], id="run-missing-template"),
    pytest.param(["run", "{ws}/exp-typo-template.yaml", "--runs-dir", "{ws}/r"], {}, 1,
                 ["soap-telegrafic.yaml does not exist; did you mean "
                  "{ws}/templates/soap-telegraphic.yaml?"], id="run-misspelt-template"),
    pytest.param(["run", "{ws}/exp-typo-dataset.yaml", "--runs-dir", "{ws}/r"], {}, 1,
                 ["datset does not exist; did you mean {ws}/dataset? (a relative path"],
                 id="run-misspelt-dataset"),
    pytest.param(["run", "{ws}/exp-typo.yml", "--runs-dir", "{ws}/r"], {}, 1,
                 ["cannot read experiment file {ws}/exp-typo.yml: No such file or directory; "
                  "did you mean {ws}/exp-typo.yaml?"], id="run-misspelt-experiment"),
    pytest.param(["run", "{ws}/exp-url-no-token-url.yaml", "--runs-dir", "{ws}/r"],
                 {"SCRIBE_EVAL_CLIENT_ID": "c", "SCRIBE_EVAL_CLIENT_SECRET": "s3cr3t-value"}, 1,
                 ["SCRIBE_EVAL_TOKEN_URL", "token_url"], id="run-secret-to-unnamed-host"),
    # `auth` defaults to client credentials: a static token set in the environment is unused.
    pytest.param(["run", "{ws}/exp-url-no-token-url.yaml", "--runs-dir", "{ws}/r"],
                 {"SCRIBE_EVAL_TOKEN": "s3cr3t-value", "SCRIBE_EVAL_CLIENT_ID": ""}, 1,
                 ["SCRIBE_EVAL_CLIENT_ID is not set", "SCRIBE_EVAL_TOKEN is set",
                  "set `auth: token` under `target:`"], id="run-token-without-auth-token"),
    pytest.param(["run", "{ws}/exp-url-no-token-url.yaml", "--runs-dir", "{ws}/r"],
                 {"SCRIBE_EVAL_TOKEN": "", "SCRIBE_EVAL_CLIENT_ID": ""}, 1,
                 ["SCRIBE_EVAL_CLIENT_ID is not set", "for a static token, set `auth: token`"],
                 id="run-url-no-credentials"),
    pytest.param(["run", "{ws}/not-there.yaml"], {}, 1, ["not-there.yaml", "No such file"],
                 id="run-no-file"),
    pytest.param(["run", "{ws}/a-folder.yaml", "--runs-dir", "{ws}/r"], {}, 1,
                 ["a-folder.yaml", "is a directory"], id="run-folder-as-experiment"),
    pytest.param(["run", "--resume", "20990101-000000-ffffff", "--runs-dir", "{ws}/runs"], {}, 1,
                 ["20990101-000000-ffffff"], id="run-resume-unknown"),
    pytest.param(["run", "{ws}/exp-ok.yaml", "--runs-dir", "{ws}/a-file"], {}, 1,
                 ["a-file"], id="run-runs-dir-is-a-file"),
    # Datasets.
    pytest.param(["dataset", "validate", "{ws}/ds-dup"], {}, 1,
                 ["key 'encounters' is written twice"], id="dataset-dup-key"),
    pytest.param(["dataset", "validate", "{ws}/ds-latin1"], {}, 1,
                 ["dataset.yaml", "not UTF-8"], id="dataset-latin1-manifest"),
    pytest.param(["dataset", "validate", "{ws}/ds-list"], {}, 1,
                 ["must be a YAML mapping"], id="dataset-manifest-is-a-list"),
    pytest.param(["dataset", "validate", "{ws}/ds-cut-audio"], {}, 1,
                 ["audio is damaged", "truncated"], id="dataset-truncated-audio"),
    pytest.param(["dataset", "validate", "{ws}/nowhere"], {}, 1,
                 ["nowhere", "no dataset manifest here"], id="dataset-missing-folder"),
    pytest.param(["dataset", "show", "{ws}/ds-dup"], {}, 1,
                 ["written twice"], id="dataset-show-dup-key"),
    # Scoring files.
    pytest.param(["score", "transcripts", "{ws}/latin1.csv", "--ref-col", "ref", "--hyp-col",
                  "hyp"], {}, 1, ["latin1.csv", "UTF-8"], id="score-latin1-csv"),
    pytest.param(["score", "transcripts", "{ws}/no-hyps.csv", "--ref-col", "ref", "--hyp-col",
                  "hyp"], {}, 1, ["row 1", "row 2", "no row of"], id="score-no-hypotheses"),
    pytest.param(["score", "notes", "{ws}/bad.jsonl", "--ref-col", "ref", "--hyp-col", "hyp"],
                 {}, 1, ["line 2", "not JSON"], id="score-broken-jsonl"),
    pytest.param(["score", "notes", "{ws}/typed.jsonl", "--ref-col", "ref", "--hyp-col", "hyp"],
                 {}, 1, ["row 1", "holds int"], id="score-number-as-text"),
    pytest.param(["score", "notes", "{ws}/pairs.csv", "--ref-col", "reference", "--hyp-col",
                  "hyp"], {}, 1, ["column 'reference' not found"], id="score-unknown-column"),
    pytest.param(["score", "notes", "{ws}/header-only.csv", "--ref-col", "ref", "--hyp-col",
                  "hyp"], {}, 1, ["has no rows"], id="score-no-rows"),
    pytest.param(["score", "notes", "{ws}/missing.csv", "--ref-col", "ref", "--hyp-col", "hyp"],
                 {}, 1, ["missing.csv", "No such file"], id="score-missing-file"),
    pytest.param(["score", "transcripts", "{ws}/pairs.csv", "--ref-col", "ref", "--hyp-col",
                  "hyp", "--terms", "{ws}/terms-latin1.txt"], {}, 1,
                 ["terms-latin1.txt"], id="score-latin1-terms"),
    pytest.param(["score", "transcripts", "{ws}/tone.wav", "--ref-col", "ref", "--hyp-col",
                  "hyp"], {}, 1, ["tone.wav"], id="score-audio-as-table"),
    # Run stores.
    pytest.param(["runs", "list", "--runs-dir", "{ws}/damaged-runs"], {}, 1,
                 ["damaged-runs", "damaged or not a scribe-eval store", "--runs-dir"],
                 id="runs-list-damaged-store"),
    pytest.param(["runs", "list", "--runs-dir", "{ws}/torn-runs"], {}, 1,
                 ["run store", "damaged"], id="runs-list-torn-store"),
    pytest.param(["runs", "show", "latest", "--runs-dir", "{ws}/damaged-runs"], {}, 1,
                 ["damaged"], id="runs-show-damaged-store"),
    pytest.param(["report", "latest", "-o", "{ws}/rep", "--runs-dir", "{ws}/damaged-runs"], {},
                 1, ["damaged"], id="report-damaged-store"),
    pytest.param(["export", "latest", "--runs-dir", "{ws}/damaged-runs"], {}, 1,
                 ["damaged-runs/scribe-eval.sqlite", "damaged"], id="export-damaged-store"),
    pytest.param(["rescore", "latest", "--runs-dir", "{ws}/damaged-runs"], {}, 1,
                 ["damaged-runs/scribe-eval.sqlite", "damaged"], id="rescore-damaged-store"),
    pytest.param(["runs", "show", "20990101-000000-ffffff", "--runs-dir", "{ws}/runs"], {}, 1,
                 ["20990101-000000-ffffff"], id="runs-show-unknown-run"),
    pytest.param(["runs", "bless", "nope", "--name", "x", "--runs-dir", "{ws}/runs"], {}, 1,
                 ["nope"], id="runs-bless-unknown-run"),
    pytest.param(["report", "nope", "-o", "{ws}/rep", "--runs-dir", "{ws}/runs"], {}, 1,
                 ["nope"], id="report-unknown-run"),
    pytest.param(["compare", "--baseline", "nobody", "latest", "--runs-dir", "{ws}/runs"], {},
                 1, ["nobody"], id="compare-unknown-baseline"),
    # A candidate that never ran leaves `latest` on the baseline's run: all unchanged, a pass.
    pytest.param(["compare", "latest", "latest", "--runs-dir", "{ws}/runs"], {}, 1,
                 ["are the same run", "proves nothing"], id="compare-a-run-with-itself"),
    pytest.param(["compare", "--gate", "{ws}/gate-dup.yaml", "20261124-010000-aaaaaa", "latest",
                  "--runs-dir", "{ws}/runs"], {}, 1,
                 ["gate-dup.yaml", "written twice"], id="compare-gate-dup-key"),
    pytest.param(["compare", "--gate", "{ws}/gate-latin1.yaml", "20261124-010000-aaaaaa",
                  "latest", "--runs-dir", "{ws}/runs"], {}, 1,
                 ["gate-latin1.yaml", "not UTF-8"], id="compare-gate-latin1"),
    pytest.param(["runs", "list", "--store", "postgresql://nobody@127.0.0.1:1/none"], {}, 1,
                 ["cannot reach the PostgreSQL store", "Connection refused"],
                 id="runs-list-unreachable-team-store"),
    # Options.
    pytest.param(["emulator", "serve", "--port", "99999"], {}, 1, ["99999"], id="emulator-port"),
    pytest.param(["schema", "nonsense"], {}, 1, ["nonsense"], id="schema-unknown-kind"),
    pytest.param(["no-such-command"], {}, 1, ["no-such-command"], id="unknown-command"),
]  # fmt: skip


def _expand(values: list[str], ws: Path) -> list[str]:
    return [value.replace("{ws}", str(ws)) for value in values]


@pytest.mark.parametrize(("args", "env", "code", "fragments"), CASES)
def test_a_bad_input_gets_one_line_naming_it(
    ws: Path, args: list[str], env: dict[str, str], code: int, fragments: list[str]
) -> None:
    result = CliRunner().invoke(main, _expand(args, ws), env=env)
    output = result.output
    assert result.exit_code == code, output
    assert "Traceback" not in output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    for fragment in _expand(fragments, ws):
        assert fragment in output, output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) <= 1, output
    assert "s3cr3t-value" not in output


def test_an_invalid_experiment_file_is_one_line_or_a_one_line_header_and_a_line_a_problem(
    ws: Path,
) -> None:
    runs = str(ws / "r")
    typo = CliRunner().invoke(main, ["run", str(ws / "exp-typo.yaml"), "--runs-dir", runs])
    assert typo.exit_code == 1
    (line,) = typo.output.splitlines()
    assert line.startswith(f"Error: invalid experiment file: {ws / 'exp-typo.yaml'}:")
    assert line.endswith(": templtes: unknown key 'templtes'; did you mean 'templates'?")
    path = ws / "exp-two-problems.yaml"
    two = CliRunner().invoke(main, ["run", str(path), "--runs-dir", runs])
    assert two.exit_code == 1
    header, *problems = two.output.splitlines()
    assert header == (
        f"Error: invalid experiment file {path}: 2 problems, one per line below; fix each"
    )
    assert [p.split(": ", 2)[1] for p in problems] == ["dataset", "execution.concurrency"]
    assert all(p.startswith(f"  {path}:") for p in problems)


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


def _scribe_eval(*args: str, block: str | None = None) -> subprocess.CompletedProcess[str]:
    # A fresh interpreter; ``block`` makes one module unimportable, as when an extra is missing.
    prelude = f"import sys; sys.modules[{block!r}] = None; " if block else "import sys; "
    code = prelude + "from scribe_eval.cli import main; sys.argv[0] = 'scribe-eval'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )


def test_a_missing_extra_names_the_extra_and_the_install_command(tmp_path: Path) -> None:
    done = _scribe_eval("emulator", "serve", "--port", "0", "--data-dir", str(tmp_path),
                        block="fastapi")  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "Error: this command needs the 'emulator' extra (module 'fastapi' is not installed); "
        "install it: pip install 'ambient-scribe-eval[emulator]'"
    ]


def test_debug_shows_the_traceback(ws: Path) -> None:
    store = str(ws / "damaged-runs")
    quiet = _scribe_eval("runs", "list", "--runs-dir", store)
    loud = _scribe_eval("--debug", "runs", "list", "--runs-dir", store)
    assert quiet.returncode == 1
    assert "Traceback" not in quiet.stderr
    assert loud.returncode == 1
    assert "Traceback" in loud.stderr
    assert "sqlite3.DatabaseError" in loud.stderr


def test_an_unexpected_failure_is_one_line_asking_for_a_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A bug of ours (here: a command that divides by zero) is still no traceback without --debug.
    import scribe_eval.cli.schema as schema_module

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(schema_module.schema, "callback", broken)
    result = CliRunner().invoke(main, ["schema", "experiment"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip() == (
        "Error: internal error (ZeroDivisionError: division by zero); this is a bug in "
        "scribe-eval: rerun with --debug for the traceback and report it"
    )


@pytest.mark.parametrize(
    ("args", "named"),
    [
        pytest.param(["compare", "--baseline", "prod", "latest", "--junitt", "g.xml"],
                     "No such option '--junitt'. Did you mean '--junit'?", id="unknown-option"),
        pytest.param(["runs", "trend"], "Missing option '--template'", id="missing-option"),
        pytest.param(["nope"], "No such command 'nope'; see", id="unknown-command"),
        # The commands load on first use: the suggestion comes from their names all the same.
        pytest.param(["reprot", "latest"], "No such command 'reprot'. Did you mean 'report'?",
                     id="misspelt-command"),
        # Click attaches no command to this one: the pointer is found from the words typed.
        pytest.param(["report", "latest", "-o"],
                     "Option '-o' requires an argument; see 'scribe-eval report --help'",
                     id="option-without-value"),
        pytest.param(["runs", "trend", "--template"],
                     "Option '--template' requires an argument; "
                     "see 'scribe-eval runs trend --help'",
                     id="nested-option-without-value"),
        # A setting of the experiment file typed as an option is told where it lives, not
        # pointed at --global-concurrency (which only applies with --workers).
        pytest.param(["run", "exp.yaml", "--concurency", "4"],
                     "No such option '--concurency': concurrency is a setting of the experiment "
                     "file (`execution.concurrency`), not an option", id="file-setting-misspelt"),
        pytest.param(["run", "exp.yaml", "--concurrency", "4"],
                     "No such option '--concurrency': concurrency is a setting of the experiment "
                     "file (`execution.concurrency`), not an option", id="file-setting"),
        # The run's own time-out (a setting with its unit), not the judge's `timeout`.
        pytest.param(["run", "exp.yaml", "--timeout", "30"],
                     "No such option '--timeout': timeout_s is a setting of the experiment "
                     "file (`execution.timeout_s`), not an option; set it there",
                     id="file-setting-with-its-unit"),
        pytest.param(["run", "exp.yaml", "--judge-timeout", "30"],
                     "No such option '--judge-timeout': timeout is a setting of the experiment "
                     "file (`judge.timeout`), not an option; set it there",
                     id="file-setting-with-its-section"),
        # A setting with an option of its own is pointed at the option, not told there is none.
        pytest.param(["run", "exp.yaml", "--max-age", "3"],
                     "No such option '--max-age': did you mean '--cache-max-age'? It overrides "
                     "the experiment file's `cache.max_age` for this run",
                     id="file-setting-with-its-own-option"),
    ],
)  # fmt: skip
def test_a_usage_error_is_one_line_and_exit_1_never_the_gates_2(
    args: list[str], named: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, args, prog_name="scribe-eval")
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: {named}")
    assert "--help'" in lines[0]
    assert "?;" not in lines[0]  # a question ends its sentence: "...'--junit'? See '...'"
    assert "global-concurrency" not in lines[0]


def test_an_option_close_to_a_real_option_keeps_clicks_suggestion() -> None:
    result = CliRunner().invoke(main, ["run", "exp.yaml", "--worker", "2"])
    assert result.exit_code == 1
    assert "'--workers'" in result.stderr
    assert "setting of the experiment file" not in result.stderr


@pytest.mark.parametrize("url", ["mysql://root:secret@127.0.0.1/x", "postgresq://u@h/db"])
def test_a_store_url_of_another_scheme_is_refused_not_taken_for_a_folder(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["runs", "list", "--store", url])
    assert result.exit_code == 1, result.output
    assert "a store URL must start with postgresql://" in result.stderr
    assert "secret" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # No stray local store was created.
