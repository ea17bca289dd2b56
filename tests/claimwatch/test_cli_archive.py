"""`claimwatch verify [--fix]` and `claimwatch export warc`: output, exit codes, both stores."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from claimwatch.cli import app
from storage.archive import WarcWriter
from storage.archive_store import configured_store
from storage.db import session
from storage.models import Capture
from storage.settings import get_settings
from tests.storage.archived import Archived, delete

WARCIO = Path(sys.executable).parent / "warcio"
V1 = b"<html><body><p>Oxytocin lowers cortisol.</p></body></html>"
V2 = b"<html><body><p>Oxytocin may lower cortisol.</p></body></html>"


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


@pytest.fixture(params=["local", "s3"])
def archive(
    request: pytest.FixtureRequest, home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    """A home whose archive (local, or CLAIMWATCH_ARCHIVE_URL on S3) holds two captures."""
    if request.param == "s3":
        monkeypatch.setenv("CLAIMWATCH_ARCHIVE_URL", request.getfixturevalue("s3_archive"))
        get_settings.cache_clear()
    with session() as db:
        archived = Archived(db, WarcWriter(configured_store()))
        source = archived.source("/one")
        first = archived.fetch(source, V1)
        archived.writer.close()
        archived.writer = WarcWriter(configured_store())
        second = archived.fetch(source, V2)
        archived.writer.close()
    assert first.warc_file is not None and second.warc_file is not None
    yield {
        "first": first.id or 0,
        "second": second.id or 0,
        "second_file": second.warc_file,
        "since": archived.start.isoformat(),
    }


def test_verify_a_sound_archive_exits_0(archive: dict) -> None:
    result = invoke("verify")
    assert result.exit_code == 0, result.output
    assert "verify: OK, 0 orphan records" in result.stdout
    assert "2 captures name a record" in result.stdout


def test_verify_json_of_a_sound_archive(archive: dict) -> None:
    result = invoke("verify", "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 0
    assert report["ok"] is True
    assert report["captures"] == 2
    assert report["problems"] == []


def test_verify_reports_a_lost_file_and_exits_1(archive: dict) -> None:
    delete(configured_store(), str(archive["second_file"]))
    result = invoke("verify", "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert report["ok"] is False
    assert [p["kind"] for p in report["problems"]] == ["missing_file"]
    assert report["problems"][0]["capture_ids"] == [archive["second"]]
    assert report["fixed"] == []


def test_verify_fix_marks_the_pending_capture_and_says_so(archive: dict) -> None:
    delete(configured_store(), str(archive["second_file"]))
    result = invoke("verify", "--fix")
    with session() as db:
        lost = db.get(Capture, archive["second"])
        kept = db.get(Capture, archive["first"])
    assert result.exit_code == 1  # the record is still lost; --fix only unblocks analysis
    assert f"--fix: marked 1 pending captures archive_error ({archive['second']})" in result.stdout
    assert lost is not None and lost.outcome == "archive_error"
    assert lost.analysed_at is not None
    assert kept is not None and kept.analysed_at is None


def test_verify_with_a_bad_archive_url_is_bad_usage(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_ARCHIVE_URL", "s3://KEY:s3cr3t@bucket/prefix")
    get_settings.cache_clear()
    result = invoke("verify")
    assert result.exit_code == 2
    assert result.stderr.startswith("claimwatch: CLAIMWATCH_ARCHIVE_URL: credentials")
    assert "s3cr3t" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_export_warc_writes_a_file_warcio_indexes(archive: dict, tmp_path: Path) -> None:
    out = tmp_path / "out.warc.gz"
    result = invoke("export", "warc", "--since", archive["since"], str(out))
    index = subprocess.run([WARCIO, "index", out], capture_output=True, text=True, check=True)
    assert result.exit_code == 0, result.output
    assert "exported 2 records of 2 captures" in result.stdout
    assert len(index.stdout.splitlines()) == 3  # warcinfo and two responses


def test_export_warc_until_narrows_the_range(archive: dict, tmp_path: Path) -> None:
    out = tmp_path / "out.warc.gz"
    since = archive["since"]
    until = (datetime.fromisoformat(since) + timedelta(minutes=2)).isoformat()
    result = invoke("export", "warc", "--since", since, "--until", until, "-f", "json", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["records"] == 1


def test_export_warc_with_a_lost_record_exits_1(archive: dict, tmp_path: Path) -> None:
    delete(configured_store(), str(archive["second_file"]))
    result = invoke("export", "warc", "--since", archive["since"], str(tmp_path / "o.warc.gz"))
    assert result.exit_code == 1
    assert "exported 1 records of 2 captures" in result.stdout
    assert "not exported" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday-ish", "OUT.warc.gz"], "not a duration or ISO date"),
        (["--since", "7d", "out.warc"], "name it *.warc.gz"),
        (["--since", "7d", "/no/such/dir/out.warc.gz"], "no such directory"),
    ],
)
def test_export_warc_bad_usage_exits_2(home: Path, args: list[str], message: str) -> None:
    result = invoke("export", "warc", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
