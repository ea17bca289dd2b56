"""SIGTERM of `claimwatch serve` while a pass's crawl subprocess waits on a slow site, past the
grace period: the crawl is stopped (no process outlives serve), the hosts' leases are given
back, and a restarted serve completes the pass with nothing lost or doubled."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from claimwatch.demo import publish
from claimwatch.sitesrv import SiteServer
from tests.api.serving import service_env, serving, wait_for
from tests.api.test_serve import pending_captures
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.web.archive import environment, postgres_database

SLOW_SECONDS = 15.0  # longer than the grace period, shorter than the download timeout


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def crawl_children(parent: int) -> list[int]:
    """The running `scrapy crawl` processes whose parent is `parent` (from /proc)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        stat = _stat(int(entry.name))
        if stat is None or stat[1] != parent or stat[0] == "Z":
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"scrapy" in command and b"crawl" in command:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie does not)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


@pytest.fixture(params=BACKENDS)
def home(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """A service environment (downloads may take 30 s: the slow page is not a timeout)."""
    with tempfile.TemporaryDirectory(prefix="claimwatch-shutdown-") as tmp:
        extra = {"CLAIMWATCH_DOWNLOAD_TIMEOUT": "30"}
        if request.param == "postgresql":
            with postgres_database(POSTGRES_URL) as database:
                yield service_env(Path(tmp) / "home", CLAIMWATCH_DATABASE_URL=database, **extra)
        else:
            yield service_env(Path(tmp) / "home", **extra)


def held_leases(env: dict[str, str]) -> list[tuple[str, str]]:
    """Hosts some worker holds now."""
    from sqlmodel import col, select

    from storage.models import HostLease

    with environment({k: v for k, v in env.items() if k.startswith("CLAIMWATCH_")}):
        from storage.db import session

        with session() as db:
            rows = db.exec(
                select(HostLease.host, HostLease.holder).where(col(HostLease.holder) != "")
            )
            return [(host, holder) for host, holder in rows]


def test_sigterm_stops_the_crawl_and_a_restart_completes_the_pass(
    home: dict[str, str],
) -> None:
    with SiteServer() as site:
        urls = publish(site, edited=False)
        # Every article is slow: two are fetched at once (per-host concurrency), the third
        # waits its turn; a crawl told to stop does not start it, one waited for would.
        paths = [url.removeprefix(site.base_url) for url in urls]
        bodies = {path: site_body(site, path) for path in paths}
        for path in paths:
            site.set(path, body=bodies[path], delay=SLOW_SECONDS)
        before = len(site.requests)
        seen: set[int] = set()
        with serving(home, "--interval", "1h", "--grace", "1") as served:
            with served.client() as api:
                assert api.post("/api/v1/sources", json={"urls": urls}).status_code == 201
                run = api.post("/api/v1/runs", json={"urls": urls}).json()
            seen.update(
                wait_for(
                    lambda: crawl_children(served.process.pid),
                    what="the pass's crawl subprocess",
                )
            )
            served.process.send_signal(signal.SIGTERM)
            # Crawls started later in the grace period are children too: keep looking.
            while served.process.poll() is None:
                seen.update(crawl_children(served.process.pid))
                with contextlib.suppress(subprocess.TimeoutExpired):
                    served.process.wait(timeout=0.2)
            assert served.process.returncode == 0
            assert not (served.home / "serve.json").exists()
        assert seen
        # At serve's exit, not later: an orphaned crawl would still wait on the slow page.
        assert [pid for pid in seen if alive(pid)] == []
        assert held_leases(home) == []
        asked = {r.path for r in site.requests[before:] if r.path in bodies}
        assert len(asked) < len(paths)  # the crawl was stopped, not waited for
        log = next(served.home.parent.glob("serve-*.log")).read_text()
        assert "stopping its crawls" in log
        assert "Traceback" not in log

        for path in paths:
            site.set(path, body=bodies[path])  # fast again
        with serving(home, "--interval", "1h") as restarted, restarted.client() as api:
            again = api.post("/api/v1/runs", json={"urls": urls}).json()
            finished: dict[str, Any] = wait_for(
                lambda: _done(api, again["id"]), what="the pass after the restart"
            )
            rows = api.get("/api/v1/sources").json()
            changes = api.get("/api/v1/changes").json()["changes"]
            cut = api.get(f"/api/v1/runs/{run['id']}")
    assert finished["state"] == "completed", finished
    assert finished["summary"]["not_checked"] == []
    assert sorted(r["url"] for r in rows) == sorted(urls)
    assert [r["versions"] for r in rows] == [1] * len(urls)  # nothing lost, nothing doubled
    assert all(r["last_status"] in (200, 304) for r in rows)  # 304: unchanged since the cut
    assert all(r["consecutive_failures"] == 0 for r in rows)
    assert changes == []
    assert pending_captures(home) == 0
    assert cut.status_code == 404  # the cut pass belonged to the stopped service


def site_body(site: SiteServer, path: str) -> bytes:
    """What `path` answers now."""
    import httpx

    return httpx.get(site.url(path), timeout=10).content


def _done(api: Any, run_id: str) -> dict[str, Any] | None:
    found = api.get(f"/api/v1/runs/{run_id}").json()
    return found if found["state"] not in ("queued", "running") else None
