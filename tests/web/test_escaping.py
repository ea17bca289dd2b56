"""The hostile archive over plain HTTP (no browser needed): payloads arrive escaped."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.web.conftest import Served

pytestmark = pytest.mark.slow
PAGES = [
    "/",
    "/changes/1",
    "/changes/1?view=inline&all=1",
    "/articles/1",
    "/sources",
    "/search?q=oxytocin",
]
LIVE_TAG = re.compile(r"<(script|img|svg|b)\b[^>]*\son\w+=", re.I)


@pytest.mark.parametrize("path", PAGES)
def test_payloads_arrive_as_text(hostile_site: Served, path: str) -> None:
    with httpx.Client(base_url=hostile_site.base_url, timeout=30) as http:
        page = http.get(path).text
    assert "<script>window.__xss" not in page
    assert not LIVE_TAG.search(page)
    assert 'href="javascript:' not in page.lower()
    assert "\x1b" not in page and "\u202e" not in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/app.js" defer>']


def test_export_cells_never_start_a_formula(hostile_site: Served) -> None:
    with httpx.Client(base_url=hostile_site.base_url, timeout=30) as http:
        before = http.get("/api/v1/changes/1/triage").json()["labels"]
        http.put("/api/v1/changes/1/labels", json={"labels": ['=HYPERLINK("http://evil.example")']})
        body = http.get("/export/changes.csv").text
        http.put("/api/v1/changes/1/labels", json={"labels": before})
    cells = body.lower()  # labels are stored in lower case
    assert "'=hyperlink" in cells
    assert ",=hyperlink" not in cells and '"=hyperlink' not in cells
