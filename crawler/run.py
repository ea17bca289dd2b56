"""Run one crawl of a batch of sources in a Scrapy subprocess (the reactor cannot restart)."""

from __future__ import annotations

import json
import os
import signal
import site
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.settings import get_settings

# The directory holding the `crawler` package: a checkout, or site-packages once installed.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_MODULE = "crawler.settings"
STDERR_TAIL = 4000
GRACE_SECONDS = 15.0  # past the downloads' own timeout: time to close pipelines before a kill


@dataclass(frozen=True)
class CrawlResult:
    """How a crawl subprocess ended and how many captures it committed."""

    returncode: int
    captures: int
    stderr_tail: str
    seconds: float
    timed_out: bool = False
    log_file: str = ""  # the crawl's full Scrapy log, kept under CLAIMWATCH_HOME/logs
    unsaved: int = 0  # fetched but not saved (the database stayed locked, the archive failed)
    save_error: str = ""
    counted: bool = True  # False: the crawl ended without writing its counts

    @property
    def problem(self) -> str:
        """Why this crawl counts as failed ("" when it did not)."""
        if self.returncode != 0:
            return f"crawl exited {self.returncode}"
        if self.unsaved:
            return f"{self.unsaved} captures could not be saved: {self.save_error}"
        if not self.counted:
            return "the crawl ended without writing its counts"
        return ""


def crawl_command(
    batch_file: Path,
    stats_file: Path,
    log_level: str = "INFO",
    settings: dict[str, str] | None = None,
) -> list[str]:
    """The command line that crawls `batch_file` and writes counts to `stats_file`
    (`settings`: Scrapy settings to override, as `-s NAME=VALUE`)."""
    overrides = [arg for k, v in (settings or {}).items() for arg in ("-s", f"{k}={v}")]
    return [
        sys.executable, "-m", "scrapy", "crawl", "articles",
        "-a", f"batch={batch_file}", "-a", f"stats={stats_file}",
        "-s", f"LOG_LEVEL={log_level}", *overrides,
    ]  # fmt: skip


def run_crawl(
    batch: list[dict[str, Any]],
    *,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    log_level: str = "INFO",
    settings: dict[str, str] | None = None,
) -> CrawlResult:
    """Fetch `batch` (source_id, url, etag, last_modified) and record captures; wait for it."""
    # The child reads CLAIMWATCH_* (home, database, limits) from the environment it inherits.
    child_env = crawl_env({**os.environ, **(env or {})})
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="claimwatch-crawl-") as tmp:
        batch_file, stats_file = Path(tmp) / "batch.json", Path(tmp) / "stats.json"
        batch_file.write_text(json.dumps(batch), encoding="utf-8")
        log_file = log_path(child_env)
        with log_file.open("w+b") as stderr:
            process = subprocess.Popen(
                crawl_command(batch_file, stats_file, log_level, settings),
                # Any directory will do: a scrapy.cfg near the caller's must not be picked up.
                cwd=tmp,
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
        counts = json.loads(stats_file.read_text()) if stats_file.is_file() else {}
    if timed_out:
        tail += f"\ncrawl stopped after the {timeout:g} s timeout"
    return CrawlResult(
        returncode=process.returncode,
        captures=int(counts.get("captures", 0)),
        unsaved=int(counts.get("unsaved", 0)),
        save_error=str(counts.get("save_error", "")),
        counted=bool(counts),
        stderr_tail=tail,
        seconds=round(time.monotonic() - started, 3),
        timed_out=timed_out,
        log_file=str(log_file),
    )


def crawl_env(env: dict[str, str]) -> dict[str, str]:
    """`env` plus what the crawl subprocess needs to find claimwatch's Scrapy project."""
    child = {**env, "SCRAPY_SETTINGS_MODULE": SETTINGS_MODULE}
    child.pop("SCRAPY_PROJECT", None)
    site_dirs = {Path(p).resolve() for p in (*site.getsitepackages(), site.getusersitepackages())}
    if PACKAGE_ROOT not in site_dirs:
        # Running from a checkout that is not installed (e.g. pytest's pythonpath): the child
        # must import the same `crawler` package as this process.
        child["PYTHONPATH"] = os.pathsep.join(
            [str(PACKAGE_ROOT), *filter(None, [env.get("PYTHONPATH")])]
        )
    return child


def log_path(env: dict[str, str]) -> Path:
    """A new crawl log file under CLAIMWATCH_HOME/logs."""
    home = Path(env["CLAIMWATCH_HOME"]) if env.get("CLAIMWATCH_HOME") else get_settings().home
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return logs / f"crawl-{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6}.log"


def download_timeout(env: dict[str, str]) -> float:
    """The per-download timeout the child will use."""
    value = env.get("CLAIMWATCH_DOWNLOAD_TIMEOUT")
    return float(value) if value else get_settings().download_timeout


def wait_or_stop(process: subprocess.Popen[bytes], timeout: float | None, *, grace: float) -> bool:
    """Wait for the crawl; past `timeout`, ask it to stop (SIGTERM), past `grace` kill it."""
    try:
        process.wait(timeout=timeout)
        return False
    except subprocess.TimeoutExpired:
        # Scrapy treats SIGTERM as a graceful stop: downloads in flight end (within their
        # timeout), then the pipelines commit what they hold.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return True
