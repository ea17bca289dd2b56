"""Peak memory of a monitoring pass without Prefect, and what an unchanged check adds to the
archive and the database.

For each --articles N: N generated pages (bench_pages.py, ~30 KB each) served by
`claimwatch.sitesrv.SiteServer` on --hosts loopback addresses (127.0.0.40, .41, …) in a process
of their own (so their bodies are not counted), N sources tracked in a fresh SQLite home, and
three passes of `service.passes.plain_pass` (the in-process pass: crawl subprocesses, analysis,
delivery; CLAIMWATCH_AUTOTHROTTLE=false), each in a new process:

1. first check: every article new;
2. recheck, nothing changed: the server answers the conditional GETs with 304;
3. recheck, identical payload: the server stops sending validators, so every page comes back
   200 with the same bytes.

For each pass: peak RSS of the pass process (getrusage RUSAGE_SELF, and /proc sampling every
0.1 s), of the largest crawl subprocess (RUSAGE_CHILDREN, and /proc), and of the whole process
tree at one moment (/proc); and for passes 2 and 3 the bytes the archive directory and the
database (with its WAL, after a checkpoint) grew per check, against the 1 KB target and beside
the floor of one minimal WARC revisit record. Target: peak RSS ≤ 300 MB.

    .venv/bin/python bench/pass_memory.py [--articles 1000 3000 10000] [--hosts 50]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_MB = 300.0
TARGET_GROWTH = 1024  # bytes per unchanged check
FIRST_HOST = 40  # 127.0.0.40 onwards


# --- the site server process ---------------------------------------------------------------


def serve_pages(articles: int, hosts: int, url_file: Path) -> None:
    """Serve `articles` pages over `hosts` SiteServers; write their URLs to `url_file`, then
    obey commands on stdin ("novalidators": answer 200 without ETag/Last-Modified) until EOF."""
    from bench_pages import build_pages

    from claimwatch.sitesrv import SiteServer

    servers = [SiteServer(host=f"127.0.0.{FIRST_HOST + h}").start() for h in range(hosts)]
    pages = build_pages(articles)
    urls = []
    placed: list[tuple[SiteServer, str, bytes, str]] = []
    for number, (path, (body, content_type)) in enumerate(pages.items()):
        server = servers[number % hosts]
        server.set(path, body=body, content_type=content_type)
        placed.append((server, path, body, content_type))
        urls.append(server.url(path))
    del pages
    tmp = url_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(urls), encoding="utf-8")
    tmp.rename(url_file)
    for line in sys.stdin:
        if line.strip() == "novalidators":
            for server, path, body, content_type in placed:
                server.set(path, body=body, content_type=content_type, validators=False)
            print("ok", flush=True)
    for server in servers:
        server.stop()


# --- the pass process ------------------------------------------------------------------------


def run_one_pass(result_file: Path) -> None:
    """One plain_pass over every tracked source; its counts and rusage go to `result_file`."""
    from service.passes import plain_pass

    started = time.perf_counter()
    summary = plain_pass(urls=[], due_only=False)
    wall = time.perf_counter() - started
    result = {
        "wall": wall,
        "sources": summary.sources,
        "checked": summary.checked,
        "new": summary.new,
        "changed": summary.changed,
        "unchanged": summary.unchanged,
        "errors": summary.errors,
        "crawl_failures": summary.crawl_failures,
        # Linux reports ru_maxrss in KB; RUSAGE_CHILDREN: the largest waited-for descendant.
        "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }
    result_file.write_text(json.dumps(result), encoding="utf-8")


# --- /proc sampling ----------------------------------------------------------------------------


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


class Sampler(threading.Thread):
    """Samples the RSS of a process and of its descendants until stopped."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.parent_kb = self.child_kb = self.tree_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            parent = _rss_kb(self.pid)
            pending, total, biggest_child = _children(self.pid), parent, 0
            while pending:
                pid = pending.pop()
                rss = _rss_kb(pid)
                total += rss
                biggest_child = max(biggest_child, rss)
                pending += _children(pid)
            self.parent_kb = max(self.parent_kb, parent)
            self.child_kb = max(self.child_kb, biggest_child)
            self.tree_kb = max(self.tree_kb, total)
            self._stop_event.wait(self.every)

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._stop_event.set()
        self.join()


# --- the orchestration -------------------------------------------------------------------------


def du(path: Path) -> int:
    """Bytes of the files under `path` (or of the file)."""
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def database_bytes(home: Path) -> int:
    """Bytes of the SQLite database after folding its WAL back in."""
    import sqlite3

    db = home / "claimwatch.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(du(p) for p in (db, Path(f"{db}-wal")) if p.exists())


def record_counts(home: Path) -> dict[str, int]:
    """Captures by WARC record type, and versions."""
    import sqlite3

    with sqlite3.connect(home / "claimwatch.db") as conn:
        rows = conn.execute(
            "SELECT coalesce(warc_record_type, 'none'), count(*) FROM capture GROUP BY 1"
        ).fetchall()
        versions = conn.execute("SELECT count(*) FROM version").fetchone()[0]
    return {**{kind: n for kind, n in rows}, "versions": versions}


