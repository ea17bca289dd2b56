"""When a page answering 200 says the article is gone (a soft 404), and when to check next:
`Retry-After` and the back-off of repeated errors. Pure: no I/O."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from lxml import etree
from lxml import html as lxml_html

DAY = timedelta(days=1)
RETRY_AFTER_CAP = timedelta(days=7)  # a server asking for more is answered after a week
FORBIDDEN_IN_A_ROW = 3  # 403 answers in a row that make the article unavailable
VANISHED_BELOW = 0.3  # share of the last version's words still on the page: below, it vanished

_NOT_FOUND = re.compile(
    r"\b(?:404|not\s+found|page\s+(?:does\s+not|doesn['’]t)\s+exist|"
    r"no\s+longer\s+(?:available|exists)|page\s+(?:cannot|can['’]t)\s+be\s+found|"
    r"(?:article|page|post)\s+(?:was\s+)?removed)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")


def says_not_found(body: bytes) -> str:
    """The page's title or main heading when it says the page is not found ("" otherwise)."""
    try:
        tree = lxml_html.fromstring(body[:500_000])
    except (ValueError, TypeError, etree.LxmlError):
        return ""
    return not_found_in(tree)


def not_found_in(tree: etree._Element) -> str:
    """`says_not_found` for a page already parsed."""
    for text in (*tree.xpath("//title//text()"), *tree.xpath("//h1//text()")):
        line = " ".join(str(text).split())
        if line and _NOT_FOUND.search(line):
            return line[:120]
    return ""


def vanished(before: str, after: str) -> bool:
    """Whether little of the text `before` is left in `after` (word overlap)."""
    old = set(_WORD.findall(before.lower()))
    if not old:
        return False
    new = set(_WORD.findall(after.lower()))
    return len(old & new) / len(old) < VANISHED_BELOW


def retry_after(value: str | None, *, now: datetime) -> datetime | None:
    """The moment a `Retry-After` header (seconds or an HTTP date) names, capped at a week."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        moment = now + timedelta(seconds=int(value))
    else:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment is None or moment.tzinfo is None:
            return None
    return min(moment, now + RETRY_AFTER_CAP)


def is_error(status: int | None, error: str) -> bool:
    """Whether a check ended in an error (no usable answer): what the back-off counts."""
    if error or status is None:
        return True
    return status >= 400 and status not in (404, 410, 451)


def next_check(
    *,
    now: datetime,
    status: int | None,
    error: str,
    retry_after_header: str | None,
    interval: timedelta,
    streak: int,
) -> tuple[datetime | None, datetime | None, int]:
    """(retry_after, next_check_at, error streak) after a check: errors in a row double the
    wait (interval, 2×, 4×…, capped at a day or the interval when longer); a success resets
    it; a 429/503 `Retry-After` is the earliest next check."""
    if not is_error(status, error):
        return None, None, 0
    streak += 1
    cap = max(interval, DAY)
    wait = min(interval * (2 ** min(streak - 1, 30)), cap)
    asked = retry_after(retry_after_header, now=now) if status in (429, 503) else None
    earliest = now + wait
    if asked is not None and asked > earliest:
        earliest = asked
    return asked, earliest, streak
