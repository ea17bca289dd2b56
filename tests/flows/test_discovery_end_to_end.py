"""Following a whole blog through `claimwatch run`: discovery, then checks; both databases."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from claimwatch.sitesrv import SiteServer
from storage.db import session
from storage.models import Change, ChangeEvent
from tests.alerts.receivers import WebhookReceiver
from tests.alerts.test_alerts_end_to_end import read_events
from tests.fixture_blog import LATER, SEED_000, Blog
from tests.flows.pipeline import changes_json, cli, run_output, run_pass

pytestmark = pytest.mark.slow


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.up()
    yield receiver
    receiver.down()


def sources() -> list[dict]:
    return json.loads(cli("sources", "--format", "json"))


def test_follow_a_blog(home: Path, fresh_site: SiteServer, webhook: WebhookReceiver) -> None:
    blog = Blog()
    blog.serve(fresh_site)
    home_page = fresh_site.url("/")
    assert "following site" in cli("track", "--site", home_page, "--tag", "hormones")
    cli("alerts", "add", webhook.url("json"), "--kind", "new_article")

    # First pass: discovery finds the four posts, each checked and versioned at once.
    assert run_pass() == {"checked": 4, "new": 4, "changed": 0, "unchanged": 0, "errors": 0}
    first = sources()
    assert {s["url"] for s in first} == {fresh_site.url(p.path) for p in SEED_000}
    assert {s["site"] for s in first} == {home_page}
    assert all(s["versions"] == 1 and s["tags"] == ["hormones"] for s in first)
    assert changes_json() == []  # the posts there at set-up are the baseline, not news
    assert webhook.requests == []

    # A post published between two passes: tracked, version 1, a new_article change.
    blog.posts = [LATER, *SEED_000]
    blog.serve(fresh_site)
    assert run_pass() == {"checked": 5, "new": 1, "changed": 0, "unchanged": 4, "errors": 0}
    [new] = changes_json("--kind", "new_article")
    assert new["url"] == fresh_site.url(LATER.path)
    assert (new["from_version"], new["to_version"]) == (None, 1)
    assert new["severity"] == "minor"
    assert new["summary"] == f"new article: {LATER.title}"
    [alert] = webhook.requests
    # json:// channels get the change itself, as `changes --format json` shows it.
    assert alert.body["id"] == new["id"]
    assert alert.body["kinds"] == ["new_article"]
    assert alert.body["title"] == LATER.title
    with session() as db:
        [stored] = db.exec(select(ChangeEvent).where(ChangeEvent.change_id == new["id"]))
    [event] = read_events([stored.event_id])
    assert event.event == "claimwatch.article.discovered"
    assert event.resource["claimwatch.url"] == new["url"]

    # A post moved with a 301 (and listed under its new URL): same record, history kept.
    moved = SEED_000[1]
    old_url = fresh_site.url(moved.path)
    new_path = moved.path.replace("trust-hormone", "trust-hormone-study")
    blog.posts = [dataclasses.replace(p, path=new_path) if p == moved else p for p in blog.posts]
    blog.moved = {moved.path: new_path}
    blog.serve(fresh_site)
    assert run_pass()["new"] == 0
    assert len(sources()) == 5
    [move] = changes_json("--kind", "metadata")
    assert move["url"] == fresh_site.url(new_path)
    assert move["metadata"] == {"url": {"before": old_url, "after": fresh_site.url(new_path)}}
    assert (move["from_version"], move["to_version"]) == (1, 1)
    history = json.loads(cli("history", fresh_site.url(new_path), "--format", "json"))
    assert [v["version"] for v in history] == [1]
    assert len(webhook.requests) == 1  # the channel asked for new articles only

    # A post dropped from the feed (and every listing) is still tracked, not "removed".
    dropped = SEED_000[3]
    blog.feed_posts = [p for p in blog.posts if p != dropped]
    blog.serve(fresh_site)
    counts = run_pass()
    assert counts["unchanged"] == 5 and counts["errors"] == 0
    assert fresh_site.url(dropped.path) in {s["url"] for s in sources()}
    assert changes_json("--kind", "status") == []

    sites = json.loads(cli("sites", "--format", "json"))
    assert [(s["site"], s["articles"], s["errors"]) for s in sites] == [(home_page, 5, [])]
    only_site = json.loads(cli("sources", "--site", home_page, "--format", "json"))
    assert len(only_site) == 5


def test_an_index_page_tracked_as_an_article_is_reported(
    home: Path, fresh_site: SiteServer
) -> None:
    Blog().serve(fresh_site)
    home_page = fresh_site.url("/")
    cli("track", home_page)
    output = run_output()
    assert (
        output.splitlines()[0]
        == "planned: 1  checked: 1  new: 0  changed: 0  unchanged: 0  errors: 1"
    )
    assert "index page listing 2 posts, not an article" in output
    assert f"claimwatch track --site {home_page}" in " ".join(output.split())
    with session() as db:
        assert list(db.exec(select(Change))) == []
    assert sources()[0]["versions"] == 0

    # Following it as the message says untracks the page as an article.
    assert "no longer tracked as an article" in cli("track", "--site", home_page)
    assert run_pass()["new"] == 4
