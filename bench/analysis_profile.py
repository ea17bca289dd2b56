"""Where analysis time goes: service.analyse over a first pass (all new), passes where every page
changed (timed, with 1 and 2 analysis workers, then under cProfile), beside bare trafilatura on
the same bodies (the floor).

Run: .venv/bin/python bench/analysis_profile.py [--pages 200] [--top 25]
The pages (bench_pages.py) are served by a SiteServer on 127.0.0.1 and crawled by
crawler.run.run_crawl into a temporary home; only analysis is timed. The floor is measured
again right before each pass (the machine is shared: its load drifts) and each pass is
compared with its own floor, by wall time and by CPU time of this process (the 2-worker pass's
CPU is mostly its workers', not counted). Prints the profile's top entries by own time and by
cumulative time. Compare ratios within one run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import tempfile
import time
from pathlib import Path

from bench_pages import build_pages
from bench_stages import (
    Timed,
    bare_extract,
    check,
    claimwatch_analysis,
    claimwatch_crawl,
    cpu_seconds,
    serve,
    track_all,
    use_home,
)


def _floor(bodies: list[bytes]) -> Timed:
    """Bare trafilatura over `bodies` in this process."""
    started, cpu = time.perf_counter(), cpu_seconds(own=True)
    extracted = sum(bare_extract(body) is not None for body in bodies)
    check(extracted == len(bodies), f"bare trafilatura extracted {extracted}/{len(bodies)}")
    return Timed(time.perf_counter() - started, cpu_seconds(own=True) - cpu, len(bodies))


def _changed_pass(label: str, workers: int) -> Timed:
    """Analysis of a crawl where every page changed, with `workers` analysis processes."""
    from storage.settings import get_settings

    os.environ["CLAIMWATCH_ANALYSIS_WORKERS"] = str(workers)
    get_settings.cache_clear()
    try:
        timed = claimwatch_analysis()
    finally:
        os.environ["CLAIMWATCH_ANALYSIS_WORKERS"] = "1"
        get_settings.cache_clear()
    check(timed.outcomes.get("new_version") == timed.pages, f"{label}: {timed.outcomes}")
    return timed


def _label(workers: int) -> str:
    if workers == 1:
        return "all changed, 1 process"
    return f"all changed, {workers} processes"


def _profiled(label: str, top: int) -> Timed:
    profile = cProfile.Profile()
    profile.enable()
    timed = claimwatch_analysis()
    profile.disable()
    check(timed.outcomes.get("new_version") == timed.pages, f"{label}: {timed.outcomes}")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"\n===== profile: {label} ({timed.pages} captures, {timed.outcomes}) =====")
    print(out.getvalue())
    return timed


def _storage(pages: dict[str, tuple[bytes, str]]) -> dict[str, float]:
    """Mean bytes per version: text and blocks as stored now and as stored before (whole
    blocks beside the text), the whole database file and the archive, per payload gzip."""
    import gzip
    import json

    from sqlmodel import select

    from storage.blockstore import unpack_blocks
    from storage.db import session
    from storage.models import Version
    from storage.settings import get_settings

    with session() as db:
        versions = list(db.exec(select(Version)))
    count = len(versions)
    now = sum(len(v.text.encode()) + len(json.dumps(v.blocks)) for v in versions)
    before = sum(
        len(v.text.encode()) + len(json.dumps(unpack_blocks(v.blocks, v.text))) for v in versions
    )
    home = get_settings().home
    with session() as db:
        # The WAL holds copies of pages the database file will hold: fold it in first.
        db.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        try:
            tables = list(
                db.connection().exec_driver_sql(
                    "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
                )
            )
        except Exception:  # SQLite built without the dbstat table
            tables = []
    database = (home / "claimwatch.db").stat().st_size
    for name, size in tables[:8]:
        print(f"  database: {name:40} {size / count:8.0f} bytes per version")
    archive = sum(f.stat().st_size for f in (home / "archive").rglob("*") if f.is_file())
    payload = sum(len(gzip.compress(body, 6)) for body, _ in pages.values())
    return {
        "floor: payload gzip -6": payload / count,
        "version text + blocks, stored now": now / count,
        "version text + whole blocks (before)": before / count,
        "database file (all tables, indexes)": database / count,
        "archive (WARC, gzip)": archive / count,
    }


def main() -> None:
    """Crawl, then profile the analysis of a first pass and of an all-changed pass."""
    from claimwatch.sitesrv import SiteServer

    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2, 3],
        help="CLAIMWATCH_ANALYSIS_WORKERS of each all-changed pass (processes that extract)",
    )  # fmt: skip
    args = parser.parse_args()
    os.environ["CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES"] = "true"
    pages = build_pages(args.pages)
    bodies = [body for body, _ in pages.values()]
    rows: list[tuple[str, Timed, Timed]] = []  # name, the pass, the floor measured before it
    with SiteServer() as site, tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        serve(site, pages)
        use_home(Path(tmp) / "home")
        track_all([site.url(path) for path in pages])
        check(claimwatch_crawl().pages == len(pages), "first crawl incomplete")
        # Timed without the profiler (which slows Python code ~1.5-2×): the honest ratio.
        floor = _floor(bodies)
        rows.append(("first pass (all new), 1 process", claimwatch_analysis(), floor))
        sizes = _storage(pages)
        passes = [(_label(n), n) for n in args.workers] + [("profiled", 0)]
        for revision, (label, workers) in enumerate(passes, start=1):
            revised = build_pages(args.pages, revision=revision)
            serve(site, revised)
            check(claimwatch_crawl().pages == len(pages), f"crawl {revision} incomplete")
            floor = _floor([body for body, _ in revised.values()])
            if workers:
                rows.append((label, _changed_pass(label, workers), floor))
            else:
                rows.append(("all changed, 1 process, profiled", _profiled(label, args.top), floor))
    print(f"{'claimwatch analysis':36} {'seconds':>8} {'pages/s':>8} {'floor p/s':>9} ", end="")
    print(f"{'vs floor':>8} {'cpu ms/p':>8} {'floor':>6} {'vs floor':>8}")
    for name, timed, floor in rows:
        rate, floor_rate = timed.pages / timed.wall, floor.pages / floor.wall
        cpu, floor_cpu = 1000 * timed.cpu / timed.pages, 1000 * floor.cpu / floor.pages
        print(
            f"{name:36} {timed.wall:8.2f} {rate:8.1f} {floor_rate:9.1f} {rate / floor_rate:7.2f}× "
            f"{cpu:8.1f} {floor_cpu:6.1f} {floor_cpu / cpu:7.2f}×"
        )
    print("floor: bare trafilatura.extract over the same bodies, 1 process, right before the pass")
    print("(the profiled row runs under cProfile, which slows Python code ~1.5-2×)")
    print()
    print("storage per new version (first pass), bytes, against the gzip-compressed payload:")
    floor_size = sizes.pop("floor: payload gzip -6")
    print(f"{'floor: payload gzip -6':44} {floor_size:8.0f}")
    for name, size in sizes.items():
        print(f"{name:44} {size:8.0f} {size / floor_size:8.2f}×")


if __name__ == "__main__":
    main()
