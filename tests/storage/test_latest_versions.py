"""The batched look-ups analysis makes per batch: each source's latest version, payload digests."""

from __future__ import annotations

from storage.models import Capture, Source, Version
from storage.recording import latest_versions, payload_digests


def test_latest_versions_and_their_payloads_in_one_query_each(db) -> None:
    one = Source(url="https://a.example/1", normalized_url="https://a.example/1")
    two = Source(url="https://a.example/2", normalized_url="https://a.example/2")
    db.add_all([one, two])
    db.flush()
    captures = []
    for number in (1, 2, 3):
        capture = Capture(source_id=one.id, url=one.url, payload_sha256=f"digest-{number}")
        db.add(capture)
        db.flush()
        captures.append(capture)
        db.add(
            Version(
                source_id=one.id,
                number=number,
                capture_id=capture.id,
                text=f"v{number}",
                content_hash=f"h{number}",
            )
        )
    db.flush()
    latest = latest_versions(db, source_ids=[one.id, two.id])
    assert latest[two.id] is None
    assert latest[one.id] is not None and latest[one.id].number == 3
    digests = payload_digests(db, capture_ids=[c.id for c in captures])
    assert digests[captures[2].id] == "digest-3"
