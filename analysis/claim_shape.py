"""The shape of a sentence, as the claim model reads it: subject, predicate, outcome, frame.

The rules in analysis/claims.py ask whether a sentence holds an effect predicate from a word
list. A claim has a shape beyond its words: a subject that names an agent, a finite predicate, a
health outcome after it, maybe a reporting frame ("researchers found that …", "these findings
suggest …"). Sentences that are no claims have shapes too: methods ("were recruited", "we
searched"), aims ("to determine whether"), recommendations ("further research is needed"), lists
of foods, fragments. `shape_features` names those shapes as strings for the logistic regression
in analysis/claim_model.py; none of them decides anything alone.
"""

from __future__ import annotations

import re

from analysis import claim_lexicon as lx

_WORD = re.compile(r"[a-z][a-z'-]*|\d+(?:[.,]\d+)?")
_REPORT = re.compile(
    r"\b(?:found|find|finds|showed|shows|show|suggests?|suggested|indicates?|indicated|revealed"
    r"|reveals|demonstrated?|demonstrates|confirms?|confirmed|concluded?|hints?) that\b"
)
_STUDY_SUBJECT = re.compile(
    r"\b(?:study|studies|trial|trials|analysis|analyses|review|research|evidence|findings?"
    r"|results?|data)\b"
)
_METHOD = re.compile(
    r"\b(?:were|was) (?:\w+ )?(?:recruited|randomi[sz]ed|enrolled|included|excluded|obtained"
    r"|calculated|analy[sz]ed|collected|measured|assigned|followed|matched|available|conducted)\b"
    r"|\b(?:we|they|researchers|investigators|reviewers) (?:\w+ )?(?:searched|recruited|tracked"
    r"|identified|obtained|calculated|used|collected|analy[sz]ed|examined|investigated"
    r"|compared|conducted|undertook|developed)\b|\bintention-to-treat\b|\bprimary outcome\b"
)
_AIM = re.compile(
    r"\b(?:aim|aims|aimed|objective|purpose|goal)\b|\b(?:to (?:determine|evaluate|examine|assess"
    r"|investigate|validate|identify|understand) )|\binvestigate(?:s|d)? (?:whether|the)\b"
)
_ASSOCIATION = re.compile(
    r"\b(?:associated|associations?|linked|link|relation|related|correlated|correlation"
    r"|risk factors?|predictors?|biomarkers?|hazard ratio|odds ratio|likely to)\b"
)
_COPULA_ADJ = re.compile(
    r"\b(?:is|are|was|were|be|been) (?:\w+ )?(?:good|bad|important|useful|beneficial|harmful"
    r"|safe|unsafe|effective|fatal|dangerous|risky|essential|necessary)\b"
)
_MAY_HAVE_AMOUNT = re.compile(r"\d|day|week|daily")
_MODAL = re.compile(r"\b(?:may|might|could|can|should|would|will)\b")
_AMOUNT = re.compile(
    r"\b\d[\d,.]*\s?(?:iu|mg|mcg|µg|micrograms?|milligrams?|grams?|g|ml|minutes|hours|days"
    r"|servings?|cups?|drinks?|steps)\b|\b(?:a|per|each|every) (?:day|week)\b|\bdaily\b"
)


def shape_features(text: str) -> list[str]:
    """Names of the shapes found in one sentence (any case; curly quotes allowed)."""
    low, words = prepare(text)
    if not words:
        return ["shape:empty"]
    return [*plain_shapes(text, low, words), *pattern_shapes(low), *outcome_shapes(low, words)]


def prepare(text: str) -> tuple[str, list[str]]:
    """The lower-cased sentence and its words, as every shape reads them."""
    low = text.strip().replace("’", "'").replace("‘", "'").lower()
    return low, _WORD.findall(low)


