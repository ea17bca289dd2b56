"""Health claims: sentences saying that a substance, behaviour or treatment affects body or mind.

A transparent rule set over the lexicon in analysis/claim_lexicon.py. A sentence is a claim when
it has an effect predicate ("lowers", "helps prevent", "plays a role in", "is necessary for",
"associated with", "released with a warm hug"...) and names a health term or has a pronoun subject
("It activates cardiac stem cells"), and is not a question, a heading, a fragment, an imperative,
a plan ("plans to examine"), an admitted unknown ("it is not yet known when"), or part of a
reference section. Effects inside an if/whether clause do not count, and a predicate counts only
when its own clause names a health outcome ("lowers cortisol") or a person ("heals you"): "The FDA
regulates dietary supplements" names an agent and no outcome, so it is no claim.

Beyond the seed pages (issue 11) the rules also read association wording ("risk factor for",
"positively associated with"), causal phrases ("a leading cause of"), safety ("completely safe",
"side effects"), dosage advice ("Take 4,000 IU a day") and efficacy comparisons ("works better
than"), and reject sentences about research rather than health: aims, methods, calls for more
research, admitted unknowns, trends over time. Each claim carries its ClaimType; the labelling
guideline is docs/claims.md.

Since round 3 (docs/claims.md §7) a small logistic regression (analysis/claim_model.py, weights in
analysis/claim_model.json) reads each sentence after the rules, from its words, its shape
(analysis/claim_shape.py) and the predicates the rules found: it may drop a rule claim it finds
unlikely, or add a sentence the rules rejected only for want of a predicate, outcome or agent.
`rule_features` is the rules alone; `claim_features` is what ships. Since round 4 (§8) the model
also reads the meanings of the words (static word vectors folded into one score per word), and a
headline left in running text or a "Myth:" statement is no claim.

Certainty is an ordinal score: each hedge (may, could, suggests, in mice, linked to...) takes one
away, each booster (proven, clinically, literally, shown to...) adds one, clamped to -2..+2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from analysis import claim_lexicon as lx
from analysis import claim_model
from analysis.document import Block
from analysis.references import Reference, reference_block_indices
from analysis.sentences import Sentence, split_sentences
from analysis.vocabulary import ClaimType

Certainty = Literal["hedged", "assertive"]
Direction = Literal["increase", "decrease", ""]
_WORD = re.compile(r"[\w']+")
_CHANGE_WORDS = lx.words(
    "increased decreased declined rose fell dropped doubled tripled halved grew rises falls "
    "drops declines increases decreases slowing leveling levelling"
)


_NORMALIZE = re.compile(r"[^\w\s]+")
_COPULA_SECOND = re.compile(r"\w+ (?:is|are|was)\b")  # "Walk is ...": not an imperative


@dataclass(frozen=True)
class Claim:
    """One health claim sentence of an article."""

    text: str
    normalized: str  # lower-case words only: what versions are aligned on
    section: tuple[str, ...] = ()
    certainty: Certainty = "assertive"
    certainty_score: int = 0  # -2 strongly hedged .. +2 boosted
    negated: bool = False
    direction: Direction = ""
    cites: tuple[str, ...] = ()  # footnote markers as rendered: "1", "3–5"
    block_index: int = -1
    # (marker label, reference key) for each cited label that resolved, once linked
    references: tuple[tuple[str, str], ...] = ()
    type: ClaimType = ClaimType.effect

    @property
    def reference_keys(self) -> tuple[str, ...]:
        """Keys of the references this claim cites, in citation order, without repeats."""
        return tuple(dict.fromkeys(key for _, key in self.references))


@dataclass(frozen=True)
class ClaimFeatures:
    """What the rules found in one sentence, and why."""

    is_claim: bool
    reason: str  # the rule that decided: "effect:role", "question", "no effect", ...
    certainty_score: int = 0
    negated: bool = False
    direction: Direction = ""
    type: ClaimType = ClaimType.effect


def normalize_claim(text: str) -> str:
    """Lower-case `text`, drop punctuation and fold whitespace."""
    return " ".join(_NORMALIZE.sub(" ", text.casefold().replace("'", "").replace("’", "")).split())


def find_claims(
    blocks: Sequence[Block], references: Sequence[Reference] | None = None
) -> tuple[Claim, ...]:
    """Find the health claims in `blocks`; link their citations when `references` are given."""
    skip = reference_block_indices(blocks)
    claims: list[Claim] = []
    for i, block in enumerate(blocks):
        if i in skip or block.kind in ("heading", "code"):
            continue
        for sentence in _sentences(block.text, block.markers):
            f = claim_features(sentence.text)
            if not f.is_claim:
                continue
            claims.append(
                Claim(
                    text=sentence.text,
                    normalized=normalize_claim(sentence.text),
                    section=block.section,
                    certainty="hedged" if f.certainty_score < 0 else "assertive",
                    certainty_score=f.certainty_score,
                    negated=f.negated,
                    direction=f.direction,
                    cites=sentence.markers,
                    block_index=i,
                    type=f.type,
                )
            )
    if references is not None:
        return link_citations(claims, references)
    return tuple(claims)


# Most blocks of a new version are the old version's blocks: split each text once.
@lru_cache(maxsize=4096)
def _sentences(text: str, markers: tuple[str, ...]) -> tuple[Sentence, ...]:
    return split_sentences(text, markers)


def link_citations(claims: Iterable[Claim], references: Sequence[Reference]) -> tuple[Claim, ...]:
    """Resolve each claim's markers ("1", "3–5", "[2]") to the keys of the references cited."""
    by_marker: dict[str, str] = {}
    for ref in references:
        by_marker.setdefault(ref.marker, ref.key)
    out = []
    for claim in claims:
        labels = dict.fromkeys(label for c in claim.cites for label in expand_marker(c))
        pairs = tuple((label, by_marker[label]) for label in labels if label in by_marker)
        out.append(claim if pairs == claim.references else replace(claim, references=pairs))
    return tuple(out)


