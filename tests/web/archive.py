"""Test archives for the web UI: the demo blog through two real passes (crawl subprocess and
analysis, composed as the monitor flow composes them), and the app served over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from claimwatch.demo import publish
from claimwatch.sitesrv import SiteServer

ROOT = Path(__file__).parents[2]


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """Point storage at another home/database for the duration (settings and engines reset)."""
    from storage.db import reset_engines
    from storage.settings import get_settings

    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        get_settings.cache_clear()
        reset_engines()
        try:
            yield
        finally:
            reset_engines()
            get_settings.cache_clear()


def record_pass() -> None:
    """One monitoring pass over every tracked source: crawl batches, then analyse captures."""
    from service.analyse import analyse_batch, plan_batches
    from service.passes import crawl, plan_crawl

    for batch in plan_crawl(due_only=False, urls=[], tag="", batch_size=50):
        crawl(batch, timeout=120)
    for capture_ids in plan_batches(source_ids=None, batch_size=50):
        analyse_batch(capture_ids)


def record_demo(site: SiteServer) -> list[str]:
    """Track the demo blog, pass, apply the bundled edit, pass again; the article URLs."""
    from storage.db import migrate, session
    from storage.sources import track

    migrate()
    urls = publish(site, edited=False)
    with session() as db:
        track(db, urls=urls, interval_seconds=6 * 3600, tags=["demo"])
    record_pass()
    publish(site, edited=True)
    record_pass()
    return urls


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_app(env: dict[str, str]) -> Iterator[str]:
    """The app (create_app) under uvicorn in its own process on a free port; its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "claimwatch.api.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/static/app.css", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.1)  # polling for the port to answer
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
