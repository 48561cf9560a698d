"""Which language a text is written in, by py3langid (langid.py's maintained fork).

py3langid ships its naive Bayes model inside the PyPI package, so identification works offline
with nothing downloaded at run time. The model is loaded once, on first use (0.1 s from its
unpacked copy in the user cache folder; the first load ever unpacks it, about a second), and
restricted to a candidate set: the European languages scribes write in plus the
requested one, which makes short clinical texts far less likely to be taken for a language no
one asked for. Identification is unreliable on a handful of words, so texts shorter than
``MIN_WORDS`` letter-words are not judged at all.
"""

from __future__ import annotations

import contextlib
import functools
import os
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import regex  # type: ignore[import-untyped]

from scribe_eval._cachedir import cache_dir
from scribe_eval.errors import MetricError

LANGUAGE_CANDIDATES: Final[tuple[str, ...]] = (
    "da", "de", "en", "es", "fi", "fr", "it", "nl", "no", "pl", "pt", "sv",
)  # fmt: skip
"""Languages a text may be identified as (the requested language is always added)."""
MIN_WORDS: Final = 4
"""Fewest letter-words a text needs before its language is judged."""
LANGID_NAME: Final = "py3langid"
_WORD: Final = regex.compile(r"\p{L}{2,}")


@dataclass(frozen=True)
class LanguageGuess:
    """The identified language of a text (a base code such as ``de``) and its probability."""

    language: str
    probability: float


def base_language(code: str) -> str:
    """The base code of a contract language (``de-CH`` -> ``de``; ``nb`` -> ``no``)."""
    base = code.strip().split("-")[0].split("_")[0].lower()
    return "no" if base in ("nb", "nn") else base


def is_identifiable(code: str) -> bool:
    """True when the identifier's model knows the base language of ``code``."""
    return base_language(code) in _base_model().labels


def identify_language(text: str, candidates: Iterable[str] = ()) -> LanguageGuess | None:
    """The most likely language of ``text`` among ``LANGUAGE_CANDIDATES`` and ``candidates``.

    Returns None when the text has fewer than ``MIN_WORDS`` letter-words.
    """
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    wanted = tuple(sorted({*LANGUAGE_CANDIDATES, *(base_language(c) for c in candidates)}))
    language, probability = _identifier(wanted).classify(text)
    return LanguageGuess(str(language), float(probability))


@functools.lru_cache(maxsize=1)
def langid_version() -> str:
    """``py3langid@<version>``, for provenance."""
    from importlib.metadata import version

    return f"{LANGID_NAME}@{version(LANGID_NAME)}"


@functools.lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> Any:
    known = [code for code in languages if code in _base_model().labels]
    if not known:
        raise MetricError(f"py3langid knows none of {list(languages)} — use ISO 639-1 codes")
    identifier = _model(fresh=True)
    identifier.set_languages(known)
    return identifier


@functools.lru_cache(maxsize=1)
def _base_model() -> Any:
    """py3langid's model, from its unpacked copy in the user cache folder (`unpacked_model`).

    The package ships it LZMA-compressed (4.5 MB of 68): unpacking it took 0.7 of the 0.9 s of
    CPU a load cost, in every process that scores (a run loads it while its calls are out). The
    copy is the same arrays, so the same answers; it is made once per py3langid install. Where no
    copy can be made or read (no cache folder, a py3langid of another layout), the package's own
    loader is used.
    """
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    folder = unpacked_model(MODEL_DIR / MODEL_FILE)
    if folder is not None:
        try:
            return _from_unpacked(LanguageIdentifier, folder)
        except (OSError, ValueError, KeyError, TypeError):  # damaged: the next process remakes it
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


#: The arrays of py3langid's model file (an npz inside LZMA), one ``.npy`` file each in the copy.
_MODEL_ARRAYS: Final = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def unpacked_model(source: Path) -> Path | None:
    """The folder of ``source``'s arrays as ``.npy`` files, made now if it is missing; None when
    it cannot be made (no writable cache folder, a file of another layout).

    The folder is named by py3langid's version and the file's content (installs of one version
    share it; another version makes its own and removes the old). It appears whole or not at all
    (written beside, then renamed), so processes racing to make it each find a complete one.
    """
    import hashlib
    import lzma
    import shutil
    import tempfile

    try:
        digest = hashlib.blake2b(source.read_bytes(), digest_size=8).hexdigest()
        folder = cache_dir() / f"py3langid-{langid_version().split('@')[1]}-{digest}"
        if (folder / "out_feat.npy").exists():
            return folder
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".unpacking-") as scratch:
            _unpack(source, Path(scratch) / "model")
            for old in folder.parent.glob("py3langid-*"):
                if old != folder:
                    shutil.rmtree(old, ignore_errors=True)
            with contextlib.suppress(OSError):  # another process made it first: theirs is whole
                os.replace(Path(scratch) / "model", folder)
        return folder if (folder / "out_feat.npy").exists() else None
    except (OSError, ValueError, KeyError, lzma.LZMAError):
        return None


def _unpack(source: Path, folder: Path) -> None:
    import lzma
    import shutil
    import tempfile

    import numpy as np

    folder.mkdir()
    with tempfile.TemporaryFile(dir=folder) as npz:
        with lzma.open(source) as packed:
            shutil.copyfileobj(packed, npz, length=1 << 20)
        npz.seek(0)
        with np.load(npz, allow_pickle=False) as arrays:
            for name in _MODEL_ARRAYS:
                np.save(folder / f"{name}.npy", arrays[name], allow_pickle=False)


def _from_unpacked(identifier: Any, folder: Path) -> Any:
    """A ``LanguageIdentifier`` of the arrays in ``folder``, as py3langid builds one from its
    file: the DFA's tables as stdlib arrays, the output table and labels as lists. The largest
    table (100,053 features x 142 languages) is mapped, not read: only a narrowed copy is made."""
    import numpy as np

    def read(name: str, *, mapped: bool = False) -> Any:
        return np.load(
            folder / f"{name}.npy", mmap_mode="r" if mapped else None, allow_pickle=False
        )

    def table(name: str) -> array[int]:
        values = read(name, mapped=True)
        out = array(_TYPECODES[values.dtype.itemsize])
        out.frombytes(np.ascontiguousarray(values).data.cast("B"))
        return out

    return identifier(
        read("ptc", mapped=True),
        read("pc"),
        read("classes").tolist(),
        table("nextmove"),
        read("out_feat").tolist(),
        norm_probs=True,
        tk_row=table("nextmove_row"),
    )


_TYPECODES: Final = {2: "H", 4: "I", 8: "L"}


def _model(*, fresh: bool = False) -> Any:
    # set_languages() narrows an identifier in place, so each candidate set gets its own copy.
    import copy

    return copy.copy(_base_model()) if fresh else _base_model()
