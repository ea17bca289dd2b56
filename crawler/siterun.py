"""One site's state during a discovery crawl: what it already knows, what it has requested,
and the decisions about listed URLs (skip, resolve, or leave for a later pass)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from analysis.linkfilter import LinkRules
from analysis.urls import InvalidURL, normalize_url
from analysis.vocabulary import LinkVerdict

MAX_SITEMAP_DEPTH = 2  # index → sitemap → (one more index level)
MAX_SITEMAPS = 200  # sitemap files per site and pass
PROBE_SLACK = 10  # resolutions beyond the article budget: some turn out variants or non-articles


@dataclass(slots=True)
class KnownURL:
    """A URL the site already resolved (a tracked article, a variant of one, a non-article)."""

    verdict: str
    lastmod: str = ""
    source_id: int | None = None


@dataclass
class SiteRun:
    """The plan for one site (from service/discovery.py) and what this crawl found so far."""

    site_id: int
    kind: str
    url: str
    rules: LinkRules
    max_pages: int
    budget: int  # articles it may still start tracking (--max-articles minus tracked)
    known: dict[str, KnownURL]
    articles: list[dict[str, Any]]  # tracked articles, newest first: source_id, url, validators
    endpoints: dict[str, dict[str, Any]]  # stored endpoints: kind, etag, last_modified, lastmod
    requested: set[str] = field(default_factory=set)  # endpoint URLs requested this run
    resolving: set[str] = field(default_factory=set)  # normalized URLs being resolved
    # Tracked articles listed under their own URL this run (a shortlink or other variant
    # resolved earlier says nothing: it follows the article wherever it moves).
    listed_sources: set[int] = field(default_factory=set)
    new_urls: set[str] = field(default_factory=set)  # resolved to articles not known before
    seen_pages: set[str] = field(default_factory=set)  # index pages read this run
    sitemaps: int = 0
    moves_checked: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    own_urls: dict[str, int] = field(init=False)  # tracked article's normalized URL -> id

    def __post_init__(self) -> None:
        self.own_urls = {_key(a["url"]): a["source_id"] for a in self.articles}

    @classmethod
    def from_plan(cls, plan: dict[str, Any]) -> SiteRun:
        """Build from one site's entry of the plan file."""
        return cls(
            site_id=int(plan["site_id"]),
            kind=str(plan["kind"]),
            url=str(plan["url"]),
            rules=LinkRules.for_site(
                plan["url"],
                hosts=plan.get("hosts", ()),
                include=plan.get("include", ()),
                exclude=plan.get("exclude", ()),
            ),
            max_pages=int(plan.get("max_pages", 10)),
            budget=int(plan.get("budget", 0)),
            known={url: KnownURL(*entry) for url, entry in plan.get("known", {}).items()},
            articles=list(plan.get("articles", [])),
            endpoints=dict(plan.get("endpoints", {})),
        )

    def claim_endpoint(self, url: str) -> bool:
        """True the first time an endpoint URL is asked for in this run."""
        key = _key(url)
        if key in self.requested:
            return False
        self.requested.add(key)
        return True

    def validators(self, url: str) -> dict[str, str]:
        """Conditional-GET headers from the endpoint's stored validators."""
        return conditional_headers(self.endpoints.get(url, {}))

    def see_page(self, url: str) -> None:
        """Remember an index page as read (for loop detection)."""
        self.seen_pages.add(_key(url))

    def page_seen(self, url: str) -> bool:
        """Whether an index page was read already this run."""
        return _key(url) in self.seen_pages

    def consider(self, url: str, lastmod: str = "") -> str | None:
        """Whether a listed URL must be resolved: its normalized form, or None (and why, in
        `counts`) when it is already known, off-site or filtered, or over the budget."""
        self.counts["listed"] += 1
        # Feeds and sitemaps mostly list URLs exactly as stored: a dict look-up, no parsing
        # (a 50,000-URL sitemap of known articles costs little more than its XML).
        known = self.known.get(url)
        normalized = url
        if known is None:
            if self.budget_spent():
                self.counts["over_budget"] += 1
                return None
            reason = self.rules.reject(url)
            if reason:
                self.counts[reason] += 1
                return None
            try:
                normalized = normalize_url(url)
            except InvalidURL:
                self.counts["invalid"] += 1
                return None
            known = self.known.get(normalized)
        if normalized in self.own_urls:
            self.listed_sources.add(self.own_urls[normalized])
        # A non-article is looked at again only when its listing date moved on.
        if known is not None and (
            known.verdict != LinkVerdict.not_article or not lastmod or lastmod == known.lastmod
        ):
            self.counts["known"] += 1
            return None
        if normalized in self.resolving or normalized in self.requested:
            return None
        if self.budget_spent():
            self.counts["over_budget"] += 1
            return None
        self.resolving.add(normalized)
        return normalized

    def budget_spent(self) -> bool:
        """Whether this run resolves no more URLs (--max-articles, with some slack)."""
        return len(self.resolving) >= max(self.budget, 0) + PROBE_SLACK

    def resolved(self, listed: str, url: str, verdict: str) -> None:
        """Note where a listed URL led: a known article, or a new one."""
        if verdict != LinkVerdict.article:
            return
        try:
            normalized = normalize_url(url)
        except InvalidURL:
            return
        if normalized in self.own_urls:
            self.listed_sources.add(self.own_urls[normalized])
        elif normalized not in self.known:
            self.new_urls.add(normalized)

    def move_suspects(self) -> list[dict[str, Any]]:
        """Tracked articles to check for a move, once new URLs appeared: those no listing
        named this run, newest first, a few per new URL (an article that moved is listed
        under its new URL, and leaves its old one behind)."""
        if self.moves_checked or not self.new_urls:
            return []
        self.moves_checked = True
        limit = 5 + 2 * len(self.new_urls)
        unlisted = [a for a in self.articles if a["source_id"] not in self.listed_sources]
        return unlisted[:limit]

    def is_site_host(self, url: str) -> bool:
        """Whether `url` is on the site's hosts (canonicals and redirects elsewhere are ignored)."""
        return bool(urlsplit(url).hostname) and self.rules.on_site(url)

    def summary(self) -> dict[str, Any]:
        """Counts for the service: listed, known, resolved, over budget, filtered."""
        return {
            **self.counts,
            "resolving": len(self.resolving),
            "new": len(self.new_urls),
            "endpoints": len(self.requested),
        }


def conditional_headers(stored: dict[str, Any]) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from stored `etag` and `last_modified`."""
    headers = {}
    if stored.get("etag"):
        headers["If-None-Match"] = stored["etag"]
    if stored.get("last_modified"):
        headers["If-Modified-Since"] = stored["last_modified"]
    return headers


def _key(url: str) -> str:
    try:
        return normalize_url(url)
    except InvalidURL:
        return url
