"""How far a claim reaches, and how that moved between two versions of it.

A claim grows stronger not only with boosters: "cures insomnia" → "cures insomnia and anxiety in
just one week" claims more outcomes in a shorter time. The scope of a sentence is read from its
health terms (outcomes), the qualifiers of its population ("some adults", "older women",
"everyone"), its time-frame ("in just one week"), its magnitudes ("by 30 %") and its doses
("4,000 IU"). `scope_moves` compares two scopes and says, with reasons, how much broader (+) or
narrower (−) the later claim is; `certainty_moves` does the same for hedges and boosters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis import claim_lexicon as lx

# Small number words are enough for time-frames ("one week", "two months").
_NUMBER_WORDS = {
    w: float(n)
    for n, w in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    )
} | {"eleven": 11.0, "twelve": 12.0, "a": 1.0, "an": 1.0, "a few": 3.0, "several": 4.0}
_UNIT_DAYS = {"day": 1.0, "night": 1.0, "week": 7.0, "month": 30.0, "year": 365.0}
_TIMEFRAME = re.compile(
    r"\b(?:in|within|after|over|for)\s+(?P<short>just |only |as little as |as few as )?"
    r"(?P<n>\d+(?:\.\d+)?|a few|several|an|a|zero|one|two|three|four|five|six|seven|eight|nine"
    r"|ten|eleven|twelve)\s+(?P<unit>day|night|week|month|year)s?\b"
)
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s?(?:%|percent\b|per cent\b)|\b(\d+(?:\.\d+)?)-fold\b")
_DOSE = re.compile(
    r"\b(\d[\d,]*(?:\.\d+)?)\s?(iu|mg|mcg|µg|micrograms?|milligrams?|grams?|g|ml|cups?"
    r"|servings?|glasses|drinks?|capsules?|tablets?|pills?)\b"
)
_POPULATION = re.compile(
    r"\b(?P<qual>(?:(?:some|many|most|certain|a few|few|older|younger|elderly|healthy|obese"
    r"|overweight|postmenopausal|pregnant|young|middle-aged|sick|stressed|\w+-risk) )+)?"
    r"(?P<noun>adults|children|kids|people|patients|women|men|users|individuals|persons|mothers"
    r"|infants|athletes|seniors)\b"
)
_UNIVERSAL = re.compile(r"\b(?:everyone|everybody|anyone|anybody|all|every)\b")
_CAN = re.compile(r"\bcan\b(?!'t| not)")


@dataclass(frozen=True)
class Scope:
    """What a claim covers, as read from its words."""

    outcomes: frozenset[str] = frozenset()
    qualifiers: tuple[str, ...] = ()  # population qualifiers: "some", "older", ...
    universal: tuple[str, ...] = ()  # "everyone", "all", ...
    days: float | None = None  # the time-frame, in days
    quick: bool = False  # the time-frame is stressed as short: "in just one week"
    magnitude: float | None = None  # the largest percentage or fold change
    dose: tuple[float, str] | None = None  # the largest stated amount and its unit


def claim_scope(text: str) -> Scope:
    """Read the scope of one claim sentence."""
    low = text.lower().replace("’", "'")
    qualifiers: list[str] = []
    for m in _POPULATION.finditer(low):
        qualifiers += (m.group("qual") or "").split()
    days, quick = None, False
    if t := _TIMEFRAME.search(low):
        n = t.group("n")
        count = float(n) if n[0].isdigit() else _NUMBER_WORDS[n]
        days, quick = count * _UNIT_DAYS[t.group("unit")], bool(t.group("short"))
    percents = [float((a or b).replace(",", ".")) for a, b in _PERCENT.findall(low)]
    doses = [(float(n.replace(",", "")), unit) for n, unit in _DOSE.findall(low)]
    return Scope(
        outcomes=frozenset(m.group(0) for m in lx.HEALTH.finditer(low)),
        qualifiers=tuple(qualifiers),
        universal=tuple(_UNIVERSAL.findall(low)),
        days=days,
        quick=quick,
        magnitude=max(percents) if percents else None,
        dose=max(doses) if doses else None,
    )


def scope_moves(before: Scope, after: Scope, *, safety: bool = False) -> tuple[int, list[str]]:
    """How much broader (+) or narrower (−) `after` is than `before`, and why.

    A higher dose makes a safety claim broader (safe at more) and an effect claim narrower (it
    takes more to work); `safety` says which.
    """
    moves: list[tuple[int, str]] = []
    added, removed = after.outcomes - before.outcomes, before.outcomes - after.outcomes
    if added and not removed:
        moves.append((1, "outcome added: " + ", ".join(sorted(added))))
    elif removed and not added:
        moves.append((-1, "outcome removed: " + ", ".join(sorted(removed))))
    narrowed = [q for q in after.qualifiers if q not in before.qualifiers]
    widened = [q for q in before.qualifiers if q not in after.qualifiers]
    if narrowed:
        moves.append((-1, "population narrowed: " + " ".join(narrowed)))
    elif widened:
        moves.append((1, "population broadened: no longer " + " ".join(widened)))
    if len(after.universal) > len(before.universal):
        moves.append((1, "population broadened: " + " ".join(after.universal)))
    elif len(after.universal) < len(before.universal):
        moves.append((-1, "population narrowed: no longer " + " ".join(before.universal)))
    moves += _time_moves(before, after)
    was, now = before.magnitude, after.magnitude
    if was is not None and now is not None and was != now:
        moves.append((1 if now > was else -1, f"magnitude: {was:g} % → {now:g} %"))
    if before.dose and after.dose and before.dose != after.dose:
        higher = after.dose[0] > before.dose[0]
        sign = 1 if higher == safety else -1
        (n0, u0), (n1, u1) = before.dose, after.dose
        moves.append((sign, f"dose: {n0:g} {u0} → {n1:g} {u1}"))
    return sum(s for s, _ in moves), [reason for _, reason in moves]


def _time_moves(before: Scope, after: Scope) -> list[tuple[int, str]]:
    if before.days is not None and after.days is not None and before.days != after.days:
        sign = 1 if after.days < before.days else -1
        return [(sign, f"time-frame: {before.days:g} → {after.days:g} days")]
    if after.quick and not before.quick:
        return [(1, f"time-frame added: {after.days:g} days")]
    if before.quick and not after.quick:
        return [(-1, f"time-frame removed: {before.days:g} days")]
    return []


def certainty_moves(before: str, after: str) -> list[str]:
    """The hedges and boosters that one claim sentence gained or lost against another."""
    b, a = before.lower(), after.lower()
    cues = []
    for label, pattern in (("hedge", lx.HEDGES), ("hedge", _CAN), ("booster", lx.BOOSTERS)):
        was, now = _count(pattern, b), _count(pattern, a)
        cues += [f"{label} added: {w}" for w in now if now[w] > was.get(w, 0)]
        cues += [f"{label} removed: {w}" for w in was if was[w] > now.get(w, 0)]
    return cues


def _count(pattern: re.Pattern[str], text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for m in pattern.finditer(text):
        counts[m.group(0)] = counts.get(m.group(0), 0) + 1
    return counts
