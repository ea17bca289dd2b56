"""Cost of discovering a site whose sitemap lists 50,000 URLs: seconds and peak memory.

Run: .venv/bin/python bench/discovery_speed.py [--urls 50000] [--budget 100]
A sitemap index whose gzip child lists --urls post URLs (~90 bytes each) is served by
claimwatch.sitesrv on 127.0.0.1, with a real post page behind the first URLs. Each scenario
runs `service.discovery.discover()` in its own process (fresh SQLite CLAIMWATCH_HOME, AutoThrottle
off), so the peak RSS of the Scrapy subprocess and of the recording process are its own:
- floor: Scrapy's `Sitemap` iterating the same XML in process (parse only), and discovery of
  the four-post fixture blog (the fixed cost of a discovery crawl);
- first discovery: every URL new; --budget of them are resolved and tracked (--max-articles);
- steady state: all URLs already known (remembered from earlier passes), one new URL listed.
Compare ratios within one run: absolute figures vary ±30 % between runs on these machines.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwatch.sitesrv import SiteServer  # noqa: E402
from tests.fixture_blog import SEED_000, Blog, _post_page, _urlset  # noqa: E402

MB = 1024  # ru_maxrss is in KiB on Linux


def entries(base: str, count: int, extra: int = 0) -> list[tuple[str, str]]:
    """The sitemap's URLs (and `extra` newer ones)."""
    return [(f"{base}/{2000 + i % 25}/post-{i}/", "2024-01-01") for i in range(count + extra)]


def serve_big(site: SiteServer, count: int, budget: int, extra: int = 0) -> int:
    """Serve the sitemap index and its gzip child; returns the child's uncompressed size."""
    base = site.base_url
    xml = _urlset(entries(base, count, extra))
    site.set("/post-sitemap.xml.gz", body=gzip.compress(xml), content_type="application/x-gzip")
    index = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/post-sitemap.xml.gz</loc></sitemap></sitemapindex>\n"
    )
    site.set("/sitemap_index.xml", body=index.encode(), content_type="application/xml")
    blog = Blog()
    urls = entries(base, count, extra)
    for i, (url, _) in enumerate([*urls[: budget + 20], *urls[count:]]):
        path = url.removeprefix(base)
        post = SEED_000[i % 4].__class__(**{**SEED_000[i % 4].__dict__, "path": path})
        site.set(path, body=_post_page(post, base, blog))
    return len(xml)


def worker(scenario: str, base: str, count: int, budget: int) -> dict[str, float]:
    """Run one scenario in this process (its own CLAIMWATCH_HOME); its figures."""
    from analysis.vocabulary import SiteKind
    from service.discovery import discover
    from storage.db import migrate, session
    from storage.sites import add_site

    if scenario == "parse":
        return floor_parse(base, count)
    migrate()
    if scenario == "seed":
        return seed_known(base, count, budget)
    if scenario != "steady state":
        url = f"{base}/" if scenario == "fixture blog" else f"{base}/sitemap_index.xml"
        kind = SiteKind.site if scenario == "fixture blog" else SiteKind.sitemap
        with session() as db:
            add_site(db, url=url, kind=kind, interval_seconds=3600, max_articles=budget)
    started = time.perf_counter()
    report = discover()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "crawl_seconds": report.seconds,
        "crawl_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / MB,
        "recorder_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB,
        "new": report.new_articles,
        "listed": report.listed,
        "errors": len(report.errors) + bool(report.crawl_error),
    }


def seed_known(base: str, count: int, budget: int) -> dict[str, float]:
    """A site whose every sitemap URL was resolved on earlier passes (setup, not timed)."""
    from sqlalchemy import insert

    from analysis.vocabulary import LinkVerdict, SiteKind
    from storage.db import session
    from storage.models import DiscoveredURL, utcnow
    from storage.sites import add_site

    with session() as db:
        site, _, _ = add_site(
            db, url=f"{base}/sitemap_index.xml", kind=SiteKind.sitemap, interval_seconds=3600,
            max_articles=budget,
        )  # fmt: skip
        site.baseline_at = site.last_discovered_at = utcnow()
        rows = [
            {
                "site_id": site.id,
                "normalized_url": loc,
                "verdict": LinkVerdict.not_article,
                "lastmod": mod,
                "detail": "",
                "first_seen_at": site.added_at,
            }
            for loc, mod in entries(base, count)
        ]
        db.execute(insert(DiscoveredURL), rows)
    return {"seeded": len(rows)}


