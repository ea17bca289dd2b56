"""Fetch each source of a batch once (conditionally when validators are known); errors are items."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.failures import explain_failure, url_problem
from crawler.items import FetchedPage


class ArticlesSpider(scrapy.Spider):
    """Fetch every URL of `-a batch=FILE` (JSON: source_id, url, etag, last_modified) once."""

    name = "articles"

    def __init__(self, batch: str = "", stats: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not batch:
            raise ValueError("the articles spider needs -a batch=FILE")
        self.batch_path = Path(batch)
        self.stats_path = Path(stats) if stats else None

    async def start(self) -> AsyncIterator[scrapy.Request | FetchedPage]:
        """One request per batch entry; an entry with an unusable URL becomes an error item."""
        for entry in json.loads(self.batch_path.read_text(encoding="utf-8")):
            source_id = entry.get("source_id") if isinstance(entry, dict) else None
            if not isinstance(source_id, int):
                self.logger.error("batch entry without a source_id skipped: %r", entry)
                continue
            url = entry.get("url")
            problem = url_problem(url)
            if problem:
                yield self._error(source_id, str(url or ""), problem, conditional=False)
                continue
            headers = {}
            if entry.get("etag"):
                headers["If-None-Match"] = entry["etag"]
            if entry.get("last_modified"):
                headers["If-Modified-Since"] = entry["last_modified"]
            yield scrapy.Request(
                url,
                callback=self.parse,
                errback=self.failed,
                headers=headers,
                dont_filter=True,
                cb_kwargs={"source_id": source_id, "url": url, "conditional": bool(headers)},
            )

    def parse(  # type: ignore[override]
        self, response: Response, source_id: int, url: str, conditional: bool
    ) -> Iterator[FetchedPage]:
        """Any HTTP answer, 304 and 5xx included, as an item."""
        self.crawler.stats.inc_value("claimwatch/responses")
        yield FetchedPage(
            source_id=source_id,
            url=url,
            final_url=response.url,
            status=response.status,
            reason=_phrase(response.status),
            headers=[
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, values in response.headers.items()
                for value in values
            ],
            body=response.body,
            fetched_at=datetime.now(UTC),
            conditional=conditional,
        )

    def failed(self, failure: Failure) -> FetchedPage:
        """No HTTP answer (timeout, DNS, refused, robots.txt, oversize): an item with the reason."""
        request = failure.request  # type: ignore[attr-defined]
        meta, settings = request.meta, self.settings
        error = explain_failure(
            failure.value,
            request.url,
            timeout=meta.get("download_timeout", settings.getfloat("DOWNLOAD_TIMEOUT")),
            maxsize=meta.get("download_maxsize", settings.getint("DOWNLOAD_MAXSIZE")),
        )
        kwargs = request.cb_kwargs
        return self._error(kwargs["source_id"], kwargs["url"], error, kwargs["conditional"])

    def _error(self, source_id: int, url: str, error: str, conditional: bool) -> FetchedPage:
        self.crawler.stats.inc_value("claimwatch/errors")
        return FetchedPage(
            source_id=source_id,
            url=url,
            final_url="",
            status=None,
            reason="",
            headers=[],
            body=b"",
            fetched_at=datetime.now(UTC),
            error=error,
            conditional=conditional,
        )

    def closed(self, reason: str) -> None:
        """Write the run's counts for crawler.run (pipelines have committed by now)."""
        if self.stats_path is None:
            return
        stats = self.crawler.stats
        counts = {
            "captures": stats.get_value("claimwatch/captures", 0),
            "responses": stats.get_value("claimwatch/responses", 0),
            "errors": stats.get_value("claimwatch/errors", 0),
            # Fetched but not saved (e.g. the database stayed locked): a failed crawl.
            "unsaved": stats.get_value("claimwatch/unsaved", 0),
            "save_error": stats.get_value("claimwatch/save_error", ""),
            "finish_reason": reason,
        }
        self.stats_path.write_text(json.dumps(counts), encoding="utf-8")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
