"""The canonical form of a tracked URL: one source per address, whatever its spelling."""

from __future__ import annotations

import pytest

from analysis.urls import MAX_URL_LENGTH, InvalidURL, normalize_url


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        (
            [
                "https://bücher.example/a",
                "https://xn--bcher-kva.example/a",
                "https://BÜCHER.example/a",
            ],
            "https://xn--bcher-kva.example/a",
        ),
        (["https://a.example/%31", "https://a.example/1"], "https://a.example/1"),
        (
            ["https://a.example/%7euser/%2d%2E", "https://a.example/~user/-."],
            "https://a.example/~user/-.",
        ),
        (["https://a.example/caf%c3%a9", "https://a.example/café"], "https://a.example/caf%C3%A9"),
        (
            [
                "https://a.example/blog/./post",
                "https://a.example/blog/x/../post",
                "https://a.example/blog/%2e/post",
                "https://a.example/blog/post",
            ],
            "https://a.example/blog/post",
        ),
        (
            ["http://[::1]:8080/p", "http://[0:0:0:0:0:0:0:1]:8080/p", "http://[::0:1]:8080/p"],
            "http://[::1]:8080/p",
        ),
        (["http://[::FFFF:127.0.0.1]/", "http://[::ffff:7f00:1]/"], "http://[::ffff:127.0.0.1]/"),
        (["http://2130706433/", "http://0x7f000001/", "http://127.1/"], "http://127.0.0.1/"),
        # What the form always did: no fragment, no default port, no tracking parameters,
        # host lower-cased, the other parameters kept in their order.
        (
            [
                "HTTPS://Blog.Example.:443/post?b=2&utm_source=x&a=%41#top",
                "https://blog.example/post?b=2&a=A",
            ],
            "https://blog.example/post?b=2&a=A",
        ),
        (["https://a.example", "https://a.example/"], "https://a.example/"),
        (["https://a.example/?q=a%20b", "https://a.example/?q=a+b"], "https://a.example/?q=a+b"),
    ],
)
def test_spellings_of_one_address_are_one_source(spellings: list[str], canonical: str) -> None:
    assert {normalize_url(url) for url in spellings} == {canonical}


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://a.example/a%2Fb", "https://a.example/a%2Fb"),  # an escaped slash is no slash
        ("https://a.example/?q=%E9", "https://a.example/?q=%E9"),  # Latin-1 bytes are kept
        ("https://a.example/?b=1&a=2", "https://a.example/?b=1&a=2"),
        ("http://a.example:8080/", "http://a.example:8080/"),
    ],
)
def test_what_makes_a_different_address_is_kept(url: str, canonical: str) -> None:
    assert normalize_url(url) == canonical


def test_the_longest_url_browsers_take_is_accepted() -> None:
    url = "https://a.example/" + "x" * (MAX_URL_LENGTH - len("https://a.example/"))
    assert normalize_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://a.example/" + "x" * MAX_URL_LENGTH,
        # Short as typed, too long as requested (each é is %C3%A9).
        "https://a.example/" + "é" * 400,
    ],
)
def test_longer_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidURL, match=rf"^URL longer than {MAX_URL_LENGTH} characters \("):
        normalize_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://[fe80::1%25eth0]/",
        "http://a_b.example/",
        "http://a..example/",
        "http://[::1/",
        "http://user:pw@a.example/",
        "ftp://a.example/",
    ],
)
def test_untrackable_urls_are_invalid(url: str) -> None:
    with pytest.raises(InvalidURL):
        normalize_url(url)
