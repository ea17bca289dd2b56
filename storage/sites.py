"""Repository functions for followed sites, their discovery endpoints and the URLs they list
(keyword-only; the caller commits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from analysis.linkfilter import compile_patterns, site_hosts
from analysis.sitechanges import SiteChange, new_article, url_moved
from analysis.timestamps import utc_z
from analysis.urls import normalize_url
from analysis.vocabulary import ChangeKind, LinkVerdict, SiteKind
from storage.alerts import enqueue_change
from storage.models import (
    DEFAULT_MAX_ARTICLES,
    DEFAULT_MAX_PAGES,
    Capture,
    Change,
    DiscoveredURL,
    DiscoveryEndpoint,
    Site,
    Source,
    Version,
    utcnow,
)
from storage.queries import _interval


def add_site(
    db: Session,
    *,
    url: str,
    kind: SiteKind,
    interval_seconds: int,
    tags: Sequence[str] = (),
    hosts: Sequence[str] = (),
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    max_articles: int = DEFAULT_MAX_ARTICLES,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> tuple[Site, bool, Source | None]:
    """Follow a site (again: its settings are updated); returns it, whether it is new, and the
    source it replaces when the same URL was tracked as an article (now untracked).

    Raises analysis.urls.InvalidURL or analysis.linkfilter.BadPattern before touching anything.
    """
    normalized = normalize_url(url)
    compile_patterns([*include, *exclude])
    for host in hosts:
        normalize_url(f"http://{host}/")
    site = find_site(db, url=url)
    created = site is None
    if site is None:
        site = Site(url=url.strip(), normalized_url=normalized)
    site.kind = kind
    site.interval_seconds = interval_seconds
    site.tags = sorted(set(site.tags) | set(tags))
    site.hosts = sorted({h.strip().lower() for h in hosts} | set(site.hosts))
    site.include, site.exclude = list(include), list(exclude)
    site.max_articles, site.max_pages = max_articles, max_pages
    site.active = True
    db.add(site)
    # A page tracked as an article that is this site's index would fail on every pass.
    replaced = db.exec(
        select(Source).where(Source.normalized_url == normalized, col(Source.active).is_(True))
    ).first()
    if replaced is not None:
        replaced.active = False
        db.add(replaced)
    db.flush()
    return site, created, replaced


def find_site(db: Session, *, url: str) -> Site | None:
    """The site for a URL in any spelling that normalizes to it."""
    return db.exec(select(Site).where(Site.normalized_url == normalize_url(url))).first()


def list_sites(
    db: Session,
    *,
    include_inactive: bool = False,
    due_only: bool = False,
    tag: str = "",
    now: datetime | None = None,
) -> list[Site]:
    """Followed sites, oldest first (optionally only those whose discovery is due)."""
    query = select(Site).order_by(col(Site.id))
    if not include_inactive:
        query = query.where(col(Site.active).is_(True))
    sites = list(db.exec(query))
    if tag:
        sites = [s for s in sites if tag in s.tags]
    if due_only:
        now = now or utcnow()
        sites = [
            s
            for s in sites
            if s.last_discovered_at is None
            or s.last_discovered_at + timedelta(seconds=s.interval_seconds) <= now
        ]
    return sites


def untrack_site(db: Session, *, url: str, articles: bool = False) -> tuple[Site, int] | None:
    """Stop discovering a site, and with `articles` stop checking its articles too (how many);
    archives and histories are kept. None if the site is not followed."""
    site = find_site(db, url=url)
    if site is None or not site.active:
        return None
    site.active = False
    db.add(site)
    stopped = 0
    if articles:
        query = select(Source).where(Source.site_id == site.id, col(Source.active).is_(True))
        for source in db.exec(query):
            source.active = False
            db.add(source)
            stopped += 1
    db.flush()
    return site, stopped


def article_count(db: Session, *, site_id: int) -> int:
    """How many active articles a site's discovery is tracking."""
    query = select(func.count()).select_from(Source)
    query = query.where(Source.site_id == site_id, col(Source.active).is_(True))
    return int(db.exec(query).one())


