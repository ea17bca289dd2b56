"""Apprise channels: check a URL, show it with its secrets masked, send one message.

JSON webhooks (json://, jsons://) get the change as structured JSON rather than Apprise's
title/message object: posted here with the URL's own method, headers, credentials, query and
TLS settings as Apprise parsed them. Every other channel gets the readable message via Apprise.

Channel URLs hold secrets (tokens in paths, passwords, `+Authorization` headers). They are
read from the database only to send; everything shown or logged goes through `mask` (Apprise's
privacy rendering, then header values, secret-looking parameters and long path segments
masked too) or `scrub` (every secret-looking piece of the URL removed from an error text).
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import requests
from apprise import Apprise, AppriseAsset, NotifyFormat
from apprise.plugins.base import NotifyBase
from apprise.plugins.custom_json import NotifyJSON

from analysis.alert_message import AlertMessage

ASSET = AppriseAsset(
    app_id="claimwatch",
    app_desc="claimwatch article alerts",
    app_url="https://github.com/claimwatch/claimwatch",
)
_SECRET_PARAM = re.compile(r"token|key|secret|pass|auth|sig|cred|session|webhook", re.I)
_URL_PIECES = re.compile(r"[/:@?&=#,+\s]")
MIN_SECRET = 6  # shorter pieces of a URL (ports, "json", "hooks") are not worth hiding
ERROR_CHARS = 500


class InvalidChannel(ValueError):
    """The text is not an Apprise URL this installation can send to."""


def parse_channel(url: str) -> NotifyBase:
    """The Apprise plugin for a URL, or InvalidChannel (no secret in the message)."""
    with _apprise_log(logging.ERROR) as log:
        plugin = Apprise.instantiate(url, asset=ASSET)
    if plugin is None:
        reason = " ".join(line for line in log.getvalue().splitlines() if line.strip())
        raise InvalidChannel(f"not a valid Apprise URL: {_scrub(reason, url) or 'unknown scheme'}")
    return plugin


def mask(url: str) -> str:
    """The channel URL with its secrets masked, short: only the parameters the user gave."""
    private = urlsplit(parse_channel(url).url(privacy=True))
    # Apprise's `+Header` and `:field` keys: '+' must not turn into a space here.
    given = {unquote(pair.split("=", 1)[0]) for pair in urlsplit(url).query.split("&")}
    query = [
        (key, "****" if key[:1] in "+:" or _SECRET_PARAM.search(key) else value)
        for key, value in parse_qsl(private.query, keep_blank_values=True)
        if key in given
    ]
    path = "/".join(_mask_segment(segment) for segment in private.path.split("/"))
    return urlunsplit((private.scheme, private.netloc, path, urlencode(query, safe="*"), ""))


def _mask_segment(segment: str) -> str:
    if len(segment) < MIN_SECRET or "..." in segment or segment.startswith(("%23", "#")):
        return segment  # short, masked already, or a channel name (#general)
    if "@" in segment or "%40" in segment:
        return segment  # an e-mail recipient
    return f"{segment[0]}...{segment[-1]}"


def scrub(text: str, url: str) -> str:
    """An error text with every secret-looking piece of the channel URL replaced by ****."""
    try:
        shown = mask(url)
    except InvalidChannel:
        shown = ""
    return _scrub(text, url, shown=shown)


def _scrub(text: str, url: str, shown: str = "") -> str:
    raw = f"{url} {unquote(url)}"
    pieces = {url, *(p for p in _URL_PIECES.split(raw) if len(p) >= MIN_SECRET)}
    for piece in sorted(pieces, key=len, reverse=True):
        if piece not in shown or piece == url:
            text = text.replace(piece, "****")
    return text[:ERROR_CHARS]


def send(url: str, message: AlertMessage, *, key: str) -> str | None:
    """Send a message in the channel's own format; None when sent, else the channel's error.

    `key` goes out as `Idempotency-Key` and `X-Claimwatch-Alert` headers on channels that take
    custom headers (json://, form://, xml://, mailto://), so a re-sent message can be
    recognised.
    """
    try:
        plugin = parse_channel(url)
        headers = getattr(plugin, "headers", None)
        if isinstance(headers, dict):
            headers.update({"Idempotency-Key": key, "X-Claimwatch-Alert": key})
        if isinstance(plugin, NotifyJSON) and message.data is not None:
            return _post_json(plugin, message.data, url=url)
        fmt = plugin.notify_format
        body = {NotifyFormat.HTML: message.html, NotifyFormat.MARKDOWN: message.markdown}.get(
            fmt, message.text
        )
        # Channels without a title field (Mattermost, Telegram, Rocket.Chat…) paste the title
        # into the body as it is: it must be escaped for the body's format.
        title = message.title_for(str(fmt.value), in_body=plugin.title_maxlen <= 0)
        sender = Apprise(asset=ASSET)
        sender.add(plugin)
        with _apprise_log() as log:
            ok = sender.notify(body=body, title=title, body_format=fmt)
    except Exception as exc:  # a plugin bug must not stop the delivery of other alerts
        return scrub(f"{type(exc).__name__}: {exc}", url)
    if ok:
        return None
    lines = [line for line in log.getvalue().splitlines() if line.strip()]
    return scrub(" ".join(lines) or "the channel reported a failure", url)


def _post_json(plugin: NotifyJSON, data: Any, *, url: str) -> str | None:
    """POST (or the URL's method) `data` as JSON the way Apprise's json:// plugin would."""
    target = f"{'https' if plugin.secure else 'http'}://{plugin.host}"
    if isinstance(plugin.port, int):
        target += f":{plugin.port}"
    target += plugin.fullpath
    # The plugin's headers hold the user's `+Header`s and the idempotency key set above.
    headers = {"User-Agent": plugin.app_id, "Content-Type": "application/json", **plugin.headers}
    try:
        response = requests.request(
            plugin.method,
            target,
            data=json.dumps(data, ensure_ascii=False).encode("utf-8"),
            params=plugin.params,
            headers=headers,
            auth=(plugin.user, plugin.password) if plugin.user else None,
            verify=plugin.verify_certificate,
            timeout=plugin.request_timeout,
            allow_redirects=plugin.redirects,
        )
    except requests.RequestException as exc:
        kind = type(exc).__name__
        reason = f"A Connection error occurred sending JSON notification to {plugin.host} ({kind})."
        return scrub(reason, url)
    if 200 <= response.status_code < 300:
        return None
    status = NotifyJSON.http_response_code_lookup(response.status_code)
    reason = f"Failed to send JSON {plugin.method} notification: {status}"
    return scrub(f"{reason}{', ' if status else ''}error={response.status_code}.", url)


@contextmanager
def _apprise_log(level: int = logging.WARNING) -> Iterator[io.StringIO]:
    # Apprise's warnings name the failure; keep them (scrubbed) instead of letting them reach
    # the console, where a plugin's message could carry part of the URL.
    logger = logging.getLogger("apprise")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    try:
        yield buffer
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved[0]
        logger.setLevel(saved[1])
