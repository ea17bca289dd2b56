"""One-line descriptions of why a URL could not be fetched (stored as `Capture.error`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)

from analysis.urls import length_problem
from crawler.guard import AddressRefused


def describe_size(size: int) -> str:
    """A byte count the way people say it: 10 MB, 20 KB, 1500 bytes."""
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def url_problem(url: Any) -> str:
    """Why `url` cannot be fetched ("" if it can)."""
    if not isinstance(url, str) or not url:
        return "malformed URL: empty"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        return f"malformed URL: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"malformed URL (not http/https): {url}"
    if not host or any(ch.isspace() for ch in url):
        return f"malformed URL: {url}"
    # Scrapy would drop it (URLLENGTH_LIMIT) without a word: the source would go unchecked.
    return length_problem(url)


def explain_failure(exc: BaseException, url: str, *, timeout: float, maxsize: int) -> str:
    """What a download exception means for the reader of a capture, in one line."""
    if isinstance(exc, AddressRefused):
        return one_line(exc, limit=300)
    if isinstance(exc, DownloadTimeoutError):
        return f"timeout after {timeout:g} s"
    if isinstance(exc, CannotResolveHostError):
        return f"DNS lookup failed for {urlsplit(url).hostname}"
    if isinstance(exc, DownloadConnectionRefusedError):
        return "connection refused"
    # Scrapy cancels a download past DOWNLOAD_MAXSIZE; decompression past it is an IgnoreRequest.
    if isinstance(exc, DownloadCancelledError) or (
        isinstance(exc, IgnoreRequest) and "DOWNLOAD_MAXSIZE" in str(exc)
    ):
        return f"response larger than {describe_size(maxsize)}"
    if isinstance(exc, IgnoreRequest) and "robots.txt" in str(exc):
        return "forbidden by robots.txt"
    if isinstance(exc, ResponseDataLossError):
        return "response truncated (connection closed before the end)"
    if isinstance(exc, UnsupportedURLSchemeError):
        return f"unsupported URL scheme: {urlsplit(url).scheme}"
    if isinstance(exc, DownloadFailedError):
        return f"download failed: {one_line(exc)}"
    return f"{type(exc).__name__}: {one_line(exc)}"


def one_line(exc: BaseException, limit: int = 200) -> str:
    """The exception's message on one line, cut at `limit` characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:limit] + "…" if len(text) > limit else text
