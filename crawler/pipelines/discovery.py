"""Write what the discovery spider finds to its results file, one JSON object per line."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from scrapy.crawler import Crawler

from crawler.items import ArticleMoved, EndpointFetched, LinkResolved

RECORD_TYPES = {EndpointFetched: "endpoint", LinkResolved: "link", ArticleMoved: "moved"}


class DiscoveryResultsPipeline:
    """Append each discovery item to CLAIMWATCH_DISCOVERY_RESULTS as a JSON line.

    The crawl writes no database rows: service/discovery.py reads the file after the crawl
    and decides identity, new articles and moves in one transaction.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiscoveryResultsPipeline:
        """Build from the crawler's CLAIMWATCH_DISCOVERY_RESULTS setting."""
        path = crawler.settings.get("CLAIMWATCH_DISCOVERY_RESULTS")
        if not path:
            raise ValueError("CLAIMWATCH_DISCOVERY_RESULTS is not set")
        return cls(Path(path))

    def open_spider(self) -> None:
        """Open the results file."""
        self.file = self.path.open("w", encoding="utf-8")

    def process_item(self, item: Any) -> Any:
        """Write a discovery item as one line; pass anything else on."""
        record = RECORD_TYPES.get(type(item))
        if record is not None and self.file is not None:
            self.file.write(json.dumps({"record": record, **asdict(item)}) + "\n")
        return item

    def close_spider(self) -> None:
        """Close the results file."""
        if self.file is not None:
            self.file.close()
