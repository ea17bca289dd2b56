"""Analyse a batch of stored captures: read payloads, extract in parallel, assess, record."""

from __future__ import annotations

import os
import secrets
import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlmodel import Session, col, select

from analysis.assess import ArticleState, Assessment, assess_capture, needs_extraction
from analysis.document import Extraction
from analysis.vocabulary import CaptureOutcome
from service.extraction import Job, extract_job, extractions
from storage.archive import RecordLost, read_capture_payload
from storage.archive_store import configured_store
from storage.db import session
from storage.models import Capture, Source, Version
from storage.recording import (
    FindingRows,
    article_state,
    capture_facts,
    claim_captures,
    latest_versions,
    payload_digests,
    pending_captures,
    record_assessment,
    write_findings,
)
from storage.settings import get_settings


@dataclass
class AnalysisReport:
    """What a batch of captures came to."""

    outcomes: Counter[str] = field(default_factory=Counter)  # capture outcome -> count
    # Each capture in exactly one bucket: new, changed, unchanged or errors.
    buckets: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # url, outcome, reason

    def add(self, other: AnalysisReport) -> None:
        """Fold another report into this one."""
        self.outcomes.update(other.outcomes)
        self.buckets.update(other.buckets)
        self.failures.extend(other.failures)


def plan_batches(*, source_ids: list[int] | None, batch_size: int) -> list[list[int]]:
    """Pending capture ids in batches; a source's captures never straddle two batches."""
    with session() as db:
        pending = pending_captures(db, source_ids=source_ids)
    batches: list[list[int]] = []
    current: list[int] = []
    last_source = None
    for capture_id, source_id in pending:
        if len(current) >= batch_size and source_id != last_source:
            batches.append(current)
            current = []
        current.append(capture_id)
        last_source = source_id
    if current:
        batches.append(current)
    return batches


def analyse_batch(capture_ids: list[int]) -> AnalysisReport:
    """Assess the given captures in order and record the results in one transaction."""
    archive_dir = get_settings().archive_dir
    with session() as db:
        # First, before any read: what another analysis holds or has recorded is not ours.
        capture_ids = claim_captures(db, capture_ids=capture_ids, claimant=_claimant())
        by_id = {c.id: c for c in db.exec(select(Capture).where(col(Capture.id).in_(capture_ids)))}
        todo = [by_id[i] for i in capture_ids if i in by_id and by_id[i].analysed_at is None]
        source_ids = {c.source_id for c in todo}
        sources = {s.id: s for s in db.exec(select(Source).where(col(Source.id).in_(source_ids)))}
        # One query each for every source's latest version and its payload digest.
        latest = latest_versions(db, source_ids=source_ids)
        payloads = payload_digests(
            db, capture_ids=[v.capture_id for v in latest.values() if v is not None]
        )
        states = {
            sid: article_state(db, source=sources[sid], latest=latest[sid], payloads=payloads)
            for sid in source_ids
        }
        lost: dict[int, str] = {}  # capture id -> why its archived record cannot be used
        payload_jobs = _payload_jobs(todo, states, archive_dir, lost)
        findings = FindingRows()  # written once, at the end of the batch
        # No autoflush: the captures' and sources' updates are written together at the end
        # (rows whose ids are needed at once are inserted directly by storage.recording).
        with extractions(list(payload_jobs.values())) as extracted, db.no_autoflush:
            report = _assess_and_record(
                db, todo, sources, states, latest, payload_jobs, extracted, lost, findings
            )
        write_findings(db, findings)  # in the same transaction as the versions they belong to
    return report


def _assess_and_record(
    db: Session,
    todo: list[Capture],
    sources: dict[int | None, Source],
    states: dict[int, ArticleState],
    latest: dict[int, Version | None],
    payload_jobs: dict[int, Job],
    extracted: Iterator[Extraction],
    lost: dict[int, str],
    findings: FindingRows,
) -> AnalysisReport:
    """Assess the captures in order and record each, taking the extractions of `payload_jobs`
    from `extracted` as they come (in the jobs' order, which is the captures')."""
    report = AnalysisReport()
    archive_dir = get_settings().archive_dir
    for capture in todo:
        source, state = sources[capture.source_id], states[capture.source_id]
        assert capture.id is not None
        facts = capture_facts(capture)
        extraction = next(extracted) if capture.id in payload_jobs else None
        if extraction is None and capture.id not in lost and needs_extraction(state, facts):
            # No payload in the archive, or an earlier capture in this batch moved the
            # article on (the jobs above were chosen against the state at batch start).
            job = _payload_job(capture, archive_dir, lost)
            extraction = extract_job(job) if job else None
            if job is None and capture.id not in lost:
                extraction = _MISSING
        if capture.id in lost:
            # This capture's record is lost: an error on it alone, the rest go on.
            assessment = Assessment(
                CaptureOutcome.archive_error,
                article_status=state.article_status,
                detail=lost[capture.id],
            )
        else:
            assessment = assess_capture(state, facts, extraction)
        version, change = record_assessment(
            db,
            source=source,
            capture=capture,
            assessment=assessment,
            previous=latest[capture.source_id],
            findings=findings,
        )
        states[capture.source_id] = replace(
            state,
            article_status=assessment.article_status,
            forbidden_streak=source.forbidden_streak,
        )
        if version is not None:
            latest[capture.source_id] = version
            states[capture.source_id] = replace(
                states[capture.source_id],
                latest=assessment.new_version,
                latest_payload_sha256=capture.payload_sha256,
            )
        report.outcomes[assessment.outcome] += 1
        bucket = _bucket(assessment.outcome, change is not None)
        report.buckets[bucket] += 1
        if bucket == "errors":
            report.failures.append((source.url, assessment.outcome, assessment.detail))
    return report


def _claimant() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _bucket(outcome: str, changed: bool) -> str:
    if changed:
        return "changed"
    if outcome == CaptureOutcome.first_version:
        return "new"
    if outcome in (CaptureOutcome.unchanged, CaptureOutcome.not_modified, CaptureOutcome.restored):
        return "unchanged"
    return "errors"


_MISSING = Extraction(None, error="payload missing from the archive")


def _payload_jobs(
    captures: list[Capture],
    states: dict[int, ArticleState],
    archive_dir: Path,
    lost: dict[int, str],
) -> dict[int, Job]:
    jobs: dict[int, Job] = {}
    # Chosen against the state at batch start: at worst a payload is extracted needlessly.
    for capture in captures:
        if not needs_extraction(states[capture.source_id], capture_facts(capture)):
            continue
        job = _payload_job(capture, archive_dir, lost)
        if job is not None:
            jobs[capture.id] = job  # type: ignore[index]
    return jobs


def _payload_job(capture: Capture, archive_dir: Path, lost: dict[int, str]) -> Job | None:
    """The capture's payload to extract; None (and the reason in `lost`) when its record is
    lost or corrupt."""
    if capture.warc_file is None or capture.warc_offset is None:
        return None
    # Through the configured store (a directory or S3): with the length, one ranged read.
    try:
        body = read_capture_payload(
            configured_store(),
            capture.warc_file,
            capture.warc_offset,
            length=capture.warc_length,
            payload_sha256=capture.payload_sha256,
        )
    except RecordLost as exc:
        assert capture.id is not None
        lost[capture.id] = str(exc)
        return None
    return body, capture.final_url or capture.url, capture.content_type
