"""`claimwatch track` on hostile and odd URLs: one source per address, long and internal refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimwatch.cli import app
from storage.settings import get_settings

ADVICE = "(set CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES=true to allow)"


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def tracked() -> list[str]:
    return [s["url"] for s in json.loads(invoke("sources", "--format", "json").stdout)]


@pytest.fixture
def guarded(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped default: private addresses refused."""
    monkeypatch.setenv("CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES", "false")
    get_settings.cache_clear()
    return home


def test_spellings_of_one_article_are_one_source(home: Path) -> None:
    spellings = [
        "https://bücher.example/ratgeber/./schlaf",
        "https://xn--bcher-kva.example/ratgeber/x/../schlaf",
        "https://BÜCHER.example/ratgeber/%73chlaf#kommentare",
    ]
    for url in spellings:
        assert invoke("track", url).exit_code == 0
    assert tracked() == ["https://xn--bcher-kva.example/ratgeber/schlaf"]


def test_an_ipv6_literal_keeps_its_brackets(home: Path) -> None:
    result = invoke("track", "http://[::1]:8080/post", "http://[0:0::1]:8080/post")
    assert result.exit_code == 0
    assert tracked() == ["http://[::1]:8080/post"]


def test_a_url_longer_than_2083_characters_is_refused(home: Path) -> None:
    url = "https://a.example/" + "x" * 2066  # 2084 characters
    result = invoke("track", "https://a.example/fine", url)
    assert result.exit_code == 2
    assert result.stderr.startswith("claimwatch: URL longer than 2083 characters (2084): ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert tracked() == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.5/admin", "10.0.0.5 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://0x7f000001/", "0x7f000001 is 127.0.0.1, a loopback address"),
        ("http://2130706433:8080/", "2130706433 is 127.0.0.1, a loopback address"),
        ("http://0177.0.0.1/", "0177.0.0.1 is 127.0.0.1, a loopback address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::ffff:10.0.0.5]/", "::ffff:10.0.0.5 is a private address"),
        ("http://[fd00::5]/", "fd00::5 is a private address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
    ],
)
def test_an_internal_ip_address_is_refused(guarded: Path, url: str, message: str) -> None:
    result = invoke("track", "https://a.example/fine", url)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"claimwatch: refused: {message} {ADVICE}"
    assert tracked() == []


def test_a_name_is_checked_when_it_is_fetched_not_when_tracked(guarded: Path) -> None:
    # Its addresses can change; the crawler checks the ones it connects to.
    assert invoke("track", "http://intranet.example/wiki").exit_code == 0


def test_allowing_private_addresses_lets_track_take_them(home: Path) -> None:
    # The suite runs with CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES=true.
    assert invoke("track", "http://10.0.0.5/wiki", "http://[::1]:8080/").exit_code == 0
    assert tracked() == ["http://10.0.0.5/wiki", "http://[::1]:8080/"]
