"""The extraction libraries' log lines go to the analysis log, not to the terminal of a run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from claimwatch.sitesrv import SiteServer
from tests.flows.pipeline import cli

pytestmark = pytest.mark.slow


# Log routing does not depend on the database: one backend (PostgreSQL runs are in
# test_monitor_end_to_end.py).
@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
def test_a_run_over_unreadable_pages_prints_no_library_errors(
    home: Path, fresh_site: SiteServer
) -> None:
    # trafilatura logs an ERROR for the first ("parsed tree length: 0 … not valid HTML") and
    # "discarding data" (WARNING) for the second.
    fresh_site.set("/garbage", body=b"\x00\x01\x02\x03 binary junk")
    fresh_site.set("/empty", body=b"<html></html>")
    cli("track", fresh_site.url("/garbage"), fresh_site.url("/empty"))

    result = subprocess.run(
        [sys.executable, "-m", "claimwatch", "run"],
        env={**os.environ, "PREFECT_API_URL": os.environ["CLAIMWATCH_TEST_PREFECT_API_URL"]},
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "planned: 2  checked: 2  new: 0  changed: 0  unchanged: 0  errors: 2"
    )
    assert "trafilatura" not in result.stderr, result.stderr
    assert "not valid HTML" not in result.stderr + result.stdout
    [log] = (home / "logs").glob("analysis-*.log")
    text = log.read_text(encoding="utf-8")
    assert "[trafilatura.utils] ERROR: parsed tree length: 0" in text
    assert "[trafilatura.core] WARNING: discarding data: " + fresh_site.url("/empty") in text
