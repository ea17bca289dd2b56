"""What analysts ask of the archive: histories, versions and changes, as JSON-ready rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from analysis.urls import normalize_url
from analysis.vocabulary import IdentifierKind
from storage.models import Capture, Change, ClaimRecord, ReferenceRecord, Site, Source, Version
from storage.sources import find, list_sources, next_check_at

_NO_CHANGES: dict[str, list[Any]] = {"added": [], "removed": [], "modified": []}


class NotFound(LookupError):
    """The URL is not tracked, or the version asked for does not exist."""


def source_for(db: Session, *, url: str) -> Source:
    """The tracked source for a URL, or NotFound."""
    source = find(db, url=url)
    if source is None:
        raise NotFound(f"not tracked: {url}")
    return source


def history(db: Session, *, url: str) -> list[dict[str, Any]]:
    """Versions of an article, oldest first, with the capture time that produced each."""
    source = source_for(db, url=url)
    rows = db.exec(
        select(Version, Capture.fetched_at)
        .join(Capture, col(Capture.id) == col(Version.capture_id))
        .where(Version.source_id == source.id)
        .order_by(col(Version.number))
    )
    return [
        {
            "version": version.number,
            "captured_at": fetched_at.isoformat(),
            "title": version.title,
            "author": version.author,
            "published": version.published,
            "words": len(version.text.split()),
            "content_hash": version.content_hash,
            "extractor": version.extractor,
        }
        for version, fetched_at in rows
    ]


def get_version(
    db: Session, *, url: str, number: int | None = None, at: datetime | None = None
) -> Version:
    """One version of an article: number N, the one current at a moment, or the latest."""
    source = source_for(db, url=url)
    query = select(Version).where(Version.source_id == source.id)
    if number is not None:
        query = query.where(Version.number == number)
    elif at is not None:
        query = query.join(Capture, col(Capture.id) == col(Version.capture_id)).where(
            col(Capture.fetched_at) <= at
        )
    query = query.order_by(col(Version.number).desc())
    version = db.exec(query).first()
    if version is None:
        what = (
            f"version {number}"
            if number is not None
            else f"version captured by {at.isoformat()}"
            if at is not None
            else "any version"
        )
        raise NotFound(f"{url} has no {what}")
    return version


def version_count(db: Session, *, source_id: int) -> int:
    """How many versions a source has."""
    query = select(func.count()).select_from(Version).where(Version.source_id == source_id)
    return int(db.exec(query).one())


def changes(
    db: Session,
    *,
    since: datetime | None = None,
    url: str | None = None,
    kind: str | None = None,
    include_diff: bool = False,
) -> list[dict[str, Any]]:
    """Recorded changes, oldest first, in the documented JSON shape."""
    query = select(Change, Source.url).join(Source, col(Source.id) == col(Change.source_id))
    if since is not None:
        query = query.where(col(Change.detected_at) >= since)
    if url is not None:
        query = query.where(Change.source_id == source_for(db, url=url).id)
    query = query.order_by(col(Change.detected_at), col(Change.id))
    rows = list(db.exec(query))
    numbers = _version_numbers(db, [c for c, _ in rows])
    result = []
    for change, source_url in rows:
        if kind and kind not in change.kinds:
            continue
        result.append(change_json(change, source_url, numbers, include_diff=include_diff))
    return result


def change_json(
    change: Change, url: str, numbers: dict[int, int], *, include_diff: bool = False
) -> dict[str, Any]:
    """One change as the `changes --format json` object."""
    details = dict(change.details)
    text = dict(details.get("text") or {"added_words": 0, "removed_words": 0})
    if not include_diff:
        text.pop("ops", None)
    from_version = numbers.get(change.from_version_id or -1)
    to_version = numbers.get(change.to_version_id or -1)
    return {
        "id": change.id,
        "url": url,
        "detected_at": change.detected_at.isoformat().replace("+00:00", "Z"),
        "from_version": from_version,
        # A status-only change has no new version: it concerns the version that was current.
        "to_version": to_version if to_version is not None else from_version,
        "kinds": change.kinds,
        "severity": change.severity,
        "summary": change.summary,
        "text": text,
        "metadata": details.get("metadata") or {},
        "status": details.get("status"),
        "claims": details.get("claims") or _NO_CHANGES,
        "references": details.get("references") or _NO_CHANGES,
        # Set when the new version's text is an earlier version's again (a revert).
        **({"reverted_to": details["reverted_to"]} if "reverted_to" in details else {}),
    }


def _version_numbers(db: Session, rows: list[Change]) -> dict[int, int]:
    ids = {i for c in rows for i in (c.from_version_id, c.to_version_id) if i is not None}
    if not ids:
        return {}
    query = select(Version.id, Version.number).where(col(Version.id).in_(ids))
    return {vid: number for vid, number in db.exec(query) if vid is not None}


def sources_overview(
    db: Session, *, include_inactive: bool = False, site: str | None = None
) -> list[dict[str, Any]]:
    """Tracked sources with their version and change counts and last check (`site`: only the
    articles that site's discovery found; NotFound when it is not followed)."""
    versions = dict(
        db.exec(select(Version.source_id, func.count()).group_by(col(Version.source_id))).all()
    )
    change_counts = dict(
        db.exec(select(Change.source_id, func.count()).group_by(col(Change.source_id))).all()
    )
    site_urls = {s.id: s.normalized_url for s in db.exec(select(Site))}
    sources = list_sources(db, include_inactive=include_inactive)
    if site is not None:
        wanted = normalize_url(site)
        followed = db.exec(select(Site).where(Site.normalized_url == wanted)).first()
        if followed is None:
            raise NotFound(f"not a followed site: {site}")
        sources = [s for s in sources if s.site_id == followed.id]
    return [
        {
            "url": s.normalized_url,
            "interval": _interval(s.interval_seconds),
            "tags": s.tags,
            "active": s.active,
            "versions": versions.get(s.id or 0, 0),
            "changes": change_counts.get(s.id or 0, 0),
            "added_at": s.added_at.isoformat(),
            "last_checked_at": s.last_checked_at.isoformat() if s.last_checked_at else None,
            "last_status": s.last_status,
            "last_error": s.last_error,
            # After errors the back-off, and never before the site's Retry-After.
            "next_check_at": next_check_at(s).isoformat(),
            "error_streak": s.error_streak,
            "site": site_urls.get(s.site_id) if s.site_id is not None else None,
        }
        for s in sources
    ]


def _interval(seconds: int) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def claims(
    db: Session, *, url: str, number: int | None = None, at: datetime | None = None
) -> list[dict[str, Any]]:
    """The health claims of one version (default: latest), in reading order."""
    version = get_version(db, url=url, number=number, at=at)
    query = select(ClaimRecord).where(ClaimRecord.version_id == version.id)
    return [
        {
            "version": version.number,
            "position": row.position,
            "text": row.text,
            "section": " › ".join(row.section),
            "certainty": row.certainty,
            "certainty_score": row.certainty_score,
            "negated": row.negated,
            "direction": row.direction,
            "type": row.type,
            "cites": row.cites,
            "reference_keys": row.reference_keys,
        }
        for row in db.exec(query.order_by(col(ClaimRecord.position)))
    ]


def references(
    db: Session, *, url: str, number: int | None = None, at: datetime | None = None
) -> list[dict[str, Any]]:
    """The references of one version (default: latest), in list order, with their identifiers."""
    version = get_version(db, url=url, number=number, at=at)
    query = select(ReferenceRecord).where(ReferenceRecord.version_id == version.id)
    rows = []
    for row in db.exec(query.order_by(col(ReferenceRecord.position))):
        ids = {k: getattr(row, k) for k in IdentifierKind}
        rows.append(
            {
                "version": version.number,
                "position": row.position,
                "marker": row.marker,
                "text": row.text,
                "key": row.key,
                "ids": {k: v for k, v in ids.items() if v},
                "first_author": row.first_author,
                "journal": row.journal,
                "year": row.year,
            }
        )
    return rows
