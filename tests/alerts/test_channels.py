"""Apprise channels for real: masking, scrubbing, and sending to a webhook and an SMTP server."""

from __future__ import annotations

import pytest

from analysis.alert_message import AlertMessage
from service.channels import InvalidChannel, mask, parse_channel, scrub, send
from tests.alerts.receivers import SmtpReceiver, WebhookReceiver

MESSAGE = AlertMessage(
    title="Article edited: T — 1 claim weakened",
    text="URL: https://a.example/\nplain body\n",
    markdown="**URL:** https://a.example/  \nmarkdown body\n",
    html="<p><b>URL:</b> https://a.example/</p><p>html body</p>",
)
SECRET_URLS = [
    # (url, secrets that must never be shown)
    (
        "json://user:pw-s3cret@127.0.0.1:8080/hooks/T0k3nPathSecret?+Authorization=Bearer%20zz9tok",
        ["pw-s3cret", "T0k3nPathSecret", "zz9tok"],
    ),
    (
        "form://127.0.0.1:8080/n8n/webhook/5f4dcc3b5aa765d61d8327deb882cf99",
        ["5f4dcc3b5aa765d61d8327deb882cf99"],
    ),
    (
        "mailto://alerts:mailP4ss@127.0.0.1:2525?to=ed@example.org&from=cw@example.org",
        ["mailP4ss"],
    ),
    (
        "discord://1234567890/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        ["AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"],
    ),
    (
        "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general",
        ["TIiajkdnlazkcOXrIdevi7FQ"],
    ),
    (
        "tgram://123456789:ABCdefGhIJKlmnOpqrSTUvwxyz012345678/12315544",
        ["ABCdefGhIJKlmnOpqrSTUvwxyz012345678"],
    ),
    ("ntfys://user:ntfyPw99@ntfy.example.org/private-topic-77", ["ntfyPw99", "private-topic-77"]),
    ("pbul://o.gn5kj6nfhv736I7jC3cj3QLRiyhgl98b", ["o.gn5kj6nfhv736I7jC3cj3QLRiyhgl98b"]),
]


@pytest.mark.parametrize(("url", "secrets"), SECRET_URLS)
def test_mask_hides_every_secret(url: str, secrets: list[str]) -> None:
    shown = mask(url)
    assert shown.split("://")[0] == url.split("://")[0]
    for secret in secrets:
        assert secret not in shown


@pytest.mark.parametrize(("url", "secrets"), SECRET_URLS)
def test_scrub_removes_secrets_from_error_texts(url: str, secrets: list[str]) -> None:
    text = scrub(f"failed posting to {url}: rejected {' '.join(secrets)}", url)
    for secret in secrets:
        assert secret not in text
    assert text.startswith("failed posting to ****")


@pytest.mark.parametrize(
    "url",
    [
        "mailto://127.0.0.1:2525?to=ed@example.org&from=cw@example.org",
        "json://127.0.0.1:8080/hook",
        "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general",
    ],
)
def test_mask_keeps_what_is_not_secret(url: str) -> None:
    shown = mask(url)
    assert "127.0.0.1" in shown or "%23general" in shown
    assert "ed%40example.org" in shown or "mailto" not in shown


@pytest.mark.parametrize("url", ["not a url", "nonsense://x", "json://", "https://"])
def test_invalid_urls_are_rejected(url: str) -> None:
    with pytest.raises(InvalidChannel, match=r"^not a valid Apprise URL: "):
        parse_channel(url)


def test_a_url_apprise_no_longer_takes_is_an_error_not_a_crash() -> None:
    error = send("mailto://alerts:mailP4ss@127.0.0.1:2525", MESSAGE, key="k")
    assert error is not None and error.startswith("InvalidChannel: not a valid Apprise URL")
    assert "mailP4ss" not in error


def test_an_invalid_url_says_why_without_its_secret() -> None:
    with pytest.raises(InvalidChannel, match="E-Mail") as caught:
        parse_channel("mailto://alerts:mailP4ss@127.0.0.1:2525")
    assert "mailP4ss" not in str(caught.value)


@pytest.mark.parametrize(("scheme", "fmt"), [("json", "text"), ("form", "text")])
def test_webhooks_get_the_key_and_the_text_body(
    webhook: WebhookReceiver, scheme: str, fmt: str
) -> None:
    assert send(webhook.url(scheme), MESSAGE, key="claimwatch-k1") is None
    [hook] = webhook.requests
    assert hook.headers["Idempotency-Key"] == "claimwatch-k1"
    assert hook.headers["X-Claimwatch-Alert"] == "claimwatch-k1"
    assert hook.headers["User-Agent"] == "claimwatch"
    assert hook.body["title"] == MESSAGE.title
    assert hook.body["message"] == getattr(MESSAGE, fmt).strip()


def test_email_gets_html_subject_and_key(smtp: SmtpReceiver) -> None:
    assert send(smtp.url(), MESSAGE, key="claimwatch-k2") is None
    [mail] = smtp.messages
    assert mail["Subject"] == MESSAGE.title
    assert mail["To"] == "editor@example.org"
    assert mail["X-Claimwatch-Alert"] == "claimwatch-k2"
    html = mail.get_body(("html",))
    assert html is not None and "<p>html body</p>" in html.get_content()


def test_a_down_receiver_is_an_error_without_secrets(webhook: WebhookReceiver) -> None:
    webhook.down()
    url = f"json://user:pw-s3cret@127.0.0.1:{webhook.port}/hooks/T0k3nPathSecret"
    error = send(url, MESSAGE, key="k")
    assert error is not None and "Connection error" in error
    assert "pw-s3cret" not in error and "T0k3nPathSecret" not in error


@pytest.mark.parametrize(("status", "words"), [(500, "error=500"), (404, "error=404")])
def test_an_error_status_is_reported(webhook: WebhookReceiver, status: int, words: str) -> None:
    webhook.status = status
    error = send(webhook.url(), MESSAGE, key="k")
    assert error is not None and error.startswith("Failed to send JSON POST notification")
    assert words in error
    assert len(webhook.requests) == 1
