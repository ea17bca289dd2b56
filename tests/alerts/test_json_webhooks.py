"""JSON webhooks (json://, jsons://) get changes as structured JSON; other channels keep prose."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlmodel import select
from typer.testing import CliRunner

from analysis.alert_message import test_message as channel_test_message
from claimwatch.cli import app
from service.channels import mask, send
from service.delivery import deliver_due
from storage.alerts import add_channel
from storage.db import session
from storage.models import Alert
from storage.queries import changes
from tests.alerts.changes import URL, capture, capture_status
from tests.alerts.receivers import WebhookReceiver

OTHER = "https://other.example/post/"
TITLE = "Oxytocin: The Love Hormone That Might Be Your Body’s Real Superpower"
CHANGE_FIELDS = [
    "id", "url", "detected_at", "from_version", "to_version", "kinds", "severity", "summary",
    "text", "metadata", "status", "claims", "references",
]  # fmt: skip


def channel(url: str, **options: Any) -> None:
    with session() as db:
        add_channel(db, url=url, label=mask(url), **options)


def listed() -> dict[int, dict[str, Any]]:
    """`claimwatch changes --format json`, by change id."""
    with session() as db:
        return {c["id"]: c for c in changes(db)}


def keys() -> list[str]:
    with session() as db:
        return [a.key for a in db.exec(select(Alert).order_by(Alert.id))]  # type: ignore[arg-type]


def test_a_change_arrives_as_the_changes_json_with_title_and_diff_command(
    home: Path, webhook: WebhookReceiver
) -> None:
    url = f"json://hook-user:hook-pass@127.0.0.1:{webhook.port}/hooks/T0k3n?+X-Team=health"
    channel(url)
    capture("v1")
    capture("v5-claims-edited")

    assert deliver_due().sent == 1

    [hook] = webhook.requests
    assert hook.path == "/hooks/T0k3n"
    assert hook.headers["Content-Type"] == "application/json"
    assert hook.headers["Idempotency-Key"] == hook.headers["X-Claimwatch-Alert"] == keys()[0]
    assert hook.headers["X-Team"] == "health"
    assert hook.headers["Authorization"].startswith("Basic ")
    [change] = listed().values()
    assert list(hook.body) == [*CHANGE_FIELDS, "title", "diff_command"]
    assert hook.body == {
        **change,
        "title": TITLE,
        "diff_command": f"claimwatch diff {URL} --from 1 --to 2",
    }
    assert hook.body["text"] == {"added_words": 12, "removed_words": 9}  # counts, no diff
    assert hook.body["claims"]["modified"][0]["change"] == "weakened"


def test_the_diff_command_shows_the_change(home: Path, webhook: WebhookReceiver) -> None:
    channel(webhook.url("json"))
    capture("v1")
    capture("v5-claims-edited")
    deliver_due()
    command = shlex.split(webhook.requests[0].body["diff_command"])
    assert command[0] == "claimwatch"
    result = CliRunner().invoke(app, command[1:])
    assert result.exit_code == 0
    assert "weakened" in result.stdout


def test_a_status_change_has_no_diff_command(home: Path, webhook: WebhookReceiver) -> None:
    channel(webhook.url("json"))
    capture("v1")
    assert capture_status(404) is not None
    assert deliver_due().sent == 1
    [hook] = webhook.requests
    assert hook.body["status"] == {"before": 200, "after": 404}
    assert hook.body["diff_command"] is None


def test_several_changes_of_one_article_arrive_as_a_list(
    home: Path, webhook: WebhookReceiver
) -> None:
    channel(webhook.url("json"))
    capture("v1")
    capture("v3-text-edit")
    capture("v5-claims-edited")
    assert deliver_due().sent == 2  # two alerts, one message
    [hook] = webhook.requests
    assert [c["id"] for c in hook.body] == [1, 2]
    assert [c["diff_command"].split()[-3:] for c in hook.body] == [
        ["1", "--to", "2"],
        ["2", "--to", "3"],
    ]


def test_a_digest_arrives_as_a_json_list(home: Path, webhook: WebhookReceiver) -> None:
    channel(webhook.url("json"), digest="daily")
    t = datetime(2026, 3, 4, 10, tzinfo=UTC)
    capture("v1", at=t)
    capture("v1", url=OTHER, at=t)
    capture("v3-text-edit", at=t + timedelta(hours=1))
    capture("v4-title-edit", url=OTHER, at=t + timedelta(hours=2))
    assert deliver_due(clock=lambda: t + timedelta(days=1)).sent == 2
    [hook] = webhook.requests
    assert isinstance(hook.body, list)
    assert [(c["url"], c["summary"]) for c in hook.body] == [
        (URL, "text: +9/−6 words"),
        (OTHER, "title changed"),
    ]
    assert all(list(c) == [*CHANGE_FIELDS, "title", "diff_command"] for c in hook.body)


def test_other_channels_keep_the_readable_message(home: Path, webhook: WebhookReceiver) -> None:
    channel(webhook.url("form", "/form"))
    channel(webhook.url("json", "/json"))
    capture("v1")
    capture("v3-text-edit")
    deliver_due()
    by_path = {hook.path: hook.body for hook in webhook.requests}
    assert by_path["/form"]["title"] == f"Article edited: {TITLE} — text: +9/−6 words"
    assert "Summary: text: +9/−6 words" in by_path["/form"]["message"]
    assert by_path["/json"]["summary"] == "text: +9/−6 words"


def test_the_channel_test_is_json_too(webhook: WebhookReceiver) -> None:
    assert send(webhook.url("json"), channel_test_message(), key="claimwatch-test") is None
    [hook] = webhook.requests
    assert hook.body == {
        "test": True,
        "title": "claimwatch test alert",
        "message": "this channel will receive claimwatch alerts about edited articles.",
    }


def test_a_failed_post_is_reported_without_secrets(webhook: WebhookReceiver) -> None:
    url = f"json://u:pw-s3cret@127.0.0.1:{webhook.port}/hooks/T0k3nPathSecret?+Auth=zz9tok99"
    webhook.status = 500
    error = send(url, channel_test_message(), key="k")
    assert error == "Failed to send JSON POST notification: Internal server error., error=500."
    webhook.down()
    error = send(url, channel_test_message(), key="k")
    assert error is not None and error.startswith("A Connection error occurred")
    assert not any(s in error for s in ("pw-s3cret", "T0k3nPathSecret", "zz9tok99"))


@pytest.fixture
def tls_webhook(tmp_path: Path) -> Iterator[WebhookReceiver]:
    """An HTTPS receiver with a self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    receiver = WebhookReceiver(tls=(cert_file, key_file))
    receiver.up()
    yield receiver
    receiver.down()


def test_jsons_posts_json_over_tls(home: Path, tls_webhook: WebhookReceiver) -> None:
    channel(tls_webhook.url("jsons", "/hook?verify=no"))
    capture("v1")
    capture("v3-text-edit")
    assert deliver_due().sent == 1
    [hook] = tls_webhook.requests
    assert hook.body["summary"] == "text: +9/−6 words"
    assert hook.body["diff_command"] == f"claimwatch diff {URL} --from 1 --to 2"
