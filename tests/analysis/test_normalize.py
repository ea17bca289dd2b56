"""normalize_text and content_hash: only invisible differences are normalized away."""

from __future__ import annotations

import hashlib
import re
import sys

import pytest

from analysis.normalize import content_hash, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  two   spaces\n\nand\tlines  ", "two spaces and lines"),
        ("non\u00a0breaking\u2009thin\u3000ideographic", "non breaking thin ideographic"),
        ("e\u0301clair", "\u00e9clair"),  # NFD → NFC
        ("zero\u200bwidth\u200c\u200djoin\u2060er", "zerowidthjoiner"),
        ("soft\u00adhyphen", "softhyphen"),
        ("\ufeffBOM at start", "BOM at start"),
        ("“curly” ‘quotes’ — dashes – kept", "“curly” ‘quotes’ — dashes – kept"),
        ('straight "quotes" - kept', 'straight "quotes" - kept'),
        ("", ""),
        (" \n\t ", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_content_hash_is_sha256_of_title_blank_line_text() -> None:
    expected = hashlib.sha256(b"Title\n\nBody one.\n\nBody two.").hexdigest()
    assert content_hash("Title", "Body one.\n\nBody two.") == expected


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("  Title ", "Body one.\n\nBody two."),
        ("Title", "Body  one.\n\n\n\nBody\u00a0two. "),
        ("Ti\u200btle", "Body one.\n\nBody two.\u00ad"),
    ],
)
def test_content_hash_ignores_invisible_differences(title: str, text: str) -> None:
    assert content_hash(title, text) == content_hash("Title", "Body one.\n\nBody two.")


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Title!", "Body one.\n\nBody two."),
        ("Title", "Body one.\n\nBody three."),
        ("Title", "Body one. Body two."),  # block structure counts
        ("Title", "Body “one”.\n\nBody two."),  # quotes are an edit
    ],
)
def test_content_hash_sees_visible_differences(title: str, text: str) -> None:
    assert content_hash(title, text) != content_hash("Title", "Body one.\n\nBody two.")


def test_title_and_text_cannot_trade_places() -> None:
    assert content_hash("A", "B\n\nC") != content_hash("A\n\nB", "C")


def test_whitespace_is_what_the_regex_calls_whitespace() -> None:
    # normalize_text splits with str.split(); it used to substitute the regex \s+: the same
    # code points must count as whitespace, or hashes of stored versions would change.
    space = re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert char.isspace() == bool(space.match(char)), hex(code)
        if char.isspace():
            assert normalize_text(f"a{char}{char}b{char}") == "a b"
