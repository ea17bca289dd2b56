"""What the analyst's web UI browses: the changes feed (keyset-paged), one change with its
versions and neighbours, an article's timeline and versions, archived payloads, exports.

Rows are plain dicts and dataclasses; rendering is the interface's business.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Text, and_, cast, exists, func, or_
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from analysis.timestamps import utc_z
from analysis.vocabulary import ChangeKind, IdentifierKind, Severity
from storage.archive import read_payload
from storage.models import (
    Capture,
    Change,
    ChangeLabel,
    ChangeReview,
    ClaimRecord,
    ReferenceRecord,
    Source,
    Version,
)
from storage.settings import get_settings
from storage.triage import Triage, triage_for

FEED_PAGE = 50


def change_heading() -> tuple[Any, ...]:
    """The columns that head a change wherever it is listed: id, detected_at, kinds,
    severity and summary, in that order."""
    return (
        col(Change.id),
        col(Change.detected_at),
        col(Change.kinds),
        col(Change.severity),
        col(Change.summary),
    )


@dataclass(frozen=True)
class FeedFilter:
    """What the changes feed (and the exports) narrow to; empty fields do not filter."""

    site: str = ""  # host name, e.g. blog.example
    tag: str = ""
    kind: str = ""  # a ChangeKind
    severity: str = ""  # a Severity
    since: datetime | None = None
    until: datetime | None = None
    reviewed: bool | None = None
    label: str = ""
    source_id: int | None = None

    def __post_init__(self) -> None:
        if self.kind and self.kind not in ChangeKind.__members__:
            raise ValueError(f"unknown kind {self.kind!r}")
        if self.severity and self.severity not in Severity.__members__:
            raise ValueError(f"unknown severity {self.severity!r}")


@dataclass(frozen=True)
class Cursor:
    """A position in the newest-first feed: rows strictly older than (detected_at, id)."""

    detected_at: datetime
    change_id: int

    def encode(self) -> str:
        """An opaque token for a `?before=` link."""
        raw = f"{self.detected_at.isoformat()}|{self.change_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """Parse a token made by encode(); ValueError when it is not one."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            moment, change_id = raw.rsplit("|", 1)
            when = datetime.fromisoformat(moment)
            return cls(when if when.tzinfo else when.replace(tzinfo=UTC), int(change_id))
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"bad cursor {token!r}") from exc


@dataclass
class FeedPage:
    """One page of the changes feed and the cursor of the next (older) page."""

    rows: list[dict[str, Any]]
    next_cursor: Cursor | None


def site_of(url: str) -> str:
    """The site (host name) of a URL."""
    # Pages list every source's site: the common shape of a normalized URL (scheme://host/…
    # or scheme://host:port/…, no user info, no IPv6 brackets) is split without urlsplit.
    scheme, sep, rest = url.partition("://")
    if sep and scheme in ("http", "https"):
        netloc = rest.split("/", 1)[0]
        if "@" not in netloc and "[" not in netloc and "?" not in netloc and "#" not in netloc:
            return netloc.split(":", 1)[0].lower()
    return (urlsplit(url).hostname or "").lower()


def _site_prefixes(site: str) -> list[str] | None:
    """LIKE patterns that hold every normalized URL of `site` (None: no narrowing possible)."""
    if not site or any(c in site for c in ":[]/@%_\\"):
        return None
    return [f"{scheme}://{site}{end}%" for scheme in ("http", "https") for end in ("/", ":")]


def sources_of_site(db: Session, site: str, *, tag: str = "") -> list[tuple[int, str, list[str]]]:
    """(id, normalized URL, tags) of the sources whose site is `site` (every source when
    `site` is empty); with `tag`, at least those with that tag and maybe others."""
    site = site.strip().lower()
    query = columns(col(Source.id), col(Source.normalized_url), col(Source.tags))
    if tag:
        # The tag list is stored as JSON text by json.dumps: the tag appears there as
        # json.dumps writes it. The callers check the decoded list.
        listed = json.dumps(tag).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(cast(col(Source.tags), Text).like(f"%{listed}%", escape="\\"))
    prefixes = _site_prefixes(site)
    if prefixes:
        # Normalized URLs start scheme://host: the index-free LIKE narrows, site_of decides.
        query = query.where(or_(*(col(Source.normalized_url).like(p) for p in prefixes)))
    return [
        (sid, url, tags or [])
        for sid, url, tags in db.execute(query)
        if sid is not None and (not site or site_of(url) == site)
    ]


