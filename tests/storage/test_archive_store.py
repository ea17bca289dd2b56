"""The archive stores: locations as URLs, durability points, permissions, listing and errors."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.archive import WarcWriter, read_payload
from storage.archive_store import (
    ArchiveUnavailable,
    LocalStore,
    S3ArchiveStore,
    configured_store,
    mask_url,
    open_store,
)
from storage.settings import get_settings
from tests.s3server import S3Server

URL = "https://blog.example/oxytocin-superpower/"
WHEN = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
HTML = b"<html><body><p>Oxytocin lowers cortisol.</p></body></html>"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/srv/claimwatch/archive", LocalStore),
        ("file:///srv/claimwatch/archive", LocalStore),
        ("s3://bucket/some/prefix", S3ArchiveStore),
        ("s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=eu-west-1", S3ArchiveStore),
    ],
)
def test_archive_urls_pick_their_store(url: str, kind: type, tmp_path: Path) -> None:
    assert isinstance(open_store(url, spool_dir=tmp_path), kind)


def test_a_local_url_names_its_directory(tmp_path: Path) -> None:
    store = open_store(f"file://{tmp_path}/archive", spool_dir=tmp_path)
    assert isinstance(store, LocalStore)
    assert store.root == tmp_path / "archive"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://bucket/prefix?secret_access_key=x", "unknown option"),
        ("gs://bucket/prefix", "unsupported archive URL"),
        ("s3:///prefix", "no bucket"),
    ],
)
def test_bad_archive_urls_are_refused(url: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=message):
        open_store(url, spool_dir=tmp_path)


def test_credentials_in_the_url_are_refused_without_repeating_them(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="credentials do not belong") as caught:
        open_store("s3://AKIAKEY:s3cr3t@bucket/prefix", spool_dir=tmp_path)
    assert "s3cr3t" not in str(caught.value)
    assert "AKIAKEY" not in str(caught.value)


def test_the_location_shown_holds_no_secret(tmp_path: Path) -> None:
    url = "s3://bucket/prefix?endpoint=http://user:pa55@127.0.0.1:9000"
    store = open_store(url, spool_dir=tmp_path)
    assert "pa55" not in store.location
    assert store.location == "s3://bucket/prefix?endpoint=http://user:***@127.0.0.1:9000"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:pw@host:8080/x", "https://user:***@host:8080/x"),
        ("https://host/x", "https://host/x"),
        ("s3://bucket/prefix", "s3://bucket/prefix"),
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_the_default_archive_is_the_directory_under_home(home: Path) -> None:
    store = configured_store()
    assert isinstance(store, LocalStore)
    assert store.root == home / "archive"


def test_claimwatch_archive_url_selects_the_store(
    home: Path, s3_archive: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_ARCHIVE_URL", s3_archive)
    get_settings.cache_clear()
    store = configured_store()
    assert isinstance(store, S3ArchiveStore)
    assert store.spool_dir == home / "spool"


def test_local_files_and_directories_are_private(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "archive")
    with WarcWriter(store) as warc:
        warc.write_response(URL, 200, "OK", [], HTML, WHEN)
    path = tmp_path / "archive" / warc.file
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert _mode(path.parent.parent) == 0o700
    assert _mode(tmp_path / "archive") == 0o700


def test_local_names_stay_inside_the_archive(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "archive")
    with pytest.raises(ValueError, match="not a name inside the archive"):
        store.read("../outside.warc.gz", 0, 10)


def test_s3_records_reach_the_store_only_at_sync(
    s3_archive: str, s3_server: S3Server, tmp_path: Path
) -> None:
    store = S3ArchiveStore(s3_archive, spool_dir=tmp_path / "spool")
    bucket = store.bucket
    warc = WarcWriter(store)
    first = warc.write_response(URL, 200, "OK", [], HTML, WHEN)
    assert s3_server.keys(bucket) == []
    assert _mode(tmp_path / "spool") == 0o700
    assert [_mode(p) for p in (tmp_path / "spool").iterdir()] == [0o600]
    warc.sync()
    assert s3_server.keys(bucket) == [f"archive/{first.file}"]
    assert list((tmp_path / "spool").iterdir()) == []  # uploaded, so no longer spooled
    second = warc.write_response(URL + "?2", 200, "OK", [], HTML * 2, WHEN)
    warc.close()
    assert second.file != first.file  # the uploaded object is complete: a new one started
    assert s3_server.keys(bucket) == sorted(f"archive/{f}" for f in (first.file, second.file))
    assert read_payload(store, second.file, second.offset, length=second.length) == HTML * 2


def test_s3_failed_upload_raises_and_keeps_the_spool_for_a_retry(
    s3_archive: str, s3_server: S3Server, tmp_path: Path
) -> None:
    missing_bucket = s3_archive.replace("s3://claimwatch-", "s3://claimwatch-later-", 1)
    store = S3ArchiveStore(missing_bucket, spool_dir=tmp_path / "spool")
    warc = WarcWriter(store)
    ref = warc.write_response(URL, 200, "OK", [], HTML, WHEN)
    with pytest.raises(OSError, match=ref.file):
        warc.sync()
    assert len(list((tmp_path / "spool").iterdir())) == 1
    s3_server.client().create_bucket(Bucket=store.bucket)
    warc.sync()
    assert read_payload(store, ref.file, ref.offset, length=ref.length) == HTML


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_files_lists_warc_files_and_stat_tells_a_missing_one(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if kind == "local":
        store: LocalStore | S3ArchiveStore = LocalStore(tmp_path / "archive")
    else:
        store = S3ArchiveStore(request.getfixturevalue("s3_archive"), spool_dir=tmp_path)
    with WarcWriter(store) as one, WarcWriter(store) as two:
        one.write_response(URL, 200, "OK", [], HTML, WHEN)
    listed = list(store.files())
    assert [f.name for f in listed] == sorted([one.file, two.file])
    assert all(f.size > 0 for f in listed)
    assert store.stat("2020/01/none.warc.gz") is None
    with pytest.raises(FileNotFoundError):
        store.read("2020/01/none.warc.gz", 0, 10)


def test_listing_a_missing_local_archive_says_so(tmp_path: Path) -> None:
    with pytest.raises(ArchiveUnavailable, match="archive directory not found"):
        list(LocalStore(tmp_path / "nowhere").files())
