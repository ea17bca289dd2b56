"""Write each fetched response to the WARC archive; an unchanged payload becomes a revisit.

Records become durable in the store at `sync()`, which CapturePipeline calls before it commits
captures naming them: on S3 that uploads the WARC file written since the last commit.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from sqlmodel import col, select

from crawler.items import FetchedPage
from storage.archive import (
    PROFILE_IDENTICAL,
    PROFILE_NOT_MODIFIED,
    RecordRef,
    WarcWriter,
    record_ref,
)
from storage.archive_store import ArchiveStore, open_store
from storage.db import session
from storage.models import Capture

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Archive responses (errors have nothing to archive) and attach the records to the item."""

    def __init__(self, store: ArchiveStore, database_url: str) -> None:
        self.store = store
        self.database_url = database_url
        self.writer: WarcWriter | None = None
        # The last response record per source in this run (saves a database look-up).
        self.last: dict[int, RecordRef | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        """Build from the crawler's CLAIMWATCH_ARCHIVE_URL, _SPOOL_DIR and _DATABASE_URL."""
        settings = crawler.settings
        store = open_store(
            settings["CLAIMWATCH_ARCHIVE_URL"], spool_dir=Path(settings["CLAIMWATCH_SPOOL_DIR"])
        )
        return cls(store, settings["CLAIMWATCH_DATABASE_URL"])

    def process_item(self, item: Any) -> Any:
        """Write a response or a revisit record for a fetched page; pass anything else on."""
        if not isinstance(item, FetchedPage) or item.status is None:
            return item
        previous = self._previous(item.source_id)
        url = item.final_url or item.url
        if item.status == 304:
            profile = PROFILE_NOT_MODIFIED
        elif previous and previous.payload_sha256 == hashlib.sha256(item.body).hexdigest():
            profile = PROFILE_IDENTICAL
        else:
            item.record = self._writer().write_response(
                url, item.status, item.reason, item.headers, item.body, item.fetched_at
            )
            item.payload_record = self.last[item.source_id] = item.record
            return item
        item.record = self._writer().write_revisit(
            url, item.status, item.reason, item.headers, item.fetched_at,
            refers_to=previous, profile=profile,
        )  # fmt: skip
        item.payload_record = previous
        return item

    def sync(self) -> None:
        """Make every record written so far durable in the store (before captures name them)."""
        if self.writer is not None:
            self.writer.sync()

    def close_spider(self) -> None:
        """Make the last records durable and close the WARC file."""
        if self.writer is not None:
            self.writer.close()
            logger.info("archived to %s in %s", ", ".join(self.writer.files), self.store.location)

    def _writer(self) -> WarcWriter:
        # Opened on the first record: a run of nothing but errors leaves no empty WARC behind.
        if self.writer is None:
            self.writer = WarcWriter(self.store)
        return self.writer

    def _previous(self, source_id: int) -> RecordRef | None:
        """The response record holding this source's last archived payload, if any."""
        if source_id not in self.last:
            self.last[source_id] = self._previous_from_db(source_id)
        return self.last[source_id]

    def _previous_from_db(self, source_id: int) -> RecordRef | None:
        # Capture rows of revisits point at the original response, so the newest row with a
        # WARC place always names a response record.
        query = (
            select(Capture)
            .where(Capture.source_id == source_id, col(Capture.warc_file).is_not(None))
            .order_by(col(Capture.fetched_at).desc(), col(Capture.id).desc())
            .limit(1)
        )
        with session(self.database_url) as db:
            capture = db.exec(query).first()
        if capture is None or capture.warc_offset is None or capture.warc_length is None:
            return None
        assert capture.warc_file is not None
        try:
            ref = record_ref(
                self.store,
                capture.warc_file,
                capture.warc_offset,
                capture.warc_length,
                payload_size=capture.payload_size,
            )
        except Exception as exc:  # missing file, corrupt gzip, unparsable record: all alike
            # Without the original a revisit would point at nothing: store the payload again.
            logger.warning("capture %s: archived record unreadable (%s)", capture.id, exc)
            return None
        if ref.record_type != "response" or ref.payload_sha256 != capture.payload_sha256:
            logger.warning("capture %s: archived record does not match the row", capture.id)
            return None
        return ref
