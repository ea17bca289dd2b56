"""Bytes to HTML text: recognise non-HTML payloads and pick the character encoding.

The order follows the HTML standard's encoding sniffing (BOM, then the Content-Type charset,
then a <meta> prescan), with two repairs for servers that lie: a declared Latin-1/ASCII/cp1252
charset is overridden when the bytes are valid non-ASCII UTF-8, and a declared charset that
cannot decode the bytes is skipped.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types that servers also send for HTML, so the bytes decide.
_AMBIGUOUS_TYPES = frozenset(
    {"", "text/plain", "text/xml", "application/xml", "application/octet-stream"}
)
_MAGIC = (
    (b"%PDF", "application/pdf"),
    (b"\x89PNG", "image/png"),
    (b"GIF8", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"\x28\xb5\x2f\xfd", "application/zstd"),
    (b"%!PS", "application/postscript"),
    (b"{\\rtf", "application/rtf"),
    (b"\xd0\xcf\x11\xe0", "application/msword"),
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# <meta charset=x>, <meta http-equiv=Content-Type content="...; charset=x">, <?xml encoding="x"?>
_META_CHARSET = re.compile(
    rb"""<meta[^<>]*?charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^<>]*?encoding\s*=\s*["']([\w.:-]+)""",
    re.I,
)
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title|div|p)[\s>/]", re.I)
# WHATWG decodes these labels as windows-1252: pages labelled Latin-1 use its curly quotes.
_AS_CP1252 = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})
_PRESCAN_BYTES = 65536
# [^<>] keeps these scans linear on junk such as "<<<<" or "<meta" repeated without ">".
_TAG = re.compile(r"<[^<>]*>")
_LATIN1_ERRORS = "claimwatch-latin1-fallback"


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    # Five bytes are undefined in cp1252; browsers decode them as Latin-1 does.
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_LATIN1_ERRORS, _latin1_fallback)


@dataclass(frozen=True)
class Decoded:
    """HTML as text, the encoding used and any doubts about it."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def media_type(content_type: str) -> str:
    """Return the lower-case media type of a Content-Type header, without parameters."""
    return content_type.split(";", 1)[0].strip().lower()


def non_html_reason(body: bytes, content_type: str = "") -> str:
    """Return the media type when `body` is not HTML (declared or sniffed), else ""."""
    declared = media_type(content_type)
    if declared and declared not in HTML_TYPES and declared not in _AMBIGUOUS_TYPES:
        return declared
    head = body[:1024]
    for magic, sniffed in _MAGIC:
        if head.startswith(magic):
            return sniffed
    if declared in HTML_TYPES:
        return ""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML_START.search(head.lower()) or stripped.startswith(b"<"):
        return ""
    if stripped[:1] in (b"{", b"["):
        return "application/json"
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f")
    if b"\x00" in head or controls > len(head) // 20:
        return "binary data"
    return declared or "no HTML markup"


def decode_html(body: bytes, content_type: str = "") -> Decoded:
    """Decode HTML bytes: BOM, header charset, <meta> charset, UTF-8, then detection."""
    for bom, bom_encoding in _BOMS:
        if body.startswith(bom):
            return Decoded(body[len(bom) :].decode(bom_encoding, errors="replace"), bom_encoding)
    warnings: list[str] = []
    for origin, label in (("header", _header_charset(content_type)), ("meta", _meta_charset(body))):
        if not label:
            continue
        encoding = _lookup(label)
        if encoding is None:
            warnings.append(f"unknown charset {label!r} in {origin}")
            continue
        as_utf8 = _decode(body, "utf-8") if encoding == "cp1252" and not body.isascii() else None
        if as_utf8 is not None:
            warnings.append(f"{origin} charset {label!r} ignored: the bytes are UTF-8")
            return Decoded(as_utf8, "utf-8", tuple(warnings))
        if origin == "meta" and encoding.startswith("utf-16"):
            encoding = "utf-8"  # a <meta> read as ASCII cannot be UTF-16 (HTML standard)
        text = _decode(body, encoding)
        if text is not None:
            return Decoded(text, encoding, tuple(warnings))
        warnings.append(f"{origin} charset {label!r} cannot decode the page")
    text = _decode(body, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", tuple(warnings))
    encoding, text = _guess(body)
    warnings.append(f"no declared charset fits; guessed {encoding}")
    return Decoded(text, encoding, tuple(warnings))


def _guess(body: bytes) -> tuple[str, str]:
    # Western pages are by far the most common here, and a detector guessing from a few accented
    # letters confuses cp1252 with its neighbours (cp1250, even johab). Ask the detector only
    # when cp1252 makes a fifth of the letters outside tags accented (and more than twenty):
    # a non-Latin script.
    text = body.decode("cp1252", errors=_LATIN1_ERRORS)
    sample = _TAG.sub(" ", text[:_PRESCAN_BYTES])
    letters = [c for c in sample if c.isalpha()]
    accented = sum(1 for c in letters if not c.isascii())
    if accented > max(20, len(letters) // 5):
        best = charset_normalizer.from_bytes(body[:_PRESCAN_BYTES]).best()
        encoding = _lookup(best.encoding) if best else None
        guessed = _decode(body, encoding) if encoding else None
        if encoding and guessed is not None:
            return encoding, guessed
    return "cp1252", text


def _header_charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'")
    return ""


def _meta_charset(body: bytes) -> str:
    match = _META_CHARSET.search(body[:_PRESCAN_BYTES])
    return (match.group(1) or match.group(2)).decode("ascii") if match else ""


def _lookup(label: str) -> str | None:
    try:
        name = codecs.lookup(label.strip().lower()).name if label else None
    except LookupError:
        return None
    return "cp1252" if name in _AS_CP1252 else name


def _decode(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding, errors=_LATIN1_ERRORS if encoding == "cp1252" else "strict")
    except UnicodeDecodeError:
        return None
