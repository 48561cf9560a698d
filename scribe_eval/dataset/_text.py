"""Reading reference text files strictly as UTF-8, and naming the encoding when they are not."""

from __future__ import annotations

import codecs
from pathlib import Path

# UTF-32 LE must be tested before UTF-16 LE: its mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "UTF-32 LE (byte-order mark)", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "UTF-32 BE (byte-order mark)", "utf-32-be"),
    (codecs.BOM_UTF16_LE, "UTF-16 LE (byte-order mark)", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "UTF-16 BE (byte-order mark)", "utf-16-be"),
)


class TextEncodingProblem(Exception):
    """A text file is not UTF-8; ``guess`` names the encoding it looks like."""

    def __init__(self, guess: str) -> None:
        super().__init__(guess)
        self.guess = guess


def guess_encoding(data: bytes) -> str:
    """Name the encoding that ``data`` (which is not valid UTF-8) most likely uses."""
    for bom, name, _ in _BOMS:
        if data.startswith(bom):
            return name
    sample = data[:4096]
    if sample and sample.count(0) > len(sample) // 4:
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        return (
            "UTF-16 BE (no byte-order mark)"
            if even_zeros > odd_zeros
            else ("UTF-16 LE (no byte-order mark)")
        )
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1 (ISO-8859-1) or another 8-bit encoding"
    return "cp1252 (Windows Western European)"


def decode_utf8(data: bytes) -> tuple[str, bool]:
    """Decode UTF-8 text; return (text, had_bom). Raise TextEncodingProblem when it is not UTF-8."""
    for bom, _, _ in _BOMS:
        if data.startswith(bom):
            raise TextEncodingProblem(guess_encoding(data))
    had_bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8-sig" if had_bom else "utf-8")
    except UnicodeDecodeError:
        raise TextEncodingProblem(guess_encoding(data)) from None
    return text.replace("\r\n", "\n").replace("\r", "\n"), had_bom


def read_text_any(path: Path) -> str:
    """Read a text file of a public dataset in whatever encoding it uses (for importers).

    UTF-8 (with or without BOM), UTF-16/32 with a BOM, UTF-16 without BOM and cp1252 are tried in
    that order; line endings become ``\\n``.
    """
    data = path.read_bytes()
    for bom, _, codec in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, errors="replace")
            return text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        return decode_utf8(data)[0]
    except TextEncodingProblem as problem:
        if problem.guess.startswith("UTF-16"):
            codec = "utf-16-be" if " BE " in problem.guess else "utf-16-le"
            text = data.decode(codec, errors="replace")
        else:
            text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")
