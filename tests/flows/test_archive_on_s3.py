"""Monitoring passes with the archive on S3 (moto): crawl, analyse, diff, verify and export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimwatch.cli import app
from claimwatch.sitesrv import SiteServer
from storage.settings import get_settings
from tests.flows.pipeline import PATH, changes_json, cli, run_pass, serve
from tests.s3server import S3Server

pytestmark = pytest.mark.slow

WARCIO = Path(sys.executable).parent / "warcio"


def test_passes_with_the_archive_on_s3(
    home: Path,
    fresh_site: SiteServer,
    s3_archive: str,
    s3_server: S3Server,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CLAIMWATCH_ARCHIVE_URL", s3_archive)
    get_settings.cache_clear()
    bucket = s3_archive.split("//", 1)[1].split("/", 1)[0]
    url = fresh_site.url(PATH)
    serve(fresh_site, "v1")
    cli("track", url)
    assert run_pass() == {"checked": 1, "new": 1, "changed": 0, "unchanged": 0, "errors": 0}
    serve(fresh_site, "v3-text-edit")
    assert run_pass()["changed"] == 1

    # Analysis read both payloads back from S3: the change and the diff exist.
    [change] = changes_json()
    assert (change["from_version"], change["to_version"]) == (1, 2)
    assert "recover as quickly" in cli("diff", url)
    keys = s3_server.keys(bucket)
    assert len(keys) == 2
    assert all(key.startswith("archive/") and key.endswith(".warc.gz") for key in keys)
    assert not (home / "archive").exists()

    verify = CliRunner().invoke(app, ["verify", "--format", "json"])
    assert verify.exit_code == 0, verify.output
    assert json.loads(verify.stdout)["captures"] == 2

    out = tmp_path / "export.warc.gz"
    cli("export", "warc", "--since", "1d", str(out))
    index = subprocess.run(
        [WARCIO, "index", "-f", "warc-type,warc-target-uri", out],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    assert [row["warc-type"] for row in rows] == ["warcinfo", "response", "response"]
    assert {row["warc-target-uri"] for row in rows[1:]} == {url}
