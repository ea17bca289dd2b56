"""SQLModel tables: tracked sources, raw captures, article versions and the changes between them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from analysis.vocabulary import AlertState, AttemptOutcome, Certainty, Severity, SiteKind
from storage.defaults import DEFAULT_MAX_ARTICLES, DEFAULT_MAX_PAGES


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def _ts(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(UTCDateTime(), nullable=nullable, index=index),
    )


class Source(SQLModel, table=True):
    """A tracked article URL and what the last checks of it found."""

    id: int | None = Field(default=None, primary_key=True)
    url: str
    normalized_url: str = Field(sa_column=Column(Text, unique=True, nullable=False))
    added_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    interval_seconds: int = 6 * 3600
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    last_checked_at: datetime | None = _ts(nullable=True)
    last_status: int | None = None  # HTTP status of the last fetch (None: no response)
    last_error: str = ""
    # Last non-transient answer (200 or 404/410): what a `status` change compares against.
    article_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    # The followed site whose discovery found this article (None: tracked by hand).
    site_id: int | None = Field(default=None, foreign_key="site.id", index=True)
    # No check at all before this moment: the site's Retry-After (429/503).
    retry_after: datetime | None = _ts(nullable=True)
    # When a `run --due` checks it next after errors (back-off); None: interval after last check.
    next_check_at: datetime | None = _ts(nullable=True)
    error_streak: int = 0  # checks in a row that ended in an error (the back-off doubles)
    forbidden_streak: int = 0  # checks in a row answered 403, as analysis saw them


class Capture(SQLModel, table=True):
    """One fetch of a source: the raw response's place in the WARC archive, or the error."""

    __table_args__ = (
        Index("ix_capture_pending", "analysed_at", "source_id"),
        # A source's captures newest first: its last attempt, recent attempts, captures since.
        Index("ix_capture_source_fetched", "source_id", "fetched_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    url: str
    final_url: str = ""
    fetched_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    status: int | None = None
    headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    content_type: str = ""
    payload_sha256: str | None = Field(default=None, index=True)
    payload_size: int | None = None
    warc_file: str | None = None  # relative to the archive directory
    warc_offset: int | None = None
    warc_length: int | None = None
    warc_record_type: str | None = None  # "response" or "revisit"
    error: str = ""
    analysed_at: datetime | None = _ts(nullable=True)
    outcome: str = ""  # set by analysis: an analysis.vocabulary.CaptureOutcome
    claimed_by: str = ""  # the analysis (host:pid:token) that claimed it and recorded it


class Version(SQLModel, table=True):
    """One distinct extracted state of an article (numbered 1..n per source)."""

    __table_args__ = (UniqueConstraint("source_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    number: int
    capture_id: int = Field(foreign_key="capture.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    title: str = ""
    author: str = ""
    published: str = ""
    sitename: str = ""
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Packed blocks, each a span of `text` (storage/blockstore.py); older rows: whole dicts.
    blocks: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(index=True)
    extractor: str = ""


class Change(SQLModel, table=True):
    """What changed for a source between two versions (or in its HTTP status)."""

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    capture_id: int = Field(foreign_key="capture.id")
    from_version_id: int | None = Field(default=None, foreign_key="version.id")
    to_version_id: int | None = Field(default=None, foreign_key="version.id")
    detected_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    severity: str = Severity.minor
    summary: str = ""
    # The comparison as JSON: text diff ops and counts, metadata, status, claims, references.
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The capture whose assessment recorded this change: unique, so a capture yields at most
    # one change however many analyses run. None for discovery's changes (a moved URL).
    assessed_capture_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("capture.id"), unique=True)
    )


class ClaimRecord(SQLModel, table=True):
    """A health claim an article version makes (queryable, one row per claim)."""

    __tablename__ = "claim"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="version.id", index=True)
    position: int  # order within the version
    text: str = Field(sa_column=Column(Text, nullable=False))
    normalized: str = Field(sa_column=Column(Text, nullable=False))
    section: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    certainty: str = Certainty.assertive
    certainty_score: int = 0
    negated: bool = False
    direction: str = ""
    type: str = "effect"  # analysis.claims.ClaimType (effect, association, safety, ...)
    cites: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reference_keys: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class ReferenceRecord(SQLModel, table=True):
    """A cited source in an article version, with its identifiers (indexed for look-ups)."""

    __tablename__ = "reference_entry"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="version.id", index=True)
    position: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    key: str = Field(index=True)
    marker: str = ""
    doi: str | None = Field(default=None, index=True)
    pmid: str | None = Field(default=None, index=True)
    pmcid: str | None = Field(default=None, index=True)
    arxiv: str | None = None
    isbn: str | None = None
    url: str | None = None
    journal: str = ""
    year: str = ""
    volume: str = ""
    first_page: str = ""
    first_author: str = ""


class AlertChannel(SQLModel, table=True):
    """Where alerts go: an Apprise URL (it may hold secrets) and which changes it wants."""

    __tablename__ = "alert_channel"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(Text, nullable=False))  # never shown: `label` is
    label: str = Field(sa_column=Column(Text, nullable=False))  # the URL with secrets masked
    min_severity: str = Severity.minor
    kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    digest: str = ""  # "" (one alert per changed article) or a DigestMode
    # Alert on a revert to a version seen within the last day too (flip-flops: off by default).
    reverts: bool = False
    active: bool = True
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Alert(SQLModel, table=True):
    """The outbox: one change to announce on one channel, written in the change's transaction."""

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("change_id", "channel_id"),
        Index("ix_alert_due", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="change.id", index=True)
    channel_id: int = Field(foreign_key="alert_channel.id", index=True)
    key: str = Field(sa_column=Column(Text, unique=True, nullable=False))  # idempotency key
    state: str = AlertState.pending
    digest_day: str = ""  # YYYY-MM-DD (UTC) for digest channels
    # The message this alert travels in, fixed at its first claim; its key goes out with it.
    batch_key: str | None = Field(default=None, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    lease_owner: str = ""  # host:pid:token of the process sending it
    lease_until: datetime | None = _ts(nullable=True)
    last_error: str = ""
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    sent_at: datetime | None = _ts(nullable=True)


class DeliveryAttempt(SQLModel, table=True):
    """One try at sending an alert (or a test message) to a channel, and how it ended."""

    __tablename__ = "alert_attempt"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int | None = Field(default=None, foreign_key="alert.id", index=True)  # None: test
    channel_id: int = Field(foreign_key="alert_channel.id", index=True)
    batch_key: str = ""
    number: int = 0  # the alert's attempt number
    started_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    finished_at: datetime | None = _ts(nullable=True)
    outcome: str = AttemptOutcome.sending
    error: str = ""


class ChangeEvent(SQLModel, table=True):
    """Outbox of the Prefect event announcing a change (emitted after the change commits)."""

    __tablename__ = "change_event"

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="change.id", unique=True)
    event_id: str  # UUID, fixed here so a re-emission is deduplicated by Prefect
    emitted_at: datetime | None = _ts(nullable=True, index=True)


