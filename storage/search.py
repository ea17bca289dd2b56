"""Full-text search over claims and article text, across every version in the archive.

One function, two engines: SQLite FTS5 tables (claim_fts, version_fts, kept current by the
triggers of migration `webui`) and PostgreSQL full-text search (GIN indexes on the stored
to_tsvector columns below). Both match every word of the query, stemmed (English), or the
exact phrase when the query is in double quotes. Results group the matching claims by article
and wording, and the matching versions by article, with the version numbers that held the
text and whether the latest version still does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, text
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from storage.models import ClaimRecord, Source, Version

# The stored to_tsvector columns of migration `query_speed` (GIN-indexed): a row checked
# one by one is read, not parsed and stemmed again.
PG_CLAIM = "claim.search_vector"
PG_VERSION = "version.search_vector"
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12
SNIPPET_WORDS = 14


@dataclass(frozen=True)
class Query:
    """A parsed search: its words and whether they form one phrase."""

    terms: tuple[str, ...]
    phrase: bool

    @classmethod
    def parse(cls, raw: str) -> Query:
        """Words of the query (at most 12); a query in double quotes is a phrase."""
        stripped = raw.strip()
        phrase = len(stripped) > 1 and stripped.startswith('"') and stripped.endswith('"')
        terms = tuple(t.casefold() for t in _WORD.findall(stripped))[:MAX_TERMS]
        return cls(terms=terms, phrase=phrase and len(terms) > 1)

    def fts5(self) -> str:
        """The FTS5 MATCH expression: every term quoted, so no user text is FTS syntax."""
        if self.phrase:
            return '"' + " ".join(self.terms) + '"'
        return " ".join(f'"{t}"' for t in self.terms)

    def text(self) -> str:
        """The words for PostgreSQL's plainto_tsquery / phraseto_tsquery."""
        return " ".join(self.terms)


@dataclass
class ClaimHit:
    """A claim wording found in an article, and the versions that made it."""

    source_id: int
    url: str
    title: str
    text: str
    certainty: str
    versions: list[int]
    latest_version: int
    article_status: int | None
    segments: list[tuple[bool, str]] = field(default_factory=list)  # (matched?, text)

    @property
    def still_holds(self) -> bool:
        """True when the latest version still makes this claim."""
        return self.latest_version in self.versions


@dataclass
class TextHit:
    """An article whose text matched: its newest matching version (with a snippet of it) and
    whether its latest version still contains the text."""

    source_id: int
    url: str
    title: str
    newest_match: int  # version number
    latest_version: int
    still_holds: bool
    article_status: int | None
    segments: list[tuple[bool, str]] = field(default_factory=list)


@dataclass
class SearchResults:
    """Both kinds of hit for one query; `more_*` when the page was full."""

    query: Query
    claims: list[ClaimHit]
    texts: list[TextHit]
    more_claims: bool = False
    more_texts: bool = False


def search(db: Session, *, query: str, limit: int = 20, offset: int = 0) -> SearchResults:
    """Claims and article texts matching `query` across every version, the most recently
    matched first, each with the exact list of versions that held it."""
    parsed = Query.parse(query)
    if not parsed.terms:
        return SearchResults(parsed, [], [])
    postgres = db.get_bind().dialect.name == "postgresql"
    if postgres:
        # psycopg prepares a statement run five times; PostgreSQL then tries a generic plan,
        # which cannot know how common the words are and reads the wrong index (a phrase
        # search: ~0.3 s with its own plan, ~2 s with the generic one). Until commit.
        db.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    wanted = offset + limit + 1
    claim_groups = _claim_groups(db, parsed, postgres=postgres, wanted=wanted)[offset:]
    text_groups = _text_groups(db, parsed, postgres=postgres, wanted=wanted)[offset:]
    more_claims, more_texts = len(claim_groups) > limit, len(text_groups) > limit
    claim_groups, text_groups = claim_groups[:limit], text_groups[:limit]
    claim_versions = _claim_versions(db, claim_groups)
    articles = _articles(db, {g[0] for g in claim_groups} | {sid for sid, _ in text_groups})
    holding = _matching_versions(
        db, parsed, [articles[sid]["latest_id"] for sid, _ in text_groups], postgres=postgres
    )
    numbers = _version_numbers(db, [newest for _, newest in text_groups])
    claims = [
        ClaimHit(
            source_id=sid,
            url=articles[sid]["url"],
            title=articles[sid]["title"],
            text=claim_text,
            certainty=certainty,
            versions=claim_versions.get((sid, normalized), []),
            latest_version=articles[sid]["latest"],
            article_status=articles[sid]["status"],
            segments=highlight(claim_text, parsed),
        )
        for sid, normalized, claim_text, certainty in claim_groups
    ]
    snippets = _snippets(db, [newest for _, newest in text_groups], parsed)
    texts = [
        TextHit(
            source_id=sid,
            url=articles[sid]["url"],
            title=articles[sid]["title"],
            newest_match=numbers.get(newest, 0),
            latest_version=articles[sid]["latest"],
            still_holds=articles[sid]["latest_id"] in holding,
            article_status=articles[sid]["status"],
            segments=snippets.get(newest, []),
        )
        for sid, newest in text_groups
    ]
    return SearchResults(parsed, claims, texts, more_claims, more_texts)


