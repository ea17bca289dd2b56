"""`claimwatch run` killed with SIGKILL at random moments, ten times, then a full run (issue 7):
no capture lost, no duplicate version or change, no alert lost, `claimwatch verify` clean."""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from claimwatch.cli import app
from claimwatch.sitesrv import SiteServer
from storage.db import session
from storage.models import Alert, Capture, Change, Source, Version
from tests.alerts.receivers import WebhookReceiver
from tests.flows.pipeline import ARTICLE, cli

pytestmark = pytest.mark.slow

PAGES = [f"/post-{n}/" for n in range(4)]
VERSIONS = {"v1": "bounce back like we used to", "v3-text-edit": "recover as quickly"}
KILLS = 10


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    webhook = WebhookReceiver()
    webhook.up()
    yield webhook
    webhook.down()


def _run(env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Its own process group: the kill takes its crawl subprocess with it, as a crash would.
    return subprocess.Popen(
        [sys.executable, "-m", "claimwatch", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _serve(site: SiteServer, rng: random.Random) -> dict[str, str]:
    served = {path: rng.choice(sorted(VERSIONS)) for path in PAGES}
    for path, version in served.items():
        site.set_file(path, ARTICLE.with_name(f"{ARTICLE.name}.{version}.html"))
    return served


@pytest.mark.parametrize("home", ["sqlite"], indirect=True)  # one backend keeps it ~2 min
def test_kill_9_at_random_moments_loses_nothing(
    home: Path, fresh_site: SiteServer, receiver: WebhookReceiver
) -> None:
    rng = random.Random(20261129)
    env = {**os.environ, "PREFECT_API_URL": os.environ["CLAIMWATCH_TEST_PREFECT_API_URL"]}
    served = _serve(fresh_site, rng)
    cli("track", *(fresh_site.url(p) for p in PAGES))
    # Every change alerts here, flip-flops included: a missing alert is a lost one.
    cli("alerts", "add", receiver.url("json"), "--reverts")
    killed = 0
    for _ in range(KILLS):
        run = _run(env)
        try:
            run.wait(timeout=rng.uniform(0.5, 9.0))  # a random moment (or it ended first)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
            killed += 1
        served = _serve(fresh_site, rng)
    assert killed >= KILLS // 2  # most runs died mid-way (the others ended first)

    final = _run(env)
    stdout, stderr = final.communicate(timeout=240)
    assert final.returncode == 0, (stdout + stderr).decode()

    with session() as db:
        sources = {s.id: s for s in db.exec(select(Source))}
        captures = db.exec(select(Capture)).all()
        versions = db.exec(select(Version).order_by(col(Version.number))).all()
        changes = db.exec(select(Change)).all()
        alerts = db.exec(select(Alert)).all()
    # No capture lost: every saved fetch was analysed, and the final state is what is served.
    assert captures and all(c.analysed_at is not None for c in captures)
    by_source: dict[int, list[Version]] = {}
    for version in versions:
        by_source.setdefault(version.source_id, []).append(version)
    for source_id, history in by_source.items():
        path = "/" + sources[source_id].url.split("/", 3)[3]
        assert VERSIONS[served[path]] in history[-1].text
        # No duplicate version: consecutive versions always differ.
        hashes = [v.content_hash for v in history]
        assert all(a != b for a, b in itertools.pairwise(hashes))
        assert [v.number for v in history] == list(range(1, len(history) + 1))
    assert set(by_source) == set(sources)
    # No duplicate change: one per version after the first, each from its own capture.
    assert len(changes) == len(versions) - len(sources)
    assert len({c.to_version_id for c in changes}) == len(changes)
    assert len({c.capture_id for c in changes}) == len(changes)
    # No alert lost: every change has its alert, sent, and the receiver holds each one.
    assert sorted(a.change_id for a in alerts) == sorted(c.id for c in changes)
    assert all(a.state == "sent" for a in alerts)
    received: set[int] = set()
    for hook in receiver.delivered().values():
        bodies = hook.body if isinstance(hook.body, list) else [hook.body]
        received.update(body["id"] for body in bodies)
    assert received == {c.id for c in changes}
    # The archive holds every record a capture names.
    verify = CliRunner().invoke(app, ["verify"])
    assert verify.exit_code == 0, verify.output
