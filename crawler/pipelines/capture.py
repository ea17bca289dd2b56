"""Record each fetch as a Capture row and update its Source, committing in batches."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from sqlmodel import col, select

from analysis.availability import next_check
from crawler.items import FetchedPage
from crawler.pipelines.archive import ArchivePipeline
from storage.db import session
from storage.models import Capture, Source

logger = logging.getLogger(__name__)


def headers_dict(headers: list[tuple[str, str]]) -> dict[str, str]:
    """Headers as one value per name; repeated headers joined with ", " as HTTP allows."""
    merged: dict[str, str] = {}
    for name, value in headers:
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


def capture_for(item: FetchedPage) -> Capture:
    """The Capture row of one fetch; a revisit's WARC place is that of the payload it repeats."""
    payload = item.payload_record
    headers = headers_dict(item.headers)
    return Capture(
        source_id=item.source_id,
        url=item.url,
        final_url=item.final_url,
        fetched_at=item.fetched_at,
        status=item.status,
        headers=headers,
        content_type=item.header("Content-Type") or "",
        payload_sha256=payload.payload_sha256 if payload else None,
        payload_size=payload.payload_size if payload else None,
        warc_file=payload.file if payload else None,
        warc_offset=payload.offset if payload else None,
        warc_length=payload.length if payload else None,
        warc_record_type=item.record.record_type if item.record else None,
        error=item.error,
    )


def update_source(source: Source, item: FetchedPage) -> None:
    """What this fetch tells about the source: last check, status, error and validators."""
    source.last_checked_at = item.fetched_at
    source.last_status = item.status
    source.last_error = item.error
    # Errors in a row back off; a 429/503 Retry-After is honoured; a success resets both.
    source.retry_after, source.next_check_at, source.error_streak = next_check(
        now=item.fetched_at,
        status=item.status,
        error=item.error,
        retry_after_header=item.header("Retry-After"),
        interval=timedelta(seconds=source.interval_seconds),
        streak=source.error_streak,
    )
    if item.status == 200:
        # Validators of the body we now hold; a 200 without them must not keep stale ones.
        source.etag = item.header("ETag")
        source.last_modified = item.header("Last-Modified")


class CapturePipeline:
    """Insert a Capture per fetched page and update its Source; commit every `commit_every`."""

    def __init__(self, database_url: str, commit_every: int, stats: StatsCollector) -> None:
        self.database_url = database_url
        self.commit_every = commit_every
        self.stats = stats
        self.pending: list[FetchedPage] = []
        self.crawler: Crawler | None = None
        self.archive: ArchivePipeline | None = None
        self.save_error = ""  # why the last flush could not save its captures

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CapturePipeline:
        """Build from the crawler's CLAIMWATCH_DATABASE_URL and CLAIMWATCH_COMMIT_EVERY."""
        settings = crawler.settings
        assert crawler.stats is not None
        pipeline = cls(
            settings["CLAIMWATCH_DATABASE_URL"],
            settings.getint("CLAIMWATCH_COMMIT_EVERY", 50),
            crawler.stats,
        )
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        """Find the ArchivePipeline whose records the captures name."""
        if self.crawler is not None:
            self.archive = self.crawler.get_item_pipeline(ArchivePipeline)

    def process_item(self, item: Any) -> Any:
        """Queue the fetch; write the queue when it is full."""
        if isinstance(item, FetchedPage):
            self.pending.append(item)
            if len(self.pending) >= self.commit_every:
                self.try_flush()
        return item

    def close_spider(self) -> None:
        """Write what is still queued; what cannot be saved is counted as unsaved (the crawl
        then fails: crawler.run reads the count), never dropped silently."""
        self.try_flush()
        self.stats.set_value("claimwatch/unsaved", len(self.pending))
        if self.pending:
            self.stats.set_value("claimwatch/save_error", self.save_error)
            logger.error("%d captures could not be saved: %s", len(self.pending), self.save_error)

    def try_flush(self) -> bool:
        """Flush; on failure (a locked database, an archive that cannot sync) keep the queue
        for the next flush and remember why."""
        try:
            self.flush()
        except Exception as exc:
            self.save_error = " ".join(str(exc).split())[:300] or type(exc).__name__
            logger.error("saving %d captures failed: %s", len(self.pending), self.save_error)
            return False
        self.save_error = ""
        return True

    def flush(self) -> None:
        """Insert the queued captures and update their sources in one transaction (the queue
        is emptied only once the transaction has committed)."""
        if not self.pending:
            return
        if self.archive is not None:
            # Every WARC place named below must be durable in the store before the commit;
            # if it cannot be made so, the queue stays for the next flush to try again.
            self.archive.sync()
        items = list(self.pending)
        written = 0
        with session(self.database_url) as db:
            wanted = {item.source_id for item in items}
            query = select(Source).where(col(Source.id).in_(wanted))
            sources = {source.id: source for source in db.exec(query)}
            for item in items:
                source = sources.get(item.source_id)
                if source is None:
                    logger.error(
                        "source %s not in the database: %s dropped", item.source_id, item.url
                    )
                    continue
                db.add(capture_for(item))
                update_source(source, item)
                db.add(source)
                written += 1
        del self.pending[: len(items)]
        self.stats.inc_value("claimwatch/captures", written)
        logger.info("committed %d captures", written)
