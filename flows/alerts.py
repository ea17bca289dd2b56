"""Alert delivery and change events: what the monitor flow does after analysis.

`deliver_due` empties the outbox as far as it can: each batch (one message to one channel) is
leased and committed, sent with Apprise, and its result committed. What it guarantees, and
where that stops, is spelled out in storage/outbox.py. `emit_events` announces each recorded
change as a Prefect event `claimwatch.article.changed` (for Prefect Automations).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from prefect import task

from analysis.alert_message import article_message, digest_message
from flows.channels import send
from storage.alerts import batch_changes, get_channel, mark_emitted, outbox_counts, pending_events
from storage.db import session
from storage.models import utcnow
from storage.outbox import Batch, claim_batch, due_batches, finish_batch, new_owner

EVENT = "claimwatch.article.changed"
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
        if state == "sent":
            report.sent += len(batch.alert_ids)
        elif state in ("pending", "failed"):
            report.errors += len(batch.alert_ids)
    with session() as db:
        counts = outbox_counts(db)
    report.pending = counts["pending"] + counts["sending"]
    report.failed = counts["failed"]
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


def emit_events(limit: int = 500) -> int:
    """Emit a Prefect event per change not announced yet; how many were handed to Prefect.

    Each event carries the id stored with its change, so re-emitting one (after a crash between
    emitting and recording it) is deduplicated by the Prefect server.
    """
    from prefect.events import emit_event
    from prefect.events.worker import EventsWorker

    with session() as db:
        pending = pending_events(db, limit=limit)
    emitted = []
    for event_id, change in pending:
        event = emit_event(
            event=EVENT,
            resource=_resource(change),
            payload=_payload(change),
            id=UUID(event_id),
        )
        if event is None:  # no Prefect API to talk to: the events wait for a run that has one
            break
        emitted.append(event_id)
    if emitted:
        EventsWorker.instance().wait_until_empty()
    with session() as db:
        mark_emitted(db, event_ids=emitted)
    return len(emitted)


def _resource(change: dict[str, Any]) -> dict[str, str]:
    return {
        "prefect.resource.id": f"claimwatch.article.{change['url']}",
        "prefect.resource.name": change["url"],
        "claimwatch.url": change["url"],
        "claimwatch.severity": change["severity"],
        "claimwatch.kinds": ",".join(change["kinds"]),
    }


def _payload(change: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "url", "kinds", "severity", "summary", "detected_at", "from_version")
    payload = {key: change[key] for key in keys}
    payload["to_version"] = change["to_version"]
    payload["change_id"] = payload.pop("id")
    return payload


@task(retries=2, retry_delay_seconds=[5, 15])
def emit_change_events() -> int:
    """Announce the recorded changes as Prefect events (one task for all of them)."""
    return emit_events()


@task(retries=2, retry_delay_seconds=[5, 15])
def deliver_alerts() -> dict[str, int]:
    """Deliver the due alerts of every channel (one task for the whole outbox)."""
    return asdict(deliver_due())
