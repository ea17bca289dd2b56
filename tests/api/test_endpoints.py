"""Every REST endpoint in-process (FastAPI TestClient) over a real recorded archive: the JSON
equals the CLI's `--format json` for the same records, and the archive stays inert."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from claimwatch.api.app import create_app
from claimwatch.api.security import Access
from claimwatch.cli import app as cli
from tests.api.conftest import Archive
from tests.web.archive import environment


def cli_json(archive: Archive, *args: str) -> Any:
    """What `claimwatch ARGS --format json` prints, parsed."""
    with environment(archive.env):
        result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def source_id(client: TestClient, url: str) -> int:
    """The id of the source with this URL."""
    return next(s["id"] for s in client.get("/api/v1/sources").json() if s["url"] == url)


def the_change(client: TestClient) -> dict[str, Any]:
    """The demo's one recorded change."""
    return client.get("/api/v1/changes").json()["changes"][0]


def test_sources_equal_the_cli(client: TestClient, archive: Archive) -> None:
    assert client.get("/api/v1/sources").json() == cli_json(archive, "sources")


def test_sources_carry_health(client: TestClient) -> None:
    row = client.get("/api/v1/sources").json()[0]
    assert row["last_status"] == 200
    assert row["consecutive_failures"] == 0
    assert row["next_check"].endswith("Z")
    assert row["last_checked_at"].endswith("Z")


def test_changes_equal_the_cli(client: TestClient, archive: Archive) -> None:
    page = client.get("/api/v1/changes").json()
    assert page["changes"] == list(reversed(cli_json(archive, "changes")))
    assert page["next_cursor"] is None


def test_changes_cursor_pages_through_everything(client: TestClient) -> None:
    every = client.get("/api/v1/changes").json()["changes"]
    seen, cursor = [], None
    while True:
        page = client.get(
            "/api/v1/changes", params={"limit": 1, **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [c["id"] for c in page["changes"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [c["id"] for c in every]


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"kind": "claims"}, True),
        ({"kind": "status"}, False),
        ({"severity": "major"}, True),
        ({"tag": "demo"}, True),
        ({"tag": "nope"}, False),
        ({"site": "127.0.0.1"}, True),
        ({"site": "elsewhere.example"}, False),
        ({"since": "1d"}, True),
        ({"until": "2000-01-01"}, False),
    ],
)
def test_changes_filters(client: TestClient, params: dict[str, str], found: bool) -> None:
    assert bool(client.get("/api/v1/changes", params=params).json()["changes"]) is found


def test_changes_filters_equal_the_cli(client: TestClient, archive: Archive) -> None:
    api = client.get(
        "/api/v1/changes", params={"kind": "claims", "severity": "major", "tag": "demo"}
    )
    cli_rows = cli_json(
        archive, "changes", "--kind", "claims", "--severity", "major", "--tag", "demo"
    )
    assert api.json()["changes"] == list(reversed(cli_rows))


def test_bad_filters_are_422(client: TestClient) -> None:
    assert client.get("/api/v1/changes", params={"kind": "bogus"}).status_code == 422
    assert client.get("/api/v1/changes", params={"cursor": "!!"}).status_code == 422
    assert client.get("/api/v1/changes", params={"since": "soon"}).status_code == 422
    assert (
        client.get("/api/v1/changes", params={"url": "http://untracked.example/"}).status_code
        == 404
    )


def test_one_change_and_its_diff(client: TestClient) -> None:
    change = the_change(client)
    assert client.get(f"/api/v1/changes/{change['id']}").json() == change
    diff = client.get(f"/api/v1/changes/{change['id']}/diff").json()
    assert {op for op, _ in diff["text"]["ops"]} >= {-1, 1}
    assert diff["claims"] == change["claims"]
    assert client.get("/api/v1/changes/999999/diff").status_code == 404


def test_diff_html_fragment(client: TestClient) -> None:
    change = the_change(client)
    response = client.get(f"/api/v1/changes/{change['id']}/diff", params={"format": "html"})
    assert response.headers["content-type"].startswith("text/html")
    assert "sandbox" in response.headers["content-security-policy"]
    assert "<ins>" in response.text and "<del>" in response.text


def test_versions_equal_the_history(client: TestClient, archive: Archive) -> None:
    url = the_change(client)["url"]
    sid = source_id(client, url)
    assert client.get(f"/api/v1/articles/{sid}/versions").json() == cli_json(
        archive, "history", url
    )


@pytest.mark.parametrize("what", ["claims", "references"])
def test_claims_and_references_equal_the_cli(
    client: TestClient, archive: Archive, what: str
) -> None:
    url = the_change(client)["url"]
    sid = source_id(client, url)
    for version in ("1", "2"):
        api = client.get(f"/api/v1/articles/{sid}/{what}", params={"version": version}).json()
        assert api == cli_json(archive, what, url, "--version", version)
    assert client.get(f"/api/v1/articles/{sid}/{what}").json() == cli_json(archive, what, url)


def test_at_a_date_picks_the_version_current_then(client: TestClient) -> None:
    url = the_change(client)["url"]
    sid = source_id(client, url)
    versions = client.get(f"/api/v1/articles/{sid}/versions").json()
    first = client.get(f"/api/v1/articles/{sid}/text", params={"at": versions[0]["captured_at"]})
    assert first.json()["version"] == 1
    assert client.get(f"/api/v1/articles/{sid}/text").json()["version"] == len(versions)
    assert (
        client.get(f"/api/v1/articles/{sid}/claims", params={"at": "2000-01-01"}).status_code == 404
    )


