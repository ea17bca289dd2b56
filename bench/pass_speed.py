"""Side by side: monitoring passes over 1,000 ~41 KB articles on 20 hosts, claimwatch with
politeness off and with its defaults, changedetection.io, against floors of the same run.

Run: .venv/bin/python bench/pass_speed.py [--pages 1000] [--hosts 20] [--runs 2]
         [--systems off polite cdio] [--changedetection /tmp/cdio-venv/bin/changedetection.py]
The pages (bench_pages.py, sizes 30.5–50.5 KB, ~41 KB on average) are static files served by
nginx on 127.0.0.101…120 (bench_nginx.py), as in issue 12's measurement. Each run measures:
- floor A: a bare Scrapy spider (no pipelines, no database) with claimwatch's crawl settings
  and politeness off (DOWNLOAD_DELAY 0.05 s, no AutoThrottle), as a subprocess;
- floor A, polite: the same spider limited by the 0.5 s per-host delay alone (no AutoThrottle);
- floor B: bare trafilatura.extract over the same bodies in a 2-process pool (start-up included);
- claimwatch: flows.monitor.monitor() in this process against a running `prefect server` (what
  `claimwatch serve` does with each pass), in a fresh SQLite home, three passes: first (all
  new), nothing changed (nginx answers the conditional GETs with 304), all changed (every file
  rewritten with an edited article); with CLAIMWATCH_AUTOTHROTTLE=false ("off") and with the
  default politeness ("polite": AutoThrottle, 0.5 s per host). The wall time is split into
  the steps the flow's tasks call (crawl subprocesses, analysis: extraction, assessment,
  recording; host leases and planning); crawl and analysis overlap (one batch is analysed
  while the next crawls), so they may add up to more than the wall time;
- changedetection.io (bench_cdio.py) with its defaults on the same URLs, if its
  changedetection.py is given: the same three passes.
Compare ratios within one run: absolute figures vary ±30 % between runs on these machines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_nginx import NginxSites  # noqa: E402
from bench_pages import build_pages  # noqa: E402
from bench_prefect import PrefectServer, client_environment  # noqa: E402

MIN_SIZE = 30 * 1024 + 512  # sizes 30.5–50.5 KB: ~41 KB on average, as in the issue
SCENARIOS = ("first (all new)", "nothing changed", "all changed")
BUCKETS = dict(zip(SCENARIOS, ("new", "unchanged", "changed"), strict=True))
# Targets of issue 12 (politeness off), as ratios.
FIRST_VS_FLOOR, FIRST_VS_CDIO, UNCHANGED_VS_FETCH = 1.5, 3.0, 1.2


@dataclass
class Pass:
    """One timed pass of one system."""

    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)


@dataclass
class Run:
    """Everything measured in one run."""

    floors: dict[str, float] = field(default_factory=dict)
    passes: dict[str, dict[str, Pass]] = field(default_factory=dict)  # system -> scenario -> Pass
    load: tuple[float, float] = (0.0, 0.0)  # load average (1 min) at start and end


def _set_crawl_floor_settings(*, delay: float) -> None:
    """The floor spider's settings: claimwatch's, AutoThrottle off, this per-host delay."""
    import crawler.settings as crawl_settings

    crawl_settings.AUTOTHROTTLE_ENABLED = False
    crawl_settings.DOWNLOAD_DELAY = delay


def measure_floors(urls: list[str], bodies: list[bytes]) -> dict[str, float]:
    """Floor A (politeness off), floor A (0.5 s per host), floor B (2 processes)."""
    from bench_stages import check, floor_extract, floor_fetch

    floors = {}
    for name, delay in (("A", 0.05), ("A polite", 0.5)):
        _set_crawl_floor_settings(delay=delay)
        fetched = floor_fetch(urls)
        check(fetched.pages == len(urls), f"floor {name} fetched {fetched.pages} of {len(urls)}")
        floors[name] = fetched.wall
        floors[f"{name} scrapy"] = fetched.scrapy_elapsed or 0.0
    extracted = floor_extract(bodies, 2)
    check(extracted.pages >= 0.9 * len(bodies), "bare trafilatura extracted too few pages")
    floors["B"] = extracted.wall
    return floors


class Clock:
    """StepClock (bench_flow.py) plus the parts of analysis, each crawl batch's Scrapy
    elapsed time and the hosts each lease covered: created once per process."""

    def __init__(self) -> None:
        from bench_flow import StepClock

        import service.analyse
        import service.passes

        self.steps = StepClock()
        self.batches: list[tuple[int, float]] = []  # per crawl batch: sources, Scrapy elapsed
        self.hosts: list[int] = []  # hosts per leased batch
        for module, name, label in (
            (service.passes, "claim_crawl", "leases"),
            (service.analyse, "read_capture_payload", "payload read"),
            (service.analyse, "_extract_one", "extraction"),
            (service.analyse, "assess_capture", "assessment"),
            (service.analyse, "record_assessment", "recording"),
            (service.analyse, "write_findings", "recording"),
        ):
            setattr(module, name, self.steps._timed(getattr(module, name), label))
        crawl, claim = service.passes.run_crawl, service.passes.claim_crawl

        def run_crawl(batch: list[dict], **kwargs: Any) -> Any:
            from bench_stages import scrapy_elapsed

            result = crawl(batch, **kwargs)
            self.batches.append((len(batch), scrapy_elapsed(result.stderr_tail) or 0.0))
            return result

        def claim_crawl(**kwargs: Any) -> Any:
            claimed = claim(**kwargs)
            if claimed.hosts:
                self.hosts.append(len(claimed.hosts))
            return claimed

        service.passes.run_crawl, service.passes.claim_crawl = run_crawl, claim_crawl

    def reset(self) -> None:
        """Start a new pass."""
        self.steps.seconds.clear()
        self.batches.clear()
        self.hosts.clear()

    def read(self) -> dict[str, float]:
        """Seconds per step since the last reset, with the crawl batches' Scrapy time."""
        found = dict(self.steps.seconds)
        found["scrapy elapsed"] = sum(elapsed for _, elapsed in self.batches)
        found["crawl batches"] = len(self.batches)
        found["hosts per batch"] = statistics.mean(self.hosts) if self.hosts else 0.0
        return found


