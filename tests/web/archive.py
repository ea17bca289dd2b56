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


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A throwaway PostgreSQL database of its own (the `home` fixture resets the shared one)."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(admin_url)
    name = f"claimwatch_web_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


# --- A hostile blog: every scraped field carries markup, script URLs and control characters ---

XSS_SCRIPT = "window.__xss=1;document.documentElement.setAttribute('data-xss','1')"
TITLE = (
    "Oxytocin &lt;script&gt;window.__xss=1&lt;/script&gt; "
    "&lt;img src=x onerror=window.__xss=1&gt; \u202eevil\u202c"
)
CLAIM_V1 = (
    "<p>Oxytocin lowers cortisol &lt;img src=x onerror=&quot;window.__xss=1&quot;&gt; in every "
    "adult, and &lt;script&gt;window.__xss=1&lt;/script&gt; cures stress.</p>"
)
CLAIM_V2 = CLAIM_V1.replace("lowers cortisol", "may lower cortisol")
LIVE = f'<script>{XSS_SCRIPT}</script><img src="x" onerror="{XSS_SCRIPT}">'
REFERENCE = (
    '<li id="src-9">Evil J. &quot;&gt;&lt;svg onload=window.__xss=1&gt; Journal of XSS, 2024. '
    '<a href="javascript:window.__xss=1">doi:10.1000/xss.2024.1</a></li>'
)
# What a page shows instead of an ANSI escape and a bidi override.
ANSI_TITLE = "\x1b[31mRED ALERT\x1b[0m \u202eevil"


def hostile(file: Path) -> bytes:
    """A demo article with payloads in its title, a claim, a reference and live scripts."""
    html = file.read_text(encoding="utf-8")
    html = html.replace(
        "<title>Oxytocin: The Love Hormone That Might Be Your Body’s Real Superpower",
        f"<title>{TITLE}",
    )
    html = html.replace(
        "<h1>Oxytocin: The Love Hormone That Might Be Your Body’s Real Superpower</h1>",
        f"<h1>{TITLE}</h1>{LIVE}",
    )
    claim = CLAIM_V2 if "edits" in str(file) else CLAIM_V1
    html = html.replace("6 min read</p>", f"6 min read</p>{claim}", 1)
    html = html.replace(
        "      </ol>\n    </section>\n  </article>",
        f"{REFERENCE}\n      </ol>\n    </section>\n  </article>",
    )
    return html.encode("utf-8")


def record_hostile(site: SiteServer) -> str:
    """Track the hostile article through two passes, then seed what HTML cannot carry (ANSI
    escapes in a title, script URLs as identifiers, payloads in tags, labels and notes)."""
    from sqlmodel import select

    from claimwatch.demo import DEMO_SITE
    from storage.db import migrate, session
    from storage.models import Change, Version
    from storage.sources import track
    from storage.triage import add_note, set_labels

    migrate()
    path = "/oxytocin-stress-and-repair.html"
    url = site.url(path)
    site.set(path, body=hostile(DEMO_SITE / "oxytocin-stress-and-repair.html"))
    with session() as db:
        track(db, urls=[url], interval_seconds=3600, tags=["<script>window.__xss=1</script>"])
    record_pass()
    site.set(path, body=hostile(DEMO_SITE / "edits" / "oxytocin-stress-and-repair.html"))
    record_pass()
    with session() as db:
        change = db.exec(select(Change)).one()
        latest = db.exec(select(Version).order_by(Version.number.desc())).first()  # type: ignore[union-attr]
        assert latest is not None and change.id is not None
        latest.title = ANSI_TITLE + " " + latest.title
        details = dict(change.details)
        references = dict(details.get("references") or {})
        references["added"] = [
            *references.get("added", []),
            {
                "text": "Seeded <b onmouseover=window.__xss=1>reference</b>",
                "ids": {"doi": "javascript:window.__xss=1", "url": "javascript:window.__xss=1"},
                "key": "seeded",
            },
        ]
        details["references"] = references
        change.details = details
        db.add(latest)
        db.add(change)
        set_labels(db, change_id=change.id, labels=['"><img src=x onerror=window.__xss=1>'])
        add_note(db, change_id=change.id, text="<script>window.__xss=1</script>\x1b[2J\u202e")
    return url