def expand_marker(marker: str) -> tuple[str, ...]:
    """Expand a rendered marker into labels: "3–5" → 3, 4, 5; "[1]" → 1; "2,4" → 2, 4."""
    labels: list[str] = []
    for part in re.split(r"\s*,\s*", marker.strip().strip("[]()")):
        m = re.fullmatch(r"(\d+)\s*[–—-]\s*(\d+)", part)
        if m and 0 < int(m.group(2)) - int(m.group(1)) <= 50:
            labels.extend(str(n) for n in range(int(m.group(1)), int(m.group(2)) + 1))
        elif part:
            labels.append(part)
    return tuple(labels)


# Two versions of a page share most sentences: each is read once.
@lru_cache(maxsize=8192)
def claim_features(sentence: str) -> ClaimFeatures:
    """Decide whether one sentence (markers detached) is a health claim, and how certain.

    The rules read the sentence first; the shipped model (analysis/claim_model.py) reads its
    words, its shape and the predicates the rules found. A rule claim stands unless the model
    finds it unlikely (below "keep"); a sentence the rules reject becomes a claim when the model
    is confident (at or above "add"). Type, certainty, polarity and direction come from the rules
    (read without their outcome filters for a sentence only the model accepts).
    """
    rules = rule_features(sentence)
    if not claim_model.available() or not (rules.is_claim or rules.reason in MODEL_MAY_ADD):
        return rules  # a structural rejection stands whatever the model says: no need to ask it
    evidence = rule_evidence(sentence)
    if rules.is_claim and claim_model.at_least(sentence, evidence, claim_model.setting("keep")):
        return rules
    if claim_model.at_least(sentence, evidence, claim_model.setting("add")):
        found = rules if rules.is_claim else _relaxed_features(_lower(sentence))
        return replace(found, is_claim=True, reason="model: " + found.reason)
    if not rules.is_claim:
        return rules
    return replace(rules, is_claim=False, reason="model: no claim")


# The rules' rejections the model may overrule: a missing predicate, outcome or agent (word lists
# are never complete). Questions, research narration, unknowns, aims, trends and the like stay no
# claims whatever the words around them.
MODEL_MAY_ADD = frozenset({"no effect", "no outcome", "no agent or health term"})


