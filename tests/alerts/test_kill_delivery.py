"""kill -9 during delivery: the alert is re-sent with the same key; nothing lost, nothing twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.alerts.changes import capture
from tests.alerts.receivers import WebhookReceiver
from tests.alerts.test_cli_alerts import ok

pytestmark = pytest.mark.slow

DELIVER = [sys.executable, "-m", "claimwatch", "alerts", "deliver"]


def by_alert(rows: list[dict]) -> dict[int, list[str]]:
    outcomes: dict[int, list[str]] = {}
    for row in reversed(rows):
        outcomes.setdefault(row["alert_id"], []).append(row["outcome"])
    return outcomes


def test_killed_mid_delivery(home: Path, webhook: WebhookReceiver) -> None:
    ok("alerts", "add", webhook.url("json", "/first"))
    ok("alerts", "add", webhook.url("form", "/second"))
    capture("v1")
    capture("v5-claims-edited")

    webhook.hold()
    process = subprocess.Popen(DELIVER, env=dict(os.environ), stdout=subprocess.DEVNULL)
    assert webhook.arrived.wait(timeout=60)  # the first message is in flight, unanswered
    process.kill()
    assert process.wait(timeout=30) == -9
    outbox = {r["id"]: r for r in json.loads(ok("alerts", "outbox", "--format", "json"))}
    assert (outbox[1]["state"], outbox[1]["attempts"]) == ("sending", 1)
    assert (outbox[2]["state"], outbox[2]["attempts"]) == ("pending", 0)
    assert by_alert(json.loads(ok("alerts", "log", "--format", "json"))) == {1: ["sending"]}

    webhook.release.set()
    rerun = subprocess.run(DELIVER, env=dict(os.environ), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.strip() == "alerts: 2 sent, 0 pending, 0 failed"

    # The receiver got the interrupted message again, with the same key and content...
    interrupted, resent, second = webhook.requests
    assert [interrupted.path, resent.path, second.path] == ["/first", "/first", "/second"]
    assert interrupted.key == resent.key == outbox[1]["key"]
    assert interrupted.body == resent.body
    assert "1 claim weakened" in resent.body["summary"]  # the change as JSON
    # ... so a receiver that keeps one message per key has each alert exactly once.
    assert set(webhook.delivered()) == {outbox[1]["key"], outbox[2]["key"]}
    after = {r["id"]: r for r in json.loads(ok("alerts", "outbox", "--format", "json"))}
    assert [(after[i]["state"], after[i]["attempts"]) for i in (1, 2)] == [("sent", 2), ("sent", 1)]
    log = by_alert(json.loads(ok("alerts", "log", "--format", "json")))
    assert log == {1: ["interrupted", "sent"], 2: ["sent"]}

    # Nothing is left to send: another run sends nothing.
    assert ok("alerts", "deliver").strip() == "alerts: 0 sent, 0 pending, 0 failed"
    assert len(webhook.requests) == 3
