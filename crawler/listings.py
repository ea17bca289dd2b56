"""Read the documents that list a site's articles: feeds (feedparser), sitemaps (Scrapy's
streaming `Sitemap`, gzip included) and the `Sitemap:` lines of robots.txt.

XML is hardened before any parser sees it: a document whose prolog declares entities (the
"billion laughs" bomb and its kin) is refused by defusedxml, so nothing is ever expanded; Scrapy's
sitemap parser itself never resolves entities and streams, clearing each entry once read.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as defused_iterparse
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.failures import describe_size

SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # the sitemap protocol's limit, uncompressed
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)\b", re.I | re.S)
# feedparser marks these documents "bozo" although it read them completely.
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


@dataclass(frozen=True)
class Listed:
    """One URL a feed or sitemap lists, with the date it gives for it (as written)."""

    url: str
    lastmod: str = ""


@dataclass
class FeedListing:
    """A feed's entries, or why there are none."""

    entries: list[Listed] = field(default_factory=list)
    error: str = ""


def xml_problem(body: bytes) -> str:
    """Why `body` must not be parsed as a feed or sitemap ("" when it may): an HTML page,
    entity declarations (refused unexpanded), or XML broken before its root element."""
    if _HTML_START.match(body[:4096]):
        return "not XML: an HTML page"
    try:
        # Only the prolog is parsed here: declarations come before the root element.
        for _event, _root in defused_iterparse(BytesIO(body), events=("start",)):
            break
        else:
            return "malformed XML: no root element"
    except DefusedXmlException as exc:
        return f"XML refused: {type(exc).__name__} (entity declarations are never expanded)"
    except ParseError as exc:
        return f"malformed XML: {exc}"
    return ""


def parse_feed(body: bytes) -> FeedListing:
    """The entries of an RSS or Atom feed (link and updated/published date)."""
    problem = xml_problem(body)
    if problem:
        return FeedListing(error=problem)
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    entries = [
        Listed(link, _entry_date(entry)) for entry in parsed.entries if (link := _entry_link(entry))
    ]
    error = ""
    if parsed.get("bozo") and not isinstance(parsed.get("bozo_exception"), _BENIGN):
        error = f"malformed XML: {parsed.get('bozo_exception')} ({len(entries)} entries read)"
    if not parsed.get("version") and not entries:
        error = "not a feed (neither RSS nor Atom)"
    return FeedListing(entries, error)


def _entry_date(entry: feedparser.FeedParserDict) -> str:
    # Asking an entry for a key it lacks makes feedparser warn about its legacy key mapping.
    keys = entry.keys()
    return str(entry["updated"] if "updated" in keys else entry.get("published", ""))


def _entry_link(entry: feedparser.FeedParserDict) -> str:
    for link in entry.get("links") or ():
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    return str(entry.get("link") or "")


class SitemapReader:
    """Stream the entries of a sitemap or sitemap index; `error` is final after iteration."""

    def __init__(self, body: bytes) -> None:
        self.error = xml_problem(body)
        self.type = ""
        self.count = 0
        self._sitemap: Sitemap | None = None
        if self.error:
            return
        self._sitemap = Sitemap(body)
        self.type = self._sitemap.type
        if self.type not in ("urlset", "sitemapindex"):
            self.error = f"not a sitemap (root element <{self.type}>)"

    def __iter__(self) -> Iterator[Listed]:
        if self._sitemap is None or self.error:
            return
        held: Listed | None = None
        for entry in self._sitemap:
            loc = (entry.get("loc") or "").strip()
            if not loc:
                continue
            if held is not None:
                self.count += 1
                yield held
            held = Listed(loc, (entry.get("lastmod") or "").strip())
        # The parser recovers from broken XML: the entry it closed at the break (a URL cut in
        # half by a truncated download) is dropped, hence the one entry held back.
        errors = self._sitemap.xmliter.error_log.filter_from_errors()
        if held is not None and not errors:
            self.count += 1
            yield held
        if errors:
            self.error = f"malformed XML: {errors[0].message} ({self.count} entries read)"


def sitemap_body(body: bytes, *, max_size: int = SITEMAP_MAX_BYTES) -> tuple[bytes, str]:
    """The XML of a sitemap response, gunzipped when it is gzip; or b"" and the reason."""
    if body[:2] != b"\x1f\x8b":
        return body, ""
    try:
        return gunzip(body, max_size=max_size), ""
    except _DecompressionMaxSizeExceeded:
        return b"", f"sitemap larger than {describe_size(max_size)} uncompressed"
    except (OSError, EOFError, zlib.error) as exc:
        return b"", f"broken gzip: {exc}"


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """The sitemap URLs a robots.txt names (`Sitemap:` lines)."""
    return list(dict.fromkeys(sitemap_urls_from_robots(body, base_url=base_url)))
