"""Scraped strings stay text in the Atom feed and the diff fragment: a hostile blog (markup,
script URLs, ANSI and bidi control characters in every field) recorded through real passes."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from claimwatch.api.app import create_app
from claimwatch.sitesrv import SiteServer
from tests.web.archive import environment, record_hostile

ATOM = "{http://www.w3.org/2005/Atom}"
OUR_TAGS = {"div", "p", "h3", "ul", "li", "del", "ins"}


@pytest.fixture(scope="module")
def hostile() -> Iterator[TestClient]:
    """The app over the hostile blog's archive (SQLite: escaping does not depend on it)."""
    with (
        tempfile.TemporaryDirectory(prefix="claimwatch-api-hostile-") as home,
        SiteServer() as site,
    ):
        env = {
            "CLAIMWATCH_HOME": str(Path(home)),
            "CLAIMWATCH_DATABASE_URL": "",
            "CLAIMWATCH_AUTOTHROTTLE": "false",
            "CLAIMWATCH_API_TOKEN": "",
        }
        with environment(env):
            record_hostile(site)
            with TestClient(create_app()) as client:
                yield client


def tags_in(markup: str) -> set[str]:
    """The element names an HTML string opens."""
    return {name.lower() for name in re.findall(r"<([A-Za-z][A-Za-z0-9]*)", markup)}


def test_atom_feed_is_well_formed_and_inert(hostile: TestClient) -> None:
    response = hostile.get("/feeds/changes.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # well-formed despite control characters
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    content = entries[0].find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    html = content.text or ""
    assert tags_in(html) <= OUR_TAGS
    assert "&lt;script&gt;" in html or "&lt;img" in html  # the payload is there, as text
    assert "\x1b" not in response.text and "\u202e" not in response.text
    title = entries[0].findtext(f"{ATOM}title") or ""
    assert "\x1b" not in title


def test_atom_entry_carries_the_claim_summary_and_diff(hostile: TestClient) -> None:
    feed = ET.fromstring(hostile.get("/feeds/changes.atom", params={"kind": "claims"}).content)
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None
    html = entry.findtext(f"{ATOM}content") or ""
    assert "<h3>Claims</h3>" in html
    assert "<ins>" in html or "<del>" in html


def test_atom_filters_like_changes(hostile: TestClient) -> None:
    feed = ET.fromstring(hostile.get("/feeds/changes.atom", params={"kind": "status"}).content)
    assert feed.findall(f"{ATOM}entry") == []


def test_diff_fragment_is_inert(hostile: TestClient) -> None:
    change = hostile.get("/api/v1/changes").json()["changes"][0]
    response = hostile.get(f"/api/v1/changes/{change['id']}/diff", params={"format": "html"})
    assert tags_in(response.text) <= OUR_TAGS
    assert "&lt;" in response.text
    assert "\x1b" not in response.text and "\u202e" not in response.text


def test_json_keeps_the_scraped_strings_as_data(hostile: TestClient) -> None:
    change = hostile.get("/api/v1/changes").json()["changes"][0]
    assert hostile.get(f"/api/v1/changes/{change['id']}").headers["content-type"] == (
        "application/json"
    )
