"""storage.verify on a local directory and on S3 (moto), on each database backend."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import Session

from storage.archive import WarcWriter
from storage.archive_store import ArchiveStore, LocalStore
from storage.models import Capture
from storage.verify import (
    ARCHIVE_ERROR,
    ARCHIVE_UNAVAILABLE,
    CORRUPT_FILE,
    DIGEST_MISMATCH,
    INCOMPLETE_TAIL,
    MISSING_FILE,
    MISSING_REVISIT,
    NO_RECORD,
    ORPHAN,
    UNRESOLVED_REVISIT,
    fix_lost,
    verify_archive,
)
from tests.storage.archived import Archived, delete, make_store, rewrite

V1 = b"<html><body><p>Oxytocin lowers cortisol.</p></body></html>"
V2 = b"<html><body><p>Oxytocin may lower cortisol.</p></body></html>"
OTHER = b"<html><body><p>Another article.</p></body></html>"


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArchiveStore:
    return make_store(request.param, request, tmp_path)


@pytest.fixture
def archived(db: Session, store: ArchiveStore) -> Archived:
    return Archived(db, WarcWriter(store))


def _kinds(report) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.kind for f in report.problems)


def test_a_sound_archive_verifies_clean(archived: Archived, db: Session) -> None:
    one, two = archived.source("/one"), archived.source("/two")
    archived.fetch(one, V1)
    archived.fetch(one, V1)  # identical payload: revisit
    archived.fetch(one, None)  # 304: revisit
    archived.fetch(one, V2)
    archived.fetch(two, OTHER, status=404)
    report = verify_archive(db, store=archived.writer.store)
    assert report.ok
    assert report.problems == []
    assert report.orphans == []
    assert report.captures == 5
    assert report.records >= 5 + len(archived.writer.files)  # and a warcinfo per file


def test_a_304_with_no_earlier_payload_is_fine(archived: Archived, db: Session) -> None:
    capture = archived.fetch(archived.source("/one"), None)
    report = verify_archive(db, store=archived.writer.store)
    assert capture.warc_file is None
    assert report.ok
    assert report.orphans == []


def test_a_lost_file_is_reported_and_fix_marks_its_pending_captures(
    archived: Archived, db: Session, store: ArchiveStore
) -> None:
    one, two = archived.source("/one"), archived.source("/two")
    kept = archived.fetch(one, V1)
    archived.writer.close()
    archived.writer = WarcWriter(store)  # the next records go to another file
    analysed = archived.fetch(two, OTHER)
    pending = archived.fetch(two, V2)
    analysed.analysed_at, analysed.outcome = archived.start, "first_version"
    db.add(analysed)
    db.flush()
    lost_files = {analysed.warc_file, pending.warc_file}
    for name in lost_files:
        assert name is not None
        delete(store, name)
    report = verify_archive(db, store=store)
    assert not report.ok
    assert set(_kinds(report)) == {MISSING_FILE}
    assert sorted(i for f in report.problems for i in f.capture_ids) == [analysed.id, pending.id]
    fix_lost(db, report=report)
    db.refresh(pending)
    db.refresh(analysed)
    db.refresh(kept)
    assert report.fixed == [pending.id]
    assert report.left_analysed == [analysed.id]
    assert pending.outcome == ARCHIVE_ERROR
    assert pending.error.startswith("missing_file")
    assert pending.analysed_at is not None
    assert analysed.outcome == "first_version"
    assert kept.analysed_at is None
    assert kept.outcome == ""


def test_a_wrong_payload_digest_is_reported(archived: Archived, db: Session) -> None:
    capture = archived.fetch(archived.source("/one"), V1)
    capture.payload_sha256 = "0" * 64
    db.add(capture)
    db.flush()
    report = verify_archive(db, store=archived.writer.store)
    assert _kinds(report) == [DIGEST_MISMATCH]
    assert report.problems[0].capture_ids == (capture.id,)
    assert report.lost_captures() == {capture.id: report.lost_captures()[capture.id]}


def test_damaged_bytes_make_a_corrupt_file_and_unreadable_records(
    archived: Archived, db: Session, store: ArchiveStore
) -> None:
    capture = archived.fetch(archived.source("/one"), V1)
    assert capture.warc_file is not None and capture.warc_offset is not None
    middle = capture.warc_offset + 20

    def garble(data: bytes) -> bytes:
        flipped = bytes(b ^ 0xFF for b in data[middle : middle + 40])
        return data[:middle] + flipped + data[middle + 40 :]

    rewrite(store, capture.warc_file, garble)
    report = verify_archive(db, store=store)
    assert CORRUPT_FILE in _kinds(report)
    assert NO_RECORD in _kinds(report)
    assert report.lost_captures().keys() == {capture.id}


def test_a_truncated_file_loses_the_records_past_the_cut(
    archived: Archived, db: Session, store: ArchiveStore
) -> None:
    source = archived.source("/one")
    first = archived.fetch(source, V1)
    archived.writer.close()
    archived.writer = WarcWriter(store)
    second = archived.fetch(source, V2)
    assert second.warc_file is not None and second.warc_offset is not None
    cut = second.warc_offset + 30
    rewrite(store, second.warc_file, lambda data: data[:cut])
    report = verify_archive(db, store=store)
    assert not report.ok
    assert second.id in report.lost_captures()
    assert first.id not in report.lost_captures()


def test_a_record_torn_by_a_crash_at_the_end_is_not_a_fault(
    archived: Archived, db: Session, store: ArchiveStore
) -> None:
    capture = archived.fetch(archived.source("/one"), V1)
    assert capture.warc_file is not None and capture.warc_offset is not None
    whole = store.read(capture.warc_file, capture.warc_offset, capture.warc_length or 0)
    # The crawl died halfway through writing the next record, before any row named it.
    rewrite(store, capture.warc_file, lambda data: data + whole[: len(whole) // 2])
    report = verify_archive(db, store=store)
    assert report.ok, report.problems
    assert [f.kind for f in report.orphans] == [INCOMPLETE_TAIL]


def test_orphan_records_are_listed_but_not_a_fault(archived: Archived, db: Session) -> None:
    archived.fetch(archived.source("/one"), V1)
    url = "http://blog.test/never-committed"
    archived.writer.write_response(url, 200, "", [], V2, archived.start)
    archived.writer.sync()
    report = verify_archive(db, store=archived.writer.store)
    assert report.ok
    assert [f.kind for f in report.orphans] == [ORPHAN]
    assert "never-committed" in report.orphans[0].detail


def test_a_revisit_whose_original_is_lost_does_not_resolve(
    archived: Archived, db: Session, store: ArchiveStore
) -> None:
    source = archived.source("/one")
    original = archived.fetch(source, V1)
    archived.writer.close()
    archived.writer = WarcWriter(store)
    archived.fetch(source, V1)  # a revisit in the new file, referring to the lost original
    assert original.warc_file is not None
    delete(store, original.warc_file)
    report = verify_archive(db, store=store)
    assert UNRESOLVED_REVISIT in _kinds(report)
    assert MISSING_FILE in _kinds(report)


def test_a_lost_revisit_record_is_reported(
    archived: Archived, db: Session, store: ArchiveStore
) -> None:
    source = archived.source("/one")
    archived.fetch(source, V1)
    archived.writer.close()
    archived.writer = WarcWriter(store)
    revisit = archived.fetch(source, None)
    delete(store, archived.writer.file)
    report = verify_archive(db, store=store)
    assert _kinds(report) == [MISSING_REVISIT]
    assert report.problems[0].capture_ids == (revisit.id,)
    assert report.lost_captures() == {}  # its payload (the original) is still there


def test_a_missing_archive_is_reported_and_fix_marks_nothing(db: Session, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "archive")
    archived = Archived(db, WarcWriter(store))
    capture = archived.fetch(archived.source("/one"), V1)
    archived.writer.close()
    shutil.rmtree(tmp_path / "archive")
    report = verify_archive(db, store=store)
    assert _kinds(report) == [ARCHIVE_UNAVAILABLE]
    assert report.problems[0].capture_ids == (capture.id,)
    fix_lost(db, report=report)
    db.refresh(capture)
    assert report.fixed == []
    assert report.fix_refused
    assert capture.analysed_at is None


def test_an_archive_nothing_was_written_to_yet_is_clean(db: Session, tmp_path: Path) -> None:
    report = verify_archive(db, store=LocalStore(tmp_path / "not-yet"))
    assert report.ok
    assert report.files == 0


def test_fix_leaves_a_sound_archive_alone(archived: Archived, db: Session) -> None:
    capture = archived.fetch(archived.source("/one"), V1)
    report = fix_lost(db, report=verify_archive(db, store=archived.writer.store))
    db.refresh(capture)
    assert report.fixed == []
    assert capture.analysed_at is None
    assert db.get(Capture, capture.id) is not None
