"""Three workers on one PostgreSQL: three `claimwatch run --due` processes at once, each a
`monitor` flow run on the session's Prefect server, over 60 sources on 6 hosts.

Each host is its own SiteServer on its own loopback address (127.0.0.1 … 127.0.0.6), so that
Scrapy and the leases see six hosts. Every worker sends its own User-Agent; the servers log
each request's arrival, which gives per host and worker the span of its requests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from claimwatch.sitesrv import LoggedRequest, SiteServer
from storage.db import get_engine, session
from storage.models import Capture, Source
from tests.flows.pipeline import cli

WORKERS = 3
HOSTS = 6
PER_HOST = 10
# The first requests wait (at most this long) until every worker has sent one: the workers
# then crawl at the same time, whatever order the machine starts them in.
GATE_SECONDS = 120.0


class GatedSite(SiteServer):
    """A SiteServer that holds each request until all workers have been seen (or the gate's
    time is up), so that the pass is shared by the workers rather than won by the first."""

    def __init__(self, host: str, seen: set[str], gate: threading.Event) -> None:
        super().__init__(host=host)
        self.seen, self.gate = seen, gate

    def _log(self, request: LoggedRequest) -> None:
        super()._log(request)
        self.seen.add(request.headers.get("User-Agent", ""))
        if len(self.seen) >= WORKERS:
            self.gate.set()
        self.gate.wait(GATE_SECONDS)


def _article(host: int, number: int) -> bytes:
    paragraphs = "".join(
        f"<p>Paragraph {i} of article {number} on host {host}: vitamin D and sleep, "
        f"a study of {100 + i} adults over {number + 2} weeks found no effect.</p>"
        for i in range(6)
    )
    return (
        f"<!DOCTYPE html><html><head><title>Article {number} on host {host}</title></head>"
        f"<body><article><h1>Article {number} on host {host}</h1>{paragraphs}</article>"
        "</body></html>"
    ).encode()


@pytest.fixture
def sites() -> Iterator[list[GatedSite]]:
    seen: set[str] = set()
    gate = threading.Event()
    servers = [GatedSite(f"127.0.0.{h + 1}", seen, gate) for h in range(HOSTS)]
    for h, server in enumerate(servers):
        server.start()
        for n in range(PER_HOST):
            server.set(f"/post-{n}/", body=_article(h, n))
    yield servers
    for server in servers:
        server.stop()


def _start_worker(number: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PREFECT_API_URL": os.environ["CLAIMWATCH_TEST_PREFECT_API_URL"],
        "CLAIMWATCH_USER_AGENT": f"claimwatch-test/worker-{number}",
        # One host (10 sources) per claim: six claims to share among three workers.
        "CLAIMWATCH_CRAWL_BATCH_SIZE": str(PER_HOST),
        "CLAIMWATCH_DOWNLOAD_TIMEOUT": str(GATE_SECONDS + 30),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "claimwatch", "run", "--due"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _spans(requests: list[LoggedRequest]) -> list[tuple[float, float, str]]:
    """Per worker, the first and last arrival of its requests to one host, in order."""
    times: dict[str, list[float]] = defaultdict(list)
    for request in requests:
        times[request.headers.get("User-Agent", "")].append(request.at)
    return sorted((min(t), max(t), worker) for worker, t in times.items())


def _checks_per_source() -> Counter[int]:
    with session() as db:
        rows = db.exec(select(Capture.source_id, func.count()).group_by(Capture.source_id))
        return Counter({source_id: count for source_id, count in rows})


@pytest.mark.slow
def test_three_workers_split_a_pass_by_host(home: Path, sites: list[GatedSite]) -> None:
    if get_engine().dialect.name != "postgresql":
        pytest.skip("several workers share a PostgreSQL database")
    urls = [server.url(f"/post-{n}/") for server in sites for n in range(PER_HOST)]
    cli("track", *urls)

    workers = [_start_worker(number) for number in range(WORKERS)]
    outputs = [worker.communicate(timeout=900) for worker in workers]
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr

    with session() as db:
        source_ids = set(db.exec(select(Source.id)))
    checks = _checks_per_source()
    assert set(checks) == source_ids  # none starved
    assert set(checks.values()) == {1}  # none checked twice
    assert sum(int(out.splitlines()[0].split()[1]) for out, _ in outputs) == len(urls)

    for server in sites:
        pages = [r for r in server.requests if r.path.startswith("/post-")]
        assert Counter(r.path for r in pages) == {f"/post-{n}/": 1 for n in range(PER_HOST)}
        spans = _spans(server.requests)
        # One worker at a time per host: each span ends before the next worker's begins.
        for (_, end, _), (start, _, _) in pairwise(spans):
            assert end < start, spans
    fetched_by = {r.headers["User-Agent"] for server in sites for r in server.requests}
    assert len(fetched_by) == WORKERS  # the pass was shared

    # Within the interval nothing is due again: a fourth worker checks nothing.
    again = _start_worker(WORKERS)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert out.splitlines()[0].startswith("planned: 0  checked: 0")
    assert _checks_per_source() == checks
