"""Prefect side of alerts: announce changes as Prefect events, and the delivery task.

`emit_events` announces each recorded change as a Prefect event `claimwatch.article.changed`
(`claimwatch.article.discovered` for a followed site's new article) for Prefect Automations;
delivery itself is `service.delivery.deliver_due`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from prefect import task

from analysis.vocabulary import ChangeKind
from service.delivery import deliver_due
from storage.alerts import mark_emitted, pending_events
from storage.db import session

EVENT = "claimwatch.article.changed"
DISCOVERED_EVENT = "claimwatch.article.discovered"  # a followed site published an article


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
            event=DISCOVERED_EVENT if ChangeKind.new_article in change["kinds"] else EVENT,
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
