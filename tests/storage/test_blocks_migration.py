"""Migration scale: versions stored with whole blocks are packed, and read the same after."""

from __future__ import annotations

from pathlib import Path

from analysis.extract import blocks_to_json, extract_article
from storage.db import migrate, session
from storage.models import Capture, Source, Version
from storage.recording import version_article
from tests.storage.migrating import move_to

PAGE = Path(__file__).parents[1] / "fixtures" / "deepher" / "oxytocin-superpower.v1.html"


def test_old_versions_are_packed_and_read_the_same(home: Path) -> None:
    article = extract_article(PAGE.read_bytes(), url="https://example.org/a/").article
    assert article is not None
    move_to("hardening_pass", down=True)
    whole = blocks_to_json(article.blocks)
    with session() as db:
        source = Source(url="https://example.org/a/", normalized_url="https://example.org/a/")
        db.add(source)
        db.flush()
        capture = Capture(source_id=source.id, url=source.url, status=200)  # type: ignore[arg-type]
        db.add(capture)
        db.flush()
        db.add(
            Version(
                source_id=source.id,  # type: ignore[arg-type]
                number=1,
                capture_id=capture.id,  # type: ignore[arg-type]
                title=article.title,
                text=article.text,
                blocks=whole,
                content_hash=article.content_hash,
            )
        )

    migrate()

    with session() as db:
        version = db.query(Version).one()
        assert all(isinstance(block, list) for block in version.blocks)  # packed
        assert version_article(version).blocks == article.blocks

    move_to("hardening_pass", down=True)
    with session() as db:
        assert db.query(Version).one().blocks == whole
