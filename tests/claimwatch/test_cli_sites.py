"""CLI contract of followed sites, without a crawl: track --site/--feed/--sitemap, sites,
sources --site, untrack --site; bad input exits 2 with one line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimwatch.cli import app
from storage.db import session
from storage.sites import add_article, find_site


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def sites_json() -> list[dict]:
    return json.loads(invoke("sites", "--format", "json").stdout)


def test_track_site_feed_and_sitemap(home: Path) -> None:
    result = invoke(
        "track", "--site", "https://Blog.example/?utm_source=x", "--feed",
        "https://blog.example/feed/", "--sitemap", "https://blog.example/sitemap_index.xml",
        "--interval", "1d", "--tag", "hormones", "--exclude", "/amp/$", "--max-articles", "50",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "following site https://blog.example/",
        "following feed https://blog.example/feed/",
        "following sitemap https://blog.example/sitemap_index.xml",
        "its articles are found and tracked by the next `claimwatch run`",
    ]
    rows = sites_json()
    assert [(r["site"], r["kind"]) for r in rows] == [
        ("https://blog.example/", "site"),
        ("https://blog.example/feed/", "feed"),
        ("https://blog.example/sitemap_index.xml", "sitemap"),
    ]
    assert all(r["interval"] == "1d" and r["tags"] == ["hormones"] for r in rows)
    assert rows[0]["exclude"] == ["/amp/$"]
    assert rows[0]["max_articles"] == 50
    assert rows[0]["articles"] == 0 and rows[0]["last_discovered_at"] is None


def test_track_site_again_updates_it(home: Path) -> None:
    invoke("track", "--site", "https://blog.example/", "--tag", "a")
    result = invoke("track", "--site", "https://blog.example/", "--tag", "b", "--interval", "2h")
    assert result.stdout.splitlines()[0] == "updated site https://blog.example/"
    [row] = sites_json()
    assert (row["tags"], row["interval"]) == (["a", "b"], "2h")


def test_sites_csv_and_table(home: Path) -> None:
    invoke("track", "--site", "https://blog.example/")
    [row] = csv.DictReader(io.StringIO(invoke("sites", "--format", "csv").stdout))
    assert (row["site"], row["kind"], row["articles"]) == ("https://blog.example/", "site", "0")
    assert "https://blog.example/" in invoke("sites").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["track", "--site", "ftp://blog.example/"], "only http and https URLs"),
        (["track", "--feed", "not a url"], "not a URL"),
        (["track", "--site", "https://blog.example/", "--include", "(unclosed"], "invalid URL"),
        (["track", "--site", "https://blog.example/", "--interval", "soon"], "not a duration"),
        (["track"], "give article URLs, or a site with --site"),
        (["untrack", "--site", "https://nowhere.example/"], "not a followed site"),
        (["untrack"], "give a tracked URL, or a site with --site"),
        (["sources", "--site", "https://nowhere.example/"], "not a followed site"),
    ],
)
def test_bad_input_exits_2_with_one_line(home: Path, args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert invoke("sites", "--format", "json").stdout.strip() == "[]"


def test_following_a_page_tracked_as_an_article_untracks_it(home: Path) -> None:
    invoke("track", "https://blog.example/")
    result = invoke("track", "--site", "https://blog.example/")
    assert "  no longer tracked as an article: https://blog.example/" in result.stdout
    assert json.loads(invoke("sources", "--format", "json").stdout) == []


def test_sources_site_field_and_filter(home: Path) -> None:
    invoke("track", "https://elsewhere.example/post")
    invoke("track", "--site", "https://blog.example/")
    with session() as db:
        site = find_site(db, url="https://blog.example/")
        assert site is not None
        add_article(db, site=site, url="https://blog.example/2024/post/")
    rows = json.loads(invoke("sources", "--format", "json").stdout)
    assert [(r["url"], r["site"]) for r in rows] == [
        ("https://elsewhere.example/post", None),
        ("https://blog.example/2024/post/", "https://blog.example/"),
    ]
    assert list(rows[0])[-1] == "site"  # added at the end of each row
    only = json.loads(invoke("sources", "--site", "https://blog.example/", "-f", "json").stdout)
    assert [r["url"] for r in only] == ["https://blog.example/2024/post/"]


@pytest.mark.parametrize("articles", [False, True])
def test_untrack_site(home: Path, articles: bool) -> None:
    invoke("track", "--site", "https://blog.example/")
    with session() as db:
        site = find_site(db, url="https://blog.example/")
        assert site is not None
        add_article(db, site=site, url="https://blog.example/2024/post/")
    result = invoke("untrack", "--site", "https://blog.example/", *(["--articles"] * articles))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "no longer following https://blog.example/"
    assert sites_json() == []
    assert len(json.loads(invoke("sites", "--all", "--format", "json").stdout)) == 1
    tracked = json.loads(invoke("sources", "--format", "json").stdout)
    assert len(tracked) == (0 if articles else 1)
    assert len(json.loads(invoke("sources", "--all", "--format", "json").stdout)) == 1


def test_run_with_only_a_site_followed_goes_ahead(home: Path) -> None:
    from claimwatch.cli import _check_run_targets

    invoke("track", "--site", "https://blog.example/")
    assert _check_run_targets([]) is True
