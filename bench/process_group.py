"""A server a benchmark starts in a process group of its own, and stops by that group only."""

from __future__ import annotations

import os
import signal
import subprocess
from types import TracebackType
from typing import Self


class ProcessGroup:
    """Base of the benchmarks' servers: `start()` sets `process` (started with
    `start_new_session=True`); `stop()` signals its group, waits, then kills what is left."""

    stop_signal = signal.SIGTERM
    stop_timeout = 15.0
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        """Start the server; subclasses set `self.process`."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the process group this object started (its processes only)."""
        if self.process is None or self.process.poll() is not None:
            return
        pgid = os.getpgid(self.process.pid)
        os.killpg(pgid, self.stop_signal)
        try:
            self.process.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
