"""What only the PostgreSQL store has: a server, a URL with credentials, concurrent migration."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import psycopg
import pytest
import yaml
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.errors import StoreError
from scribe_eval.store import RunStore, SqliteRunStore, open_store, redact_url
from scribe_eval.store._pg import PgRunStore
from scribe_eval.store._pg_schema import PG_MIGRATIONS

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "mini"
SECRET = "s3cret-Pw-9"


def _with_password(url: str) -> str:
    # Trust authentication accepts any password: the server never needs it, so it can only
    # end up stored or shown by our own mistake.
    return url.replace("postgres@", f"postgres:{SECRET}@", 1)


@pytest.mark.postgres
def test_a_newer_schema_is_refused_with_one_line(pg_url: str, tmp_path: Path) -> None:
    open_store(pg_url, tmp_path).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE scribe_eval_schema SET version = 99")
    with pytest.raises(StoreError, match="schema version 99, newer than") as caught:
        open_store(pg_url, tmp_path)
    assert "\n" not in str(caught.value)


@pytest.mark.postgres
def test_machines_opening_a_new_store_at_once_migrate_it_once(pg_url: str, tmp_path: Path) -> None:
    failures: list[BaseException] = []

    def open_and_close() -> None:
        try:
            open_store(pg_url, tmp_path).close()
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=open_and_close) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM scribe_eval_schema").fetchall() == [
            (len(PG_MIGRATIONS),)
        ]


def test_an_unreachable_server_is_one_line_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://postgres:{SECRET}@127.0.0.1:1/test"
    with pytest.raises(StoreError, match="cannot reach the PostgreSQL store") as caught:
        open_store(url, tmp_path)
    assert SECRET not in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        pytest.param("postgresql://u:pw@h:5/db", "postgresql://u@h:5/db", id="user-part"),
        pytest.param(
            "postgresql://h/db?password=pw&sslmode=require", "postgresql://h/db?sslmode=require",
            id="query",
        ),
        pytest.param("postgres://:pw@h/db", "postgres://h/db", id="no-user"),
    ],
)  # fmt: skip
def test_redacted_urls_drop_the_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.slow
@pytest.mark.postgres
def test_a_run_on_the_team_store_never_keeps_the_password(
    pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = _with_password(pg_url)
    experiment = _experiment(tmp_path)
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    base = ["--store", url, "--runs-dir", str(tmp_path / "runs")]
    first = runner.invoke(main, ["run", str(experiment), "--no-progress", *base])
    assert first.exit_code == 0, first.output
    second = runner.invoke(main, ["run", str(experiment), "--no-progress", *base])
    assert second.exit_code == 0, second.output
    assert "(6 from cache)" in second.output
    first_id = first.output.strip().splitlines()[-1]
    shown = runner.invoke(main, ["runs", "show", "latest", *base])
    assert shown.exit_code == 0, shown.output
    assert f"reused answers made by run {first_id}" in shown.output
    listed = runner.invoke(main, ["runs", "list", "--json", *base])
    texts = [first.output, second.output, shown.output, listed.output, caplog.text]
    assert all(SECRET not in text for text in texts)
    assert SECRET not in _everything_stored(pg_url)
    assert not list((tmp_path / "runs").glob("*.sqlite"))  # nothing went to a local file


def _everything_stored(url: str) -> str:
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        rows = [conn.execute(f"SELECT t::text FROM {t} AS t").fetchall() for t in tables]
    assert "runs" in tables
    return "\n".join(str(row) for table in rows for row in table)


def _experiment(tmp_path: Path) -> Path:
    data = {
        "name": "mini",
        "dataset": str(MINI),
        "target": {"kind": "embedded", "asr_engine": "instant"},
        "templates": [
            {"key": "corti-soap", "label": "soap"},
            {"key": "corti-brief-clinical-note", "label": "brief", "reference": "soap"},
        ],
        "languages": {"output": ["recording"]},
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.postgres
def test_the_environment_variable_chooses_the_team_store(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRIBE_EVAL_STORE", _with_password(pg_url))
    with open_store(None, tmp_path) as chosen:
        assert isinstance(chosen, PgRunStore)
        assert SECRET not in chosen.location
        assert chosen.location.startswith("postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.delenv("SCRIBE_EVAL_STORE")
    with open_store(None, tmp_path) as local, RunStore(tmp_path) as direct:
        assert isinstance(local, SqliteRunStore)
        assert isinstance(direct, SqliteRunStore)
