"""`claimwatch alerts …` in-process: exit codes, listings, test sends, and no secret in output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimwatch.cli import app
from tests.alerts.changes import capture
from tests.alerts.receivers import SmtpReceiver, WebhookReceiver

SECRETS = ("pw-s3cret", "T0k3nPathSecret", "zz9tok")


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def secret_url(port: int) -> str:
    return f"json://u:pw-s3cret@127.0.0.1:{port}/hooks/T0k3nPathSecret?+Authorization=zz9tok"


def test_add_list_remove(home: Path) -> None:
    out = ok(
        "alerts",
        "add",
        "json://127.0.0.1:9/hook",
        "--min-severity",
        "major",
        "--kind",
        "claims,references",
        "--tag",
        "oxytocin",
    )
    assert out.startswith("added alert channel 1: json://127.0.0.1:9/hook (major and up")
    ok(
        "alerts",
        "add",
        "mailto://127.0.0.1:25?to=ed@example.org&from=cw@example.org",
        "--digest",
        "daily",
    )
    rows = json.loads(ok("alerts", "list", "--format", "json"))
    assert [r["id"] for r in rows] == [1, 2]
    assert rows[0]["kinds"] == ["claims", "references"]
    assert rows[0]["tags"] == ["oxytocin"]
    assert (rows[0]["min_severity"], rows[1]["min_severity"]) == ("major", "minor")
    assert (rows[0]["digest"], rows[1]["digest"]) == ("off", "daily")
    assert ok("alerts", "remove", "1").startswith("removed alert channel 1: json://")
    assert [r["id"] for r in json.loads(ok("alerts", "list", "--format", "json"))] == [2]
    assert len(json.loads(ok("alerts", "list", "--all", "--format", "json"))) == 2
    assert "Alert channels" in ok("alerts", "list")
    assert ok("alerts", "list", "--format", "csv").startswith("id,channel,min_severity")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "nonsense://x"), "not a valid Apprise URL"),
        (("add", "json://127.0.0.1/h", "--kind", "claims,typo"), "unknown kind 'typo'"),
        (("add", "json://127.0.0.1:9/hook"), "this URL is already alert channel 1"),
        (("remove", "7"), "no alert channel 7"),
        (("test", "7"), "no alert channel 7"),
        (("outbox", "--state", "lost"), "unknown state 'lost'"),
    ],
)
def test_bad_usage_exits_2_with_one_line(home: Path, args: tuple[str, ...], message: str) -> None:
    ok("alerts", "add", "json://127.0.0.1:9/hook")
    result = invoke("alerts", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("claimwatch: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_test_without_channels_is_a_usage_error(home: Path) -> None:
    result = invoke("alerts", "test")
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        "claimwatch: no alert channels: add one with `claimwatch alerts add URL`",
    )


@pytest.mark.parametrize("value", ["urgent", "Minor"])
def test_unknown_severity_is_a_usage_error(home: Path, value: str) -> None:
    assert invoke("alerts", "add", "json://127.0.0.1/h", "--min-severity", value).exit_code == 2


def test_test_reports_success_and_the_channels_error(
    home: Path, webhook: WebhookReceiver, smtp: SmtpReceiver
) -> None:
    ok("alerts", "add", webhook.url())
    ok("alerts", "add", smtp.url())
    out = ok("alerts", "test")
    assert out.splitlines() == [
        f"channel 1 {webhook.url()}: sent",
        f"channel 2 mailto://127.0.0.1:{smtp.port}/editor%40example.org"
        "?from=claimwatch%40example.org: sent",
    ]
    assert webhook.requests[0].body["title"] == "claimwatch test alert"
    assert smtp.messages[0]["Subject"] == "claimwatch test alert"
    webhook.down()
    result = invoke("alerts", "test", "1")
    assert result.exit_code == 1
    assert "channel 1 json://127.0.0.1" in result.stdout
    assert "failed: A Connection error occurred" in result.stdout
    log = json.loads(ok("alerts", "log", "--format", "json"))
    assert [(r["alert_id"], r["channel_id"], r["outcome"]) for r in log] == [
        ("test", 1, "error"),
        ("test", 2, "sent"),
        ("test", 1, "sent"),
    ]


def test_no_output_shows_a_secret(home: Path, webhook: WebhookReceiver) -> None:
    webhook.down()
    outputs = [
        ok("alerts", "add", secret_url(webhook.port)),
        ok("alerts", "list"),
        ok("alerts", "list", "--format", "json"),
        ok("alerts", "list", "--format", "csv"),
        invoke("alerts", "test").output,
    ]
    capture("v1")
    capture("v3-text-edit")
    outputs.append(invoke("alerts", "deliver").output)
    for fmt in ("table", "json", "csv"):
        outputs.append(ok("alerts", "log", "--format", fmt))
        outputs.append(ok("alerts", "outbox", "--format", fmt))
    assert "Connection error" in outputs[-2]
    for output in outputs:
        for secret in SECRETS:
            assert secret not in output


def test_deliver_outbox_retry(home: Path, webhook: WebhookReceiver) -> None:
    ok("alerts", "add", webhook.url())
    capture("v1")
    capture("v3-text-edit")
    webhook.down()
    result = invoke("alerts", "deliver")
    assert result.exit_code == 1
    assert result.stdout.strip() == "alerts: 0 sent, 1 pending, 0 failed"
    [row] = json.loads(ok("alerts", "outbox", "--format", "json"))
    assert (row["state"], row["attempts"]) == ("pending", 1)
    assert "Connection error" in row["last_error"]
    webhook.up()
    assert ok("alerts", "deliver").strip() == "alerts: 0 sent, 1 pending, 0 failed"  # backing off
    assert ok("alerts", "retry").startswith("1 alert(s) due now")
    assert ok("alerts", "deliver").strip() == "alerts: 1 sent, 0 pending, 0 failed"
    assert json.loads(ok("alerts", "outbox", "--state", "sent", "--format", "json"))[0]["id"] == 1
    log = json.loads(ok("alerts", "log", "--format", "json"))
    assert [(r["alert_id"], r["attempt"], r["outcome"]) for r in log] == [
        (1, 2, "sent"),
        (1, 1, "error"),
    ]
    assert webhook.requests[0].key == row["key"]