def discovery_plan(db: Session, *, site: Site) -> dict[str, Any]:
    """What the discovery spider needs to know of a site (see crawler/siterun.py)."""
    assert site.id is not None
    # Columns, not ORM objects: a big site remembers tens of thousands of URLs.
    remembered = select(
        DiscoveredURL.normalized_url,
        DiscoveredURL.verdict,
        DiscoveredURL.lastmod,
        DiscoveredURL.source_id,
    ).where(DiscoveredURL.site_id == site.id)
    known = {
        url: [verdict, lastmod, source_id]
        for url, verdict, lastmod, source_id in db.exec(remembered)
    }
    sources = db.exec(
        select(Source)
        .where(Source.site_id == site.id, col(Source.active).is_(True))
        .order_by(col(Source.id).desc())
    )
    articles = []
    for source in sources:
        known.setdefault(source.normalized_url, [LinkVerdict.article, "", source.id])
        articles.append(
            {
                "source_id": source.id,
                "url": source.url,
                "etag": source.etag,
                "last_modified": source.last_modified,
            }
        )
    endpoints = {
        e.url: {
            "kind": e.kind,
            "etag": e.etag,
            "last_modified": e.last_modified,
            "lastmod": e.lastmod,
        }
        for e in db.exec(select(DiscoveryEndpoint).where(DiscoveryEndpoint.site_id == site.id))
    }
    return {
        "site_id": site.id,
        "kind": site.kind,
        "url": site.url,
        "hosts": site.hosts,
        "include": site.include,
        "exclude": site.exclude,
        "max_pages": site.max_pages,
        "budget": site.max_articles - len(articles),
        "known": known,
        "articles": articles,
        "endpoints": endpoints,
    }


def record_endpoint(
    db: Session,
    *,
    site_id: int,
    url: str,
    kind: str,
    status: int | None,
    fetched_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
    lastmod: str = "",
    entries: int = 0,
    error: str = "",
    note: str = "",
) -> DiscoveryEndpoint:
    """Store one fetch of an endpoint: validators and counts of a 200, the error otherwise."""
    endpoint = db.exec(
        select(DiscoveryEndpoint).where(
            DiscoveryEndpoint.site_id == site_id, DiscoveryEndpoint.url == url
        )
    ).first()
    if endpoint is None:
        endpoint = DiscoveryEndpoint(site_id=site_id, url=url, kind=kind)
    endpoint.last_status = status
    endpoint.last_fetched_at = fetched_at
    endpoint.error, endpoint.note = error, note
    if status == 200:
        endpoint.etag, endpoint.last_modified, endpoint.entries = etag, last_modified, entries
        endpoint.lastmod = lastmod or endpoint.lastmod
    elif status != 304:
        # Without a usable answer the child sitemap must be read again next time.
        endpoint.lastmod = ""
    db.add(endpoint)
    return endpoint


def remember_url(
    db: Session,
    *,
    site_id: int,
    normalized_url: str,
    verdict: LinkVerdict,
    source_id: int | None = None,
    lastmod: str = "",
    detail: str = "",
) -> DiscoveredURL:
    """Record what a URL listed by a site turned out to be (updating an earlier verdict)."""
    row = db.exec(
        select(DiscoveredURL).where(
            DiscoveredURL.site_id == site_id, DiscoveredURL.normalized_url == normalized_url
        )
    ).first()
    if row is None:
        row = DiscoveredURL(site_id=site_id, normalized_url=normalized_url, verdict=verdict)
    row.verdict, row.detail = verdict, detail
    row.source_id = source_id
    row.lastmod = lastmod or row.lastmod
    db.add(row)
    return row


def find_article(db: Session, *, site_id: int, normalized_url: str) -> Source | None:
    """The tracked article a URL stands for: its own URL, or one the site resolved to it."""
    source = db.exec(select(Source).where(Source.normalized_url == normalized_url)).first()
    if source is not None:
        return source
    row = db.exec(
        select(DiscoveredURL).where(
            DiscoveredURL.site_id == site_id,
            DiscoveredURL.normalized_url == normalized_url,
            col(DiscoveredURL.source_id).is_not(None),
        )
    ).first()
    return db.get(Source, row.source_id) if row is not None else None


def add_article(db: Session, *, site: Site, url: str) -> Source:
    """Track an article a site's discovery found, with the site's interval and tags."""
    source = Source(
        url=url,
        normalized_url=normalize_url(url),
        interval_seconds=site.interval_seconds,
        tags=list(site.tags),
        site_id=site.id,
    )
    db.add(source)
    db.flush()
    return source


