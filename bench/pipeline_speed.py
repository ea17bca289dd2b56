"""Pages per second of a monitoring pass, stage by stage, against floors measured in the same run.

Run: .venv/bin/python bench/pipeline_speed.py [--pages 200] [--hosts 10] [--no-prefect]
N distinct 20–40 KB blog pages (bench_pages.py) are served by claimwatch.sitesrv on 127.0.0.1;
claimwatch works in a fresh temporary CLAIMWATCH_HOME (SQLite). Rows:
- floor A: a bare Scrapy spider (no pipelines, no database) with claimwatch's crawl settings,
  in a subprocess; claimwatch crawl: crawler.run.run_crawl (fetch + WARC + capture rows).
- the same crawl pair with the pages spread over --hosts loopback addresses (127.0.0.10…):
  one host is bound by the per-host download delay, many hosts by CPU.
- floor B: bare trafilatura.extract(html, include_comments=False), 1 and 2 processes;
  claimwatch analysis: service.analyse.plan_batches + analyse_batch (first pass, all new).
- flows.monitor.monitor() on a `prefect server` started here: first check, recheck with
  nothing changed (304s), every page changed; with the fixed cost of a trivial flow on the
  same server and changedetection.io's figures from docs (DEPENDENCY-FACTS.md) for comparison.
- `claimwatch run` as a process over the 3 demo pages, with PREFECT_API_URL, then without it
  (Prefect's temporary server; the stopped server's PREFECT_HOME reused, as on a 2nd run).
Compare ratios within one run: absolute figures vary ±30 % between runs on these machines.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_flow import cli_run, monitor_scenarios, prefect_fixed_costs  # noqa: E402
from bench_pages import build_pages  # noqa: E402
from bench_prefect import PrefectServer, client_environment  # noqa: E402
from bench_stages import (  # noqa: E402
    Row,
    Timed,
    check,
    claimwatch_analysis,
    claimwatch_crawl,
    floor_extract,
    floor_fetch,
    ratio,
    serve,
    track_all,
    use_home,
)

from claimwatch.sitesrv import SiteServer  # noqa: E402


def flow_rows(
    site: SiteServer,
    pages: dict[str, tuple[bytes, str]],
    server: PrefectServer,
    tmp: Path,
    floor: float,
) -> list[Row]:
    """Prefect's fixed costs, the three monitor() passes, `claimwatch run` with and without API."""
    os.environ["PREFECT_API_URL"] = server.api_url
    rows = prefect_fixed_costs(server.api_url)
    rows += monitor_scenarios(site, pages, tmp / "home-flow", floor)
    with_api = cli_run(site, tmp / "demo-api", {"PREFECT_API_URL": server.api_url})
    server.stop()  # its PREFECT_HOME is now a migrated, idle one, as on a second run
    without = cli_run(site, tmp / "demo-no-api", {"PREFECT_HOME": str(server.home)})
    label = "claimwatch run, 3 demo pages"
    rows.append((f"{label}, PREFECT_API_URL", with_api, 3, ""))
    startup = f"temporary server start-up ≈ {without - with_api:.1f} s"
    rows.append((f"{label}, temporary server", without, 3, startup))
    return rows


def print_table(rows: list[Row]) -> None:
    """The summary table."""
    print(f"\n{'stage':50} {'seconds':>8} {'pages/s':>8}  comparison")
    for stage, seconds, pages, note in rows:
        rate = f"{pages / seconds:8.1f}" if pages else " " * 8
        print(f"{stage:50} {seconds:8.2f} {rate}  {note}")


def per_page(timed: Timed) -> str:
    """CPU milliseconds per page, all processes of the stage."""
    return f"cpu {1000 * timed.cpu / timed.pages:.1f} ms/page"


def crawl_rows(urls: list[str], label: str) -> list[Row]:
    """Floor A and claimwatch's crawl over `urls` (already tracked in the current home)."""
    count = len(urls)
    floor = floor_fetch(urls)
    check(floor.pages == count, f"floor A fetched {floor.pages} of {count} pages")
    crawl = claimwatch_crawl()
    check(crawl.pages == count, f"claimwatch crawl recorded {crawl.pages} of {count} captures")
    return [
        (
            f"floor A: raw Scrapy fetch{label}",
            floor.wall,
            count,
            f"Scrapy elapsed {floor.scrapy_elapsed or 0:.2f} s; {per_page(floor)}",
        ),
        (
            f"claimwatch crawl: run_crawl{label}",
            crawl.wall,
            count,
            f"{ratio(floor.wall / crawl.wall, 1, 'floor A')}; Scrapy elapsed "
            f"{crawl.scrapy_elapsed or 0:.2f} s; {per_page(crawl)}",
        ),
    ]


