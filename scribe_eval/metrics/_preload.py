"""Loading now what the scorers would otherwise load on their first call.

Speaker attribution imports meeteval and the adherence check loads the language-identification
model when first used: about a second together. A runner that pays it in the middle of its API
phase holds up every answer that arrives meanwhile; `preload_scorers` lets it pay while it waits
for its target to start instead.
"""

from __future__ import annotations


def preload_scorers(languages: tuple[str, ...] = ("en",)) -> None:
    """Import the attribution libraries and load the language model for ``languages`` now."""
    # Imported here: a runner imports this function whether or not it will score anything (a
    # re-run answered from the cache scores nothing), and the scorers' modules are ~40 ms.
    from scribe_eval.metrics._attribution import speaker_attribution
    from scribe_eval.metrics._langid import identify_language

    speaker_attribution(
        [("doctor", "the patient has a cough")], [("doctor", "the patient has cough")]
    )
    for language in languages:
        identify_language("the patient reports a dry cough for three days", [language])
