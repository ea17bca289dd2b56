"""The web UI's sources page under `claimwatch serve` (a subprocess on free ports, talked to
over HTTP) shows each source's last *attempt*, as the API and `claimwatch sources` do: a URL
failing on every pass shows its 503, its outcome, its failures in a row and the backed-off
next check, not its last success; what a page said about itself (a soft 404's title) is
escaped."""

from __future__ import annotations

import html
import re
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from claimwatch.demo import publish
from claimwatch.sitesrv import SiteServer
from tests.api.serving import Serve, service_env, serving, wait_for
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.web.archive import postgres_database

HOSTILE_TITLE = "<script>alert('pwned')</script> Page not found \u202egnp.exe"
SOFT_404 = f"""<!doctype html><html><head><title>{HOSTILE_TITLE}</title></head>
<body><h1>Sorry</h1><p>Nothing here any more, try the home page.</p></body></html>""".encode()


def _pass(api: httpx.Client, urls: list[str]) -> dict[str, Any]:
    run = api.post("/api/v1/runs", json={"urls": urls}).json()

    def done() -> dict[str, Any] | None:
        found = api.get(f"/api/v1/runs/{run['id']}").json()
        return found if found["state"] not in ("queued", "running") else None

    finished = wait_for(done, what="the pass")
    assert finished["state"] == "completed", finished
    return finished


@pytest.fixture(scope="module", params=BACKENDS)
def failing(request: pytest.FixtureRequest) -> Iterator[tuple[Serve, list[str]]]:
    """A service whose first article answered 200 once, then 503 on two passes; the second
    turned into a soft 404 with a hostile title."""
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="claimwatch-health-")))
        extra = {}
        if request.param == "postgresql":
            extra["CLAIMWATCH_DATABASE_URL"] = stack.enter_context(postgres_database(POSTGRES_URL))
        site = stack.enter_context(SiteServer())
        served = stack.enter_context(
            serving(service_env(tmp / "home", **extra), "--interval", "1h")
        )
        urls = publish(site, edited=False)
        with served.client() as api:
            assert api.post("/api/v1/sources", json={"urls": urls}).status_code == 201
            _pass(api, urls)
            failing_path, soft_path = (u.removeprefix(site.base_url) for u in urls[:2])
            site.set(failing_path, body=b"busy", status=503, content_type="text/plain")
            site.set(soft_path, body=SOFT_404)
            _pass(api, urls)
            _pass(api, urls)
        yield served, urls


def _row(page: str, source_id: int) -> str:
    found = re.search(rf'<tr id="source-{source_id}".*?</tr>', page, re.S)
    assert found, f"no row for source {source_id}"
    return found.group(0)


def _shown(moment: str | None) -> str:
    assert moment is not None
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M UTC")


def test_a_failing_source_shows_its_last_attempt(failing: tuple[Serve, list[str]]) -> None:
    served, urls = failing
    with served.client() as api:
        sources = {s["url"]: s for s in api.get("/api/v1/sources").json()}
        page = api.get("/sources").text
    health = sources[urls[0]]
    assert (health["last_status"], health["last_outcome"]) == (503, "fetch_error")
    assert health["consecutive_failures"] == 2
    row = _row(page, health["id"])
    assert "failing" in row.split(">", 1)[0]
    assert '<span class="status">HTTP 503</span>' in row
    assert "HTTP 200" not in row
    assert '<span class="outcome">fetch error</span>' in row
    assert "2 failed attempts in a row" in row
    assert f"last attempt {_shown(health['last_checked_at'])}" in row
    assert f"next check {_shown(health['next_check'])}" in row
    assert html.escape(health["last_error"], quote=False) in row


def test_a_healthy_source_shows_no_failure(failing: tuple[Serve, list[str]]) -> None:
    served, urls = failing
    with served.client() as api:
        health = {s["url"]: s for s in api.get("/api/v1/sources").json()}[urls[2]]
        row = _row(api.get("/sources").text, health["id"])
    assert health["consecutive_failures"] == 0
    assert health["last_status"] in (200, 304)  # 304: unchanged since the first pass
    assert f'<span class="status">HTTP {health["last_status"]}</span>' in row
    assert "failed attempt" not in row
    assert "failing" not in row.split(">", 1)[0]
    assert f"next check {_shown(health['next_check'])}" in row


def test_what_the_page_said_is_escaped(failing: tuple[Serve, list[str]]) -> None:
    served, urls = failing
    with served.client() as api:
        health = {s["url"]: s for s in api.get("/api/v1/sources").json()}[urls[1]]
        page = api.get("/sources").text
    assert "<script>alert" in health["last_error"]  # the API returns the data as data
    row = _row(page, health["id"])
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in row
    assert "<script>alert" not in page
    assert "\u202e" not in page
    if "\u202e" in health["last_error"]:  # kept by the extraction: shown, never applied
        assert "[U+202E]" in row
