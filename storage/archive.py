"""The WARC archive: write responses and revisits (WARC/1.1, gzip per record), read them back.

Files live in an `ArchiveStore` (storage/archive_store.py): a local directory or an S3 prefix.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import re
import secrets
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter as _WarcioWriter

from storage.archive_store import ArchiveStore, NewFile, as_store

PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
# Scrapy hands over the de-chunked, decompressed body: headers describing the wire form would lie.
_WIRE_HEADERS = {"transfer-encoding", "content-length"}


_FILE_STAMP = re.compile(r"claimwatch-(\d{20})-")


def file_started_at(name: str) -> datetime | None:
    """When the writer started WARC file `name` (from its name), or None for other names."""
    match = _FILE_STAMP.search(name)
    if match is None:
        return None
    return datetime.strptime(match.group(1), "%Y%m%d%H%M%S%f").replace(tzinfo=UTC)


@dataclass(frozen=True)
class RecordRef:
    """Where one WARC record lies (`file` relative to the archive dir) and what it holds."""

    file: str
    offset: int
    length: int
    record_type: str  # "response" or "revisit"
    payload_sha256: str  # hex; for a revisit, that of the payload it refers to ("" if unknown)
    record_id: str
    target_uri: str = ""
    date: str = ""  # the record's WARC-Date
    payload_size: int | None = None


@dataclass(frozen=True)
class RecordHeaders:
    """The WARC and HTTP headers of one record."""

    warc: dict[str, str]
    status: int | None
    http: list[tuple[str, str]]


class _Sha256Writer(_WarcioWriter):
    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


def sha256_to_warc_digest(hex_digest: str) -> str:
    """A hex SHA-256 as a WARC digest header value (`sha256:` + base32, as warcio writes it)."""
    return "sha256:" + base64.b32encode(bytes.fromhex(hex_digest)).decode("ascii")


def warc_digest_to_sha256(value: str) -> str:
    """The hex SHA-256 of a `sha256:BASE32` WARC digest ("" for other algorithms)."""
    algo, _, encoded = value.partition(":")
    if algo.lower() != "sha256" or not encoded:
        return ""
    return base64.b32decode(encoded).hex()


def warc_date(moment: datetime) -> str:
    """A timezone-aware datetime as a WARC-Date (UTC, microseconds)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given for a WARC-Date")
    return datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True)


def _versions() -> str:
    parts = []
    for name in ("claimwatch", "scrapy", "warcio"):
        try:
            parts.append(f"{name}/{version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name}/unknown")
    return " ".join(parts)