def move_article(db: Session, *, source: Source, url: str, how: str) -> Change | None:
    """Give a tracked article its new URL, keeping its history; the `metadata` change of field
    `url` (None when nothing was ever captured, or when the URL is already another source's)."""
    normalized = normalize_url(url)
    if normalized == source.normalized_url:
        return None
    if db.exec(select(Source).where(Source.normalized_url == normalized)).first() is not None:
        return None
    before = source.url
    source.url, source.normalized_url = url, normalized
    # The new URL's validators are not the old one's.
    source.etag = source.last_modified = None
    db.add(source)
    db.flush()
    capture = db.exec(
        select(Capture)
        .where(Capture.source_id == source.id)
        .order_by(col(Capture.fetched_at).desc(), col(Capture.id).desc())
    ).first()
    if capture is None:
        return None
    latest = db.exec(
        select(Version).where(Version.source_id == source.id).order_by(col(Version.number).desc())
    ).first()
    latest_id = latest.id if latest is not None else None
    return _add_change(
        db,
        source=source,
        capture_id=capture.id,
        from_version_id=latest_id,
        to_version_id=latest_id,
        change=url_moved(before=before, after=url, how=how),
    )


def record_new_article(
    db: Session, *, source: Source, capture: Capture, version: Version
) -> Change | None:
    """The `new_article` change for an article's version 1, when a site's discovery found it
    after the site's first discovery (the articles found then are the baseline)."""
    if source.site_id is None or version.number != 1:
        return None
    site = db.get(Site, source.site_id)
    if site is None or site.baseline_at is None or source.added_at <= site.baseline_at:
        return None
    existing = db.exec(select(Change.id, Change.kinds).where(Change.source_id == source.id)).all()
    if any(ChangeKind.new_article in kinds for _, kinds in existing):
        return None
    return _add_change(
        db,
        source=source,
        capture_id=capture.id,
        from_version_id=None,
        to_version_id=version.id,
        change=new_article(title=version.title, url=source.url),
        detected_at=capture.fetched_at,
    )


def _add_change(
    db: Session,
    *,
    source: Source,
    capture_id: int | None,
    from_version_id: int | None,
    to_version_id: int | None,
    change: SiteChange,
    detected_at: datetime | None = None,
) -> Change:
    assert capture_id is not None and source.id is not None
    row = Change(
        source_id=source.id,
        capture_id=capture_id,
        from_version_id=from_version_id,
        to_version_id=to_version_id,
        detected_at=detected_at or utcnow(),
        kinds=list(change.kinds),
        severity=change.severity,
        summary=change.summary,
        details=change.details,
    )
    db.add(row)
    db.flush()
    enqueue_change(db, change=row, source=source)  # the outbox: same transaction
    return row


def sites_overview(db: Session, *, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Followed sites as JSON-ready rows: articles tracked, last discovery, endpoints, errors."""
    counts = dict(
        db.exec(
            select(Source.site_id, func.count())
            .where(col(Source.active).is_(True), col(Source.site_id).is_not(None))
            .group_by(col(Source.site_id))
        ).all()
    )
    rows = []
    for site in list_sites(db, include_inactive=include_inactive):
        endpoints = list(
            db.exec(
                select(DiscoveryEndpoint)
                .where(DiscoveryEndpoint.site_id == site.id)
                .order_by(col(DiscoveryEndpoint.id))
            )
        )
        errors = [f"{e.url}: {e.error}" for e in endpoints if e.error]
        rows.append(
            {
                "site": site.normalized_url,
                "kind": site.kind,
                "articles": counts.get(site.id, 0),
                "new_last_discovery": site.last_new,
                "listed_last_discovery": site.last_listed,
                "last_discovered_at": (utc_z(site.last_discovered_at)),
                "errors": ([site.last_error] if site.last_error else []) + errors,
                "notes": ([site.last_note] if site.last_note else [])
                + [f"{e.url}: {e.note}" for e in endpoints if e.note],
                "endpoints": [
                    {
                        "url": e.url,
                        "kind": e.kind,
                        "last_status": e.last_status,
                        "entries": e.entries,
                        "error": e.error,
                        "note": e.note,
                    }
                    for e in endpoints
                ],
                "interval": _interval(site.interval_seconds),
                "tags": site.tags,
                "hosts": sorted(site_hosts(site.url, site.hosts)),
                "include": site.include,
                "exclude": site.exclude,
                "max_articles": site.max_articles,
                "active": site.active,
            }
        )
    return rows
