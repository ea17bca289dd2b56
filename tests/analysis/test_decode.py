"""Bytes to text: what is not HTML, and which charset a page really uses."""

from __future__ import annotations

import pytest

from analysis.decode import decode_html, media_type, non_html_reason

RUSSIAN = "Окситоцин снижает уровень кортизола и помогает восстановлению мышц. " * 20
XML_DECLARATION = '<?xml version="1.0" encoding="ISO-8859-2"?>'
HTTP_EQUIV = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">'


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [("text/html; charset=UTF-8", "text/html"), (" Application/PDF ", "application/pdf"), ("", "")],
)
def test_media_type(content_type: str, expected: str) -> None:
    assert media_type(content_type) == expected


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"<!DOCTYPE html><p>x</p>", "text/html", ""),
        (b"<!DOCTYPE html><p>x</p>", "", ""),
        (b"\n\n  <html><p>x</p>", "text/plain", ""),
        (b"\xef\xbb\xbf<html>", "application/octet-stream", ""),
        (b"<html>", "application/xhtml+xml", ""),
        (b"<html>", "application/pdf", "application/pdf"),
        (b"<html>", "video/mp4", "video/mp4"),
        (b"GIF89a....", "", "image/gif"),
        (b"PK\x03\x04....", "text/html", "application/zip"),
        (b"[1, 2, 3]", "text/plain", "application/json"),
        (b"\x00\x01\x02 binary", "", "binary data"),
        (b"plain words only", "", "no HTML markup"),
    ],
)
def test_non_html_reason(body: bytes, content_type: str, reason: str) -> None:
    assert non_html_reason(body, content_type) == reason


@pytest.mark.parametrize(
    ("body", "content_type", "encoding"),
    [
        ('<meta charset="utf-8"><p>café</p>'.encode(), "", "utf-8"),
        ("<p>café</p>".encode("cp1252"), "text/html; charset=ISO-8859-1", "cp1252"),
        ("<p>café</p>".encode("cp1252"), 'text/html; charset="windows-1252"', "cp1252"),
        ((HTTP_EQUIV + "<p>café €</p>").encode("iso-8859-15"), "text/html", "iso8859-15"),
        ("<p>café</p>".encode("utf-16-be"), "text/html; charset=utf-16-be", "utf-16-be"),
        ((XML_DECLARATION + "<p>café</p>").encode("iso-8859-2"), "", "iso8859-2"),
    ],
)
def test_declared_charsets(body: bytes, content_type: str, encoding: str) -> None:
    decoded = decode_html(body, content_type)
    assert decoded.encoding == encoding
    assert "café" in decoded.text
    assert decoded.warnings == ()


def test_undefined_cp1252_bytes_decode_as_latin1() -> None:
    decoded = decode_html("<p>“café”</p>".encode("cp1252") + b"\x81", "text/html; charset=cp1252")
    assert decoded.text == "<p>“café”</p>\x81"


def test_undeclared_western_page_is_cp1252() -> None:
    decoded = decode_html("<p>Håkansson’s “café”</p>".encode("cp1252"))
    assert decoded.encoding == "cp1252"
    assert decoded.text == "<p>Håkansson’s “café”</p>"
    assert decoded.warnings == ("no declared charset fits; guessed cp1252",)


def test_undeclared_cyrillic_page_is_detected() -> None:
    decoded = decode_html(f"<p>{RUSSIAN}</p>".encode("cp1251"))
    assert decoded.encoding == "cp1251"
    assert RUSSIAN in decoded.text


def test_meta_utf16_means_utf8() -> None:
    decoded = decode_html('<meta charset="utf-16"><p>café</p>'.encode())
    assert decoded.encoding == "utf-8"
    assert "café" in decoded.text


def test_unknown_and_failing_charsets_are_reported() -> None:
    body = '<meta charset="x-unknown"><p>café</p>'.encode("cp1252")
    decoded = decode_html(body, "text/html; charset=utf-8")
    assert decoded.text.endswith("<p>café</p>")
    assert decoded.warnings == (
        "header charset 'utf-8' cannot decode the page",
        "unknown charset 'x-unknown' in meta",
        "no declared charset fits; guessed cp1252",
    )
