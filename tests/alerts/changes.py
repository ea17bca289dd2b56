"""Record real changes without crawling: fixture pages through extraction, assessment, recording."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from analysis.assess import assess_capture
from analysis.extract import extract_article
from storage.db import session
from storage.models import Capture, Change, utcnow
from storage.recording import article_state, capture_facts, latest_version, record_assessment
from storage.sources import track

FIXTURES = Path(__file__).parents[1] / "fixtures" / "deepher"
URL = "https://deepher.example/2025/oxytocin-superpower/"


def page(version: str) -> bytes:
    """A version of the DeepHer fixture article (v1, v3-text-edit, v5-claims-edited, …)."""
    return (FIXTURES / f"oxytocin-superpower.{version}.html").read_bytes()


def capture(
    version: str, *, url: str = URL, tags: list[str] | None = None, at: datetime | None = None
) -> Change | None:
    """Record a capture of `url` serving a fixture version, in its own transaction; its change."""
    with session() as db:
        return record(db, version, url=url, tags=tags, at=at)


def record(
    db: Session,
    version: str,
    *,
    url: str = URL,
    tags: list[str] | None = None,
    at: datetime | None = None,
) -> Change | None:
    """`capture` in the caller's transaction (what service.analyse does for each capture)."""
    return record_body(db, page(version), url=url, tags=tags, at=at)


def record_body(
    db: Session,
    body: bytes,
    *,
    url: str = URL,
    tags: list[str] | None = None,
    at: datetime | None = None,
) -> Change | None:
    """Record a capture of `url` serving `body` in the caller's transaction; its change."""
    return _record(db, body, url=url, tags=tags or [], at=at, status=200)


def capture_status(status: int, *, url: str = URL) -> Change | None:
    """Record a capture of `url` answering `status` with no article (404, 410…); its change."""
    with session() as db:
        return _record(db, b"", url=url, tags=[], at=None, status=status)


def _record(
    db: Session, body: bytes, *, url: str, tags: list[str], at: datetime | None, status: int
) -> Change | None:
    [(source, _)] = track(db, urls=[url], interval_seconds=3600, tags=tags)
    assert source.id is not None
    row = Capture(
        source_id=source.id,
        url=url,
        fetched_at=at or utcnow(),
        status=status,
        payload_sha256=hashlib.sha256(body).hexdigest() if status == 200 else None,
    )
    db.add(row)
    db.flush()
    extraction = extract_article(body, url=url, content_type="text/html") if status == 200 else None
    previous = latest_version(db, source_id=source.id)
    state = article_state(db, source=source, latest=previous)
    assessment = assess_capture(state, capture_facts(row), extraction)
    _, change = record_assessment(
        db, source=source, capture=row, assessment=assessment, previous=previous
    )
    return change
