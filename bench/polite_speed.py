"""A polite pass over many blogs: host-mixed crawl batches and 304-aware AutoThrottle, measured
against the per-host delay floor in the same run.

Run: .venv/bin/python bench/polite_speed.py [--hosts 10] [--per-host 20] [--batch 100]
The pages (bench_pages.py) are spread over --hosts SiteServers on loopback addresses
(127.0.0.20, 127.0.0.21, …), claimwatch runs with its default politeness (AutoThrottle on,
DOWNLOAD_DELAY 0.5 s per host). Rows, in order:
- floor: a bare Scrapy spider over all pages in one process with AutoThrottle off and the same
  0.5 s per-host delay: a pass limited by the per-host delay alone (and Scrapy's start-up);
- first pass (all new) in crawl batches of --batch sources, sorted by host (as before) and
  round-robin across hosts (service.passes.plan_crawl), each with the AutoThrottle it had;
- a pass where nothing changed (all 304) with Scrapy's AutoThrottle (a 304 never lowers the
  delay from its 1 s start) and with crawler.throttle.NotModifiedAwareAutoThrottle.
The hosts have no robots.txt (404): with a 200 robots.txt, its fast answer lowers the delay
before the 304s come, and both AutoThrottles do the same.
Each row gives wall seconds, pages/s and the floor's time divided by the row's (1.00 = as
fast as the floor). Compare ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_pages import build_pages
from bench_stages import check, floor_fetch, serve, track_all, use_home

STOCK_THROTTLE = {
    "EXTENSIONS": json.dumps(
        {
            "scrapy.extensions.throttle.AutoThrottle": 0,
            "crawler.throttle.NotModifiedAwareAutoThrottle": None,
        }
    )
}


def _crawl(batches: list[list[dict]], settings: dict[str, str] | None = None) -> float:
    from crawler.run import run_crawl

    started = time.perf_counter()
    for batch in batches:
        result = run_crawl(batch, timeout=1800, settings=settings)
        check(result.returncode == 0, f"crawl failed: {result.stderr_tail}")
    return time.perf_counter() - started


def _sorted_batches(size: int) -> list[list[dict]]:
    """Batches as plan_crawl built them before: sources sorted by host, then cut."""
    from service.passes import _entry
    from storage.db import session
    from storage.sources import select_for_run

    with session() as db:
        entries = [_entry(s) for s in select_for_run(db)]
    return [entries[i : i + size] for i in range(0, len(entries), size)]


def _mixed_batches(size: int) -> list[list[dict]]:
    from service.passes import plan_crawl

    return plan_crawl(due_only=False, urls=[], tag="", batch_size=size)


def _statuses() -> dict[int, int]:
    from sqlalchemy import func
    from sqlmodel import select

    from storage.db import session
    from storage.models import Capture

    with session() as db:
        rows = db.exec(select(Capture.status, func.count()).group_by(Capture.status))
        return {status: count for status, count in rows}


def main() -> None:
    """Serve the pages, run the floor and the passes, print the table."""
    from claimwatch.sitesrv import SiteServer

    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--per-host", type=int, default=20)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    os.environ["CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES"] = "true"
    pages = build_pages(args.hosts * args.per_host)
    paths = list(pages)
    servers = [SiteServer(host=f"127.0.0.{20 + h}").start() for h in range(args.hosts)]
    urls = []
    for h, server in enumerate(servers):
        mine = {p: pages[p] for p in paths[h :: args.hosts]}
        serve(server, mine)
        # No robots.txt, as on the nginx sites of the measurement: its 404 is a non-200
        # answer too, so Scrapy's AutoThrottle keeps its start delay from the first request.
        server.set("/robots.txt", status=404, body=b"", validators=False)
        urls += [server.url(p) for p in mine]
    total = len(urls)
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-polite-") as tmp:
        use_home(Path(tmp) / "floor")
        import crawler.settings as crawl_settings

        crawl_settings.AUTOTHROTTLE_ENABLED = False  # the floor: the fixed per-host delay only
        crawl_settings.DOWNLOAD_DELAY = 0.5
        floor = floor_fetch(urls)
        check(floor.pages == total, f"floor fetched {floor.pages} of {total}")
        rows.append(("floor: bare Scrapy, 0.5 s per host", floor.wall))

        os.environ["CLAIMWATCH_AUTOTHROTTLE"] = "true"
        use_home(Path(tmp) / "sorted")
        os.environ["CLAIMWATCH_AUTOTHROTTLE"] = "true"  # use_home switched it off
        track_all(urls)
        rows.append(
            (
                "first pass, batches sorted by host",
                _crawl(_sorted_batches(args.batch), STOCK_THROTTLE),
            )
        )
        check(_statuses() == {200: total}, f"sorted pass: {_statuses()}")

        use_home(Path(tmp) / "mixed")
        os.environ["CLAIMWATCH_AUTOTHROTTLE"] = "true"
        track_all(urls)
        rows.append(("first pass, batches mixing hosts", _crawl(_mixed_batches(args.batch))))
        check(_statuses() == {200: total}, f"mixed pass: {_statuses()}")
        rows.append(
            (
                "all 304, Scrapy's AutoThrottle",
                _crawl(_mixed_batches(args.batch), STOCK_THROTTLE),
            )
        )
        check(_statuses() == {200: total, 304: total}, f"304 pass: {_statuses()}")
        rows.append(("all 304, 304-aware AutoThrottle", _crawl(_mixed_batches(args.batch))))
        check(_statuses() == {200: total, 304: 2 * total}, f"304 pass: {_statuses()}")
    for server in servers:
        server.stop()

    print(
        f"{total} pages on {args.hosts} hosts ({args.per_host} each), crawl batches of "
        f"{args.batch}, default politeness (AutoThrottle on, DOWNLOAD_DELAY 0.5 s)"
    )
    print(f"{'':38} {'seconds':>8} {'pages/s':>8} {'floor/row':>10}")
    for name, seconds in rows:
        print(f"{name:38} {seconds:8.1f} {total / seconds:8.1f} {floor.wall / seconds:9.2f}×")


if __name__ == "__main__":
    main()
