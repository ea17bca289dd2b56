"""Holding host leases while work runs: renewed in the background, released at the end."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta

from storage import leases
from storage.db import session

# A worker renews its leases every third of this while it works: a crashed worker's hosts
# are taken over by the others at most this long after it stopped renewing.
LEASE_TTL = timedelta(minutes=5)


def new_holder() -> str:
    """A name for one worker's (one pass's) leases."""
    return leases.new_holder()


def release_dead_holders() -> list[str]:
    """Free the hosts of workers on this machine that died holding them (kill -9, crash)."""
    with session() as db:
        return leases.release_dead_holders(db)


def release_own() -> None:
    """Free every host this process holds (a service stopping before its pass ended)."""
    with session() as db:
        leases.release_process(db)


def claim_all(holder: str, hosts: Sequence[str]) -> list[str]:
    """Lease every free host among `hosts`; the ones now held."""
    with session() as db:
        return leases.claim(
            db,
            holder=holder,
            candidates=dict.fromkeys(hosts, 1),
            max_sources=len(hosts),
            ttl=LEASE_TTL,
        )


@contextmanager
def holding(holder: str, hosts: Sequence[str]) -> Iterator[None]:
    """Keep these hosts' leases renewed while the block runs; release them when it ends."""
    stop = threading.Event()

    def keep() -> None:
        while not stop.wait(LEASE_TTL.total_seconds() / 3):
            with session() as db:
                leases.renew(db, holder=holder, hosts=hosts, ttl=LEASE_TTL)

    keeper = threading.Thread(target=keep, name="lease-keeper", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()
        with session() as db:
            leases.release(db, holder=holder, hosts=hosts)
