"""What every route shares: the database session, errors as HTTP statuses, date parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TypeVar

from fastapi import HTTPException

from analysis.urls import InvalidURL
from claimwatch.durations import parse_since
from storage.queries import NotFound

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