def highlights(claims: dict[str, Any] | None, references: dict[str, Any] | None) -> list[str]:
    """The changes an analyst must not miss, as short phrases: claims weakened, negated,
    reversed or removed; references removed or with a changed identifier."""
    found: list[str] = []
    claims = claims or {}
    modified = [m.get("change", "") for m in claims.get("modified", [])]
    for what in ("weakened", "negated", "reversed"):
        n = modified.count(what)
        if n:
            found.append(f"{n} claim{'s' if n > 1 else ''} {what}")
    if claims.get("removed"):
        n = len(claims["removed"])
        found.append(f"{n} claim{'s' if n > 1 else ''} removed")
    references = references or {}
    if references.get("removed"):
        n = len(references["removed"])
        found.append(f"{n} reference{'s' if n > 1 else ''} removed")
    ids_changed = sum(
        1
        for m in references.get("modified", [])
        if (m.get("before") or {}).get("ids") != (m.get("after") or {}).get("ids")
    )
    if ids_changed:
        found.append(f"{ids_changed} identifier{'s' if ids_changed > 1 else ''} changed")
    return found


def _source_ids(db: Session, filters: FeedFilter) -> list[int] | None:
    # Sources are few next to changes: narrowing by site or tag in Python keeps the SQL portable.
    if not (filters.site or filters.tag):
        return None
    return [
        sid
        for sid, _, tags in sources_of_site(db, filters.site, tag=filters.tag)
        if not filters.tag or filters.tag in tags
    ]


def apply_filter(db: Session, query: Any, filters: FeedFilter) -> Any:
    """`query` (over the change table) narrowed to what `filters` select."""
    ids = _source_ids(db, filters)
    if ids is not None:
        query = query.where(col(Change.source_id).in_(ids or [-1]))
    if filters.source_id is not None:
        query = query.where(Change.source_id == filters.source_id)
    if filters.kind:
        # kinds is a JSON list of plain words: its text holds "kind" with the quotes.
        query = query.where(cast(col(Change.kinds), Text).like(f'%"{filters.kind}"%'))
    if filters.severity:
        query = query.where(Change.severity == filters.severity)
    if filters.since is not None:
        query = query.where(col(Change.detected_at) >= filters.since)
    if filters.until is not None:
        query = query.where(col(Change.detected_at) < filters.until)
    if filters.reviewed is not None:
        reviewed = exists().where(col(ChangeReview.change_id) == col(Change.id))
        query = query.where(reviewed if filters.reviewed else ~reviewed)
    if filters.label:
        labelled = select(ChangeLabel.change_id).where(ChangeLabel.label == filters.label)
        query = query.where(col(Change.id).in_(labelled))
    return query


def _older_than(before: Cursor) -> Any:
    return or_(
        col(Change.detected_at) < before.detected_at,
        and_(col(Change.detected_at) == before.detected_at, col(Change.id) < before.change_id),
    )


def change_ids(
    db: Session,
    *,
    filters: FeedFilter,
    before: Cursor | None = None,
    limit: int | None = None,
    newest_first: bool = True,
) -> tuple[list[int], Cursor | None]:
    """The ids of the changes the filters select, newest (or oldest) first; with `limit`, one
    page after `before` (newest first only) and the cursor of the next page."""
    query = apply_filter(db, columns(col(Change.id), col(Change.detected_at)), filters)
    if before is not None:
        query = query.where(_older_than(before))
    if newest_first:
        query = query.order_by(col(Change.detected_at).desc(), col(Change.id).desc())
    else:
        query = query.order_by(col(Change.detected_at), col(Change.id))
    if limit is not None:
        query = query.limit(limit + 1)
    picked = list(db.execute(query))
    more = limit is not None and len(picked) > limit
    picked = picked[:limit] if limit is not None else picked
    cursor = Cursor(picked[-1][1], picked[-1][0]) if more and picked else None
    return [cid for cid, _ in picked], cursor


