"""Sentence splitting: footnote markers detached, abbreviations and decimals kept whole."""

from __future__ import annotations

import pytest

from analysis.sentences import Sentence, split_markers, split_sentences


def texts(text: str, hints: tuple[str, ...] = ()) -> list[str]:
    return [s.text for s in split_sentences(text, hints)]


def markers(text: str, hints: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    return [s.markers for s in split_sentences(text, hints)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # markers glued to the full stop, as <sup>1</sup> renders
        (
            "this hormone is necessary for pair bonding.1 That’s why they mate for life!2",
            [
                ("this hormone is necessary for pair bonding.", ("1",)),
                ("That’s why they mate for life!", ("2",)),
            ],
        ),
        ("It lowers cortisol [1]. It helps.", [("It lowers cortisol.", ("1",)), ("It helps.", ())]),
        (
            "They stood away.3,4 Others did not.",
            [("They stood away.", ("3", "4")), ("Others did not.", ())],
        ),
        ("It was shown.3–5 Next one.", [("It was shown.", ("3–5",)), ("Next one.", ())]),
        ("It calms you (5). Then it heals.", [("It calms you.", ("5",)), ("Then it heals.", ())]),
        ("Healing¹ starts here. Really.", [("Healing starts here.", ("1",)), ("Really.", ())]),
        ("It works.[2] Then more.", [("It works.", ("2",)), ("Then more.", ())]),
        ("It works. [2] Then more.", [("It works.", ("2",)), ("Then more.", ())]),
        ("Cited twice [1, 2].", [("Cited twice.", ("1", "2"))]),
        ("Ends on a marker.7", [("Ends on a marker.", ("7",))]),
    ],
)
def test_markers_are_detached(text: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert [(s.text, s.markers) for s in split_sentences(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "See J Neurosci. 2012 Nov 14;32(46):16074-9.",
        "Dr. Smith et al. found it in 2012.",
        "Prof. Jones vs. Dr. Lee: who is right?",
        "Some hormones, e.g. Oxytocin, act fast.",
        "Most adults, i.e. Those over 18, qualify.",
        "As Fig. 2 shows, it rises.",
        "Miller T. V. Caldwell H. K. wrote the review.",
        "Kerstin Uväs-Moberg, M.D., Ph. D, author of The Oxytocin Factor, is an authority.",
        "Levels rose 2.5 times in a day.",
        "It costs $3.99 per bottle.",
        "It could be healing you — cell by cell.",
        "Wait... then it happened.",
        "“What?” she asked.",
        "Vol. 3 of the series.",
        "2. What is the relationship between oxytocin and adrenaline?",
        "In 2012.5 patients improved.",
    ],
)
def test_one_sentence(text: str) -> None:
    assert texts(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We need vitamin D. It helps.", ["We need vitamin D.", "It helps."]),
        ("Wait... What happened?", ["Wait...", "What happened?"]),
        ("Wait… What happened?", ["Wait…", "What happened?"]),
        ("Chronic stress? It suppresses healing.", ["Chronic stress?", "It suppresses healing."]),
        ("Yep. Oxytocin.", ["Yep.", "Oxytocin."]),
        ("He said “it works.” Then he left.", ["He said “it works.”", "Then he left."]),
        (
            "Dr. Uväs-Moberg: Yes. Oxytocin fosters openness.",
            ["Dr. Uväs-Moberg: Yes.", "Oxytocin fosters openness."],
        ),
        ("Our recovery lags. Our tissues tire.", ["Our recovery lags.", "Our tissues tire."]),
        ("No full stop at the end", ["No full stop at the end"]),
    ],
)
def test_splits(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_hinted_marker_glued_to_a_word_is_detached() -> None:
    assert markers("It is needed for bonding1 and trust.", ("1",)) == [("1",)]


def test_hinted_marker_text_is_clean() -> None:
    assert texts("It is needed for bonding1 and trust.", ("1",)) == [
        "It is needed for bonding and trust."
    ]


def test_unhinted_digits_in_words_stay() -> None:
    assert texts("It switches on SOX9, Col2, and COMP.") == ["It switches on SOX9, Col2, and COMP."]


def test_digits_after_comma_glued_to_a_word_are_a_marker() -> None:
    assert markers("Oxytocin lowers stress,3 and heals.") == [("3",)]


def test_offsets_cover_the_sentence() -> None:
    text = "First one.1 Second one."
    first, second = split_sentences(text)
    assert (text[first.start : first.end], text[second.start : second.end]) == (
        "First one.1",
        "Second one.",
    )


def test_empty_text_has_no_sentences() -> None:
    assert split_sentences("   ") == ()


def test_sentence_is_frozen() -> None:
    with pytest.raises(AttributeError):
        Sentence("a").text = "b"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("[1]", ("1",)), ("3,4", ("3", "4")), ("3–5", ("3–5",)), ("¹²", ("12",)), ("(2)", ("2",))],
)
def test_split_markers(raw: str, expected: tuple[str, ...]) -> None:
    assert split_markers(raw) == expected
