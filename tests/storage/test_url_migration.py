"""Migration hardening_net: sources stored under the old URL form get the canonical form."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlmodel import col, select

from storage.db import get_engine, migrate, session
from storage.models import Source
from storage.sources import find
from tests.storage.migrating import move_to, revision_before

# (url as the user gave it, normalized_url as the old code stored it, active)
OLD_ROWS = [
    ("https://bücher.example/schlaf", "https://bücher.example/schlaf", True),
    ("https://xn--bcher-kva.example/schlaf", "https://xn--bcher-kva.example/schlaf", True),
    ("https://a.example/%31", "https://a.example/%31", True),
    ("https://a.example/1", "https://a.example/1", False),
    ("https://a.example/blog/./post", "https://a.example/blog/./post", True),
    ("http://[::1]:8080/post", "http://::1:8080/post", True),
    ("https://plain.example/post?b=2&a=1", "https://plain.example/post?b=2&a=1", True),
    ("https://long.example/" + "x" * 2100, "https://long.example/" + "x" * 2100, True),
]


def test_old_forms_are_migrated_and_duplicates_untracked(home: Path) -> None:
    move_to(revision_before("hardening_net"), down=True)
    with get_engine().begin() as connection:
        for number, (url, normalized, active) in enumerate(OLD_ROWS, start=1):
            connection.execute(
                text(
                    "INSERT INTO source (id, url, normalized_url, added_at, interval_seconds,"
                    " tags, active, last_error) VALUES (:id, :url, :norm, CURRENT_TIMESTAMP,"
                    " 3600, '[]', :active, '')"
                ),
                {"id": number, "url": url, "norm": normalized, "active": active},
            )

    migrate()

    with session() as db:
        rows = {
            s.id: (s.normalized_url, s.active)
            for s in db.exec(select(Source).order_by(col(Source.id)))
        }
        assert rows == {
            1: ("https://xn--bcher-kva.example/schlaf", True),
            2: ("https://xn--bcher-kva.example/schlaf#source-2-duplicates-1", False),
            3: ("https://a.example/1", True),
            # Inactive, and its form now belongs to the active source 3.
            4: ("https://a.example/1#source-4-duplicates-3", False),
            5: ("https://a.example/blog/post", True),
            6: ("http://[::1]:8080/post", True),
            7: ("https://plain.example/post?b=2&a=1", True),
            8: (OLD_ROWS[7][1], True),
        }
        found = find(db, url="https://BÜCHER.example/schlaf#x")
        assert found is not None and found.id == 1
