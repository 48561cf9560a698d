"""The user cache folder: what scribe-eval can make again from what is installed, never run data.

``SCRIBE_EVAL_CACHE_DIR``, else the platform's user cache folder (``~/.cache/scribe-eval`` on
Linux). It holds the speech weights reassembled and verified from their packages and the
language identifier's model unpacked from py3langid's; deleting it costs only the time to make
them again.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """The user cache folder: ``SCRIBE_EVAL_CACHE_DIR`` or the platform's user cache dir."""
    configured = os.environ.get("SCRIBE_EVAL_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("scribe-eval"))
