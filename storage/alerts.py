"""Alert channels, what each change puts in the outbox, and the delivery log (the caller commits).

A change's alerts and its Prefect event are written by `enqueue_change` inside the transaction
that records the change, so a change is never committed without them (the outbox pattern).
Sending them is storage/outbox.py (claims, leases, back-off) and flows/alerts.py (Apprise).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from analysis.timestamps import utc_z
from analysis.vocabulary import AlertState, AttemptOutcome, ChangeKind, DigestMode, Severity
from storage.models import (
    Alert,
    AlertChannel,
    Change,
    ChangeEvent,
    DeliveryAttempt,
    Source,
    Version,
    utcnow,
)
from storage.queries import change_json

SEVERITIES = tuple(Severity)
KINDS = tuple(ChangeKind)
DIGESTS = ("", *DigestMode)
ALERT_STATES = tuple(AlertState)


class UnknownChannel(LookupError):
    """No active alert channel has that id."""


def add_channel(
    db: Session,
    *,
    url: str,
    label: str,
    min_severity: str = Severity.minor,
    kinds: list[str] | None = None,
    tags: list[str] | None = None,
    digest: str = "",
    reverts: bool = False,
) -> AlertChannel:
    """Add a channel; `label` is the URL as it may be shown (secrets masked); `reverts`: alert
    on flip-flops too (reverts to a version seen within the last day)."""
    if min_severity not in SEVERITIES:
        raise ValueError(f"unknown severity {min_severity!r}; choose from {', '.join(SEVERITIES)}")
    unknown = sorted(set(kinds or []) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kind {unknown[0]!r}; choose from {', '.join(KINDS)}")
    if digest not in DIGESTS:
        raise ValueError(f"unknown digest {digest!r}; choose daily or leave it out")
    for existing in active_channels(db):
        if existing.url == url:
            raise ValueError(f"this URL is already alert channel {existing.id}")
    channel = AlertChannel(
        url=url,
        label=label,
        min_severity=min_severity,
        kinds=[k for k in KINDS if k in (kinds or [])],
        tags=sorted(set(tags or [])),
        digest=digest,
        reverts=reverts,
    )
    db.add(channel)
    db.flush()
    return channel


def get_channel(db: Session, *, channel_id: int, include_inactive: bool = False) -> AlertChannel:
    """The channel with that id, or UnknownChannel."""
    channel = db.get(AlertChannel, channel_id)
    if channel is None or not (channel.active or include_inactive):
        raise UnknownChannel(f"no alert channel {channel_id}")
    return channel


def active_channels(db: Session) -> list[AlertChannel]:
    """Channels alerts are written for, in id order."""
    query = select(AlertChannel).where(col(AlertChannel.active).is_(True))
    return list(db.exec(query.order_by(col(AlertChannel.id))))


def remove_channel(db: Session, *, channel_id: int) -> tuple[AlertChannel, int]:
    """Stop a channel and cancel its unsent alerts (how many); its history stays in the log."""
    channel = get_channel(db, channel_id=channel_id)
    channel.active = False
    db.add(channel)
    result = db.execute(
        update(Alert)
        .where(
            col(Alert.channel_id) == channel_id,
            col(Alert.state).in_((AlertState.pending, AlertState.failed)),
        )
        .values(state=AlertState.cancelled)
    )
    db.flush()
    return channel, int(result.rowcount)  # type: ignore[attr-defined]


def channels_overview(db: Session, *, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Channels as JSON-ready rows, with their alerts counted by state."""
    query = select(AlertChannel)
    if not include_inactive:
        query = query.where(col(AlertChannel.active).is_(True))
    counts: dict[tuple[int, str], int] = {
        (channel_id, state): n
        for channel_id, state, n in db.exec(
            select(Alert.channel_id, Alert.state, func.count()).group_by(
                col(Alert.channel_id), col(Alert.state)
            )
        )
    }
    return [
        {
            "id": c.id,
            "channel": c.label,
            "min_severity": c.min_severity,
            "kinds": c.kinds or ["all"],
            "tags": c.tags or ["all"],
            "digest": c.digest or "off",
            "reverts": c.reverts,
            "active": c.active,
            **{
                state: counts.get((c.id or 0, state), 0)
                for state in (AlertState.pending, AlertState.sent, AlertState.failed)
            },
            "created_at": utc_z(c.created_at),
        }
        for c in db.exec(query.order_by(col(AlertChannel.id)))
    ]


def wants(channel: AlertChannel, *, change: Change, source_tags: list[str]) -> bool:
    """Whether a channel asked to hear about this change (severity, kinds, source tags; a
    flip-flop, i.e. a revert to a version seen within the last day, only with `reverts`)."""
    if change.details.get("flip_flop") and not channel.reverts:
        return False
    if SEVERITIES.index(change.severity) < SEVERITIES.index(channel.min_severity):
        return False
    if channel.kinds and not set(channel.kinds) & set(change.kinds):
        return False
    return not channel.tags or bool(set(channel.tags) & set(source_tags))


def enqueue_change(
    db: Session,
    *,
    change: Change,
    source: Source,
    channels: list[AlertChannel] | None = None,
) -> list[Alert]:
    """Add a recorded change's Prefect event and one alert per channel that wants it
    (`channels`: the active channels when the caller has read them; flushed with the next
    flush or the commit)."""
    assert change.id is not None
    db.add(ChangeEvent(change_id=change.id, event_id=str(uuid.uuid4())))
    alerts = []
    for channel in active_channels(db) if channels is None else channels:
        if not wants(channel, change=change, source_tags=source.tags):
            continue
        assert channel.id is not None
        alert = Alert(change_id=change.id, channel_id=channel.id, key=f"claimwatch-{uuid.uuid4()}")
        if channel.digest == "daily":
            day = change.detected_at.astimezone(UTC).date()
            alert.digest_day = day.isoformat()
            # A day's digest goes out with the first delivery after that day ends (UTC).
            alert.next_attempt_at = datetime.combine(day + timedelta(days=1), time(), UTC)
        db.add(alert)
        alerts.append(alert)
    return alerts


