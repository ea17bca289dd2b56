"""A throwaway Prefect API server for benchmarks: `prefect server start` in its own session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from process_group import ProcessGroup

READY_TIMEOUT = 120.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def client_environment(tmp: Path) -> dict[str, str]:
    """The environment of a benchmark that runs claimwatch's flows against its own server:
    Prefect's client files under `tmp`, no telemetry, quiet logs, loopback pages allowed."""
    return {
        "PREFECT_HOME": str(tmp / "prefect-client"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        # The pages are served on loopback addresses, which the address guard refuses.
        "CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
    }


class PrefectServer(ProcessGroup):
    """`prefect server start --no-ui` on a free port, own PREFECT_HOME; `api_url` once up."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.ready_seconds = 0.0

    def start(self) -> PrefectServer:
        """Launch the server (returns at once; `wait_ready` blocks until /api/health answers)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env |= {"PREFECT_HOME": str(self.home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        prefect = Path(sys.executable).with_name("prefect")
        command = [str(prefect), "server", "start", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--no-ui"]
        self.started_at = time.perf_counter()
        # Its own session: stop() signals the server and the uvicorn process it starts, only.
        self.process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self

    def wait_ready(self) -> float:
        """Block until the API is healthy; seconds from launch to ready."""
        assert self.process is not None
        deadline = self.started_at + READY_TIMEOUT
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prefect server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.api_url + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        self.ready_seconds = time.perf_counter() - self.started_at
                        return self.ready_seconds
            except OSError:
                pass
            time.sleep(0.2)  # nothing to wait on but the port: poll it
        raise TimeoutError(f"prefect server not ready after {READY_TIMEOUT:.0f} s")
