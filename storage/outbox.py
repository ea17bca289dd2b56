"""Sending alerts from the outbox: batches, leases, back-off (repository functions; caller commits).

The guarantee, and why it is no stronger: a message cannot be sent and recorded atomically.

1. `claim_batch` leases a batch (state `sending`, owner, `lease_until`) and logs an attempt;
   the caller COMMITS this before sending. The batch's key (`batch_key`, fixed at its first
   claim, never reused for other alerts) travels in every message as its idempotency key.
2. The caller sends, then `finish_batch` records `sent`, or `pending` with a back-off, or
   `failed` once MAX_ATTEMPTS are spent, and commits.
3. If the process dies between 1 and 2, the batch stays `sending`. `due_batches` takes it up
   again once its lease expired, or at once when its owner was a process on this host that no
   longer runs; the interrupted attempt is logged as such and the batch is re-sent with the
   SAME key.

So no alert is lost (it is sent until recorded, or marked `failed` after MAX_ATTEMPTS), and an
alert whose send completed is never sent again, except when the process died after handing it
to the channel and before step 2 committed (or the channel answered an error after accepting
it): then the channel receives it twice with the same key. A receiver that deduplicates on the
key (webhooks: `Idempotency-Key` / `X-Claimwatch-Alert` headers; e-mail: `X-Claimwatch-Alert`)
shows it once; a channel that cannot (Slack, Discord, …) may show that one alert twice.
Concurrent deliverers are safe: a claim is a compare-and-set on the rows' state and owner.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from analysis.vocabulary import AlertState, AttemptOutcome
from storage.models import Alert, AlertChannel, Change, DeliveryAttempt

# Seconds to wait after the 1st, 2nd, … failed attempt; the last value repeats.
BACKOFF_SECONDS = (60, 300, 1800, 7200, 21600)
MAX_ATTEMPTS = 8
# Longer than any send can take (Apprise's timeouts are seconds), so a live sender keeps it.
LEASE = timedelta(minutes=10)
INTERRUPTED = "the delivering process stopped before recording the result; sent again, same key"


@dataclass(frozen=True)
class Batch:
    """Alerts that go out as one message to one channel."""

    key: str  # the message's idempotency key
    channel_id: int
    alert_ids: tuple[int, ...]
    digest_day: str = ""  # set for a daily digest
    stale_owners: tuple[str, ...] = ()  # dead or expired leases this batch takes over


def new_owner() -> str:
    """A lease owner id for one delivery run: host, process id and a random token."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_gone(owner: str) -> bool:
    """True when the owner was a process on this host that no longer runs."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except OSError:  # EPERM: it runs under another user
        return False
    return False


def backoff(attempts: int) -> timedelta:
    """How long to wait after `attempts` failed attempts."""
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


def due_batches(db: Session, *, now: datetime, limit: int = 500) -> list[Batch]:
    """What to send now: due pending alerts and stale leases, grouped into messages.

    Alerts keep the batch they were first claimed in. New ones are grouped per channel and
    article (one message per changed article), or per channel and day for digests.
    """
    rows = list(
        db.exec(
            select(Alert, Change.source_id)
            .join(Change, col(Change.id) == col(Alert.change_id))
            .join(AlertChannel, col(AlertChannel.id) == col(Alert.channel_id))
            .where(col(AlertChannel.active).is_(True))
            .where(
                or_(
                    and_(col(Alert.state) == AlertState.pending, col(Alert.next_attempt_at) <= now),
                    col(Alert.state) == AlertState.sending,
                )
            )
            .order_by(col(Alert.id))
        )
    )
    # No row limit: a batch must never be split (its key would go out with two contents).
    groups: dict[tuple[object, ...], list[Alert]] = {}
    for alert, source_id in rows:
        if alert.state == AlertState.sending and not _stale(alert, now):
            continue
        if alert.batch_key:
            group: tuple[object, ...] = ("batch", alert.batch_key)
        elif alert.digest_day:
            group = ("digest", alert.channel_id, alert.digest_day)
        else:
            group = ("article", alert.channel_id, source_id)
        groups.setdefault(group, []).append(alert)
    return [
        Batch(
            key=members[0].batch_key or members[0].key,
            channel_id=members[0].channel_id,
            alert_ids=tuple(a.id for a in members if a.id is not None),
            digest_day=members[0].digest_day,
            stale_owners=tuple(
                sorted({a.lease_owner for a in members if a.state == AlertState.sending})
            ),
        )
        for members in list(groups.values())[:limit]
    ]


def _stale(alert: Alert, now: datetime) -> bool:
    expired = alert.lease_until is None or alert.lease_until <= now
    return expired or owner_gone(alert.lease_owner)


def claim_batch(db: Session, *, batch: Batch, owner: str, now: datetime) -> bool:
    """Lease a batch and log the attempt; False (roll back!) when another sender got there first.

    Commit before sending: the lease and the logged attempt must survive a crash mid-send.
    """
    ids = list(batch.alert_ids)
    claimable = or_(
        and_(col(Alert.state) == AlertState.pending, col(Alert.next_attempt_at) <= now),
        and_(
            col(Alert.state) == AlertState.sending, col(Alert.lease_owner).in_(batch.stale_owners)
        ),
    )
    result = db.execute(
        update(Alert)
        .where(col(Alert.id).in_(ids), claimable)
        .values(
            state=AlertState.sending,
            lease_owner=owner,
            lease_until=now + LEASE,
            attempts=col(Alert.attempts) + 1,
            batch_key=batch.key,
        )
    )
    if result.rowcount != len(ids):  # type: ignore[attr-defined]
        return False
    db.execute(
        update(DeliveryAttempt)
        .where(
            col(DeliveryAttempt.alert_id).in_(ids),
            col(DeliveryAttempt.outcome) == AttemptOutcome.sending,
        )
        .values(outcome=AttemptOutcome.interrupted, finished_at=now, error=INTERRUPTED)
    )
    for alert in db.exec(select(Alert).where(col(Alert.id).in_(ids))):
        db.add(
            DeliveryAttempt(
                alert_id=alert.id,
                channel_id=alert.channel_id,
                batch_key=batch.key,
                number=alert.attempts,
                started_at=now,
            )
        )
    db.flush()
    return True


def finish_batch(db: Session, *, batch: Batch, owner: str, now: datetime, error: str | None) -> str:
    """Record a send's result: `sent`, `pending` (with back-off) or `failed`; "lost" if the
    lease was taken over meanwhile (the other sender records its own result)."""
    ids = list(batch.alert_ids)
    alerts = list(
        db.exec(
            select(Alert).where(
                col(Alert.id).in_(ids),
                col(Alert.state) == AlertState.sending,
                col(Alert.lease_owner) == owner,
            )
        )
    )
    if len(alerts) != len(ids):
        return "lost"
    attempts = max(a.attempts for a in alerts)
    state = (
        AlertState.sent
        if error is None
        else AlertState.failed
        if attempts >= MAX_ATTEMPTS
        else AlertState.pending
    )
    for alert in alerts:
        alert.state = state
        alert.lease_owner = ""
        alert.lease_until = None
        if error is None:
            alert.sent_at = now
            alert.last_error = ""
        else:
            alert.last_error = error
            alert.next_attempt_at = now + backoff(attempts)
        db.add(alert)
    db.execute(
        update(DeliveryAttempt)
        .where(
            col(DeliveryAttempt.alert_id).in_(ids),
            col(DeliveryAttempt.outcome) == AttemptOutcome.sending,
            col(DeliveryAttempt.batch_key) == batch.key,
        )
        .values(
            outcome=AttemptOutcome.sent if error is None else AttemptOutcome.error,
            finished_at=now,
            error=error or "",
        )
    )
    db.flush()
    return state


def retry_now(db: Session, *, now: datetime, alert_ids: list[int] | None = None) -> int:
    """Make pending and failed alerts due now (after fixing a channel); how many."""
    query = update(Alert).where(col(Alert.state).in_((AlertState.pending, AlertState.failed)))
    # A digest whose day has not ended is not retried early.
    query = query.where(or_(col(Alert.digest_day) == "", col(Alert.attempts) > 0))
    if alert_ids is not None:
        query = query.where(col(Alert.id).in_(alert_ids))
    result = db.execute(query.values(state=AlertState.pending, next_attempt_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]
