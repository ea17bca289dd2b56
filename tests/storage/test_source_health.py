"""`sources` shows the last *attempt*: a URL failing on every pass shows its failure and how
many passes failed in a row, not the status of the last fetch that worked."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from storage.models import Capture, utcnow
from storage.queries import sources_overview
from storage.sources import track


def _capture(db: Session, source_id: int, minutes: int, status: int | None, error: str = "",
             outcome: str = "") -> None:  # fmt: skip
    db.add(
        Capture(
            source_id=source_id, url="http://blog.example/a", fetched_at=utcnow()
            + timedelta(minutes=minutes), status=status, error=error, outcome=outcome,
        )
    )  # fmt: skip


def test_failing_source_shows_its_last_attempt(db: Session) -> None:
    (source, _), (steady, _) = track(
        db, urls=["http://blog.example/a", "http://blog.example/b"], interval_seconds=3600
    )
    assert source.id is not None and steady.id is not None
    source.last_status, source.last_checked_at = 200, utcnow()
    _capture(db, source.id, 0, 200, outcome="first_version")
    _capture(db, source.id, 1, 503, outcome="fetch_error")
    _capture(db, source.id, 2, None, error="DNSLookupError: no such host", outcome="fetch_error")
    _capture(db, source.id, 3, 200, outcome="no_article")
    _capture(db, steady.id, 0, 200, outcome="first_version")
    _capture(db, steady.id, 1, 304, outcome="not_modified")
    db.flush()
    rows = {r["url"]: r for r in sources_overview(db)}
    failing = rows["http://blog.example/a"]
    assert failing["consecutive_failures"] == 3
    assert failing["last_outcome"] == "no_article"
    assert failing["last_checked_at"].endswith("Z")
    fine = rows["http://blog.example/b"]
    assert (fine["last_status"], fine["consecutive_failures"]) == (304, 0)


def test_never_checked_source_is_due_now(db: Session) -> None:
    track(db, urls=["http://blog.example/new"], interval_seconds=3600)
    row = sources_overview(db)[0]
    assert row["last_status"] is None and row["consecutive_failures"] == 0
    assert row["next_check"] == row["added_at"]
