"""Discover the articles of followed sites: read their feeds, sitemaps and index pages, and
resolve each new URL they list to the article's own URL (permanent redirects, canonical link).

Every document is fetched with the project's polite settings (robots.txt, per-host delay,
conditional GET with the validators stored per endpoint). What it finds goes, as items, to
its own pipeline (a JSON-lines results file read by service/discovery.py).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from analysis.decode import non_html_reason
from analysis.pagekind import inspect_page
from analysis.vocabulary import EndpointKind, LinkVerdict, SiteKind
from crawler.failures import explain_failure
from crawler.items import ArticleMoved, EndpointFetch, EndpointFetched, LinkResolved, ListedLink
from crawler.listings import (
    SITEMAP_MAX_BYTES,
    SitemapReader,
    parse_feed,
    robots_sitemaps,
    sitemap_body,
)
from crawler.siterun import MAX_SITEMAP_DEPTH, MAX_SITEMAPS, SiteRun, conditional_headers

Item = EndpointFetched | LinkResolved | ArticleMoved
PERMANENT = (301, 308)


class DiscoverySpider(scrapy.Spider):
    """Discover the sites of `-a plan=FILE` (written by service/discovery.py)."""

    name = "discovery"
    custom_settings: ClassVar[dict[str, Any]] = {
        "ITEM_PIPELINES": {"crawler.pipelines.discovery.DiscoveryResultsPipeline": 100}
    }

    def __init__(self, plan: str = "", stats: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not plan:
            raise ValueError("the discovery spider needs -a plan=FILE")
        entries = json.loads(Path(plan).read_text(encoding="utf-8"))
        self.runs = {run.site_id: run for run in map(SiteRun.from_plan, entries)}
        self.stats_path = Path(stats) if stats else None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DiscoverySpider:
        """Connect the idle signal: moves are checked once every listing has been read."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.check_moves, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Each site's own URL, its robots.txt, and the feeds found on earlier passes."""
        for run in self.runs.values():
            for request in self._first_requests(run):
                yield request

    def _first_requests(self, run: SiteRun) -> Iterator[scrapy.Request]:
        if run.kind != SiteKind.site:
            yield from self._endpoint(run, run.url, run.kind)
            return
        yield from self._endpoint(run, run.url, EndpointKind.index_page)
        robots = urljoin(run.url, "/robots.txt")
        yield from self._endpoint(run, robots, EndpointKind.robots, optional=True)
        for url, stored in run.endpoints.items():
            if stored.get("kind") == EndpointKind.feed:
                yield from self._endpoint(run, url, EndpointKind.feed)

    def _endpoint(
        self, run: SiteRun, url: str, kind: str, **context: Any
    ) -> Iterator[scrapy.Request]:
        if not run.claim_endpoint(url):
            return
        callback = {
            EndpointKind.robots: self.parse_robots,
            EndpointKind.feed: self.parse_feed,
            EndpointKind.sitemap: self.parse_sitemap,
        }.get(kind, self.parse_index)
        yield scrapy.Request(
            url,
            callback=callback,
            errback=self.endpoint_failed,
            # robots.txt is read whole each time: a 304 would not say which sitemaps it names.
            headers=run.validators(url) if kind != EndpointKind.robots else {},
            dont_filter=True,
            meta={"download_maxsize": SITEMAP_MAX_BYTES} if kind == EndpointKind.sitemap else {},
            cb_kwargs={"fetch": EndpointFetch(run.site_id, kind, **context)},
        )

    def _fetched(self, response: Response, fetch: EndpointFetch, **fields: Any) -> Item:
        ok = response.status == 200
        if fetch.optional and response.status in (404, 410):
            fields["note"] = f"none here (HTTP {response.status})"
        elif not fields.get("error") and response.status not in (200, 304):
            fields["error"] = f"HTTP {response.status}"
        return EndpointFetched(
            site_id=fetch.site_id,
            url=response.url,
            kind=fetch.kind,
            status=response.status,
            etag=_header(response, b"ETag") if ok else None,
            last_modified=_header(response, b"Last-Modified") if ok else None,
            lastmod=fetch.lastmod,
            **fields,
        )

    def parse_robots(
        self, response: Response, fetch: EndpointFetch
    ) -> Iterator[Item | scrapy.Request]:
        """robots.txt names the sitemaps; without any, try /sitemap.xml."""
        run = self.runs[fetch.site_id]
        found = robots_sitemaps(response.body, response.url) if response.status == 200 else []
        yield self._fetched(response, fetch, entries=len(found))
        for url in found:
            yield from self._endpoint(run, url, EndpointKind.sitemap)
        if not found:
            guess = urljoin(run.url, "/sitemap.xml")
            yield from self._endpoint(run, guess, EndpointKind.sitemap, optional=True)

    def parse_index(
        self, response: Response, fetch: EndpointFetch
    ) -> Iterator[Item | scrapy.Request]:
        """An index page: its feeds, its posts, and (while it shows new posts) older pages."""
        run = self.runs[fetch.site_id]
        if response.status != 200:
            yield self._fetched(response, fetch)
            return
        content_type = _header(response, b"Content-Type") or ""
        reason = non_html_reason(response.body, content_type)
        if reason:
            yield self._fetched(response, fetch, error=f"not an HTML page ({reason})")
            return
        page = inspect_page(response.body, response.url, content_type)
        if run.kind == SiteKind.site:
            for feed in page.feeds:
                yield from self._endpoint(run, feed, EndpointKind.feed)
        links = page.posts if page.post_blocks else page.content_links
        off_site = run.counts["off-site"]
        found = list(self._resolve_all(run, ((url, "") for url in links), EndpointKind.index_page))
        notes = []
        if run.counts["off-site"] > off_site:
            notes.append(f"{run.counts['off-site'] - off_site} off-site links ignored")
        onward = [url for url in page.onward if run.rules.on_site(url)]
        # Older pages only while this one shows posts not seen before: new posts appear first.
        if found and fetch.depth < run.max_pages:
            for url in page.pagination:
                if run.rules.on_site(url):
                    yield from self._endpoint(
                        run, url, EndpointKind.index_page, depth=fetch.depth + 1
                    )
        elif found and onward:
            notes.append(f"pagination cut at {run.max_pages} pages (--max-pages)")
        looped = [url for url in onward if run.page_seen(url)]
        if looped:
            notes.append(f"pagination loops back to {looped[0]}")
        run.see_page(response.url)
        yield self._fetched(response, fetch, entries=len(links), note="; ".join(notes))
        yield from found

    def parse_feed(
        self, response: Response, fetch: EndpointFetch
    ) -> Iterator[Item | scrapy.Request]:
        """An RSS or Atom feed: each entry's link, with its date."""
        if response.status != 200:
            yield self._fetched(response, fetch)
            return
        feed = parse_feed(response.body)
        entries = ((entry.url, entry.lastmod) for entry in feed.entries)
        yield from self._resolve_all(self.runs[fetch.site_id], entries, EndpointKind.feed)
        yield self._fetched(response, fetch, entries=len(feed.entries), error=feed.error)

    def parse_sitemap(
        self, response: Response, fetch: EndpointFetch
    ) -> Iterator[Item | scrapy.Request]:
        """A sitemap (streamed) or a sitemap index (children whose <lastmod> moved on)."""
        run = self.runs[fetch.site_id]
        if response.status != 200:
            yield self._fetched(response, fetch)
            return
        body, error = sitemap_body(response.body)
        reader = SitemapReader(body) if body else None
        notes = []
        if reader is not None and reader.type == "sitemapindex":
            for child in reader:
                stored = run.endpoints.get(child.url, {})
                if child.lastmod and child.lastmod == stored.get("lastmod"):
                    run.counts["sitemaps unchanged"] += 1
                elif fetch.depth >= MAX_SITEMAP_DEPTH or run.sitemaps >= MAX_SITEMAPS:
                    notes.append(f"sitemap {child.url} not read: too deep or too many")
                else:
                    run.sitemaps += 1
                    yield from self._endpoint(
                        run, child.url, EndpointKind.sitemap, depth=fetch.depth + 1,
                        lastmod=child.lastmod,
                    )  # fmt: skip
        elif reader is not None:
            entries = ((entry.url, entry.lastmod) for entry in reader)
            yield from self._resolve_all(run, entries, EndpointKind.sitemap)
        error = error or (reader.error if reader is not None else "")
        if fetch.optional and error:
            notes.append(f"not a sitemap ({error})")  # a guessed URL: a soft 404, say
            error = ""
        count = reader.count if reader is not None else 0
        yield self._fetched(response, fetch, entries=count, error=error, note="; ".join(notes[:3]))

    def endpoint_failed(self, failure: Failure) -> EndpointFetched:
        """No answer from an endpoint (timeout, DNS, refused, robots.txt): recorded."""
        request = failure.request  # type: ignore[attr-defined]
        fetch: EndpointFetch = request.cb_kwargs["fetch"]
        return EndpointFetched(
            site_id=fetch.site_id,
            url=request.url,
            kind=fetch.kind,
            status=None,
            lastmod=fetch.lastmod,
            error=self._explain(failure),
        )

    def _resolve_all(
        self, run: SiteRun, entries: Iterable[tuple[str, str]], via: str
    ) -> Iterator[scrapy.Request]:
        for url, lastmod in entries:
            if run.consider(url, lastmod) is None:
                continue
            yield scrapy.Request(
                url,
                callback=self.parse_link,
                errback=self.link_failed,
                dont_filter=True,
                cb_kwargs={"link": ListedLink(run.site_id, url, via, lastmod)},
            )

    def parse_link(self, response: Response, link: ListedLink) -> LinkResolved:
        """Where a listed URL leads: through permanent redirects, then the canonical link."""
        run = self.runs[link.site_id]
        result = LinkResolved(
            link.site_id, link.url, _permanent_target(response), LinkVerdict.not_article,
            link.via, link.lastmod,
        )  # fmt: skip
        content_type = _header(response, b"Content-Type") or ""
        if response.status != 200:
            result.verdict, result.detail = "", f"HTTP {response.status}"
        elif reason := non_html_reason(response.body, content_type):
            result.detail = f"not an HTML page ({reason})"
        else:
            page = inspect_page(response.body, response.url, content_type)
            if page.canonical and run.is_site_host(page.canonical):
                result.url = page.canonical
            if page.is_index:
                result.detail = f"index page listing {page.post_blocks} posts"
            else:
                result.verdict = LinkVerdict.article
        run.resolved(link.url, result.url, result.verdict)
        return result

    def link_failed(self, failure: Failure) -> LinkResolved:
        """A listed URL that did not answer: left for a later pass."""
        link: ListedLink = failure.request.cb_kwargs["link"]  # type: ignore[attr-defined]
        return LinkResolved(
            link.site_id, link.url, link.url, "", link.via, link.lastmod,
            detail=self._explain(failure),
        )  # fmt: skip

    def check_moves(self) -> None:
        """Once every listing is read: ask tracked articles no longer listed, where a site
        listed new URLs, whether they moved (without following redirects)."""
        scheduled = False
        for run in self.runs.values():
            for article in run.move_suspects():
                self.crawler.engine.crawl(
                    scrapy.Request(
                        article["url"],
                        callback=self.parse_move,
                        errback=self.move_failed,
                        headers=conditional_headers(article),
                        dont_filter=True,
                        meta={"dont_redirect": True},
                        cb_kwargs={"site_id": run.site_id, "source_id": article["source_id"]},
                    )
                )
                scheduled = True
        if scheduled:
            raise DontCloseSpider

    def parse_move(
        self, response: Response, site_id: int, source_id: int
    ) -> Iterator[ArticleMoved]:
        """A 301/308 or a canonical link elsewhere on the site: the article moved."""
        run = self.runs[site_id]
        target, how = "", ""
        location = _header(response, b"Location")
        if response.status in PERMANENT and location:
            target, how = urljoin(response.url, location), str(response.status)
        elif response.status == 200:
            content_type = _header(response, b"Content-Type") or ""
            canonical = inspect_page(response.body, response.url, content_type).canonical
            if canonical and canonical != response.url:
                target, how = canonical, "canonical"
        if target and run.is_site_host(target):
            yield ArticleMoved(site_id, source_id, target, how)

    def move_failed(self, failure: Failure) -> None:
        """A move check that got no answer: the article is checked as usual."""
        self.logger.info("move check failed for %s: %s", failure.request.url, failure.value)  # type: ignore[attr-defined]

    def _explain(self, failure: Failure) -> str:
        request = failure.request  # type: ignore[attr-defined]
        settings = self.settings
        return explain_failure(
            failure.value,
            request.url,
            timeout=request.meta.get("download_timeout", settings.getfloat("DOWNLOAD_TIMEOUT")),
            maxsize=request.meta.get("download_maxsize", settings.getint("DOWNLOAD_MAXSIZE")),
        )

    def closed(self, reason: str) -> None:
        """Write each site's counts for service/discovery.py."""
        if self.stats_path is None:
            return
        counts = {str(site_id): run.summary() for site_id, run in self.runs.items()}
        self.stats_path.write_text(
            json.dumps({"finish_reason": reason, "sites": counts}), encoding="utf-8"
        )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _permanent_target(response: Response) -> str:
    """The URL reached through permanent redirects only (a 302 keeps the URL before it)."""
    urls = [*response.meta.get("redirect_urls", []), response.url]
    reasons = response.meta.get("redirect_reasons", [])
    target = urls[0]
    for step, reason in enumerate(reasons):
        if reason not in PERMANENT:
            break
        target = urls[step + 1]
    return target
