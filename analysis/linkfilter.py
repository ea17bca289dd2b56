"""Which URLs a followed site lists may be articles: on the site's hosts, allowed by its
include/exclude patterns, and not a navigation page (tag, category, author, pagination), a
feed or a file.

Navigation and file types come from courlan (trafilatura's URL filters); the patterns are
regular expressions searched in the whole URL, as Scrapy's LinkExtractor `allow`/`deny`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# Feeds, comment threads and CMS plumbing: listed on every page, never an article.
_PLUMBING = re.compile(
    r"/(feed|rss|atom)(/[^/]*)?/?$|\.(rss|atom|xml)(\.gz)?$|/comments/|[?&]replytocom="
    r"|/wp-(admin|login|json|content|includes)\b|/xmlrpc\.php|[?&](paged|page)=\d+|/page/\d+/?$",
    re.I,
)
# WordPress shortlinks (?p=123) redirect to a post; courlan counts them as navigation.
_SHORTLINK = re.compile(r"\?p=\d+$")


class BadPattern(ValueError):
    """An --include/--exclude pattern that is not a valid regular expression."""


def compile_patterns(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """The patterns compiled; BadPattern names the first invalid one."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise BadPattern(f"invalid URL pattern {pattern!r}: {exc}") from None
    return tuple(compiled)


def site_hosts(url: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The hosts whose pages belong to a site: its own (with and without www.) and `extra`."""
    hosts = set()
    for host in (urlsplit(url).hostname or "", *extra):
        host = host.strip().lower().rstrip(".")
        if host and (host.replace(".", "").isdigit() or ":" in host):
            hosts.add(host)  # an IP address has no www. twin
        elif host:
            bare = host.removeprefix("www.")
            hosts.update({bare, f"www.{bare}"})
    return frozenset(hosts)


@dataclass(frozen=True)
class LinkRules:
    """A site's rules for which listed URLs are article candidates."""

    hosts: frozenset[str]
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def for_site(
        cls,
        url: str,
        *,
        hosts: Iterable[str] = (),
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
    ) -> LinkRules:
        """The rules of a site at `url` (raises BadPattern for an invalid pattern)."""
        return cls(site_hosts(url, hosts), compile_patterns(include), compile_patterns(exclude))

    def on_site(self, url: str) -> bool:
        """Whether `url` is on one of the site's hosts."""
        try:
            return (urlsplit(url).hostname or "") in self.hosts
        except ValueError:
            return False

    def reject(self, url: str) -> str:
        """Why `url` cannot be one of the site's articles ("" if it can)."""
        # Imported here: courlan takes ~0.35 s to import, and only discovery crawls need it.
        from courlan.filters import extension_filter, is_navigation_page, type_filter

        if not self.on_site(url):
            return "off-site"
        if any(p.search(url) for p in self.exclude):
            return "excluded"
        if self.include and not any(p.search(url) for p in self.include):
            return "not included"
        if not extension_filter(urlsplit(url).path):
            return "not a page"
        if _PLUMBING.search(url):
            return "navigation"
        if _SHORTLINK.search(url):
            return ""
        if is_navigation_page(url) or not type_filter(url, strict=True):
            return "navigation"
        return ""
