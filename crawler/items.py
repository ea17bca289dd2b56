"""What the spider hands to the pipelines: one fetch of one source."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storage.archive import RecordRef


@dataclass
class FetchedPage:
    """One fetch: the HTTP answer as received, or `status=None` and a one-line `error`."""

    source_id: int
    url: str
    final_url: str
    status: int | None
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime  # UTC, timezone-aware
    error: str = ""
    conditional: bool = False  # sent with If-None-Match / If-Modified-Since
    # Set by ArchivePipeline: the record written for this fetch, and the response record that
    # holds its payload (the same record, or for a revisit the original it refers to).
    record: RecordRef | None = field(default=None, repr=False)
    payload_record: RecordRef | None = field(default=None, repr=False)

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


# Site discovery (crawler/spiders/discovery.py): what it found, written to its results file.


@dataclass
class EndpointFetched:
    """One fetch of a discovery endpoint (robots.txt, feed, sitemap, index page)."""

    site_id: int
    url: str
    kind: str  # an analysis.vocabulary.EndpointKind
    status: int | None
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str = ""  # a child sitemap's <lastmod> in its index
    entries: int = 0  # URLs it listed
    error: str = ""
    note: str = ""


@dataclass
class LinkResolved:
    """A listed URL fetched to learn what it is and under which URL (identity)."""

    site_id: int
    listed: str  # as the feed, sitemap or index page gave it
    url: str  # after permanent redirects and the page's canonical link
    verdict: str  # an analysis.vocabulary.LinkVerdict; "" when the fetch failed (retry later)
    via: str  # the EndpointKind that listed it
    lastmod: str = ""
    detail: str = ""


@dataclass
class ArticleMoved:
    """A tracked article's URL answers with a permanent redirect or names a new canonical."""

    site_id: int
    source_id: int
    url: str  # the article's new URL
    how: str  # "301", "308" or "canonical"


@dataclass(frozen=True)
class EndpointFetch:
    """Why an endpoint is requested (the discovery spider's callbacks get it in cb_kwargs)."""

    site_id: int
    kind: str  # an analysis.vocabulary.EndpointKind
    depth: int = 0  # index pages from the start page; sitemap index levels
    lastmod: str = ""  # a child sitemap's <lastmod> in its index
    optional: bool = False  # a guess (/sitemap.xml): its absence is no error


@dataclass(frozen=True)
class ListedLink:
    """A URL a listing named, being resolved (in cb_kwargs)."""

    site_id: int
    url: str  # as listed
    via: str  # the EndpointKind that listed it
    lastmod: str = ""
