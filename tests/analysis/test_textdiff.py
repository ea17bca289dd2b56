"""Word-level diff: exact ops, word counts, speed-independent correctness, renderers."""

from __future__ import annotations

import itertools
import random

import pytest

from analysis import wordalign
from analysis.textdiff import (
    DELETE,
    EQUAL,
    INSERT,
    TextDiff,
    count_words,
    diff_words,
    excerpt,
    render_ansi,
    render_html,
    render_text,
    tokenize,
)

SENTENCE = "Oxytocin lowers cortisol — your body’s main stress hormone."
ARTICLE = "\n\n".join(
    f"Paragraph {i} says oxytocin {w} the stress response in study {i}."
    for i, w in enumerate(["dampens", "blunts", "lowers", "eases", "softens", "calms"] * 5)
)


def before_text(diff: TextDiff) -> str:
    return "".join(text for op, text in diff.ops if op != INSERT)


def after_text(diff: TextDiff) -> str:
    return "".join(text for op, text in diff.ops if op != DELETE)


PAIRS = [
    ("", ""),
    ("", "New text."),
    ("Old text.", ""),
    (SENTENCE, SENTENCE),
    (SENTENCE, SENTENCE.replace("lowers", "may lower")),
    ("Take 3.5 mg daily.", "Take 3.8 mg daily."),
    ("a b c", "c b a"),
    ("Ünïcödé “quotes” — dashes", 'Unicode "quotes" - dashes'),
    (ARTICLE, ARTICLE.replace("study 7", "a small study")),
    (ARTICLE, ARTICLE[::-1]),
    (ARTICLE, " ".join(reversed(ARTICLE.split(" ")))),
    ("line one\n\nline two", "line one\n\nline 2\n\nline three"),
]


@pytest.mark.parametrize(("before", "after"), PAIRS)
def test_ops_rebuild_both_texts(before: str, after: str) -> None:
    diff = diff_words(before, after)
    assert before_text(diff) == before
    assert after_text(diff) == after


@pytest.mark.parametrize(("before", "after"), PAIRS)
def test_ops_are_merged_and_non_empty(before: str, after: str) -> None:
    ops = diff_words(before, after).ops
    assert all(text for _, text in ops)
    assert all(a[0] != b[0] for a, b in itertools.pairwise(ops))


def test_unchanged_text_is_one_equality() -> None:
    diff = diff_words(SENTENCE, SENTENCE)
    assert diff.ops == ((EQUAL, SENTENCE),)
    assert not diff.changed
    assert (diff.added_words, diff.removed_words) == (0, 0)


def test_one_reworded_phrase_gives_exact_ops() -> None:
    before = "We don’t bounce back like we used to. Next sentence."
    after = "We don’t recover as quickly as we did in our twenties. Next sentence."
    diff = diff_words(before, after)
    assert diff.ops == (
        (EQUAL, "We don’t "),
        (DELETE, "bounce back like we used to"),
        (INSERT, "recover as quickly as we did in our twenties"),
        (EQUAL, ". Next sentence."),
    )
    assert diff.removed_words == 6
    assert diff.added_words == 9


def test_a_changed_word_is_replaced_whole() -> None:
    diff = diff_words("necessary for pair bonding.", "necessary for pair binding.")
    assert (DELETE, "bonding") in diff.ops
    assert (INSERT, "binding") in diff.ops


def test_a_changed_number_is_one_word() -> None:
    diff = diff_words("Take 3.5 mg daily.", "Take 3.8 mg daily.")
    assert diff.ops == ((EQUAL, "Take "), (DELETE, "3.5"), (INSERT, "3.8"), (EQUAL, " mg daily."))
    assert (diff.added_words, diff.removed_words) == (1, 1)


def test_inserted_paragraph_slides_to_paragraph_boundary() -> None:
    before = "It’s medicine.\n\n## Next"
    after = "It’s medicine.\n\nHugs lower blood pressure.\n\n## Next"
    diff = diff_words(before, after)
    assert diff.ops == (
        (EQUAL, "It’s medicine.\n\n"),
        (INSERT, "Hugs lower blood pressure.\n\n"),
        (EQUAL, "## Next"),
    )


def test_full_rewrite_keeps_a_shared_sentence() -> None:
    shared = " This exact sentence about cortisol and stress hormones survived the rewrite. "
    before = "Old opening about hugs and bonding." + shared + "Old coda about voles."
    after = "A completely new start with other words." + shared + "New ending on muscles."
    diff = diff_words(before, after)
    assert any(op == EQUAL and "survived the rewrite" in text for op, text in diff.ops)
    assert diff.removed_words == 10
    assert diff.added_words == 11


def test_word_counts_ignore_punctuation_and_spaces() -> None:
    diff = diff_words("Hello world", "Hello, world!")
    assert (diff.added_words, diff.removed_words) == (0, 0)
    assert diff.changed


