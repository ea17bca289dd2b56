"""The shared vocabularies of claimwatch, defined once: every layer (analysis, storage, the
service, the CLI's options and the API's schemas) uses these enums.

They are `StrEnum`s, so a member *is* its string: stored in the database, written to JSON and
compared with plain strings exactly as the strings were before the enums existed.
"""

from __future__ import annotations

from enum import StrEnum


class ChangeKind(StrEnum):
    """What a recorded change is about."""

    text = "text"
    claims = "claims"
    references = "references"
    metadata = "metadata"
    status = "status"
    new_article = "new_article"  # a site's discovery found an article published after set-up


class Severity(StrEnum):
    """How much a change matters to an analyst (major: claims, references or status)."""

    minor = "minor"
    major = "major"

    @property
    def rank(self) -> int:
        """Order for "at least this severe" filters."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.minor: 0, Severity.major: 1}


class CaptureOutcome(StrEnum):
    """What analysis made of one capture."""

    first_version = "first_version"
    new_version = "new_version"
    unchanged = "unchanged"
    not_modified = "not_modified"
    gone = "gone"
    restored = "restored"
    fetch_error = "fetch_error"  # transient: timeouts, 5xx, 429, connection errors
    error = "error"  # a permanent HTTP error other than 404/410
    no_article = "no_article"
    archive_error = "archive_error"  # the capture's WARC record is missing or corrupt


class AlertState(StrEnum):
    """Where an alert is in the outbox."""

    pending = "pending"
    sending = "sending"  # leased by a sender
    sent = "sent"
    failed = "failed"  # attempts exhausted
    cancelled = "cancelled"  # its channel was removed


class AttemptOutcome(StrEnum):
    """How one delivery attempt ended."""

    sending = "sending"
    sent = "sent"
    error = "error"
    interrupted = "interrupted"


class DigestMode(StrEnum):
    """How a channel groups its alerts ("" on a channel: one message per changed article)."""

    daily = "daily"


class IdentifierKind(StrEnum):
    """Identifiers a reference can carry (columns of the reference table)."""

    doi = "doi"
    pmid = "pmid"
    pmcid = "pmcid"
    arxiv = "arxiv"
    isbn = "isbn"
    url = "url"


class Certainty(StrEnum):
    """How strongly a claim is stated."""

    hedged = "hedged"
    assertive = "assertive"


class ClaimType(StrEnum):
    """What kind of relationship a claim states (docs/claims.md, "Types")."""

    effect = "effect"
    association = "association"
    safety = "safety"
    dosage = "dosage"
    comparison = "comparison"


class ClaimChangeKind(StrEnum):
    """How a claim present in both versions changed."""

    reworded = "reworded"
    weakened = "weakened"
    strengthened = "strengthened"
    negated = "negated"  # a negation added or removed
    reversed = "reversed"  # the direction of the effect flipped
    citations = "citations"  # only the footnotes it cites changed


class SiteKind(StrEnum):
    """What a followed site was registered as (`claimwatch track --site/--feed/--sitemap`)."""

    site = "site"  # a home or index page: its feeds, sitemaps and pagination are found
    feed = "feed"
    sitemap = "sitemap"


class EndpointKind(StrEnum):
    """A discovery endpoint: a document that lists a site's articles."""

    robots = "robots"
    feed = "feed"
    sitemap = "sitemap"
    index_page = "index"  # an HTML index page (home, pagination, category)


class LinkVerdict(StrEnum):
    """What a URL listed by a site turned out to be when discovery fetched it."""

    article = "article"  # tracked (or a variant of a tracked article's URL)
    not_article = "not_article"  # an index page, not HTML, ...: never tracked
    moved = "moved"  # an article's former URL (301/308 or a new canonical)
