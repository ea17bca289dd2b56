"""Status the user needs to hear about, and checks that respect the site (issue 7, defect 8):
451, a persistent 403 and a soft 404 are status changes, transient errors are not;
Retry-After is honoured and repeated errors back off. Real Scrapy crawls, both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from claimwatch.sitesrv import SiteServer
from service.analyse import analyse_batch, plan_batches
from service.passes import crawl, plan_crawl
from storage.db import session
from storage.models import Capture, Change, Source
from storage.sources import select_for_run
from tests.flows.pipeline import PATH, cli, serve

NOT_FOUND_PAGE = (
    b"<html><head><title>Page not found - DeepHer</title></head><body>"
    b"<nav><a href='/'>Home</a></nav><h1>Oops! That page can\xe2\x80\x99t be found.</h1>"
    b"<p>It looks like nothing was found at this location. Maybe try a search?</p>"
    b"</body></html>"
)


def check() -> list[str]:
    """One pass through the service steps the flow composes; the new captures' outcomes."""
    with session() as db:
        before = len(db.exec(select(Capture.id)).all())
    for batch in plan_crawl(due_only=False, urls=[], tag="", batch_size=100):
        crawl(batch)
    for capture_ids in plan_batches(source_ids=None, batch_size=100):
        analyse_batch(capture_ids)
    with session() as db:
        rows = db.exec(select(Capture.outcome).order_by(col(Capture.id))).all()
    return list(rows[before:])


def status_changes() -> list[tuple[int | None, int | None]]:
    with session() as db:
        changes = db.exec(select(Change).order_by(col(Change.id))).all()
    assert all(c.kinds == ["status"] for c in changes)
    return [(c.details["status"]["before"], c.details["status"]["after"]) for c in changes]


def source() -> Source:
    with session() as db:
        return db.exec(select(Source)).one()


@pytest.fixture
def article(home: Path, fresh_site: SiteServer) -> SiteServer:
    serve(fresh_site, "v1")
    cli("track", fresh_site.url(PATH), "--interval", "1h")
    assert check() == ["first_version"]
    return fresh_site


def test_451_is_a_status_change_and_back(article: SiteServer) -> None:
    article.set(PATH, status=451, body=b"<h1>Unavailable For Legal Reasons</h1>")
    assert check() == ["gone"]
    assert check() == ["gone"]  # still 451: nothing new
    serve(article, "v1")
    assert check() == ["restored"]
    assert status_changes() == [(200, 451), (451, 200)]


def test_a_persistent_403_is_a_status_change_transient_errors_are_not(
    article: SiteServer,
) -> None:
    article.set(PATH, status=503, body=b"busy")
    assert check() == ["fetch_error"]
    article.set(PATH, status=403, body=b"<h1>Forbidden</h1>")
    assert check() == ["error"]
    assert check() == ["error"]
    assert status_changes() == []  # two 403s (and a 503) are not yet news
    assert check() == ["gone"]  # the third in a row is
    assert check() == ["gone"]
    assert status_changes() == [(200, 403)]
    serve(article, "v1")
    assert check() == ["restored"]
    assert status_changes() == [(200, 403), (403, 200)]
    with session() as db:
        [removed, _] = db.exec(select(Change).order_by(col(Change.id))).all()
    assert removed.summary == "page removed (200 → 403)"


def test_a_403_streak_broken_by_a_success_starts_again(article: SiteServer) -> None:
    article.set(PATH, status=403, body=b"<h1>Forbidden</h1>")
    assert check() == ["error"]
    assert check() == ["error"]
    serve(article, "v1")
    check()
    article.set(PATH, status=403, body=b"<h1>Forbidden</h1>")
    assert check() == ["error"]
    assert status_changes() == []


def test_a_soft_404_is_a_status_change(article: SiteServer) -> None:
    article.set(PATH, body=NOT_FOUND_PAGE)  # HTTP 200
    assert check() == ["gone"]
    with session() as db:
        capture = db.exec(select(Capture).order_by(col(Capture.id).desc())).first()
    assert capture is not None and capture.status == 200
    assert capture.error == "soft 404: the page says “Page not found - DeepHer” (HTTP 200)"
    assert check() == ["gone"]  # the same page again: no second change
    serve(article, "v1")
    assert check() == ["restored"]
    assert status_changes() == [(200, 404), (404, 200)]


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_retry_after_is_honoured(article: SiteServer, form: str) -> None:
    now = datetime.now(UTC)
    value = "7200" if form == "seconds" else format_datetime(now + timedelta(hours=2), usegmt=True)
    article.set(PATH, status=429, body=b"slow down", headers={"Retry-After": value})
    assert check() == ["fetch_error"]
    requests = len(article.requests_for(PATH))
    # No pass checks it before then, asked for by URL or not; not even a due one.
    assert check() == []
    assert len(article.requests_for(PATH)) == requests
    with session() as db:
        assert select_for_run(db, urls=[article.url(PATH)]) == []
        later = now + timedelta(hours=2, minutes=1)
        assert [s.url for s in select_for_run(db, due_only=True, now=later)] == [article.url(PATH)]
    [row] = json.loads(cli("sources", "--format", "json"))
    shown = datetime.fromisoformat(row["next_check"])
    assert now + timedelta(minutes=119) <= shown <= now + timedelta(minutes=121)


def test_errors_back_off_doubling_and_reset_on_success(article: SiteServer) -> None:
    article.set(PATH, status=500, body=b"oops")
    waits = []
    for _ in range(6):
        assert check() == ["fetch_error"]
        checked = source()
        assert checked.last_checked_at is not None and checked.next_check_at is not None
        waits.append(checked.next_check_at - checked.last_checked_at)
    hour = timedelta(hours=1)
    assert waits == [hour, 2 * hour, 4 * hour, 8 * hour, 16 * hour, 24 * hour]  # capped: a day
    with session() as db:
        due = select_for_run(db, due_only=True, now=source().last_checked_at + 23 * hour)
    assert due == []
    serve(article, "v1")
    check()
    assert (source().error_streak, source().next_check_at) == (0, None)
    [row] = json.loads(cli("sources", "--format", "json"))
    assert row["consecutive_failures"] == 0
