"""How a pass cuts its sources into crawl batches under host leases: a batch spreads over as
many hosts as it can (each host's share at most batch_size / hosts waiting), so per-host
politeness paces many hosts at once; every source is still claimed once per pass."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from service.passes import claim_crawl
from storage import leases
from storage.db import session
from storage.sources import track

HOSTS = [f"blog{n}.example" for n in range(20)]


def _track(per_host: int) -> None:
    urls = [f"https://{host}/post-{i}/" for host in HOSTS for i in range(per_host)]
    with session() as db:
        track(db, urls=urls, interval_seconds=3600)


def _claim(holder: str, tried: list[int], batch_size: int):  # type: ignore[no-untyped-def]
    return claim_crawl(
        holder=holder,
        due_only=False,
        urls=[],
        tag="",
        started=datetime.now(UTC),
        tried=tried,
        batch_size=batch_size,
    )


def test_a_batch_of_200_covers_all_20_hosts_of_50_articles(home: Path) -> None:
    _track(per_host=50)
    claim = _claim("worker-a", [], batch_size=200)
    hosts = Counter(leases.host_of(entry["url"]) for entry in claim.entries)
    assert len(claim.entries) == 200
    assert sorted(claim.hosts) == sorted(HOSTS) and set(hosts) == set(HOSTS)
    assert set(hosts.values()) == {10}  # ten of each host, not fifty of four


def test_every_source_is_claimed_once_over_the_pass(home: Path) -> None:
    _track(per_host=7)
    tried: list[int] = []
    batches = 0
    while True:
        claim = _claim("worker-a", tried, batch_size=40)
        if not claim.entries:
            break
        batches += 1
        assert len({leases.host_of(e["url"]) for e in claim.entries}) == 20  # two of each (40 / 20)
        tried += [entry["source_id"] for entry in claim.entries]
        with session() as db:
            leases.release(db, holder="worker-a", hosts=claim.hosts)
    assert len(tried) == len(set(tried)) == 20 * 7
    assert batches == 4  # 40, 40, 40, 20: two of each host per batch


def test_held_hosts_are_left_to_their_holder(home: Path) -> None:
    _track(per_host=3)
    first = _claim("worker-a", [], batch_size=20)
    second = _claim("worker-b", [], batch_size=20)
    assert first.hosts and not set(first.hosts) & set(second.hosts)
    assert second.wait or second.entries
