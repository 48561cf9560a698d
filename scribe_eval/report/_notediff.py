"""Word-level differences between a reference note section and the generated one.

Words are compared case- and punctuation-insensitively (a longest-common-subsequence alignment,
rapidfuzz's Indel opcodes); reference words the note lacks are struck through on the reference
side, words the note added are highlighted on the generated side. All text passes `escape`.
"""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup
from rapidfuzz.distance import Indel

_TOKEN = re.compile(r"\n|[^\s]+")
_STRIP = re.compile(r"[\W_]+")


def _key(token: str) -> str:
    return token if token == "\n" else (_STRIP.sub("", token.casefold()) or token)


def _render(tokens: list[str]) -> str:
    return " ".join("<br>" if t == "\n" else escape(t) for t in tokens).replace(" <br> ", "<br>")


def word_diff(reference: str, generated: str) -> tuple[Markup, Markup]:
    """Both sides as safe markup: ``<del>`` marks reference words missing, ``<ins>`` additions."""
    ref = _TOKEN.findall(reference.strip())
    gen = _TOKEN.findall(generated.strip())
    opcodes = Indel.opcodes([_key(t) for t in ref], [_key(t) for t in gen])
    left: list[str] = []
    right: list[str] = []
    for op in opcodes:
        tag, i0, i1, j0, j1 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if tag == "equal":
            left.append(_render(ref[i0:i1]))
            right.append(_render(gen[j0:j1]))
            continue
        if i1 > i0:
            left.append(f'<del title="not in the generated note">{_render(ref[i0:i1])}</del>')
        if j1 > j0:
            right.append(f'<ins title="not in the reference note">{_render(gen[j0:j1])}</ins>')
    return Markup(" ".join(left)), Markup(" ".join(right))


def plain(text: str) -> Markup:
    """Text as safe markup with its line breaks kept."""
    return Markup(_render(_TOKEN.findall(text.strip())))
