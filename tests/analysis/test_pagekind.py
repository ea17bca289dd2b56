"""Index pages versus articles, and the links discovery reads from a page."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.pagekind import index_page_error, inspect_page
from tests.fixture_blog import SEED_000, Blog, _index_page, _post_page

FIXTURES = Path(__file__).parents[1] / "fixtures"
BASE = "http://blog.example"
ARTICLES = [
    *sorted((FIXTURES / "deepher").glob("*.html")),
    *(
        FIXTURES / "lifeext" / name
        for name in (
            "could-your-relationship-use-more-oxytocin.v1.html",
            "could-your-relationship-use-more-oxytocin.v2-strengthened.html",
            "trust-hormone-oxytocin-muscle.v1.html",
            "broken.v1.html",
            "latin1.v1.html",
            "no-article.html",
        )
    ),
]


def test_seed_000_index_page_is_an_index_of_its_four_posts() -> None:
    page = inspect_page((FIXTURES / "lifeext" / "index.html").read_bytes(), f"{BASE}/lifeext/")
    assert page.is_index
    assert page.post_blocks == 4
    assert page.posts == (
        f"{BASE}/lifeext/could-your-relationship-use-more-oxytocin/",
        f"{BASE}/lifeext/trust-hormone-oxytocin-muscle/",
        f"{BASE}/lifeext/oxytocin-therapy-now-available-at-boston-testosterone/",
        f"{BASE}/lifeext/the-worlds-expert-talks-about-this-calming-hormone/",
    )
    assert f"{BASE}/lifeext/?paged=3" in page.pagination  # "Newer Entries"
    assert page.feeds == ("https://bostontestosterone.example/feed/",)


@pytest.mark.parametrize("fixture", ARTICLES, ids=lambda p: p.name)
def test_article_pages_are_not_index_pages(fixture: Path) -> None:
    body = fixture.read_bytes()
    assert not inspect_page(body, f"{BASE}/post/").is_index
    assert index_page_error(body, url=f"{BASE}/post/") == ""


def test_index_page_error_names_the_command_that_follows_it_as_a_site() -> None:
    body = (FIXTURES / "lifeext" / "index.html").read_bytes()
    error = index_page_error(body, url=f"{BASE}/lifeext/", content_type="text/html")
    assert error.startswith("index page listing 4 posts, not an article")
    assert error.endswith(f"`claimwatch track --site {BASE}/lifeext/`")


def test_fixture_blog_home_page_links() -> None:
    blog = Blog()
    page = inspect_page(_index_page(SEED_000[:2], 1, 2, BASE, blog), f"{BASE}/")
    assert page.is_index
    assert page.canonical == f"{BASE}/"
    # The comments feed lists comments, not posts: left out.
    assert page.feeds == (f"{BASE}/feed/", f"{BASE}/feed/atom/")
    assert page.onward == (f"{BASE}/page/2/",)
    assert page.posts == (
        f"{BASE}{SEED_000[0].path}?utm_source=home&utm_medium=blog",
        f"{BASE}{SEED_000[1].path}",
    )


def test_fixture_blog_post_page_names_its_canonical_url() -> None:
    post = SEED_000[2]
    page = inspect_page(_post_page(post, BASE, Blog()), f"{BASE}{post.path}amp/")
    assert page.canonical == f"{BASE}{post.path}"
    assert not page.is_index


def test_links_resolve_against_base_href_and_drop_fragments() -> None:
    html = (
        '<html><head><base href="http://cdn.example/blog/"></head><body><main>'
        '<a href="post-1/#comments">one</a> <a href="mailto:x@y.z">mail</a> '
        '<a href="#top">top</a> <a href="javascript:void(0)">js</a></main></body></html>'
    )
    page = inspect_page(html, "http://blog.example/")
    assert page.content_links == ("http://cdn.example/blog/post-1/",)


def test_unparseable_pages_have_no_links() -> None:
    assert inspect_page(b"", "http://blog.example/") == inspect_page("   ", "http://x.example/")
    assert not inspect_page(b"\x00\x01binary", "http://blog.example/").is_index


def test_ten_thousand_links_are_read() -> None:
    links = "".join(f'<a href="http://elsewhere{i}.example/p">x</a>' for i in range(10_000))
    page = inspect_page(f"<html><body><main>{links}</main></body></html>", f"{BASE}/")
    assert len(page.content_links) == 10_000
    assert not page.is_index
