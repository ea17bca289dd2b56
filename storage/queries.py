"""What analysts ask of the archive: histories, versions and changes, as JSON-ready rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as columns
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from analysis.timestamps import utc_z
from analysis.urls import normalize_url
from analysis.vocabulary import CaptureOutcome, IdentifierKind
from storage.browse import Cursor, FeedFilter, apply_filter, change_heading, change_ids
from storage.errors import NotFound
from storage.models import Capture, Change, ClaimRecord, ReferenceRecord, Site, Source, Version
from storage.sources import find, list_sources, next_check_at

_NO_CHANGES: dict[str, list[Any]] = {"added": [], "removed": [], "modified": []}


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
            "captured_at": utc_z(fetched_at),
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
            else f"version captured by {utc_z(at)}"
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
    until: datetime | None = None,
    url: str | None = None,
    site: str = "",
    kind: str | None = None,
    severity: str = "",
    tag: str = "",
    include_diff: bool = False,
) -> list[dict[str, Any]]:
    """Recorded changes, oldest first, in the documented JSON shape (`since` inclusive,
    `until` exclusive; `site` a host name)."""
    filters = change_filter(
        db, since=since, until=until, url=url, site=site, kind=kind, severity=severity, tag=tag
    )
    # One query, filters and joins together: no list of ids travels back as parameters.
    query = apply_filter(db, _change_columns(db, include_diff=include_diff), filters)
    rows = db.execute(query.order_by(col(Change.detected_at), col(Change.id)))
    return [_row_json(row, include_diff=include_diff) for row in rows]


def change_filter(
    db: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    url: str | None = None,
    site: str = "",
    kind: str | None = None,
    severity: str = "",
    tag: str = "",
) -> FeedFilter:
    """The filters of `claimwatch changes` (and of the API's /changes) as a FeedFilter;
    NotFound when `url` is not tracked, ValueError for an unknown kind or severity."""
    source_id = source_for(db, url=url).id if url else None
    return FeedFilter(
        site=site or "",
        tag=tag or "",
        kind=kind or "",
        severity=severity or "",
        since=since,
        until=until,
        source_id=source_id,
    )


def changes_page(
    db: Session, *, filters: FeedFilter, before: Cursor | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], Cursor | None]:
    """One page of changes, newest first, in the `changes --format json` shape, and the
    cursor of the next (older) page."""
    ids, cursor = change_ids(db, filters=filters, before=before, limit=limit)
    return changes_by_id(db, ids=ids), cursor


def changes_by_id(
    db: Session, *, ids: list[int], include_diff: bool = False
) -> list[dict[str, Any]]:
    """These changes (in this order) in the `changes --format json` shape; unknown ids are
    left out."""
    if not ids:
        return []
    query = _change_columns(db, include_diff=include_diff).where(col(Change.id).in_(ids))
    found = {row[0]: row for row in db.execute(query)}
    return [_row_json(found[i], include_diff=include_diff) for i in ids if i in found]


_FROM = aliased(Version)
_TO = aliased(Version)


def _change_columns(db: Session, *, include_diff: bool = False) -> Any:
    """A change's fields, its URL and its two version numbers, in one row.

    On SQLite, without the diff, json_extract reads the parts of `details` the JSON shows and
    leaves the text's ops (the whole text in diff chunks: most of its bytes) unread by Python:
    faster than decoding them for an article of some length. PostgreSQL's json type parses
    the whole text again for each `->`, which costs more than one decoding in Python."""
    details = col(Change.details)
    if include_diff or db.get_bind().dialect.name != "sqlite":
        parts: list[Any] = [details]
    else:
        parts = [
            details[("text", "added_words")].as_integer(),
            details[("text", "removed_words")].as_integer(),
            *(details[key] for key in ("metadata", "status", "claims", "references")),
            details["reverted_to"].as_integer(),
        ]
    return (
        columns(
            *change_heading(),
            col(Source.normalized_url),
            col(_FROM.number),
            col(_TO.number),
            *parts,
        )
        .select_from(Change)
        .join(Source, col(Source.id) == col(Change.source_id))
        .outerjoin(_FROM, col(_FROM.id) == col(Change.from_version_id))
        .outerjoin(_TO, col(_TO.id) == col(Change.to_version_id))
    )


def _row_json(row: Any, *, include_diff: bool) -> dict[str, Any]:
    cid, detected_at, kinds, severity, summary, url, from_number, to_number, *parts = row
    if len(parts) == 1:
        details = parts[0] or {}
    else:
        added, removed, metadata, status, claims, references, reverted_to = parts
        details = {
            # Every stored text diff has both counts: no counts, no text change.
            "text": None if added is None else {"added_words": added, "removed_words": removed},
            "metadata": metadata,
            "status": status,
            "claims": claims,
            "references": references,
            **({"reverted_to": reverted_to} if reverted_to is not None else {}),
        }
    return _json(
        cid, detected_at, kinds, severity, summary, details, url, from_number, to_number,
        include_diff=include_diff,
    )  # fmt: skip


def change_json(
    change: Change, url: str, numbers: dict[int, int], *, include_diff: bool = False
) -> dict[str, Any]:
    """One change as the `changes --format json` object."""
    return _json(
        change.id, change.detected_at, change.kinds, change.severity, change.summary,
        change.details, url, numbers.get(change.from_version_id or -1),
        numbers.get(change.to_version_id or -1), include_diff=include_diff,
    )  # fmt: skip


def _json(
    change_id: int | None,
    detected_at: datetime,
    kinds: list[str],
    severity: str,
    summary: str,
    details: dict[str, Any],
    url: str,
    from_version: int | None,
    to_version: int | None,
    *,
    include_diff: bool,
) -> dict[str, Any]:
    text = dict(details.get("text") or {"added_words": 0, "removed_words": 0})
    if not include_diff:
        text.pop("ops", None)
    return {
        "id": change_id,
        "url": url,
        "detected_at": utc_z(detected_at),
        "from_version": from_version,
        # A status-only change has no new version: it concerns the version that was current.
        "to_version": to_version if to_version is not None else from_version,
        "kinds": kinds,
        "severity": severity,
        "summary": summary,
        "text": text,
        "metadata": details.get("metadata") or {},
        "status": details.get("status"),
        "claims": details.get("claims") or _NO_CHANGES,
        "references": details.get("references") or _NO_CHANGES,
        # Set when the new version's text is an earlier version's again (a revert).
        **({"reverted_to": details["reverted_to"]} if "reverted_to" in details else {}),
    }


def sources_overview(
    db: Session, *, include_inactive: bool = False, site: str | None = None
) -> list[dict[str, Any]]:
    """Tracked sources with their version and change counts and health: the last attempt's
    status, outcome and error, consecutive failures, next check (`site`: only the articles
    that site's discovery found; NotFound when it is not followed)."""
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
    health = attempt_health(db, source_ids=[s.id for s in sources if s.id is not None])
    rows = []
    for s in sources:
        last = health.get(s.id or 0, AttemptHealth())
        # After errors the back-off, and never before the site's Retry-After.
        next_check = next_check_at(s) if s.active else None
        rows.append(
            {
                "id": s.id,
                "url": s.normalized_url,
                "interval": _interval(s.interval_seconds),
                "interval_seconds": s.interval_seconds,
                "tags": s.tags,
                "active": s.active,
                "versions": versions.get(s.id or 0, 0),
                "changes": change_counts.get(s.id or 0, 0),
                "added_at": utc_z(s.added_at),
                "last_checked_at": utc_z(last.at or s.last_checked_at),
                # The last *attempt*: a URL failing every pass shows its failure, not the
                # status of the last fetch that worked.
                "last_status": last.status if last.at else s.last_status,
                "last_outcome": last.outcome,
                "last_error": last.error if last.at else s.last_error,
                "consecutive_failures": last.failures,
                "next_check": utc_z(next_check),
                "site": site_urls.get(s.site_id) if s.site_id is not None else None,
            }
        )
    return rows


_FAILED_OUTCOMES = {
    CaptureOutcome.fetch_error,
    CaptureOutcome.error,
    CaptureOutcome.no_article,
    CaptureOutcome.archive_error,
}
_HEALTH_DEPTH = 100  # consecutive failures are counted up to this many attempts


@dataclass
class AttemptHealth:
    """What a source's latest attempts say: the last one, and how many failed in a row."""

    at: datetime | None = None
    status: int | None = None
    outcome: str = ""
    error: str = ""
    failures: int = 0


def attempt_failed(status: int | None, error: str, outcome: str) -> bool:
    """Whether one capture is a failed attempt (no usable answer, or nothing to analyse)."""
    return bool(error) or status not in (200, 304, 404, 410) or outcome in _FAILED_OUTCOMES


def attempt_health(db: Session, *, source_ids: list[int]) -> dict[int, AttemptHealth]:
    """Each source's last attempt and its count of consecutive failed attempts."""
    if not source_ids:
        return {}
    # First each source's last capture alone (one probe of ix_capture_source_fetched per
    # source); only the sources whose last attempt failed have their streak counted.
    newest = (
        columns(col(Capture.id))
        .where(col(Capture.source_id) == col(Source.id))
        .order_by(col(Capture.fetched_at).desc(), col(Capture.id).desc())
        .limit(1)
        .correlate(Source)
        .scalar_subquery()
    )
    last_ids = [
        cid
        for (cid,) in db.execute(
            columns(newest).select_from(Source).where(col(Source.id).in_(source_ids))
        )
        if cid is not None
    ]
    found: dict[int, AttemptHealth] = {}
    failing: list[int] = []
    for chunk in range(0, len(last_ids), 500):
        rows = db.execute(
            columns(
                col(Capture.source_id),
                col(Capture.fetched_at),
                col(Capture.status),
                col(Capture.error),
                col(Capture.outcome),
            ).where(col(Capture.id).in_(last_ids[chunk : chunk + 500]))
        )
        for sid, at, status, error, outcome in rows:
            found[sid] = AttemptHealth(at, status, outcome or "", error or "")
            if attempt_failed(status, error or "", outcome or ""):
                failing.append(sid)
    for chunk in range(0, len(failing), 500):
        streaks = _failure_streaks(db, failing[chunk : chunk + 500])
        for sid, failures in streaks.items():
            found[sid].failures = failures
    return found


def _failure_streaks(db: Session, source_ids: list[int]) -> dict[int, int]:
    """How many of each source's latest attempts (up to _HEALTH_DEPTH) failed in a row."""
    rank = (
        func.row_number()
        .over(
            partition_by=col(Capture.source_id),
            order_by=(col(Capture.fetched_at).desc(), col(Capture.id).desc()),
        )
        .label("rank")
    )
    recent = (
        columns(
            col(Capture.source_id),
            col(Capture.status),
            col(Capture.error),
            col(Capture.outcome),
            rank,
        )
        .where(col(Capture.source_id).in_(source_ids))
        .subquery()
    )
    query = (
        columns(recent.c.source_id, recent.c.status, recent.c.error, recent.c.outcome)
        .where(recent.c.rank <= _HEALTH_DEPTH)
        .order_by(recent.c.source_id, recent.c.rank)
    )  # fmt: skip
    streaks: dict[int, int] = {}
    broken: set[int] = set()
    for sid, status, error, outcome in db.execute(query):
        if sid in broken:
            continue
        if attempt_failed(status, error or "", outcome or ""):
            streaks[sid] = streaks.get(sid, 0) + 1
        else:
            broken.add(sid)
    return streaks


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
