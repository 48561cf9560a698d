"""``scribe-eval score transcripts|notes`` through click's CliRunner."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jiwer
import pytest
from click.testing import CliRunner
from rouge_score import rouge_scorer

from scribe_eval.cli import main

ROWS = [
    {"key": "v1", "ref": "The patient has a cough.", "hyp": "the patient has cough"},
    {"key": "v2", "ref": "Blutdruck erhöht", "hyp": "Blutdruck erhäht und"},
    {"key": "v3", "ref": "", "hyp": "noise"},
]


def _write(tmp_path: Path, kind: str) -> Path:
    if kind == "csv":
        path = tmp_path / "pairs.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["key", "ref", "hyp"])
            writer.writeheader()
            writer.writerows(ROWS)
    else:
        path = tmp_path / "pairs.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n", encoding="utf-8")
    return path


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_transcripts_json(tmp_path: Path, kind: str) -> None:
    path = _write(tmp_path, kind)
    code, out, _ = _invoke(
        "score", "transcripts", str(path), "--ref-col", "ref", "--hyp-col", "hyp",
        "--id-col", "key", "--normalizer", "none", "--json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert [i["id"] for i in data["items"]] == ["v1", "v2", "v3"]
    first = data["items"][0]
    assert first["wer"] == pytest.approx(jiwer.wer(ROWS[0]["ref"], ROWS[0]["hyp"]))
    assert {"mer", "wil", "cer", "hits", "substitutions", "deletions", "insertions"} <= set(first)
    assert data["items"][2]["wer"] is None
    summary = data["summary"]
    assert summary["n"] == 3
    assert summary["wer_corpus"] == pytest.approx((3 + 2 + 1) / 7)  # the empty ref counts
    assert summary["wer_mean"] == pytest.approx((3 / 5 + 2 / 2) / 2)  # it is left out
    assert summary["cer_corpus"] > 0


def test_transcripts_terms_and_table(tmp_path: Path) -> None:
    path = _write(tmp_path, "csv")
    terms = tmp_path / "terms.txt"
    terms.write_text("cough\nblutdruck\n", encoding="utf-8")
    code, out, _ = _invoke(
        "score", "transcripts", str(path), "--ref-col", "ref", "--hyp-col", "hyp",
        "--terms", str(terms), "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["summary"]["term_recall"] == 1.0
    code, out, _ = _invoke(
        "score", "transcripts", str(path), "--ref-col", "ref", "--hyp-col", "hyp"
    )
    assert code == 0
    assert "empty ref" in out
    assert "WER pooled" in out


def test_notes_json_equals_rouge_score(tmp_path: Path) -> None:
    path = _write(tmp_path, "jsonl")
    code, out, _ = _invoke(
        "score", "notes", str(path), "--ref-col", "ref", "--hyp-col", "hyp",
        "--tokenizer", "rouge-score", "--stemmer", "--json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    expected = rouge_scorer.RougeScorer(["rouge1", "rougeLsum"], use_stemmer=True).score(
        ROWS[0]["ref"], ROWS[0]["hyp"]
    )
    assert data["items"][0]["id"] == 1
    assert data["items"][0]["rouge1_f"] == pytest.approx(expected["rouge1"].fmeasure, abs=1e-12)
    assert data["items"][0]["rougeLsum_r"] == pytest.approx(expected["rougeLsum"].recall)
    assert set(data["summary"]) >= {"n", "rouge1_f", "rouge2_f", "rougeL_f", "rougeLsum_f"}
    assert data["summary"]["tokenizer"] == "rouge-score@0.1.2"
    # The empty reference (row 3) is reported, has no numbers and stays out of the means.
    assert data["items"][2]["empty_reference"] is True
    assert data["items"][2]["rouge1_f"] is None
    assert data["summary"]["n_empty_reference"] == 1
    mean = (data["items"][0]["rouge1_f"] + data["items"][1]["rouge1_f"]) / 2
    assert data["summary"]["rouge1_f"] == pytest.approx(mean)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--ref-col", "reference"], "column 'reference' not found", id="column"),
        pytest.param(["--id-col", "nope"], "column 'nope' not found", id="id-column"),
    ],
)
def test_bad_columns_give_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    path = _write(tmp_path, "csv")
    base = ["--ref-col", "ref", "--hyp-col", "hyp"]
    code, _, err = _invoke("score", "notes", str(path), *base, *args)
    assert code == 1
    assert message in err
    assert err.startswith("Error: ")
    assert err.count("\n") == 1


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    code, _, err = _invoke("score", "notes", str(tmp_path / "missing.csv"), "--ref-col", "a",
                           "--hyp-col", "b")  # fmt: skip
    assert code == 1
    assert "cannot read" in err
    assert "No such file" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"a": "x", "b": "y"}\n{oops\n', encoding="utf-8")
    code, _, err = _invoke("score", "notes", str(bad), "--ref-col", "a", "--hyp-col", "b")
    assert code == 1
    assert "line 2" in err
    assert "not JSON" in err
    typed = tmp_path / "typed.jsonl"
    typed.write_text('{"a": 1, "b": "y"}\n', encoding="utf-8")
    code, _, err = _invoke("score", "notes", str(typed), "--ref-col", "a", "--hyp-col", "b")
    assert "holds int, not text" in err


def test_jsonl_ids_may_be_numbers(tmp_path: Path) -> None:
    path = tmp_path / "ids.jsonl"
    path.write_text('{"n": 7, "r": "a b", "h": "a c"}\n', encoding="utf-8")
    code, out, _ = _invoke(
        "score", "transcripts", str(path), "--ref-col", "r", "--hyp-col", "h", "--id-col", "n",
        "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["items"][0]["id"] == 7


def test_rows_missing_a_field_are_named_and_never_scored(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    # Row 2 lacks its hypothesis field entirely, row 3 has it empty, row 4 has an extra field.
    path.write_text(
        "ref,hyp\na b c,a b c\nd e f\ng h i,\nj k,j k,extra\nl m,l x\n", encoding="utf-8"
    )
    code, out, err = _invoke(
        "score", "transcripts", str(path), "--ref-col", "ref", "--hyp-col", "hyp", "--json"
    )
    assert code == 0
    assert f"row 2 of {path}: column 'hyp' is missing; left out, not scored" in err
    assert f"row 3 of {path}: column 'hyp' is empty" in err
    assert f"row 4 of {path}: has more fields than the header" in err
    data = json.loads(out)
    assert [item["id"] for item in data["items"]] == [1, 5]  # ids keep the file's row numbers
    summary = data["summary"]
    assert summary["n"] == 2
    assert summary["wer_corpus"] == pytest.approx(1 / 5)  # not pooled with a WER 1.0 row
    assert [row["row"] for row in summary["left_out"]] == [2, 3, 4]
    code, out, _ = _invoke(
        "score", "transcripts", str(path), "--ref-col", "ref", "--hyp-col", "hyp", "--json",
        "--keep-empty-hypotheses",
    )  # fmt: skip
    assert [item["id"] for item in json.loads(out)["items"]] == [1, 3, 5]


def test_jsonl_rows_with_an_absent_or_null_field_are_left_out(tmp_path: Path) -> None:
    path = tmp_path / "gaps.jsonl"
    lines = [
        '{"r": "a b", "h": "a b"}',
        '{"r": "a b"}',
        '{"r": null, "h": "x"}',
        '{"r": "c", "h": "c"}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = _invoke(
        "score", "notes", str(path), "--ref-col", "r", "--hyp-col", "h", "--json"
    )
    assert code == 0
    assert f"row 2 of {path}: column 'h' is missing" in err
    assert f"row 3 of {path}: column 'r' is missing" in err
    data = json.loads(out)
    assert data["summary"]["n"] == 2
    assert data["summary"]["n_left_out"] == 2
    assert data["summary"]["rouge1_f"] == pytest.approx(1.0)


def test_a_file_with_no_scorable_row_fails(tmp_path: Path) -> None:
    path = tmp_path / "empty-hyps.csv"
    path.write_text("ref,hyp\na,\nb,\n", encoding="utf-8")
    code, _, err = _invoke("score", "notes", str(path), "--ref-col", "ref", "--hyp-col", "hyp")
    assert code == 1
    assert "Error: no row of" in err
    assert "Traceback" not in err


def test_transcripts_take_a_pipeline_file_as_normalizer(tmp_path: Path) -> None:
    pipeline = tmp_path / "clinic.normalizer.yaml"
    words = tmp_path / "clinic.words.yaml"
    words.write_text("{had: has}\n", encoding="utf-8")
    pipeline.write_text(
        "name: clinic\nversion: '1'\nsteps: [basic, {word_map: clinic.words.yaml}]\n",
        encoding="utf-8",
    )
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("ref,hyp\nthe patient has a cough,The patient had a cough\n", encoding="utf-8")
    args = ["score", "transcripts", str(pairs), "--ref-col", "ref", "--hyp-col", "hyp", "--json"]
    plain = CliRunner().invoke(main, args)
    mapped = CliRunner().invoke(main, [*args, "--normalizer", str(pipeline)])
    assert plain.exit_code == 0, plain.output
    assert mapped.exit_code == 0, mapped.output
    assert json.loads(plain.stdout)["summary"]["wer_corpus"] == pytest.approx(0.2)
    assert json.loads(mapped.stdout)["summary"]["wer_corpus"] == 0.0


def test_notes_report_the_fact_check_per_item_in_json_and_csv(tmp_path: Path) -> None:
    reference = "Temperature 38.1 °C. No chest pain. Amoxicillin 500 mg. Left ear pain."
    generated = "Temp 38.1. Chest pain. Amoxicillin 50 mg. Right ear pain."
    pairs = tmp_path / "notes.csv"
    with pairs.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["ref", "hyp"], [reference, generated]])
    meds = tmp_path / "meds.txt"
    meds.write_text("amoxicillin\n", encoding="utf-8")
    args = ["score", "notes", str(pairs), "--ref-col", "ref", "--hyp-col", "hyp"]
    args += ["--medications", str(meds)]
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    item = json.loads(result.stdout)["items"][0]
    missed = {(f["kind"], f["text"]) for f in item["missed"]}
    invented = {(f["kind"], f["text"]) for f in item["invented"]}
    assert ("quantity", "38.1 °c") not in missed  # the note left out "°C": still the same fact
    assert ("quantity", "500 mg") in missed
    assert ("quantity", "50 mg") in invented
    assert any(kind == "negation" for kind, _ in missed)  # "no chest pain" became "chest pain"
    assert ("laterality", "right ear") in invented
    assert 0 < item["fact_recall"] < 1
    assert 0 < item["fact_precision"] < 1
    rows = list(csv.DictReader(CliRunner().invoke(main, [*args, "--csv"]).stdout.splitlines()))
    assert rows[0]["fact recall"] == f"{item['fact_recall'] * 100:.1f}"
    assert "quantity: 500 mg" in rows[0]["missed facts"]


def _notes_file(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "notes.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_notes_summary_is_the_catalogue_metric_the_report_and_gate_use(tmp_path: Path) -> None:
    """One note with every fact (1/1), one with a third (1/3): the mean is 66.7, not 50 pooled."""
    from scribe_eval.stats import MetricSample

    path = _notes_file(tmp_path, [
        {"ref": "Temperature 38.1 °C.", "hyp": "Temperature 38.1 °C."},
        {"ref": "BP 120/80. HR 88 bpm. Weight 70 kg.", "hyp": "BP 120/80."},
    ])  # fmt: skip
    args = ["score", "notes", str(path), "--ref-col", "ref", "--hyp-col", "hyp"]
    code, out, _ = _invoke(*args, "--json")
    assert code == 0
    data = json.loads(out)
    recalls = [item["fact_recall"] for item in data["items"]]
    assert recalls == [1.0, pytest.approx(1 / 3)]
    # What compare and the report compute for the same cells (one encounter each).
    expected = MetricSample.from_values(["1", "2"], recalls).value
    assert data["summary"]["fact_recall"] == pytest.approx(expected)
    assert data["summary"]["fact_recall"] == pytest.approx(2 / 3)
    code, out, _ = _invoke(*args)
    assert code == 0
    assert "fact recall 66.7" in " ".join(out.split())
    assert "pooled" not in out


def test_notes_read_numbers_by_the_language(tmp_path: Path) -> None:
    path = _notes_file(tmp_path, [
        {"ref": "Heparin 5000 Einheiten.", "hyp": "Heparin 5.000 Einheiten.", "lang": "de"},
        {"ref": "Heparin 5000 units.", "hyp": "Heparin 5.000 units.", "lang": "en"},
    ])  # fmt: skip
    args = ["score", "notes", str(path), "--ref-col", "ref", "--hyp-col", "hyp", "--json"]
    code, out, _ = _invoke(*args, "--language", "de")
    assert code == 0
    assert [i["fact_recall"] for i in json.loads(out)["items"]] == [1.0, 1.0]
    code, out, _ = _invoke(*args, "--language-col", "lang")
    assert code == 0
    assert [i["fact_recall"] for i in json.loads(out)["items"]] == [1.0, 0.0]
    code, _, err = _invoke(*args, "--language-col", "nope")
    assert code == 1
    assert "column 'nope' not found" in err
