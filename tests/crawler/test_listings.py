"""Feeds, sitemaps and robots.txt read safely: hostile XML is refused, not expanded."""

from __future__ import annotations

import gzip

import pytest

from crawler.listings import (
    Listed,
    SitemapReader,
    parse_feed,
    robots_sitemaps,
    sitemap_body,
    xml_problem,
)
from tests.fixture_blog import SEED_000, _atom, _rss, _urlset

BASE = "http://blog.example"
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://blog.example/&lol3;</loc></url></urlset>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><link>http://blog.example/&x;</link></item></channel></rss>
"""
HTML = b"<!DOCTYPE html>\n<html><head><title>Blog</title></head><body><p>Hi</p></body></html>"


def test_rss_feed_entries_with_dates() -> None:
    feed = parse_feed(_rss(SEED_000, BASE))
    assert feed.error == ""
    assert [e.url for e in feed.entries] == [
        f"{BASE}{p.path}?utm_source=rss&utm_medium=feed" for p in SEED_000
    ]
    assert feed.entries[0].lastmod == "Mon, 16 Feb 2015 09:14:22 +0000"


def test_atom_feed_uses_the_alternate_link() -> None:
    feed = parse_feed(_atom(SEED_000, BASE))
    assert feed.error == ""
    assert [e.url for e in feed.entries] == [f"{BASE}/?p={p.id}" for p in SEED_000]
    assert feed.entries[-1].lastmod == "2014-05-02T08:31:10+00:00"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (BOMB, "XML refused: EntitiesForbidden (entity declarations are never expanded)"),
        (EXTERNAL, "XML refused: EntitiesForbidden (entity declarations are never expanded)"),
        (HTML, "not XML: an HTML page"),
        (b"", "malformed XML: no element found: line 1, column 0"),
        (b'{"items": []}', "malformed XML: not well-formed (invalid token): line 1, column 0"),
    ],
)
def test_refused_documents_are_errors(body: bytes, error: str) -> None:
    assert xml_problem(body) == error
    assert parse_feed(body).error == error
    assert parse_feed(body).entries == []
    reader = SitemapReader(body)
    assert list(reader) == []
    assert reader.error == error


def test_truncated_feed_keeps_what_it_read() -> None:
    body = _rss(SEED_000, BASE)
    feed = parse_feed(body[: body.index(b"<item>", body.index(b"<item>") + 1) + 40])
    assert feed.error.startswith("malformed XML:")
    assert feed.error.endswith("(1 entries read)")
    assert len(feed.entries) == 1


def test_xml_that_is_not_a_feed() -> None:
    assert parse_feed(b"<?xml version='1.0'?><note><to>x</to></note>").error == (
        "not a feed (neither RSS nor Atom)"
    )


def test_sitemap_streams_entries_with_lastmod() -> None:
    reader = SitemapReader(_urlset([(f"{BASE}/a/", "2024-01-02"), (f"{BASE}/b/", "")]))
    assert reader.type == "urlset"
    assert list(reader) == [Listed(f"{BASE}/a/", "2024-01-02"), Listed(f"{BASE}/b/", "")]
    assert reader.error == ""
    assert reader.count == 2


def test_truncated_sitemap_reports_the_entries_read() -> None:
    body = _urlset([(f"{BASE}/{i}/", "") for i in range(5)])
    reader = SitemapReader(body[: body.index(b"/3/")])
    assert [e.url for e in reader] == [f"{BASE}/{i}/" for i in range(3)]
    assert reader.error.startswith("malformed XML:")
    assert reader.error.endswith("(3 entries read)")


def test_feed_is_not_a_sitemap() -> None:
    reader = SitemapReader(_rss(SEED_000, BASE))
    assert list(reader) == []
    assert reader.error == "not a sitemap (root element <rss>)"


def test_gzip_sitemaps_are_unpacked_within_a_size_limit() -> None:
    xml = _urlset([(f"{BASE}/{i}/", "") for i in range(100)])
    assert sitemap_body(gzip.compress(xml)) == (xml, "")
    assert sitemap_body(xml) == (xml, "")
    assert sitemap_body(gzip.compress(xml), max_size=1024) == (
        b"",
        "sitemap larger than 1 KB uncompressed",
    )
    body, error = sitemap_body(gzip.compress(xml)[:40])
    assert body == b""
    assert error.startswith("broken gzip")


def test_robots_txt_sitemap_lines() -> None:
    robots = b"User-agent: *\nDisallow: /wp-admin/\nSitemap: /sitemap_index.xml\nsitemap: http://cdn.example/s.xml\n"
    assert robots_sitemaps(robots, f"{BASE}/robots.txt") == [
        f"{BASE}/sitemap_index.xml",
        "http://cdn.example/s.xml",
    ]
    assert robots_sitemaps(b"User-agent: *\n", f"{BASE}/robots.txt") == []
