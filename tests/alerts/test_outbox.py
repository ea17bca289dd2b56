"""The outbox on both databases: what is enqueued, back-off, batching, leases, digests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from service.channels import mask
from service.delivery import deliver_due
from storage.alerts import (
    add_channel,
    attempt_log,
    mark_emitted,
    outbox_counts,
    pending_events,
    remove_channel,
)
from storage.db import session
from storage.models import Alert, Change, utcnow
from storage.outbox import BACKOFF_SECONDS, LEASE, MAX_ATTEMPTS, claim_batch, due_batches, retry_now
from tests.alerts.changes import URL, capture, record
from tests.alerts.receivers import WebhookReceiver

OTHER = "https://other.example/post/"


def channel(url: str, **options: Any) -> int:
    with session() as db:
        added = add_channel(db, url=url, label=mask(url), **options)
        assert added.id is not None
        return added.id


def alerts() -> list[Alert]:
    with session() as db:
        return list(db.exec(select(Alert).order_by(Alert.id)))  # type: ignore[arg-type]


def outcomes(alert_id: int) -> list[str]:
    with session() as db:
        rows = attempt_log(db)
    return [r["outcome"] for r in reversed(rows) if r["alert_id"] == alert_id]


def at(t: datetime) -> Any:
    return lambda: t


@pytest.mark.parametrize(
    ("options", "edit", "tags", "wanted"),
    [
        ({}, "v3-text-edit", [], True),
        ({"min_severity": "major"}, "v3-text-edit", [], False),
        ({"min_severity": "major"}, "v5-claims-edited", [], True),
        ({"kinds": ["claims"]}, "v3-text-edit", [], False),
        ({"kinds": ["claims"]}, "v5-claims-edited", [], True),
        ({"kinds": ["references", "status"]}, "v5-claims-edited", [], False),
        ({"kinds": ["metadata"]}, "v4-title-edit", [], True),
        ({"tags": ["oxytocin"]}, "v3-text-edit", ["oxytocin"], True),
        ({"tags": ["oxytocin"]}, "v3-text-edit", ["sleep"], False),
        ({"tags": ["oxytocin"]}, "v3-text-edit", [], False),
        ({"digest": "daily"}, "v3-text-edit", [], True),
    ],
)
def test_a_change_is_enqueued_for_the_channels_that_want_it(
    home: Path, options: dict[str, Any], edit: str, tags: list[str], wanted: bool
) -> None:
    channel("json://127.0.0.1:9/hook", **options)
    capture("v1", tags=tags)
    change = capture(edit, tags=tags)
    assert change is not None
    assert [a.change_id for a in alerts()] == ([change.id] if wanted else [])


def test_no_change_no_alert(home: Path) -> None:
    channel("json://127.0.0.1:9/hook")
    assert capture("v1") is None
    assert capture("v2-boilerplate-only") is None
    assert alerts() == []
    with session() as db:
        assert pending_events(db) == []


def test_change_alert_and_event_commit_together_or_not_at_all(home: Path) -> None:
    channel("json://127.0.0.1:9/hook")
    capture("v1")
    with pytest.raises(RuntimeError), session() as db:
        change = record(db, "v3-text-edit")
        assert change is not None
        assert len(list(db.exec(select(Alert)))) == 1  # written in the same transaction
        raise RuntimeError("the process fails before the batch commits")
    assert alerts() == []
    with session() as db:
        assert list(db.exec(select(Change))) == []
        assert pending_events(db) == []
    assert capture("v3-text-edit") is not None
    assert len(alerts()) == 1


def test_backoff_then_failed(home: Path, webhook: WebhookReceiver) -> None:
    webhook.down()
    channel(webhook.url())
    capture("v1")
    capture("v3-text-edit")
    t = utcnow()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert deliver_due(clock=at(t)).errors == 1
        [alert] = alerts()
        assert alert.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert alert.state == "pending"
            waits.append(int((alert.next_attempt_at - t).total_seconds()))
            # Not due a second before the back-off ends.
            assert deliver_due(clock=at(alert.next_attempt_at - timedelta(seconds=1))).errors == 0
            t = alert.next_attempt_at
    assert waits == [*BACKOFF_SECONDS, BACKOFF_SECONDS[-1], BACKOFF_SECONDS[-1]]
    [alert] = alerts()
    assert alert.state == "failed"
    assert "Connection error" in alert.last_error
    assert outcomes(alert.id or 0) == ["error"] * MAX_ATTEMPTS
    assert deliver_due(clock=at(t + timedelta(days=30))).errors == 0
    with session() as db:
        assert outbox_counts(db)["failed"] == 1


def test_one_message_per_changed_article(home: Path, webhook: WebhookReceiver) -> None:
    channel(webhook.url("form"))
    capture("v1")
    capture("v1", url=OTHER)
    capture("v3-text-edit")
    capture("v5-claims-edited")
    capture("v4-title-edit", url=OTHER)
    report = deliver_due()
    assert (report.sent, report.pending) == (3, 0)
    titles = [hook.body["title"] for hook in webhook.requests]  # in alert order
    assert len(titles) == 2
    assert titles[0].endswith("(and 1 earlier change)")
    assert "1 claim weakened" in titles[0]
    assert titles[1].endswith("— title changed")


def test_a_retried_message_keeps_its_key_and_content(home: Path, webhook: WebhookReceiver) -> None:
    channel(webhook.url("form"))
    capture("v1")
    capture("v3-text-edit")
    webhook.down()
    t = utcnow()
    deliver_due(clock=at(t))
    capture("v5-claims-edited")  # a later change of the same article: a message of its own
    webhook.up()
    assert deliver_due(clock=at(t + timedelta(minutes=2))).sent == 2
    first, second = webhook.requests
    [old, new] = alerts()
    assert first.key == old.key and second.key == new.key
    assert "text: +9/−6 words" in first.body["title"]
    assert "1 claim weakened" in second.body["title"]


def _lease(owner: str, now: datetime) -> str:
    with session() as db:
        [batch] = due_batches(db, now=now)
        assert claim_batch(db, batch=batch, owner=owner, now=now)
    return batch.key


def test_an_expired_lease_is_taken_over_with_the_same_key(
    home: Path, webhook: WebhookReceiver
) -> None:
    channel(webhook.url())
    capture("v1")
    capture("v3-text-edit")
    t = utcnow()
    key = _lease("elsewhere.example:4242:0badcafe", t)
    assert deliver_due(clock=at(t + LEASE - timedelta(seconds=1))).sent == 0
    assert webhook.requests == []
    assert deliver_due(clock=at(t + LEASE)).sent == 1
    assert [hook.key for hook in webhook.requests] == [key]
    [alert] = alerts()
    assert (alert.state, alert.attempts) == ("sent", 2)
    assert outcomes(alert.id or 0) == ["interrupted", "sent"]


def test_a_dead_senders_lease_on_this_host_is_taken_over_at_once(
    home: Path, webhook: WebhookReceiver
) -> None:
    channel(webhook.url())
    capture("v1")
    capture("v3-text-edit")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    _lease(f"{socket.gethostname()}:{gone.pid}:0badcafe", utcnow())
    assert deliver_due().sent == 1
    assert len(webhook.requests) == 1


def test_a_live_senders_lease_is_respected(home: Path, webhook: WebhookReceiver) -> None:
    channel(webhook.url())
    capture("v1")
    capture("v3-text-edit")
    _lease(f"{socket.gethostname()}:{os.getpid()}:0badcafe", utcnow())
    report = deliver_due()
    assert (report.sent, report.pending) == (0, 1)
    assert webhook.requests == []


def test_a_claim_is_compare_and_set(home: Path) -> None:
    channel("json://127.0.0.1:9/hook")
    capture("v1")
    capture("v3-text-edit")
    t = utcnow()
    with session() as db:
        [batch] = due_batches(db, now=t)
    with session() as db:
        assert claim_batch(db, batch=batch, owner="a.example:1:a", now=t)
    with session() as db:
        assert not claim_batch(db, batch=batch, owner="b.example:2:b", now=t)
        db.rollback()
    [alert] = alerts()
    assert (alert.lease_owner, alert.attempts) == ("a.example:1:a", 1)


def test_daily_digest_waits_for_the_day_to_end(home: Path, webhook: WebhookReceiver) -> None:
    channel(webhook.url("form"), digest="daily")
    t = datetime.fromisoformat("2026-03-04T10:00:00+00:00")
    capture("v1", at=t)
    capture("v1", url=OTHER, at=t)
    capture("v3-text-edit", at=t + timedelta(hours=1))
    capture("v4-title-edit", url=OTHER, at=t + timedelta(hours=2))
    capture("v5-claims-edited", at=t + timedelta(days=1))  # the next day's digest
    assert deliver_due(clock=at(t + timedelta(hours=13, minutes=59))).sent == 0
    assert deliver_due(clock=at(t + timedelta(hours=14))).sent == 2
    [hook] = webhook.requests
    assert hook.body["title"] == "claimwatch daily digest 2026-03-04: 2 articles changed"
    assert URL in hook.body["message"] and OTHER in hook.body["message"]
    assert "1 claim weakened" not in hook.body["message"]
    assert deliver_due(clock=at(t + timedelta(days=2))).sent == 1
    assert webhook.requests[-1].body["title"].startswith("claimwatch daily digest 2026-03-05")


def test_removing_a_channel_cancels_its_unsent_alerts(home: Path) -> None:
    first = channel("json://127.0.0.1:9/a")
    channel("json://127.0.0.1:9/b")
    capture("v1")
    capture("v3-text-edit")
    with session() as db:
        _, cancelled = remove_channel(db, channel_id=first)
    assert cancelled == 1
    assert sorted(a.state for a in alerts()) == ["cancelled", "pending"]
    capture("v5-claims-edited")
    assert len(alerts()) == 3


def test_retry_now_skips_the_backoff(home: Path, webhook: WebhookReceiver) -> None:
    channel(webhook.url())
    capture("v1")
    capture("v3-text-edit")
    webhook.down()
    t = utcnow()
    deliver_due(clock=at(t))
    webhook.up()
    assert deliver_due(clock=at(t)).sent == 0
    with session() as db:
        assert retry_now(db, now=t) == 1
    assert deliver_due(clock=at(t)).sent == 1


def test_each_change_has_one_event_until_emitted(home: Path) -> None:
    capture("v1")
    capture("v3-text-edit")
    capture("v5-claims-edited")
    with session() as db:
        events = pending_events(db)
    assert [change["kinds"] for _, change in events] == [["text"], ["text", "claims"]]
    assert [change["severity"] for _, change in events] == ["minor", "major"]
    assert len({event_id for event_id, _ in events}) == 2
    with session() as db:
        mark_emitted(db, event_ids=[events[0][0]])
    with session() as db:
        assert [e for e, _ in pending_events(db)] == [events[1][0]]
