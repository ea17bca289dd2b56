"""Site discovery, the first step of a pass: which sites to discover, the discovery crawl (a
Scrapy subprocess), and recording what it found: new articles become sources, moved articles
keep their history under their new URL, everything else is remembered or reported.

Identity is decided here, in one transaction after the crawl: a listed URL is one article
whatever variant a feed, sitemap or index gave (the spider resolved permanent redirects and the
canonical link; tracking parameters are normalized away), and an article found again under
another URL is the same record.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from analysis.urls import InvalidURL, normalize_url
from analysis.vocabulary import LinkVerdict
from crawler.discovery_run import DiscoveryCrawl, run_discovery
from service.leasing import claim_all, holding, new_holder
from service.progress import report as report_progress
from storage.db import session
from storage.leases import host_of
from storage.models import Site, Source, utcnow
from storage.sites import (
    add_article,
    article_count,
    discovery_plan,
    find_article,
    list_sites,
    move_article,
    record_endpoint,
    remember_url,
)

CRAWL_TIMEOUT_SECONDS = 3600
STAGE = "discovering sites"


@dataclass
class DiscoveryReport:
    """What one discovery step found, over all the sites it discovered."""

    sites: int = 0
    listed: int = 0  # article URLs the listings named (after the site's filters)
    new_articles: int = 0  # now tracked
    moved: int = 0  # articles now tracked under a new URL
    over_budget: int = 0  # new articles left untracked by --max-articles
    errors: list[str] = field(default_factory=list)  # "URL: error", one per failed document
    crawl_error: str = ""  # the crawl subprocess itself failed
    seconds: float = 0.0


def plan_discovery(
    *,
    due_only: bool = False,
    tag: str = "",
    sites: Sequence[str] = (),
    hosts: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The spider's plan for each site to discover (all followed sites, or the due ones;
    only those on `hosts` if given)."""
    with session() as db:
        chosen = _select_sites(db, due_only=due_only, tag=tag, sites=sites)
        if hosts is not None:
            chosen = [site for site in chosen if host_of(site.normalized_url) in set(hosts)]
        return [discovery_plan(db, site=site) for site in chosen]


def _chosen(due_only: bool, tag: str, sites: Sequence[str]) -> list[Site]:
    with session() as db:
        return _select_sites(db, due_only=due_only, tag=tag, sites=sites)


def _select_sites(db: Session, *, due_only: bool, tag: str, sites: Sequence[str]) -> list[Site]:
    chosen = list_sites(db, due_only=due_only, tag=tag)
    if sites:
        wanted = {normalize_url(url) for url in sites}
        chosen = [site for site in chosen if site.normalized_url in wanted]
    return chosen


def discover(
    *,
    due_only: bool = False,
    tag: str = "",
    urls: Sequence[str] = (),
    sites: Sequence[str] = (),
    timeout: float = CRAWL_TIMEOUT_SECONDS,
) -> DiscoveryReport:
    """Discover the followed sites (none when a pass checks only given URLs) and record it."""
    if urls:
        return DiscoveryReport()
    hosts = sorted({host_of(site.normalized_url) for site in _chosen(due_only, tag, sites)})
    if not hosts:
        return DiscoveryReport()
    # Other workers may be discovering or crawling some of these hosts: their sites are left
    # to them (or to the next pass), and what is due is read again under the lease.
    holder = new_holder()
    claimed = claim_all(holder, hosts)
    with holding(holder, claimed):
        plans = plan_discovery(due_only=due_only, tag=tag, sites=sites, hosts=claimed)
        if not plans:
            return DiscoveryReport()
        report_progress(STAGE, 0, 1)
        with tempfile.TemporaryDirectory(prefix="claimwatch-discovery-") as workdir:
            crawl = run_discovery(plans, workdir=Path(workdir), timeout=timeout)
            report = record_discovery(crawl, site_ids=[plan["site_id"] for plan in plans])
    report_progress(STAGE, 1, 1)
    return report


