"""`claimwatch serve` end to end: a subprocess on free ports with a temp home, talked to over
HTTP. Sources are added through the API, the scheduled pass checks them, the demo's edit is
found by a pass triggered through the API; the API's JSON equals the CLI's; `claimwatch run`
goes through the service; tokens; SIGTERM in the middle of a pass, restart, nothing lost or
doubled (on PostgreSQL when it is configured)."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest

from claimwatch.demo import publish
from claimwatch.sitesrv import SiteServer
from tests.api.serving import Serve, service_env, serving, wait_for
from tests.conftest import POSTGRES_URL
from tests.web.archive import postgres_database


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
    """The demo blog over real HTTP."""
    with SiteServer() as server:
        yield server


@pytest.fixture(scope="module")
def service(site: SiteServer) -> Iterator[tuple[Serve, list[str]]]:
    """One serve (SQLite, its own local Prefect server, passes every 15 s) that has checked
    the demo blog on schedule and found its edit in a pass triggered through the API."""
    with tempfile.TemporaryDirectory(prefix="claimwatch-serve-") as tmp:
        env = service_env(Path(tmp) / "home")
        with serving(env, "--interval", "15s") as served:
            urls = publish(site, edited=False)
            with served.client() as api:
                added = api.post("/api/v1/sources", json={"urls": urls, "interval": "1h"})
                assert added.status_code == 201, added.text

                def checked() -> bool:
                    rows = api.get("/api/v1/sources").json()
                    return all(r["versions"] == 1 for r in rows)

                wait_for(checked, what="the scheduled pass to check the new sources")
                publish(site, edited=True)
                run = api.post("/api/v1/runs", json={"urls": urls}).json()
                wait_for(lambda: _done(api, run["id"]), what="the triggered pass")
            yield served, urls


def _done(api: httpx.Client, run_id: str) -> dict[str, Any] | None:
    run = api.get(f"/api/v1/runs/{run_id}").json()
    return run if run["state"] not in ("queued", "running") else None


def test_the_scheduled_pass_ran_on_its_own(service: tuple[Serve, list[str]]) -> None:
    served, _ = service
    with served.client() as api:
        runs = api.get("/api/v1/service").json()["runs"]
    scheduled = [r for r in runs if r["trigger"] == "schedule" and r["state"] == "completed"]
    assert any(r["summary"]["new"] == 3 for r in scheduled)


def test_triggered_pass_is_a_prefect_flow_run(service: tuple[Serve, list[str]]) -> None:
    served, _ = service
    status = served.cli_json("status")
    request = next(r for r in status["runs"] if r["trigger"] == "request")
    flow_run = httpx.get(f"{status['prefect_api_url']}/flow_runs/{request['flow_run_id']}")
    assert flow_run.json()["state"]["type"] == "COMPLETED"
    assert request["summary"]["changed"] == 1


def test_prefect_deployment_run_runs_here(service: tuple[Serve, list[str]]) -> None:
    served, urls = service
    status = served.cli_json("status")
    assert status["deployment"] == "monitor/serve"
    env = {**served.env, "PREFECT_API_URL": status["prefect_api_url"]}
    started = subprocess.run(
        [sys.executable, "-m", "prefect", "deployment", "run", "monitor/serve",
         "--param", f'urls=["{urls[0]}"]'],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert started.returncode == 0, started.stdout + started.stderr

    def ran() -> dict[str, Any] | None:
        runs = served.cli_json("status")["runs"]
        done = [r for r in runs if r["trigger"] == "deployment" and r["state"] == "completed"]
        return done[0] if done else None

    run = wait_for(ran, what="the deployment's run to be executed by serve")
    assert run["urls"] == [urls[0]]
    assert run["summary"]["checked"] == 1


def test_changes_equal_the_cli(service: tuple[Serve, list[str]]) -> None:
    served, _ = service
    with served.client() as api:
        page = api.get("/api/v1/changes").json()
    assert len(page["changes"]) == 1
    assert page["changes"] == list(reversed(served.cli_json("changes")))
    assert page["changes"][0]["detected_at"].endswith("Z")


def test_sources_versions_claims_equal_the_cli(service: tuple[Serve, list[str]]) -> None:
    served, _ = service
    with served.client() as api:
        sources = api.get("/api/v1/sources").json()
        assert sources == served.cli_json("sources")
        change = api.get("/api/v1/changes").json()["changes"][0]
        sid = next(s["id"] for s in sources if s["url"] == change["url"])
        versions = api.get(f"/api/v1/articles/{sid}/versions").json()
        claims = api.get(f"/api/v1/articles/{sid}/claims", params={"version": 1}).json()
        references = api.get(f"/api/v1/articles/{sid}/references").json()
    assert versions == served.cli_json("history", change["url"])
    assert claims == served.cli_json("claims", change["url"], "--version", "1")
    assert references == served.cli_json("references", change["url"])


def test_articles_equal_the_cli(service: tuple[Serve, list[str]]) -> None:
    served, urls = service
    with served.client() as api:
        page = api.get("/api/v1/articles").json()
        first = api.get("/api/v1/articles", params={"limit": 2}).json()
        rest = api.get("/api/v1/articles", params={"cursor": first["next_cursor"]}).json()
    assert page["articles"] == served.cli_json("articles")
    assert first["articles"] + rest["articles"] == page["articles"]
    assert rest["next_cursor"] is None
    assert sorted(a["url"] for a in page["articles"]) == sorted(urls)
    assert sorted(a["latest_version"] for a in page["articles"]) == [1, 1, 2]  # one edit


def test_diff_capture_and_feed(service: tuple[Serve, list[str]]) -> None:
    served, _ = service
    with served.client() as api:
        change = api.get("/api/v1/changes").json()["changes"][0]
        diff = api.get(f"/api/v1/changes/{change['id']}/diff").json()
        assert diff["text"]["ops"]
        fragment = api.get(f"/api/v1/changes/{change['id']}/diff", params={"format": "html"})
        assert "<ins>" in fragment.text or "<del>" in fragment.text
        sid = next(s["id"] for s in api.get("/api/v1/sources").json() if s["url"] == change["url"])
        capture = api.get(f"/api/v1/articles/{sid}/versions/2/capture")
        assert capture.headers["content-security-policy"].startswith("sandbox")
        feed = ET.fromstring(api.get("/feeds/changes.atom", params={"kind": "claims"}).content)
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1
    assert change["summary"] in (entries[0].findtext("{http://www.w3.org/2005/Atom}summary") or "")


def test_cli_run_goes_through_the_service(service: tuple[Serve, list[str]]) -> None:
    served, urls = service
    done = served.cli("run", "--url", urls[0])
    assert done.returncode == 0, done.stderr
    assert f"queued on {served.base_url}" in done.stderr
    assert "checked: 1" in done.stdout
    untracked = served.cli("run", "--url", "http://untracked.example/post")
    assert untracked.returncode == 2
    assert "not tracked" in untracked.stderr


def test_openapi_is_served(service: tuple[Serve, list[str]]) -> None:
    served, _ = service
    with served.client() as api:
        spec = api.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/changes" in spec["paths"]


def test_refuses_non_loopback_without_token(tmp_path: Path) -> None:
    served = Serve.__new__(Serve)
    served.env = service_env(tmp_path / "home")
    done = Serve.cli(served, "serve", "--host", "0.0.0.0", "--port", "1")
    assert done.returncode == 2
    assert "CLAIMWATCH_API_TOKEN" in done.stderr


@pytest.fixture(scope="module")
def second_home(service: tuple[Serve, list[str]]) -> Iterator[dict[str, str]]:
    """A second service's environment: a token, the first service's Prefect server (through
    PREFECT_API_URL) and PostgreSQL when configured."""
    served, _ = service
    prefect_url = served.cli_json("status")["prefect_api_url"]
    with tempfile.TemporaryDirectory(prefix="claimwatch-serve2-") as tmp:
        extra = {"CLAIMWATCH_API_TOKEN": "sekrit-token", "PREFECT_API_URL": prefect_url}
        if POSTGRES_URL:
            with postgres_database(POSTGRES_URL) as database:
                yield service_env(Path(tmp) / "home", CLAIMWATCH_DATABASE_URL=database, **extra)
        else:
            yield service_env(Path(tmp) / "home", **extra)


def test_token_then_sigterm_during_a_pass_then_restart(
    second_home: dict[str, str], site: SiteServer
) -> None:
    urls = publish(site, edited=True)
    with serving(second_home, "--interval", "1h", "--grace", "0", token="sekrit-token") as served:
        anonymous = httpx.post(served.base_url + "/api/v1/sources", json={"urls": urls})
        assert anonymous.status_code == 401
        assert httpx.get(served.base_url + "/api/v1/sources").status_code == 200  # loopback
        with served.client() as api:
            assert (
                api.post("/api/v1/sources", json={"urls": urls, "interval": "1h"}).status_code
                == 201
            )
            assert "sekrit-token" not in api.get("/api/v1/service").text
            run = api.post("/api/v1/runs", json={"urls": urls}).json()
            wait_for(
                lambda: api.get(f"/api/v1/runs/{run['id']}").json()["state"] == "running",
                what="the pass to start",
            )
        assert served.stop(signal.SIGTERM) == 0
        assert not (served.home / "serve.json").exists()
    restarted = serving(second_home, "--interval", "1h", token="sekrit-token")
    with restarted as served, served.client() as api:
        run = api.post("/api/v1/runs", json={"urls": urls}).json()
        finished = wait_for(lambda: _done(api, run["id"]), what="the pass after restart")
        assert finished["state"] == "completed", finished
        rows = api.get("/api/v1/sources").json()
        changes = api.get("/api/v1/changes").json()["changes"]
    assert len(rows) == len(urls)
    assert [r["versions"] for r in rows] == [1] * len(urls)  # nothing lost, nothing doubled
    assert changes == []  # the same pages again: no spurious change
    assert pending_captures(second_home) == 0


def pending_captures(env: dict[str, str]) -> int:
    """Captures no analysis has taken up."""
    from sqlalchemy import func
    from sqlmodel import select

    from storage.models import Capture
    from tests.web.archive import environment

    with environment({k: v for k, v in env.items() if k.startswith("CLAIMWATCH_")}):
        from storage.db import session

        with session() as db:
            return int(db.exec(select(func.count()).where(Capture.analysed_at.is_(None))).one())  # type: ignore[union-attr]