def analysis_rows(bodies: list[bytes]) -> list[Row]:
    """Floor B (1 and 2 processes) and claimwatch's analysis of the pending captures."""
    count = len(bodies)
    one, two = floor_extract(bodies, 1), floor_extract(bodies, 2)
    check(min(one.pages, two.pages) >= 0.9 * count, "bare trafilatura extracted too few pages")
    analysis = claimwatch_analysis()
    outcomes = analysis.outcomes or Counter()
    check(outcomes["first_version"] == count, f"analysis outcomes: {dict(outcomes)}")
    best = min(one.wall, two.wall)
    return [
        ("floor B: bare trafilatura, 1 process", one.wall, count, per_page(one)),
        (
            "floor B: bare trafilatura, 2 processes",
            two.wall,
            count,
            f"pool start-up included; {per_page(two)}",
        ),
        (
            "claimwatch analysis: plan + analyse_batch",
            analysis.wall,
            count,
            f"{ratio(best / analysis.wall, 1, 'best floor B')}; {per_page(analysis)}",
        ),
    ]


def spread_rows(pages: dict[str, tuple[bytes, str]], hosts: int, home: Path) -> list[Row]:
    """The crawl pair again with the pages spread over `hosts` loopback addresses, then the
    analysis of those captures in one process."""
    servers = [SiteServer(host=f"127.0.0.{10 + n}").start() for n in range(hosts)]
    try:
        urls = []
        for number, (path, (body, content_type)) in enumerate(pages.items()):
            server = servers[number % hosts]
            server.set(path, body=body, content_type=content_type)
            urls.append(server.url(path))
        use_home(home)
        track_all(urls)
        rows = crawl_rows(urls, f", {hosts} hosts")
    finally:
        for server in servers:
            server.stop()
    return rows + pool_analysis_rows(len(pages))


def pool_analysis_rows(count: int) -> list[Row]:
    """claimwatch analysis of the pending captures with a 2-process extraction pool (the
    default is one process: see storage.settings.Settings.analysis_workers)."""
    from storage.settings import get_settings

    os.environ["CLAIMWATCH_ANALYSIS_WORKERS"] = "2"
    get_settings.cache_clear()
    try:
        analysis = claimwatch_analysis()
    finally:
        del os.environ["CLAIMWATCH_ANALYSIS_WORKERS"]
        get_settings.cache_clear()
    outcomes = analysis.outcomes or Counter()
    check(outcomes["first_version"] == count, f"analysis outcomes: {dict(outcomes)}")
    label = "claimwatch analysis, 2-process pool"
    return [(label, analysis.wall, count, f"same work as above; {per_page(analysis)}")]


def main() -> None:
    """Run every stage and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--hosts", type=int, default=10, help="Also crawl spread over N hosts.")
    parser.add_argument("--no-prefect", action="store_true", help="Stages 1–4 only.")
    args = parser.parse_args()
    count = args.pages
    total = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as name:
        tmp = Path(name)
        os.environ |= client_environment(tmp)
        os.environ.pop("PREFECT_API_URL", None)
        server = None if args.no_prefect else PrefectServer(tmp / "prefect-server").start()
        pages = build_pages(count)
        bodies = [body for body, _ in pages.values()]
        size = sum(map(len, bodies)) / len(bodies) / 1024
        try:
            with SiteServer() as site:
                serve(site, pages)
                urls = [site.url(path) for path in pages]
                use_home(tmp / "home-stages")
                track_all(urls)
                if server is not None:
                    print(f"prefect server ready in {server.wait_ready():.1f} s")
                print(f"{count} pages, {size:.1f} KB average, served at {site.base_url}")
                rows = crawl_rows(urls, ", 1 host")
                rows += analysis_rows(bodies)
                # the pass floor: floor A on one host, then the faster floor B
                floor = count / (rows[0][1] + min(rows[2][1], rows[3][1]))
                if args.hosts > 1:
                    rows += spread_rows(pages, args.hosts, tmp / "home-spread")
                if server is not None:
                    rows += flow_rows(site, pages, server, tmp, floor)
        finally:
            if server is not None:
                server.stop()
    print_table(rows)
    print(f"\nbenchmark took {time.perf_counter() - total:.0f} s")


if __name__ == "__main__":
    main()