# shape_features in three parts of rising cost, so that the model can stop reading a sentence
# once the shapes not yet read could not move its decision (claim_model.decide).
def plain_shapes(text: str, low: str, words: list[str]) -> list[str]:
    """The shapes read from characters and words alone (`words` not empty)."""
    out: list[str] = []
    if not low.endswith((".", "!", "?", '"', "”", ")")):
        out.append("shape:no-final-stop")  # a list item or a heading-like fragment
    if text[:1].islower():
        out.append("shape:lower-start")
    if len(words) <= 4:
        out.append("shape:short")
    if low.endswith(":"):
        out.append("shape:colon-end")
    if low.endswith("?"):
        out.append("shape:question")
    first = words[0]
    if first in lx.IMPERATIVES:
        out.append("shape:imperative")
    if first in ("it", "this", "they", "these", "it's", "its"):
        out.append("shape:pronoun-subject")
    if first in ("we", "our", "i", "here"):
        out.append("shape:we-subject")
    verb = _first_verb(words)
    if verb >= 0:
        out.append("shape:effect-verb")
        if verb == 0:
            out.append("shape:verb-first")
    return out


PATTERN_SHAPES = (
    ("method", _METHOD),
    ("aim", _AIM),
    ("association", _ASSOCIATION),
    ("copula-adjective", _COPULA_ADJ),
    ("modal", _MODAL),
    ("hedge", lx.HEDGES),
    ("booster", lx.BOOSTERS),
    ("negator", lx.NEGATORS),
    ("safety", lx.SAFETY),
    ("trend", lx.TREND),
    ("intent", lx.INTENT),
)


def pattern_shapes(low: str) -> list[str]:
    """The shapes read by the small patterns (the cheap ones of the regular expressions)."""
    out = ["shape:" + name for name, pattern in PATTERN_SHAPES if pattern.search(low)]
    # Cheap substring checks first: most sentences hold neither " that" nor an amount.
    report = _REPORT.search(low) if " that" in low else None
    if report:
        out.append("shape:report-frame")
        if _STUDY_SUBJECT.search(low, 0, report.start()):
            out.append("shape:study-reports")
    if _MAY_HAVE_AMOUNT.search(low) and _AMOUNT.search(low):
        out.append("shape:amount")
    return out


# Strings every match of a pattern shape holds (tests/analysis/test_claim_model.py checks them on
# the labelled sentences): a sentence without any of them cannot have the shape, so the model
# leaves its weight out of the bound on what the unread shapes could add. A shape not listed is
# always counted.
PATTERN_NEEDLES: dict[str, tuple[str, ...]] = {
    "shape:copula-adjective": (
        *("good", "bad", "important", "useful", "beneficial", "harmful", "safe", "effective"),
        *("fatal", "dangerous", "risky", "essential", "necessary"),
    ),
    "shape:safety": (
        *("safe", "harm", "hazard", "toxic", "danger", "tolerated", "side", "advers"),
        *("negative effect", "problems", "damage"),
    ),
    "shape:association": (
        *("associat", "link", "relat", "correlat", "risk factor", "predictor", "biomarker"),
        *("hazard ratio", "odds ratio", "likely to"),
    ),
    "shape:booster": (
        *("proven", "definitely", "literally", "always", "guaranteed", "certainly"),
        *("undoubtedly", "clinically", "show", "demonstrat", "established", "no doubt"),
        *("clearly", "completely", "confirmed"),
    ),
    "shape:negator": ("no", "n't", "never", "neither"),
    "shape:hedge": (
        *("may", "might", "could", "perhaps", "possib", "potential", "probab", "likely"),
        *("suggest", "appear", "seem", "believ", "predicted", "suspect", "thought to"),
        *("knowledge", "known", "mice", "mouse", "rat", "rodent", "animal", "vole", "associat"),
        *("linked to", "connected to", "correlat", "to do with", "biomarker", "indicat"),
        *("speculate", "factor", "expected", "able to", "linked with", "relation", "corresponded"),
    ),
    "shape:amount": (*"0123456789", "day", "week", "daily"),
    "shape:method": (
        *("recruited", "randomi", "enrolled", "included", "excluded", "obtained", "calculated"),
        *("analy", "collected", "measured", "assigned", "followed", "matched", "available"),
        *("conducted", "searched", "tracked", "identified", "used", "examined", "investigated"),
        *("compared", "undertook", "developed", "intention-to-treat", "primary outcome"),
    ),
    "shape:aim": (
        *("aim", "objective", "purpose", "goal", "to determine", "to evaluate", "to examine"),
        *("to assess", "to validate", "to identify", "to understand", "investigate"),
    ),
    "shape:modal": ("may", "might", "could", "can", "should", "would", "will"),
    "shape:trend": (
        *("increas", "decreas", "declin", "rose", "fell", "dropped", "doubled", "tripled"),
        *("halved", "remained", "grew", "rising", "falling", "slowing", "leveling", "levelling"),
    ),
    "shape:intent": (
        *("to look at", "to see if", "to see whether", "to test whether", "to determine"),
        *("to assess", "to evaluate", "to investigate", "to identify", "to measure"),
        *("to compare", "to understand", "to learn", "to study", "plan", "quest", "aim"),
        *("goal is", "decided to", "underway", "to know", "to examine", "to find out"),
        "going to",
    ),
    "shape:report-frame": (" that",),
    "shape:study-reports": (" that",),
}


