"""Where analysis time goes: service.analyse over a first pass (all new, timed) and a pass where
every page changed (under cProfile), beside bare trafilatura on the same bodies (the floor).

Run: .venv/bin/python bench/analysis_profile.py [--pages 200] [--top 25]
The pages (bench_pages.py) are served by a SiteServer on 127.0.0.1 and crawled by
crawler.run.run_crawl into a temporary home; only analysis is profiled (one process, the
default CLAIMWATCH_ANALYSIS_WORKERS=1). Prints pages/s of both against the floor, and the
profile's top entries by own time and by cumulative time. Compare ratios within one run.
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
    bare_extract,
    check,
    claimwatch_analysis,
    claimwatch_crawl,
    serve,
    track_all,
    use_home,
)


def _profiled(label: str, top: int) -> tuple[float, int]:
    profile = cProfile.Profile()
    profile.enable()
    timed = claimwatch_analysis()
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"\n===== profile: {label} ({timed.pages} captures, {timed.outcomes}) =====")
    print(out.getvalue())
    return timed.wall, timed.pages


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
    args = parser.parse_args()
    os.environ["CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES"] = "true"
    pages = build_pages(args.pages)
    bodies = [body for body, _ in pages.values()]
    started = time.perf_counter()
    extracted = sum(bare_extract(body) is not None for body in bodies)
    floor = time.perf_counter() - started
    check(extracted == len(bodies), f"bare trafilatura extracted {extracted}/{len(bodies)}")
    rows = [("floor: bare trafilatura.extract, 1 process", floor, len(bodies))]
    with SiteServer() as site, tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        serve(site, pages)
        use_home(Path(tmp) / "home")
        track_all([site.url(path) for path in pages])
        check(claimwatch_crawl().pages == len(pages), "first crawl incomplete")
        # Timed without the profiler (which slows Python code ~1.5-2×): the honest ratio.
        timed = claimwatch_analysis()
        rows.append(("claimwatch analysis, first pass (no profiler)", timed.wall, timed.pages))
        sizes = _storage(pages)
        serve(site, build_pages(args.pages, revision=1))
        check(claimwatch_crawl().pages == len(pages), "second crawl incomplete")
        wall, count = _profiled("every page changed", args.top)
        rows.append(("claimwatch analysis, all changed (profiled)", wall, count))
    print(f"{'':44} {'seconds':>8} {'pages/s':>8} {'vs floor':>9}")
    floor_rate = len(bodies) / floor
    for name, seconds, count in rows:
        rate = count / seconds
        print(f"{name:44} {seconds:8.2f} {rate:8.1f} {rate / floor_rate:8.2f}×")
    print("(the all-changed row runs under cProfile, which slows Python code ~1.5-2×)")
    print()
    print("storage per new version (first pass), bytes, against the gzip-compressed payload:")
    floor_size = sizes.pop("floor: payload gzip -6")
    print(f"{'floor: payload gzip -6':44} {floor_size:8.0f}")
    for name, size in sizes.items():
        print(f"{name:44} {size:8.0f} {size / floor_size:8.2f}×")


if __name__ == "__main__":
    main()
