"""The address policy of the SSRF guard: every spelling of an internal address is refused."""

from __future__ import annotations

import ipaddress

import pytest

from analysis.addresses import AddressPolicy, parse_ip, parse_networks

ADVICE = " (set CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES=true to allow)"


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("167772165", "10.0.0.5"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("[fe80::1%25eth0]", "fe80::1"),
    ],
)
def test_ip_literals_in_every_spelling(host: str, address: str) -> None:
    assert parse_ip(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize(
    "host", ["example.org", "localhost", "1.2.3.999", "08.1.1.1", "1e1", "256.1.1.1.1", "", "[::1"]
)
def test_names_and_invalid_numbers_are_not_addresses(host: str) -> None:
    assert parse_ip(host) is None


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback"),
        ("127.45.6.7", "a loopback"),
        ("10.0.0.5", "a private"),
        ("172.16.3.4", "a private"),
        ("192.168.1.1", "a private"),
        ("169.254.169.254", "a link-local"),  # cloud metadata endpoints
        ("0.0.0.0", "an unspecified"),
        ("224.0.0.251", "a multicast"),
        ("240.0.0.1", "a reserved"),
        ("100.64.0.1", "a non-public"),  # carrier-grade NAT
        ("::1", "a loopback"),
        ("::", "an unspecified"),
        ("fe80::1", "a link-local"),
        ("fc00::1", "a private"),
        ("fd12:3456::1", "a private"),
        ("ff02::1", "a multicast"),
        ("::ffff:127.0.0.1", "a loopback"),  # IPv4-mapped
        ("::ffff:10.0.0.5", "a private"),
        ("2002:a00:5::", "a private"),  # 6to4 around 10.0.0.5
        ("64:ff9b::a9fe:a9fe", "a link-local"),  # NAT64 around 169.254.169.254
    ],
)
def test_internal_addresses_are_refused_with_the_reason(address: str, kind: str) -> None:
    refusal = AddressPolicy().refusal(address)
    assert refusal == f"refused: {address} is {kind} address{ADVICE}"


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert AddressPolicy().refusal(address) is None


def test_a_name_is_reported_with_the_address_it_resolved_to() -> None:
    refusal = AddressPolicy().refusal("10.0.0.5", host="intranet.example")
    assert refusal == f"refused: intranet.example resolves to 10.0.0.5, a private address{ADVICE}"


def test_another_spelling_is_reported_with_the_address_it_means() -> None:
    refusal = AddressPolicy().url_refusal("http://0x0a000005:8080/x")
    assert refusal == f"refused: 0x0a000005 is 10.0.0.5, a private address{ADVICE}"


@pytest.mark.parametrize(
    "url", ["https://example.org/a", "http://localhost/a", "http://93.184.216.34/", "not a url"]
)
def test_url_refusal_judges_only_ip_literals(url: str) -> None:
    # Names are judged once resolved, by the crawler.
    assert AddressPolicy().url_refusal(url) is None


def test_allowing_private_addresses_allows_them_all() -> None:
    policy = AddressPolicy(allow_private=True)
    assert policy.refusal("127.0.0.1") is None
    assert policy.url_refusal("http://[::1]:8080/") is None


def test_allowed_networks_open_only_those_addresses() -> None:
    policy = AddressPolicy.from_settings(allow_private=False, networks="10.1.0.0/16, 127.0.0.2")
    assert policy.refusal("10.1.200.3") is None
    assert policy.refusal("::ffff:10.1.200.3") is None
    assert policy.refusal("127.0.0.2") is None
    assert policy.refusal("10.2.0.1") is not None
    assert policy.refusal("127.0.0.1") is not None


def test_a_malformed_network_is_an_error() -> None:
    with pytest.raises(ValueError):
        parse_networks("10.0.0.0/33")
