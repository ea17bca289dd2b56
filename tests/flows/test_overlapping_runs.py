"""Two `claimwatch run` at the same moment (issue 7, defect 3): every status change is recorded
and alerted once, and the two summaries add up instead of contradicting each other."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from claimwatch.sitesrv import SiteServer
from storage.db import session
from storage.models import Alert, Change
from tests.flows.pipeline import ARTICLE, cli, run_counts, run_pass

pytestmark = pytest.mark.slow

PAGES = [f"/post-{n}/" for n in range(5)]


def test_two_overlapping_runs_record_each_change_once(home: Path, fresh_site: SiteServer) -> None:
    for path in PAGES:
        fresh_site.set_file(path, ARTICLE.with_name(f"{ARTICLE.name}.v1.html"))
    cli("track", *(fresh_site.url(p) for p in PAGES))
    cli("alerts", "add", "json://127.0.0.1:9/hook")
    assert run_pass()["new"] == len(PAGES)
    # Each answer takes 4 s, so the first run to lease the host is still crawling when the
    # other plans its pass: they overlap even when one starts seconds after the other (under
    # a loaded machine one run finished before the other planned, and a run that plans after
    # the pages were checked rightly checks them again).
    for path in PAGES:
        fresh_site.set(path, status=404, body=b"<h1>Not found</h1>", delay=4.0)

    env = {**os.environ, "PREFECT_API_URL": os.environ["CLAIMWATCH_TEST_PREFECT_API_URL"]}
    command = [sys.executable, "-m", "claimwatch", "run"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in "ab"]
    outputs = [run.communicate(timeout=240)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    counts = [run_counts(output) for output in outputs]
    # The runs split the sources through the host's lease (one host: one run crawls it, the
    # other finds them checked); each run checked every source it planned, none was checked
    # twice, and each change is counted by the run that made it.
    assert all(c["planned"] == c["checked"] for c in counts)
    assert sum(c["checked"] for c in counts) == len(PAGES)
    assert sum(c["changed"] for c in counts) == len(PAGES)
    with session() as db:
        changes = db.exec(select(Change)).all()
        alerts = db.exec(select(Alert)).all()
    assert len(changes) == len(PAGES)
    assert all(c.kinds == ["status"] for c in changes)
    assert len(alerts) == len(PAGES)
