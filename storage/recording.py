"""Write what analysis decided: versions, changes and capture outcomes (the caller commits)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, update
from sqlmodel import Session, col, select

from analysis.assess import ArticleState, Assessment, CaptureFacts
from analysis.document import Article
from analysis.extract import blocks_from_json, blocks_to_json
from analysis.vocabulary import CaptureOutcome, IdentifierKind
from storage.alerts import active_channels, enqueue_change
from storage.blockstore import pack_blocks, unpack_blocks
from storage.models import (
    AlertChannel,
    Capture,
    Change,
    ClaimRecord,
    ReferenceRecord,
    Source,
    Version,
    utcnow,
)
from storage.sites import record_new_article


def pending_captures(db: Session, *, source_ids: list[int] | None = None) -> list[tuple[int, int]]:
    """(capture id, source id) of captures not analysed yet, oldest first per source (the
    order they must be assessed in)."""
    query = select(Capture.id, Capture.source_id).where(col(Capture.analysed_at).is_(None))
    if source_ids is not None:
        query = query.where(col(Capture.source_id).in_(source_ids))
    query = query.order_by(col(Capture.source_id), col(Capture.fetched_at), col(Capture.id))
    return [(capture_id, source_id) for capture_id, source_id in db.exec(query) if capture_id]


def claim_captures(db: Session, *, capture_ids: list[int], claimant: str) -> list[int]:
    """Claim the still-pending ones of these captures for this transaction (call it first in
    the transaction that records them); returns the claimed ids, in the order given.

    Two analyses never record the same capture: on SQLite the conditional UPDATE takes the
    database's write lock until commit, so a second analysis waits and then finds them
    analysed; on PostgreSQL `FOR UPDATE SKIP LOCKED` leaves captures another analysis holds to
    it, and with them the rest of their source (captures of a source are assessed in order).
    A claim dies with its transaction: a killed analysis leaves its captures pending.
    """
    if not capture_ids:
        return []
    pending = (col(Capture.id).in_(capture_ids), col(Capture.analysed_at).is_(None))
    if db.get_bind().dialect.name == "postgresql":
        locked = select(Capture.id, Capture.source_id).where(*pending).order_by(col(Capture.id))
        mine = dict(db.exec(locked.with_for_update(skip_locked=True)).all())
        others = db.exec(select(Capture.id, Capture.source_id).where(*pending)).all()
        busy_sources = {source for capture, source in others if capture not in mine}
        claimed = {c for c, source in mine.items() if source not in busy_sources}
        if claimed:
            db.exec(update(Capture).where(col(Capture.id).in_(claimed)).values(claimed_by=claimant))
    else:
        db.exec(update(Capture).where(*pending).values(claimed_by=claimant))
        claimed = set(db.exec(select(Capture.id).where(*pending)).all())
    return [i for i in capture_ids if i in claimed]


def latest_version(db: Session, *, source_id: int) -> Version | None:
    """The newest version of a source."""
    query = select(Version).where(Version.source_id == source_id)
    return db.exec(query.order_by(col(Version.number).desc())).first()


def latest_versions(db: Session, *, source_ids: Iterable[int]) -> dict[int, Version | None]:
    """The newest version of each source (None for a source without one), in one query."""
    ids = list(source_ids)
    newest = (
        select(Version.source_id, func.max(Version.number).label("number"))
        .where(col(Version.source_id).in_(ids))
        .group_by(col(Version.source_id))
        .subquery()
    )
    query = select(Version).join(
        newest,
        (col(Version.source_id) == newest.c.source_id) & (col(Version.number) == newest.c.number),
    )
    found: dict[int, Version | None] = dict.fromkeys(ids)
    found.update({version.source_id: version for version in db.exec(query)})
    return found


def payload_digests(db: Session, *, capture_ids: Iterable[int]) -> dict[int, str | None]:
    """The payload SHA-256 of each capture, in one query."""
    query = select(Capture.id, Capture.payload_sha256).where(col(Capture.id).in_(list(capture_ids)))
    return {capture_id: digest for capture_id, digest in db.exec(query) if capture_id is not None}


def version_article(version: Version) -> Article:
    """The stored version as an analysis Article."""
    return Article(
        title=version.title,
        blocks=blocks_from_json(unpack_blocks(version.blocks, version.text)),
        author=version.author,
        published=version.published,
        sitename=version.sitename,
        extractor=version.extractor,
        text=version.text,
        content_hash=version.content_hash,
    )


def article_state(
    db: Session,
    *,
    source: Source,
    latest: Version | None,
    payloads: dict[int, str | None] | None = None,
) -> ArticleState:
    """What is known of the source's article (its latest version given) before a capture
    (`payloads`: capture id -> payload digest, read here when not given)."""
    if latest is None:
        payload = None
    elif payloads is not None:
        payload = payloads.get(latest.capture_id)
    else:
        payload = db.get(Capture, latest.capture_id).payload_sha256  # type: ignore[union-attr]
    return ArticleState(
        latest=version_article(latest) if latest else None,
        latest_payload_sha256=payload,
        article_status=source.article_status,
        forbidden_streak=source.forbidden_streak,
    )


def capture_facts(capture: Capture) -> CaptureFacts:
    """The parts of a capture that assessment reads."""
    return CaptureFacts(
        status=capture.status, error=capture.error, payload_sha256=capture.payload_sha256
    )


@dataclass
class FindingRows:
    """Claim and reference rows of new versions, waiting to be written in one statement each.

    A batch of captures fills one (`record_assessment(..., findings=rows)`) and writes it with
    `write_findings` before its transaction commits: two executemany per batch instead of two
    per version. Nothing reads a version's claims back in the transaction that records it.
    """

    claims: list[dict[str, Any]] = field(default_factory=list)
    references: list[dict[str, Any]] = field(default_factory=list)
    # The active alert channels, read once for the batch's changes (None: not read yet).
    channels: list[AlertChannel] | None = None


def write_findings(db: Session, rows: FindingRows) -> None:
    """Insert the waiting claim and reference rows (one executemany per table) and clear them."""
    # One executemany per table: an ORM add per row would be ~20 INSERT statements per version.
    if rows.claims:
        db.execute(insert(ClaimRecord), rows.claims)
    if rows.references:
        db.execute(insert(ReferenceRecord), rows.references)
    rows.claims, rows.references = [], []


def record_assessment(
    db: Session,
    *,
    source: Source,
    capture: Capture,
    assessment: Assessment,
    previous: Version | None,
    findings: FindingRows | None = None,
) -> tuple[Version | None, Change | None]:
    """Store one capture's verdict (`previous`: the source's latest version before it):
    outcome, new version and/or change, the source's status.

    A new version's claims and references go into `findings` when given (the caller writes
    them with `write_findings` before it commits), else are written at once. The capture's
    and the source's updates are flushed with the next statement or the commit."""
    assert source.id is not None and capture.id is not None
    version = None
    if assessment.new_version is not None:
        version = _add_version(
            db,
            source_id=source.id,
            capture_id=capture.id,
            article=assessment.new_version,
            number=(previous.number + 1) if previous else 1,
        )
        assert version.id is not None
        rows = findings if findings is not None else FindingRows()
        _add_findings(rows, version_id=version.id, assessment=assessment)
        if findings is None:
            write_findings(db, rows)
        record_new_article(db, source=source, capture=capture, version=version)  # sites only
    change = None
    if assessment.comparison is not None and assessment.comparison.changed:
        comparison = assessment.comparison
        change = Change(
            source_id=source.id,
            capture_id=capture.id,
            from_version_id=previous.id if previous else None,
            to_version_id=version.id if version else None,
            detected_at=capture.fetched_at,
            kinds=list(comparison.kinds),
            severity=comparison.severity,
            summary=comparison.summary,
            details={**comparison.to_json(), **_revert(db, version=version, capture=capture)},
            assessed_capture_id=capture.id,
        )
        _insert(db, change)
        if findings is not None and findings.channels is None:
            findings.channels = active_channels(db)
        channels = findings.channels if findings is not None else None
        enqueue_change(db, change=change, source=source, channels=channels)  # the outbox
    source.article_status = assessment.article_status
    source.forbidden_streak = source.forbidden_streak + 1 if capture.status == 403 else 0
    if assessment.outcome == CaptureOutcome.gone and capture.status == 200:
        # A soft 404: its validators are the error page's; a 304 must not pass for the article.
        source.etag = source.last_modified = None
        capture.error = capture.error or assessment.detail[:500]
    capture.outcome = assessment.outcome
    capture.analysed_at = utcnow()
    if assessment.outcome == CaptureOutcome.archive_error:
        # The payload those validators stand for is lost: the next check fetches it whole.
        source.etag = source.last_modified = None
    if assessment.outcome in _ERRORS_TO_KEEP and not capture.error:
        capture.error = assessment.detail
    db.add(source)
    db.add(capture)
    return version, change


