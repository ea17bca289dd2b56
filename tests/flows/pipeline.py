"""Helpers for pipeline tests: serve fixture versions, drive the CLI, run real monitoring passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from claimwatch.cli import app
from claimwatch.sitesrv import SiteServer

FIXTURES = Path(__file__).parents[1] / "fixtures"
ARTICLE = FIXTURES / "deepher" / "oxytocin-superpower"
PATH = "/2025/oxytocin-superpower/"


def cli(*args: str) -> str:
    """Run a claimwatch command in-process; fail the test on a non-zero exit."""
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def serve(site: SiteServer, version: str) -> None:
    """Serve a version of the DeepHer fixture article at PATH."""
    site.set_file(PATH, ARTICLE.with_name(f"{ARTICLE.name}.{version}.html"))


def run_output() -> str:
    """`claimwatch run` as its own process, using the session's Prefect server; its stdout."""
    result = subprocess.run(
        [sys.executable, "-m", "claimwatch", "run"],
        env={**os.environ, "PREFECT_API_URL": os.environ["CLAIMWATCH_TEST_PREFECT_API_URL"]},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def run_pass() -> dict[str, int]:
    """Run a pass; its counts (checked, new, changed, unchanged, errors), all planned checked."""
    counts = run_counts(run_output())
    assert counts.pop("planned") == counts["checked"]
    return counts


def run_counts(output: str) -> dict[str, int]:
    """The counts of a pass's summary line (planned, checked, new, changed, unchanged, errors)."""
    counts = dict(part.split(": ") for part in output.splitlines()[0].split("  "))
    return {k: int(v) for k, v in counts.items()}


def changes_json(*extra: str) -> list[dict]:
    """`claimwatch changes --format json` parsed."""
    return json.loads(cli("changes", "--format", "json", *extra))
