"""The SSRF guard in Scrapy: refuse to connect to addresses the policy refuses.

Two parts, because a host name says nothing about where it leads until it is resolved:

- `GuardedResolver` (the `TWISTED_DNS_RESOLVER`) drops every resolved address the policy
  refuses before Twisted connects. Every connection of the crawl (article requests, each redirect
  hop, robots.txt) asks it, IP literals included, so the check is on the address actually
  connected to, and a name that resolves to a private address is refused like the address.
  It resolves IPv4 and IPv6 (Scrapy's default resolver is IPv4-only: `http://[::1]/` failed).
- `AddressGuardMiddleware` names the refusal: it refuses IP-literal hosts (any spelling)
  before anything is sent, and turns the DNS failure the resolver causes for a refused name
  into `AddressRefused` with the policy's message. `AddressRefused` is an `IgnoreRequest`, so
  it is not retried, and the spider records its message on the capture.

With an HTTP proxy (`http_proxy`) the proxy resolves names; IP literals are still refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.resolver import CachingHostnameResolver
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import (
    IAddress,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import provider

from analysis.addresses import ALLOW_SETTING, NETWORKS_SETTING, AddressPolicy


class AddressRefused(IgnoreRequest):
    """A request for an address the policy refuses; the message says which and why."""


# Host name -> the refusal of its addresses, filled by the resolver for the middleware
# (one crawl per process: crawler/run.py starts a subprocess per batch).
_refused_hosts: dict[str, str] = {}


def policy_from(settings: BaseSettings) -> AddressPolicy:
    """The address policy from the Scrapy settings (crawler/settings.py copies them)."""
    return AddressPolicy.from_settings(
        allow_private=settings.getbool(ALLOW_SETTING),
        networks=settings.get(NETWORKS_SETTING) or "",
    )


class GuardedResolver(CachingHostnameResolver):
    """Scrapy's caching IPv4+IPv6 resolver, passing on only the addresses the policy allows."""

    def __init__(self, reactor: Any, cache_size: int, policy: AddressPolicy) -> None:
        super().__init__(reactor, cache_size)
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        """Built by Scrapy when it installs the reactor (`crawler` is the CrawlerProcess)."""
        settings = crawler.settings
        size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, size, policy_from(settings))

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        """Resolve as Scrapy does; refused addresses never reach the receiver."""
        receiver = _AllowedOnly(resolutionReceiver, hostName, self.policy)
        return super().resolveHostName(
            receiver, hostName, portNumber, addressTypes, transportSemantics
        )


@provider(IResolutionReceiver)
class _AllowedOnly:
    def __init__(self, receiver: IResolutionReceiver, host: str, policy: AddressPolicy) -> None:
        self.receiver, self.host, self.policy = receiver, host, policy

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        refusal = self.policy.refusal(address.host, host=self.host)  # type: ignore[attr-defined]
        if refusal is None:
            self.receiver.addressResolved(address)
        else:
            _refused_hosts.setdefault(_key(self.host), refusal)

    def resolutionComplete(self) -> None:
        self.receiver.resolutionComplete()


class AddressGuardMiddleware:
    """Refuse IP-literal hosts the policy refuses; name the refusal of resolved ones."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Built from CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES and CLAIMWATCH_ALLOWED_NETWORKS."""
        return cls(policy_from(crawler.settings))

    def process_request(self, request: Request) -> None:
        """Raise AddressRefused for a refused IP literal (decimal, hex, octal, IPv6, mapped)."""
        refusal = self.policy.url_refusal(request.url)
        if refusal is not None:
            raise AddressRefused(refusal)

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A lookup that failed because every address was refused becomes AddressRefused."""
        if isinstance(exception, (CannotResolveHostError, DNSLookupError)):
            refusal = _refused_hosts.get(_key(urlparse_cached(request).hostname or ""))
            if refusal is not None:
                raise AddressRefused(refusal)


def _key(host: str) -> str:
    # Twisted hands the resolver an IDN host in Unicode; the request URL has it in punycode.
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host.lower()