def _revert(db: Session, *, version: Version | None, capture: Capture) -> dict[str, Any]:
    """`reverted_to` (and `flip_flop`: that version was current within the last day) when the
    new version's text is an earlier version's again; {} otherwise."""
    if version is None:
        return {}
    found = {"source_id": version.source_id, "content_hash": version.content_hash}
    earlier = db.exec(_EARLIER_SAME_TEXT, params={**found, "number": version.number}).one()
    if earlier is None:
        return {}
    # The earlier version was current until the capture that made the next version.
    replaced_at = db.exec(
        select(Capture.fetched_at)
        .join(Version, col(Version.capture_id) == col(Capture.id))
        .where(Version.source_id == version.source_id, Version.number == earlier + 1)
    ).first()
    recent = replaced_at is not None and capture.fetched_at - replaced_at <= FLIP_FLOP_WINDOW
    return {"reverted_to": earlier, "flip_flop": recent}


# The newest earlier version with the same text; the number alone (the whole row would read
# its text and blocks for nothing), built once (SQLAlchemy caches the compiled form by it).
_EARLIER_SAME_TEXT = select(func.max(Version.number)).where(
    Version.source_id == bindparam("source_id"),
    Version.content_hash == bindparam("content_hash"),
    col(Version.number) < bindparam("number"),
)


