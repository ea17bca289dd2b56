"""Hostile page content in alerts: what reaches a real receiver, in every format, is inert.

Every scraped string of a change (title, claims, references, metadata, the text diff) carries
the payloads below. The message goes through Apprise to real receivers on 127.0.0.1: webhooks
with a title field (form://, xml://), Mattermost's webhook API, which has no title field and
pastes the title into the body (mmost://), each in text, Markdown and HTML, and e-mail (SMTP).
Markdown that arrives is rendered by a CommonMark renderer (markdown-it-py, raw HTML on), as a
chat server would (Mattermost, Discord, Rocket.Chat; Apprise converts it for Slack), and the HTML
(sent or rendered) is parsed: only claimwatch's own tags, only the article's own link, no
script, no event handler, no javascript: URL; no terminal escape, control or bidi character and
no live @channel/@here/@everyone anywhere; the payloads still readable as text.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from analysis.alert_message import AlertMessage, article_message, digest_message
from analysis.wordalign import EQUAL, INSERT
from service.channels import mask, send
from service.delivery import deliver_due
from storage.alerts import add_channel
from storage.db import session
from tests.alerts.changes import URL as PAGE_URL
from tests.alerts.changes import page, record_body
from tests.alerts.receivers import SmtpReceiver, WebhookReceiver

URL = "https://blog.example/2025/oxytocin/"
PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "onerror": '<img src=x onerror="alert(2)">',
    "javascript": '<a href="javascript:alert(3)">win</a> javascript:alert(4)',
    "mentions": "@channel @here @everyone <!channel> <!here>",
    "md-link": "[click here](https://evil.example/phish)",
    "md-image": "![pixel](https://evil.example/pixel.png)",
    "md-autolink": "<https://evil.example/auto>",
    "md-html": "*bold* _it_ `code` ~~gone~~ | table |",
    "ansi": "\x1b[31mRED\x1b[0m \x1b]8;;https://evil.example/osc\x07osc link\x1b]8;;\x07",
    "bidi": "\u202egnp.exe\u202c \u2066isolate\u2069 \u200fmark \u061c",
    "controls": "bell\x07 backspace\x08 nul\x00 c1\x9b",
    "fence": "```\n</pre><script>alert(5)</script>\n```",
    "bare-url": "https://evil.example/phish",
}
PAYLOAD = " ".join(PAYLOADS.values())
TITLE = "Oxytocin " + PAYLOAD
OUR_TAGS = {"p", "b", "a", "h3", "ul", "li", "pre", "del", "ins", "hr", "br"}
# The tags of what claimwatch's Markdown uses (bold, lists, fences, rules, the article link).
MARKDOWN_TAGS = {"p", "strong", "ul", "li", "pre", "code", "hr", "br", "a"}
COMMONMARK = MarkdownIt("commonmark")  # raw HTML allowed: unescaped markup would show
LIVE_MENTION = re.compile(r"@(?:channel|here|everyone)\b")
# Controls but tab, newline and carriage return (Apprise and SMTP end lines with CRLF), bidi.
HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def hostile_change() -> dict[str, Any]:
    """A change whose every scraped string carries the payloads."""

    def claim(text: str) -> dict[str, Any]:
        return {"text": text, "certainty": "assertive", "cites": [], "section": []}

    return {
        "id": 7,
        "url": URL,
        "title": TITLE,
        "detected_at": "2026-03-04T05:06:07Z",
        "from_version": 1,
        "to_version": 2,
        "kinds": ["text", "claims", "references", "metadata"],
        "severity": "major",
        "summary": "1 claim weakened; text: +40/−0 words",
        "text": {
            "added_words": 40,
            "removed_words": 0,
            "ops": [[EQUAL, "Intro. "], [INSERT, PAYLOAD]],
        },
        "metadata": {"author": {"before": "Dr Jo", "after": "Dr Jo " + PAYLOAD}},
        "status": None,
        "claims": {
            "added": [claim("Hugs heal " + PAYLOAD)],
            "removed": [],
            "modified": [
                {
                    "before": claim("Oxytocin lowers cortisol."),
                    "after": claim("Oxytocin may lower cortisol " + PAYLOAD),
                    "change": "weakened",
                }
            ],
        },
        "references": {
            "added": [{"text": "Smith J. " + PAYLOAD, "ids": {}}],
            "removed": [],
            "modified": [],
        },
    }


MESSAGES: dict[str, Callable[[], AlertMessage]] = {
    "article": lambda: article_message([hostile_change()]),
    "digest": lambda: digest_message([hostile_change()], day="2026-03-04"),
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_plain_inert(text: str) -> None:
    """No hidden characters and no mention that would notify a whole channel."""
    assert HIDDEN.search(text) is None, HIDDEN.search(text)
    assert LIVE_MENTION.search(text) is None


def assert_html_inert(
    html: str, allowed_tags: set[str], *, shows_payload: bool = True, link: str = URL
) -> str:
    """Only allowed tags, only a link to the article; returns the visible text (inert too)."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in allowed_tags, (tag, attrs)
        for name, value in attrs:
            assert (tag, name) == ("a", "href"), (tag, name, value)
            assert value == link, value
    text = "".join(parser.text)
    assert_plain_inert(text)
    if shows_payload:  # shown, not executed: the markup is there to read
        assert "<script>alert(1)</script>" in text
        assert '<img src=x onerror="alert(2)">' in text
    return text


