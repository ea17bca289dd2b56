"""Which network addresses claimwatch may fetch: the guard against server-side request forgery.

A tracked URL, a redirect or a robots.txt fetch must not make claimwatch read an internal
service (a cloud metadata endpoint, a database console, a router) and archive or quote what it
answered. By default only globally reachable unicast addresses are fetched; loopback, private,
link-local, multicast, reserved and unspecified ones are refused, in IPv4 and IPv6 (IPv4-mapped,
6to4 and NAT64 addresses are judged by the IPv4 address inside). `AddressPolicy` says so for
one address; the crawler applies it to every address a host name resolves to, and `track` to
URLs whose host is an IP literal. Pure: no resolution, no I/O.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

ALLOW_SETTING = "CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES"
NETWORKS_SETTING = "CLAIMWATCH_ALLOWED_NETWORKS"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def parse_ip(host: str) -> IPAddress | None:
    """The address a URL host denotes when it is an IP literal, else None (a name).

    IPv4 is read the way browsers and the C resolver read it (WHATWG URL "IPv4 parser"):
    one to four dot-separated numbers, each decimal, octal (leading 0) or hex (0x), the last
    filling the remaining bytes: `2130706433`, `0x7f000001`, `0177.0.0.1` and `127.1` are all
    127.0.0.1. IPv6 may come with or without its brackets; a zone (`%eth0`) is dropped.
    """
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        try:
            address = ipaddress.IPv6Address(text.split("%", 1)[0])
        except ValueError:
            return None
        return address
    return _parse_ipv4(text)


def _parse_ipv4(text: str) -> ipaddress.IPv4Address | None:
    parts = text.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # one trailing dot is allowed, as in a fully qualified name
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_ipv4_number(part) for part in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    address = values[-1]
    for index, value in enumerate(values[:-1]):
        address += value << (8 * (3 - index))
    return ipaddress.IPv4Address(address)


def _ipv4_number(part: str) -> int | None:
    if not part:
        return None
    digits, base = part, 10
    if part[:2].lower() == "0x":
        digits, base = part[2:], 16
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    if not digits:
        return 0  # "0x" alone is 0 to the WHATWG parser
    try:
        return int(digits, base) if digits.isalnum() and digits.isascii() else None
    except ValueError:
        return None


def show(address: IPAddress) -> str:
    """An address as text, IPv4-mapped IPv6 as ::ffff:a.b.c.d (RFC 5952 section 5) on every
    Python version."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return f"::ffff:{address.ipv4_mapped}"
    return str(address)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address reaches (IPv4-mapped, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why an address is not a public one ("a loopback address", …); None if it is."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None and (problem := address_problem(inner)):
            return problem
    checks = (
        ("an unspecified", address.is_unspecified),
        ("a loopback", address.is_loopback),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("a reserved", address.is_reserved),
        ("a private", address.is_private),
        # Shared (carrier-grade NAT), documentation, benchmarking ranges and the like.
        ("a non-public", not address.is_global),
    )
    for name, applies in checks:
        if applies:
            return f"{name} address"
    return None


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """Networks from a comma-separated list ("10.1.0.0/16, 192.168.5.7"); ValueError if bad."""
    networks: list[IPNetwork] = []
    for item in text.replace(";", ",").split(","):
        if item.strip():
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
    return tuple(networks)


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be fetched: public ones, plus private ones when allowed.

    `allow_private` opens every address (CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES=true: intranet
    monitoring, local tests, the demo); `allowed` opens only the listed networks
    (CLAIMWATCH_ALLOWED_NETWORKS, e.g. one intranet host).
    """

    allow_private: bool = False
    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_settings(
        cls, *, allow_private: bool, networks: str | Iterable[str] = ""
    ) -> AddressPolicy:
        """A policy from the two settings' values; ValueError for a malformed network."""
        text = networks if isinstance(networks, str) else ",".join(networks)
        return cls(allow_private=allow_private, allowed=parse_networks(text))

    def refusal(self, address: IPAddress | str, *, host: str = "") -> str | None:
        """The error to record when `host` would be fetched at `address`; None if allowed."""
        ip = address if not isinstance(address, str) else ipaddress.ip_address(address)
        if self.allow_private or self._listed(ip):
            return None
        problem = address_problem(ip)
        if problem is None:
            return None
        shown, text = host.strip("[]"), show(ip)
        literal = parse_ip(shown) if shown else ip
        if literal is None:
            subject = f"{shown} resolves to {text}, {problem}"
        elif isinstance(ip, ipaddress.IPv6Address) or shown in ("", text):
            subject = f"{shown or text} is {problem}"
        else:  # another spelling of an IPv4 address: say which one it is
            subject = f"{shown} is {text}, {problem}"
        return f"refused: {subject} (set {ALLOW_SETTING}=true to allow)"

    def url_refusal(self, url: str) -> str | None:
        """The refusal for a URL whose host is an IP literal (any spelling); None otherwise."""
        try:
            host = urlsplit(url.strip()).hostname
        except ValueError:
            return None
        address = parse_ip(host or "")
        if address is None:
            return None
        return self.refusal(address, host=host or "")

    def _listed(self, address: IPAddress) -> bool:
        candidates: list[IPAddress] = [address]
        if isinstance(address, ipaddress.IPv6Address) and (inner := embedded_ipv4(address)):
            candidates.append(inner)
        return any(ip in network for ip in candidates for network in self.allowed)
