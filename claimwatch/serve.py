"""`claimwatch serve`: the REST API and web UI on uvicorn, a Prefect server (the one at
PREFECT_API_URL, or a local one started here), and monitoring passes on an interval."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from analysis.timestamps import utc_z
from claimwatch.service_state import ServeState, remove_state, write_state
from crawler.run import download_timeout
from service.leasing import release_own
from storage.models import utcnow
from storage.settings import get_settings

logger = logging.getLogger(__name__)
PREFECT_START_TIMEOUT = 120.0
# Past a crawl's own download timeout: time for Scrapy's graceful stop (downloads in flight
# end, its pipelines commit what they hold) before the crawl is killed.
CRAWL_STOP_MARGIN = 5.0
SHUTDOWN_REQUESTS_SECONDS = 5  # open requests get this long to end when serve stops


class ServeFailed(RuntimeError):
    """The service could not start."""


@dataclass
class PrefectServer:
    """The Prefect API the service records passes on, and the process if serve started it."""

    api_url: str
    process: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        """Stop the server if serve started it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _healthy(api_url: str) -> bool:
    try:
        return httpx.get(api_url.rstrip("/") + "/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def prefect_server(port: int) -> PrefectServer:
    """The Prefect server at PREFECT_API_URL, or a local one on `port` (its state under
    CLAIMWATCH_HOME/prefect), waited for until it answers."""
    given = os.environ.get("PREFECT_API_URL", "")
    if given:
        if not _healthy(given):
            raise ServeFailed(f"the Prefect server at PREFECT_API_URL={given} does not answer")
        return PrefectServer(given)
    home = get_settings().home / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    api_url = f"http://127.0.0.1:{port}/api"
    log = (get_settings().home / "logs").joinpath("prefect-server.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
             "--port", str(port), "--no-ui"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = PrefectServer(api_url, process)
    deadline = time.monotonic() + PREFECT_START_TIMEOUT
    while not _healthy(api_url):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise ServeFailed(f"the local Prefect server did not start (log: {log})")
        time.sleep(0.25)  # polling the server's health endpoint
    return server


class _NoNewProcesses:
    """An audit hook that refuses to start processes once shutdown has begun: a pass cut short
    must not start another crawl (a task retry, the next batch) after its crawls were
    stopped; such a crawl would outlive the service."""

    def __init__(self) -> None:
        self.refusing = False
        sys.addaudithook(self)

    def __call__(self, event: str, args: tuple[object, ...]) -> None:
        if self.refusing and event in ("subprocess.Popen", "os.posix_spawn", "os.fork"):
            raise RuntimeError("claimwatch serve is stopping: no new process is started")


def _proc_stat(pid: int | str) -> tuple[str, int] | None:
    """A process's state letter and parent pid (Linux /proc); None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after it
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def child_processes(parent: int) -> list[int]:
    """The running direct children of `parent` (Linux: read from /proc; elsewhere none are
    found and a cut pass's crawl ends on its own timeout)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        stat = _proc_stat(entry.name)
        if stat is not None and stat[1] == parent and stat[0] not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    stat = _proc_stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def stop_children(*, keep: set[int], timeout: float) -> list[int]:
    """SIGTERM this process's children but `keep` (the crawls of a cut pass: Scrapy stops
    gracefully and commits what it fetched), SIGKILL those still running after `timeout` s;
    the pids stopped."""
    children = [pid for pid in child_processes(os.getpid()) if pid not in keep]
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(_running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)  # polling the children's exit (their Popen belongs to the pass thread)
    for pid in children:
        if _running(pid):
            logger.warning("crawl process %s did not stop in %s s: killed", pid, timeout)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    return children


def serve(
    *, host: str, port: int, interval_seconds: int, prefect_port: int, grace_seconds: float
) -> None:
    """Run the service until SIGTERM/SIGINT; then finish (or give up on, after the grace
    period) the running pass, stop the Prefect server if started here, remove the state file."""
    import uvicorn

    from claimwatch.api.app import create_app
    from claimwatch.api.security import Access
    from claimwatch.runner import PassRunner
    from storage.db import migrate

    access = Access.for_host(host, get_settings().api_token)  # InsecureBinding: refuse
    guard = _NoNewProcesses()
    migrate()
    prefect = prefect_server(prefect_port)
    os.environ["PREFECT_API_URL"] = prefect.api_url
    runner = PassRunner(interval_seconds=interval_seconds, use_prefect=True)
    try:
        deployment = runner.register_deployment()
    except Exception as exc:  # passes still run on the interval and on request
        deployment = ""
        print(f"claimwatch serve: no deployment registered ({exc})", flush=True)
    app = create_app(access=access, runner=runner)
    # A request waiting for a pass's end (GET /runs/{id}?wait=) must not hold the shutdown.
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on",
                            timeout_graceful_shutdown=SHUTDOWN_REQUESTS_SECONDS)  # fmt: skip
    server = uvicorn.Server(config)
    shown_host = f"[{host}]" if ":" in host else host
    state = ServeState(
        pid=os.getpid(),
        api_url=f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown_host}:{port}",
        prefect_api_url=prefect.api_url,
        prefect_started=prefect.process is not None,
        interval_seconds=interval_seconds,
        started_at=utc_z(utcnow()) or "",
    )
    # uvicorn re-raises the signal it stopped on once it has shut down; these handlers take
    # it, so that the cleanup below runs instead of the default handler killing the process.
    for handled in (signal.SIGTERM, signal.SIGINT):
        signal.signal(handled, lambda *_: None)
    try:
        runner.start()
        write_state(state)
        print(
            f"claimwatch serve: API and web UI on http://{shown_host}:{port} "
            f"(docs /docs), Prefect at {prefect.api_url}, due sources every "
            f"{interval_seconds} s"
            + (f"; `prefect deployment run {deployment}` runs a pass here" if deployment else "")
            + f"; state in {Path(get_settings().home)}",
            flush=True,
        )
        server.run()  # returns after SIGTERM/SIGINT (uvicorn's handlers)
    finally:
        print("claimwatch serve: stopping (finishing the running pass)", flush=True)
        finished = runner.stop(timeout=grace_seconds)
        if not finished:
            print("claimwatch serve: the running pass did not finish in time; stopping its "
                  "crawls (the next pass picks up what it left)", flush=True)  # fmt: skip
            guard.refusing = True
            keep = {prefect.process.pid} if prefect.process is not None else set()
            stop_children(keep=keep, timeout=download_timeout(dict(os.environ)) + CRAWL_STOP_MARGIN)
            # Its hosts go back now rather than when their leases expire (minutes).
            release_own()
        remove_state(os.getpid())
        prefect.stop()
        if not finished:
            # The cut pass's threads (its flow, a task waiting to retry) would hold the exit;
            # what they had not committed is rolled back by the database and done again by
            # the next pass, so nothing is left to wait for.
            print("claimwatch serve: stopped", flush=True)
            logging.shutdown()
            os._exit(0)