def assert_markdown_inert(source: str, *, shows_payload: bool = True) -> str:
    """Markdown as a chat server renders it."""
    assert_plain_inert(source)
    html = COMMONMARK.render(source)
    return assert_html_inert(html, MARKDOWN_TAGS, shows_payload=shows_payload)


def assert_title_has_no_link(title: str) -> None:
    """No URL a chat server would turn into a link (Markdown links are checked rendered)."""
    assert "https://evil.example" not in title


@pytest.mark.parametrize("kind", MESSAGES)
@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_webhooks_with_a_title_field(webhook: WebhookReceiver, kind: str, fmt: str) -> None:
    message = MESSAGES[kind]()
    assert send(webhook.url("form", f"/hook?format={fmt}"), message, key="k") is None
    [hook] = webhook.requests
    title, body = hook.body["title"], hook.body["message"]
    assert_plain_inert(title)
    if fmt == "markdown":
        assert_markdown_inert(title, shows_payload=kind == "article")
        assert_markdown_inert(body)
    elif fmt == "html":
        assert_plain_inert(title)  # a title field is text: no entities to show as "&lt;"
        assert_html_inert(body, OUR_TAGS)
    else:
        assert_plain_inert(body)
        assert "<script>alert(1)</script>" in body
    if kind == "article":
        assert_title_has_no_link(title)


@pytest.mark.parametrize("kind", MESSAGES)
def test_xml_webhook(webhook: WebhookReceiver, kind: str) -> None:
    assert send(webhook.url("xml"), MESSAGES[kind](), key="k") is None
    [hook] = webhook.requests
    fields = {
        el.tag.rsplit("}", 1)[-1]: el.text or "" for el in ElementTree.fromstring(hook.raw).iter()
    }
    assert_plain_inert(fields["Subject"])
    assert_plain_inert(fields["Message"])
    assert "<script>alert(1)</script>" in fields["Message"]  # XML-escaped in transit


@pytest.mark.parametrize("kind", MESSAGES)
@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_mattermost_pastes_the_title_into_the_body(
    webhook: WebhookReceiver, kind: str, fmt: str
) -> None:
    url = f"mmost://127.0.0.1:{webhook.port}/t0k3n?format={fmt}"
    assert send(url, MESSAGES[kind](), key="k") is None
    [hook] = webhook.requests
    assert hook.path == "/hooks/t0k3n"
    text = hook.body["text"]
    first_line = text.split("\n", 1)[0]
    if fmt == "html":
        shown = assert_html_inert(text, OUR_TAGS)
        assert text.startswith("<b>")  # Apprise's heading for the title, around escaped text
        first_line = shown.split("\n", 1)[0]
    elif fmt == "markdown":
        assert_markdown_inert(text)
    else:
        assert_plain_inert(text)
    if kind == "article":
        assert first_line.startswith("Article edited: Oxytocin")
        assert_title_has_no_link(first_line.split("@", 1)[1])


@pytest.mark.parametrize("kind", MESSAGES)
def test_email(smtp: SmtpReceiver, kind: str) -> None:
    assert send(smtp.url(), MESSAGES[kind](), key="k") is None
    [mail] = smtp.messages
    subject = str(mail["Subject"])
    assert_plain_inert(subject)
    html_part, text_part = mail.get_body(("html",)), mail.get_body(("plain",))
    assert html_part is not None and text_part is not None
    assert_html_inert(html_part.get_content(), OUR_TAGS | {"html", "head", "body", "meta"})
    assert_plain_inert(text_part.get_content())
    if kind == "article":
        assert subject.startswith("Article edited: Oxytocin <script>")
        assert_title_has_no_link(subject)


def test_a_hostile_page_reaches_mattermost_html_inert(home: Path, webhook: WebhookReceiver) -> None:
    """The reported case, through extraction, recording, the outbox and delivery: a title
    with <script> and onerror= pasted by Mattermost (HTML format) into its message."""
    url = f"mmost://127.0.0.1:{webhook.port}/t0k3n?format=html"
    with session() as db:
        add_channel(db, url=url, label=mask(url))
    title = "Oxytocin: The Love Hormone That Might Be Your Body’s Real Superpower"
    hostile = html.escape('<script>alert(1)</script> <img src=x onerror="alert(2)"> @channel')
    edited = (
        page("v1")
        .decode()
        .replace(title, f"{title} {hostile}")
        .replace("Oxytocin lowers cortisol —", f"Oxytocin lowers cortisol {hostile} —")
    )
    with session() as db:
        record_body(db, page("v1"), url=PAGE_URL)
    with session() as db:
        assert record_body(db, edited.encode(), url=PAGE_URL) is not None

    assert deliver_due().sent == 1

    [hook] = webhook.requests
    text = hook.body["text"]
    assert text.startswith("<b>Article edited: Oxytocin: The Love Hormone")
    shown = assert_html_inert(text, OUR_TAGS, link=PAGE_URL)
    assert "@\u200bchannel" in shown
