"""Receivers for alert tests: a webhook endpoint and an SMTP server, both real, on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.alerts.receivers import SmtpReceiver, WebhookReceiver


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    """An HTTP receiver for json:// and form:// channels, listening."""
    receiver = WebhookReceiver()
    receiver.up()
    yield receiver
    receiver.down()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    """An SMTP server for mailto:// channels."""
    with SmtpReceiver() as receiver:
        yield receiver
