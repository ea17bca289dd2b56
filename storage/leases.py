"""Host leases: while a worker holds a host's lease, no other worker fetches from that host.

Several workers (concurrent `monitor` flow runs on one database) split a pass by host: each
claims a few free hosts, crawls their sources, and releases them. A lease runs out at
`expires_at` (its holder renews it while it works), so the hosts of a worker that crashed are
taken over once their leases expire.

Claiming is one short transaction: PostgreSQL locks the free candidate rows with
`SELECT … FOR UPDATE SKIP LOCKED` (two workers never wait on, nor take, the same row); SQLite
has one writer at a time, so the transaction starts with `BEGIN IMMEDIATE` and the claim is a
conditional UPDATE. Repository functions take keyword-only arguments; `claim` and the
others commit themselves, since a lease only counts once other workers can see it.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import HostLease, utcnow


def host_of(url: str) -> str:
    """The host a URL is fetched from: what politeness (and so a lease) is counted per."""
    return (urlsplit(url).hostname or "").lower()


def new_holder() -> str:
    """A name for this worker's leases, unique across machines and runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(
    db: Session,
    *,
    holder: str,
    candidates: Mapping[str, int],
    max_sources: int,
    ttl: timedelta,
    now: datetime | None = None,
) -> list[str]:
    """Lease free hosts among `candidates` (host -> sources waiting, most urgent first) until
    they hold `max_sources` sources (at least one host); commits. The hosts claimed, in order.

    A host is free when nobody holds it or its lease expired. `db` must have no transaction
    open (the claim is its own transaction)."""
    if not candidates:
        return []
    now = now or utcnow()
    _begin_claim(db)
    hosts = sorted(candidates)
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Sorted, so that two workers adding rows for overlapping hosts lock them in one order.
    db.execute(
        insert(HostLease)
        .values([{"host": host, "holder": ""} for host in hosts])
        .on_conflict_do_nothing(index_elements=["host"])
    )
    free = set(db.exec(select(HostLease.host).where(col(HostLease.host).in_(hosts), _is_free(now))))
    chosen: list[str] = []
    total = 0
    for host, waiting in candidates.items():
        if host not in free:
            continue
        # One row at a time, so that a worker locks only the hosts it takes: the others'
        # claims skip these rows and take the next free ones instead of finding none.
        locked = db.exec(
            select(HostLease.host)
            .where(col(HostLease.host) == host, _is_free(now))
            .with_for_update(skip_locked=True)
        ).first()
        if locked is None:
            continue  # another worker is claiming it right now
        chosen.append(host)
        total += waiting
        if total >= max_sources:
            break
    if chosen:
        db.execute(
            update(HostLease)
            .where(col(HostLease.host).in_(chosen))
            .values(holder=holder, expires_at=now + ttl)
        )
    db.commit()
    return chosen


def renew(db: Session, *, holder: str, hosts: Sequence[str], ttl: timedelta) -> int:
    """Push back the expiry of these hosts' leases still held by `holder`; commits. How many."""
    if not hosts:
        return 0
    result = db.execute(
        update(HostLease)
        .where(col(HostLease.host).in_(list(hosts)), col(HostLease.holder) == holder)
        .values(expires_at=utcnow() + ttl)
    )
    db.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def release(db: Session, *, holder: str, hosts: Sequence[str]) -> None:
    """Give back these hosts if `holder` still holds them (a lease taken over stays); commits."""
    if not hosts:
        return
    db.execute(
        update(HostLease)
        .where(col(HostLease.host).in_(list(hosts)), col(HostLease.holder) == holder)
        .values(holder="", expires_at=None)
    )
    db.commit()


def release_dead_holders(db: Session) -> list[str]:
    """Give back the leases of workers on this machine whose process is gone (killed, crashed);
    commits. The holders released.

    Their leases would otherwise keep the hosts from everyone until they expire; a holder on
    another machine cannot be checked from here and keeps its lease until then."""
    prefix = f"{socket.gethostname()}:"
    holders = set(
        db.exec(select(HostLease.holder).where(col(HostLease.holder).startswith(prefix))).all()
    )
    dead = [holder for holder in holders if not _process_alive(holder)]
    if dead:
        db.execute(
            update(HostLease)
            .where(col(HostLease.holder).in_(dead))
            .values(holder="", expires_at=None)
        )
    db.commit()
    return dead


def release_process(db: Session, *, pid: int | None = None) -> None:
    """Give back every lease this process (or `pid` on this machine) holds; commits."""
    prefix = f"{socket.gethostname()}:{pid or os.getpid()}:"
    db.execute(
        update(HostLease)
        .where(col(HostLease.holder).startswith(prefix))
        .values(holder="", expires_at=None)
    )
    db.commit()


def _process_alive(holder: str) -> bool:
    try:
        pid = int(holder.split(":")[1])
    except (IndexError, ValueError):
        return True  # not a name new_holder() made: leave it to expire
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, someone else's
    return True


def held_by_others(
    db: Session, *, holder: str, hosts: Sequence[str], now: datetime | None = None
) -> set[str]:
    """The hosts among `hosts` whose lease another worker holds now."""
    if not hosts:
        return set()
    now = now or utcnow()
    rows = db.exec(
        select(HostLease.host).where(
            col(HostLease.host).in_(list(hosts)),
            col(HostLease.holder) != "",
            col(HostLease.holder) != holder,
            col(HostLease.expires_at) > now,
        )
    )
    return set(rows)


def _is_free(now: datetime):  # type: ignore[no-untyped-def]
    return or_(col(HostLease.holder) == "", col(HostLease.expires_at) <= now)


def _begin_claim(db: Session) -> None:
    if db.get_bind().dialect.name == "sqlite":
        # The write lock first: a deferred transaction would read, then fail to upgrade
        # (SQLITE_BUSY) when another worker claimed in between.
        db.connection().exec_driver_sql("BEGIN IMMEDIATE")
