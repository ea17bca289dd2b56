"""Export the archived records of the captures fetched in a time range into one WARC file.

The records are copied byte for byte (each is one gzip member, so their digests still hold),
after a new `warcinfo` record, in WARC-Date order. A revisit's original response goes in too,
even when it was fetched before the range, so the file replays on its own.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storage.archive import (
    CorruptWarc,
    file_started_at,
    read_record_headers,
    scan_records,
    warc_date,
    write_warcinfo,
)
from storage.archive_store import ArchiveStore
from storage.models import Capture

# How long after fetching a page its record may reach a WARC file started after the fetch
# (a file is started for the first record after an upload); generous on purpose.
WRITE_DELAY = timedelta(hours=1)


@dataclass
class ExportReport:
    """What went into the exported file and what could not."""

    out: str
    archive: str
    captures: int = 0  # captures in the range that have an archived record
    records: int = 0  # records written, the warcinfo record not counted
    problems: list[dict[str, Any]] = field(default_factory=list)  # capture_id, reason

    @property
    def ok(self) -> bool:
        """True when every capture's records were exported."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data."""
        return {
            "out": self.out,
            "archive": self.archive,
            "ok": self.ok,
            "captures": self.captures,
            "records": self.records,
            "problems": self.problems,
        }


@dataclass(frozen=True)
class _Place:
    date: str
    file: str
    offset: int
    length: int


def export_warc(
    db: Session,
    *,
    store: ArchiveStore,
    since: datetime,
    until: datetime | None,
    out: Path,
) -> ExportReport:
    """Write the records of captures fetched in [since, until) to `out` (gzipped WARC)."""
    report = ExportReport(out=str(out), archive=store.location)
    query = select(Capture).where(
        col(Capture.fetched_at) >= since, col(Capture.warc_record_type).is_not(None)
    )
    if until is not None:
        query = query.where(col(Capture.fetched_at) < until)
    captures = list(db.exec(query.order_by(col(Capture.fetched_at), col(Capture.id))))
    report.captures = len(captures)
    places: dict[tuple[str, int], _Place] = {}
    for capture in captures:
        if capture.warc_file is None or capture.warc_offset is None:
            continue  # a 304 with no earlier payload: only its revisit record exists
        key = (capture.warc_file, capture.warc_offset)
        if key in places:
            continue
        # A revisit's row names the original, fetched earlier: its date is in the record.
        date = (
            warc_date(capture.fetched_at)
            if capture.warc_record_type == "response"
            else _record_date(store, capture, report)
        )
        if date is None:
            continue
        places[key] = _Place(date, capture.warc_file, capture.warc_offset, capture.warc_length or 0)
    for place in _revisit_places(store, captures, since=since, until=until, report=report):
        places.setdefault((place.file, place.offset), place)
    _write(out, store, sorted(places.values(), key=lambda p: (p.date, p.file, p.offset)), report)
    return report


def _record_date(store: ArchiveStore, capture: Capture, report: ExportReport) -> str | None:
    assert capture.warc_file is not None and capture.warc_offset is not None
    try:
        headers = read_record_headers(
            store, capture.warc_file, capture.warc_offset, length=capture.warc_length
        )
    except (OSError, ValueError, CorruptWarc) as exc:
        report.problems.append({"capture_id": capture.id, "reason": _line(exc)})
        return None
    return headers.warc.get("WARC-Date", "")


def _revisit_places(
    store: ArchiveStore,
    captures: list[Capture],
    *,
    since: datetime,
    until: datetime | None,
    report: ExportReport,
) -> list[_Place]:
    """The revisit records of the revisit captures (their rows name only the original)."""
    wanted = {
        (warc_date(c.fetched_at), c.final_url or c.url): c.id
        for c in captures
        if c.warc_record_type == "revisit"
    }
    if not wanted:
        return []
    found: list[_Place] = []
    try:
        files = list(store.files())
    except OSError as exc:
        report.problems.extend({"capture_id": i, "reason": _line(exc)} for i in wanted.values())
        return []
    for stored in files:
        started = file_started_at(stored.name)
        # Only files written while the range's pages were being fetched can hold their records.
        # The margin on `modified` also covers a store whose clock is behind the worker's.
        if stored.modified < since - WRITE_DELAY or (
            until is not None and started is not None and started > until + WRITE_DELAY
        ):
            continue
        try:
            for record in scan_records(store, stored.name):
                key = (record.date, record.target_uri)
                if record.record_type == "revisit" and key in wanted:
                    del wanted[key]
                    found.append(_Place(record.date, record.file, record.offset, record.length))
        except (OSError, CorruptWarc) as exc:
            # The records before the damage were taken; the rest are reported below.
            reason = _line(exc)
            report.problems.append({"capture_id": None, "reason": reason})
    for (date, uri), capture_id in sorted(wanted.items(), key=lambda item: item[1] or 0):
        reason = f"no revisit record of {uri} at {date} in the archive"
        report.problems.append({"capture_id": capture_id, "reason": reason})
    return found


def _write(out: Path, store: ArchiveStore, places: list[_Place], report: ExportReport) -> None:
    # Written aside and renamed: an interrupted export leaves no half file under the name.
    partial = out.with_name(out.name + ".part")
    with partial.open("wb") as handle:
        write_warcinfo(handle, out.name, {"description": "claimwatch export"})
        for place in places:
            try:
                raw = store.read(place.file, place.offset, place.length)
                _check_one_record(raw)
            except (OSError, ValueError) as exc:
                report.problems.append({"capture_id": None, "reason": _line(exc)})
                continue
            handle.write(raw)
            report.records += 1
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, out)


def _check_one_record(raw: bytes) -> None:
    """Refuse bytes that are not exactly one gzipped WARC record (a wrong offset or length)."""
    if not raw.startswith(b"\x1f\x8b"):
        raise ValueError("not a gzipped WARC record at the capture's place")
    records = ArchiveIterator(BytesIO(raw))
    count = 0
    try:
        for _ in records:
            records.read_to_end()
            count += 1
    except (ArchiveLoadFailed, zlib.error, EOFError) as exc:
        raise ValueError(f"unreadable record at the capture's place: {_line(exc)}") from exc
    if count != 1:
        raise ValueError(f"{count} records where one was expected")


def _line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
