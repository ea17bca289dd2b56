"""What the spider hands to the pipelines: one fetch of one source."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storage.archive import RecordRef


@dataclass
class FetchedPage:
    """One fetch: the HTTP answer as received, or `status=None` and a one-line `error`."""

    source_id: int
    url: str
    final_url: str
    status: int | None
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime  # UTC, timezone-aware
    error: str = ""
    conditional: bool = False  # sent with If-None-Match / If-Modified-Since
    # Set by ArchivePipeline: the record written for this fetch, and the response record that
    # holds its payload (the same record, or for a revisit the original it refers to).
    record: RecordRef | None = field(default=None, repr=False)
    payload_record: RecordRef | None = field(default=None, repr=False)

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)