def _http_headers(
    status: int, reason: str, headers: list[tuple[str, str]], payload_size: int | None
) -> StatusAndHeaders:
    kept = [(k, v) for k, v in headers if k.lower() not in _WIRE_HEADERS]
    if payload_size is not None:
        kept.append(("Content-Length", str(payload_size)))
    else:
        kept += [(k, v) for k, v in headers if k.lower() == "content-length"]
    reason = reason or _phrase(status)
    return StatusAndHeaders(f"{status} {reason}".strip(), kept, protocol="HTTP/1.1")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class WarcWriter:
    """Append records to new WARC files in a store; `sync()` makes them durable there.

    A record may be named (by a Capture row) only after `sync()` or `close()` has returned. On a
    local directory the file grows until `close()`; on a store that takes whole objects (S3)
    `sync()` uploads the file and the next record starts a new one.
    """

    def __init__(
        self, archive: ArchiveStore | Path | str, *, info: dict[str, str] | None = None
    ) -> None:
        self.store = as_store(archive)
        self.info = info or {}
        self.files: list[str] = []  # every file started, in order
        self._current: NewFile | None = None
        self._writer: _Sha256Writer | None = None  # writes into the current file
        # Builds records (no output needed); kept apart because files come and go.
        self._records = _Sha256Writer(BytesIO(), gzip=True, warc_version="1.1")
        self._start_file()

    @property
    def file(self) -> str:
        """The name of the file records go to (or went to last), relative to the store's root."""
        return self.files[-1]

    def _start_file(self) -> NewFile:
        now = datetime.now(UTC)
        stamp = f"{now:%Y%m%d%H%M%S%f}"
        for _ in range(100):
            # A random part: writers on several machines share one S3 prefix.
            name = f"{now:%Y}/{now:%m}/claimwatch-{stamp}-{os.getpid()}-{secrets.token_hex(3)}"
            try:
                current = self.store.create(name + ".warc.gz")
            except FileExistsError:
                continue
            break
        else:
            raise FileExistsError(f"no free WARC file name in {self.store.location}")
        self._current = current
        self.files.append(current.name)
        self._writer = _Sha256Writer(current.handle, gzip=True, warc_version="1.1")
        write_warcinfo(current.handle, current.name.rsplit("/", 1)[-1], self.info)
        current.handle.flush()
        return current

    def _append(self, current: NewFile, record: Any) -> tuple[int, int]:
        assert self._writer is not None
        offset = current.handle.tell()
        self._writer.write_record(record)
        current.handle.flush()
        return offset, current.handle.tell() - offset

    def _write(self, record: Any) -> tuple[str, int, int]:
        current = self._current or self._start_file()
        offset, length = self._append(current, record)
        return current.name, offset, length

    def write_response(
        self,
        url: str,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        body: bytes,
        fetched_at: datetime,
    ) -> RecordRef:
        """Write a `response` record holding the HTTP headers and the whole body."""
        date = warc_date(fetched_at)
        record = self._records.create_warc_record(
            url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            warc_headers_dict={"WARC-Type": "response", "WARC-Date": date},
            http_headers=_http_headers(status, reason, headers, len(body)),
        )
        file, offset, length = self._write(record)
        return RecordRef(
            file=file,
            offset=offset,
            length=length,
            record_type="response",
            payload_sha256=hashlib.sha256(body).hexdigest(),
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
            target_uri=url,
            date=date,
            payload_size=len(body),
        )

    def write_revisit(
        self,
        url: str,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        fetched_at: datetime,
        *,
        refers_to: RecordRef | None,
        profile: str,
    ) -> RecordRef:
        """Write a headers-only `revisit` record (identical payload, or HTTP 304 not modified)."""
        if profile not in (PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED):
            raise ValueError(f"unknown revisit profile: {profile}")
        if profile == PROFILE_IDENTICAL and (refers_to is None or not refers_to.payload_sha256):
            raise ValueError("an identical-payload revisit needs the record it repeats")
        date = warc_date(fetched_at)
        warc_headers = {"WARC-Type": "revisit", "WARC-Date": date, "WARC-Profile": profile}
        if refers_to is not None:
            warc_headers["WARC-Refers-To"] = refers_to.record_id
            if refers_to.target_uri:
                warc_headers["WARC-Refers-To-Target-URI"] = refers_to.target_uri
            if refers_to.date:
                warc_headers["WARC-Refers-To-Date"] = refers_to.date
        if profile == PROFILE_IDENTICAL:
            assert refers_to is not None
            warc_headers["WARC-Payload-Digest"] = sha256_to_warc_digest(refers_to.payload_sha256)
        size = refers_to.payload_size if profile == PROFILE_IDENTICAL and refers_to else None
        record = self._records.create_warc_record(
            url,
            "revisit",
            warc_headers_dict=warc_headers,
            http_headers=_http_headers(status, reason, headers, size),
        )
        file, offset, length = self._write(record)
        return RecordRef(
            file=file,
            offset=offset,
            length=length,
            record_type="revisit",
            payload_sha256=refers_to.payload_sha256 if refers_to else "",
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
            target_uri=url,
            date=date,
            payload_size=refers_to.payload_size if refers_to else None,
        )

    def sync(self) -> None:
        """Make every record written so far durable in the store (before anything names one)."""
        if self._current is not None and self._current.persist():
            self._current = None  # complete (uploaded): the next record starts a new file

    def close(self) -> None:
        """Make the records durable and release the file."""
        if self._current is not None:
            self._current.close()
            self._current = None

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _open_record(
    archive: ArchiveStore | Path | str, file: str, offset: int, length: int | None
) -> tuple[BinaryIO, Any]:
    store = as_store(archive)
    # With the record's length one read (one ranged GET on S3) fetches exactly the record.
    if length is not None:
        handle: BinaryIO = BytesIO(store.read(file, offset, length))
    else:
        handle = store.open(file)
    try:
        if length is None:
            handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)), None)
        if record is None:
            raise ValueError(f"{file}@{offset}: no WARC record there")
    except BaseException:
        handle.close()
        raise
    return handle, record


def read_payload(
    archive: ArchiveStore | Path | str, file: str, offset: int, *, length: int | None = None
) -> bytes:
    """The HTTP body stored in the response record at `offset` of `file`, byte for byte."""
    handle, record = _open_record(archive, file, offset, length)
    with handle:
        if record.rec_type != "response":
            raise ValueError(f"{file}@{offset} is a {record.rec_type} record, not a response")
        return record.raw_stream.read()


class RecordLost(ValueError):
    """The record a capture names is missing, unreadable, or not the payload its row names."""


