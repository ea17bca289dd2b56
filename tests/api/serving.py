"""`claimwatch serve` as a subprocess on free ports against a temp home, for the API tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.web.archive import ROOT, free_port

START_TIMEOUT = 180.0


@dataclass
class Serve:
    """A running `claimwatch serve`."""

    process: subprocess.Popen[str]
    base_url: str
    env: dict[str, str]
    home: Path
    headers: dict[str, str] = field(default_factory=dict)

    def client(self) -> httpx.Client:
        """An HTTP client on the service's API."""
        return httpx.Client(base_url=self.base_url, timeout=30, headers=self.headers)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `claimwatch ARGS` against the same home."""
        return subprocess.run(
            [sys.executable, "-m", "claimwatch", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    def cli_json(self, *args: str) -> Any:
        """`claimwatch ARGS --format json` (in this process: the same code, no start-up),
        parsed."""
        from typer.testing import CliRunner

        from claimwatch.cli import app
        from tests.web.archive import environment

        settings = {k: v for k, v in self.env.items() if k.startswith("CLAIMWATCH_")}
        with environment(settings):
            done = CliRunner().invoke(app, [*args, "--format", "json"])
        assert done.exit_code == 0, done.output
        return json.loads(done.stdout)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send `sig` and wait for the process to exit; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=120)


def wait_for(check: Callable[[], Any], *, timeout: float = 120, what: str = "") -> Any:
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.2)  # polling the service


def service_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a service on `home` (fast crawls of 127.0.0.1)."""
    env = {
        **os.environ,
        "CLAIMWATCH_HOME": str(home),
        "CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
        "CLAIMWATCH_AUTOTHROTTLE": "false",
        "CLAIMWATCH_DOWNLOAD_TIMEOUT": "5",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    env.pop("CLAIMWATCH_API_TOKEN", None)
    env.pop("CLAIMWATCH_DATABASE_URL", None)
    env.update(extra)
    return env


@contextmanager
def serving(env: dict[str, str], *options: str, token: str = "") -> Iterator[Serve]:
    """Start `claimwatch serve` on free ports and wait for its API; stop it afterwards."""
    port = free_port()
    home = Path(env["CLAIMWATCH_HOME"])
    log = (home.parent / f"serve-{port}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "claimwatch", "serve", "--port", str(port),
         "--prefect-port", str(free_port()), *options],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    served = Serve(
        process,
        f"http://127.0.0.1:{port}",
        env,
        home,
        {"Authorization": f"Bearer {token}"} if token else {},
    )

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"serve exited {process.returncode}: {_tail(log.name)}")
        try:
            return httpx.get(served.base_url + "/api/v1/service", headers=served.headers,
                             timeout=5).status_code == 200  # fmt: skip
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, timeout=START_TIMEOUT, what="claimwatch serve to answer")
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def _tail(path: str) -> str:
    return Path(path).read_text()[-2000:]