def _add_version(
    db: Session, *, source_id: int, capture_id: int, article: Article, number: int
) -> Version:
    version = Version(
        source_id=source_id,
        number=number,
        capture_id=capture_id,
        title=article.title,
        author=article.author,
        published=article.published,
        sitename=article.sitename,
        text=article.text,
        blocks=pack_blocks(blocks_to_json(article.blocks), article.text),
        content_hash=article.content_hash,
        extractor=article.extractor,
    )
    _insert(db, version)
    return version


def _insert(db: Session, row: Version | Change) -> None:
    """INSERT the row now and set its id; the row stays out of the session (nothing updates it).

    Not db.add + flush: the ORM's unit of work cost ~3× the statement, and each flush also
    wrote every pending update of the batch one capture at a time."""
    table = type(row).__table__  # type: ignore[union-attr]
    values = {column.name: getattr(row, column.name) for column in table.columns}
    del values["id"]
    # The values as parameters, not in the statement: one cached statement for every row.
    row.id = db.execute(insert(table).returning(table.c.id), values).scalar_one()


def _add_findings(rows: FindingRows, *, version_id: int, assessment: Assessment) -> None:
    rows.claims += [
        {
            "version_id": version_id,
            "position": position,
            "text": claim.text,
            "normalized": claim.normalized,
            "section": list(claim.section),
            "certainty": claim.certainty,
            "certainty_score": claim.certainty_score,
            "negated": claim.negated,
            "direction": claim.direction,
            "type": str(claim.type),
            "cites": list(claim.cites),
            "reference_keys": list(claim.reference_keys),
        }
        for position, claim in enumerate(assessment.claims)
    ]
    rows.references += [
        {
            "version_id": version_id,
            "position": position,
            "text": ref.text,
            "key": ref.key,
            "marker": ref.marker,
            **{name: ref.ids.get(name) for name in _ID_COLUMNS},
            "journal": ref.journal,
            "year": ref.year,
            "volume": ref.volume,
            "first_page": ref.first_page,
            "first_author": ref.first_author,
        }
        for position, ref in enumerate(assessment.references)
    ]


_ID_COLUMNS = tuple(IdentifierKind)
# A revert to a version current this recently is a flip-flop (A/B tests, rotating intros).
FLIP_FLOP_WINDOW = timedelta(days=1)
# Outcomes whose reason is known only to analysis: kept on the capture as its error.
_ERRORS_TO_KEEP = (CaptureOutcome.no_article, CaptureOutcome.archive_error)
