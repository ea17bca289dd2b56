"""What every route shares: the database session, errors as HTTP statuses, date parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from fastapi import HTTPException
from sqlmodel import Session

from analysis.urls import InvalidURL
from analysis.vocabulary import ChangeKind, Severity
from claimwatch.durations import parse_since
from storage.browse import FeedFilter
from storage.queries import NotFound, change_filter

T = TypeVar("T")


@contextmanager
def answering() -> Iterator[None]:
    """Turn the storage layer's refusals into HTTP errors: NotFound 404, bad input 422."""
    try:
        yield
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except (InvalidURL, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None


def answer(query: Callable[[], T]) -> T:
    """Run a query under `answering`."""
    with answering():
        return query()


def moment(text: str | None, *, name: str, end_of_day: bool = False) -> datetime | None:
    """A date parameter: a duration back from now (7d) or an ISO date/time (UTC if naive);
    with `end_of_day`, a bare date means the end of that day (what was current on it)."""
    if not text:
        return None
    try:
        found = parse_since(text)
    except ValueError as exc:
        raise HTTPException(422, f"{name}: {exc}") from None
    if end_of_day and len(text.strip()) == 10:
        found += timedelta(days=1) - timedelta(microseconds=1)
    return found


@dataclass(frozen=True)
class ChangeFilters:
    """The filters of `claimwatch changes`, as query parameters (/changes and the Atom feed)."""

    since: str | None = None
    until: str | None = None
    url: str | None = None
    site: str = ""
    kind: ChangeKind | None = None
    severity: Severity | None = None
    tag: str = ""

    def resolve(self, db: Session) -> FeedFilter:
        """As a FeedFilter: 422 for an unreadable date, 404 for an untracked URL."""
        start, end = moment(self.since, name="since"), moment(self.until, name="until")
        return answer(
            lambda: change_filter(
                db, since=start, until=end, url=self.url, site=self.site, kind=self.kind,
                severity=self.severity or "", tag=self.tag,
            )
        )  # fmt: skip
