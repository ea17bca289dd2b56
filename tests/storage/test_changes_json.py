"""`claimwatch changes` rows read by one query are the change_json of each stored change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from storage.models import Capture, Change, Source, Version
from storage.queries import change_json, changes, changes_by_id

T0 = datetime(2026, 3, 3, tzinfo=UTC)
CLAIMS = {
    "added": [],
    "removed": [],
    "modified": [
        {
            "before": {"text": "X cures Y.", "certainty": "assertive"},
            "after": {"text": "X may help Y.", "certainty": "hedged"},
            "change": "weakened",
        }
    ],
}
DETAILS = [
    {"text": {"added_words": 3, "removed_words": 1, "ops": [[0, "a "], [1, "b c d"]]}},
    {"text": None, "status": {"before": 200, "after": 404}, "claims": None},
    {
        "text": {"added_words": 0, "removed_words": 2, "ops": [[-1, "e f"]]},
        "claims": CLAIMS,
        "references": {"added": [{"key": "doi:10.1/x"}], "removed": [], "modified": []},
        "metadata": {"title": {"before": "Old", "after": "New"}},
        "reverted_to": 1,
    },
    {},
]


def test_change_rows_match_change_json_with_and_without_the_diff(db: Session) -> None:
    source = Source(url="https://a.example/p/", normalized_url="https://a.example/p/")
    db.add(source)
    db.flush()
    assert source.id is not None
    versions = []
    for n in range(1, 4):
        capture = Capture(source_id=source.id, url=source.url, fetched_at=T0)
        db.add(capture)
        db.flush()
        assert capture.id is not None
        version = Version(source_id=source.id, number=n, capture_id=capture.id, content_hash=str(n))
        db.add(version)
        db.flush()
        versions.append(version)
    pairs = [(0, 1), (1, None), (1, 2), (None, None)]  # a status-only change has no new version
    for hours, (details, (before, after)) in enumerate(zip(DETAILS, pairs, strict=True)):
        db.add(
            Change(
                source_id=source.id,
                capture_id=versions[0].capture_id,
                from_version_id=versions[before].id if before is not None else None,
                to_version_id=versions[after].id if after is not None else None,
                detected_at=T0 + timedelta(hours=hours),
                kinds=["text"],
                summary=f"change {hours}",
                details=details,
            )
        )
    db.flush()
    stored = list(db.exec(select(Change).order_by(Change.detected_at)))
    numbers = {v.id: v.number for v in versions if v.id is not None}
    for include_diff in (False, True):
        expected = [
            change_json(c, source.normalized_url, numbers, include_diff=include_diff)
            for c in stored
        ]
        assert changes(db, include_diff=include_diff) == expected
        ids = [c.id for c in reversed(stored) if c.id is not None]
        assert changes_by_id(db, ids=ids, include_diff=include_diff) == expected[::-1]
    slim = changes(db)
    assert slim[0]["text"] == {"added_words": 3, "removed_words": 1}
    assert slim[1]["status"] == {"before": 200, "after": 404} and slim[1]["to_version"] == 2
    assert slim[2]["reverted_to"] == 1 and slim[2]["claims"] == CLAIMS
    assert "reverted_to" not in slim[3] and slim[3]["text"] == {
        "added_words": 0,
        "removed_words": 0,
    }
