"""Real receivers on 127.0.0.1 for alert tests: an HTTP webhook endpoint and an SMTP server."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Hook:
    """One request the webhook receiver got: path, headers (Title-Case) and parsed body."""

    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON (an object or a list) or form fields
    raw: bytes = b""  # the request body as sent (XML posts)

    @property
    def key(self) -> str:
        """The idempotency key the sender attached."""
        return self.headers.get("Idempotency-Key", "")


class WebhookReceiver:
    """Accepts JSON and form posts; can be down (port closed) or hold requests unanswered."""

    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        self.tls = tls  # (certificate, key): answer HTTPS (jsons://, forms://)
        self.port = _free_port()
        self.requests: list[Hook] = []
        self.arrived = threading.Event()  # set when a request comes in
        self.release = threading.Event()  # a held request is answered once this is set
        self.release.set()
        self.status = 200  # what it answers
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, scheme: str = "json", path: str = "/hook") -> str:
        """An Apprise URL that posts to this receiver."""
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def up(self) -> None:
        """Listen (again) on the receiver's port."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                kind = self.headers.get("Content-Type", "")
                body = (
                    json.loads(raw)
                    if "json" in kind
                    else {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                    if "form" in kind
                    else {}
                )
                headers = {k.title(): v for k, v in self.headers.items()}
                with receiver._lock:
                    receiver.requests.append(Hook(self.path, headers, body, raw))
                receiver.arrived.set()
                receiver.release.wait(timeout=60)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", self.port), Handler)
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def down(self) -> None:
        """Stop listening: senders get `connection refused`."""
        if self._server is not None:
            self.release.set()
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def hold(self) -> None:
        """Keep the next requests waiting (until `release` is set)."""
        self.arrived.clear()
        self.release.clear()

    def delivered(self) -> dict[str, Hook]:
        """What an idempotent receiver keeps: the first request per idempotency key."""
        kept: dict[str, Hook] = {}
        for hook in self.requests:
            kept.setdefault(hook.key, hook)
        return kept


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a sender killed mid-request leaves a broken pipe: expected in these tests


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """A real SMTP server (aiosmtpd) that keeps every message it accepts."""

    def __init__(self) -> None:
        self.mailbox = _Mailbox()
        self.port = _free_port()
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        """Messages received so far."""
        return self.mailbox.messages

    def url(self, to: str = "editor@example.org") -> str:
        """An Apprise mailto:// URL that delivers here without TLS or login."""
        return f"mailto://127.0.0.1:{self.port}?to={to}&from=claimwatch@example.org&mode=insecure"

    def __enter__(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