def test_capture_is_inert(client: TestClient) -> None:
    sid = source_id(client, the_change(client)["url"])
    page = client.get(f"/api/v1/articles/{sid}/versions/1/capture")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("sandbox")
    text = client.get(f"/api/v1/articles/{sid}/versions/1/capture", params={"text": "true"})
    assert text.headers["content-type"].startswith("text/plain")
    assert "<html" in text.text.lower()


def test_alert_channels_are_masked(client: TestClient, archive: Archive) -> None:
    secret = "s3cr3tT0kenValue"
    with environment(archive.env):
        added = CliRunner().invoke(cli, ["alerts", "add", f"json://user:{secret}@127.0.0.1:9/hook"])
    assert added.exit_code == 0, added.output
    response = client.get("/api/v1/alerts/channels")
    assert response.status_code == 200 and response.json()
    assert secret not in response.text
    assert response.json() == cli_json(archive, "alerts", "list")


def test_add_update_remove_a_source(client: TestClient, archive: Archive) -> None:
    url = archive.site.url("/api-added")
    added = client.post("/api/v1/sources", json={"urls": [url], "interval": "2h", "tags": ["x"]})
    assert added.status_code == 201
    row = added.json()[0]
    assert (row["interval"], row["tags"], row["active"]) == ("2h", ["x"], True)
    patched = client.patch(f"/api/v1/sources/{row['id']}", json={"interval": "1d", "tags": ["y"]})
    assert (patched.json()["interval"], patched.json()["tags"]) == ("1d", ["y"])
    assert client.delete(f"/api/v1/sources/{row['id']}").json()["active"] is False
    assert row["url"] not in [s["url"] for s in client.get("/api/v1/sources").json()]


@pytest.mark.parametrize(
    "url", ["http://10.0.0.7/post", "http://169.254.169.254/latest/meta-data", "ftp://x.example/"]
)
def test_adding_refuses_private_addresses_and_bad_urls(
    archive: Archive, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**archive.env, "CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES": "false"}
    with environment(env), TestClient(create_app()) as guarded:
        response = guarded.post("/api/v1/sources", json={"urls": [url]})
    assert response.status_code == 422


def test_untracked_run_target_is_422(client: TestClient) -> None:
    response = client.post("/api/v1/runs", json={"urls": ["http://nowhere.example/x"]})
    assert response.status_code == 422


def test_a_run_in_process_checks_the_urls(client: TestClient, archive: Archive) -> None:
    url = archive.urls[0]
    run = client.post("/api/v1/runs", json={"urls": [url]}).json()
    assert run["state"] in ("queued", "running")
    requests = 0
    while run["state"] in ("queued", "running"):  # the service answers at the pass's end
        run = client.get(f"/api/v1/runs/{run['id']}", params={"wait": 30}).json()
        requests += 1
    assert run["state"] == "completed", run.get("error")
    assert run["summary"]["checked"] == 1
    assert requests <= 3  # each request waited (up to 30 s) for the pass, none polled
    assert client.get("/api/v1/runs/nope", params={"wait": 1}).status_code == 404
    assert client.get(f"/api/v1/runs/{run['id']}", params={"wait": 31}).status_code == 422


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/changes", "/api/v1/sources", "/feeds/changes.atom"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


# --- tokens ---------------------------------------------------------------------------------


@pytest.fixture
def guarded(archive: Archive) -> Any:
    """The app with a token, loopback rules (reads open, writes need the token)."""
    with environment(archive.env), TestClient(create_app(access=Access(token="t0ken"))) as c:
        yield c


def test_writes_need_the_token(guarded: TestClient, archive: Archive) -> None:
    body = {"urls": [archive.site.url("/tokened")]}
    assert guarded.post("/api/v1/sources", json=body).status_code == 401
    wrong = {"Authorization": "Bearer t0kem"}
    assert guarded.post("/api/v1/sources", json=body, headers=wrong).status_code == 401
    assert guarded.delete("/api/v1/sources/1").status_code == 401
    assert guarded.post("/api/v1/runs", json={}).status_code == 401
    change_id = the_change(guarded)["id"]
    assert guarded.post(f"/api/v1/changes/{change_id}/review", json={}).status_code == 401
    right = {"Authorization": "Bearer t0ken"}
    assert guarded.post("/api/v1/sources", json=body, headers=right).status_code == 201
    assert guarded.get("/api/v1/sources").status_code == 200


def test_non_loopback_needs_the_token_for_everything(archive: Archive) -> None:
    access = Access.for_host("0.0.0.0", "t0ken")
    with environment(archive.env), TestClient(create_app(access=access)) as c:
        for path in ("/api/v1/sources", "/openapi.json", "/docs", "/feeds/changes.atom", "/"):
            assert c.get(path).status_code == 401, path
        assert (
            c.get("/api/v1/sources", headers={"Authorization": "Bearer t0ken"}).status_code == 200
        )


def test_non_loopback_without_token_refuses_to_start() -> None:
    from claimwatch.api.security import InsecureBinding

    with pytest.raises(InsecureBinding):
        Access.for_host("0.0.0.0", "")
    assert Access.for_host("127.0.0.1", "").reads_need_token is False
    assert Access.for_host("::1", "").reads_need_token is False


def test_no_cors_by_default(client: TestClient) -> None:
    response = client.get("/api/v1/sources", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