def rule_evidence(sentence: str) -> list[str]:
    """The kinds of effect predicate the rules find in a sentence, as features for the model.

    Only what the rules see, not what they decide: the rules were written on the development
    documents, so their decisions there are in-sample and a model trained on them would trust
    them more than they deserve on new text (bench/train_claim_model.py).
    """
    return [f"effect:{kind}" for kind in sorted({e[3] for e in _effects(_lower(sentence))})]


def _lower(sentence: str) -> str:
    return sentence.strip().replace("’", "'").replace("‘", "'").lower()


def _relaxed_features(text: str) -> ClaimFeatures:
    """Type, certainty and polarity of a sentence the model calls a claim and the rules do not."""
    effects = _effects(text)
    if lx.DOSE.search(text) or lx.DOSE_FREQUENCY.search(text):
        effects.append((0, 0, "", "dosage"))
    kinds = {kind for *_, kind in effects}
    first = min(effects) if effects else (0, 0, "", "")
    score = _certainty(text, first[0], first[1])
    if lx.GROUP_RISK.search(text) and not lx.ASSOCIATION_HEDGE.search(text):
        score -= 1
    direction = next((d for _, _, d, _ in sorted(effects) if d), "")
    return ClaimFeatures(
        True,
        "effect:" + (first[3] or "shape"),
        certainty_score=max(-2, score),
        negated=_negated(text, first[0]),
        direction=direction,  # type: ignore[arg-type]
        type=claim_type(text, kinds),
    )


@lru_cache(maxsize=8192)
def rule_features(sentence: str) -> ClaimFeatures:
    """The rules alone: whether one sentence is a health claim, and how certain."""
    text = _lower(sentence)
    words = _WORD.findall(text)
    if text.endswith("?"):
        return ClaimFeatures(False, "question")
    if len(words) < 2:
        return ClaimFeatures(False, "fragment")
    if _title_case(sentence):
        return ClaimFeatures(False, "heading")  # a headline left in running text: never a claim
    if text.startswith(_REFUTED):
        return ClaimFeatures(False, "myth")  # "Myth: kava is effective for insomnia."
    # An amount needs a digit, a frequency a day or a week: most sentences skip both patterns.
    dosage = bool(_DIGIT.search(text) and lx.DOSE.search(text) and lx.DOSE_ADVICE.search(text))
    dosage = dosage or bool(_holds(text, _FREQUENCY_NEEDLES) and lx.DOSE_FREQUENCY.search(text))
    if words[0] in lx.IMPERATIVES and not dosage and not _COPULA_SECOND.match(text):
        return ClaimFeatures(False, "imperative")
    if lx.INTENT.search(text):
        return ClaimFeatures(False, "intent")
    if _holds(text, _UNKNOWN_NEEDLES) and lx.UNKNOWN.search(text):
        return ClaimFeatures(False, "unknown")
    effects = _effects(text)
    if dosage:
        effects.append((0, len(words[0]), "", "dosage"))
    if not effects:
        return ClaimFeatures(False, "no effect")
    # Only sentences with a predicate pay for these (most sentences have none).
    for pattern, reason, needles in _NOT_CLAIMS:
        if (not needles or _holds(text, needles)) and pattern.search(text):
            return ClaimFeatures(False, reason)
    if lx.TREND.search(text) and lx.YEAR.search(text):
        effects = [e for e in effects if not _is_change(text, e)]
        if not effects:
            return ClaimFeatures(False, "trend")
    # A list item that opens with an effect verb ("Boosts circulation") has the list's topic as
    # its subject, like a pronoun.
    first = min(effects)
    subjectless = first[0] == 0 and first[3] in ("verb", "dosage")
    kinds = {kind for *_, kind in effects}
    # A harm is a health outcome in itself ("can be harmful or even kill").
    health = lx.HEALTH.search(text) or "safety" in kinds
    if not (health or lx.PRONOUN_SUBJECT.search(text) or subjectless):
        return ClaimFeatures(False, "no agent or health term")
    effects = [e for e in effects if _reaches_outcome(text, e)]
    if not effects:
        return ClaimFeatures(False, "no outcome")
    # "oxytocin, a hormone associated with nurturing, is indispensable for ...": the modifier is
    # not the claim when the sentence has another predicate.
    effects = [e for e in effects if not _modifier_association(text, e)] or effects
    first = min(effects)
    kinds = {kind for *_, kind in effects}
    # The direction of the first predicate that has one: "lowers cortisol" → decrease.
    direction = next((d for _, _, d, _ in sorted(effects) if d), "")
    kind = claim_type(text, kinds)
    score = _certainty(text, first[0], first[1])
    if (lx.GROUP_RISK.search(text) or first[3] == "group-comparison") and not (
        lx.ASSOCIATION_HEDGE.search(text)
    ):
        score -= 1  # "had a lower risk of death", "were higher in patients who ...": no cause
    return ClaimFeatures(
        True,
        "effect:" + first[3],
        certainty_score=max(-2, score),
        negated=_negated(text, first[0]),
        direction=direction,  # type: ignore[arg-type]
        type=kind,
    )


