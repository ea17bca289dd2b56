"""Stages of the pipeline benchmark without Prefect: floors, claimwatch crawl, claimwatch analysis.

Import after pipeline_speed has set CLAIMWATCH_* (settings are cached once read).
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
Row = tuple[str, float, int | None, str]  # stage, seconds, pages (for pages/s), comparison
# The crawl settings the floor spider copies (what bounds a crawl's speed and politeness).
CRAWL_SETTINGS = (
    "USER_AGENT", "ROBOTSTXT_OBEY", "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN",
    "AUTOTHROTTLE_ENABLED", "DOWNLOAD_DELAY", "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE",
    "RETRY_TIMES", "HTTPERROR_ALLOW_ALL", "COOKIES_ENABLED", "TELNETCONSOLE_ENABLED",
    "REMOTE_CONTROL_ENABLED", "LOG_LEVEL",
)  # fmt: skip
FLOOR_SPIDER = """
import json, os
import scrapy


class FloorSpider(scrapy.Spider):
    name = "floor"
    custom_settings = json.loads(os.environ["BENCH_FLOOR_SETTINGS"])

    async def start(self):
        with open(os.environ["BENCH_FLOOR_URLS"], encoding="utf-8") as urls:
            for url in json.load(urls):
                yield scrapy.Request(url, dont_filter=True)

    def parse(self, response):
        if response.status == 200:
            self.crawler.stats.inc_value("floor/pages")
"""


@dataclass(frozen=True)
class Timed:
    """One measured stage: wall seconds, CPU seconds (all processes), pages done."""

    wall: float
    cpu: float
    pages: int
    scrapy_elapsed: float | None = None  # a crawl's own elapsed_time_seconds
    outcomes: Counter[str] | None = None


def cpu_seconds(*, own: bool) -> float:
    """CPU time of finished child processes (and of this process when `own`)."""
    kinds = [resource.RUSAGE_CHILDREN] + ([resource.RUSAGE_SELF] if own else [])
    return sum(sum(resource.getrusage(k)[:2]) for k in kinds)


_ELAPSED = re.compile(r"'elapsed_time_seconds': ([0-9.]+)")
_PAGES = re.compile(r"'floor/pages': (\d+)")


def check(condition: bool, message: str) -> None:
    """Stop the benchmark when a stage did not do the work it is timed for."""
    if not condition:
        raise SystemExit(f"pipeline_speed: {message}")


def ratio(rate: float, floor: float, name: str) -> str:
    """'0.52× floor A' style comparison."""
    return f"{rate / floor:.2f}× {name}"


def serve(site: Any, pages: dict[str, tuple[bytes, str]]) -> None:
    """Publish `pages` ({path: (body, content type)}) on a SiteServer."""
    for path, (body, content_type) in pages.items():
        site.set(path, body=body, content_type=content_type)


def use_home(home: Path) -> None:
    """Point claimwatch (this process and its crawl subprocesses) at a fresh, migrated home."""
    from storage.db import get_engine, migrate, reset_engines
    from storage.settings import get_settings

    get_engine().dispose()  # the previous home's engine, if any
    os.environ["CLAIMWATCH_HOME"] = str(home)
    os.environ["CLAIMWATCH_DATABASE_URL"] = ""
    os.environ["CLAIMWATCH_AUTOTHROTTLE"] = "false"
    get_settings.cache_clear()
    reset_engines()
    migrate()


def track_all(urls: list[str]) -> None:
    """Track `urls` in the current home."""
    from storage.db import session
    from storage.sources import track

    with session() as db:
        track(db, urls=urls, interval_seconds=3600, tags=["bench"])


def scrapy_elapsed(log: str) -> float | None:
    """Scrapy's own elapsed_time_seconds from a crawl's stats dump (None if not in the log)."""
    found = _ELAPSED.findall(log)
    return float(found[-1]) if found else None


def floor_fetch(urls: list[str]) -> Timed:
    """Floor A: a bare spider over `urls` with claimwatch's crawl settings, in a subprocess."""
    import crawler.settings as crawl_settings

    settings = {k: getattr(crawl_settings, k) for k in CRAWL_SETTINGS if hasattr(crawl_settings, k)}
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        spider, url_file = Path(tmp) / "floor_spider.py", Path(tmp) / "urls.json"
        spider.write_text(FLOOR_SPIDER, encoding="utf-8")
        url_file.write_text(json.dumps(urls), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
        env |= {"BENCH_FLOOR_SETTINGS": json.dumps(settings), "BENCH_FLOOR_URLS": str(url_file)}
        started, cpu = time.perf_counter(), cpu_seconds(own=False)
        # cwd outside the project: no scrapy.cfg, so none of claimwatch's pipelines load.
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "runspider", str(spider)],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        wall, cpu = time.perf_counter() - started, cpu_seconds(own=False) - cpu
    ok = _PAGES.findall(done.stderr)
    return Timed(wall, cpu, int(ok[-1]) if ok else 0, scrapy_elapsed(done.stderr))


def crawl_batches() -> list[list[dict]]:
    """The crawl batches of a full pass, as service.passes.plan_crawl builds them."""
    from service.passes import plan_crawl
    from storage.settings import get_settings

    size = get_settings().crawl_batch_size
    return plan_crawl(due_only=False, urls=[], tag="", batch_size=size)


def claimwatch_crawl() -> Timed:
    """crawler.run.run_crawl over every tracked source (pages = captures recorded)."""
    from crawler.run import run_crawl

    started, cpu = time.perf_counter(), cpu_seconds(own=False)
    elapsed, captures = 0.0, 0
    for batch in crawl_batches():
        result = run_crawl(batch)
        if result.returncode != 0:
            raise RuntimeError(f"crawl failed: {result.stderr_tail}")
        elapsed += scrapy_elapsed(result.stderr_tail) or 0.0
        captures += result.captures
    wall, cpu = time.perf_counter() - started, cpu_seconds(own=False) - cpu
    return Timed(wall, cpu, captures, elapsed or None)


def bare_extract(body: bytes) -> str | None:
    """Floor B's unit of work."""
    return trafilatura.extract(body, include_comments=False)


def floor_extract(bodies: list[bytes], processes: int) -> Timed:
    """Floor B: bare trafilatura over `bodies` (pool start-up included, as in service.analyse)."""
    started, cpu = time.perf_counter(), cpu_seconds(own=True)
    if processes == 1:
        results = [bare_extract(body) for body in bodies]
    else:
        context = get_context("spawn")
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            results = list(pool.map(bare_extract, bodies, chunksize=8))
    wall, cpu = time.perf_counter() - started, cpu_seconds(own=True) - cpu
    return Timed(wall, cpu, sum(r is not None for r in results))


def claimwatch_analysis() -> Timed:
    """service.analyse.plan_batches + analyse_batch over the pending captures."""
    from service.analyse import analyse_batch, plan_batches
    from storage.settings import get_settings

    started, cpu = time.perf_counter(), cpu_seconds(own=True)
    outcomes: Counter[str] = Counter()
    plans = plan_batches(source_ids=None, batch_size=get_settings().analysis_batch_size)
    for capture_ids in plans:
        outcomes.update(analyse_batch(capture_ids).outcomes)
    wall, cpu = time.perf_counter() - started, cpu_seconds(own=True) - cpu
    return Timed(wall, cpu, sum(outcomes.values()), outcomes=outcomes)
