"""storage.export on a local directory and on S3 (moto), read back with warcio's own CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from storage.archive import WarcWriter
from storage.archive_store import ArchiveStore
from storage.export import export_warc
from tests.storage.archived import Archived, delete, make_store

WARCIO = Path(sys.executable).parent / "warcio"
V1 = b"<html><body><p>Oxytocin lowers cortisol.</p></body></html>"
V2 = b"<html><body><p>Oxytocin may lower cortisol.</p></body></html>"
OTHER = b"<html><body><p>Another article.</p></body></html>"


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArchiveStore:
    return make_store(request.param, request, tmp_path)


@pytest.fixture
def archived(db: Session, store: ArchiveStore) -> Archived:
    return Archived(db, WarcWriter(store))


def _index(path: Path) -> list[dict[str, str]]:
    result = subprocess.run(
        [WARCIO, "index", "-f", "warc-type,warc-target-uri,warc-date", path],
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_export_holds_the_records_of_the_range_in_date_order(
    archived: Archived, db: Session, tmp_path: Path
) -> None:
    one, two = archived.source("/one"), archived.source("/two")
    archived.fetch(one, V1)  # +1 min, before the range; the original of the revisits below
    archived.fetch(two, OTHER)  # +2, before the range
    archived.fetch(one, V1)  # +3, revisit (identical payload)
    archived.fetch(one, None)  # +4, revisit (304)
    archived.fetch(one, V2)  # +5, response
    archived.fetch(two, OTHER)  # +6, after the range
    out = tmp_path / "export.warc.gz"
    start = archived.start
    since, until = start + timedelta(minutes=3), start + timedelta(minutes=6)
    report = export_warc(db, store=archived.writer.store, since=since, until=until, out=out)
    index = _index(out)
    assert report.ok, report.problems
    assert report.captures == 3
    assert report.records == 4
    assert [row["warc-type"] for row in index] == [
        "warcinfo",
        "response",
        "revisit",
        "revisit",
        "response",
    ]
    assert all(row["warc-target-uri"] == one.url for row in index[1:])
    assert [row["warc-date"] for row in index[1:]] == sorted(row["warc-date"] for row in index[1:])
    check = subprocess.run([WARCIO, "check", out], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_an_empty_range_gives_a_file_with_only_warcinfo(
    archived: Archived, db: Session, tmp_path: Path
) -> None:
    archived.fetch(archived.source("/one"), V1)
    out = tmp_path / "empty.warc.gz"
    tomorrow = archived.start + timedelta(days=1)
    report = export_warc(db, store=archived.writer.store, since=tomorrow, until=None, out=out)
    assert report.ok
    assert report.records == 0
    assert [row["warc-type"] for row in _index(out)] == ["warcinfo"]


def test_a_lost_record_is_reported_and_the_rest_exported(
    archived: Archived, db: Session, store: ArchiveStore, tmp_path: Path
) -> None:
    one, two = archived.source("/one"), archived.source("/two")
    archived.fetch(one, V1)
    archived.writer.close()
    archived.writer = WarcWriter(store)
    lost = archived.fetch(two, OTHER)
    assert lost.warc_file is not None
    delete(store, lost.warc_file)
    out = tmp_path / "partial.warc.gz"
    report = export_warc(db, store=store, since=archived.start, until=None, out=out)
    assert not report.ok
    assert report.records == 1
    assert [row["warc-target-uri"] for row in _index(out)[1:]] == [one.url]
    assert not out.with_name(out.name + ".part").exists()