_REFUTED = ("myth:", "myth -", "myth –", "false:")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]")


def _title_case(sentence: str) -> bool:
    """Whether a sentence without a final stop capitalises most of its longer words, as a
    headline does ("Therapy for Rare Bone Disorder Shows Promise in NIH Clinical Trial")."""
    stripped = sentence.strip()
    if stripped.endswith((".", "!", "?", '"', "”", ")")):
        return False
    long_words = [w for w in stripped.split()[1:] if len(w) >= 4 and w[:1].isalpha()]
    capitalised = sum(bool(_CAPITALISED.match(w)) for w in long_words)
    return len(long_words) >= 2 and capitalised >= 0.6 * len(long_words)


def claim_type(text: str, kinds: set[str]) -> ClaimType:
    """The claim type of a lower-cased claim sentence, first match in the guideline's order."""
    if "safety" in kinds or lx.SAFETY.search(text):
        return ClaimType.safety
    if "dosage" in kinds:
        return ClaimType.dosage
    if "comparison" in kinds:
        return ClaimType.comparison
    if kinds & {"association", "group", "group-comparison"} or lx.ASSOCIATION.search(text):
        return ClaimType.association
    return ClaimType.effect


# Predicates that name their outcome themselves: a harm, an amount, "had a lower risk", a release.
_SELF_CONTAINED = frozenset(
    {"safety", "dosage", "group", "group-comparison", "release", "tell", "effect-adj"}
)


def _reaches_outcome(text: str, effect: tuple[int, int, str, str]) -> bool:
    """Whether a predicate has a health outcome in its own clause ("lowers cortisol", "diseases can
    be treated", "obesity is a risk factor for AP") or a person as its object ("heals you")."""
    start, end, _, kind = effect
    if kind in _SELF_CONTAINED:
        return True
    if kind == "change" and not lx.CHANGE_TRIGGER.search(text):
        return False  # a level that moved, with nothing that moved it: a trend
    if kind == "verb" and text[end:].strip().startswith(":"):
        return False  # "Large amounts can cause:" names no outcome (a list follows)
    if lx.APPOSITIVE_ASSOCIATION.match(text, max(0, start - 2)):
        return False  # "deficits, associated with autism, ...": a side clause
    stop = lx.CLAUSE_END.search(text, end)
    starts = [m.end() for m in lx.CLAUSE_START.finditer(text, 0, start)]
    clause = text[starts[-1] if starts else 0 : stop.start() if stop else len(text)]
    first_word = text.find(" ", start, end)
    if lx.PERSON_OBJECT.match(text, first_word if first_word > 0 else end):
        return True
    if kind == "benefit":
        return not lx.MONEY.search(clause)
    if kind == "treatment" and lx.THERAPY.search(text, end, end + 40):
        return True  # "might be used for couple's therapy"
    return bool(lx.OUTCOME.search(clause))


def _modifier_association(text: str, effect: tuple[int, int, str, str]) -> bool:
    """Whether an association phrase modifies a noun ("behaviour associated with X")."""
    start, _, _, kind = effect
    return (
        kind == "association"
        and lx.ASSOCIATION_VERB.match(text, start) is not None
        and not lx.ASSOCIATION_PREDICATE.search(text, 0, start)
    )


