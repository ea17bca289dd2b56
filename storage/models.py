"""SQLModel tables: tracked sources, raw captures, article versions and the changes between them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


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


class Capture(SQLModel, table=True):
    """One fetch of a source: the raw response's place in the WARC archive, or the error."""

    __table_args__ = (Index("ix_capture_pending", "analysed_at", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
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
    outcome: str = ""  # set by analysis: new_version, unchanged, no_article, error, ...


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
    blocks: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
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
    severity: str = "minor"
    summary: str = ""
    # The comparison as JSON: text diff ops and counts, metadata, status, claims, references.
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ClaimRecord(SQLModel, table=True):
    """A health claim an article version makes (queryable, one row per claim)."""

    __tablename__ = "claim"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="version.id", index=True)
    position: int  # order within the version
    text: str = Field(sa_column=Column(Text, nullable=False))
    normalized: str = Field(sa_column=Column(Text, nullable=False))
    section: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    certainty: str = "assertive"  # hedged | assertive
    certainty_score: int = 0
    negated: bool = False
    direction: str = ""
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
