"""Migration query_speed: captures indexed by (source_id, fetched_at, id); PostgreSQL's stored
search vectors; up and down with the rows kept and still found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, inspect
from sqlmodel import select

from storage.db import get_engine, migrate, session
from storage.models import Capture, ClaimRecord, Source, Version
from storage.queries import attempt_health
from storage.search import search
from tests.storage.migrating import move_to

T0 = datetime(2026, 3, 3, tzinfo=UTC)


def _columns(table: str) -> set[str]:
    return {column["name"] for column in inspect(get_engine()).get_columns(table)}


def _capture_indexes() -> dict[str, list[str | None]]:
    return {
        index["name"]: index["column_names"]
        for index in inspect(get_engine()).get_indexes("capture")
        if index["name"]
    }


def test_capture_index_goes_up_and_down_with_the_rows_kept(home: Path) -> None:
    migrate()
    assert _capture_indexes()["ix_capture_source_fetched"] == ["source_id", "fetched_at", "id"]
    assert "ix_capture_source_id" not in _capture_indexes()
    with session() as db:
        source = Source(url="https://a.example/p/", normalized_url="https://a.example/p/")
        db.add(source)
        db.flush()
        assert source.id is not None
        for hours, status, error in ((1, 200, ""), (2, None, "timeout"), (3, 503, "")):
            db.add(
                Capture(
                    source_id=source.id,
                    url=source.url,
                    fetched_at=T0 + timedelta(hours=hours),
                    status=status,
                    error=error,
                )
            )
        source_id = source.id
        capture = db.exec(select(Capture)).first()
        assert capture is not None and capture.id is not None
        version = Version(
            source_id=source_id,
            number=1,
            capture_id=capture.id,
            title="Sleep",
            text="Magnesium improves sleep in adults.",
            content_hash="1",
        )
        db.add(version)
        db.flush()
        db.execute(
            insert(ClaimRecord),
            [
                {
                    "version_id": version.id,
                    "position": 0,
                    "text": "Magnesium improves sleep.",
                    "normalized": "magnesium improves sleep.",
                    "section": [],
                    "cites": [],
                    "reference_keys": [],
                }
            ],
        )
    postgres = get_engine().dialect.name == "postgresql"
    assert ("search_vector" in _columns("claim")) == postgres
    assert ("search_vector" in _columns("version")) == postgres

    move_to("scale", down=True)
    assert "search_vector" not in _columns("claim") | _columns("version")

    indexes = _capture_indexes()
    assert indexes["ix_capture_source_id"] == ["source_id"]
    assert "ix_capture_source_fetched" not in indexes
    with session() as db:
        assert len(list(db.exec(select(Capture)))) == 3

    migrate()
    assert "ix_capture_source_fetched" in _capture_indexes()
    with session() as db:
        # The phrase and the words, through the search_vector columns on PostgreSQL.
        for query in ('"improves sleep"', "magnesium adults"):
            assert len(search(db, query=query).texts) == 1
        assert search(db, query='"sleep improves"').texts == []
        found = search(db, query="magnesium sleep")
        assert [hit.versions for hit in found.claims] == [[1]]
        health = attempt_health(db, source_ids=[source_id])[source_id]
    # The last attempt (a 503) and the failures since the last 200: the timeout and the 503.
    assert (health.at, health.status, health.failures) == (T0 + timedelta(hours=3), 503, 2)
