"""Stages of the pipeline benchmark that go through Prefect: fixed costs, monitor(), the CLI.

Import after PREFECT_API_URL, PREFECT_HOME and CLAIMWATCH_* are set.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench_pages import build_pages
from bench_stages import ROOT, Row, check, ratio, serve, track_all, use_home

from claimwatch.sitesrv import SiteServer

# changedetection.io 0.60.10 on this kind of machine, 200 local pages (DEPENDENCY-FACTS.md).
CHANGEDETECTION = {"first check": 13.5, "recheck, unchanged": 60.0, "all changed": 12.0}
TRIVIAL_FLOW = "from prefect import flow\n@flow\ndef trivial():\n    return 1\ntrivial()\n"


class StepClock:
    """Time the I/O steps that the monitor flow's tasks call (the rest is Prefect's cost)."""

    def __init__(self) -> None:
        import flows.tasks
        import service.passes

        self.seconds: Counter[str] = Counter()
        self._lock = threading.Lock()
        # Where each step is looked up when the flow runs: the tasks call the service layer,
        # which calls the crawl and the source selection by these names.
        for module, name, label in (
            (service.passes, "run_crawl", "crawl"),
            (flows.tasks, "analyse_batch", "analysis"),
            (flows.tasks, "plan_batches", "planning"),
            (service.passes, "select_for_run", "planning"),
            (flows.tasks, "migrate", "planning"),
        ):
            setattr(module, name, self._timed(getattr(module, name), label))

    def _timed(self, fn: Callable, label: str) -> Callable:
        def timed(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds[label] += time.perf_counter() - started

        return timed


def _seconds(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def prefect_fixed_costs(api_url: str) -> list[Row]:
    """Trivial flows in this process (sync, async, with 5 tasks) and as a new process."""
    from prefect import flow, task

    @task
    def noop(number: int) -> int:
        return number

    @flow(name="bench-trivial")
    def trivial() -> int:
        return 1

    @flow(name="bench-trivial-async")
    async def trivial_async() -> int:
        return 1

    @flow(name="bench-trivial-5-tasks")
    def five_tasks() -> list[int]:
        return [noop(number) for number in range(5)]

    first = _seconds(trivial)
    again = statistics.median(_seconds(trivial) for _ in range(3))
    asynchronous = statistics.median(
        _seconds(lambda: asyncio.run(trivial_async())) for _ in range(3)
    )
    tasks = statistics.median(_seconds(five_tasks) for _ in range(3))
    env = {**os.environ, "PREFECT_API_URL": api_url}
    command = [sys.executable, "-c", TRIVIAL_FLOW]
    process = _seconds(lambda: subprocess.run(command, env=env, check=True))
    return [
        ("prefect: trivial flow, first in process", first, None, ""),
        ("prefect: trivial flow (median of 3)", again, None, ""),
        ("prefect: trivial async flow (median of 3)", asynchronous, None, "no heartbeat join"),
        ("prefect: flow with 5 no-op tasks", tasks, None, ""),
        ("prefect: trivial flow as a new process", process, None, "python start + imports"),
    ]


def monitor_scenarios(
    site: SiteServer, pages: dict[str, tuple[bytes, str]], home: Path, floor_rate: float
) -> list[Row]:
    """flows.monitor.monitor() for a first check, an unchanged recheck and an all-changed pass."""
    from flows.monitor import monitor

    clock = StepClock()
    count = len(pages)
    use_home(home)
    track_all([site.url(path) for path in pages])
    expected = {"first check": "new", "recheck, unchanged": "unchanged", "all changed": "changed"}
    rows: list[Row] = []
    for scenario, bucket in expected.items():
        if scenario == "all changed":
            serve(site, build_pages(count, revision=1))
        clock.seconds.clear()
        started = time.perf_counter()
        summary = monitor()
        wall = time.perf_counter() - started
        check(summary[bucket] == count, f"{scenario}: expected {count} {bucket}, got {summary}")
        rate = count / wall
        steps = clock.seconds
        prefect = wall - sum(steps.values())
        note = (
            f"{ratio(rate, CHANGEDETECTION[scenario], 'changedetection')}; crawl "
            f"{steps['crawl']:.1f} s, analysis {steps['analysis']:.1f} s, planning "
            f"{steps['planning']:.1f} s, prefect {prefect:.1f} s"
        )
        if scenario == "first check":
            note = f"{ratio(rate, floor_rate, 'floor A+B')}; " + note
        rows.append((f"monitor(): {scenario}", wall, count, note))
    return rows


def cli_run(site: SiteServer, home: Path, prefect_env: dict[str, str]) -> float:
    """Seconds of `claimwatch run` over the demo pages in a fresh home (PREFECT_* as given)."""
    from claimwatch.demo import publish

    urls = publish(site, edited=False)
    use_home(home)
    track_all(urls)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | prefect_env
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "claimwatch", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    seconds = time.perf_counter() - started
    check(done.returncode == 0, f"claimwatch run failed: {done.stderr[-2000:]}")
    check(f"new: {len(urls)}" in done.stdout, f"claimwatch run: {done.stdout}")
    return seconds
