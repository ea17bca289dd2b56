"""Repository of followed sites: new-article baseline, moves, and what a discovery plan holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from analysis.vocabulary import LinkVerdict, SiteKind
from storage.models import Capture, Change, Site, Source, Version, utcnow
from storage.sites import (
    add_article,
    add_site,
    discovery_plan,
    list_sites,
    move_article,
    record_new_article,
    remember_url,
)

URL = "https://blog.example/"


def site(db: Session, **options: Any) -> Site:
    followed, _, _ = add_site(db, url=URL, kind=SiteKind.site, interval_seconds=3600, **options)
    return followed


def captured(db: Session, source: Source, *, title: str = "Post") -> tuple[Capture, Version]:
    assert source.id is not None
    capture = Capture(source_id=source.id, url=source.url, status=200)
    db.add(capture)
    db.flush()
    assert capture.id is not None
    version = Version(
        source_id=source.id, number=1, capture_id=capture.id, title=title, content_hash="h"
    )
    db.add(version)
    db.flush()
    return capture, version


def test_articles_of_the_first_discovery_are_the_baseline(db: Session) -> None:
    followed = site(db)
    before = add_article(db, site=followed, url=f"{URL}old/")
    followed.baseline_at = utcnow()
    after = add_article(db, site=followed, url=f"{URL}new/")
    manual = Source(url="https://blog.example/manual/", normalized_url=f"{URL}manual/")
    db.add(manual)
    db.flush()
    assert record_new_article(db, source=before, **_kw(captured(db, before))) is None
    assert record_new_article(db, source=manual, **_kw(captured(db, manual))) is None
    first = _kw(captured(db, after, title="New"))
    change = record_new_article(db, source=after, **first)
    assert change is not None
    assert (change.kinds, change.severity, change.summary) == (
        ["new_article"], "minor", "new article: New",
    )  # fmt: skip
    assert change.from_version_id is None
    # Only once per article (a rerun of the same analysis adds nothing).
    assert record_new_article(db, source=after, **first) is None


def _kw(pair: tuple[Capture, Version]) -> dict[str, Any]:
    return {"capture": pair[0], "version": pair[1]}


def test_a_move_keeps_the_record_and_records_the_url_change(db: Session) -> None:
    followed = site(db)
    source = add_article(db, site=followed, url=f"{URL}2024/old-slug/")
    source.etag = '"abc"'
    capture, version = captured(db, source)
    change = move_article(db, source=source, url=f"{URL}2024/new-slug/", how="301")
    assert change is not None
    assert source.normalized_url == f"{URL}2024/new-slug/"
    assert source.etag is None  # the old URL's validators
    assert change.kinds == ["metadata"]
    assert change.details["metadata"] == {
        "url": {"before": f"{URL}2024/old-slug/", "after": f"{URL}2024/new-slug/"}
    }
    assert (change.from_version_id, change.to_version_id) == (version.id, version.id)
    assert change.capture_id == capture.id


def test_a_move_onto_another_tracked_url_is_refused(db: Session) -> None:
    followed = site(db)
    one = add_article(db, site=followed, url=f"{URL}one/")
    add_article(db, site=followed, url=f"{URL}two/")
    assert move_article(db, source=one, url=f"{URL}two/", how="canonical") is None
    assert one.normalized_url == f"{URL}one/"
    assert list(db.exec(select(Change))) == []


def test_discovery_plan(db: Session) -> None:
    followed = site(db, max_articles=10, include=["/20"], hosts=["cdn.blog.example"])
    assert followed.id is not None
    source = add_article(db, site=followed, url=f"{URL}2024/a/")
    remember_url(
        db, site_id=followed.id, normalized_url=f"{URL}?p=1", verdict=LinkVerdict.article,
        source_id=source.id,
    )  # fmt: skip
    remember_url(
        db, site_id=followed.id, normalized_url=f"{URL}about/", verdict=LinkVerdict.not_article,
        lastmod="2024-01-01",
    )  # fmt: skip
    plan = discovery_plan(db, site=followed)
    assert plan["budget"] == 9
    assert plan["known"] == {
        f"{URL}?p=1": ["article", "", source.id],
        f"{URL}about/": ["not_article", "2024-01-01", None],
        f"{URL}2024/a/": ["article", "", source.id],
    }
    assert plan["articles"] == [
        {"source_id": source.id, "url": f"{URL}2024/a/", "etag": None, "last_modified": None}
    ]
    assert (plan["include"], plan["hosts"]) == (["/20"], ["cdn.blog.example"])


def test_due_sites(db: Session) -> None:
    followed = site(db)
    assert list_sites(db, due_only=True) == [followed]
    followed.last_discovered_at = utcnow() - timedelta(minutes=30)
    assert list_sites(db, due_only=True) == []
    assert list_sites(db, due_only=True, now=utcnow() + timedelta(hours=1)) == [followed]
    assert list_sites(db, tag="other") == []