def warm_up(sites: NginxSites, revision: dict[str, tuple[bytes, str]], home: Path) -> float:
    """One monitor() over 5 pages: the one-time costs of a pass in a new process (imports,
    the flow's first registration), which a `claimwatch serve` process pays once."""
    from bench_stages import track_all, use_home

    from flows.monitor import monitor

    urls = sites.publish(dict(list(revision.items())[:5]))
    use_home(home)
    track_all(urls)
    started = time.perf_counter()
    monitor()
    return time.perf_counter() - started


def claimwatch_passes(
    sites: NginxSites,
    revisions: list[dict[str, tuple[bytes, str]]],
    home: Path,
    *,
    polite: bool,
    clock: Clock,
) -> dict[str, Pass]:
    """The three monitor() passes in a fresh home, with or without claimwatch's politeness."""
    from bench_stages import track_all, use_home

    from flows.monitor import monitor
    from storage.settings import get_settings

    urls = sites.publish(revisions[0])
    use_home(home)  # switches AutoThrottle off
    os.environ["CLAIMWATCH_AUTOTHROTTLE"] = "true" if polite else "false"
    get_settings.cache_clear()
    track_all(urls)
    found: dict[str, Pass] = {}
    for scenario in SCENARIOS:
        if scenario == "all changed":
            sites.publish(revisions[1])
        clock.reset()
        started = time.perf_counter()
        summary = monitor()
        seconds = time.perf_counter() - started
        counts = {k: summary[k] for k in ("new", "changed", "unchanged", "errors")}
        if counts[BUCKETS[scenario]] != len(urls):
            print(f"  warning: {scenario}: {counts}", flush=True)
        found[scenario] = Pass(seconds, counts, clock.read())
        print(f"  claimwatch {'polite' if polite else 'off'}, {scenario}: {seconds:.1f} s "
              f"{counts} {_steps(found[scenario])}", flush=True)  # fmt: skip
    return found


def _steps(one: Pass) -> str:
    counts = {"crawl batches": "{:.0f}", "hosts per batch": "{:.1f}"}
    seconds = {k: v for k, v in one.steps.items() if k not in counts}
    parts = [f"{k} {v:.1f}" for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])]
    parts += [f"{k} {counts[k].format(one.steps[k])}" for k in counts if k in one.steps]
    return "(" + ", ".join(parts) + ")" if parts else ""


def cdio_passes(
    sites: NginxSites,
    revisions: list[dict[str, tuple[bytes, str]]],
    work: Path,
    program: Path,
) -> dict[str, Pass]:
    """changedetection.io's three passes over the same URLs (a fresh datastore)."""
    from bench_cdio import ChangeDetection

    urls = sites.publish(revisions[0])
    found: dict[str, Pass] = {}
    with ChangeDetection(program, work) as cdio:
        for scenario in SCENARIOS:
            if scenario == "all changed":
                sites.publish(revisions[1])
            if scenario == SCENARIOS[0]:
                seconds, counts = cdio.first_pass(urls)
            else:
                seconds, counts = cdio.recheck_all()
            found[scenario] = Pass(seconds, counts)
            print(f"  changedetection.io, {scenario}: {seconds:.1f} s {counts}", flush=True)
        found["rss"] = Pass(cdio.peak_rss_mb())
        if cdio.list_errors:
            print(f"  changedetection.io: {cdio.list_errors} watch lists answered 500, retried")
    return found


