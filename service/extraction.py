"""Extract a batch's payloads in order: in this process, or shared with a pool of workers.

Kept apart from service.analyse so that the pool's workers import only what extraction needs
(trafilatura, lxml): their forkserver preloads this module, not the database layer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import get_context

from analysis.document import Extraction
from analysis.extract import extract_page
from service.library_logs import route_library_logs
from storage.settings import get_settings

# Below this many pages a process pool costs more (its start-up) than it saves.
POOL_THRESHOLD = 24

Job = tuple[bytes, str, str]  # payload, URL, content type


def extract_job(job: Job) -> Extraction:
    """The extraction of one payload."""
    route_library_logs()  # here, so that pool workers route theirs too
    body, url, content_type = job
    return extract_page(body, url=url, content_type=content_type)


@contextmanager
def extractions(jobs: list[Job]) -> Iterator[Iterator[Extraction]]:
    """The jobs' extractions, in order, as they are made.

    With CLAIMWATCH_ANALYSIS_WORKERS > 1 the workers take the batch from its end while the
    caller, which assesses and records in order, extracts from its start whatever no worker
    has taken yet: all of it while the pool starts, and both cores work until the two meet.
    """
    workers = get_settings().analysis_workers
    if workers <= 1 or len(jobs) < POOL_THRESHOLD:
        yield map(extract_job, jobs)
        return
    context = get_context("forkserver")
    # forkserver: workers start from a clean process (fork after Prefect's threads is unsafe).
    # Its server imports this module once; every worker (of this batch's pool and of later
    # ones) is then forked from it ready to extract, instead of importing it anew.
    context.set_forkserver_preload([__name__])
    shared = _Shared(jobs, ProcessPoolExecutor(max_workers=workers - 1, mp_context=context))
    # The first submit waits for the forkserver to import this module (~1 s, once per
    # process): a thread submits, so that this process extracts meanwhile.
    feeder = threading.Thread(target=shared.feed, name="extraction-feeder", daemon=True)
    feeder.start()
    try:
        yield shared.in_order()
    finally:
        shared.stop = True
        feeder.join()
        shared.pool.shutdown(wait=True, cancel_futures=True)


class _Shared:
    """The jobs, split between the caller (from the start) and the pool (from the end)."""

    def __init__(self, jobs: list[Job], pool: ProcessPoolExecutor) -> None:
        self.jobs, self.pool = jobs, pool
        self.futures: list[Future[Extraction] | None] = [None] * len(jobs)
        self.taken = 0  # jobs[:taken] are the caller's
        self.stop = False
        self.lock = threading.Lock()

    def feed(self) -> None:
        """Submit the jobs to the pool from the last one back, until the caller's are reached."""
        try:
            self.pool.submit(int).result()  # the workers' start-up, outside the lock
        except BrokenProcessPool:
            return  # no worker could start: the caller extracts every job itself
        for i in reversed(range(len(self.jobs))):
            with self.lock:
                if self.stop or i < self.taken:
                    return
                self.futures[i] = self.pool.submit(extract_job, self.jobs[i])

    def in_order(self) -> Iterator[Extraction]:
        """Each job's extraction, in order: made here when no worker has taken the job."""
        for i, job in enumerate(self.jobs):
            with self.lock:
                future = self.futures[i]
                if future is None:
                    self.taken = i + 1
            # cancel() fails once a worker has taken the job.
            yield extract_job(job) if future is None or future.cancel() else future.result()
