"""GET /api/v1/articles and `claimwatch articles` over a real recorded archive (SQLite and
PostgreSQL): the same JSON, the fields of `sources`/`history` where they hold the same data,
cursor paging, the site/tag/url filters."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Archive
from tests.api.test_endpoints import cli_json


def every_page(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    """Every article, following `next_cursor` one row at a time."""
    rows, cursor = [], None
    while True:
        page = client.get(
            "/api/v1/articles",
            params={**params, "limit": 1, **({"cursor": cursor} if cursor else {})},
        ).json()
        rows += page["articles"]
        cursor = page["next_cursor"]
        if cursor is None:
            return rows


def test_articles_equal_the_cli(client: TestClient, archive: Archive) -> None:
    page = client.get("/api/v1/articles").json()
    assert page["next_cursor"] is None
    assert page["articles"] == cli_json(archive, "articles")
    assert [a["url"] for a in page["articles"]] == sorted(
        archive.urls, key=lambda u: _id(client, u)
    )


def _id(client: TestClient, url: str) -> int:
    return next(s["id"] for s in client.get("/api/v1/sources").json() if s["url"] == url)


def test_fields_are_those_of_sources_and_history(client: TestClient, archive: Archive) -> None:
    sources = {s["id"]: s for s in client.get("/api/v1/sources").json()}
    shared = ("id", "url", "site", "tags", "active", "added_at", "versions", "changes",
              "last_checked_at", "last_status", "last_outcome", "last_error",
              "consecutive_failures", "next_check")  # fmt: skip
    for article in client.get("/api/v1/articles").json()["articles"]:
        assert {k: article[k] for k in shared} == {k: sources[article["id"]][k] for k in shared}
        history = cli_json(archive, "history", article["url"])
        assert article["latest_version"] == history[-1]["version"] == article["versions"]
        assert article["latest_captured_at"] == history[-1]["captured_at"]
        assert article["title"] == history[-1]["title"] != ""


def test_the_edited_article_shows_its_second_version(client: TestClient) -> None:
    change = client.get("/api/v1/changes").json()["changes"][0]
    found = client.get("/api/v1/articles", params={"url": change["url"]}).json()["articles"]
    assert [(a["url"], a["latest_version"], a["changes"]) for a in found] == [(change["url"], 2, 1)]
    assert found[0]["last_status"] == 200
    assert found[0]["next_check"].endswith("Z")


def test_cursor_pages_through_everything(client: TestClient) -> None:
    every = client.get("/api/v1/articles").json()["articles"]
    assert len(every) == 3
    assert every_page(client) == every


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"tag": "demo"}, 3),
        ({"tag": "dem"}, 0),
        ({"tag": "nope"}, 0),
        ({"tag": "%"}, 0),
        ({"tag": "_emo"}, 0),
        ({"site": "127.0.0.1"}, 3),
        ({"site": "127.0.0"}, 0),
        ({"site": "elsewhere.example"}, 0),
        ({"site": "127.0.0.1", "tag": "demo"}, 3),
    ],
)
def test_filters(client: TestClient, params: dict[str, str], count: int) -> None:
    assert len(every_page(client, **params)) == count


def test_filters_equal_the_cli(client: TestClient, archive: Archive) -> None:
    url = archive.urls[1]
    api = client.get("/api/v1/articles", params={"url": url, "tag": "demo"}).json()
    assert api["articles"] == cli_json(archive, "articles", "--url", url, "--tag", "demo")
    assert len(api["articles"]) == 1
    by_host = client.get("/api/v1/articles", params={"site": "127.0.0.1"}).json()
    assert by_host["articles"] == cli_json(archive, "articles", "--site", "127.0.0.1")


def test_refusals(client: TestClient) -> None:
    assert client.get("/api/v1/articles", params={"cursor": "!!"}).status_code == 422
    assert client.get("/api/v1/articles", params={"limit": 0}).status_code == 422
    untracked = client.get("/api/v1/articles", params={"url": "http://untracked.example/"})
    assert untracked.status_code == 404
    not_followed = client.get("/api/v1/articles", params={"site": "http://nope.example/"})
    assert not_followed.status_code == 404
    assert client.get("/api/v1/articles", params={"url": "ftp://x"}).status_code == 422
