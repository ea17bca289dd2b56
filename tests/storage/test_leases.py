"""Host leases on SQLite and PostgreSQL: claim, expiry, takeover, release, concurrent claims."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from datetime import timedelta

from sqlmodel import Session, select

from storage.db import get_engine
from storage.leases import (
    claim,
    held_by_others,
    host_of,
    new_holder,
    release,
    release_dead_holders,
    release_process,
    renew,
)
from storage.models import HostLease, utcnow

TTL = timedelta(minutes=5)
HOSTS = {"a.example": 10, "b.example": 10, "c.example": 10}


def _session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


def _holders() -> dict[str, str]:
    with _session() as db:
        return {lease.host: lease.holder for lease in db.exec(select(HostLease))}


def test_host_of_is_the_lowercased_hostname_without_port() -> None:
    assert host_of("https://Blog.Example:8443/post/1") == "blog.example"


def test_a_claim_takes_hosts_in_order_until_it_holds_enough_sources(home) -> None:
    with _session() as db:
        assert claim(db, holder="w1", candidates=HOSTS, max_sources=15, ttl=TTL) == [
            "a.example",
            "b.example",
        ]
    assert _holders() == {"a.example": "w1", "b.example": "w1", "c.example": ""}


def test_a_claim_takes_at_least_one_host_however_big(home) -> None:
    with _session() as db:
        assert claim(db, holder="w1", candidates=HOSTS, max_sources=1, ttl=TTL) == ["a.example"]


def test_a_held_host_is_not_claimed_by_another_worker(home) -> None:
    with _session() as db:
        claim(db, holder="w1", candidates=HOSTS, max_sources=15, ttl=TTL)
        assert claim(db, holder="w2", candidates=HOSTS, max_sources=100, ttl=TTL) == ["c.example"]
        assert claim(db, holder="w3", candidates=HOSTS, max_sources=100, ttl=TTL) == []
        assert held_by_others(db, holder="w3", hosts=list(HOSTS)) == set(HOSTS)
        assert held_by_others(db, holder="w1", hosts=list(HOSTS)) == {"c.example"}


def test_an_expired_lease_is_taken_over(home) -> None:
    with _session() as db:
        claim(db, holder="crashed", candidates=HOSTS, max_sources=100, ttl=TTL)
        later = utcnow() + TTL + timedelta(seconds=1)
        assert claim(db, holder="w2", candidates=HOSTS, max_sources=100, ttl=TTL, now=later) == [
            "a.example",
            "b.example",
            "c.example",
        ]
        # The crashed worker's late release must not free what w2 now holds.
        release(db, holder="crashed", hosts=list(HOSTS))
    assert set(_holders().values()) == {"w2"}


def test_release_frees_the_hosts_for_the_next_claim(home) -> None:
    with _session() as db:
        claimed = claim(db, holder="w1", candidates=HOSTS, max_sources=100, ttl=TTL)
        release(db, holder="w1", hosts=claimed)
        assert claim(db, holder="w2", candidates=HOSTS, max_sources=1, ttl=TTL) == ["a.example"]


def test_renew_pushes_back_only_the_holders_leases(home) -> None:
    with _session() as db:
        claim(db, holder="w1", candidates={"a.example": 1}, max_sources=1, ttl=timedelta(0))
        assert renew(db, holder="w2", hosts=["a.example"], ttl=TTL) == 0
        assert renew(db, holder="w1", hosts=["a.example"], ttl=TTL) == 1
        assert claim(db, holder="w2", candidates={"a.example": 1}, max_sources=1, ttl=TTL) == []


def test_concurrent_claims_never_share_a_host(home) -> None:
    candidates = {f"h{i}.example": 1 for i in range(8)}
    results: dict[str, list[str]] = {}
    start = threading.Barrier(8)

    def worker(name: str) -> None:
        start.wait()
        with _session() as db:
            results[name] = claim(db, holder=name, candidates=candidates, max_sources=1, ttl=TTL)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [host for hosts in results.values() for host in hosts]
    assert len(claimed) == len(set(claimed))
    assert set(claimed) == set(candidates)
    assert all(len(hosts) == 1 for hosts in results.values())


def test_postgresql_skips_a_host_another_claim_has_locked_without_waiting(home) -> None:
    if get_engine().dialect.name != "postgresql":
        return  # SQLite has one writer at a time: a second claim waits for the first
    with _session() as db:
        claim(db, holder="w0", candidates=HOSTS, max_sources=0, ttl=timedelta(0))  # rows exist
    with _session() as busy:
        # An unfinished claim of a.example (its row locked, nothing committed yet).
        busy.exec(select(HostLease).where(HostLease.host == "a.example").with_for_update()).one()
        with _session() as db:
            assert claim(db, holder="w2", candidates=HOSTS, max_sources=1, ttl=TTL) == ["b.example"]
        busy.rollback()


def test_leases_of_a_killed_process_on_this_machine_are_released_at_once(home) -> None:
    """A `claimwatch run` killed with SIGKILL cannot release its hosts: the next claim on the
    same machine frees them instead of waiting for the leases to expire."""
    killed = subprocess.Popen([sys.executable, "-c", "pass"])
    killed.wait()
    dead_holder = f"{socket.gethostname()}:{killed.pid}:deadbeef"
    alive_holder = new_holder()  # this process: alive
    remote_holder = "elsewhere.example:1:cafe"  # another machine: cannot be checked here
    with _session() as db:
        claim(db, holder=dead_holder, candidates={"a.example": 1}, max_sources=1, ttl=TTL)
        claim(db, holder=alive_holder, candidates={"b.example": 1}, max_sources=1, ttl=TTL)
        claim(db, holder=remote_holder, candidates={"c.example": 1}, max_sources=1, ttl=TTL)
        assert release_dead_holders(db) == [dead_holder]
    assert _holders() == {"a.example": "", "b.example": alive_holder, "c.example": remote_holder}
    with _session() as db:
        release_process(db)
    assert _holders() == {"a.example": "", "b.example": "", "c.example": remote_holder}
