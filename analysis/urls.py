"""URL validation and normalization for tracked sources."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidURL(ValueError):
    """A URL that cannot be tracked (malformed, or not http/https)."""


def normalize_url(url: str) -> str:
    """Canonical form used to recognise the same article: scheme/host lower-cased, no fragment,
    no default port, no tracking parameters; raises InvalidURL for anything not http(s)."""
    raw = url.strip()
    if not raw or any(ch.isspace() for ch in raw):
        raise InvalidURL(f"not a URL: {url!r}")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"malformed URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidURL(f"only http and https URLs can be tracked, not {url!r}")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or ".." in host or host.startswith(".") or "_" in host:
        raise InvalidURL(f"URL has no valid host: {url!r}")
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username or parts.password:
        raise InvalidURL(f"URLs with credentials cannot be tracked: {url!r}")
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(_TRACKING_PARAMS)
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))