def revisit_floor() -> int:
    """Bytes of one minimal gzip-compressed WARC revisit record (warcio, headers only)."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = BytesIO()
    writer = WARCWriter(out, gzip=True)
    record = writer.create_revisit_record(
        "http://127.0.0.40:12345/blog/0001/post/",
        digest="sha1:" + "A" * 32,
        refers_to_uri="http://127.0.0.40:12345/blog/0001/post/",
        refers_to_date="2026-11-29T00:00:00Z",
        http_headers=StatusAndHeaders("304 Not Modified", [], protocol="HTTP/1.1"),
    )
    writer.write_record(record)
    return len(out.getvalue())


def measure_pass(env: dict[str, str], work: Path, name: str) -> dict[str, Any]:
    """Run one pass in a new process, sampling its memory; its result with the samples."""
    result_file = work / f"{name}.json"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--run-pass", str(result_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(work / f"{name}.log", "w"),  # noqa: SIM115 - closed with the process
    )
    sampler = Sampler(proc.pid)
    sampler.start()
    code = proc.wait()
    sampler.stop()
    if code != 0 or not result_file.exists():
        tail = (work / f"{name}.log").read_text()[-2000:]
        raise SystemExit(f"pass_memory: the {name} pass failed ({code}):\n{tail}")
    result = json.loads(result_file.read_text())
    result |= {
        "process_wall": time.perf_counter() - started,
        "sampled_parent_kb": sampler.parent_kb,
        "sampled_child_kb": sampler.child_kb,
        "sampled_tree_kb": sampler.tree_kb,
    }
    return result


def mb(kb: int) -> str:
    """KB as MB, one decimal."""
    return f"{kb / 1024:.1f}"


def bench(articles: int, hosts: int, keep: Path | None) -> list[dict[str, Any]]:
    """The three passes over `articles` pages; one row per pass."""
    work = Path(tempfile.mkdtemp(prefix=f"claimwatch-passmem-{articles}-"))
    home = keep / f"home-{articles}" if keep else work / "home"
    home.mkdir(parents=True, exist_ok=True)
    url_file = work / "urls.json"
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(articles), str(hosts), str(url_file)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 600
        while not url_file.exists():
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("pass_memory: the site server did not start")
            time.sleep(0.2)  # waiting for the server process to write its URLs
        urls = json.loads(url_file.read_text())
        env = {
            **os.environ,
            "CLAIMWATCH_HOME": str(home),
            "CLAIMWATCH_DATABASE_URL": "",
            "CLAIMWATCH_AUTOTHROTTLE": "false",
            "CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
        }
        os.environ.update(env)
        from storage.db import migrate, reset_engines, session
        from storage.settings import get_settings
        from storage.sources import track

        get_settings.cache_clear()  # settings and engines are cached per home
        reset_engines()
        migrate()
        with session() as db:
            track(db, urls=urls, interval_seconds=3600, tags=["bench"])
        rows = []
        archive = home / "archive"
        for name in ("first check", "recheck, 304", "recheck, identical 200"):
            if name == "recheck, identical 200":
                assert server.stdin is not None and server.stdout is not None
                server.stdin.write("novalidators\n")
                server.stdin.flush()
                server.stdout.readline()
            archive_before, db_before = du(archive) if archive.exists() else 0, database_bytes(home)
            counts_before = record_counts(home)
            result = measure_pass(env, work, name.split(",")[0].replace(" ", "-") + str(len(rows)))
            counts_after = record_counts(home)
            checks = result["checked"] or 1
            result |= {
                "name": name,
                "articles": articles,
                "archive_per_check": (du(archive) - archive_before) / checks,
                "db_per_check": (database_bytes(home) - db_before) / checks,
                "records": {
                    k: counts_after.get(k, 0) - counts_before.get(k, 0) for k in counts_after
                },
            }
            rows.append(result)
            print(
                f"  {articles:>6} {name:24} {result['wall']:7.1f} s  checked {result['checked']}"
                f" new {result['new']} changed {result['changed']}"
                f" unchanged {result['unchanged']} errors {result['errors']}"
                f"  records {result['records']}",
                flush=True,
            )
            print_row(result)
        return rows
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=30)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    """Parse the arguments; serve, pass or measure."""
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve_pages(int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--run-pass":
        run_one_pass(Path(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 3000, 10000])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="Keep the homes under this directory.")
    args = parser.parse_args()
    floor = revisit_floor()
    print(f"floor: one gzip WARC revisit record (headers only) = {floor} bytes")
    print(HEADER, flush=True)
    rows = [row for n in args.articles for row in bench(n, args.hosts, args.keep)]
    load = os.getloadavg()[0]
    print(
        f"\nload average {load:.1f} on {os.cpu_count()} cores; RSS in MB (target ≤ {TARGET_MB:.0f})"
    )
    print(HEADER)
    for r in rows:
        print_row(r)
    print(
        "parent, crawl: getrusage peak (self; largest crawl subprocess); *: /proc samples "
        f"every 0.1 s; growth target ≤ {TARGET_GROWTH} B per unchanged check (archive + db), "
        f"floor {floor} B"
    )


HEADER = (
    f"{'articles':>8} {'pass':24} {'wall s':>7} {'parent':>7} {'parent*':>7}"
    f" {'crawl':>7} {'crawl*':>7} {'tree*':>7} {'archive B/check':>15} {'db B/check':>10}"
)


def print_row(r: dict[str, Any]) -> None:
    """One pass's figures as a table row."""
    worst = max(r["self_kb"], r["children_kb"], r["sampled_parent_kb"], r["sampled_child_kb"])
    flag = "" if worst / 1024 <= TARGET_MB else "  over RSS target"
    growth = ""
    if r["name"] != "first check":
        growth = f" {r['archive_per_check']:15.0f} {r['db_per_check']:10.0f}"
        if r["archive_per_check"] + r["db_per_check"] > TARGET_GROWTH:
            flag += "  over growth target"
    print(
        f"{r['articles']:>8} {r['name']:24} {r['wall']:7.1f} {mb(r['self_kb']):>7}"
        f" {mb(r['sampled_parent_kb']):>7} {mb(r['children_kb']):>7}"
        f" {mb(r['sampled_child_kb']):>7} {mb(r['sampled_tree_kb']):>7}{growth}{flag}",
        flush=True,
    )


if __name__ == "__main__":
    main()
