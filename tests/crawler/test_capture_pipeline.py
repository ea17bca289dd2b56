"""CapturePipeline in-process on a real database: batched commits and the rows it writes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import event
from sqlmodel import col, select

from crawler.items import FetchedPage
from crawler.pipelines.capture import CapturePipeline, headers_dict
from storage.archive import RecordRef
from storage.db import get_engine, session
from storage.models import Capture, Source
from storage.settings import get_settings

WHEN = datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC)
REF = RecordRef(
    "2025/05/x.warc.gz", 400, 300, "response", "ab" * 32, "<urn:uuid:1>", payload_size=9
)


def _pipeline(commit_every: int) -> CapturePipeline:
    settings = {
        "CLAIMWATCH_DATABASE_URL": get_settings().effective_database_url,
        "CLAIMWATCH_COMMIT_EVERY": commit_every,
    }
    return CapturePipeline.from_crawler(get_crawler(settings_dict=settings))


def _page(source_id: int, **fields: object) -> FetchedPage:
    values: dict[str, object] = {
        "source_id": source_id,
        "url": f"http://blog.test/{source_id}",
        "final_url": f"http://blog.test/{source_id}",
        "status": 200,
        "reason": "OK",
        "headers": [("Content-Type", "text/html"), ("Etag", '"v1"')],
        "body": b"<p>x</p>",
        "fetched_at": WHEN,
    }
    values.update(fields)
    return FetchedPage(**values)  # type: ignore[arg-type]


def _add_sources(count: int) -> None:
    with session() as db:
        for number in range(1, count + 1):
            url = f"http://blog.test/{number}"
            db.add(Source(id=number, url=url, normalized_url=url, etag='"old"'))


def test_captures_commit_in_batches_not_per_row(home: Path) -> None:
    _add_sources(120)
    commits: list[int] = []
    # the pipeline names its database explicitly, which is its own cached engine
    engine = get_engine(get_settings().effective_database_url)
    event.listen(engine, "commit", lambda _conn: commits.append(1))
    pipeline = _pipeline(commit_every=50)
    for number in range(1, 121):
        pipeline.process_item(_page(number))
    assert len(commits) == 2  # after items 50 and 100
    pipeline.close_spider()
    assert len(commits) == 3
    assert pipeline.stats.get_value("claimwatch/captures") == 120
    with session() as db:
        assert len(db.exec(select(Capture)).all()) == 120


def test_a_response_row_points_at_its_record(home: Path) -> None:
    _add_sources(1)
    pipeline = _pipeline(commit_every=50)
    pipeline.process_item(_page(1, record=REF, payload_record=REF))
    pipeline.close_spider()
    with session() as db:
        capture = db.exec(select(Capture)).one()
        source = db.get(Source, 1)
    assert (capture.warc_file, capture.warc_offset, capture.warc_length) == (REF.file, 400, 300)
    assert capture.warc_record_type == "response"
    assert capture.payload_sha256 == REF.payload_sha256
    assert capture.payload_size == 9
    assert capture.content_type == "text/html"
    assert capture.fetched_at == WHEN
    assert source is not None and source.etag == '"v1"'
    assert source.last_modified is None  # a 200 without Last-Modified clears the old one
    assert source.last_checked_at == WHEN


def test_a_304_keeps_the_source_validators(home: Path) -> None:
    _add_sources(1)
    revisit = RecordRef("2025/05/y.warc.gz", 10, 20, "revisit", REF.payload_sha256, "<urn:uuid:2>")
    pipeline = _pipeline(commit_every=50)
    pipeline.process_item(_page(1, status=304, headers=[], record=revisit, payload_record=REF))
    pipeline.close_spider()
    with session() as db:
        capture = db.exec(select(Capture)).one()
        source = db.get(Source, 1)
    assert capture.warc_record_type == "revisit"
    assert (capture.warc_file, capture.warc_offset) == (REF.file, REF.offset)
    assert source is not None and source.etag == '"old"'
    assert source.last_status == 304


def test_an_unknown_source_does_not_sink_the_batch(home: Path) -> None:
    _add_sources(2)
    pipeline = _pipeline(commit_every=50)
    for number in (1, 99, 2):
        pipeline.process_item(_page(number))
    pipeline.close_spider()
    with session() as db:
        ids = db.exec(select(Capture.source_id).order_by(col(Capture.source_id))).all()
    assert ids == [1, 2]
    assert pipeline.stats.get_value("claimwatch/captures") == 2


def test_an_error_row_has_no_archive_place(home: Path) -> None:
    _add_sources(1)
    pipeline = _pipeline(commit_every=50)
    failed = _page(1, status=None, reason="", headers=[], body=b"", error="connection refused")
    pipeline.process_item(failed)
    pipeline.close_spider()
    with session() as db:
        capture = db.exec(select(Capture)).one()
        source = db.get(Source, 1)
    assert capture.status is None
    assert capture.error == "connection refused"
    assert capture.warc_file is None and capture.warc_record_type is None
    assert source is not None and source.last_error == "connection refused"
    assert source.etag == '"old"'


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")], {"Set-Cookie": "a=1, b=2"}),
        ([("Etag", '"x"'), ("Vary", "Accept")], {"Etag": '"x"', "Vary": "Accept"}),
        ([], {}),
    ],
)
def test_headers_dict_joins_repeated_headers(
    headers: list[tuple[str, str]], expected: dict[str, str]
) -> None:
    assert headers_dict(headers) == expected
