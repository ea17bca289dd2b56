"""One Prefect server for all the xdist workers of a run, instead of a test harness per worker.

Starting Prefect's server (its database migrated) costs ~15 s of CPU; four workers starting
theirs at once on two cores took over two minutes each. The first worker that needs the server
starts it, in its own session, so that it outlives that worker; the controller, which made the
directory the workers share (CLAIMWATCH_TEST_SHARED_DIR), stops it when the run ends.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

SHARED_DIR = "CLAIMWATCH_TEST_SHARED_DIR"


def shared_server(shared: Path, timeout: float) -> str:
    """The run's Prefect API URL, the server started first if no worker has yet."""
    with (shared / "prefect.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the others wait until the first has started it
        url_file = shared / "prefect.url"
        if not url_file.exists():
            url_file.write_text(_start(shared, timeout))
        return url_file.read_text()


def _start(shared: Path, timeout: float) -> str:
    import prefect
    from prefect.server.api.server import SubprocessASGIServer

    port = SubprocessASGIServer().find_available_port()
    home = shared / "prefect-home"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # As Prefect's own test harness runs it: the API only, as a temporary server.
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    env.pop("PREFECT_API_URL", None)
    log = (shared / "prefect-server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent),
         "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "error", "--lifespan", "on"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    (shared / "prefect.pid").write_text(str(process.pid))
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"the shared Prefect server exited {process.returncode}, see {log.name}"
            )
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return url
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the shared Prefect server did not start, see {log.name}")
        time.sleep(0.2)  # polling the server's health


def stop_shared_server(shared: Path) -> None:
    """Stop the run's Prefect server, if a worker started one."""
    pid_file = shared / "prefect.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)  # waiting for the server to exit
    os.killpg(pid, signal.SIGKILL)
