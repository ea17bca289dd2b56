"""Site discovery against the fixture blog over real HTTP: a real Scrapy subprocess, both
databases. Each route finds every post alone; together they find each post once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from analysis.vocabulary import SiteKind
from claimwatch.sitesrv import SiteServer
from service.discovery import discover
from storage.db import session
from storage.queries import sources_overview
from storage.sites import add_site, sites_overview
from tests.fixture_blog import (
    LATER,
    SEED_000,
    Blog,
    Post,
    _index_page,
    _post_page,
    _rss,
    _urlset,
)

pytestmark = pytest.mark.slow


def follow(url: str, kind: SiteKind = SiteKind.site, **options: object) -> None:
    """Follow a site as `claimwatch track --site/--feed/--sitemap` does."""
    with session() as db:
        add_site(db, url=url, kind=kind, interval_seconds=3600, **options)  # type: ignore[arg-type]


def tracked() -> dict[str, str | None]:
    """Tracked article URL -> the site that found it."""
    with session() as db:
        return {row["url"]: row["site"] for row in sources_overview(db)}


def site_row(url: str) -> dict:
    with session() as db:
        [row] = [r for r in sites_overview(db) if r["site"] == url]
    return row


def canonical(site: SiteServer, posts: list[Post] = SEED_000) -> set[str]:
    return {site.url(post.path) for post in posts}


@pytest.mark.parametrize("route", ["index", "feed", "sitemap"])
def test_each_route_alone_finds_every_post(home: Path, fresh_site: SiteServer, route: str) -> None:
    Blog(routes=frozenset({route})).serve(fresh_site)
    follow(fresh_site.url("/"))
    report = discover()
    assert report.new_articles == 4
    assert report.errors == []
    assert tracked() == dict.fromkeys(canonical(fresh_site), fresh_site.url("/"))
    kinds = {e["kind"] for e in site_row(fresh_site.url("/"))["endpoints"] if e["entries"]}
    assert kinds == {"index": {"index"}, "feed": {"feed"}, "sitemap": {"robots", "sitemap"}}[route]


@pytest.mark.parametrize(
    ("kind", "path"), [(SiteKind.feed, "/feed/"), (SiteKind.sitemap, "/sitemap_index.xml")]
)
def test_a_feed_or_sitemap_followed_directly(
    home: Path, fresh_site: SiteServer, kind: SiteKind, path: str
) -> None:
    Blog().serve(fresh_site)
    follow(fresh_site.url(path), kind)
    assert discover().new_articles == 4
    # The sitemap also lists the home page: resolved, found to be an index, never tracked.
    assert set(tracked()) == canonical(fresh_site)


def test_all_routes_together_track_each_post_once(home: Path, fresh_site: SiteServer) -> None:
    Blog().serve(fresh_site)
    follow(fresh_site.url("/"))
    report = discover()
    # Home and RSS give tracking parameters, Atom gives shortlinks (301), page 2 an AMP copy
    # (canonical): every variant is the same article.
    assert report.new_articles == 4
    assert set(tracked()) == canonical(fresh_site)
    assert fresh_site.requests_for(f"/?p={SEED_000[0].id}")  # the shortlink was resolved
    assert fresh_site.requests_for(SEED_000[2].path + "amp/")  # and the AMP copy
    row = site_row(fresh_site.url("/"))
    assert row["articles"] == 4
    assert row["errors"] == []
    endpoints = {e["url"]: e for e in row["endpoints"]}
    assert endpoints[fresh_site.url("/sitemap-posts-1.xml.gz")]["entries"] == 2
    assert fresh_site.url("/comments/feed/") not in endpoints

    # Nothing changed: conditional GETs answered 304, no listed URL is fetched again.
    before = len(fresh_site.requests)
    report = discover()
    assert report.new_articles == 0
    again = {r.path for r in fresh_site.requests[before:]}
    assert not again & {p.path for p in SEED_000}
    assert not any(path.startswith("/?p=") for path in again)
    assert "If-None-Match" in fresh_site.requests_for("/feed/")[-1].headers
    assert "If-None-Match" in fresh_site.requests_for("/sitemap_index.xml")[-1].headers
    assert len(tracked()) == 4


def test_a_new_post_is_tracked_and_unchanged_sitemaps_are_skipped(
    home: Path, fresh_site: SiteServer
) -> None:
    blog = Blog()
    blog.serve(fresh_site)
    follow(fresh_site.url("/"), tags=["hormones"])
    discover()
    blog.posts = [LATER, *SEED_000]
    blog.serve(fresh_site)
    report = discover()
    assert report.new_articles == 1
    assert set(tracked()) == canonical(fresh_site, [LATER, *SEED_000])
    # The index's <lastmod> of the two old child sitemaps did not move: not fetched again.
    assert len(fresh_site.requests_for("/sitemap-posts-1.xml.gz")) == 1
    assert len(fresh_site.requests_for("/sitemap-posts-3.xml.gz")) == 1
    with session() as db:
        [new] = [r for r in sources_overview(db) if r["url"] == fresh_site.url(LATER.path)]
    assert new["tags"] == ["hormones"]
    assert new["interval"] == "1h"


def test_a_moved_post_keeps_its_record(home: Path, fresh_site: SiteServer) -> None:
    blog = Blog()
    blog.serve(fresh_site)
    follow(fresh_site.url("/"))
    discover()
    moved = SEED_000[1]
    new_path = moved.path.replace("trust-hormone", "trust-hormone-study")
    blog.posts = [dataclasses.replace(moved, path=new_path) if p == moved else p for p in SEED_000]
    blog.moved = {moved.path: new_path}
    blog.serve(fresh_site)
    report = discover()
    assert report.moved == 1
    assert report.new_articles == 0
    urls = tracked()
    assert fresh_site.url(new_path) in urls
    assert fresh_site.url(moved.path) not in urls
    assert len(urls) == 4


def test_a_post_dropped_from_the_feed_stays_tracked(home: Path, fresh_site: SiteServer) -> None:
    blog = Blog(routes=frozenset({"feed"}))
    blog.serve(fresh_site)
    follow(fresh_site.url("/feed/"), SiteKind.feed)
    discover()
    blog.feed_posts = SEED_000[:3]
    blog.serve(fresh_site)
    report = discover()
    assert (report.new_articles, report.moved) == (0, 0)
    assert set(tracked()) == canonical(fresh_site)


def test_filters_and_limits(home: Path, fresh_site: SiteServer) -> None:
    Blog(routes=frozenset({"index"})).serve(fresh_site)
    follow(fresh_site.url("/"), exclude=["trust-hormone"], max_pages=0)
    discover()
    # Page 1 only (two posts), and one of them excluded.
    assert set(tracked()) == {fresh_site.url(SEED_000[0].path)}
    notes = site_row(fresh_site.url("/"))["notes"]
    assert f"{fresh_site.url('/')}: pagination cut at 0 pages (--max-pages)" in notes


def test_max_articles(home: Path, fresh_site: SiteServer) -> None:
    Blog().serve(fresh_site)
    follow(fresh_site.url("/sitemap_index.xml"), SiteKind.sitemap, max_articles=3)
    assert discover().new_articles == 3
    assert len(tracked()) == 3
    [note] = site_row(fresh_site.url("/sitemap_index.xml"))["notes"]
    assert note == "1 listed URLs not tracked: --max-articles 3 reached"


BIG_SITEMAP_URLS = 50_000
XML_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    b"<url><loc>http://x.example/&lol2;</loc></url></urlset>\n"
)


def serve_bad_inputs(site: SiteServer) -> None:
    """Hostile and broken listings, each the start of its own followed site."""
    blog = Blog(posts=[LATER, *SEED_000])
    blog.serve(site)
    base = site.base_url
    rss = _rss(SEED_000, base)
    site.set("/bad/truncated.xml", body=rss[: len(rss) // 2], content_type="application/rss+xml")
    site.set("/bad/bomb.xml", body=XML_BOMB, content_type="application/xml")
    site.set("/bad/html-feed/", body=_index_page(SEED_000[:2], 1, 1, base, blog))
    # Two index pages whose "Older posts" links lead to each other.
    loop_posts = [LATER, SEED_000[2]], [SEED_000[3]]  # not in the truncated feed's half
    page_1 = _index_page(loop_posts[0], 1, 2, base, blog).replace(b"/page/2/", b"/loop/2/")
    page_2 = _index_page(loop_posts[1], 2, 2, base, blog).decode()
    page_2 = page_2.replace(
        f'<link rel="prev" href="{base}/">', f'<link rel="next" href="{base}/loop/">'
    )
    page_2 = page_2.replace(
        f'<div class="nav-next"><a href="{base}/">Newer posts',
        f'<div class="nav-previous"><a href="{base}/loop/">Older posts',
    )
    site.set("/loop/", body=page_1)
    site.set("/loop/2/", body=page_2.encode())
    links = "".join(
        f'<li><a href="http://elsewhere{i}.example/p">{i}</a></li>' for i in range(10_000)
    )
    site.set("/offsite/", body=f"<html><body><main><ul>{links}</ul></main></body></html>".encode())
    entries = [(f"{base}/big/{i}/", "2024-01-01") for i in range(BIG_SITEMAP_URLS)]
    site.set("/big/sitemap.xml", body=_urlset(entries), content_type="application/xml")
    for i in range(20):
        post = dataclasses.replace(SEED_000[i % 4], path=f"/big/{i}/")
        site.set(post.path, body=_post_page(post, base, blog))


def test_bad_discovery_input_is_recorded_not_a_crash(home: Path, fresh_site: SiteServer) -> None:
    serve_bad_inputs(fresh_site)
    url = fresh_site.url
    follow(url("/bad/truncated.xml"), SiteKind.feed)
    follow(url("/bad/bomb.xml"), SiteKind.sitemap)
    follow(url("/bad/html-feed/"), SiteKind.feed)
    follow(url("/loop/"))
    follow(url("/offsite/"))
    follow(url("/big/sitemap.xml"), SiteKind.sitemap, max_articles=5)
    report = discover()
    assert report.crawl_error == ""

    truncated = site_row(url("/bad/truncated.xml"))
    assert truncated["errors"][0].startswith(f"{url('/bad/truncated.xml')}: malformed XML")
    assert truncated["articles"] == 2  # the entries read before the break
    assert site_row(url("/bad/bomb.xml"))["errors"] == [
        f"{url('/bad/bomb.xml')}: XML refused: EntitiesForbidden "
        "(entity declarations are never expanded)"
    ]
    assert site_row(url("/bad/html-feed/"))["errors"] == [
        f"{url('/bad/html-feed/')}: not XML: an HTML page"
    ]
    loop = site_row(url("/loop/"))
    assert loop["articles"] == 3
    assert f"{url('/loop/2/')}: pagination loops back to {url('/loop/')}" in loop["notes"]
    offsite = site_row(url("/offsite/"))
    assert offsite["articles"] == 0
    assert offsite["notes"] == [f"{url('/offsite/')}: 10000 off-site links ignored"]
    big = site_row(url("/big/sitemap.xml"))
    assert big["articles"] == 5
    assert big["endpoints"][0]["entries"] == BIG_SITEMAP_URLS
    assert big["notes"][0].endswith("listed URLs not tracked: --max-articles 5 reached")
