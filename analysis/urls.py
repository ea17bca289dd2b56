"""URL validation and the canonical form that identifies a tracked source.

Two spellings of one address are one source: the host in IDNA (punycode, as Scrapy fetches it),
lower-cased, without a trailing dot, an IP address in one spelling (IPv6 in brackets); the path
normalised as RFC 3986 section 6.2.2 says (unreserved characters unescaped, other escapes in
upper case, `.` and `..` segments resolved, by w3lib's `canonicalize_url`); no fragment, no
default port, no tracking parameters, the other query parameters in their order.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

from analysis.addresses import parse_ip, show

# Longer URLs are dropped by Scrapy (URLLENGTH_LIMIT) and by many servers and browsers.
MAX_URL_LENGTH = 2083
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidURL(ValueError):
    """A URL that cannot be tracked (malformed, not http/https, too long)."""


def length_problem(url: str) -> str:
    """Why a URL is too long to fetch ("" if it is not), measured as Scrapy requests it
    (non-ASCII characters percent-encoded)."""
    try:
        size = len(safe_url_string(url)) if len(url) <= MAX_URL_LENGTH else len(url)
    except ValueError:
        size = len(url)
    if size <= MAX_URL_LENGTH:
        return ""
    return f"URL longer than {MAX_URL_LENGTH} characters ({size}): {url[:60]}…"


def normalize_url(url: str) -> str:
    """The canonical form of an http(s) URL (see the module docstring); InvalidURL if the URL
    cannot be tracked."""
    raw = url.strip()
    if not raw or any(ch.isspace() for ch in raw):
        raise InvalidURL(f"not a URL: {url!r}")
    if too_long := length_problem(raw):
        raise InvalidURL(too_long)
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"malformed URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidURL(f"only http and https URLs can be tracked, not {url!r}")
    if parts.username or parts.password:
        raise InvalidURL(f"URLs with credentials cannot be tracked: {url!r}")
    netloc = parts.netloc.rpartition("@")[2]
    try:
        # w3lib: IDNA host, RFC 3986 path; the query is left out (it would sort it).
        canonical = urlsplit(canonicalize_url(urlunsplit((scheme, netloc, parts.path, "", ""))))
        host = _host(canonical.hostname or "")
    except (UnicodeError, ValueError):
        host = ""
    if not host:
        raise InvalidURL(f"URL has no valid host: {url!r}")
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    normalized = urlunsplit((scheme, netloc, canonical.path or "/", _query(parts.query), ""))
    if too_long := length_problem(normalized):
        raise InvalidURL(too_long)
    return normalized


def _host(name: str) -> str:
    """The canonical host, "" when it is not a valid one."""
    if "%" in name:
        return ""  # an IPv6 zone (fe80::1%eth0) names an interface of this machine
    address = parse_ip(name)
    if address is not None:
        return f"[{show(address)}]" if address.version == 6 else str(address)
    host = name.lower().rstrip(".")
    if not host or ".." in host or host.startswith(".") or "_" in host or ":" in host:
        return ""
    return host


def _query(query: str) -> str:
    # Decoded and encoded again: %7E and ~, %41 and A, + and %20 are one spelling. Bytes that
    # are not UTF-8 (%E9 from a Latin-1 form) pass through unchanged.
    pairs = parse_qsl(query, keep_blank_values=True, errors="surrogateescape")
    kept = [(key, value) for key, value in pairs if not key.lower().startswith(_TRACKING_PARAMS)]
    return urlencode(kept, errors="surrogateescape")
