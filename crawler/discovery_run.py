"""Run the discovery spider in a Scrapy subprocess (like every crawl) and wait for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The articles crawl's process handling: the same log place, stop and kill rules.
from crawler.run import (
    GRACE_SECONDS,
    STDERR_TAIL,
    crawl_env,
    download_timeout,
    log_path,
    wait_or_stop,
)


@dataclass(frozen=True)
class DiscoveryCrawl:
    """How a discovery subprocess ended; its items are in `results` (JSON lines)."""

    returncode: int
    results: Path
    site_counts: dict[str, dict[str, Any]] = field(default_factory=dict)  # site id -> counts
    stderr_tail: str = ""
    seconds: float = 0.0
    timed_out: bool = False
    log_file: str = ""


def discovery_command(plan: Path, results: Path, stats: Path, log_level: str) -> list[str]:
    """The command line of a discovery crawl of the sites in `plan`."""
    return [
        sys.executable, "-m", "scrapy", "crawl", "discovery",
        "-a", f"plan={plan}", "-a", f"stats={stats}",
        "-s", f"CLAIMWATCH_DISCOVERY_RESULTS={results}",
        "-s", f"LOG_LEVEL={log_level}",
    ]  # fmt: skip


def run_discovery(
    plans: list[dict[str, Any]],
    *,
    workdir: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    log_level: str = "INFO",
) -> DiscoveryCrawl:
    """Discover the planned sites; the results file is left in `workdir` for the caller."""
    child_env = crawl_env({**os.environ, **(env or {})})
    plan, results, stats = workdir / "plan.json", workdir / "results.jsonl", workdir / "stats.json"
    plan.write_text(json.dumps(plans), encoding="utf-8")
    results.touch()
    started = time.monotonic()
    log_file = log_path(child_env)
    with log_file.open("w+b") as stderr:
        process = subprocess.Popen(
            discovery_command(plan, results, stats, log_level),
            cwd=workdir,  # any directory: a scrapy.cfg near the caller's must not be picked up
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        timed_out = wait_or_stop(
            process, timeout, grace=download_timeout(child_env) + GRACE_SECONDS
        )
        stderr.seek(max(0, stderr.seek(0, os.SEEK_END) - STDERR_TAIL))
        tail = stderr.read().decode("utf-8", "replace")
    counts = json.loads(stats.read_text()) if stats.is_file() else {}
    if timed_out:
        tail += f"\ndiscovery stopped after the {timeout:g} s timeout"
    return DiscoveryCrawl(
        returncode=process.returncode,
        results=results,
        site_counts=counts.get("sites", {}),
        stderr_tail=tail,
        seconds=round(time.monotonic() - started, 3),
        timed_out=timed_out,
        log_file=str(log_file),
    )
