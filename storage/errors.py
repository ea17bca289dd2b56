"""Errors the interfaces catch, in a module that loads no ORM (the CLI imports it at start-up)."""

from __future__ import annotations


class NotFound(LookupError):
    """The URL is not tracked, or the version asked for does not exist."""