def change_feed(
    db: Session, *, filters: FeedFilter, before: Cursor | None = None, limit: int = FEED_PAGE
) -> FeedPage:
    """Changes newest first, filtered, `limit` per page after `before`."""
    # Two steps: pick the page's ids with nothing but the filters and the order (so a plan
    # that sorts many rows sorts narrow ones), then read the page's rows by id.
    page_ids = apply_filter(db, columns(col(Change.id), col(Change.detected_at)), filters)
    if before is not None:
        page_ids = page_ids.where(_older_than(before))
    order = (col(Change.detected_at).desc(), col(Change.id).desc())
    picked = list(db.execute(page_ids.order_by(*order).limit(limit + 1)))
    more = len(picked) > limit
    picked = picked[:limit]
    ids = [cid for cid, _ in picked]
    shown_version = func.coalesce(col(Change.to_version_id), col(Change.from_version_id))
    query = (
        columns(
            *change_heading(),
            col(Change.source_id),
            col(Change.details)["claims"],
            col(Change.details)["references"],
            col(Source.normalized_url),
            col(Version.title),
        )
        .join(Source, col(Source.id) == col(Change.source_id))
        .outerjoin(Version, col(Version.id) == shown_version)
        .where(col(Change.id).in_(ids))
    )
    found = {row[0]: row for row in db.execute(query)} if ids else {}
    triage = triage_for(db, change_ids=ids)
    rows = []
    for cid in ids:
        _, when, kinds, severity, summary, sid, claims, refs, url, title = found[cid]
        state = triage[cid]
        rows.append(
            {
                "id": cid,
                "source_id": sid,
                "url": url,
                "site": site_of(url),
                "title": title or "",
                "detected_at": when,
                "kinds": kinds,
                "severity": severity,
                "summary": summary,
                "highlights": highlights(claims, refs),
                "reviewed": state.reviewed,
                "labels": state.labels,
            }
        )
    cursor = Cursor(picked[-1][1], picked[-1][0]) if more and picked else None
    return FeedPage(rows=rows, next_cursor=cursor)


def feed_choices(db: Session) -> dict[str, list[str]]:
    """The values the feed's filters offer: sites and tags in use."""
    sites = {site_of(url) for (url,) in db.execute(columns(col(Source.normalized_url)))}
    tags: set[str] = set()
    # Sources share a few tag lists: decode each distinct list once.
    for (listed,) in db.execute(columns(cast(col(Source.tags), Text)).distinct()):
        tags.update(json.loads(listed) if listed else [])
    return {"sites": sorted(sites), "tags": sorted(tags)}


@dataclass
class VersionInfo:
    """A version without its text: what pages list and link."""

    id: int
    number: int
    title: str
    created_at: datetime
    capture_id: int
    captured_at: datetime
    capture_status: int | None


def _version_infos(db: Session, query: Any) -> list[VersionInfo]:
    rows = db.execute(
        query.join(Capture, col(Capture.id) == col(Version.capture_id)).add_columns(
            Capture.fetched_at, Capture.status
        )
    )
    return [
        VersionInfo(vid, number, title, created, capture_id, fetched, status)
        for vid, number, title, created, capture_id, fetched, status in rows
    ]


_VERSION_COLUMNS = (
    col(Version.id),
    col(Version.number),
    col(Version.title),
    col(Version.created_at),
    col(Version.capture_id),
)


@dataclass
class ChangeView:
    """One change with what its page shows around it."""

    change: Change
    source: Source
    before: Version | None
    after: Version | None
    before_info: VersionInfo | None
    after_info: VersionInfo | None
    previous_id: int | None
    next_id: int | None
    triage: Triage


