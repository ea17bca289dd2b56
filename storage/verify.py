"""Check the archive against the captures that name its records; mark lost records' captures.

Every capture's record must be readable at its place and hold the payload its row's SHA-256
names; every revisit record must refer to a record the archive holds. Records no capture names
(orphans) are listed but are not a fault: a crawl that dies between writing a record and
committing its capture leaves one, by design (docs/architecture.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlmodel import Session, col, select

from analysis.vocabulary import CaptureOutcome
from storage.archive import CorruptWarc, ScannedRecord, scan_records, warc_date
from storage.archive_store import ArchiveStore, ArchiveUnavailable
from storage.models import Capture, utcnow

ARCHIVE_ERROR = CaptureOutcome.archive_error  # the capture outcome `--fix` sets

# Kinds of finding. Those in LOST leave a capture without a usable payload.
MISSING_FILE = "missing_file"
NO_RECORD = "no_record"
NOT_A_RESPONSE = "not_a_response"
LENGTH_MISMATCH = "length_mismatch"
DIGEST_MISMATCH = "digest_mismatch"
MISSING_REVISIT = "missing_revisit"
UNRESOLVED_REVISIT = "unresolved_revisit"
CORRUPT_FILE = "corrupt_file"
INCOMPLETE_TAIL = "incomplete_tail"  # listed with the orphans: bytes no capture can name
ARCHIVE_UNAVAILABLE = "archive_unavailable"
ORPHAN = "orphan_record"
LOST = frozenset({MISSING_FILE, NO_RECORD, NOT_A_RESPONSE, LENGTH_MISMATCH, DIGEST_MISMATCH})


@dataclass(frozen=True)
class Finding:
    """One thing wrong (or, for orphans, unexplained) in the archive."""

    kind: str
    file: str
    offset: int | None
    detail: str
    capture_ids: tuple[int, ...] = ()


@dataclass
class VerifyReport:
    """What `verify` found, and what `fix` changed."""

    archive: str
    captures: int = 0  # captures that name an archived record
    files: int = 0
    records: int = 0
    problems: list[Finding] = field(default_factory=list)
    orphans: list[Finding] = field(default_factory=list)
    fixed: list[int] = field(default_factory=list)  # captures marked archive_error
    left_analysed: list[int] = field(default_factory=list)  # lost, but analysed before
    fix_refused: str = ""

    @property
    def ok(self) -> bool:
        """True when nothing is wrong (orphans alone are not wrong)."""
        return not self.problems

    def lost_captures(self) -> dict[int, str]:
        """Captures whose record is lost or corrupt, with the reason."""
        lost: dict[int, str] = {}
        for finding in self.problems:
            if finding.kind in LOST:
                for capture_id in finding.capture_ids:
                    lost.setdefault(capture_id, f"{finding.kind}: {finding.detail}")
        return lost

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (the JSON output)."""
        return {
            "archive": self.archive,
            "ok": self.ok,
            "captures": self.captures,
            "files": self.files,
            "records": self.records,
            "problems": [asdict(f) for f in self.problems],
            "orphans": [asdict(f) for f in self.orphans],
            "fixed": self.fixed,
            "left_analysed": self.left_analysed,
            "fix_refused": self.fix_refused,
        }


@dataclass(frozen=True)
class _CaptureRow:
    id: int
    file: str | None
    offset: int | None
    length: int | None
    payload_sha256: str | None
    record_type: str | None
    revisit_key: tuple[str, str]


def _captures(db: Session) -> list[_CaptureRow]:
    # Core columns, not ORM rows: a large archive has many captures, each with its headers.
    query = sa_select(
        col(Capture.id),
        col(Capture.warc_file),
        col(Capture.warc_offset),
        col(Capture.warc_length),
        col(Capture.payload_sha256),
        col(Capture.warc_record_type),
        col(Capture.fetched_at),
        col(Capture.final_url),
        col(Capture.url),
    ).where(col(Capture.warc_record_type).is_not(None))
    return [
        _CaptureRow(
            row.id,
            row.warc_file,
            row.warc_offset,
            row.warc_length,
            row.payload_sha256,
            row.warc_record_type,
            _revisit_key(row.fetched_at, row.final_url or row.url),
        )
        for row in db.connection().execute(query)
    ]


def _revisit_key(fetched_at: datetime, uri: str) -> tuple[str, str]:
    """What ties a revisit record to its capture: the row names only the original's place."""
    return warc_date(fetched_at), uri


def verify_archive(db: Session, *, store: ArchiveStore) -> VerifyReport:
    """Read every WARC file of `store` and check each capture's record against it."""
    report = VerifyReport(archive=store.location)
    captures = _captures(db)
    named = [c for c in captures if c.file is not None]
    report.captures = len(named)
    try:
        files = list(store.files())
    except ArchiveUnavailable as exc:
        if named:  # else nothing was archived yet (a new installation): nothing can be lost
            ids = tuple(sorted(c.id for c in named))
            report.problems.append(Finding(ARCHIVE_UNAVAILABLE, "", None, str(exc), ids))
        return report
    report.files = len(files)
    records: dict[tuple[str, int], ScannedRecord] = {}
    corrupt: dict[str, str] = {}
    named_from: dict[str, int] = {}  # per file, the greatest offset a capture names
    for capture in named:
        assert capture.file is not None
        named_from[capture.file] = max(named_from.get(capture.file, -1), capture.offset or 0)
    for stored in files:
        try:
            for record in scan_records(store, stored.name):
                records[(record.file, record.offset)] = record
        except CorruptWarc as exc:
            if named_from.get(stored.name, -1) < exc.good_until:
                # A record torn by a crash while it was being written, before any capture
                # could name it: nothing is lost.
                report.orphans.append(
                    Finding(INCOMPLETE_TAIL, stored.name, exc.good_until, str(exc))
                )
            else:
                corrupt[stored.name] = str(exc)
                report.problems.append(Finding(CORRUPT_FILE, stored.name, None, str(exc)))
        except OSError as exc:
            corrupt[stored.name] = str(exc)
            report.problems.append(Finding(CORRUPT_FILE, stored.name, None, str(exc)))
    report.records = len(records)
    present = {stored.name for stored in files}
    _check_captures(report, named, records, present, corrupt)
    _check_revisits(report, captures, records, corrupt)
    return report