def one_run(
    number: int,
    sites: NginxSites,
    revisions: list[dict[str, tuple[bytes, str]]],
    tmp: Path,
    systems: list[str],
    program: Path | None,
    clock: Clock,
) -> Run:
    """Floors, then each system's three passes."""
    run = Run()
    first_load = os.getloadavg()[0]
    urls = sites.publish(revisions[0])
    run.floors = measure_floors(urls, [body for body, _ in revisions[0].values()])
    print(f"run {number}: floors {_floats(run.floors)}", flush=True)
    for system in systems:
        if system == "cdio":
            if program is not None:
                run.passes[system] = cdio_passes(sites, revisions, tmp / f"cdio-{number}", program)
            continue
        home = tmp / f"home-{system}-{number}"
        polite = system == "polite"
        run.passes[system] = claimwatch_passes(sites, revisions, home, polite=polite, clock=clock)
    run.load = (first_load, os.getloadavg()[0])
    return run


def _floats(values: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f} s" for k, v in values.items())


def _cell(one: Pass | None, pages: int) -> str:
    return f"{one.seconds:6.1f} s = {pages / one.seconds:6.1f} p/s" if one else "—"


def print_run(number: int, run: Run, pages: int) -> None:
    """One run's table, its ratios against the floors and the targets, and the step split."""
    floors = run.floors
    print(f"\nrun {number}: load average {run.load[0]:.1f} → {run.load[1]:.1f} on "
          f"{os.cpu_count()} cores")  # fmt: skip
    rows = [
        ("floor A: raw Scrapy fetch, politeness off", floors["A"]),
        ("floor A: raw Scrapy fetch, 0.5 s per host", floors["A polite"]),
        ("floor B: bare trafilatura, 2 processes", floors["B"]),
        ("floor A + B (politeness off)", floors["A"] + floors["B"]),
        ("floor A (0.5 s per host) + B", floors["A polite"] + floors["B"]),
    ]
    for name, seconds in rows:
        print(f"  {name:44} {seconds:7.2f} s = {pages / seconds:6.1f} p/s")
    names = {"off": "claimwatch, politeness off", "polite": "claimwatch, default politeness"}
    names["cdio"] = "changedetection.io"
    systems = [s for s in ("off", "polite", "cdio") if s in run.passes]
    print(f"  {'pass':18}" + "".join(f" | {names[s]:30}" for s in systems))
    for scenario in SCENARIOS:
        cells = [_cell(run.passes[s].get(scenario), pages) for s in systems]
        print(f"  {scenario:18}" + "".join(f" | {c:30}" for c in cells))
    print_targets(run)
    for system in ("off", "polite"):
        for scenario, one in run.passes.get(system, {}).items():
            rest = one.seconds - one.steps.get("crawl", 0.0) - one.steps.get("analysis", 0.0)
            print(f"  {system:6} {scenario:16} {one.seconds:6.1f} s: {_steps(one)}; "
                  f"wall − crawl − analysis {rest:.1f} s")  # fmt: skip
    if "cdio" in run.passes and "rss" in run.passes["cdio"]:
        print(f"  changedetection.io peak RSS {run.passes['cdio']['rss'].seconds:.0f} MB")


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_targets(run: Run) -> None:
    """Issue 12's targets, each as a ratio of this run's figures."""
    floors, passes = run.floors, run.passes
    off, polite, cdio = passes.get("off", {}), passes.get("polite", {}), passes.get("cdio", {})
    lines: list[tuple[str, bool | None]] = []
    if off:
        first, same = off[SCENARIOS[0]].seconds, off[SCENARIOS[1]].seconds
        ratio = first / (floors["A"] + floors["B"])
        target = f"target ≤ {FIRST_VS_FLOOR}×"
        lines.append((f"first pass, off: {ratio:.2f}× (floor A + B) time ({target})", ratio <= 1.5))
        ratio = same / floors["A"]
        target = f"target ≤ {UNCHANGED_VS_FETCH}×"
        lines.append((f"nothing changed, off: {ratio:.2f}× floor A time ({target})", ratio <= 1.2))
        if cdio:
            speed = cdio[SCENARIOS[0]].seconds / first
            text = f"first pass, off: {speed:.2f}× changedetection.io's pages/s (target ≥ 3×)"
            lines.append((text, speed >= FIRST_VS_CDIO))
            speed = cdio[SCENARIOS[1]].seconds / same
            text = f"nothing changed, off: {speed:.2f}× changedetection.io's pages/s (target ≥ 1×)"
            lines.append((text, speed >= 1.0))
            speed = cdio[SCENARIOS[2]].seconds / off[SCENARIOS[2]].seconds
            lines.append((f"all changed, off: {speed:.2f}× changedetection.io's pages/s", None))
    if polite:
        for scenario in SCENARIOS:
            ratio = polite[scenario].seconds / floors["A polite"]
            text = f"{scenario}, default politeness: {ratio:.2f}× the 0.5 s-per-host fetch floor"
            lines.append((text, None))
        if cdio:
            for scenario in SCENARIOS:
                speed = cdio[scenario].seconds / polite[scenario].seconds
                text = f"{scenario}, default politeness: {speed:.2f}× changedetection.io's pages/s"
                lines.append((text, None))
    for text, ok in lines:
        print(f"  {text:86} {'' if ok is None else _verdict(ok)}")