def _is_change(text: str, effect: tuple[int, int, str, str]) -> bool:
    """Whether a predicate only says that something rose or fell ("rates declined by 28 %")."""
    return effect[3] == "change" or text[effect[0] : effect[1]].split(" ")[0] in _CHANGE_WORDS


def _effects(text: str) -> list[tuple[int, int, str, str]]:
    """Effect predicates as (start, end, direction, kind), outside if/whether clauses."""
    return list(_predicates(text))


# The rules and the model's evidence both need a sentence's predicates: find them once.
@lru_cache(maxsize=8192)
def _predicates(text: str) -> tuple[tuple[int, int, str, str], ...]:
    found: list[tuple[int, int, str, str]] = []
    matches = list(_WORD.finditer(text))
    words = [m.group(0) for m in matches]
    for i, m in enumerate(matches):
        if words[i] not in _FORMS:
            continue
        stem, form = _FORMS[words[i]]
        # a word match starts after a non-word character, so the words before it are words[:i]
        if _verb_ok(text, m.start(), m.end(), stem, form, words[:i]):
            kind = "change" if _intransitive_change(text, m.end(), stem) else "verb"
            found.append((m.start(), m.end(), _DIRECTION.get(stem, ""), kind))
    # A pattern runs only on sentences holding one of its needles: a set scan is far cheaper.
    present = present_needles(text)
    for pattern, direction, kind, needles in lx.PHRASES:
        if not needles & present:
            continue
        for m in pattern.finditer(text):
            d = direction or _direction_word(m.group(0))
            found.append((m.start(), m.end(), d, kind))
    for pattern, kind, needles in _RELATION_PHRASES:
        if needles & present:
            found += [(m.start(), m.end(), "", kind) for m in pattern.finditer(text)]
    if "get " in text:
        found += [(m.start(), m.end(), "increase", "effect") for m in lx.SUFFICIENCY.finditer(text)]
    release = lx.RELEASE.search(text) if _holds(text, _RELEASE_NEEDLES) else None
    if release and (lx.TRIGGERS.search(text) or lx.RELEASE_ACTIVE.search(text)):
        found.append((release.start(), release.end(), "increase", "release"))
    if not found:
        return ()
    dropped = [
        (m.start(), m.end())
        for pattern, needles in _DROPPING
        if _holds(text, needles)
        for m in pattern.finditer(text)
    ]
    return tuple(e for e in found if not any(a <= e[0] < b for a, b in dropped))


def present_needles(text: str) -> set[str]:
    """The phrase needles `text` holds (as substrings), read in one pass of a trie pattern."""
    present: set[str] = set()
    for longest in _NEEDLE_STARTS.findall(text):
        present |= _NEEDLE_PREFIXES[longest]
    return present


def _holds(text: str, needles: tuple[str, ...]) -> bool:
    """Whether `text` holds one of `needles`: a pattern that needs one cannot match without."""
    return any(map(text.__contains__, needles))


# Each pattern with the strings every match of it contains: a cheap test before the pattern runs
# (tests/analysis/test_claims.py checks each against its pattern on the labelled sentences).
_RELEASE_NEEDLES = ("releas", "secret", "experience")
_FREQUENCY_NEEDLES = ("day", "daily", "week")
_UNKNOWN_NEEDLES = ("know", "unclear", "wonder", "understood")
_DIGIT = re.compile(r"\d")
_DROPPING = (
    (lx.CONDITIONAL, ("if", "whether")),
    (lx.AGE_CHANGE, (" with age",)),
    (lx.PREVALENCE, ("affect",)),
)


def _intransitive_change(text: str, end: int, stem: str) -> bool:
    """Whether a change verb has no object ("has dropped among adults", "are worsening."): then
    it reports a level that moved, which is a claim only with a trigger."""
    if stem not in lx.CHANGE_VERBS:
        return False
    after = _WORD.findall(text[end : end + 30])
    return not after or text[end : end + 1] in ",.;:" or after[0] in lx.AFTER_INTRANSITIVE


def _direction_word(phrase: str) -> str:
    for direction, pattern in lx.DIRECTION_WORDS.items():
        if pattern.search(phrase):
            return direction
    return ""


