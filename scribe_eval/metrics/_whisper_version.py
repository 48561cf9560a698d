"""The installed whisper-normalizer release, read without importing its normalisers."""

from __future__ import annotations

from typing import Final

from whisper_normalizer import __version__

WHISPER_NORMALIZER_VERSION: Final[str] = str(__version__)
"""Part of every Whisper normaliser's label; the package's own ``__version__`` (its one-line
``__init__``), which a test pins to the installed distribution's version. Reading the
distribution's metadata imported ``importlib.metadata`` (~0.03 s) for it."""