FIRST_WINDOW = 1000


def _window(
    q: Query, *, table: str, postgres: bool, before: int | None
) -> tuple[str, dict[str, Any]]:
    """SQL for the ids of the newest matches below `before` (at most :window), and its params."""
    bound = "" if before is None else (" AND id < :before" if postgres else " AND rowid < :before")
    if postgres:
        vector = PG_CLAIM if table == "claim" else PG_VERSION
        sql = (
            f"SELECT id FROM {table} WHERE {vector} @@ {_pg_tsquery(q)}{bound} "
            "ORDER BY id DESC LIMIT :window"
        )
        params: dict[str, Any] = {"q": q.text()}
    else:
        sql = (
            f"SELECT rowid AS id FROM {table}_fts WHERE {table}_fts MATCH :q{bound} "
            "ORDER BY rowid DESC LIMIT :window"
        )
        params = {"q": q.fts5()}
    if before is not None:
        params["before"] = before
    return sql, params


def _claim_groups(
    db: Session, q: Query, *, postgres: bool, wanted: int
) -> list[tuple[int, str, str, str]]:
    """(source id, normalized, newest wording, its certainty) per claim, newest first.

    Matches are read newest first a window at a time (each window four times the last), so a
    page costs as many matches as it takes to find its groups, not every match of a common word.
    """
    groups: dict[tuple[int, str], tuple[str, str]] = {}
    before, window = None, FIRST_WINDOW
    while len(groups) < wanted:
        matches, params = _window(q, table="claim", postgres=postgres, before=before)
        rows = db.execute(
            text(
                "SELECT claim.id, version.source_id, claim.normalized, claim.text, "
                f"claim.certainty FROM ({matches}) AS m JOIN claim ON claim.id = m.id "
                "JOIN version ON version.id = claim.version_id ORDER BY claim.id DESC"
            ),
            {**params, "window": window},
        ).all()
        for _, sid, normalized, claim_text, certainty in rows:
            groups.setdefault((sid, normalized), (claim_text, certainty))
        if len(rows) < window:
            break
        before, window = rows[-1][0], window * 4
    return [(sid, norm, t, c) for (sid, norm), (t, c) in list(groups.items())[:wanted]]


def _claim_versions(
    db: Session, groups: list[tuple[int, str, str, str]]
) -> dict[tuple[int, str], list[int]]:
    """Every version number that made each claim (by its normalized wording)."""
    if not groups:
        return {}
    keys = {(sid, norm) for sid, norm, _, _ in groups}
    found: dict[tuple[int, str], set[int]] = {key: set() for key in keys}
    rows = db.execute(
        columns(col(Version.source_id), col(ClaimRecord.normalized), col(Version.number))
        .join(Version, col(Version.id) == col(ClaimRecord.version_id))
        .where(
            col(Version.source_id).in_({sid for sid, _ in keys}),
            col(ClaimRecord.normalized).in_({norm for _, norm in keys}),
        )
    )
    for sid, norm, number in rows:
        if (sid, norm) in found:
            found[(sid, norm)].add(number)
    return {key: sorted(numbers) for key, numbers in found.items()}


def _text_groups(db: Session, q: Query, *, postgres: bool, wanted: int) -> list[tuple[int, int]]:
    """(source id, newest matching version id) per article, newest first (windows as above)."""
    groups: dict[int, int] = {}
    before, window = None, FIRST_WINDOW
    while len(groups) < wanted:
        matches, params = _window(q, table="version", postgres=postgres, before=before)
        rows = db.execute(
            text(
                f"SELECT version.id, version.source_id FROM ({matches}) AS m "
                "JOIN version ON version.id = m.id ORDER BY version.id DESC"
            ),
            {**params, "window": window},
        ).all()
        for vid, sid in rows:
            groups.setdefault(sid, vid)
        if len(rows) < window:
            break
        before, window = rows[-1][0], window * 4
    return list(groups.items())[:wanted]


