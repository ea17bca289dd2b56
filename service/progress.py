"""Stage progress of a monitoring pass, for whoever runs the flow in-process (the CLI's bar).

A worker running the deployment has no listener: reporting is then a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str, int, int], None]  # stage, done, total
_listeners: list[Listener] = []


def report(stage: str, done: int, total: int) -> None:
    """Tell the listeners how far a stage has got."""
    for listener in list(_listeners):
        listener(stage, done, total)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Receive progress reports while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)