def read_capture_payload(
    archive: ArchiveStore | Path | str,
    file: str,
    offset: int,
    *,
    length: int | None,
    payload_sha256: str | None,
) -> bytes:
    """A capture's payload, checked against its row's SHA-256.

    Raises RecordLost when this one record is lost or corrupt; an OSError from the store
    itself (unreachable, permission) propagates: that is an outage, not a lost record.
    """
    try:
        body = read_payload(archive, file, offset, length=length)
    except FileNotFoundError as exc:
        raise RecordLost(f"missing file: {_line(exc)}") from exc
    except gzip.BadGzipFile as exc:
        raise RecordLost(f"corrupt record at {file}@{offset}: {_line(exc)}") from exc
    except OSError:
        raise
    except Exception as exc:  # warcio, zlib and parsing errors: this record cannot be read
        raise RecordLost(f"corrupt record at {file}@{offset}: {_line(exc)}") from exc
    if payload_sha256 and hashlib.sha256(body).hexdigest() != payload_sha256:
        raise RecordLost(f"payload digest mismatch at {file}@{offset}")
    return body


def _line(exc: BaseException) -> str:
    # warcio quotes the bytes it could not parse: keep the message, not binary garbage.
    text = str(exc).split(", first line:")[0]
    text = "".join(ch if ch.isprintable() and ord(ch) < 0x7F else " " for ch in text)
    return " ".join(text.split())[:200] or type(exc).__name__


def read_record_headers(
    archive: ArchiveStore | Path | str, file: str, offset: int, *, length: int | None = None
) -> RecordHeaders:
    """The WARC headers and the HTTP status line and headers of the record at `offset`."""
    handle, record = _open_record(archive, file, offset, length)
    with handle:
        http = record.http_headers
        status = int(http.get_statuscode()) if http and http.get_statuscode() else None
        return RecordHeaders(
            warc=dict(record.rec_headers.headers),
            status=status,
            http=list(http.headers) if http else [],
        )


def record_ref(
    archive: ArchiveStore | Path | str,
    file: str,
    offset: int,
    length: int,
    *,
    payload_size: int | None = None,
) -> RecordRef:
    """A RecordRef for an existing record, its identity and digest read from its WARC headers."""
    warc = read_record_headers(archive, file, offset, length=length).warc
    return RecordRef(
        file=file,
        offset=offset,
        length=length,
        record_type=warc.get("WARC-Type", ""),
        payload_sha256=warc_digest_to_sha256(warc.get("WARC-Payload-Digest", "")),
        record_id=warc.get("WARC-Record-ID", ""),
        target_uri=warc.get("WARC-Target-URI", ""),
        date=warc.get("WARC-Date", ""),
        payload_size=payload_size,
    )


@dataclass(frozen=True)
class ScannedRecord:
    """One record met while reading a whole WARC file, with the digest of what it holds."""

    file: str
    offset: int
    length: int
    record_type: str
    record_id: str
    target_uri: str
    date: str
    refers_to: str  # WARC-Refers-To of a revisit ("" if none)
    payload_sha256: str  # hex SHA-256 of a response's payload as stored ("" for other types)


class CorruptWarc(ValueError):
    """A WARC file that cannot be read to its end; `good_until`: where its last good record ends."""

    def __init__(self, message: str, *, good_until: int) -> None:
        super().__init__(message)
        self.good_until = good_until


def scan_records(archive: ArchiveStore | Path | str, file: str) -> Iterator[ScannedRecord]:
    """Every record of `file` in order; CorruptWarc where the file stops making sense."""
    store = as_store(archive)
    end = 0
    with store.open(file) as handle:
        records = ArchiveIterator(handle)
        try:
            for record in records:
                digest = hashlib.sha256()
                if record.rec_type == "response":
                    while chunk := record.raw_stream.read(1 << 16):
                        digest.update(chunk)
                records.read_to_end()
                headers = record.rec_headers
                yield ScannedRecord(
                    file=file,
                    offset=records.get_record_offset(),
                    length=records.get_record_length(),
                    record_type=record.rec_type or "",
                    record_id=headers.get_header("WARC-Record-ID") or "",
                    target_uri=headers.get_header("WARC-Target-URI") or "",
                    date=headers.get_header("WARC-Date") or "",
                    refers_to=headers.get_header("WARC-Refers-To") or "",
                    payload_sha256=digest.hexdigest() if record.rec_type == "response" else "",
                )
                end = records.get_record_offset() + records.get_record_length()
        except (ArchiveLoadFailed, zlib.error, EOFError, ValueError, OSError) as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            message = f"{file}: unreadable after byte {end}: {detail}"
            raise CorruptWarc(message, good_until=end) from exc
        # warcio stops quietly at a gzip member cut short: the bytes it left are the sign.
        size = handle.seek(0, os.SEEK_END)
        if size > end:
            message = f"{file}: the {size - end} bytes after byte {end} are no complete record"
            raise CorruptWarc(message, good_until=end)


def write_warcinfo(handle: BinaryIO, filename: str, info: dict[str, str]) -> None:
    """Write a gzipped `warcinfo` record naming the software (the start of a WARC file)."""
    writer = _Sha256Writer(handle, gzip=True, warc_version="1.1")
    fields = {
        "software": _versions(),
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
        "warc-format/warc-1.1/",
        **info,
    }
    writer.write_record(writer.create_warcinfo_record(filename, fields))
