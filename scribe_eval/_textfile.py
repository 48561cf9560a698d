"""Reading a user's text file: UTF-8 or one error line naming the file, the byte and the fix.

Kept apart from the YAML loader so that commands reading CSV or plain text never import PyYAML.
"""

from __future__ import annotations

from pathlib import Path

from scribe_eval.errors import ConfigError, ScribeEvalError

__all__ = ["read_text_file"]


def read_text_file(
    path: Path | str, *, what: str = "file", error: type[ScribeEvalError] = ConfigError
) -> str:
    """The UTF-8 text of ``path`` (a leading byte-order mark dropped), or one ``error`` line.

    The message names ``what`` was read, the file, the problem (missing, unreadable, not UTF-8
    and at which byte) and the fix.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise error(f"cannot read {what} {path}: {reason}; check the path") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(
            f"{what} {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
            "save it as UTF-8 (e.g. iconv -f latin1 -t UTF-8)"
        ) from exc
