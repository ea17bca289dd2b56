"""Reference lists: find them among an article's blocks, parse each entry, link citations.

An entry's `key` identifies the cited work across versions: the strongest identifier present
(doi > pmid > pmcid > arxiv > isbn), else a journal citation (journal|year|volume|first page),
else its URL, else a hash of its normalized text.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from analysis.document import Block

_TITLE = re.compile(
    r"^\s*(?:references?|sources?|citations?|bibliography|footnotes?|notes|works cited|"
    r"literature cited|studies cited|further reading|article sources?)\s*:?\s*$",
    re.IGNORECASE,
)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_PMID = re.compile(
    r"(?:\bPMID:?\s*|pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d{1,9})\b", re.I
)
_PMCID = re.compile(r"\bPMC\s?(\d{4,9})\b", re.IGNORECASE)
_ARXIV = re.compile(r"(?:\barXiv:\s*|arxiv\.org/(?:abs|pdf)/)(\d{4}\.\d{4,5}(?:v\d+)?)", re.I)
_ISBN = re.compile(r"\bISBN(?:-1[03])?:?\s*((?:97[89][\s-]?)?(?:\d[\s-]?){9}[\dXx])")
_URL = re.compile(r"\bhttps?://[^\s<>\"]+|\bwww\.[^\s<>\"]+", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")
_START = r"(?:^|(?<=[.?!])\s+)"
# NLM/Vancouver: "J Neurosci. 2012 Nov 14;32(46):16074-9."  "Adv Exp Med Biol. 1995;395:227-34."
_NLM = re.compile(
    _START + r"(?P<journal>[A-Z][^.;?!]*?)\.\s+(?P<year>(?:1[89]|20)\d{2})"
    r"(?:\s+[A-Z][a-z]{2}(?:[-–][A-Z][a-z]{2})?(?:\s+\d{1,2})?)?\s*;\s*"
    r"(?P<volume>\d+)(?:\s*\([^)]*\))?(?:\s*:\s*(?P<page>[A-Za-z]?\d+))?"
)
# APA: "Journal Name, 12(3), 45–67."  with the year elsewhere as "(2020)".
_APA = re.compile(
    _START + r"(?P<journal>[A-Z][^.;?!]*?),\s*(?P<volume>\d+)(?:\s*\([^)]*\))?,\s*"
    r"(?:pp?\.\s*)?(?P<page>[A-Za-z]?\d+)"
)
# Blog style: "Comprehensive Psychoneuroendocrinology, 2021."  "Nature 2008;451:617"
_JOURNAL_YEAR = re.compile(
    _START + r"(?P<journal>[A-Z][^.;?!]*?),?\s+(?P<year>(?:1[89]|20)\d{2})\b"
    r"(?:\s*[;,]\s*(?P<volume>\d+)(?:\s*\([^)]*\))?(?:\s*[:,]\s*(?:pp?\.\s*)?(?P<page>\w?\d+))?)?"
)
_AUTHOR = re.compile(
    r"^(?P<author>[A-Z][\w'’\-]+(?:\s[A-Z][\w'’\-]+)?,?\s+[A-Z](?:\.?\s?[A-Z]){0,2})\b"
)
_MARKER = re.compile(r"^\s*(?:\[(\d{1,3})\]|(\d{1,3})[.)])\s+")
_NUMBERED = re.compile(r"(?:^|\s)(\d{1,3})\.\s+(?=[A-Z])")
_NONWORD = re.compile(r"[^\w]+")

ID_KINDS = ("doi", "pmid", "pmcid", "arxiv", "isbn", "url")


@dataclass(frozen=True)
class Reference:
    """One entry of a reference list, with the identifiers and citation fields found in it."""

    text: str
    id_pairs: tuple[tuple[str, str], ...] = ()
    journal: str = ""
    year: str = ""
    volume: str = ""
    first_page: str = ""
    first_author: str = ""
    marker: str = ""  # footnote number, explicit ("1. ...") or its position in a numbered list
    key: str = ""
    block_index: int = -1

    @property
    def ids(self) -> dict[str, str]:
        """Identifiers by kind: doi, pmid, pmcid, arxiv, isbn, url."""
        return dict(self.id_pairs)


def parse_reference(text: str, marker: str = "", block_index: int = -1) -> Reference:
    """Parse one reference entry: identifiers, NLM/APA citation fields, first author, key."""
    m = _MARKER.match(text)
    if m:
        marker = marker or m.group(1) or m.group(2)
        text = text[m.end() :]
    text = " ".join(text.split())
    ids = find_ids(text)
    journal, year, volume, page = _citation(text)
    author = _AUTHOR.match(text)
    ref = Reference(
        text=text,
        id_pairs=tuple((k, ids[k]) for k in ID_KINDS if k in ids),
        journal=journal,
        year=year,
        volume=volume,
        first_page=page,
        first_author=_author(author.group("author")) if author else "",
        marker=marker,
        block_index=block_index,
    )
    return replace(ref, key=reference_key(ref))


def find_ids(text: str) -> dict[str, str]:
    """Identifiers in `text`: doi (lower-cased, bare), pmid, pmcid ("PMC…"), arxiv, isbn, url."""
    ids: dict[str, str] = {}
    if m := _DOI.search(text):
        ids["doi"] = _trim(m.group(1)).lower()
    if m := _PMID.search(text):
        ids["pmid"] = m.group(1)
    if m := _PMCID.search(text):
        ids["pmcid"] = "PMC" + m.group(1)
    if m := _ARXIV.search(text):
        ids["arxiv"] = m.group(1)
    if m := _ISBN.search(text):
        ids["isbn"] = re.sub(r"[\s-]", "", m.group(1)).upper()
    for m in _URL.finditer(text):
        url = _trim(m.group(0))
        if "doi.org/" not in url.lower():
            ids["url"] = url
            break
    return ids


def reference_key(ref: Reference) -> str:
    """The identity of the cited work: strongest identifier, citation, URL, or text hash."""
    ids = ref.ids
    for kind in ("doi", "pmid", "pmcid", "arxiv", "isbn"):
        if kind in ids:
            return f"{kind}:{ids[kind]}"
    if ref.journal and ref.year and ref.volume and ref.first_page:
        return f"cite:{ref.journal.lower()}|{ref.year}|{ref.volume}|{ref.first_page}"
    if "url" in ids:
        return f"url:{ids['url']}"
    return "text:" + hashlib.sha1(normalize_reference_text(ref.text).encode()).hexdigest()


def normalize_reference_text(text: str) -> str:
    """Lower-case words of `text`, punctuation dropped: what the text-hash key is made of."""
    return _NONWORD.sub(" ", text.casefold()).strip()


def reference_block_indices(blocks: Sequence[Block]) -> frozenset[int]:
    """Indices of the blocks that belong to reference sections (title, entries, footnote lists)."""
    return frozenset(i for span in _sections(blocks) for i in span)


def find_references(blocks: Sequence[Block]) -> tuple[Reference, ...]:
    """Find the reference sections among `blocks` and parse their entries, in reading order."""
    refs: list[Reference] = []
    for span in _sections(blocks):
        position = 0
        for i in span:
            block = blocks[i]
            if _TITLE.match(block.text):
                continue
            for entry in _entries(block.text):
                if not looks_like_citation(entry):
                    continue
                position += 1
                implicit = str(position) if block.kind in ("item", "paragraph") else ""
                refs.append(parse_reference(entry, "" if _MARKER.match(entry) else implicit, i))
    return tuple(refs)


def looks_like_citation(text: str) -> bool:
    """True for text that reads as a bibliographic entry (identifier, URL, year, et al.)."""
    if find_ids(text):
        return True
    words = len(text.split())
    return words >= 2 and (bool(_YEAR.search(text)) or " et al" in text)


def _strong_citation(text: str) -> bool:
    ids = find_ids(text)
    if set(ids) - {"url"} or _NLM.search(text):
        return True
    return bool(_YEAR.search(text)) and (" et al" in text or bool(_AUTHOR.match(text)))


def _sections(blocks: Sequence[Block]) -> list[range]:
    spans: list[range] = []
    i, n = 0, len(blocks)
    while i < n:
        block = blocks[i]
        if _TITLE.match(block.text) and block.kind in ("heading", "paragraph"):
            end = i + 1
            while end < n and not _ends_section(block, blocks[end]):
                end += 1
            spans.append(range(i, end))
            i = end
            continue
        if block.kind == "item" and block.list_kind == "ol":
            end = i
            while end < n and blocks[end].kind == "item" and blocks[end].list_kind == "ol":
                end += 1
            run = [blocks[j].text for j in range(i, end)]
            if sum(_strong_citation(t) for t in run) >= 0.6 * len(run):
                spans.append(range(i, end))
            i = end
            continue
        i += 1
    return spans


def _ends_section(title: Block, block: Block) -> bool:
    if block.kind != "heading":
        return False
    if title.kind == "paragraph" or not title.level or not block.level:
        return True
    return block.level <= title.level


def _entries(text: str) -> list[str]:
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    out: list[str] = []
    for line in lines:
        starts = [m for m in _NUMBERED.finditer(line)]
        numbers = [int(m.group(1)) for m in starts]
        # "1. A… 2. B… 3. C…" run together in one paragraph: split where the numbering continues.
        if len(starts) > 1 and numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            cuts = [m.start(1) for m in starts] + [len(line)]
            out.extend(line[a:b].strip() for a, b in itertools.pairwise(cuts))
        else:
            out.append(line)
    return out


def _author(raw: str) -> str:
    surname, _, initials = raw.replace(",", " ").partition(" ")
    return (surname + " " + re.sub(r"[.\s]", "", initials)).strip()


def _trim(s: str) -> str:
    s = s.rstrip(".,;:")
    while s.endswith(")") and s.count(")") > s.count("("):
        s = s[:-1].rstrip(".,;:")
    while s.endswith("]") and s.count("]") > s.count("["):
        s = s[:-1].rstrip(".,;:")
    return s


def _citation(text: str) -> tuple[str, str, str, str]:
    for pattern in (_NLM, _APA, _JOURNAL_YEAR):
        m = pattern.search(text)
        if not m:
            continue
        groups = m.groupdict()
        year = groups.get("year") or ""
        if not year and (y := re.search(r"\((1[89]\d{2}|20\d{2})[a-z]?\)", text)):
            year = y.group(1)
        journal = " ".join(groups["journal"].split())
        if _AUTHOR.fullmatch(journal) or journal.lower().startswith(("http", "www")):
            continue
        return journal, year, groups.get("volume") or "", groups.get("page") or ""
    return "", "", "", ""
