"""WarcWriter and the readers, on real files, checked with warcio's own CLI."""

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


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[WarcWriter]:
    with WarcWriter(tmp_path) as warc:
        yield warc


def _warcio(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WARCIO, *args], capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "body",
    [b"", HTML, b"\r\n\r\nbinary\x00\xff\r\n", os.urandom(1 << 20)],
    ids=["empty", "html", "crlf-and-binary", "1mb-random"],
)
def test_response_payload_reads_back_byte_for_byte(
    writer: WarcWriter, tmp_path: Path, body: bytes
) -> None:
    ref = writer.write_response(URL, 200, "OK", HEADERS, body, WHEN)
    assert read_payload(tmp_path, ref.file, ref.offset) == body
    assert ref.payload_sha256 == hashlib.sha256(body).hexdigest()
    assert ref.payload_size == len(body)


def test_response_ref_describes_the_record(writer: WarcWriter, tmp_path: Path) -> None:
    ref = writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)
    assert re.fullmatch(rf"\d{{4}}/\d{{2}}/claimwatch-\d{{20}}-{os.getpid()}\.warc\.gz", ref.file)
    assert ref.record_type == "response"
    assert ref.offset > 0  # the warcinfo record comes first
    assert ref.length > 0
    assert ref.record_id.startswith("<urn:uuid:")
    assert ref.target_uri == URL
    assert ref.date == "2025-03-04T05:06:07.890123Z"
    assert (tmp_path / ref.file).is_file()


def test_response_warc_headers(writer: WarcWriter, tmp_path: Path) -> None:
    ref = writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)
    warc = read_record_headers(tmp_path, ref.file, ref.offset).warc
    assert warc["WARC-Type"] == "response"
    assert warc["WARC-Target-URI"] == URL
    assert warc["WARC-Date"] == "2025-03-04T05:06:07.890123Z"
    assert warc["WARC-Record-ID"] == ref.record_id
    assert warc["WARC-Payload-Digest"] == sha256_to_warc_digest(ref.payload_sha256)
    assert warc["WARC-Block-Digest"].startswith("sha256:")
    assert warc["Content-Type"] == "application/http; msgtype=response"


def test_http_headers_describe_the_stored_body(writer: WarcWriter, tmp_path: Path) -> None:
    wire = [*HEADERS, ("Transfer-Encoding", "chunked"), ("Content-Length", "17")]
    ref = writer.write_response(URL, 404, "", wire, HTML, WHEN)
    stored = read_record_headers(tmp_path, ref.file, ref.offset)
    names = [name for name, _ in stored.http]
    assert stored.status == 404
    assert "Transfer-Encoding" not in names
    assert ("Content-Length", str(len(HTML))) in stored.http
    assert names.count("Content-Length") == 1
    assert [v for k, v in stored.http if k == "Set-Cookie"] == ["a=1", "b=2"]


@pytest.mark.parametrize("profile", [PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED])
def test_revisit_refers_to_the_original(writer: WarcWriter, tmp_path: Path, profile: str) -> None:
    original = writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)
    status = 200 if profile == PROFILE_IDENTICAL else 304
    revisit = writer.write_revisit(
        URL, status, "", HEADERS, WHEN, refers_to=original, profile=profile
    )
    warc = read_record_headers(tmp_path, revisit.file, revisit.offset).warc
    assert revisit.record_type == "revisit"
    assert revisit.payload_sha256 == original.payload_sha256
    assert revisit.payload_size == original.payload_size
    assert warc["WARC-Type"] == "revisit"
    assert warc["WARC-Profile"] == profile
    assert warc["WARC-Refers-To"] == original.record_id
    assert warc["WARC-Refers-To-Target-URI"] == URL
    assert warc["WARC-Refers-To-Date"] == original.date


def test_identical_revisit_carries_the_payload_digest(writer: WarcWriter, tmp_path: Path) -> None:
    original = writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)
    revisit = writer.write_revisit(
        URL, 200, "OK", HEADERS, WHEN, refers_to=original, profile=PROFILE_IDENTICAL
    )
    warc = read_record_headers(tmp_path, revisit.file, revisit.offset).warc
    assert warc["WARC-Payload-Digest"] == sha256_to_warc_digest(original.payload_sha256)
    assert revisit.length < original.length + 200  # headers only: the body is not stored again