def change_view(db: Session, *, change_id: int) -> ChangeView | None:
    """A change, its source, both versions (with their captures), its neighbours in the same
    article and its triage; None when there is no such change."""
    change = db.get(Change, change_id)
    if change is None:
        return None
    source = db.get(Source, change.source_id)
    assert source is not None
    before = db.get(Version, change.from_version_id) if change.from_version_id else None
    after = db.get(Version, change.to_version_id) if change.to_version_id else None
    ids = [v.id for v in (before, after) if v is not None]
    infos = {
        i.id: i
        for i in _version_infos(db, columns(*_VERSION_COLUMNS).where(col(Version.id).in_(ids)))
    }
    same = select(Change.id).where(Change.source_id == change.source_id)
    older = same.where(
        or_(
            col(Change.detected_at) < change.detected_at,
            and_(col(Change.detected_at) == change.detected_at, col(Change.id) < change.id),
        )
    ).order_by(col(Change.detected_at).desc(), col(Change.id).desc())
    newer = same.where(
        or_(
            col(Change.detected_at) > change.detected_at,
            and_(col(Change.detected_at) == change.detected_at, col(Change.id) > change.id),
        )
    ).order_by(col(Change.detected_at), col(Change.id))
    return ChangeView(
        change=change,
        source=source,
        before=before,
        after=after,
        before_info=infos.get(before.id) if before and before.id else None,
        after_info=infos.get(after.id) if after and after.id else None,
        previous_id=db.exec(older.limit(1)).first(),
        next_id=db.exec(newer.limit(1)).first(),
        triage=triage_for(db, change_ids=[change_id])[change_id],
    )


@dataclass
class TimelinePoint:
    """One change of an article, for its timeline."""

    change_id: int
    detected_at: datetime
    kinds: list[str]
    severity: str
    summary: str
    words: int  # words added + removed
    to_version: int | None


@dataclass
class ArticleView:
    """An article: its source, versions, changes and one selected version in full."""

    source: Source
    versions: list[VersionInfo]
    timeline: list[TimelinePoint]
    selected: Version | None
    selected_info: VersionInfo | None
    claims: list[dict[str, Any]] = field(default_factory=list)
    references: list[dict[str, Any]] = field(default_factory=list)


def article_view(
    db: Session, *, source_id: int, number: int | None = None, at: datetime | None = None
) -> ArticleView | None:
    """An article's versions and timeline, and version `number` (or the one current `at`, or
    the latest) with its claims and references; None when there is no such source."""
    source = db.get(Source, source_id)
    if source is None:
        return None
    versions = _version_infos(
        db,
        columns(*_VERSION_COLUMNS)
        .where(col(Version.source_id) == source_id)
        .order_by(col(Version.number)),
    )
    words = func.coalesce(
        col(Change.details)[("text", "added_words")].as_integer(), 0
    ) + func.coalesce(col(Change.details)[("text", "removed_words")].as_integer(), 0)
    number_of = {v.id: v.number for v in versions}
    timeline = [
        TimelinePoint(cid, when, kinds, severity, summary, int(n or 0), number_of.get(to_id or -1))
        for cid, when, kinds, severity, summary, n, to_id in db.execute(
            columns(
                *change_heading(),
                words,
                col(Change.to_version_id),
            )
            .where(col(Change.source_id) == source_id)
            .order_by(col(Change.detected_at), col(Change.id))
        )
        if cid is not None
    ]
    chosen: VersionInfo | None = None
    if number is not None:
        chosen = next((v for v in versions if v.number == number), None)
    elif at is not None:
        chosen = next((v for v in reversed(versions) if v.captured_at <= at), None)
    elif versions:
        chosen = versions[-1]
    view = ArticleView(source, versions, timeline, None, chosen)
    if chosen is not None:
        view.selected = db.get(Version, chosen.id)
        view.claims, view.references = version_findings(db, version_id=chosen.id)
    return view