# --- Triage: what analysts record about a change (the web UI, the REST API, the exports) ---


class ChangeReview(SQLModel, table=True):
    """A change an analyst has reviewed (no row: not reviewed yet)."""

    __tablename__ = "change_review"

    change_id: int = Field(foreign_key="change.id", primary_key=True)
    reviewed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    reviewer: str = ""


class ChangeLabel(SQLModel, table=True):
    """A label on a change ("misleading", "correction issued"), one row per label."""

    __tablename__ = "change_label"
    __table_args__ = (
        UniqueConstraint("change_id", "label"),
        Index("ix_change_label_label", "label", "change_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="change.id", index=True)
    label: str
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ChangeNote(SQLModel, table=True):
    """A free-text note an analyst left on a change."""

    __tablename__ = "change_note"

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="change.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    author: str = ""
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Site(SQLModel, table=True):
    """A followed site (home or index page, feed or sitemap) whose new articles are tracked."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(Text, nullable=False))
    normalized_url: str = Field(sa_column=Column(Text, unique=True, nullable=False))
    kind: str = SiteKind.site
    added_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    # Given to the articles it finds; also how often discovery runs with `run --due`.
    interval_seconds: int = 6 * 3600
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    hosts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    include: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    exclude: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    max_articles: int = DEFAULT_MAX_ARTICLES
    max_pages: int = DEFAULT_MAX_PAGES  # pagination depth from the start page
    active: bool = True
    last_discovered_at: datetime | None = _ts(nullable=True)
    # End of the first discovery: articles found then are the baseline, later ones are new.
    baseline_at: datetime | None = _ts(nullable=True)
    last_error: str = ""
    last_listed: int = 0  # article URLs the last discovery saw listed
    last_new: int = 0  # articles the last discovery started tracking
    last_note: str = ""  # what the last discovery left out (e.g. --max-articles reached)


class DiscoveryEndpoint(SQLModel, table=True):
    """A document listing a site's articles (robots.txt, feed, sitemap, index page), with the
    validators for a conditional GET and what its last fetch found."""

    __tablename__ = "discovery_endpoint"
    __table_args__ = (UniqueConstraint("site_id", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    url: str = Field(sa_column=Column(Text, nullable=False))
    kind: str
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str = ""  # a child sitemap's <lastmod> in its index: unchanged means skip it
    last_status: int | None = None
    last_fetched_at: datetime | None = _ts(nullable=True)
    entries: int = 0  # URLs it listed at its last 200
    error: str = ""  # one line; "" when the last fetch was usable
    note: str = ""  # what was ignored or cut short (off-site links, a pagination loop)


class DiscoveredURL(SQLModel, table=True):
    """A URL a site listed and what it turned out to be, so it is resolved only once."""

    __tablename__ = "discovered_url"
    __table_args__ = (UniqueConstraint("site_id", "normalized_url"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    normalized_url: str = Field(sa_column=Column(Text, nullable=False))
    verdict: str  # an analysis.vocabulary.LinkVerdict
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    lastmod: str = ""  # the sitemap/feed date it was listed with
    detail: str = ""
    first_seen_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class HostLease(SQLModel, table=True):
    """Which worker crawls a host now: several workers split a pass by host through these rows
    (one row per host ever leased; holder "" or a past expires_at means the host is free)."""

    __tablename__ = "host_lease"

    host: str = Field(sa_column=Column(Text, primary_key=True))
    holder: str = Field(default="", sa_column=Column(Text, nullable=False))
    expires_at: datetime | None = _ts(nullable=True)