def test_not_modified_revisit_without_an_original(writer: WarcWriter, tmp_path: Path) -> None:
    revisit = writer.write_revisit(
        URL, 304, "", [("Etag", '"abc"')], WHEN, refers_to=None, profile=PROFILE_NOT_MODIFIED
    )
    stored = read_record_headers(tmp_path, revisit.file, revisit.offset)
    assert stored.status == 304
    assert "WARC-Refers-To" not in stored.warc
    assert "WARC-Payload-Digest" not in stored.warc
    assert revisit.payload_sha256 == ""
    assert revisit.payload_size is None


def test_a_revisit_has_no_payload_to_read(writer: WarcWriter, tmp_path: Path) -> None:
    revisit = writer.write_revisit(
        URL, 304, "", [], WHEN, refers_to=None, profile=PROFILE_NOT_MODIFIED
    )
    with pytest.raises(ValueError, match="revisit record, not a response"):
        read_payload(tmp_path, revisit.file, revisit.offset)


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


def test_record_ref_reads_back_what_was_written(writer: WarcWriter, tmp_path: Path) -> None:
    ref = writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)
    again = record_ref(tmp_path, ref.file, ref.offset, ref.length, payload_size=len(HTML))
    assert again == ref


def test_records_tile_the_file(writer: WarcWriter, tmp_path: Path) -> None:
    refs: list[RecordRef] = [writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)]
    refs.append(
        writer.write_revisit(
            URL, 304, "", [], WHEN, refers_to=refs[0], profile=PROFILE_NOT_MODIFIED
        )
    )
    refs.append(writer.write_response(URL + "?2", 200, "OK", HEADERS, HTML * 3, WHEN))
    for before, after in itertools.pairwise(refs):
        assert after.offset == before.offset + before.length
    assert (tmp_path / refs[-1].file).stat().st_size == refs[-1].offset + refs[-1].length


def test_file_starts_with_warcinfo_naming_the_software(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as warc:
        pass
    headers = read_record_headers(tmp_path, warc.file, 0).warc
    info = warc.path.read_bytes()
    assert headers["WARC-Type"] == "warcinfo"
    assert headers["WARC-Filename"] == warc.path.name
    assert warc.path.suffixes == [".warc", ".gz"]
    assert info[:2] == b"\x1f\x8b"


def test_two_writers_never_share_a_file(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as one, WarcWriter(tmp_path) as two:
        assert one.path != two.path


def test_warcio_index_and_check_accept_the_file(writer: WarcWriter, tmp_path: Path) -> None:
    original = writer.write_response(URL, 200, "OK", HEADERS, HTML, WHEN)
    writer.write_revisit(
        URL, 200, "OK", HEADERS, WHEN, refers_to=original, profile=PROFILE_IDENTICAL
    )
    writer.write_revisit(URL, 304, "", [], WHEN, refers_to=original, profile=PROFILE_NOT_MODIFIED)
    writer.close()
    index = _warcio("index", "-f", "warc-type,offset", writer.path)
    check = _warcio("check", "-v", writer.path)
    assert index.returncode == 0, index.stderr
    assert index.stdout.count("warc-type") == 4
    assert check.returncode == 0, check.stdout
    assert check.stdout.count("digest pass") == 2  # warcinfo and response; revisits unchecked


def test_close_is_idempotent(tmp_path: Path) -> None:
    warc = WarcWriter(tmp_path)
    warc.close()
    warc.close()
    assert warc.path.stat().st_size > 0


@pytest.mark.parametrize("body", [b"", HTML])
def test_digest_conversions_round_trip(body: bytes) -> None:
    hex_digest = hashlib.sha256(body).hexdigest()
    assert warc_digest_to_sha256(sha256_to_warc_digest(hex_digest)) == hex_digest


def test_non_sha256_digests_have_no_hex(tmp_path: Path) -> None:
    assert warc_digest_to_sha256("sha1:2JMTNH7VCLHPD3WJAIPSZNMRPDJGONBA") == ""
    assert warc_digest_to_sha256("") == ""