def _verb_ok(text: str, start: int, end: int, stem: str, form: str, before: list[str]) -> bool:
    if text[start - 1 : start] == "-" or text[end : end + 1] == "-":
        return False  # "repair-and-recover", "life-enriching"
    prev = before[-1] if before else ""
    if form == "ing" and _gerund_object(before):
        return False  # "applies to treating children", "focus on reducing or preventing obesity"
    after = _WORD.findall(text[end : end + 40])
    if prev in lx.DETERMINERS or (form != "ing" and prev in lx.PREPOSITIONS):
        return False  # "the cure", "focus on reducing obesity": a noun or a gerund object
    if form == "s" and stem in lx.AMBIGUOUS and after[:1] == ["of"]:
        return False  # "the full benefits of oxytocin" is a noun
    if form == "s" and stem in lx.AMBIGUOUS and after[:1] and after[0] in lx.AUXILIARIES:
        return False  # "miracle cures don't exist": a plural subject, not a verb
    if form == "s" and stem in lx.AMBIGUOUS and prev.endswith(lx.NOUN_MODIFIERS):
        ends_phrase = not after or text[end : end + 1] in ",.;:)" or after[0] in lx.NOUN_FOLLOWERS
        if ends_phrase:
            return False  # "died of HIV-related causes.", "due to organic causes, such as"
    if form == "ed":
        if prev in lx.ADJECTIVE_AFTER:
            return False
        if after[:1] == ["by"] and text[end:].lstrip()[3:4].isdigit():
            return False  # "were increased by 15 %": a number changed, no agent acted
        return bool(prev) and not text[:start].rstrip().endswith(",")
    if form == "ing":
        return not (after and after[0] in lx.NOUN_HEADS)
    if form == "base":
        to_at = _governing_to(before)
        if to_at >= 0:
            return any(w in lx.TO_GOVERNORS for w in before[max(0, to_at - 3) : to_at])
        if stem in lx.AMBIGUOUS:
            if prev.endswith("ly") and len(before) > 1:
                prev = before[-2]  # "might possibly lower"
            plural_subject = prev.endswith("s") and prev not in lx.NOT_PLURAL
            return (
                prev in lx.MODALS_BEFORE_BARE
                or plural_subject
                or "does" in before[-3:]
                or "did" in before[-3:]
            )
    return True


def _gerund_object(before: list[str]) -> bool:
    """Whether an -ing form is the object of a preposition ("of just treating", "to treating",
    "on reducing or preventing"), looking back over adverbs and coordinated gerunds."""
    i = len(before) - 1
    while i >= 0 and (before[i] in lx.SOFT_ADVERBS or before[i].endswith("ly")):
        i -= 1
    if i >= 1 and before[i] in ("and", "or") and before[i - 1].endswith("ing"):
        return _gerund_object(before[: i - 1])
    if i < 0:
        return False
    word = before[i]
    if word == "to":
        return i == 0 or before[i - 1] not in lx.TO_GERUND_GOVERNORS
    return word in lx.PREPOSITIONS and not _benefit_of(before[: i + 1], "ing")


def _benefit_of(before: list[str], form: str) -> bool:
    """Whether a gerund is what a benefit or an effect consists of ("the benefit of lowering")."""
    head = before[-2] if len(before) > 1 and before[-1] == "of" else ""
    return form == "ing" and head in lx.BENEFIT_HEADS


def _governing_to(before: list[str]) -> int:
    """Index of the "to" that governs a bare verb ("to actually cause", "to repair, restore")."""
    for back in range(1, min(5, len(before)) + 1):
        word = before[-back]
        if word == "to":
            return len(before) - back
        if not (word in ("and", "or") or word in _FORMS or (back == 1 and word.endswith("ly"))):
            return -1
    return -1


