"""analysis.availability: Retry-After, the back-off of errors, soft 404 pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analysis.availability import next_check, retry_after, says_not_found, vanished

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", NOW + timedelta(seconds=120)),
        ("Sun, 29 Nov 2026 14:00:00 GMT", NOW + 2 * HOUR),
        ("99999999", NOW + timedelta(days=7)),  # capped at a week
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after(value: str | None, expected: datetime | None) -> None:
    assert retry_after(value, now=NOW) == expected


@pytest.mark.parametrize(
    ("status", "error", "header", "streak", "expected"),
    [
        (200, "", None, 4, (None, None, 0)),  # success resets
        (404, "", None, 2, (None, None, 0)),  # an answer, not an error
        (500, "", None, 0, (None, NOW + HOUR, 1)),
        (500, "", None, 2, (None, NOW + 4 * HOUR, 3)),  # 1 h, 2 h, 4 h
        (None, "timeout after 5 s", None, 9, (None, NOW + 24 * HOUR, 10)),  # capped at a day
        (429, "", "7200", 0, (NOW + 2 * HOUR, NOW + 2 * HOUR, 1)),
        (503, "", "60", 0, (NOW + timedelta(seconds=60), NOW + HOUR, 1)),  # back-off longer
        (500, "", "7200", 0, (None, NOW + HOUR, 1)),  # Retry-After only on 429/503
    ],
)
def test_next_check(
    status: int | None,
    error: str,
    header: str | None,
    streak: int,
    expected: tuple[datetime | None, datetime | None, int],
) -> None:
    result = next_check(
        now=NOW, status=status, error=error, retry_after_header=header, interval=HOUR, streak=streak
    )
    assert result == expected


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (b"<title>Page not found | Blog</title><p>x</p>", "Page not found | Blog"),
        (b"<title>Blog</title><h1>404</h1>", "404"),
        (
            b"<title>Blog</title><h1>Sorry, this page doesn't exist</h1>",
            "Sorry, this page doesn't exist",
        ),
        (b"<title>Vitamin D: what we found</title><h1>Vitamin D</h1>", ""),
        (b"%PDF-1.4 binary", ""),
        (b"", ""),
    ],
)
def test_says_not_found(page: bytes, expected: str) -> None:
    assert says_not_found(page) == expected


def test_vanished() -> None:
    text = "vitamin d supports bone health in older adults"
    assert vanished(text, "page not found try a search")
    assert not vanished(text, "new intro " + text)
