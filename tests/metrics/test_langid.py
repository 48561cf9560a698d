"""Language identification's model, read from its unpacked copy in the user's cache: the same
answers as py3langid's own loader, made once, and never in the way when it cannot be made."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from scribe_eval.metrics import _langid

TEXTS = [
    "The patient reports a dry cough for three days and a fever of 38.1 last night.",
    "Der Patient berichtet über trockenen Husten seit drei Tagen und Fieber bis 38,5 Grad.",
    "La patiente signale une toux sèche depuis trois jours et une fièvre à 38,5 degrés.",
    "Il paziente riferisce tosse secca da tre giorni e febbre fino a 38,5 gradi.",
    "Paciente refiere tos seca desde hace tres días y fiebre de 38,5 grados.",
]
LANGUAGES = [["en", "de", "fr"], ["en", "de", "fr", "it", "es", "nl", "pt"], None]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCRIBE_EVAL_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def fresh_model() -> Iterator[None]:
    """The process's loaded model forgotten, so the test loads it anew (and forgotten again)."""
    _langid._base_model.cache_clear()
    _langid._identifier.cache_clear()
    yield
    _langid._base_model.cache_clear()
    _langid._identifier.cache_clear()


def _answers(identifier: LanguageIdentifier) -> list[tuple[str, float]]:
    answers = []
    for languages in LANGUAGES:
        narrowed = copy.copy(identifier)
        narrowed.set_languages(languages)
        answers += [narrowed.classify(text) for text in TEXTS]
    return answers


def test_the_unpacked_copy_answers_exactly_as_the_packaged_model(cache: Path) -> None:
    folder = _langid.unpacked_model(MODEL_DIR / MODEL_FILE)

    assert folder is not None
    assert folder.parent == cache
    ours = _langid._from_unpacked(LanguageIdentifier, folder)
    theirs = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    assert _answers(ours) == _answers(theirs)  # the same language and the same probability
    assert ours.labels == theirs.labels


def test_the_copy_is_made_once_and_found_again(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _langid.unpacked_model(MODEL_DIR / MODEL_FILE)
    assert first is not None

    def unpack_again(source: Path, folder: Path) -> None:
        raise AssertionError("the copy was made a second time")

    monkeypatch.setattr(_langid, "_unpack", unpack_again)
    assert _langid.unpacked_model(MODEL_DIR / MODEL_FILE) == first


def test_a_copy_of_another_version_is_replaced_and_no_scratch_is_left(cache: Path) -> None:
    stale = cache / "py3langid-0.0.1-0123456789abcdef"
    stale.mkdir(parents=True)
    (stale / "out_feat.npy").write_bytes(b"stale")

    folder = _langid.unpacked_model(MODEL_DIR / MODEL_FILE)

    assert folder is not None
    assert sorted(p.name for p in cache.iterdir()) == [folder.name]


@pytest.mark.usefixtures("fresh_model")
def test_no_cache_folder_falls_back_to_the_packaged_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("SCRIBE_EVAL_CACHE_DIR", str(blocker / "cache"))
    assert _langid.unpacked_model(MODEL_DIR / MODEL_FILE) is None

    guess = _langid.identify_language(TEXTS[1])
    assert guess is not None
    assert guess.language == "de"


@pytest.mark.usefixtures("fresh_model")
def test_a_damaged_copy_is_not_used(cache: Path) -> None:
    folder = _langid.unpacked_model(MODEL_DIR / MODEL_FILE)
    assert folder is not None
    (folder / "nextmove.npy").write_bytes(b"not an array")

    guess = _langid.identify_language(TEXTS[2])
    assert guess is not None
    assert guess.language == "fr"
    assert not folder.exists()  # removed, so the next process makes it whole again
