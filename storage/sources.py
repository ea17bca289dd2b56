"""Repository functions for tracked sources (keyword-only; the caller commits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlmodel import Session, select

from analysis.addresses import AddressPolicy
from analysis.urls import InvalidURL, normalize_url
from storage.models import Source, utcnow
from storage.settings import get_settings


def track(
    db: Session,
    *,
    urls: Sequence[str],
    interval_seconds: int,
    tags: Sequence[str] = (),
    policy: AddressPolicy | None = None,
) -> list[tuple[Source, bool]]:
    """Add or re-activate sources; returns each with whether it was newly added.

    Raises analysis.urls.InvalidURL before touching anything if any URL is invalid, or names
    an IP address the address policy (default: the settings') refuses.
    """
    normalized = [(url.strip(), normalize_url(url)) for url in urls]
    policy = policy or get_settings().address_policy
    for url, _ in normalized:
        refusal = policy.url_refusal(url)
        if refusal is not None:
            raise InvalidURL(refusal)
    results: list[tuple[Source, bool]] = []
    for url, norm in normalized:
        source = db.exec(select(Source).where(Source.normalized_url == norm)).first()
        created = source is None
        if source is None:
            source = Source(url=url, normalized_url=norm, interval_seconds=interval_seconds)
        source.active = True
        source.interval_seconds = interval_seconds
        source.tags = sorted(set(source.tags) | set(tags))
        db.add(source)
        results.append((source, created))
    db.flush()
    return results


def untrack(db: Session, *, url: str) -> Source | None:
    """Stop monitoring a source (its archive and history are kept); None if it is not tracked."""
    source = find(db, url=url)
    if source is None or not source.active:
        return None
    source.active = False
    db.add(source)
    return source


def find(db: Session, *, url: str) -> Source | None:
    """The source for a URL in any spelling that normalizes to it."""
    return db.exec(select(Source).where(Source.normalized_url == normalize_url(url))).first()


def list_sources(db: Session, *, include_inactive: bool = False) -> list[Source]:
    """Tracked sources, oldest first."""
    query = select(Source).order_by(Source.id)  # type: ignore[arg-type]
    if not include_inactive:
        query = query.where(Source.active == True)  # noqa: E712
    return list(db.exec(query))


def select_for_run(
    db: Session,
    *,
    due_only: bool = False,
    urls: Sequence[str] = (),
    tag: str = "",
    now: datetime | None = None,
    unchecked_since: datetime | None = None,
) -> list[Source]:
    """Active sources to check in a pass (optionally only those whose interval has elapsed, or
    not checked since `unchecked_since`), grouped by host, least recently checked first."""
    now = now or utcnow()
    sources = list_sources(db)
    if urls:
        wanted = {normalize_url(u) for u in urls}
        sources = [s for s in sources if s.normalized_url in wanted]
    if tag:
        sources = [s for s in sources if tag in s.tags]
    # A site's Retry-After holds for every pass, asked for by URL or not.
    sources = [s for s in sources if s.retry_after is None or s.retry_after <= now]
    if due_only:
        sources = [s for s in sources if next_check_at(s) <= now]
    if unchecked_since is not None:
        sources = [
            s for s in sources if s.last_checked_at is None or s.last_checked_at < unchecked_since
        ]
    return sorted(sources, key=lambda s: (urlsplit(s.normalized_url).hostname or "", s.id or 0))


def next_check_at(source: Source) -> datetime:
    """When a `run --due` checks the source next: after its interval, or its back-off after
    errors, and never before the site's Retry-After."""
    if source.last_checked_at is None:
        due = source.added_at
    elif source.next_check_at is not None:
        due = source.next_check_at
    else:
        due = source.last_checked_at + timedelta(seconds=source.interval_seconds)
    return max(due, source.retry_after) if source.retry_after else due


def configure(
    db: Session,
    *,
    source_id: int,
    interval_seconds: int | None = None,
    tags: Sequence[str] | None = None,
    active: bool | None = None,
) -> Source | None:
    """Set a source's interval, tags (replacing them) or active flag; None if no such source."""
    source = db.get(Source, source_id)
    if source is None:
        return None
    if interval_seconds is not None:
        source.interval_seconds = interval_seconds
    if tags is not None:
        source.tags = sorted({t.strip() for t in tags if t.strip()})
    if active is not None:
        source.active = active
    db.add(source)
    db.flush()
    return source
