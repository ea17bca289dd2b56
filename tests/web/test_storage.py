"""The web UI's storage: feed paging, search index upkeep, triage rules (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlmodel import Session

from storage.browse import Cursor, FeedFilter, change_feed, export_claim_changes, feed_choices
from storage.models import Capture, Change, ClaimRecord, Source, Version
from storage.search import Query, search
from storage.triage import add_note, clean_label, set_labels, set_reviewed, triage_for

T0 = datetime(2026, 3, 3, tzinfo=UTC)


def seed(db: Session, *, changes: int = 7) -> list[int]:
    """One source with changes+1 versions (claims included) and a change between each pair."""
    source = Source(url="https://b.example/a/", normalized_url="https://b.example/a/", tags=["t"])
    db.add(source)
    db.flush()
    assert source.id is not None
    version_ids = []
    for n in range(1, changes + 2):
        capture = Capture(source_id=source.id, url=source.url, fetched_at=T0 + timedelta(hours=n))
        db.add(capture)
        db.flush()
        assert capture.id is not None
        version = Version(
            source_id=source.id,
            number=n,
            capture_id=capture.id,
            title=f"Post v{n}",
            text=f"Magnesium improves sleep. Revision {n}.",
            content_hash=str(n),
        )
        db.add(version)
        db.flush()
        assert version.id is not None
        claim = "Magnesium cures insomnia." if n == 1 else "Magnesium may improve sleep."
        db.execute(
            insert(ClaimRecord),
            [
                {
                    "version_id": version.id,
                    "position": 0,
                    "text": claim,
                    "normalized": claim.lower(),
                    "section": [],
                    "cites": [],
                    "reference_keys": [],
                }
            ],
        )
        version_ids.append(version.id)
    ids = []
    for n in range(1, changes + 1):
        change = Change(
            source_id=source.id,
            capture_id=1,
            from_version_id=version_ids[n - 1],
            to_version_id=version_ids[n],
            detected_at=T0 + timedelta(hours=n + 1) if n != 3 else T0 + timedelta(hours=3),
            kinds=["text", "claims"] if n == 1 else ["text"],
            severity="major" if n == 1 else "minor",
            details={
                "claims": {
                    "added": [],
                    "removed": [],
                    "modified": [
                        {
                            "before": {
                                "text": "Magnesium cures insomnia.",
                                "certainty": "assertive",
                            },
                            "after": {
                                "text": "Magnesium may improve sleep.",
                                "certainty": "hedged",
                            },
                            "change": "weakened",
                            "reasons": ["may"],
                        }
                    ],
                }
            }
            if n == 1
            else {},
        )
        db.add(change)
        db.flush()
        assert change.id is not None
        ids.append(change.id)
    return ids


def test_feed_pages_newest_first_without_gaps_or_repeats(db: Session) -> None:
    ids = seed(db)
    seen: list[int] = []
    cursor: Cursor | None = None
    while True:
        page = change_feed(db, filters=FeedFilter(), before=cursor, limit=3)
        seen += [row["id"] for row in page.rows]
        if page.next_cursor is None:
            break
        cursor = Cursor.decode(page.next_cursor.encode())
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    times = [row["detected_at"] for row in change_feed(db, filters=FeedFilter()).rows]
    assert times == sorted(times, reverse=True)


def test_feed_filters_by_triage(db: Session) -> None:
    first, second, *_ = seed(db)
    set_reviewed(db, change_id=first, reviewed=True)
    set_labels(db, change_id=second, labels=["Misleading ", "misleading"])
    reviewed = change_feed(db, filters=FeedFilter(reviewed=True)).rows
    labelled = change_feed(db, filters=FeedFilter(label="misleading")).rows
    claims = change_feed(db, filters=FeedFilter(kind="claims")).rows
    assert [r["id"] for r in reviewed] == [first]
    assert [r["id"] for r in labelled] == [second] and labelled[0]["labels"] == ["misleading"]
    assert [r["id"] for r in claims] == [first] and claims[0]["highlights"] == ["1 claim weakened"]
    with pytest.raises(ValueError):
        FeedFilter(kind="rumour")


def test_search_index_follows_inserts(db: Session) -> None:
    seed(db, changes=2)
    results = search(db, query="magnesium insomnia")
    [hit] = results.claims
    assert hit.text == "Magnesium cures insomnia."
    assert hit.versions == [1] and hit.latest_version == 3 and not hit.still_holds
    held = search(db, query="improve sleep").claims
    assert [(h.versions, h.still_holds) for h in held] == [([2, 3], True)]
    [text_hit] = search(db, query="revision").texts
    assert (text_hit.newest_match, text_hit.still_holds) == (3, True)
    assert search(db, query='"sleep magnesium"').claims == []
    assert search(db, query="  ").claims == []


@pytest.mark.parametrize(
    ("raw", "fts5", "phrase"),
    [
        ('oxytocin "lowers', '"oxytocin" "lowers"', False),
        ('"lowers cortisol"', '"lowers cortisol"', True),
        ("NEAR(a b) OR c*", '"near" "a" "b" "or" "c"', False),
    ],
)
def test_queries_never_reach_fts_syntax(raw: str, fts5: str, phrase: bool) -> None:
    q = Query.parse(raw)
    assert (q.fts5(), q.phrase) == (fts5, phrase)


def test_triage_rules(db: Session) -> None:
    first, *_ = seed(db, changes=1)
    set_reviewed(db, change_id=first, reviewed=True)
    set_reviewed(db, change_id=first, reviewed=True)
    add_note(db, change_id=first, text="  checked  ")
    with pytest.raises(ValueError):
        add_note(db, change_id=first, text=" ")
    state = triage_for(db, change_ids=[first])[first]
    assert state.reviewed and [n.text for n in state.notes] == ["checked"]
    assert clean_label("  Correction\tIssued\u202e ") == "correction issued"
    with pytest.raises(ValueError):
        clean_label("\x1b\u202e")


def test_claim_export_rows(db: Session) -> None:
    first, *_ = seed(db, changes=2)
    set_labels(db, change_id=first, labels=["misleading"])
    [row] = list(export_claim_changes(db, filters=FeedFilter()))
    assert row["change"] == "weakened" and row["reasons"] == ["may"]
    assert (row["certainty_before"], row["certainty_after"]) == ("assertive", "hedged")
    assert row["labels"] == ["misleading"]


ODD_TAGS = ["100%_sure", 'say "hi"', "back\\slash", "santé", "t"]


def test_feed_narrows_by_site_and_tag_as_the_urls_and_tag_lists_say(db: Session) -> None:
    ids = seed(db, changes=2)
    urls = {
        "https://b.example:8443/x/": ["100%_sure"],  # the same site on another port
        "http://b.example/y/": ['say "hi"', "santé"],
        "https://bb.example/z/": ["back\\slash"],  # a site whose name starts like it
        "https://c.example/?u=https://b.example/": ["100%Xsure", "t"],  # b.example in a query
    }
    for url, tags in urls.items():
        source = Source(url=url, normalized_url=url, tags=tags)
        db.add(source)
        db.flush()
        assert source.id is not None
        db.add(Change(source_id=source.id, capture_id=1, detected_at=T0, kinds=["status"]))
    db.flush()

    def sites_of(**filters: str) -> set[str]:
        return {row["url"] for row in change_feed(db, filters=FeedFilter(**filters)).rows}

    assert sites_of(site="B.example") == {
        "https://b.example/a/",
        "https://b.example:8443/x/",
        "http://b.example/y/",
    }
    assert sites_of(site="bb.example") == {"https://bb.example/z/"}
    assert sites_of(tag="100%_sure") == {"https://b.example:8443/x/"}
    assert sites_of(tag='say "hi"') == sites_of(tag="santé") == {"http://b.example/y/"}
    assert sites_of(tag="back\\slash") == {"https://bb.example/z/"}
    assert sites_of(tag="t") == {"https://b.example/a/", "https://c.example/?u=https://b.example/"}
    assert sites_of(tag="t", site="b.example") == {"https://b.example/a/"}
    assert sites_of(tag="santé", site="bb.example") == set()
    choices = feed_choices(db)
    assert choices["sites"] == ["b.example", "bb.example", "c.example"]
    assert choices["tags"] == sorted(["100%Xsure", *ODD_TAGS])
    assert len(ids) == 2
