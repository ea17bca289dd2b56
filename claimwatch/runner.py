"""Monitoring passes inside `claimwatch serve`: one at a time, on an interval (due sources)
and on request (the API's POST /runs, which `claimwatch run` uses while serve is up).

With a Prefect server each pass is a run of the `monitor` flow recorded there (its id is the
flow run id), executed in this warm process: no per-run interpreter or Prefect start-up.
Without one (the app served bare, tests) a pass is the same service steps without Prefect.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from analysis.timestamps import utc_z
from storage.models import utcnow

logger = logging.getLogger(__name__)
KEEP_RUNS = 50
DEPLOYMENT_POLL = 1.0  # seconds between looks for runs of the deployment (prefect deployment run)


@dataclass
class PassRun:
    """One requested or scheduled pass and how it went."""

    id: str
    trigger: str  # "schedule" or "request"
    urls: list[str]
    due_only: bool
    tag: str = ""
    state: str = "queued"  # queued, running, completed, failed, cancelled
    flow_run_id: str | None = None
    queued_at: datetime = field(default_factory=utcnow)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    summary: dict[str, Any] | None = None
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        """The run as the API and `claimwatch status` show it."""
        found = asdict(self)
        for key in ("queued_at", "started_at", "ended_at"):
            found[key] = utc_z(found[key])
        return found


class PassRunner:
    """Runs passes one after another in a background thread."""

    def __init__(self, *, interval_seconds: int | None = None, use_prefect: bool = False) -> None:
        self.interval_seconds = interval_seconds
        self.use_prefect = use_prefect
        self.deployment_id: uuid.UUID | None = None
        self.deployment_name = ""
        self.runs: dict[str, PassRun] = {}
        self.order: deque[str] = deque()
        self.queue: deque[str] = deque()
        self.wake = threading.Condition()
        self.stopping = threading.Event()
        self.current: PassRun | None = None
        self.next_scheduled: datetime | None = utcnow() if interval_seconds else None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background thread (once)."""
        if self.thread is None:
            self.thread = threading.Thread(target=self._loop, name="claimwatch-passes", daemon=True)
            self.thread.start()

    def stop(self, *, timeout: float) -> bool:
        """Take no more passes and wait up to `timeout` s for the running one to finish;
        whether it did (a pass cut short is picked up by the next one: captures are
        committed per batch and analysis per batch, each in one transaction)."""
        self.stopping.set()
        with self.wake:
            for run_id in self.queue:
                self.runs[run_id].state = "cancelled"
            self.queue.clear()
            self.wake.notify_all()
        if self.thread is None:
            return True
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def request(self, *, urls: list[str], due_only: bool = False, tag: str = "",
                trigger: str = "request") -> PassRun:  # fmt: skip
        """Queue a pass; its id is the Prefect flow run id when Prefect records passes."""
        run = PassRun(id="", trigger=trigger, urls=list(urls), due_only=due_only, tag=tag)
        if self.use_prefect:
            run.flow_run_id = str(self._create_flow_run(run).id)
            run.id = run.flow_run_id
        else:
            run.id = str(uuid.uuid4())
        with self.wake:
            self._enqueue(run)
        if self.thread is None:  # a bare app: run it on demand
            self.start()
        return run

    def wait_for_end(self, run_id: str, *, timeout: float) -> PassRun | None:
        """The run once it has ended, or as it is after `timeout` s (None: unknown id); lets
        a caller (`claimwatch run`) learn of the end at once instead of polling."""
        with self.wake:
            self.wake.wait_for(
                lambda: (
                    self.stopping.is_set()
                    or run_id not in self.runs
                    or self.runs[run_id].state not in ("queued", "running")
                ),
                timeout=max(0.0, timeout),
            )
            return self.runs.get(run_id)

    def status(self) -> dict[str, Any]:
        """The schedule, the queue, the running pass and the recent ones."""
        with self.wake:
            recent = [self.runs[i].to_json() for i in reversed(self.order) if i in self.runs]
        return {
            "interval_seconds": self.interval_seconds,
            "prefect": self.use_prefect,
            "deployment": self.deployment_name or None,
            "next_scheduled_at": utc_z(self.next_scheduled),
            "current": self.current.to_json() if self.current else None,
            "queued": len(self.queue),
            "runs": recent,
        }

    def _loop(self) -> None:
        while not self.stopping.is_set():
            with self.wake:
                run_id = self.queue.popleft() if self.queue else None
                if run_id is None:
                    due = self.next_scheduled
                    wait = (due - utcnow()).total_seconds() if due else 3600.0
                    if wait > 0:
                        self.wake.wait(min(wait, DEPLOYMENT_POLL if self.deployment_id else 3600.0))
                        if self.deployment_id is not None and not self.stopping.is_set():
                            self._take_deployment_runs()
                        continue
            if run_id is None:
                assert self.interval_seconds is not None
                self.next_scheduled = utcnow() + timedelta(seconds=self.interval_seconds)
                try:
                    self.request(urls=[], due_only=True, trigger="schedule")
                except Exception:  # the Prefect server is away: try again next interval
                    logger.exception("could not schedule a pass")
                continue
            self._execute(self.runs[run_id])

    def register_deployment(self) -> str:
        """Register the deployment `monitor/serve` (no work pool, no schedule of its own: this
        process is its runner), so that `prefect deployment run monitor/serve` and the Prefect
        UI start passes here; its full name."""
        from flows.monitor import monitor

        deployment = monitor.to_deployment(
            name="serve",
            parameters={"due_only": False},
            description="Passes run by `claimwatch serve` (its own interval checks due sources).",
            tags=["claimwatch", "serve"],
        )
        self.deployment_id = deployment.apply()
        self.deployment_name = "monitor/serve"
        return self.deployment_name

    def _take_deployment_runs(self) -> None:
        """Queue the scheduled runs of the deployment that are due (what `prefect deployment
        run` creates)."""
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import (
            DeploymentFilter,
            DeploymentFilterId,
            FlowRunFilter,
            FlowRunFilterState,
            FlowRunFilterStateType,
        )
        from prefect.client.schemas.objects import StateType

        try:
            with get_client(sync_client=True) as client:
                found = client.read_flow_runs(
                    deployment_filter=DeploymentFilter(
                        id=DeploymentFilterId(any_=[self.deployment_id])
                    ),
                    flow_run_filter=FlowRunFilter(
                        state=FlowRunFilterState(
                            type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])
                        )
                    ),
                    limit=20,
                )
        except Exception:  # the Prefect server is away for a moment: look again later
            logger.warning("could not read the deployment's runs", exc_info=True)
            return
        now = utcnow()
        for flow_run in found:
            key = str(flow_run.id)
            start = flow_run.next_scheduled_start_time or flow_run.expected_start_time
            if key in self.runs or (start is not None and start > now):
                continue
            parameters = flow_run.parameters or {}
            run = PassRun(
                id=key,
                trigger="deployment",
                urls=list(parameters.get("urls") or []),
                due_only=bool(parameters.get("due_only", False)),
                tag=str(parameters.get("tag") or ""),
                flow_run_id=key,
            )
            self._enqueue(run)

    def _enqueue(self, run: PassRun) -> None:
        self.runs[run.id] = run
        self.order.append(run.id)
        while len(self.order) > KEEP_RUNS:
            self.runs.pop(self.order.popleft(), None)
        self.queue.append(run.id)
        self.wake.notify_all()

    def _execute(self, run: PassRun) -> None:
        run.state, run.started_at = "running", utcnow()
        self.current = run
        try:
            run.summary = self._run_pass(run)
            run.state = "completed"
        except Exception as exc:  # a failed pass must not stop the loop
            run.state, run.error = "failed", (str(exc).splitlines() or [repr(exc)])[0]
            logger.warning("pass %s failed: %s", run.id, run.error)
        finally:
            with self.wake:
                run.ended_at = utcnow()
                self.current = None
                self.wake.notify_all()  # callers waiting for this run's end

    def _run_pass(self, run: PassRun) -> dict[str, Any]:
        parameters = {"urls": run.urls, "due_only": run.due_only, "tag": run.tag}
        if not self.use_prefect:
            from service.passes import plain_pass

            return asdict(plain_pass(**parameters))
        from prefect.client.orchestration import get_client
        from prefect.flow_engine import run_flow_sync

        from flows.monitor import monitor

        with get_client(sync_client=True) as client:
            flow_run = client.read_flow_run(uuid.UUID(run.flow_run_id or ""))
        result = run_flow_sync(monitor, flow_run=flow_run, parameters=parameters)
        return dict(result or {})

    def _create_flow_run(self, run: PassRun) -> Any:
        from prefect.client.orchestration import get_client

        from flows.monitor import monitor

        parameters = {"urls": run.urls, "due_only": run.due_only, "tag": run.tag}
        with get_client(sync_client=True) as client:
            return client.create_flow_run(monitor, parameters=parameters, tags=[run.trigger])