@pytest.mark.parametrize(
    ("text", "words"),
    [("", 0), ("one", 1), ("don’t stop", 2), ("3.5 mg", 2), ("— , .", 0), ("COVID-19", 2)],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


@pytest.mark.parametrize("text", ["", "a", SENTENCE, ARTICLE, "x_y  z\t\n\nw", "3,000.5 ok"])
def test_tokens_join_back(text: str) -> None:
    assert "".join(tokenize(text)) == text


def test_linear_cleanup_matches_the_library_cleanup() -> None:
    rnd = random.Random(7)
    words = ["a", "b", "c", "the", "of", "oxytocin", ",", ".", "\n\n"]
    for _ in range(200):
        a = " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 60)))
        b = " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 60)))
        symbols: dict[str, str] = {}
        vocabulary: list[str] = []
        encoded_a = wordalign._encode(tokenize(a), symbols, vocabulary)
        encoded_b = wordalign._encode(tokenize(b), symbols, vocabulary)
        dmp = wordalign._TokenDMP(vocabulary)
        diffs = wordalign._lcs(encoded_a, encoded_b)
        dmp.diff_cleanupMerge(diffs)
        reference = list(diffs)
        dmp.diff_cleanupSemantic(reference)
        fast = wordalign._drop_small_equalities(list(diffs))
        dmp.diff_cleanupMerge(fast)
        dmp.diff_cleanupSemantic(fast)
        assert fast == reference


def test_texts_too_large_for_one_alignment_go_paragraph_by_paragraph(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wordalign, "_MAX_CELLS", 2_000)
    after = ARTICLE.replace("study 7", "a small study").replace("Paragraph 20", "Section 20")
    diff = diff_words(ARTICLE, after)
    assert before_text(diff) == ARTICLE
    assert after_text(diff) == after
    assert diff.removed_words == 3
    assert diff.added_words == 4


def test_render_text_marks_edits_and_cuts_context() -> None:
    diff = diff_words(ARTICLE, ARTICLE.replace("study 7.", "study seven."))
    rendered = render_text(diff, context_words=3)
    assert "study [-7-]{+seven+}." in rendered
    assert rendered.startswith("… ")
    assert rendered.endswith(" …")
    assert len(rendered) < 80


def test_render_text_of_no_change_is_empty() -> None:
    assert render_text(diff_words(SENTENCE, SENTENCE)) == ""


def test_render_ansi_colours_full_text() -> None:
    rendered = render_ansi(diff_words("keep old", "keep new"))
    assert rendered == "keep \x1b[9;31mold\x1b[0m\x1b[32mnew\x1b[0m"


def test_render_html_is_an_escaped_document() -> None:
    page = render_html(diff_words("a <b>", "a <script>x</script>"), title="T & <U>")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>T &amp; &lt;U&gt;</title>" in page
    assert "a &lt;<del>b</del><ins>script&gt;x&lt;/script</ins>&gt;" in page
    assert "<script>" not in page


def test_excerpt_shows_only_changed_lines() -> None:
    after = ARTICLE.replace("study 7.", "study seven.").replace("study 21.", "study 22.")
    lines = excerpt(diff_words(ARTICLE, after), context_words=4).splitlines()
    assert lines == [
        "… stress response in study [-7-]{+seven+}.",
        "… stress response in study [-21-]{+22+}.",
    ]


def test_excerpt_is_capped() -> None:
    diff = diff_words(ARTICLE, ARTICLE.upper())
    text = excerpt(diff, max_chars=120)
    assert len(text) <= 120
    assert text.endswith("…")


def _encoded_token_by_token(before: str, after: str) -> tuple[str, str, list[str]]:
    """Every token of `before`, then of `after`, a symbol in order of first appearance."""
    symbols: dict[str, str] = {}
    vocabulary: list[str] = []
    encoded = []
    for text in (before, after):
        chars = []
        for token in tokenize(text):
            if token not in symbols:
                symbols[token] = chr(len(vocabulary))
                vocabulary.append(token)
            chars.append(symbols[token])
        encoded.append("".join(chars))
    return encoded[0], encoded[1], vocabulary


@pytest.mark.parametrize("seed", range(40))
def test_encoding_the_shared_start_and_end_once_gives_the_same_symbols(seed: int) -> None:
    # The second text is the first with a few edits (words, numbers, spaces, blank lines),
    # often at the edges, where the shared start or end is cut between two tokens.
    rnd = random.Random(seed)
    pieces = ["oxytocin", "3.5", "mg", "don’t", " ", "  ", "\n\n", ",", "—", "_", "a", "ab"]
    before = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 60)))
    after = list(before)
    for _ in range(rnd.randint(1, 4)):
        at = rnd.choice([0, len(after), rnd.randint(0, len(after))])
        if after and rnd.random() < 0.4:
            del after[min(at, len(after) - 1)]
        else:
            after[at:at] = rnd.choice(pieces)
    symbols: dict[str, str] = {}
    vocabulary: list[str] = []
    pair = wordalign._encode_pair(before, "".join(after), symbols, vocabulary)
    one, two, expected_vocabulary = _encoded_token_by_token(before, "".join(after))
    assert pair == (one, two)
    assert vocabulary == expected_vocabulary
