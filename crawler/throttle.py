"""AutoThrottle that lets a 304 Not Modified lower the delay, as a 200 does.

Scrapy's AutoThrottle never lowers a slot's delay on a non-200 answer (error pages are small
and fast, and would make it speed up against a failing site). A 304 is the answer to our
conditional GET, as slow as the host is: without this, a pass where nothing changed stays at
AUTOTHROTTLE_START_DELAY for every host, slower than the first pass. The floor is still
DOWNLOAD_DELAY per host, and a slow 304 still raises the delay.
"""

from __future__ import annotations

from scrapy.core.downloader import Slot
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response


class NotModifiedAwareAutoThrottle(AutoThrottle):
    """AutoThrottle whose delay follows the latency of 304 answers too."""

    def _adjust_delay(self, slot: Slot, latency: float, response: Response) -> None:
        if response.status == 304:
            response = response.replace(status=200)
        super()._adjust_delay(slot, latency, response)
