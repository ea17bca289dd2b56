"""The fixture HTTP server, exercised over real sockets with urllib."""

from __future__ import annotations

import hashlib
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

import pytest

from claimwatch.sitesrv import ROBOTS_TXT, LoggedRequest, Route, SiteServer, guess_content_type

BODY = b"<html><body><article><h1>Oxytocin</h1><p>Lowers cortisol.</p></article></body></html>"
ETAG = '"' + hashlib.sha256(BODY).hexdigest()[:16] + '"'


@pytest.fixture(scope="module")
def srv() -> Iterator[SiteServer]:
    with SiteServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _clean(srv: SiteServer) -> None:
    srv.reset()


def fetch(
    url: str, headers: dict[str, str] | None = None, method: str = "GET", timeout: float = 5
) -> tuple[int, Message, bytes]:
    """Status, headers and body of one request; HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def test_base_url_and_url(srv: SiteServer) -> None:
    assert srv.base_url == f"http://127.0.0.1:{srv.port}"
    assert srv.port > 0
    assert srv.url("/a/b.html") == srv.base_url + "/a/b.html"


def test_200_with_validators(srv: SiteServer) -> None:
    srv.set("/post/", body=BODY)
    status, headers, body = fetch(srv.url("/post/"))
    assert status == 200
    assert body == BODY
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Length"] == str(len(BODY))
    assert headers["ETag"] == ETAG
    assert abs(parsedate_to_datetime(headers["Last-Modified"]).timestamp() - time.time()) < 5


def test_head_has_headers_without_body(srv: SiteServer) -> None:
    srv.set("/post/", body=BODY)
    status, headers, body = fetch(srv.url("/post/"), method="HEAD")
    assert status == 200
    assert body == b""
    assert headers["Content-Length"] == str(len(BODY))
    assert headers["ETag"] == ETAG


def _last_modified(srv: SiteServer, path: str) -> str:
    return fetch(srv.url(path))[1]["Last-Modified"]


@pytest.mark.parametrize(
    ("conditional", "expected"),
    [
        ({"If-None-Match": ETAG}, 304),
        ({"If-None-Match": f"W/{ETAG}"}, 304),
        ({"If-None-Match": f'"other", {ETAG}'}, 304),
        ({"If-None-Match": "*"}, 304),
        ({"If-None-Match": '"other"'}, 200),
        ({"If-Modified-Since": "LAST"}, 304),
        ({"If-Modified-Since": formatdate(time.time() + 3600, usegmt=True)}, 304),
        ({"If-Modified-Since": formatdate(time.time() - 3600, usegmt=True)}, 200),
        ({"If-Modified-Since": "not a date"}, 200),
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3)
        ({"If-None-Match": '"other"', "If-Modified-Since": "LAST"}, 200),
    ],
)
def test_conditional_get(srv: SiteServer, conditional: dict[str, str], expected: int) -> None:
    srv.set("/post/", body=BODY)
    last = _last_modified(srv, "/post/")
    headers = {k: last if v == "LAST" else v for k, v in conditional.items()}
    status, answer, body = fetch(srv.url("/post/"), headers)
    assert status == expected
    assert body == (b"" if expected == 304 else BODY)
    assert answer["ETag"] == ETAG


def test_304_on_head(srv: SiteServer) -> None:
    srv.set("/post/", body=BODY)
    assert fetch(srv.url("/post/"), {"If-None-Match": ETAG}, method="HEAD")[0] == 304


def test_same_body_keeps_validators(srv: SiteServer) -> None:
    srv.set("/post/", body=BODY)
    _, first, _ = fetch(srv.url("/post/"))
    srv.set("/post/", body=BODY, headers={"X-Other": "1"})
    _, second, _ = fetch(srv.url("/post/"))
    assert second["ETag"] == first["ETag"]
    assert second["Last-Modified"] == first["Last-Modified"]
    assert fetch(srv.url("/post/"), {"If-Modified-Since": first["Last-Modified"]})[0] == 304


def test_changed_body_changes_validators(srv: SiteServer) -> None:
    srv.set("/post/", body=BODY)
    _, first, _ = fetch(srv.url("/post/"))
    srv.set("/post/", body=BODY + b"<!-- edited -->")
    _, second, _ = fetch(srv.url("/post/"))
    assert second["ETag"] != first["ETag"]
    before = parsedate_to_datetime(first["Last-Modified"])
    assert parsedate_to_datetime(second["Last-Modified"]) > before
    assert fetch(srv.url("/post/"), {"If-None-Match": first["ETag"]})[0] == 200
    assert fetch(srv.url("/post/"), {"If-Modified-Since": first["Last-Modified"]})[0] == 200


def test_changed_body_after_reset_still_gets_later_date(srv: SiteServer) -> None:
    srv.set("/post/", body=BODY)
    first = _last_modified(srv, "/post/")
    srv.reset()
    srv.set("/post/", body=b"another body")
    assert fetch(srv.url("/post/"), {"If-Modified-Since": first})[0] == 200


def test_validators_off(srv: SiteServer) -> None:
    srv.set("/plain/", body=BODY, validators=False)
    status, headers, _ = fetch(srv.url("/plain/"), {"If-None-Match": ETAG})
    assert status == 200
    assert "ETag" not in headers
    assert "Last-Modified" not in headers


@pytest.mark.parametrize("path", ["/nowhere/", "/post/?q=1", "/index.html"])
def test_unknown_path_is_404(srv: SiteServer, path: str) -> None:
    status, headers, body = fetch(srv.url(path))
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    assert b"Not Found" in body


def test_removed_path_is_404(srv: SiteServer) -> None:
    srv.set("/post/", body=BODY)
    assert fetch(srv.url("/post/"))[0] == 200
    srv.remove("/post/")
    assert fetch(srv.url("/post/"))[0] == 404


def test_query_string_falls_back_to_path(srv: SiteServer) -> None:
    srv.set("/post/", body=BODY)
    srv.set("/post/?page=2", body=b"page two")
    assert fetch(srv.url("/post/?utm=x"))[2] == BODY
    assert fetch(srv.url("/post/?page=2"))[2] == b"page two"


@pytest.mark.parametrize("status", [410, 500, 503])
def test_error_status_routes(srv: SiteServer, status: int) -> None:
    srv.set("/gone/", body=b"<p>gone</p>", status=status, headers={"Retry-After": "120"})
    code, headers, body = fetch(srv.url("/gone/"), {"If-None-Match": '"x"'})
    assert code == status
    assert body == b"<p>gone</p>"
    assert headers["Retry-After"] == "120"
    assert "ETag" not in headers


def test_route_object_and_field_overrides(srv: SiteServer) -> None:
    srv.set("/r/", Route(body=b"x", status=410), status=200, content_type="text/plain")
    status, headers, body = fetch(srv.url("/r/"))
    assert (status, headers["Content-Type"], body) == (200, "text/plain", b"x")


def test_robots_default_and_override(srv: SiteServer) -> None:
    status, headers, body = fetch(srv.url("/robots.txt"))
    assert (status, body) == (200, ROBOTS_TXT)
    assert headers["Content-Type"].startswith("text/plain")
    srv.set("/robots.txt", body=b"User-agent: *\nDisallow: /\n", content_type="text/plain")
    assert fetch(srv.url("/robots.txt"))[2] == b"User-agent: *\nDisallow: /\n"


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("a.html", "café".encode(), "text/html; charset=utf-8"),
        ("a.html", "café".encode("iso-8859-1"), "text/html"),
        ("a.txt", b"plain", "text/plain; charset=utf-8"),
        ("a.pdf", b"%PDF-1.4", "application/pdf"),
        ("a.bin", b"\x00", "application/octet-stream"),
    ],
)
def test_set_file_guesses_content_type(
    srv: SiteServer, tmp_path: Path, name: str, body: bytes, expected: str
) -> None:
    file = tmp_path / name
    file.write_bytes(body)
    assert guess_content_type(file, body) == expected
    srv.set_file("/f", file)
    _, headers, served = fetch(srv.url("/f"))
    assert headers["Content-Type"] == expected
    assert served == body


def test_set_file_keeps_explicit_content_type(srv: SiteServer, tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"<p>x</p>")
    srv.set_file("/f", tmp_path / "a.html", content_type="text/html", status=503)
    status, headers, _ = fetch(srv.url("/f"))
    assert (status, headers["Content-Type"]) == (503, "text/html")


def test_request_log_records_conditional_headers(srv: SiteServer) -> None:
    srv.set("/post/", body=BODY)
    fetch(srv.url("/post/"))
    fetch(srv.url("/post/"), {"If-None-Match": ETAG})
    fetch(srv.url("/other/"), method="HEAD")
    logged = srv.requests_for("/post/")
    assert [r.method for r in logged] == ["GET", "GET"]
    assert "If-None-Match" not in logged[0].headers
    # urllib sends "If-none-match": names are logged in canonical Title-Case
    assert logged[1].headers["If-None-Match"] == ETAG
    assert srv.requests[-1] == LoggedRequest("HEAD", "/other/", srv.requests[-1].headers)
    assert len(srv.requests) == 3


def test_reset_drops_routes_and_log(srv: SiteServer) -> None:
    srv.set("/post/", body=BODY)
    fetch(srv.url("/post/"))
    srv.reset()
    assert srv.requests == []
    assert fetch(srv.url("/post/"))[0] == 404


def test_delay_times_out_client_without_blocking_others(srv: SiteServer) -> None:
    srv.set("/slow/", body=b"slow", delay=2)
    srv.set("/fast/", body=b"fast")
    start = time.monotonic()
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        fetch(srv.url("/slow/"), timeout=0.3)
    assert time.monotonic() - start < 1.5
    # the slow answer is still pending on its own thread; others are served meanwhile
    assert fetch(srv.url("/fast/"), timeout=1)[2] == b"fast"


def test_delay_is_served_when_client_waits(srv: SiteServer) -> None:
    srv.set("/slowish/", body=b"late", delay=0.2)
    start = time.monotonic()
    assert fetch(srv.url("/slowish/"), timeout=5)[2] == b"late"
    assert time.monotonic() - start >= 0.2


def test_stop_is_prompt_with_delayed_request_in_flight() -> None:
    before = set(threading.enumerate())
    server = SiteServer().start()
    server.set("/slow/", body=b"slow", delay=30)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        fetch(server.url("/slow/"), timeout=0.3)  # returns while the answer is still delayed
    handlers = [t for t in set(threading.enumerate()) - before if "process_request" in t.name]
    assert len(handlers) == 1
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 1.0
    handlers[0].join(timeout=1)
    assert not handlers[0].is_alive()
    assert len(server.requests_for("/slow/")) == 1
    with pytest.raises(urllib.error.URLError):
        fetch(server.url("/slow/"), timeout=1)


def test_restartable_on_a_fresh_instance() -> None:
    with SiteServer() as server:
        server.set("/x", body=b"x")
        assert fetch(server.url("/x"))[2] == b"x"
    assert server.base_url.startswith("http://127.0.0.1:")
