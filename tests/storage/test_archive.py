"""WarcWriter and the readers on a local directory and on S3 (moto), checked with warcio's CLI."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.archive import (
    PROFILE_IDENTICAL,
    PROFILE_NOT_MODIFIED,
    RecordRef,
    WarcWriter,
    read_payload,
    read_record_headers,
    record_ref,
    sha256_to_warc_digest,
    warc_digest_to_sha256,
)
from storage.archive_store import ArchiveStore, LocalStore, S3ArchiveStore

WARCIO = Path(sys.executable).parent / "warcio"
URL = "https://blog.example/oxytocin-superpower/"
WHEN = datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
HTML = b"<html><body><p>Oxytocin lowers cortisol.</p></body></html>"
HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Etag", '"abc"'),
    ("Set-Cookie", "a=1"),
    ("Set-Cookie", "b=2"),
]


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArchiveStore:
    """An empty archive: a local directory, or a prefix of a fresh bucket on the S3 server."""
    if request.param == "local":
        return LocalStore(tmp_path / "archive")
    url = request.getfixturevalue("s3_archive")
    return S3ArchiveStore(url, spool_dir=tmp_path / "spool")


@pytest.fixture
def writer(store: ArchiveStore) -> Iterator[WarcWriter]:
    with WarcWriter(store) as warc:
        yield warc


def _local_copy(store: ArchiveStore, name: str, tmp_path: Path) -> Path:
    """The whole file `name` as a local file (for warcio's CLI)."""
    copy = tmp_path / "copies" / name
    copy.parent.mkdir(parents=True, exist_ok=True)
    with store.open(name) as handle:
        copy.write_bytes(handle.read())
    return copy


def _warcio(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WARCIO, *args], capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "body",
    [b"", HTML, b"\r\n\r\nbinary\x00\xff\r\n", os.urandom(1 << 20)],
    ids=["empty", "html", "crlf-and-binary", "1mb-random"],
)
def test_response_payload_reads_back_byte_for_byte(
    writer: WarcWriter, store: ArchiveStore, body: bytes
) -> None:
    ref = writer.write_response(URL, 200, "OK", HEADERS, body, WHEN)
    writer.sync()
    assert read_payload(store, ref.file, ref.offset) == body
    assert read_payload(store, ref.file, ref.offset, length=ref.length) == body
    assert ref.payload_sha256 == hashlib.sha256(body).hexdigest()
    assert ref.payload_size == len(body)


def test_response_ref_describes_the_record(writer: WarcWriter, store: ArchiveStore) -> None:
    ref = writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)
    writer.sync()
    name = rf"\d{{4}}/\d{{2}}/claimwatch-\d{{20}}-{os.getpid()}-[0-9a-f]{{6}}\.warc\.gz"
    assert re.fullmatch(name, ref.file)
    assert ref.record_type == "response"
    assert ref.offset > 0  # the warcinfo record comes first
    assert ref.length > 0
    assert ref.record_id.startswith("<urn:uuid:")
    assert ref.target_uri == URL
    assert ref.date == "2025-03-04T05:06:07.890123Z"
    assert store.stat(ref.file) is not None


def test_response_warc_headers(writer: WarcWriter, store: ArchiveStore) -> None:
    ref = writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)
    writer.sync()
    warc = read_record_headers(store, ref.file, ref.offset).warc
    assert warc["WARC-Type"] == "response"
    assert warc["WARC-Target-URI"] == URL
    assert warc["WARC-Date"] == "2025-03-04T05:06:07.890123Z"
    assert warc["WARC-Record-ID"] == ref.record_id
    assert warc["WARC-Payload-Digest"] == sha256_to_warc_digest(ref.payload_sha256)
    assert warc["WARC-Block-Digest"].startswith("sha256:")
    assert warc["Content-Type"] == "application/http; msgtype=response"


def test_http_headers_describe_the_stored_body(writer: WarcWriter, store: ArchiveStore) -> None:
    wire = [*HEADERS, ("Transfer-Encoding", "chunked"), ("Content-Length", "17")]
    ref = writer.write_response(URL, 404, "", wire, HTML, WHEN)
    writer.sync()
    stored = read_record_headers(store, ref.file, ref.offset, length=ref.length)
    names = [name for name, _ in stored.http]
    assert stored.status == 404
    assert "Transfer-Encoding" not in names
    assert ("Content-Length", str(len(HTML))) in stored.http
    assert names.count("Content-Length") == 1
    assert [v for k, v in stored.http if k == "Set-Cookie"] == ["a=1", "b=2"]


@pytest.mark.parametrize("profile", [PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED])
def test_revisit_refers_to_the_original(
    writer: WarcWriter, store: ArchiveStore, profile: str
) -> None:
    original = writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)
    status = 200 if profile == PROFILE_IDENTICAL else 304
    revisit = writer.write_revisit(
        URL, status, "", HEADERS, WHEN, refers_to=original, profile=profile
    )
    writer.sync()
    warc = read_record_headers(store, revisit.file, revisit.offset).warc
    assert revisit.record_type == "revisit"
    assert revisit.payload_sha256 == original.payload_sha256
    assert revisit.payload_size == original.payload_size
    assert warc["WARC-Type"] == "revisit"
    assert warc["WARC-Profile"] == profile
    assert warc["WARC-Refers-To"] == original.record_id
    assert warc["WARC-Refers-To-Target-URI"] == URL
    assert warc["WARC-Refers-To-Date"] == original.date


