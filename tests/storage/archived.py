"""Build an archive and its captures the way the crawl pipelines do, without a crawl."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from crawler.items import FetchedPage
from crawler.pipelines.capture import capture_for
from storage.archive import PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED, RecordRef, WarcWriter
from storage.archive_store import ArchiveStore, LocalStore, S3ArchiveStore
from storage.models import Capture, Source
from tests.s3server import ACCESS_KEY, REGION, SECRET_KEY


def an_hour_ago() -> datetime:
    """Where an Archived's clock starts: export finds revisit records by the files written
    around their fetch time, so fetch times must not be far from the files' own."""
    return datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)


def make_store(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> ArchiveStore:
    """A local directory or a fresh S3 bucket prefix (moto)."""
    if kind == "local":
        return LocalStore(tmp_path / "archive")
    return S3ArchiveStore(request.getfixturevalue("s3_archive"), spool_dir=tmp_path / "spool")


def rewrite(store: ArchiveStore, name: str, change: Callable[[bytes], bytes]) -> None:
    """Replace file `name` in the store by `change(its bytes)` (damage done from outside)."""
    with store.open(name) as handle:
        data = change(handle.read())
    if isinstance(store, LocalStore):
        (store.root / name).write_bytes(data)
    else:
        assert isinstance(store, S3ArchiveStore)
        _s3_client(store).put_object(Bucket=store.bucket, Key=f"{store.prefix}/{name}", Body=data)


def delete(store: ArchiveStore, name: str) -> None:
    """Remove file `name` from the store (a lost file)."""
    if isinstance(store, LocalStore):
        (store.root / name).unlink()
    else:
        assert isinstance(store, S3ArchiveStore)
        _s3_client(store).delete_object(Bucket=store.bucket, Key=f"{store.prefix}/{name}")


def _s3_client(store: S3ArchiveStore):  # type: ignore[no-untyped-def]
    import boto3

    endpoint = store.location.split("?endpoint=", 1)[1]
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    )


@dataclass
class Archived:
    """A WarcWriter and a database session: `fetch` records a response or revisit + Capture,
    the n-th at `start` + n minutes."""

    db: Session
    writer: WarcWriter
    last: dict[int, RecordRef] = field(default_factory=dict)
    start: datetime = field(default_factory=an_hour_ago)
    clock: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.clock = self.start

    def source(self, path: str) -> Source:
        """A tracked source for `http://blog.test{path}`."""
        url = f"http://blog.test{path}"
        source = Source(url=url, normalized_url=url)
        self.db.add(source)
        self.db.flush()
        return source

    def fetch(self, source: Source, body: bytes | None, *, status: int = 200) -> Capture:
        """One fetch: `body` None is a 304; a body equal to the last one is a revisit."""
        assert source.id is not None
        self.clock += timedelta(minutes=1)
        item = FetchedPage(
            source_id=source.id,
            url=source.url,
            final_url=source.url,
            status=304 if body is None else status,
            reason="",
            headers=[("Content-Type", "text/html")],
            body=body or b"",
            fetched_at=self.clock,
        )
        previous = self.last.get(source.id)
        if body is None:
            item.record = self.writer.write_revisit(
                source.url, 304, "", item.headers, self.clock,
                refers_to=previous, profile=PROFILE_NOT_MODIFIED,
            )  # fmt: skip
            item.payload_record = previous
        elif previous and previous.payload_sha256 == hashlib.sha256(body).hexdigest():
            item.record = self.writer.write_revisit(
                source.url, status, "", item.headers, self.clock,
                refers_to=previous, profile=PROFILE_IDENTICAL,
            )  # fmt: skip
            item.payload_record = previous
        else:
            item.record = self.writer.write_response(
                source.url, status, "", item.headers, body, self.clock
            )
            item.payload_record = self.last[source.id] = item.record
        # As CapturePipeline does: the records are durable before a row names them.
        self.writer.sync()
        capture = capture_for(item)
        self.db.add(capture)
        self.db.flush()
        return capture