def version_findings(
    db: Session, *, version_id: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The claims of a version (each with the references it cites) and its references."""
    references = []
    for row in db.exec(
        select(ReferenceRecord)
        .where(ReferenceRecord.version_id == version_id)
        .order_by(col(ReferenceRecord.position))
    ):
        ids = {k: getattr(row, k) for k in IdentifierKind if getattr(row, k)}
        references.append({"marker": row.marker, "text": row.text, "key": row.key, "ids": ids})
    by_key = {r["key"]: r for r in references}
    claims = [
        {
            "position": row.position,
            "text": row.text,
            "section": list(row.section),
            "certainty": row.certainty,
            "negated": row.negated,
            "cites": list(row.cites),
            "references": [by_key[k] for k in row.reference_keys if k in by_key],
        }
        for row in db.exec(
            select(ClaimRecord)
            .where(ClaimRecord.version_id == version_id)
            .order_by(col(ClaimRecord.position))
        )
    ]
    return claims, references


def source_for_id(db: Session, *, source_id: int) -> Source | None:
    """The source with this id."""
    return db.get(Source, source_id)


class PayloadMissing(LookupError):
    """The capture has no archived response (a failed fetch, or the archive lost it)."""


def capture_payload(db: Session, *, capture_id: int) -> tuple[Capture, bytes]:
    """A capture and the HTTP body it archived (a revisit record resolves to the response
    it points at: the same source's earlier capture of the same payload)."""
    capture = db.get(Capture, capture_id)
    if capture is None:
        raise PayloadMissing(f"no capture {capture_id}")
    stored = capture
    if capture.warc_record_type != "response" and capture.payload_sha256:
        stored = (
            db.exec(
                select(Capture)
                .where(
                    Capture.source_id == capture.source_id,
                    Capture.payload_sha256 == capture.payload_sha256,
                    Capture.warc_record_type == "response",
                )
                .order_by(col(Capture.fetched_at))
            ).first()
            or capture
        )
    if stored.warc_file is None or stored.warc_offset is None:
        raise PayloadMissing(f"capture {capture_id} archived no response")
    try:
        body = read_payload(get_settings().archive_dir, stored.warc_file, stored.warc_offset)
    except (OSError, ValueError, StopIteration) as exc:
        raise PayloadMissing(f"capture {capture_id}: {exc}") from exc
    return capture, body


def export_changes(
    db: Session, *, filters: FeedFilter, chunk: int = 500
) -> Iterator[dict[str, Any]]:
    """Every change the filters select, newest first, with its claim and reference changes
    and its triage (reviewed, labels, notes): what the changes exports write."""
    cursor: Cursor | None = None
    while True:
        query = apply_filter(db, select(Change.id, Change.detected_at), filters)
        if cursor is not None:
            query = query.where(_older_than(cursor))
        order = (col(Change.detected_at).desc(), col(Change.id).desc())
        page = list(db.exec(query.order_by(*order).limit(chunk)))
        if not page:
            return
        yield from _export_rows(db, [cid for cid, _ in page if cid is not None])
        if len(page) < chunk:
            return
        cursor = Cursor(page[-1][1], page[-1][0])


def _export_rows(db: Session, ids: list[int]) -> Iterator[dict[str, Any]]:
    changes = {
        c.id: (c, url)
        for c, url in db.exec(
            select(Change, Source.normalized_url)
            .join(Source, col(Source.id) == col(Change.source_id))
            .where(col(Change.id).in_(ids))
        )
    }
    version_ids = {
        v for c, _ in changes.values() for v in (c.from_version_id, c.to_version_id) if v
    }
    versions = {
        vid: (number, title)
        for vid, number, title in db.exec(
            select(Version.id, Version.number, Version.title).where(
                col(Version.id).in_(version_ids)
            )
        )
    }
    triage = triage_for(db, change_ids=ids)
    for cid in ids:
        change, url = changes[cid]
        before = versions.get(change.from_version_id or -1, (None, ""))
        after = versions.get(change.to_version_id or -1, before)
        details = change.details or {}
        state = triage[cid]
        text = details.get("text") or {}
        yield {
            "id": cid,
            "url": url,
            "title": after[1] or before[1],
            "detected_at": utc_z(change.detected_at),
            "from_version": before[0],
            "to_version": after[0],
            "kinds": change.kinds,
            "severity": change.severity,
            "summary": change.summary,
            "highlights": highlights(details.get("claims"), details.get("references")),
            "added_words": text.get("added_words", 0),
            "removed_words": text.get("removed_words", 0),
            "reviewed": state.reviewed,
            "reviewed_at": utc_z(state.reviewed_at),
            "labels": state.labels,
            "notes": [n.text for n in state.notes],
            "claims": details.get("claims"),
            "references": details.get("references"),
        }


def export_claim_changes(
    db: Session, *, filters: FeedFilter, chunk: int = 500
) -> Iterator[dict[str, Any]]:
    """One row per claim added, removed or modified in the changes the filters select, with
    the change's triage (what the claims exports write)."""
    for change in export_changes(db, filters=filters, chunk=chunk):
        claims = change["claims"] or {}
        entries: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
            ("added", {}, c, {}) for c in claims.get("added", [])
        ]
        entries += [("removed", c, {}, {}) for c in claims.get("removed", [])]
        entries += [
            (m.get("change", "modified"), m.get("before") or {}, m.get("after") or {}, m)
            for m in claims.get("modified", [])
        ]
        for what, old, new, modified in entries:
            either = new or old
            yield {
                "change_id": change["id"],
                "url": change["url"],
                "title": change["title"],
                "detected_at": change["detected_at"],
                "from_version": change["from_version"],
                "to_version": change["to_version"],
                "change": what,
                "before": old.get("text"),
                "after": new.get("text"),
                "certainty_before": old.get("certainty"),
                "certainty_after": new.get("certainty"),
                "section": " › ".join(either.get("section") or []),
                "type": either.get("type"),
                "reasons": modified.get("reasons"),
                "reviewed": change["reviewed"],
                "labels": change["labels"],
                "notes": change["notes"],
            }


def with_filters(filters: FeedFilter, **changes: Any) -> FeedFilter:
    """A copy of `filters` with some fields changed."""
    return replace(filters, **changes)


@dataclass
class SourcesPage:
    """One page of sources with their health, and the site counts of all sources."""

    rows: list[dict[str, Any]]
    sites: list[tuple[str, int]]
    total: int


def sources_health(
    db: Session, *, site: str = "", offset: int = 0, limit: int = 100
) -> SourcesPage:
    """Sources (of one site, or all) by URL, a page at a time, with their health: last status
    and error, consecutive failures (when the column exists), next check, version and change
    counts; and how many sources each site has."""
    everything = list(db.execute(columns(col(Source.id), col(Source.normalized_url))))
    per_site: dict[str, int] = {}
    chosen = []
    wanted = site.lower()
    for sid, url in everything:
        host = site_of(url)
        per_site[host] = per_site.get(host, 0) + 1
        if not wanted or host == wanted:
            chosen.append((url, sid))
    chosen.sort()
    ids = [sid for _, sid in chosen[offset : offset + limit]]
    versions: dict[int, int] = {
        sid: n
        for sid, n in db.execute(
            columns(col(Version.source_id), func.count())
            .where(col(Version.source_id).in_(ids))
            .group_by(col(Version.source_id))
        )
    }
    changes: dict[int, int] = {
        sid: n
        for sid, n in db.execute(
            columns(col(Change.source_id), func.count())
            .where(col(Change.source_id).in_(ids))
            .group_by(col(Change.source_id))
        )
    }
    query = select(Source).where(col(Source.id).in_(ids)).order_by(col(Source.normalized_url))
    rows = []
    for s in db.exec(query):
        due = (
            s.last_checked_at + timedelta(seconds=s.interval_seconds)
            if s.active and s.last_checked_at
            else None
        )
        rows.append(
            {
                "id": s.id,
                "url": s.normalized_url,
                "site": site_of(s.normalized_url),
                "active": s.active,
                "interval_seconds": s.interval_seconds,
                "tags": list(s.tags),
                "last_checked_at": s.last_checked_at,
                "last_status": s.last_status,
                "last_error": s.last_error,
                # Arrives with another branch; shown when the column exists.
                "consecutive_failures": getattr(s, "consecutive_failures", None),
                "next_check": due,
                "versions": versions.get(s.id or 0, 0),
                "changes": changes.get(s.id or 0, 0),
            }
        )
    return SourcesPage(rows=rows, sites=sorted(per_site.items()), total=len(chosen))