def run_worker(
    scenario: str, site: SiteServer, count: int, budget: int, tmp: Path, home: str = ""
) -> dict:
    """Run a scenario in a fresh process, in its own home (or `home`'s); its figures."""
    home_dir = tmp / (home or scenario).replace(" ", "-")
    env = {
        **os.environ,
        "CLAIMWATCH_HOME": str(home_dir),
        "CLAIMWATCH_AUTOTHROTTLE": "false",
        "CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
    }
    env.pop("CLAIMWATCH_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, __file__, "--worker", scenario, "--base", site.base_url,
         "--urls", str(count), "--budget", str(budget)],
        env=env, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"{scenario}: worker failed\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def floor_parse(base: str, count: int) -> dict[str, float]:
    """Scrapy's Sitemap iterating the XML in process: seconds, and the process's peak RSS."""
    from scrapy.utils.sitemap import Sitemap

    xml = _urlset(entries(base, count))
    started = time.perf_counter()
    listed = sum(1 for _ in Sitemap(xml))
    seconds = time.perf_counter() - started
    assert listed == count
    return {"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--urls", type=int, default=50_000)
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--worker", default="")
    parser.add_argument("--base", default="")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.base, args.urls, args.budget)))
        return
    with SiteServer() as site, tempfile.TemporaryDirectory(prefix="cw-discovery-") as tmp:
        work = Path(tmp)
        Blog(routes=frozenset({"index", "feed"})).serve(site)
        size = serve_big(site, args.urls, args.budget)
        floor = run_worker("parse", site, args.urls, args.budget, work)
        rows = [("fixture blog (4 posts)", run_worker("fixture blog", site, 4, 5000, work))]
        rows.append(
            (f"first discovery ({args.budget} tracked)",
             run_worker("first discovery", site, args.urls, args.budget, work))
        )  # fmt: skip
        run_worker("seed", site, args.urls, args.budget, work, home="steady state")
        serve_big(site, args.urls, args.budget, extra=1)
        rows.append(
            ("steady state (1 new URL)",
             run_worker("steady state", site, args.urls, args.budget, work))
        )  # fmt: skip
    print(f"sitemap: {args.urls} URLs, {size / 1e6:.1f} MB of XML (a gzip child of an index)")
    print(
        f"floor: Scrapy's Sitemap parsing it in process {floor['seconds']:.2f} s, "
        f"that process's peak RSS {floor['rss_mb']:.0f} MB"
    )
    print(
        f"\n{'scenario':<30} {'total s':>8} {'crawl s':>8} {'crawl RSS':>10} "
        f"{'recorder RSS':>13} {'new':>5} {'listed':>7} {'errors':>6}"
    )
    for name, r in rows:
        print(
            f"{name:<30} {r['seconds']:>8.2f} {r['crawl_seconds']:>8.2f} "
            f"{r['crawl_rss_mb']:>8.0f}MB {r['recorder_rss_mb']:>11.0f}MB {r['new']:>5} "
            f"{r['listed']:>7} {r['errors']:>6}"
        )
    blog = rows[0][1]
    for name, r in rows[1:]:
        extra_s = r["crawl_seconds"] - blog["crawl_seconds"]
        extra_mb = r["crawl_rss_mb"] - blog["crawl_rss_mb"]
        print(
            f"{name}: crawl {extra_s:+.1f} s and {extra_mb:+.0f} MB peak RSS over the fixture "
            f"blog's discovery ({extra_s / floor['seconds']:.1f}× the bare parse time)"
        )


if __name__ == "__main__":
    main()