def record_discovery(crawl: DiscoveryCrawl, *, site_ids: list[int]) -> DiscoveryReport:
    """Record a finished discovery crawl's results (its file is streamed, not loaded whole)."""
    report = DiscoveryReport(sites=len(site_ids), seconds=crawl.seconds)
    if crawl.returncode != 0 or crawl.timed_out:
        last = (crawl.stderr_tail.strip().splitlines() or [""])[-1]
        how = "stopped by its timeout" if crawl.timed_out else f"exited {crawl.returncode}"
        report.crawl_error = f"discovery crawl {how} (log: {crawl.log_file}): {last}"
    links: dict[int, list[dict[str, Any]]] = defaultdict(list)
    moves: dict[int, list[dict[str, Any]]] = defaultdict(list)
    now = utcnow()
    with session() as db:
        for record in _records(crawl.results):
            kind = record.pop("record")
            if kind == "endpoint":
                record_endpoint(db, fetched_at=now, **record)
                if record["error"]:
                    report.errors.append(f"{record['url']}: {record['error']}")
            elif kind == "link":
                links[record["site_id"]].append(record)
            elif kind == "moved":
                moves[record["site_id"]].append(record)
        for site_id in site_ids:
            site = db.get(Site, site_id)
            if site is None:
                continue
            for move in moves[site_id]:
                report.moved += _apply_move(db, site=site, move=move)
            new, over = _record_links(db, site=site, links=links[site_id])
            counts = crawl.site_counts.get(str(site_id), {})
            over += int(counts.get("over_budget", 0))
            site.last_listed = int(counts.get("listed", 0))
            site.last_new = new
            site.last_error = report.crawl_error
            site.last_note = (
                f"{over} listed URLs not tracked: --max-articles {site.max_articles} reached"
                if over
                else ""
            )
            site.last_discovered_at = now
            if site.baseline_at is None and article_count(db, site_id=site_id) > 0:
                # The articles a site had when it was first discovered are not "new".
                site.baseline_at = utcnow()
            db.add(site)
            report.listed += site.last_listed
            report.new_articles += new
            report.over_budget += over
    return report


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _apply_move(db: Session, *, site: Site, move: dict[str, Any]) -> int:
    source = db.get(Source, move["source_id"])
    if source is None or source.site_id != site.id:
        return 0
    before = source.normalized_url
    move_article(db, source=source, url=move["url"], how=move["how"])
    if source.normalized_url == before:
        return 0
    assert site.id is not None
    remember_url(
        db, site_id=site.id, normalized_url=before, verdict=LinkVerdict.moved, source_id=source.id
    )
    remember_url(
        db,
        site_id=site.id,
        normalized_url=source.normalized_url,
        verdict=LinkVerdict.article,
        source_id=source.id,
    )
    return 1


def _record_links(db: Session, *, site: Site, links: list[dict[str, Any]]) -> tuple[int, int]:
    """Track the new articles among resolved links (within the budget); remember the rest.
    Returns (new articles, left over the budget)."""
    assert site.id is not None
    budget = site.max_articles - article_count(db, site_id=site.id)
    new = over = 0
    for link in links:
        if not link["verdict"]:
            continue  # no answer this time: the URL is resolved on a later pass
        try:
            listed, url = normalize_url(link["listed"]), normalize_url(link["url"])
        except InvalidURL:
            continue
        if link["verdict"] != LinkVerdict.article:
            remember_url(
                db,
                site_id=site.id,
                normalized_url=listed,
                verdict=LinkVerdict.not_article,
                lastmod=link["lastmod"],
                detail=link["detail"],
            )
            continue
        source = find_article(db, site_id=site.id, normalized_url=url)
        if source is None:
            if budget <= 0:
                over += 1
                continue
            source = add_article(db, site=site, url=link["url"])
            budget -= 1
            new += 1
        for variant in dict.fromkeys((url, listed)):
            remember_url(
                db,
                site_id=site.id,
                normalized_url=variant,
                verdict=LinkVerdict.article,
                source_id=source.id,
                lastmod=link["lastmod"],
            )
    return new, over