def _check_captures(
    report: VerifyReport,
    named: list[_CaptureRow],
    records: dict[tuple[str, int], ScannedRecord],
    present: set[str],
    corrupt: dict[str, str],
) -> None:
    by_place: dict[tuple[str, int], list[_CaptureRow]] = defaultdict(list)
    for capture in named:
        assert capture.file is not None
        by_place[(capture.file, capture.offset or 0)].append(capture)
    missing_files: dict[str, list[int]] = defaultdict(list)
    for (file, offset), rows in sorted(by_place.items()):
        ids = tuple(sorted(row.id for row in rows))
        record = records.get((file, offset))
        if file not in present:
            missing_files[file].extend(ids)
        elif record is None:
            why = corrupt.get(file) or "no record starts there"
            report.problems.append(Finding(NO_RECORD, file, offset, why, ids))
        elif record.record_type != "response":
            why = f"a {record.record_type} record, not the response the capture names"
            report.problems.append(Finding(NOT_A_RESPONSE, file, offset, why, ids))
        else:
            _check_record(report, record, rows)
    for file, lost_ids in sorted(missing_files.items()):
        why = "the file is not in the archive"
        report.problems.append(Finding(MISSING_FILE, file, None, why, tuple(sorted(lost_ids))))
    # Response records nobody names: left by a crawl that died before committing, for example.
    for (file, offset), record in sorted(records.items()):
        if record.record_type == "response" and (file, offset) not in by_place:
            report.orphans.append(Finding(ORPHAN, file, offset, f"response {record.target_uri}"))


def _check_record(report: VerifyReport, record: ScannedRecord, rows: list[_CaptureRow]) -> None:
    wrong_length = [r.id for r in rows if r.length is not None and r.length != record.length]
    if wrong_length:
        why = f"the record is {record.length} bytes long, the capture says otherwise"
        report.problems.append(
            Finding(LENGTH_MISMATCH, record.file, record.offset, why, tuple(wrong_length))
        )
    wrong_digest = [r.id for r in rows if r.payload_sha256 != record.payload_sha256]
    if wrong_digest:
        why = f"payload SHA-256 is {record.payload_sha256}, not the capture's"
        report.problems.append(
            Finding(DIGEST_MISMATCH, record.file, record.offset, why, tuple(wrong_digest))
        )


def _check_revisits(
    report: VerifyReport,
    captures: list[_CaptureRow],
    records: dict[tuple[str, int], ScannedRecord],
    corrupt: dict[str, str],
) -> None:
    ids = {record.record_id for record in records.values()}
    revisits = {(r.date, r.target_uri): r for r in records.values() if r.record_type == "revisit"}
    for record in revisits.values():
        if record.refers_to and record.refers_to not in ids:
            why = f"refers to {record.refers_to}, which the archive does not hold"
            report.problems.append(Finding(UNRESOLVED_REVISIT, record.file, record.offset, why))
    wanted = {c.revisit_key: c for c in captures if c.record_type == "revisit"}
    for key, capture in sorted(wanted.items(), key=lambda item: item[1].id):
        if key not in revisits:
            why = f"no revisit record of {key[1]} at {key[0]}"
            if corrupt:
                why += " (some files are corrupt)"
            report.problems.append(Finding(MISSING_REVISIT, "", None, why, (capture.id,)))
    for key, record in sorted(revisits.items()):
        if key not in wanted:
            detail = f"revisit {record.target_uri}"
            report.orphans.append(Finding(ORPHAN, record.file, record.offset, detail))


def fix_lost(db: Session, *, report: VerifyReport) -> VerifyReport:
    """Mark pending captures whose record is lost as `archive_error` (analysis skips them).

    Nothing is deleted; captures analysed before the loss keep their outcome. When the archive
    as a whole cannot be reached nothing is marked: that is more likely an outage than a loss.
    """
    if any(f.kind == ARCHIVE_UNAVAILABLE for f in report.problems):
        report.fix_refused = "the archive cannot be reached: nothing marked"
        return report
    lost = report.lost_captures()
    if not lost:
        return report
    now = utcnow()
    query = select(col(Capture.id)).where(
        col(Capture.id).in_(list(lost)), col(Capture.analysed_at).is_(None)
    )
    pending = {capture_id for capture_id in db.exec(query) if capture_id is not None}
    for capture_id in sorted(pending):
        # Conditional: an analysis that got there first keeps its result.
        db.exec(
            update(Capture)
            .where(col(Capture.id) == capture_id, col(Capture.analysed_at).is_(None))
            .values(outcome=ARCHIVE_ERROR, error=lost[capture_id][:500], analysed_at=now)
        )
    report.fixed = sorted(pending)
    report.left_analysed = sorted(set(lost) - pending)
    return report


def finding_rows(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Findings as listing rows (captures joined for a table)."""
    return [
        {
            "kind": f.kind,
            "file": f.file,
            "offset": f.offset,
            "captures": list(f.capture_ids),
            "detail": f.detail,
        }
        for f in findings
    ]