def print_summary(runs: list[Run], pages: int) -> None:
    """Medians over the runs of each figure (seconds) and of the targets' ratios."""
    print(f"\nmedian of {len(runs)} runs (seconds; ratios computed within each run, then median)")
    keys = ["A", "A polite", "B"]
    for key in keys:
        values = [r.floors[key] for r in runs]
        print(f"  floor {key:9} {statistics.median(values):7.2f}  ({_list(values)})")
    for system in ("off", "polite", "cdio"):
        for scenario in SCENARIOS:
            values = [r.passes[system][scenario].seconds for r in runs if system in r.passes]
            if values:
                median = statistics.median(values)
                print(f"  {system:6} {scenario:16} {median:7.1f} = {pages / median:6.1f} p/s"
                      f"  ({_list(values)})")  # fmt: skip


def _list(values: list[float]) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


def flow_runs(api_url: str) -> int:
    """Flow runs the Prefect server has recorded (the passes must go there)."""
    request = urllib.request.Request(f"{api_url}/flow_runs/count", b"{}", method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return int(answer.read())


def main() -> None:
    """Serve the pages with nginx, start a Prefect server, do the runs, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--systems", nargs="+", default=["cdio", "off", "polite"], choices=["off", "polite", "cdio"]
    )
    parser.add_argument(
        "--changedetection",
        type=Path,
        help="changedetection.py of changedetection.io installed in a throwaway venv",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    revisions = [build_pages(args.pages, r, min_size=MIN_SIZE) for r in (0, 1)]
    size = statistics.mean(len(body) for body, _ in revisions[0].values()) / 1024
    with tempfile.TemporaryDirectory(prefix="bench-pass-speed-") as name:
        tmp = Path(name)
        os.environ |= {**client_environment(tmp), "CLAIMWATCH_AUTOTHROTTLE": "false"}
        needs_prefect = any(s in args.systems for s in ("off", "polite"))
        server = PrefectServer(tmp / "prefect-server").start() if needs_prefect else None
        if server is not None:
            # Before Prefect is imported (Clock): its settings are read once.
            os.environ["PREFECT_API_URL"] = server.api_url
        runs: list[Run] = []
        try:
            with NginxSites(tmp / "nginx", args.hosts) as sites:
                from bench_stages import use_home

                use_home(tmp / "home-floors")  # crawler.settings reads a home's settings
                clock = Clock()
                if server is not None:
                    print(f"prefect server ready in {server.wait_ready():.1f} s")
                    seconds = warm_up(sites, revisions[0], tmp / "home-warm-up")
                    print(f"warm-up: a first monitor() in this process, 5 pages: {seconds:.1f} s "
                          f"({flow_runs(server.api_url)} flow run on the server)")  # fmt: skip
                print(f"{args.pages} pages, {size:.1f} KB on average, on {args.hosts} hosts "
                      f"served by nginx ({sites.hosts[0]}…{sites.hosts[-1]}:{sites.port})",
                      flush=True)  # fmt: skip
                for number in range(1, args.runs + 1):
                    run = one_run(
                        number, sites, revisions, tmp, args.systems, args.changedetection, clock
                    )
                    runs.append(run)
                    print_run(number, run, args.pages)
        finally:
            if server is not None:
                server.stop()
    for number, run in enumerate(runs, 1):
        print_run(number, run, args.pages)
    print_summary(runs, args.pages)
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