def possible_pattern_shapes(low: str) -> list[str]:
    """The pattern shapes a lower-cased sentence may have: each listed shape whose needles it
    holds, and every shape without needles."""
    held: set[str] = set()
    for longest in _NEEDLE_STARTS.findall(low):
        held |= _SHAPES_BY_PREFIX[longest]
    return [name for name in PATTERN_SHAPE_NAMES if name not in PATTERN_NEEDLES or name in held]


# The shapes each costly part can add (outcome_shapes adds the last two only after an effect
# verb): what the model bounds before reading them.
PATTERN_SHAPE_NAMES = (
    *("shape:" + name for name, _ in PATTERN_SHAPES),
    "shape:report-frame",
    "shape:study-reports",
    "shape:amount",
)
# Every needle in one pass of a trie pattern (a lookahead finds overlapping ones); each needle
# starting where the longest one does is a prefix of it, and names the shapes it gates.
_ALL_NEEDLES = frozenset(n for needles in PATTERN_NEEDLES.values() for n in needles)
_NEEDLE_STARTS = re.compile(f"(?=({lx.needle_trie(_ALL_NEEDLES)}))")
_SHAPES_BY_PREFIX = {
    longest: frozenset(
        name
        for name, needles in PATTERN_NEEDLES.items()
        if any(longest.startswith(n) for n in needles)
    )
    for longest in _ALL_NEEDLES
}
OUTCOME_SHAPES = ("shape:outcome-term", "shape:many-outcomes", "shape:research")
VERB_OUTCOME_SHAPES = ("shape:verb-then-outcome", "shape:agent-then-verb")


def outcome_shapes(low: str, words: list[str]) -> list[str]:
    """The shapes read by the large patterns: outcome terms, research wording, agent – verb –
    outcome (`words` not empty)."""
    out: list[str] = []
    outcome = [m.start() for m in lx.OUTCOME.finditer(low)]
    if outcome:
        out.append("shape:outcome-term")
    if len(outcome) >= 3:
        out.append("shape:many-outcomes")
    if lx.RESEARCH.search(low):
        out.append("shape:research")
    # Subject – predicate – outcome: an outcome term after the first effect-like verb.
    verb = _first_verb(words)
    if verb >= 0:
        after = " ".join(words[verb + 1 :])
        if lx.OUTCOME.search(after):
            out.append("shape:verb-then-outcome")
        before = " ".join(words[:verb])
        if lx.HEALTH.search(before) or before in ("it", "this", "they", "these"):
            out.append("shape:agent-then-verb")
    return out


_VERBS = frozenset(
    form
    for stem in (*lx.INCREASE, *lx.DECREASE, *lx.NEUTRAL)
    for form in (stem, stem + "s", stem + "es", stem + "d", stem + "ed", stem[:-1] + "ies")
) | lx.words(
    "leads led causes caused protects protected lowers lowered raises raised improves improved "
    "reduces reduced increases increased prevents prevented helps helped supports supported "
    "confer confers conferred allow allows allowed produce produces produced overwhelm "
    "destroy destroys accumulates"
)


def _first_verb(words: list[str]) -> int:
    """Index of the first word that can be an effect verb, or -1."""
    for i, w in enumerate(words):
        if w in _VERBS:
            return i
    return -1