def _matching_versions(
    db: Session, q: Query, version_ids: list[int], *, postgres: bool
) -> set[int]:
    """Which of these versions match the query (one indexed probe each)."""
    if not version_ids:
        return set()
    query = columns(col(Version.id)).where(col(Version.id).in_(version_ids))
    if postgres:
        query = query.where(text(f"{PG_VERSION} @@ {_pg_tsquery(q)}").bindparams(q=q.text()))
    else:
        query = query.where(
            text(
                "EXISTS (SELECT 1 FROM version_fts WHERE version_fts MATCH :q "
                "AND version_fts.rowid = version.id)"
            ).bindparams(q=q.fts5())
        )
    return {vid for (vid,) in db.execute(query)}


def _version_numbers(db: Session, version_ids: list[int]) -> dict[int, int]:
    if not version_ids:
        return {}
    query = columns(col(Version.id), col(Version.number)).where(col(Version.id).in_(version_ids))
    return {vid: number for vid, number in db.execute(query)}


def _pg_tsquery(q: Query) -> str:
    function = "phraseto_tsquery" if q.phrase else "plainto_tsquery"
    return f"{function}('english'::regconfig, :q)"


def _articles(db: Session, source_ids: set[int]) -> dict[int, dict[str, Any]]:
    if not source_ids:
        return {}
    latest: dict[int, int] = {
        sid: number
        for sid, number in db.execute(
            columns(col(Version.source_id), func.max(col(Version.number)))
            .where(col(Version.source_id).in_(source_ids))
            .group_by(col(Version.source_id))
        )
    }
    # Only each article's latest version, by (source_id, number): its unique index.
    wanted = [
        and_(col(Version.source_id) == sid, col(Version.number) == n) for sid, n in latest.items()
    ]
    titles: dict[int, tuple[int, str]] = (
        {
            sid: (vid, title)
            for vid, sid, title in db.execute(
                columns(col(Version.id), col(Version.source_id), col(Version.title)).where(
                    or_(*wanted)
                )
            )
        }
        if wanted
        else {}
    )
    found = {}
    for source in db.exec(select(Source).where(col(Source.id).in_(source_ids))):
        assert source.id is not None
        found[source.id] = {
            "url": source.normalized_url,
            "title": titles.get(source.id, (0, ""))[1],
            "latest_id": titles.get(source.id, (0, ""))[0],
            "latest": latest.get(source.id, 0),
            "status": source.article_status,
        }
    return found


def _snippets(db: Session, version_ids: list[int], q: Query) -> dict[int, list[tuple[bool, str]]]:
    if not version_ids:
        return {}
    rows = db.execute(
        columns(col(Version.id), col(Version.text)).where(col(Version.id).in_(version_ids))
    )
    return {vid: snippet(body, q) for vid, body in rows}


def _matcher(q: Query) -> re.Pattern[str]:
    # Stems match by prefix ("lower" finds "lowers", "lowered"): close to what both engines do.
    stems = sorted({t[: max(4, len(t) - 2)] for t in q.terms}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.I)


def highlight(body: str, q: Query) -> list[tuple[bool, str]]:
    """`body` cut into (matched?, text) segments around the query's words."""
    if not q.terms:
        return [(False, body)]
    segments: list[tuple[bool, str]] = []
    last = 0
    for m in _matcher(q).finditer(body):
        if m.start() > last:
            segments.append((False, body[last : m.start()]))
        segments.append((True, m.group()))
        last = m.end()
    if last < len(body):
        segments.append((False, body[last:]))
    return segments


def snippet(body: str, q: Query, words: int = SNIPPET_WORDS) -> list[tuple[bool, str]]:
    """A few words either side of the first match in `body`, as highlight() segments."""
    m = _matcher(q).search(body) if q.terms else None
    if m is None:
        return highlight(" ".join(body.split()[: 2 * words]) + " …", q)
    before = body[: m.start()].split()[-words:]
    after = body[m.start() :].split()[: words + 1]
    prefix = "… " if len(before) < len(body[: m.start()].split()) else ""
    suffix = " …" if len(after) < len(body[m.start() :].split()) else ""
    return highlight(prefix + " ".join([*before, *after]) + suffix, q)
