"""Decide what one capture means for an article: nothing, a new version, a change, a status."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.align import findings
from analysis.claims import Claim
from analysis.compare import Comparison, classify_status, compare_articles, compare_status
from analysis.document import Article, Extraction
from analysis.references import Reference
from analysis.vocabulary import CaptureOutcome


@dataclass(frozen=True)
class ArticleState:
    """What is known of an article before this capture."""

    latest: Article | None  # latest version, None before the first one
    latest_payload_sha256: str | None  # payload of the capture that made the latest version
    article_status: int | None  # last non-transient HTTP status (200, 404, 410)


@dataclass(frozen=True)
class CaptureFacts:
    """The fetch result of one capture, as stored."""

    status: int | None
    error: str
    payload_sha256: str | None


@dataclass(frozen=True)
class Assessment:
    """The verdict for one capture: its outcome, and what to record."""

    outcome: CaptureOutcome
    new_version: Article | None = None
    comparison: Comparison | None = None  # set when a change must be recorded
    article_status: int | None = None  # the article status after this capture
    detail: str = ""  # one line for reports (the error or the reason)
    claims: tuple[Claim, ...] = ()  # of the new version
    references: tuple[Reference, ...] = ()  # of the new version


def needs_extraction(state: ArticleState, facts: CaptureFacts) -> bool:
    """Whether the capture's payload must be extracted (a payload seen last time need not be)."""
    if facts.status != 200 or facts.error or not facts.payload_sha256:
        return False
    return state.latest is None or facts.payload_sha256 != state.latest_payload_sha256


def assess_capture(
    state: ArticleState, facts: CaptureFacts, extraction: Extraction | None
) -> Assessment:
    """Compare a capture (and its extraction, when one was needed) with the article's state."""
    status_class = classify_status(facts.status, facts.error)
    previous = state.article_status
    if status_class == "transient":
        return Assessment(
            CaptureOutcome.fetch_error, article_status=previous, detail=facts.error or _http(facts)
        )
    if status_class == "error":
        return Assessment(
            CaptureOutcome.error, article_status=previous, detail=facts.error or _http(facts)
        )
    if status_class == "gone":
        if previous is not None and classify_status(previous) == "ok":
            return Assessment(
                CaptureOutcome.gone,
                comparison=compare_status(previous, facts.status),
                article_status=facts.status,
                detail=_http(facts),
            )
        return Assessment(CaptureOutcome.gone, article_status=facts.status, detail=_http(facts))

    restored = previous is not None and classify_status(previous) == "gone"
    status_change = compare_status(previous, 200) if restored else None
    if facts.status == 304 or extraction is None:
        # 304, or the same payload as the latest version: the article is as it was.
        outcome = (
            CaptureOutcome.restored
            if restored
            else (CaptureOutcome.not_modified if facts.status == 304 else CaptureOutcome.unchanged)
        )
        return Assessment(outcome, comparison=status_change, article_status=200)
    if extraction.article is None:
        return Assessment(
            CaptureOutcome.no_article, article_status=previous, detail=extraction.error
        )

    article = extraction.article
    if state.latest is not None and article.content_hash == state.latest.content_hash:
        # New bytes, same article (a rotated ad, a new nonce): no claims, references or diff.
        outcome = CaptureOutcome.restored if restored else CaptureOutcome.unchanged
        return Assessment(outcome, comparison=status_change, article_status=200)
    claims, references = findings(article.blocks)
    if state.latest is None:
        return Assessment(
            CaptureOutcome.first_version,
            new_version=article,
            article_status=200,
            claims=claims,
            references=references,
        )
    comparison = compare_articles(state.latest, article)
    if status_change is not None:
        comparison = comparison.merge(status_change)
    return Assessment(
        CaptureOutcome.new_version,
        new_version=article,
        comparison=comparison,
        article_status=200,
        claims=claims,
        references=references,
    )


def _http(facts: CaptureFacts) -> str:
    return f"HTTP {facts.status}" if facts.status is not None else "no response"
