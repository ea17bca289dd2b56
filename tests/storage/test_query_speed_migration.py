"""Migration query_speed: captures indexed by (source_id, fetched_at, id), up and down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from storage.db import MIGRATIONS_DIR, get_engine, migrate, session
from storage.models import Capture, Source
from storage.queries import attempt_health

T0 = datetime(2026, 3, 3, tzinfo=UTC)


def _move_to(revision: str, *, down: bool) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with get_engine().begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


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

    _move_to("scale", down=True)
    indexes = _capture_indexes()
    assert indexes["ix_capture_source_id"] == ["source_id"]
    assert "ix_capture_source_fetched" not in indexes
    with session() as db:
        assert db.query(Capture).count() == 3

    migrate()
    assert "ix_capture_source_fetched" in _capture_indexes()
    with session() as db:
        health = attempt_health(db, source_ids=[source_id])[source_id]
    # The last attempt (a 503) and the failures since the last 200: the timeout and the 503.
    assert (health.at, health.status, health.failures) == (T0 + timedelta(hours=3), 503, 2)
