"""Which URLs a followed site lists can be its articles."""

from __future__ import annotations

import pytest

from analysis.linkfilter import BadPattern, LinkRules, compile_patterns, site_hosts

SITE = "https://blog.example/"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://blog.example/2024/02/oxytocin/", ""),
        ("https://www.blog.example/2024/02/oxytocin/", ""),
        ("https://blog.example/2024/02/oxytocin/?utm_source=rss", ""),
        ("https://blog.example/?p=812", ""),  # a WordPress shortlink: resolved by a fetch
        ("https://cdn.example/2024/02/oxytocin/", "off-site"),
        ("https://blog.example/tag/oxytocin/", "navigation"),
        ("https://blog.example/category/hormones/", "navigation"),
        ("https://blog.example/author/jo/", "navigation"),
        ("https://blog.example/page/2/", "navigation"),
        ("https://blog.example/?paged=3", "navigation"),
        ("https://blog.example/feed/", "navigation"),
        ("https://blog.example/feed/atom/", "navigation"),
        ("https://blog.example/comments/feed/", "navigation"),
        ("https://blog.example/sitemap.xml", "navigation"),
        ("https://blog.example/wp-login.php", "navigation"),
        ("https://blog.example/uploads/chart.png", "not a page"),
        ("https://blog.example/report.pdf", "not a page"),
    ],
)
def test_default_rules(url: str, reason: str) -> None:
    assert LinkRules.for_site(SITE).reject(url) == reason


def test_include_and_exclude_patterns() -> None:
    rules = LinkRules.for_site(SITE, include=[r"/20\d\d/"], exclude=[r"/amp/$", "sponsored"])
    assert rules.reject("https://blog.example/2024/02/post/") == ""
    assert rules.reject("https://blog.example/2024/02/post/amp/") == "excluded"
    assert rules.reject("https://blog.example/2024/sponsored-post/") == "excluded"
    assert rules.reject("https://blog.example/about-us/") == "not included"


def test_listed_hosts_belong_to_the_site() -> None:
    rules = LinkRules.for_site(SITE, hosts=["Articles.Blog.example"])
    assert rules.reject("https://articles.blog.example/post/") == ""
    assert rules.reject("https://other.example/post/") == "off-site"


def test_site_hosts() -> None:
    assert site_hosts("https://www.blog.example/") == {"blog.example", "www.blog.example"}
    assert site_hosts("http://127.0.0.1:8080/") == {"127.0.0.1"}


def test_bad_pattern_is_named() -> None:
    with pytest.raises(BadPattern, match=r"invalid URL pattern '\(unclosed'"):
        compile_patterns(["fine", "(unclosed"])
