"""Bad input through a whole pass: each page is recorded and reported; none crashes the run or
produces a false change."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from sqlmodel import select

from claimwatch.sitesrv import SiteServer
from storage.db import session
from storage.models import Capture, Source, Version
from tests.flows.pipeline import FIXTURES, changes_json, cli, run_output, run_pass

pytestmark = pytest.mark.slow
LIFEEXT = FIXTURES / "lifeext"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_bad_site(site: SiteServer) -> dict[str, str]:
    """Route every kind of bad input; returns {case: url}."""
    site.set_file("/pdf", LIFEEXT / "report.pdf")
    site.set("/slow", body=b"<html><body><p>late</p></body></html>", delay=4.0)
    site.set("/huge", body=b"<html><body>" + b"<p>padding</p>" * 3_600_000 + b"</body></html>")
    site.set_file("/broken", LIFEEXT / "broken.v1.html")
    site.set_file("/latin1", LIFEEXT / "latin1.v1.html")
    site.set_file("/no-article", LIFEEXT / "no-article.html")
    site.set("/server-error", status=500, body=b"oops")
    site.set("/missing", status=404, body=b"<h1>Not found</h1>")
    cases = {
        name: site.url(f"/{name}")
        for name in (
            "pdf",
            "slow",
            "huge",
            "broken",
            "latin1",
            "no-article",
            "server-error",
            "missing",
        )
    }
    cases["refused"] = f"http://127.0.0.1:{_closed_port()}/gone"
    return cases


def test_every_bad_input_is_recorded_and_reported(
    home: Path, fresh_site: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_DOWNLOAD_TIMEOUT", "1")
    cases = serve_bad_site(fresh_site)
    cli("track", *cases.values())
    assert len(json.loads(cli("sources", "--format", "json"))) == len(cases)

    first = run_pass()
    # Broken markup and a page without a charset header still make articles.
    assert first == {"checked": 9, "new": 2, "changed": 0, "unchanged": 0, "errors": 7}
    with session() as db:
        captures = {c.url: c for c in db.exec(select(Capture))}
        latin1_text = db.exec(
            select(Version.text).join(Source).where(Source.url == cases["latin1"])
        ).one()
    assert "not an HTML page (application/pdf)" in captures[cases["pdf"]].error
    assert captures[cases["slow"]].status is None and "timeout" in captures[cases["slow"]].error
    assert "larger than" in captures[cases["huge"]].error
    assert captures[cases["no-article"]].error == "no article found"
    assert captures[cases["server-error"]].status == 500
    assert captures[cases["missing"]].status == 404
    assert captures[cases["refused"]].error
    assert "café" in latin1_text and "naïve" in latin1_text

    # A second pass over the same bad inputs records no version and no change.
    second = run_pass()
    assert second["new"] == 0 and second["changed"] == 0
    assert changes_json() == []


def test_run_output_names_each_failed_page(home: Path, fresh_site: SiteServer) -> None:
    fresh_site.set_file("/pdf", LIFEEXT / "report.pdf")
    url = fresh_site.url("/pdf")
    cli("track", url)
    output = run_output()
    assert url in output and "not an HTML page" in output
