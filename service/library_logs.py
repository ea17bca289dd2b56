"""The extraction libraries' log lines go to CLAIMWATCH_HOME/logs, not to the console.

trafilatura, htmldate and courlan (and justext and readability under trafilatura) log ERROR
and WARNING lines for every page they cannot read ("empty HTML tree", "discarding data"):
expected with bad pages, whose capture records the error anyway. Under `claimwatch run`
Prefect's console handler printed them between the progress lines. They are written to
`logs/analysis-YYYYMMDD.log` instead, next to the crawl logs.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from storage.settings import get_settings

LIBRARIES = ("trafilatura", "htmldate", "courlan", "justext", "readability")

_handler: logging.FileHandler | None = None


def route_library_logs() -> Path:
    """Send the libraries' WARNING and ERROR records to the day's analysis log (idempotent;
    again when CLAIMWATCH_HOME changed); the log's path."""
    global _handler
    path = get_settings().home / "logs" / f"analysis-{time.strftime('%Y%m%d', time.gmtime())}.log"
    if _handler is not None and Path(_handler.baseFilename) == path.absolute():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(
        logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s (pid %(process)d)")
    )
    for name in LIBRARIES:
        logger = logging.getLogger(name)
        if _handler is not None:
            logger.removeHandler(_handler)
        logger.addHandler(handler)
        logger.propagate = False  # not to the root logger's console handler
    if _handler is not None:
        _handler.close()
    _handler = handler
    return path
