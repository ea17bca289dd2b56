"""Wall time of an ad-hoc `claimwatch run` over 5 pages: with `claimwatch serve` running (the
pass goes to its warm process) against Prefect's temporary server (no serve, no
PREFECT_API_URL), and against the floor of the CLI's own start-up (`claimwatch --help`).

    .venv/bin/python bench/run_latency.py [--pages 5] [--runs 3]

Target: ≤ 5 s with serve. Figures move ±30 % on these shared 2-core machines: compare the
ratios of one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import build_pages  # noqa: E402

from claimwatch.sitesrv import SiteServer  # noqa: E402
from tests.web.archive import free_port  # noqa: E402


def claimwatch(env: dict[str, str], *args: str) -> float:
    """Run `claimwatch ARGS`; its wall time in seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "claimwatch", *args], cwd=ROOT, env=env, capture_output=True,
        text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"claimwatch {' '.join(args)} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def median_of(env: dict[str, str], runs: int, *args: str) -> tuple[float, list[float]]:
    """Median and all wall times of `runs` runs."""
    times = [claimwatch(env, *args) for _ in range(runs)]
    return statistics.median(times), times


def wait_idle(base: str, timeout: float = 300) -> None:
    """Poll the service until it answers with no pass running or queued."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = httpx.get(base + "/api/v1/service", timeout=5).json()
            if status["current"] is None and status["queued"] == 0 and status["runs"]:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)  # polling the service
    raise SystemExit("serve did not become idle")


def pass_seconds(base: str, runs: int) -> float:
    """Median time from queued to ended of the last `runs` requested passes, as the service
    recorded them: the part of `claimwatch run`'s wall time spent inside serve."""
    recent = httpx.get(base + "/api/v1/service", timeout=30).json()["runs"]
    spans = [
        (datetime.fromisoformat(r["ended_at"]) - datetime.fromisoformat(r["queued_at"]))
        for r in recent
        if r["trigger"] == "request" and r["ended_at"]
    ][:runs]
    return statistics.median(span.total_seconds() for span in spans)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="claimwatch-latency-") as tmp, SiteServer() as site:
        for path, (body, content_type) in build_pages(options.pages).items():
            site.set(path, body=body, content_type=content_type)
        urls = [site.url(path) for path in build_pages(options.pages)]
        env = {
            **os.environ,
            "CLAIMWATCH_HOME": str(Path(tmp) / "home"),
            "CLAIMWATCH_AUTOTHROTTLE": "false",
            "CLAIMWATCH_ALLOWED_NETWORKS": site.host,
            "PREFECT_HOME": str(Path(tmp) / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "240",
        }
        env.pop("PREFECT_API_URL", None)
        claimwatch(env, "track", *urls)
        floor, _ = median_of(env, options.runs, "--help")
        temporary, temporary_all = median_of(env, options.runs, "run")
        port = free_port()
        log = (Path(tmp) / "serve.log").open("w")
        serve = subprocess.Popen(
            [sys.executable, "-m", "claimwatch", "serve", "--port", str(port),
             "--prefect-port", str(free_port()), "--interval", "1h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_idle(base)
            served, served_all = median_of(env, options.runs, "run")
            in_serve = pass_seconds(base, options.runs)
        finally:
            serve.terminate()
            serve.wait(timeout=120)
            log.close()
    print(f"claimwatch run over {options.pages} pages, median of {options.runs} (wall s)")
    print(f"  floor: claimwatch --help                 {floor:6.2f}")
    print(f"  run, Prefect's temporary server          {temporary:6.2f}  "
          f"{' '.join(f'{t:.2f}' for t in temporary_all)}")  # fmt: skip
    print(f"  run, through `claimwatch serve`          {served:6.2f}  "
          f"{' '.join(f'{t:.2f}' for t in served_all)}")  # fmt: skip
    print(f"    of which the pass inside serve         {in_serve:6.2f}  (queued → ended, median)")
    print(f"    of which the CLI and HTTP              {served - in_serve:6.2f}")
    print(f"  serve / temporary: {served / temporary:.2f}   serve − floor: {served - floor:.2f} s")
    print(f"  target ≤ 5 s with serve: {'met' if served <= 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