def test_identical_revisit_carries_the_payload_digest(
    writer: WarcWriter, store: ArchiveStore
) -> None:
    original = writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)
    revisit = writer.write_revisit(
        URL, 200, "OK", HEADERS, WHEN, refers_to=original, profile=PROFILE_IDENTICAL
    )
    writer.sync()
    warc = read_record_headers(store, revisit.file, revisit.offset).warc
    assert warc["WARC-Payload-Digest"] == sha256_to_warc_digest(original.payload_sha256)
    assert revisit.length < original.length + 200  # headers only: the body is not stored again


def test_not_modified_revisit_without_an_original(writer: WarcWriter, store: ArchiveStore) -> None:
    revisit = writer.write_revisit(
        URL, 304, "", [("Etag", '"abc"')], WHEN, refers_to=None, profile=PROFILE_NOT_MODIFIED
    )
    writer.sync()
    stored = read_record_headers(store, revisit.file, revisit.offset)
    assert stored.status == 304
    assert "WARC-Refers-To" not in stored.warc
    assert "WARC-Payload-Digest" not in stored.warc
    assert revisit.payload_sha256 == ""
    assert revisit.payload_size is None


def test_a_revisit_has_no_payload_to_read(writer: WarcWriter, store: ArchiveStore) -> None:
    revisit = writer.write_revisit(
        URL, 304, "", [], WHEN, refers_to=None, profile=PROFILE_NOT_MODIFIED
    )
    writer.sync()
    with pytest.raises(ValueError, match="revisit record, not a response"):
        read_payload(store, revisit.file, revisit.offset, length=revisit.length)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"refers_to": None, "profile": PROFILE_IDENTICAL}, "needs the record it repeats"),
        ({"refers_to": None, "profile": "http://example.org/other"}, "unknown revisit profile"),
    ],
)
def test_bad_revisits_are_refused(writer: WarcWriter, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        writer.write_revisit(URL, 200, "OK", HEADERS, WHEN, **kwargs)


def test_naive_datetimes_are_refused(writer: WarcWriter) -> None:
    with pytest.raises(ValueError, match="naive"):
        writer.write_response(URL, 200, "OK", HEADERS, HTML, datetime(2025, 1, 1))


def test_record_ref_reads_back_what_was_written(writer: WarcWriter, store: ArchiveStore) -> None:
    ref = writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)
    writer.sync()
    again = record_ref(store, ref.file, ref.offset, ref.length, payload_size=len(HTML))
    assert again == ref


def test_records_tile_the_file(writer: WarcWriter, store: ArchiveStore) -> None:
    refs: list[RecordRef] = [writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)]
    refs.append(
        writer.write_revisit(
            URL, 304, "", [], WHEN, refers_to=refs[0], profile=PROFILE_NOT_MODIFIED
        )
    )
    refs.append(writer.write_response(URL + "?2", 200, "OK", HEADERS, HTML * 3, WHEN))
    writer.sync()
    for before, after in itertools.pairwise(refs):
        assert after.offset == before.offset + before.length
    stored = store.stat(refs[-1].file)
    assert stored is not None
    assert stored.size == refs[-1].offset + refs[-1].length


def test_file_starts_with_warcinfo_naming_the_software(store: ArchiveStore, tmp_path: Path) -> None:
    with WarcWriter(store) as warc:
        pass
    headers = read_record_headers(store, warc.file, 0).warc
    info = _local_copy(store, warc.file, tmp_path).read_bytes()
    assert headers["WARC-Type"] == "warcinfo"
    assert headers["WARC-Filename"] == warc.file.rsplit("/", 1)[-1]
    assert headers["WARC-Filename"].endswith(".warc.gz")
    assert info[:2] == b"\x1f\x8b"


def test_two_writers_never_share_a_file(store: ArchiveStore) -> None:
    with WarcWriter(store) as one, WarcWriter(store) as two:
        assert one.file != two.file


def test_warcio_index_and_check_accept_the_file(
    writer: WarcWriter, store: ArchiveStore, tmp_path: Path
) -> None:
    original = writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)
    writer.write_revisit(
        URL, 200, "OK", HEADERS, WHEN, refers_to=original, profile=PROFILE_IDENTICAL
    )
    writer.write_revisit(URL, 304, "", [], WHEN, refers_to=original, profile=PROFILE_NOT_MODIFIED)
    writer.close()
    copy = _local_copy(store, writer.file, tmp_path)
    index = _warcio("index", "-f", "warc-type,offset", copy)
    check = _warcio("check", "-v", copy)
    assert index.returncode == 0, index.stderr
    assert index.stdout.count("warc-type") == 4
    assert check.returncode == 0, check.stdout
    assert check.stdout.count("digest pass") == 2  # warcinfo and response; revisits unchecked


def test_close_is_idempotent(store: ArchiveStore) -> None:
    warc = WarcWriter(store)
    warc.close()
    warc.close()
    stored = store.stat(warc.file)
    assert stored is not None
    assert stored.size > 0


@pytest.mark.parametrize("body", [b"", HTML])
def test_digest_conversions_round_trip(body: bytes) -> None:
    hex_digest = hashlib.sha256(body).hexdigest()
    assert warc_digest_to_sha256(sha256_to_warc_digest(hex_digest)) == hex_digest


def test_non_sha256_digests_have_no_hex(tmp_path: Path) -> None:
    assert warc_digest_to_sha256("sha1:2JMTNH7VCLHPD3WJAIPSZNMRPDJGONBA") == ""
    assert warc_digest_to_sha256("") == ""
