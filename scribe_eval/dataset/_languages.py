"""The language codes the ambient-documentation API accepts (api-contract.md, section 7)."""

from __future__ import annotations

SUPPORTED_LANGUAGES: tuple[str, ...] = (
    "en",
    "en-GB",
    "da",
    "de",
    "de-CH",
    "fr",
    "es",
    "sv",
    "it",
    "nl",
    "no",
    "pt",
    "ar",
    "hu",
    "gsw-CH",
)


def language_problem(code: str) -> str | None:
    """Return why ``code`` is not a supported language code (with a fix), or None when it is."""
    if code in SUPPORTED_LANGUAGES:
        return None
    listed = ", ".join(SUPPORTED_LANGUAGES)
    for known in SUPPORTED_LANGUAGES:
        if known.lower() == code.lower().replace("_", "-"):
            return f"language code {code!r} is spelled differently from the API's; write {known!r}"
    base = code.split("-")[0].split("_")[0].lower()
    if base in SUPPORTED_LANGUAGES:
        return f"unknown language code {code!r}; the API has {base!r} (supported: {listed})"
    return f"unknown language code {code!r}; use one of {listed}"
