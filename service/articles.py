"""Tracked articles as analysts list them: each with its site, latest version and the health
of its last attempt, a page at a time (`claimwatch articles`, GET /api/v1/articles), and the
same health for any set of sources (the web UI's sources page)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, func, or_, tuple_
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from analysis.timestamps import utc_z
from analysis.urls import normalize_url
from storage.models import Capture, Change, Site, Source, Version
from storage.queries import NotFound, attempt_health
from storage.sources import next_check_at

PAGE_LIMIT = 100


@dataclass(frozen=True)
class ArticleCursor:
    """A position in the article listing (by id): rows with a greater id come next."""

    after_id: int

    def encode(self) -> str:
        """An opaque token for `?cursor=`."""
        return base64.urlsafe_b64encode(f"article|{self.after_id}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> ArticleCursor:
        """Parse a token made by encode(); ValueError when it is not one."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            kind, after_id = raw.split("|", 1)
            if kind != "article":
                raise ValueError(kind)
            return cls(int(after_id))
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"bad cursor {token!r}") from exc


@dataclass(frozen=True)
class Health:
    """What a source's last attempt says (the `claimwatch sources --format json` health)."""

    last_checked_at: datetime | None
    last_status: int | None
    last_outcome: str
    last_error: str
    consecutive_failures: int
    next_check: datetime | None  # None: paused


def source_health(db: Session, *, sources: list[Source]) -> dict[int, Health]:
    """The health of these sources by id: the last *attempt*'s status, outcome and error (a
    URL failing every pass shows its failure, not its last success), failures in a row, and
    the next check (interval, back-off after errors, never before the site's Retry-After)."""
    attempts = attempt_health(db, source_ids=[s.id for s in sources if s.id is not None])
    found = {}
    for s in sources:
        if s.id is None:
            continue
        last = attempts.get(s.id)
        found[s.id] = Health(
            last_checked_at=last.at if last and last.at else s.last_checked_at,
            last_status=last.status if last and last.at else s.last_status,
            last_outcome=last.outcome if last else "",
            last_error=last.error if last and last.at else s.last_error,
            consecutive_failures=last.failures if last else 0,
            next_check=next_check_at(s) if s.active else None,
        )
    return found


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _on_host(host: str) -> Any:
    # normalized URLs hold the host lowercased, IPv6 in brackets, a port only when not default
    name = host.strip().lower()
    name = f"[{name}]" if ":" in name and not name.startswith("[") else name
    url = col(Source.normalized_url)
    patterns = [f"{scheme}://{_like_literal(name)}{end}%" for scheme in ("http", "https")
                for end in ("/", ":")]  # fmt: skip
    return or_(*(url.like(p, escape="\\") for p in patterns))


def _has_tag(tag: str) -> Any:
    # tags is a JSON list of strings: its text holds the tag as a JSON string, with its quotes
    return cast(col(Source.tags), Text).like(f"%{_like_literal(json.dumps(tag))}%", escape="\\")


def articles_page(
    db: Session,
    *,
    site: str = "",
    tag: str = "",
    url: str = "",
    include_inactive: bool = False,
    after: ArticleCursor | None = None,
    limit: int = PAGE_LIMIT,
) -> tuple[list[dict[str, Any]], ArticleCursor | None]:
    """One page of tracked articles by id, and the cursor of the next page (None: last page).

    `site`: a followed site's URL (as `claimwatch sources --site`; NotFound when it is not
    followed) or a host name (as `claimwatch changes --site`); `tag`: sources with this tag;
    `url`: that article only (as `changes --url`: normalized, NotFound when not tracked);
    `include_inactive`: untracked ones too. Fields as `claimwatch sources --format json`,
    plus the latest version's number, title and capture time."""
    query = select(Source)
    if not include_inactive:
        query = query.where(col(Source.active).is_(True))
    if url:
        wanted = normalize_url(url)
        if db.exec(select(Source.id).where(Source.normalized_url == wanted)).first() is None:
            raise NotFound(f"not tracked: {url}")
        query = query.where(Source.normalized_url == wanted)
    if site and "://" in site:
        followed = db.exec(select(Site).where(Site.normalized_url == normalize_url(site))).first()
        if followed is None:
            raise NotFound(f"not a followed site: {site}")
        query = query.where(Source.site_id == followed.id)
    elif site:
        query = query.where(_on_host(site))
    if tag:
        query = query.where(_has_tag(tag))
    if after is not None:
        query = query.where(col(Source.id) > after.after_id)
    picked = list(db.exec(query.order_by(col(Source.id)).limit(limit + 1)))
    more = len(picked) > limit
    sources = picked[:limit]
    rows = _article_rows(db, sources)
    cursor = ArticleCursor(sources[-1].id or 0) if more and sources else None
    return rows, cursor


def all_articles(db: Session, **filters: Any) -> list[dict[str, Any]]:
    """Every article the filters of `articles_page` select, page by page."""
    rows: list[dict[str, Any]] = []
    after: ArticleCursor | None = None
    while True:
        page, after = articles_page(db, after=after, limit=1000, **filters)
        rows += page
        if after is None:
            return rows


def _article_rows(db: Session, sources: list[Source]) -> list[dict[str, Any]]:
    ids = [s.id for s in sources if s.id is not None]
    if not ids:
        return []
    counted = (
        columns(col(Version.source_id), func.count(), func.max(col(Version.number)))
        .where(col(Version.source_id).in_(ids))
        .group_by(col(Version.source_id))
    )
    versions = {sid: (n, latest) for sid, n, latest in db.execute(counted)}
    latest = {
        sid: (title, fetched_at)
        for sid, number, title, fetched_at in db.execute(
            columns(
                col(Version.source_id), col(Version.number), col(Version.title),
                col(Capture.fetched_at),
            )
            .join(Capture, col(Capture.id) == col(Version.capture_id))
            .where(col(Version.source_id).in_(ids))
            .where(
                tuple_(col(Version.source_id), col(Version.number)).in_(
                    [(sid, n) for sid, (_, n) in versions.items()] or [(-1, -1)]
                )
            )
        )
    } if versions else {}  # fmt: skip
    changes = dict(
        db.execute(
            columns(col(Change.source_id), func.count())
            .where(col(Change.source_id).in_(ids))
            .group_by(col(Change.source_id))
        ).all()
    )
    site_ids = {s.site_id for s in sources if s.site_id is not None}
    site_urls = dict(
        db.execute(
            columns(col(Site.id), col(Site.normalized_url)).where(col(Site.id).in_(site_ids))
        ).all()
    ) if site_ids else {}  # fmt: skip
    health = source_health(db, sources=sources)
    rows = []
    for s in sources:
        sid = s.id or 0
        count, number = versions.get(sid, (0, None))
        title, captured = latest.get(sid, ("", None))
        last = health[sid]
        rows.append(
            {
                "id": s.id,
                "url": s.normalized_url,
                "site": site_urls.get(s.site_id) if s.site_id is not None else None,
                "title": title or "",
                "tags": s.tags,
                "active": s.active,
                "added_at": utc_z(s.added_at),
                "versions": count,
                "latest_version": number,
                "latest_captured_at": utc_z(captured),
                "changes": changes.get(sid, 0),
                "last_checked_at": utc_z(last.last_checked_at),
                "last_status": last.last_status,
                "last_outcome": last.last_outcome,
                "last_error": last.last_error,
                "consecutive_failures": last.consecutive_failures,
                "next_check": utc_z(last.next_check),
            }
        )
    return rows
