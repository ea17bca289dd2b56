"""changedetection.io as the peer in pass_speed.py: started headless from a throwaway venv,
driven through its REST API with the API key its fresh datastore generates.

Install it apart from claimwatch (never as a project dependency):
    python3.11 -m venv /tmp/cdio && /tmp/cdio/bin/pip install changedetection.io
It runs with its defaults (5 fetch workers, the plain `requests` fetcher, DEBUG log to a file),
except ALLOW_IANA_RESTRICTED_ADDRESSES=true: it refuses loopback addresses otherwise. The
example watches a fresh datastore starts with (public sites) are deleted before timing.
A pass is timed from the request (import of the URLs; `recheck_all`) until every watch's
`last_checked` is at or after its start, polling the watch list every 0.5 s.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from process_group import ProcessGroup

POLL = 0.5  # seconds between looks at the watch list
TIMEOUT = 1800.0


class ChangeDetection(ProcessGroup):
    """One changedetection.io process with a fresh datastore under `work`."""

    stop_timeout = 20.0

    def __init__(self, program: Path, work: Path) -> None:
        self.program = program
        self.data = work / "datastore"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.base = f"http://127.0.0.1:{self.port}/api/v1"
        self.key = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.watches: set[str] = set()
        self.list_errors = 0  # watch lists that failed (500) while polling

    def start(self) -> ChangeDetection:
        """Start it and wait until its API answers with the generated key."""
        self.data.mkdir(parents=True, exist_ok=True)
        env = os.environ | {"ALLOW_IANA_RESTRICTED_ADDRESSES": "true"}
        python = self.program.parent / "python"
        command = [str(python), str(self.program), "-d", str(self.data)]
        command += ["-h", "127.0.0.1", "-p", str(self.port)]
        with open(self.data.parent / "changedetection.log", "wb") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"changedetection.io exited with {self.process.returncode}")
            try:
                self.key = self._token()
                for uuid in self._request("GET", "/watch"):
                    self._request("DELETE", f"/watch/{uuid}")
                return self
            except (OSError, KeyError, ValueError):
                time.sleep(0.5)  # nothing to wait on but its port and datastore file
        raise TimeoutError("changedetection.io did not start")

    def _token(self) -> str:
        found = json.loads((self.data / "changedetection.json").read_text(encoding="utf-8"))
        return str(found["settings"]["application"]["api_access_token"])

    def _request(self, method: str, path: str, body: bytes | None = None) -> Any:
        headers = {"x-api-key": self.key}
        if body is not None:
            headers["Content-Type"] = "text/plain"
        request = urllib.request.Request(self.base + path, body, headers, method=method)
        with urllib.request.urlopen(request, timeout=60) as answer:
            text = answer.read()
        return json.loads(text) if text.strip() else None

    def _list(self) -> dict[str, dict[str, Any]]:
        """The watch list; asked again after a 500 (listing while an import adds watches
        can fail inside changedetection.io: a dict changing size during iteration)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                return dict(self._request("GET", "/watch"))
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    raise
                self.list_errors += 1
                time.sleep(POLL)
        raise RuntimeError("changedetection.io's watch list kept failing")

    def _wait(self, since: int) -> dict[str, dict[str, Any]]:
        """Poll until every watch was checked at or after `since` (whole seconds)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            watches = self._list()
            if len(watches) >= len(self.watches) and all(
                (w.get("last_checked") or 0) >= since for w in watches.values()
            ):
                return watches
            time.sleep(POLL)
        raise TimeoutError("changedetection.io did not finish the pass")

    @staticmethod
    def _counts(watches: dict[str, dict[str, Any]], since: int) -> dict[str, int]:
        changed = sum((w.get("last_changed") or 0) >= since for w in watches.values())
        errors = sum(bool(w.get("last_error")) for w in watches.values())
        return {"checked": len(watches), "changed": changed, "errors": errors}

    def first_pass(self, urls: list[str]) -> tuple[float, dict[str, int]]:
        """Import `urls` (one request) and wait for every first check; seconds and counts."""
        since = int(time.time()) + 1
        time.sleep(since - time.time())  # whole-second timestamps: start on a second boundary
        started = time.perf_counter()
        self._request("POST", "/import", "\n".join(urls).encode())
        deadline = time.monotonic() + 300
        while len(self.watches) < len(urls) and time.monotonic() < deadline:
            self.watches = set(self._list())  # the import runs in the background
            time.sleep(POLL)
        watches = self._wait(since)
        return time.perf_counter() - started, self._counts(watches, since)

    def recheck_all(self) -> tuple[float, dict[str, int]]:
        """Queue every watch for a recheck and wait for all; seconds and counts."""
        since = int(time.time()) + 1
        time.sleep(since - time.time())
        started = time.perf_counter()
        self._request("GET", "/watch?recheck_all=1")
        watches = self._wait(since)
        return time.perf_counter() - started, self._counts(watches, since)

    def peak_rss_mb(self) -> float:
        """Peak RSS (VmHWM) of its main process, MB."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0
