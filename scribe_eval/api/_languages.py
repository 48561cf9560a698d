"""Language codes the contract names (section 7)."""

from __future__ import annotations

#: Transcript and document languages in the contract (2026 added ar, hu and gsw-CH).
SUPPORTED_LANGUAGES: tuple[str, ...] = (
    "en", "en-GB", "da", "de", "de-CH", "fr", "es", "sv", "it", "nl", "no", "pt", "ar", "hu",
    "gsw-CH",
)  # fmt: skip


def is_supported_language(code: str) -> bool:
    """True when ``code`` is one of the contract's language codes (case-insensitive)."""
    return code.lower() in {c.lower() for c in SUPPORTED_LANGUAGES}
