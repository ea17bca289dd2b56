"""End to end through the CLI: real HTTP site, Scrapy subprocess, Prefect, both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimwatch.sitesrv import SiteServer
from tests.flows.pipeline import ARTICLE, FIXTURES, PATH, changes_json, cli, run_pass, serve

pytestmark = pytest.mark.slow


def test_track_run_edit_run(home: Path, fresh_site: SiteServer) -> None:
    url = fresh_site.url(PATH)
    serve(fresh_site, "v1")
    cli("track", url, "--interval", "1h", "--tag", "oxytocin")
    assert run_pass() == {"checked": 1, "new": 1, "changed": 0, "unchanged": 0, "errors": 0}

    # Unchanged page: a conditional GET answered 304; nothing new recorded.
    assert run_pass()["unchanged"] == 1
    assert "If-None-Match" in fresh_site.requests_for(PATH)[-1].headers
    assert changes_json() == []

    # Boilerplate only (sidebar, comments, ads, nonce, footer): no version, no change.
    serve(fresh_site, "v2-boilerplate-only")
    assert run_pass()["unchanged"] == 1
    assert len(json.loads(cli("history", url, "--format", "json"))) == 1

    # One sentence reworded: exactly one text change with the word counts of that edit.
    serve(fresh_site, "v3-text-edit")
    assert run_pass()["changed"] == 1
    [change] = changes_json()
    assert change["kinds"] == ["text"]
    assert change["severity"] == "minor"
    assert (change["from_version"], change["to_version"]) == (1, 2)
    # "[-bounce back like we used to-]{+recover as quickly as we did in our twenties+}":
    # semantic cleanup folds the lone shared "we" into the edit.
    assert change["text"] == {"added_words": 9, "removed_words": 6}
    assert change["url"] == url
    assert change["detected_at"].endswith("Z")

    history = json.loads(cli("history", url, "--format", "json"))
    assert [v["version"] for v in history] == [1, 2]
    assert history[0]["content_hash"] != history[1]["content_hash"]
    diff = cli("diff", url)
    assert "recover as quickly" in diff and "bounce back" in diff

    # A rerun on the unchanged page adds nothing.
    run_pass()
    assert len(changes_json()) == 1


def test_status_changes(home: Path, fresh_site: SiteServer) -> None:
    url = fresh_site.url(PATH)
    serve(fresh_site, "v1")
    cli("track", url)
    run_pass()

    fresh_site.set(PATH, status=503, body=b"busy")
    assert run_pass()["errors"] == 1
    assert changes_json() == []

    fresh_site.set(PATH, status=404, body=b"<h1>Not found</h1>")
    assert run_pass()["changed"] == 1
    [gone] = changes_json()
    assert gone["kinds"] == ["status"]
    assert gone["status"] == {"before": 200, "after": 404}
    assert gone["severity"] == "major"

    serve(fresh_site, "v1")
    assert run_pass()["changed"] == 1
    restored = changes_json("--kind", "status")[-1]
    assert restored["status"] == {"before": 404, "after": 200}
    assert len(json.loads(cli("history", url, "--format", "json"))) == 1


def test_title_edit_is_metadata(home: Path, fresh_site: SiteServer) -> None:
    url = fresh_site.url(PATH)
    serve(fresh_site, "v1")
    cli("track", url)
    run_pass()
    serve(fresh_site, "v4-title-edit")
    run_pass()
    [change] = changes_json("--url", url)
    assert change["kinds"] == ["metadata"]
    assert change["metadata"]["title"]["after"].endswith("Hidden Healer")


def test_several_crawl_batches_are_analysed_while_the_next_crawls(
    home: Path, fresh_site: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_CRAWL_BATCH_SIZE", "1")
    lifeext = FIXTURES / "lifeext"
    pages = {
        "/a/": ARTICLE.with_name(f"{ARTICLE.name}.v1.html"),
        "/b/": lifeext / "could-your-relationship-use-more-oxytocin.v1.html",
        "/c/": lifeext / "trust-hormone-oxytocin-muscle.v1.html",
    }
    for path, file in pages.items():
        fresh_site.set_file(path, file)
    cli("track", *(fresh_site.url(path) for path in pages))
    assert run_pass() == {"checked": 3, "new": 3, "changed": 0, "unchanged": 0, "errors": 0}
    fresh_site.set_file(
        "/b/", lifeext / "could-your-relationship-use-more-oxytocin.v2-strengthened.html"
    )
    assert run_pass() == {"checked": 3, "new": 0, "changed": 1, "unchanged": 2, "errors": 0}
    [change] = changes_json()
    assert [m["change"] for m in change["claims"]["modified"]] == ["strengthened"]