def batch_changes(db: Session, *, alert_ids: list[int]) -> list[dict[str, Any]]:
    """The changes of some alerts as `change_json` objects (with the diff and the title)."""
    rows = list(
        db.exec(
            select(Change, Source.url)
            .join(Alert, col(Alert.change_id) == col(Change.id))
            .join(Source, col(Source.id) == col(Change.source_id))
            .where(col(Alert.id).in_(alert_ids))
            .order_by(col(Change.detected_at), col(Change.id))
        )
    )
    ids = {i for c, _ in rows for i in (c.from_version_id, c.to_version_id) if i is not None}
    versions = (
        {v.id: v for v in db.exec(select(Version).where(col(Version.id).in_(ids)))} if ids else {}
    )
    numbers = {vid: v.number for vid, v in versions.items() if vid is not None}
    result = []
    for change, url in rows:
        latest = versions.get(change.to_version_id or -1) or versions.get(
            change.from_version_id or -1
        )
        item = change_json(change, url, numbers, include_diff=True)
        item["title"] = latest.title if latest is not None else ""
        result.append(item)
    return result


def pending_events(db: Session, *, limit: int = 500) -> list[tuple[str, dict[str, Any]]]:
    """Change events not emitted yet: (event id, change JSON without the diff), oldest first."""
    rows = list(
        db.exec(
            select(ChangeEvent, Change, Source.url)
            .join(Change, col(Change.id) == col(ChangeEvent.change_id))
            .join(Source, col(Source.id) == col(Change.source_id))
            .where(col(ChangeEvent.emitted_at).is_(None))
            .order_by(col(ChangeEvent.id))
            .limit(limit)
        )
    )
    return [(event.event_id, change_json(change, url, {})) for event, change, url in rows]


def mark_emitted(db: Session, *, event_ids: list[str], now: datetime | None = None) -> None:
    """Record that these change events reached Prefect's events client."""
    if event_ids:
        db.execute(
            update(ChangeEvent)
            .where(col(ChangeEvent.event_id).in_(event_ids))
            .values(emitted_at=now or utcnow())
        )


def log_test_attempt(db: Session, *, channel_id: int, error: str | None) -> DeliveryAttempt:
    """Log the result of `alerts test` on a channel (an attempt without an alert)."""
    now = utcnow()
    attempt = DeliveryAttempt(
        channel_id=channel_id,
        batch_key="test",
        started_at=now,
        finished_at=now,
        outcome=AttemptOutcome.sent if error is None else AttemptOutcome.error,
        error=error or "",
    )
    db.add(attempt)
    db.flush()
    return attempt


def attempt_log(
    db: Session, *, channel_id: int | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Delivery attempts, newest first, with channel (masked), change and article URL."""
    query = (
        select(DeliveryAttempt, AlertChannel.label, Alert.change_id, Source.url)
        .join(AlertChannel, col(AlertChannel.id) == col(DeliveryAttempt.channel_id))
        .join(Alert, col(Alert.id) == col(DeliveryAttempt.alert_id), isouter=True)
        .join(Change, col(Change.id) == col(Alert.change_id), isouter=True)
        .join(Source, col(Source.id) == col(Change.source_id), isouter=True)
    )
    if channel_id is not None:
        query = query.where(col(DeliveryAttempt.channel_id) == channel_id)
    query = query.order_by(col(DeliveryAttempt.started_at).desc(), col(DeliveryAttempt.id).desc())
    return [
        {
            "id": attempt.id,
            "started_at": utc_z(attempt.started_at),
            "channel_id": attempt.channel_id,
            "channel": label,
            "alert_id": attempt.alert_id if attempt.alert_id is not None else "test",
            "change_id": change_id,
            "url": url or "",
            "attempt": attempt.number,
            "outcome": attempt.outcome,
            "error": attempt.error,
            "key": attempt.batch_key,
        }
        for attempt, label, change_id, url in db.exec(query.limit(limit))
    ]


def outbox_rows(db: Session, *, state: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Alerts in the outbox, newest first: state, attempts, next try and last error."""
    query = (
        select(Alert, AlertChannel.label, Source.url)
        .join(AlertChannel, col(AlertChannel.id) == col(Alert.channel_id))
        .join(Change, col(Change.id) == col(Alert.change_id))
        .join(Source, col(Source.id) == col(Change.source_id))
    )
    if state is not None:
        query = query.where(col(Alert.state) == state)
    return [
        {
            "id": alert.id,
            "state": alert.state,
            "channel_id": alert.channel_id,
            "channel": label,
            "change_id": alert.change_id,
            "url": url,
            "attempts": alert.attempts,
            "next_attempt_at": utc_z(alert.next_attempt_at)
            if alert.state == AlertState.pending
            else None,
            "sent_at": utc_z(alert.sent_at),
            "last_error": alert.last_error,
            "key": alert.key,
        }
        for alert, label, url in db.exec(query.order_by(col(Alert.id).desc()).limit(limit))
    ]


def outbox_counts(db: Session) -> dict[str, int]:
    """How many alerts of the active channels are in each state."""
    query = (
        select(Alert.state, func.count())
        .join(AlertChannel, col(AlertChannel.id) == col(Alert.channel_id))
        .where(col(AlertChannel.active).is_(True))
        .group_by(col(Alert.state))
    )
    counts = dict(db.exec(query).all())
    return {state: int(counts.get(state, 0)) for state in ALERT_STATES}
