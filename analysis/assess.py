"""Decide what one capture means for an article: nothing, a new version, a change, a status."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.align import findings
from analysis.availability import FORBIDDEN_IN_A_ROW, vanished
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
    article_status: int | None  # last non-transient HTTP status (200, 404, 410, 451, 403)
    forbidden_streak: int = 0  # 403 answers in a row before this capture


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
    if status_class == "error" and facts.status == 403:
        return _forbidden(state, facts)
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

    if facts.status == 200 and extraction is not None and _soft_not_found(state, extraction):
        return _soft_gone(state, extraction)
    restored = _unavailable(previous)
    # Built directly: a persistent 403 (not gone to compare_status) is restored too.
    status_change = Comparison.build(status=(previous, 200)) if restored else None
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


def _unavailable(status: int | None) -> bool:
    """An article status that says the article is gone (a persistent 403 included)."""
    return status is not None and (classify_status(status) == "gone" or status == 403)


def _forbidden(state: ArticleState, facts: CaptureFacts) -> Assessment:
    """A 403: an error until it persists; then the article counts as gone (a status change)."""
    previous = state.article_status
    in_a_row = state.forbidden_streak + 1
    detail = f"HTTP 403 ({in_a_row} in a row)"
    if in_a_row < FORBIDDEN_IN_A_ROW:
        return Assessment(CaptureOutcome.error, article_status=previous, detail=detail)
    if previous is not None and classify_status(previous) == "ok":
        return Assessment(
            CaptureOutcome.gone,
            comparison=Comparison.build(status=(previous, 403)),
            article_status=403,
            detail=detail,
        )
    status = 403 if previous is None or previous == 403 else previous
    return Assessment(CaptureOutcome.gone, article_status=status, detail=detail)


def _soft_not_found(state: ArticleState, extraction: Extraction) -> bool:
    """A 200 page that says "not found" where the article's text has vanished."""
    if not extraction.not_found:
        return False
    if state.latest is None or extraction.article is None:
        return True
    return vanished(state.latest.text, extraction.article.text)


def _soft_gone(state: ArticleState, extraction: Extraction) -> Assessment:
    previous = state.article_status
    detail = f"soft 404: the page says “{extraction.not_found}” (HTTP 200)"
    if state.latest is not None and (previous is None or classify_status(previous) == "ok"):
        return Assessment(
            CaptureOutcome.gone,
            comparison=compare_status(previous or 200, 404),
            article_status=404,
            detail=detail,
        )
    return Assessment(
        CaptureOutcome.gone,
        article_status=previous if _unavailable(previous) else 404,
        detail=detail,
    )


def _http(facts: CaptureFacts) -> str:
    return f"HTTP {facts.status}" if facts.status is not None else "no response"
