"""Scrapy's robots.txt middleware with every waiting request checked (Scrapy 2.19 skips some)."""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobotsTxt
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(_ScrapyRobotsTxt):
    """Give each request that waits for a host's robots.txt its own Deferred of the parser.

    Scrapy 2.19 awaits the one shared Deferred with `maybe_deferred_to_future`, which consumes
    its result: the first waiting request gets the parser, every other one gets None and is
    sent without a robots.txt check (all the requests of a batch queued behind the fetch).
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The host's parser (None: no usable robots.txt), waiting for it if it is being fetched."""
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        mine: Deferred[RobotParser | None] = Deferred()

        def relay(parser: RobotParser | None) -> RobotParser | None:
            mine.callback(parser)
            return parser  # keep the result for the next waiter

        pending.addCallback(relay)
        return await maybe_deferred_to_future(mine)
