"""What keeps scraped text inert in the UI: control and bidi characters made visible, links
only to http(s), identifier links built from validated identifiers, and the security headers."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# Every page: scripts and styles only from our own /static files, frames only from our own
# origin (the archived captures), forms only back to us, never framed by another site.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# An archived page: no script, no network, its own opaque origin even when opened directly.
CAPTURE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"

PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
CAPTURE_HEADERS = {
    "Content-Security-Policy": CAPTURE_CSP + "; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, max-age=3600",
}

# C0 controls but tab/newline, DEL and C1 (ANSI escapes start with ESC), bidi embeddings,
# overrides, isolates and marks, and the invisible separators that reorder or hide text.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ufeff]"
)


def visible(text: str) -> str:
    """`text` with control and bidi-control characters shown as [U+XXXX] instead of acting."""
    return _UNSAFE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def http_url(url: str | None) -> str:
    """`url` when it is an http(s) URL, else "" (no javascript:, data: or relative links)."""
    if not url:
        return ""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""
    return url.strip() if scheme in ("http", "https") and not _UNSAFE.search(url) else ""


_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PMID = re.compile(r"^\d{1,9}$")
_PMCID = re.compile(r"^PMC\d{1,9}$", re.I)
_ARXIV = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$", re.I)


def identifier_url(kind: str, value: str) -> str:
    """Where an identifier resolves: doi.org, PubMed, PubMed Central, arXiv, or the URL
    itself; "" when the value is not a well-formed identifier of that kind."""
    value = (value or "").strip()
    if kind == "doi" and _DOI.match(value):
        return "https://doi.org/" + quote(value, safe="/:;()._-")
    if kind == "pmid" and _PMID.match(value):
        return f"https://pubmed.ncbi.nlm.nih.gov/{value}/"
    if kind == "pmcid" and _PMCID.match(value):
        return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{value.upper()}/"
    if kind == "arxiv" and _ARXIV.match(value):
        return "https://arxiv.org/abs/" + quote(value, safe="/.")
    if kind == "url":
        return http_url(value)
    return ""
