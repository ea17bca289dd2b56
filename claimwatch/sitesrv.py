"""A threaded local HTTP server for fixture sites: used by the test suite and `claimwatch demo`.

Routes are set in memory (`server.set("/post/", body=b"...")`); 200 answers carry an ETag and a
Last-Modified and honour conditional GETs, so the crawler's 304 handling runs against real HTTP.
"""

from __future__ import annotations

import dataclasses
import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

ROBOTS_TXT = b"User-agent: *\nAllow: /\n"
NOT_FOUND_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
    b"<body><h1>Not Found</h1><p>The requested page does not exist.</p></body></html>\n"
)
_SUFFIX_TYPES = {
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".xml": "application/xml",
    ".css": "text/css",
    ".js": "text/javascript",
    ".png": "image/png",
    ".jpg": "image/jpeg",
}


@dataclass
class Route:
    """What one path answers."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds to wait before answering (to provoke client timeouts)
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers
    validators: bool = True  # send ETag + Last-Modified, honour If-None-Match/If-Modified-Since


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server received it; header names in Title-Case (If-None-Match)."""

    method: str
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.time, compare=False)  # arrival, epoch seconds


@dataclass(frozen=True)
class _Entry:
    route: Route
    etag: str
    last_modified: int  # epoch seconds


def guess_content_type(file: Path, body: bytes) -> str:
    """Content type for a fixture file by suffix; text gets `charset=utf-8` only if it decodes."""
    suffix = file.suffix.lower()
    if suffix in (".html", ".htm", ".txt"):
        mime = "text/plain" if suffix == ".txt" else "text/html"
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return mime  # e.g. an ISO-8859-1 page: let the client find the charset itself
        return f"{mime}; charset=utf-8"
    return _SUFFIX_TYPES.get(suffix, "application/octet-stream")


def _canonical(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # If-None-Match uses weak comparison: W/"x" matches "x"
    tags = (t.strip().removeprefix("W/") for t in header.split(","))
    return etag in tags


def _not_modified_since(header: str, last_modified: int) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    return since is not None and since.timestamp() >= last_modified


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "claimwatch-sitesrv/1"
    timeout = 15  # drop idle keep-alive connections so handler threads end
    server: _HTTPServer

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the default writes every request to stderr

    def _answer(self, *, head: bool) -> None:
        site = self.server.site
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = _canonical(name)
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        site._log(LoggedRequest(self.command, self.path, headers))
        entry = site._lookup(self.path)
        if entry is None:
            self._send(404, "text/html; charset=utf-8", NOT_FOUND_HTML, {}, head=head)
            return
        route = entry.route
        if route.delay > 0 and site._stopping.wait(route.delay):
            self.close_connection = True
            return
        extra = dict(route.headers)
        if route.validators and 200 <= route.status < 300:
            extra["ETag"] = entry.etag
            extra["Last-Modified"] = formatdate(entry.last_modified, usegmt=True)
            inm, ims = headers.get("If-None-Match"), headers.get("If-Modified-Since")
            if (inm is not None and _etag_matches(inm, entry.etag)) or (
                inm is None and ims is not None and _not_modified_since(ims, entry.last_modified)
            ):
                self._send(304, None, b"", extra, head=True)
                return
        self._send(route.status, route.content_type, route.body, extra, head=head)

    def _send(
        self, status: int, ctype: str | None, body: bytes, extra: dict[str, str], *, head: bool
    ) -> None:
        try:
            self.send_response(status)
            if ctype is not None:
                self.send_header("Content-Type", ctype)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout fired)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for delayed answers in flight
    # socketserver's backlog of 5 drops SYNs under a crawl burst: 1 s stalls, false timeouts.
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], site: SiteServer) -> None:
        self.site = site
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # client disconnects are expected in tests; nothing useful to print


class SiteServer:
    """Serve in-memory routes over real HTTP on a local port, from a daemon thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.base_url = ""
        self.requests: list[LoggedRequest] = []
        self._routes: dict[str, _Entry] = {}
        # per-path stamps survive remove()/reset() so a changed body always gets a later date
        self._stamps: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> SiteServer:
        """Bind and start serving; returns self (base_url is set from here on)."""
        if self._httpd is not None:
            raise RuntimeError("SiteServer already started")
        self._stopping.clear()
        self._httpd = _HTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sitesrv-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; returns promptly even with delayed requests."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def url(self, path: str) -> str:
        """Absolute URL of `path` ("/x") on this server."""
        return self.base_url + path

    def set(self, path: str, route: Route | None = None, **fields: Any) -> None:
        """Make `path` answer `route` (or a Route built from `fields`, which override `route`)."""
        if route is None:
            route = Route(**fields)
        elif fields:
            route = dataclasses.replace(route, **fields)
        etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
        with self._lock:
            previous = self._routes.get(path)
            if previous is not None and previous.etag == etag:
                stamp = previous.last_modified  # same body: validators must not move
            else:
                # HTTP dates have 1 s resolution; never reuse a date for a different body
                stamp = max(int(time.time()), self._stamps.get(path, 0) + 1)
                self._stamps[path] = stamp
            self._routes[path] = _Entry(route, etag, stamp)

    def set_file(self, path: str, file: Path, **fields: Any) -> None:
        """Make `path` answer the bytes of `file`; type guessed from the suffix if absent."""
        body = Path(file).read_bytes()
        fields.setdefault("content_type", guess_content_type(Path(file), body))
        self.set(path, body=body, **fields)

    def remove(self, path: str) -> None:
        """Make `path` answer 404 from now on."""
        with self._lock:
            self._routes.pop(path, None)

    def reset(self) -> None:
        """Drop all routes and the request log."""
        with self._lock:
            self._routes.clear()
            self.requests.clear()

    def requests_for(self, path: str) -> list[LoggedRequest]:
        """Logged requests whose target is exactly `path` (query string included)."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _log(self, request: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _lookup(self, target: str) -> _Entry | None:
        path = target.split("?", 1)[0]
        with self._lock:
            entry = self._routes.get(target) or self._routes.get(path)
        if entry is None and path == "/robots.txt":
            robots = Route(body=ROBOTS_TXT, content_type="text/plain", validators=False)
            return _Entry(robots, "", 0)
        return entry