def _certainty(text: str, start: int, end: int) -> int:
    hedges = sum(
        m.group(0) not in lx.ASSOCIATION_WORDING
        or start <= m.start() < end
        or bool(lx.ASSOCIATION_PREDICATE.search(text, 0, m.start()))
        for m in lx.HEDGES.finditer(text)
    )
    # "can" weakens the main effect ("You can induce…"), not a later clause ("…so your muscles
    # can repair faster"): count it only near the first effect predicate.
    window = (_word_index(text, start) - 4, _word_index(text, end) + 3)
    near = (window[0] <= _word_index(text, m.start()) <= window[1] for m in lx.CAN.finditer(text))
    hedges += sum(near)
    boosts = len(lx.BOOSTERS.findall(text))
    return max(-2, min(2, boosts - hedges))


def _negated(text: str, start: int) -> bool:
    excluded = [(m.start(), m.end()) for m in lx.NOT_NEGATION.finditer(text)]
    first = _word_index(text, start)
    for m in lx.NEGATORS.finditer(text):
        if any(m.start() < b and a < m.end() for a, b in excluded):
            continue
        if 0 <= first - _word_index(text, m.start()) <= 5:
            return True
    return False


def _word_index(text: str, pos: int) -> int:
    return len(_WORD.findall(text[:pos]))


def _forms(stem: str) -> dict[str, str]:
    if stem.endswith("y") and stem[-2] not in "aeiou":
        return {stem: "base", stem[:-1] + "ies": "s", stem[:-1] + "ied": "ed", stem + "ing": "ing"}
    if stem.endswith("e"):
        ed, ing = stem + "d", stem[:-1] + "ing"
    elif stem in ("drop", "cut"):
        ed, ing = stem + stem[-1] + "ed", stem + stem[-1] + "ing"
    else:
        ed, ing = stem + "ed", stem + "ing"
    s = stem + ("es" if stem.endswith(("s", "sh", "ch", "x", "z")) else "s")
    forms = {stem: "base", s: "s", ed: "ed", ing: "ing"}
    forms.update(dict.fromkeys(lx.IRREGULAR.get(stem, ()), "ed"))
    return forms


# (pattern, reason, needles): needles as for _DROPPING, () when the pattern has too many.
_NOT_CLAIMS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (
        lx.UNCLEAR,
        "unknown",
        (
            *("unclear", "unknown", "poorly", "be sure"),
            *("hope is", "fear is", "concern is", "worry is", "question is"),
        ),
    ),
    (lx.META, "about words", ("mean", "imply", "equate")),
    (lx.RESEARCH, "research", ()),
    (lx.DEFINITION, "definition", ("defined as",)),
    (lx.OBLIGATION, "duty", ("ensur", "make sure", "check", "verify", "show", "prove")),
)
# (pattern, kind, needles): a pattern runs only on sentences holding one of its needles.
_RELATION_PHRASES = tuple(
    (pattern, kind, frozenset(needles))
    for pattern, kind, needles in (
        (lx.ASSOCIATION, "association", ("factor", "predictor", "association", "likely")),
        (lx.CAUSE_PHRASE, "cause", ("cause", "attributable", "factor")),
        (
            lx.SAFETY_CLAIM,
            "safety",
            (
                "safe",
                "harm",
                "hazard",
                "toxic",
                "danger",
                "tolera",
                "effect",
                "problem",
                "risk",
                "damage",
                "injur",
                "advers",
            ),
        ),
        (
            lx.COMPARISON,
            "comparison",
            (
                "better",
                "worse",
                "superior",
                "inferior",
                "more ",
                "less ",
                "as ",
                "versus",
                "vs",
                "compared",
            ),
        ),
    )
)

_DIRECTION = {**dict.fromkeys(lx.INCREASE, "increase"), **dict.fromkeys(lx.DECREASE, "decrease")}
_FORMS = {
    form: (stem, kind)
    for stem in (*lx.INCREASE, *lx.DECREASE, *lx.NEUTRAL)
    for form, kind in _forms(stem).items()
}
_NEEDLES = frozenset().union(*(n for *_, n in lx.PHRASES), *(n for *_, n in _RELATION_PHRASES))
# At each position the longest needle starting there (a lookahead finds overlapping ones); every
# needle starting there is a prefix of it.
_NEEDLE_STARTS = re.compile(f"(?=({lx.needle_trie(_NEEDLES)}))")
_NEEDLE_PREFIXES = {n: frozenset(m for m in _NEEDLES if n.startswith(m)) for n in _NEEDLES}
