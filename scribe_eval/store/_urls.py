"""Store URLs as they may be shown: never with a password."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_PARAMS = {"password", "passfile", "sslpassword"}


def redact_url(url: str) -> str:
    """``url`` without its password (in the user part or a query parameter)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{host}" if user else host
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k not in _SECRET_PARAMS])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
