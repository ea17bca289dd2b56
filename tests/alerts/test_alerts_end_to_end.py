"""Alerts through `claimwatch run`: real site, Scrapy, Prefect, webhooks, SMTP and events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from sqlmodel import select

from claimwatch.sitesrv import SiteServer
from storage.db import session
from storage.models import ChangeEvent
from tests.alerts.receivers import SmtpReceiver, WebhookReceiver
from tests.flows.pipeline import PATH, cli, serve

pytestmark = pytest.mark.slow

TITLE = "Oxytocin: The Love Hormone That Might Be Your Body’s Real Superpower"


@pytest.fixture(autouse=True)
def _prefect_api(prefect_harness: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMWATCH_TEST_PREFECT_API_URL", prefect_harness)


@pytest.fixture
def major_hook() -> Iterator[WebhookReceiver]:
    """A second webhook receiver, for the major-only channel."""
    receiver = WebhookReceiver()
    receiver.up()
    yield receiver
    receiver.down()


def run() -> tuple[dict[str, int], str]:
    """`claimwatch run` in its own process: the counts, and the alerts line ("" if none)."""
    result = subprocess.run(
        [sys.executable, "-m", "claimwatch", "run"],
        env={**os.environ, "PREFECT_API_URL": os.environ["CLAIMWATCH_TEST_PREFECT_API_URL"]},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    counts = {k: int(v) for k, v in (part.split(": ") for part in lines[0].split("  "))}
    assert counts.pop("planned") == counts["checked"]
    return counts, next((line for line in lines[1:] if line.startswith("alerts: ")), "")


def read_events(ids: list[str]) -> list:  # type: ignore[type-arg]
    """The Prefect events with these ids, once the server has stored them all."""
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventIDFilter

    query = EventFilter(id=EventIDFilter(id=[UUID(i) for i in ids]))
    deadline = time.monotonic() + 30
    with get_client(sync_client=True) as client:
        while True:
            events = client.read_events(filter=query, limit=50).events
            if len(events) == len(ids) or time.monotonic() > deadline:
                return sorted(events, key=lambda e: e.payload["change_id"])
            time.sleep(0.2)  # the server stores events asynchronously; poll for them


# One backend: the outbox, events and delivery on PostgreSQL are test_outbox.py and
# test_kill_delivery.py; monitoring passes on PostgreSQL, tests/flows.
@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
def test_alerts_through_monitoring_passes(
    home: Path,
    fresh_site: SiteServer,
    webhook: WebhookReceiver,
    major_hook: WebhookReceiver,
    smtp: SmtpReceiver,
) -> None:
    url = fresh_site.url(PATH)
    serve(fresh_site, "v1")
    cli("track", url)
    cli("alerts", "add", webhook.url("json"))
    cli("alerts", "add", major_hook.url("form"), "--min-severity", "major")
    cli("alerts", "add", smtp.url())
    assert run() == ({"checked": 1, "new": 1, "changed": 0, "unchanged": 0, "errors": 0}, "")

    # A text-only edit reaches the minor channels, not the major-only one.
    serve(fresh_site, "v3-text-edit")
    assert run() == (
        {"checked": 1, "new": 0, "changed": 1, "unchanged": 0, "errors": 0},
        "alerts: 2 sent, 0 pending",
    )
    assert major_hook.requests == []
    # The JSON webhook gets the change as `changes --format json` has it, title and diff added.
    [text_alert] = webhook.requests
    [listed] = json.loads(cli("changes", "--format", "json"))
    assert text_alert.body == {
        **listed,
        "title": TITLE,
        "diff_command": f"claimwatch diff {url} --from 1 --to 2",
    }
    assert (text_alert.body["summary"], text_alert.body["kinds"]) == ("text: +9/−6 words", ["text"])
    assert "bounce back like we used to" in cli(*text_alert.body["diff_command"].split()[1:])
    [mail] = smtp.messages
    assert mail["Subject"] == f"Article edited: {TITLE} — text: +9/−6 words"
    outbox = json.loads(cli("alerts", "outbox", "--format", "json"))
    keys = {row["channel_id"]: row["key"] for row in outbox}
    assert (text_alert.key, mail["X-Claimwatch-Alert"]) == (keys[1], keys[3])
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert f'<a href="{url}">' in html and "<del>bounce back like we used to</del>" in html

    # Claims edited while the JSON receiver is down for two runs, then up: it arrives once.
    webhook.down()
    serve(fresh_site, "v5-claims-edited")
    assert run()[1] == "alerts: 2 sent, 1 pending"
    [claims_alert] = major_hook.requests
    assert "1 claim weakened" in claims_alert.body["title"]
    assert (
        "weakened (hedge added: may): “Here’s another superpower: Oxytocin lowers cortisol"
        in claims_alert.body["message"]
    )
    assert len(smtp.messages) == 2
    cli("alerts", "retry")  # as if the back-off had elapsed
    assert run() == (
        {"checked": 1, "new": 0, "changed": 0, "unchanged": 1, "errors": 0},
        "alerts: 0 sent, 1 pending",
    )
    webhook.up()
    cli("alerts", "retry")
    assert run()[1] == "alerts: 1 sent, 0 pending"
    assert [hook.body["id"] for hook in webhook.requests] == [1, 2]
    assert webhook.requests[1].body["claims"]["modified"][0]["change"] == "weakened"
    assert len(major_hook.requests) == 1 and len(smtp.messages) == 2

    log = json.loads(cli("alerts", "log", "--channel", "1", "--format", "json"))
    assert [(r["change_id"], r["attempt"], r["outcome"]) for r in reversed(log)] == [
        (1, 1, "sent"),
        (2, 1, "error"),
        (2, 2, "error"),
        (2, 3, "sent"),
    ]
    assert all(r["url"] == url for r in log)
    assert "Connection error" in log[1]["error"]

    # Each change was announced as a Prefect event, attached to the flow run that found it.
    with session() as db:
        stored = list(db.exec(select(ChangeEvent)))
    assert len(stored) == 2 and all(e.emitted_at is not None for e in stored)
    events = read_events([e.event_id for e in stored])
    assert [e.event for e in events] == ["claimwatch.article.changed"] * 2
    assert [e.payload["kinds"] for e in events] == [["text"], ["text", "claims"]]
    assert [e.payload["severity"] for e in events] == ["minor", "major"]
    assert [e.resource["claimwatch.url"] for e in events] == [url, url]
    assert events[1].resource["claimwatch.severity"] == "major"
    assert all(any(r.role == "flow-run" for r in e.related) for e in events)
