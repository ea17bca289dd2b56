"""Alert delivery: empty the outbox as far as it can.

`deliver_due` sends every due batch (one message to one channel): each is leased and committed,
sent with Apprise, and its result committed. What it guarantees, and where that stops, is
spelled out in storage/outbox.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from analysis.alert_message import article_message, digest_message
from analysis.vocabulary import AlertState
from service.channels import send
from storage.alerts import batch_changes, get_channel, outbox_counts
from storage.db import session
from storage.models import utcnow
from storage.outbox import Batch, claim_batch, due_batches, finish_batch, new_owner

logger = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    """What one delivery run did (alerts, not messages) and what the outbox holds after it."""

    sent: int = 0  # alerts delivered by this run
    errors: int = 0  # alerts whose attempt failed in this run (retried later, or failed)
    pending: int = 0  # alerts still to deliver after this run
    failed: int = 0  # alerts given up on (all attempts spent), in total


def deliver_due(*, clock: Callable[[], datetime] = utcnow) -> DeliveryReport:
    """Send every due alert batch; failures stay in the outbox with a back-off."""
    report = DeliveryReport()
    owner = new_owner()
    with session() as db:
        batches = due_batches(db, now=clock())
    for batch in batches:
        state = deliver_batch(batch, owner=owner, clock=clock)
        if state == AlertState.sent:
            report.sent += len(batch.alert_ids)
        elif state in (AlertState.pending, AlertState.failed):
            report.errors += len(batch.alert_ids)
    with session() as db:
        counts = outbox_counts(db)
    report.pending = counts[AlertState.pending] + counts[AlertState.sending]
    report.failed = counts[AlertState.failed]
    return report


def deliver_batch(batch: Batch, *, owner: str, clock: Callable[[], datetime] = utcnow) -> str:
    """Lease, send and record one batch; its new state ("skipped": another sender has it)."""
    with session() as db:
        if not claim_batch(db, batch=batch, owner=owner, now=clock()):
            db.rollback()
            return "skipped"
        url = get_channel(db, channel_id=batch.channel_id, include_inactive=True).url
        changes = batch_changes(db, alert_ids=list(batch.alert_ids))
    # The lease and the attempt are committed: from here on a crash is recovered, not lost.
    try:
        if batch.digest_day:
            message = digest_message(changes, day=batch.digest_day)
        else:
            message = article_message(changes)
    except Exception as exc:  # recorded on the alert like a channel error, then backed off
        error: str | None = f"could not build the message: {type(exc).__name__}: {exc}"
    else:
        error = send(url, message, key=batch.key)
    with session() as db:
        state = finish_batch(db, batch=batch, owner=owner, now=clock(), error=error)
    if error is not None:
        logger.warning("alert %s to channel %s: %s", batch.key, batch.channel_id, error)
    return state
