"""Defaults the interfaces show as option defaults, in a module that loads no ORM."""

from __future__ import annotations

DEFAULT_MAX_ARTICLES = 5000  # articles a followed site's discovery tracks at most
DEFAULT_MAX_PAGES = 10  # index pages followed from a site's start page
