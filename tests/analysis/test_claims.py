"""Claim detection, certainty, negation, direction, and citation linking, on hand-built blocks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis import claim_lexicon as lx
from analysis.align import compare_blocks
from analysis.claims import (
    _DROPPING,
    _FREQUENCY_NEEDLES,
    _NEEDLES,
    _NOT_CLAIMS,
    _RELEASE_NEEDLES,
    _UNKNOWN_NEEDLES,
    Claim,
    ClaimType,
    _lower,
    claim_features,
    expand_marker,
    find_claims,
    link_citations,
    normalize_claim,
    present_needles,
    rule_features,
)
from analysis.document import Block
from analysis.references import parse_reference
from analysis.vocabulary import ClaimChangeKind

LABELLED = Path(__file__).parent / "labelled"


@pytest.mark.parametrize(
    "sentence",
    [
        "Oxytocin lowers cortisol — your body’s main stress hormone.",
        "It boosts osteoblasts — the builders behind your bones",
        "It activates cardiac stem cells — helping heal heart damage",
        "It has been clinically proven to have a number of beneficial effects.",
        "Previous research found that administering oxytocin helped prevent osteoporosis.",
        "Regular hugging strengthens the immune system and reduces blood pressure.",
        "Oxytocin may just be the key element that keeps couples together.",
        "Sex releases oxytocin.",
        "It is released with a warm hug, a grasped hand or a loving gaze.",
        "When oxytocin rises, cortisol drops.",
        "Participants given oxytocin had significantly lower cortisol spikes under stress.",
        "This hormone is necessary for pair bonding.",
        "Vitamin D deficiency is linked to depression.",
        "Oxytocin plays a vital role in triggering uterine contractions.",
        "The Oxytocin drug is a safe and potent supplement.",
        "Boosts circulation",
        "Oxytocin doesn’t just make you feel better.",
        "Children with autism could benefit from oxytocin.",
    ],
)
def test_claims(sentence: str) -> None:
    assert claim_features(sentence).is_claim


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("But guess what gets stem cells moving again?", "question"),
        ("Does oxytocin lower cortisol?", "question"),
        ("Oxytocin.", "fragment"),
        ("Hug someone you love", "imperative"),
        ("Try this to lower your stress today.", "imperative"),
        ("Click here to boost your immune system.", "imperative"),
        ("In a neat experiment, scientists gave a group of men a placebo.", "no effect"),
        ("That’s true.", "no effect"),
        ("Oxytocin is often called the “cuddle hormone.”", "no effect"),
        ("Oxytocin is produced by the hypothalamus.", "no effect"),
        (
            "It’s released either via the pituitary gland straight into the bloodstream.",
            "no effect",
        ),
        ("Her lab plans to examine oxytocin’s role in extending a healthy life.", "intent"),
        ("It is not yet known when levels of the hormone start to decline.", "unknown"),
        ("It will be wonderful if we can help autistic children.", "no effect"),
        ("In mice, blood levels of oxytocin declined with age.", "no effect"),
        ("I can heal now.", "no agent or health term"),
        ("The full benefits of oxytocin are only now becoming apparent.", "no effect"),
        ("It’s your body’s hidden healing code.", "no effect"),
        ("We must respond to our fight hormones to protect ourselves.", "no effect"),
    ],
)
def test_not_claims(sentence: str, reason: str) -> None:
    features = claim_features(sentence)
    assert (features.is_claim, features.reason) == (False, reason)


@pytest.mark.parametrize(
    ("sentence", "score"),
    [
        ("Oxytocin lowers cortisol.", 0),
        ("Oxytocin may lower cortisol.", -1),
        ("Oxytocin might possibly lower cortisol.", -2),
        ("Research suggests oxytocin could lower cortisol.", -2),
        ("In mice, oxytocin lowers cortisol.", -1),
        ("Oxytocin is linked to lower cortisol.", -1),
        ("Oxytocin can lower cortisol.", -1),
        ("It wakes up satellite cells — so your muscles can repair faster", 0),
        ("Oxytocin literally lowers cortisol.", 1),
        ("Oxytocin is clinically proven to lower cortisol.", 2),
        ("Oxytocin definitely, literally, always lowers cortisol.", 2),
        ("Research shows oxytocin helps regulate the HPA axis.", 1),
    ],
)
def test_certainty_score(sentence: str, score: int) -> None:
    assert claim_features(sentence).certainty_score == score


@pytest.mark.parametrize(
    ("sentence", "negated"),
    [
        ("Oxytocin does not lower cortisol.", True),
        ("Oxytocin doesn’t lower cortisol.", True),
        ("Oxytocin never lowers cortisol.", True),
        ("Giving mice oxytocin did not seem to cause a change in muscle regeneration.", True),
        ("Oxytocin doesn’t just make you feel better.", False),
        ("Not only does the hormone increase orgasm, it calms.", False),
        ("Oxytocin lowers cortisol.", False),
    ],
)
def test_negation(sentence: str, negated: bool) -> None:
    assert claim_features(sentence).negated is negated


@pytest.mark.parametrize(
    ("sentence", "direction"),
    [
        ("Oxytocin lowers cortisol.", "decrease"),
        ("Oxytocin may lower cortisol.", "decrease"),
        ("Oxytocin suppresses cortisol.", "decrease"),
        ("Oxytocin boosts cortisol.", "increase"),
        ("Oxytocin raises cortisol.", "increase"),
        ("It activates cardiac stem cells.", "increase"),
        ("Oxytocin helps prevent osteoporosis.", "decrease"),
        ("Oxytocin regulates the HPA axis.", ""),
    ],
)
def test_direction(sentence: str, direction: str) -> None:
    assert claim_features(sentence).direction == direction


ARTICLE = (
    Block("paragraph", "Oxytocin might be doing something extraordinary. It could be healing you."),
    Block("heading", "Oxytocin Keeps Men from Straying and Cools Arguments", level=2),
    Block("heading", "What the Research Shows:", ("Repair",), level=3),
    Block(
        "item",
        "It activates cardiac stem cells",
        ("Repair", "What the Research Shows:"),
        list_kind="ul",
        level=1,
    ),
    Block(
        "paragraph",
        "Participants given oxytocin had lower cortisol spikes [1]. That’s true.",
        ("Stress",),
        markers=("[1]",),
    ),
    Block(
        "paragraph",
        "This hormone is necessary for pair bonding.1 That’s why voles mate for life.",
        ("Stress",),
        markers=("1",),
    ),
    Block("code", "oxytocin.lowers(cortisol)"),
    Block("heading", "References", level=2),
    Block(
        "item",
        "Engert V, et al. Oxytocin dampens stress reactivity. 2021. PMC8254750",
        ("References",),
        list_kind="ol",
        level=1,
    ),
)


def test_find_claims_texts() -> None:
    assert [c.text for c in find_claims(ARTICLE)] == [
        "It could be healing you.",
        "It activates cardiac stem cells",
        "Participants given oxytocin had lower cortisol spikes.",
        "This hormone is necessary for pair bonding.",
    ]


def test_find_claims_fields() -> None:
    claims = find_claims(ARTICLE)
    assert [(c.block_index, c.section, c.cites, c.certainty) for c in claims] == [
        (0, (), (), "hedged"),
        (3, ("Repair", "What the Research Shows:"), (), "assertive"),
        (4, ("Stress",), ("1",), "assertive"),
        (5, ("Stress",), ("1",), "assertive"),
    ]


def test_find_claims_links_references() -> None:
    refs = (parse_reference("Engert V, et al. Oxytocin dampens. 2021. PMC8254750", marker="1"),)
    claims = find_claims(ARTICLE, refs)
    assert claims[2].references == (("1", "pmcid:PMC8254750"),)


def test_find_claims_skips_headings_code_and_references() -> None:
    kinds = {ARTICLE[c.block_index].kind for c in find_claims(ARTICLE)}
    assert kinds == {"paragraph", "item"}


def test_normalized_drops_markers_punctuation_and_case() -> None:
    claim = find_claims(ARTICLE)[2]
    assert claim.normalized == "participants given oxytocin had lower cortisol spikes"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Here’s a claim: Oxytocin LOWERS cortisol — truly!",
            "heres a claim oxytocin lowers cortisol truly",
        ),
        ("  spaced   out  ", "spaced out"),
    ],
)
def test_normalize_claim(text: str, expected: str) -> None:
    assert normalize_claim(text) == expected


@pytest.mark.parametrize(
    ("marker", "labels"),
    [
        ("1", ("1",)),
        ("[1]", ("1",)),
        ("3–5", ("3", "4", "5")),
        ("3-4", ("3", "4")),
        ("2,4", ("2", "4")),
        ("5–3", ("5–3",)),
        ("*", ("*",)),
    ],
)
def test_expand_marker(marker: str, labels: tuple[str, ...]) -> None:
    assert expand_marker(marker) == labels


def test_link_citations_expands_ranges_and_skips_unknown_markers() -> None:
    refs = tuple(
        parse_reference(f"Author A. Title {n}. Journal, 20{n:02d}.", marker=str(n))
        for n in (3, 4, 5)
    )
    claim = Claim("It helps.", "it helps", cites=("3–5", "9"))
    (linked,) = link_citations([claim], refs)
    assert [label for label, _ in linked.references] == ["3", "4", "5"]


def test_reference_keys_are_unique_and_ordered() -> None:
    claim = Claim("x", "x", references=(("1", "doi:a"), ("2", "doi:b"), ("3", "doi:a")))
    assert claim.reference_keys == ("doi:a", "doi:b")


# --- issue 11: claims beyond the seed pages ---------------------------------------------------

ISSUE_MISSES = [
    ("Negative MRI results may cause a low compliance rate for recommended follow-up.", "effect"),
    (
        "A new analysis has found that breastfeeding for more than six months may safeguard "
        "nonsmoking mothers against breast cancer.",
        "effect",
    ),
    ("We demonstrate that obesity is a risk factor for developing severe AP.", "association"),
    ("Length of residence was positively associated with prevalence of overweight.", "association"),
    (
        "The practice of sufficient levels of exercise was a protective factor against "
        "immunometabolic disorders in postmenopausal women.",
        "association",
    ),
    ("Green tea consumption seemed to have a protective effect for lacunar infarction.", "effect"),
    ("Taking 4000 IU per day is completely safe for everyone.", "safety"),
    ("Melatonin cures insomnia and anxiety in just one week.", "effect"),
]


@pytest.mark.parametrize(("sentence", "kind"), ISSUE_MISSES)
def test_issue_misses_are_claims(sentence: str, kind: str) -> None:
    assert claim_features(sentence).is_claim


@pytest.mark.parametrize(("sentence", "kind"), ISSUE_MISSES)
def test_issue_misses_have_their_type(sentence: str, kind: str) -> None:
    assert claim_features(sentence).type == kind


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Take 4,000 IU of vitamin D a day.", ClaimType.dosage),
        ("Adults need 600 IU of vitamin D daily.", ClaimType.dosage),
        ("This supplement has no side effects.", ClaimType.safety),
        ("Large doses of vitamin A may be harmful.", ClaimType.safety),
        ("Drug A works better than placebo for migraine pain.", ClaimType.comparison),
        ("Vitamin D3 is more effective than D2 at raising blood levels.", ClaimType.comparison),
        ("Coffee drinkers were less likely to die from heart disease.", ClaimType.association),
        ("Smoking is the leading cause of lung cancer.", ClaimType.effect),
        ("Folic acid decreases the risk of certain birth defects.", ClaimType.effect),
    ],
)
def test_claim_type(sentence: str, kind: ClaimType) -> None:
    assert claim_features(sentence).type is kind


@pytest.mark.parametrize(
    ("sentence", "certainty"),
    [
        ("We demonstrate that obesity is a risk factor for developing severe AP.", "assertive"),
        ("Length of residence was positively associated with prevalence of overweight.", "hedged"),
        (
            "Green tea consumption seemed to have a protective effect for lacunar infarction.",
            "hedged",
        ),
        (
            "Negative MRI results may cause a low compliance rate for recommended follow-up.",
            "hedged",
        ),
        ("Taking 4000 IU per day is completely safe for everyone.", "assertive"),
        ("Older adults who drank coffee had a lower risk of death.", "hedged"),
    ],
)
def test_issue_certainty(sentence: str, certainty: str) -> None:
    score = claim_features(sentence).certainty_score
    assert ("hedged" if score < 0 else "assertive") == certainty


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Further studies are needed to confirm that vitamin D prevents falls.", "research"),
        ("More research is needed to show how melatonin improves sleep.", "research"),
        ("We investigated how weight loss affects mortality.", "research"),
        ("Mortality was analysed in participants who reduced their salt intake.", "research"),
        ("Obesity rates increased 37% between 1995 and 2008.", "trend"),
        ("Obesity prevalence doubled between 1980 and 2000.", "trend"),
        ("Does vitamin D prevent colds?", "question"),
        ("“Natural” does not mean a product is safe.", "about words"),
        ("It has been unclear how coffee lowers the risk of cancer.", "unknown"),
        ("Participants took 2,000 IU a day for three years.", "no effect"),
    ],
)
def test_not_claims_beyond_the_seed_pages(sentence: str, reason: str) -> None:
    features = claim_features(sentence)
    assert (features.is_claim, features.reason) == (False, reason)


def test_find_claims_carries_the_type() -> None:
    (claim,) = find_claims((Block("paragraph", "Obesity is a risk factor for severe AP."),))
    assert claim.type is ClaimType.association


# --- round 2: a predicate needs a health outcome in its own clause ---------------------------


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("The lens helps focus light on the film.", "no outcome"),
        ("The Federal Government regulates dietary supplements through the FDA.", "no outcome"),
        ("This caution also applies to treating children with herbal supplements.", "no effect"),
        ("Large doses of vitamin C can cause:", "no outcome"),
        (
            "Awareness and treatment of high blood pressure has dropped among U.S. adults.",
            "no outcome",
        ),
        (
            "It’s defined as a reading of 130/80 mm Hg or higher, or by taking medication.",
            "definition",
        ),
        ("Manufacturers are responsible for ensuring that their products are safe.", "duty"),
        ("What causes hepatitis isn’t always known.", "unknown"),
        (
            "The institute funded a study to determine which tumors benefit from chemotherapy.",
            "intent",
        ),
        ("Lexchin examines how Pfizer transformed sildenafil into a lifestyle drug.", "research"),
        ("Mental health problems affect millions of children in the U.S.", "no effect"),
    ],
)
def test_not_claims_round_2(sentence: str, reason: str) -> None:
    features = claim_features(sentence)
    assert (features.is_claim, features.reason) == (False, reason)


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Hugs help lower stress.", ClaimType.effect),
        ("It could be healing you.", ClaimType.effect),
        ("Drinking water before meals helps some people eat less.", ClaimType.effect),
        ("Diet and exercise are key to avoiding weight gain as you get older.", ClaimType.effect),
        (
            "You should be able to get all the vitamin C you need from your daily diet.",
            ClaimType.effect,
        ),
        ("maintaining healthy skin, blood vessels, bones and cartilage", ClaimType.effect),
        (
            "Vitamin C can't be stored in the body, so you need it in your diet every day.",
            ClaimType.dosage,
        ),
        (
            "Life expectancies were 15%–20% higher in patients who started ART early.",
            ClaimType.association,
        ),
        ("At worst, they're dangerous.", ClaimType.safety),
        ("The small comments a loved one makes are doing harm.", ClaimType.safety),
        (
            "Weight loss in the obese improves risk factors for cardiovascular diseases.",
            ClaimType.effect,
        ),
    ],
)
def test_claims_round_2(sentence: str, kind: ClaimType) -> None:
    features = claim_features(sentence)
    assert (features.is_claim, features.type) == (True, kind)


@pytest.mark.parametrize(
    ("sentence", "certainty"),
    [
        # association wording as a modifier of another clause does not hedge the claim
        (
            "Oxytocin, a hormone associated with nurturing, is indispensable for muscle repair.",
            "assertive",
        ),
        ("Nursing mothers exhibit behavior associated with oxytocin.", "hedged"),
        (
            "Weight loss leads to rapid improvement of the cardiovascular risk factor profile.",
            "assertive",
        ),
        ("Life expectancies were 15%–20% higher in patients who started ART early.", "hedged"),
        ("Taking less than 1,000mg of vitamin C a day is unlikely to cause any harm.", "hedged"),
        ("Defects appear right away when genes for tissue repair are disabled.", "assertive"),
    ],
)
def test_certainty_round_2(sentence: str, certainty: str) -> None:
    score = claim_features(sentence).certainty_score
    assert ("hedged" if score < 0 else "assertive") == certainty


@pytest.mark.parametrize(
    "sentence",
    [
        "Pfizer took steps so that Viagra was not relegated to just treating men with ED.",
        "Public health programs focus on reducing or preventing obesity.",
        "The autism spectrum predicted reduced belief in God.",
        "Scientists are working to better understand the links between attitude and body.",
    ],
)
def test_predicates_that_are_not_the_claim(sentence: str) -> None:
    assert not claim_features(sentence).is_claim


def test_an_association_in_a_side_clause_is_not_the_rules_claim() -> None:
    # The rules read the appositive as a side clause. Round 4's model adds the sentence (p ≈ 0.58
    # at add 0.5): a known false claim of the shipped detector (docs/claims.md §8).
    sentence = (
        "Mentalizing deficits, associated with the autistic spectrum, may reduce belief in God."
    )
    assert rule_features(sentence).reason == "no outcome"


def test_issue_reader_edits_of_a_blog_post() -> None:
    # issue 11: a reader's edits of a blog post, compared as the pipeline compares two versions
    intro = "Vitamin D matters for winter health."
    before = [
        Block("paragraph", intro),
        Block("paragraph", "Taking 4000 IU per day is completely safe for everyone."),
        Block("paragraph", "Melatonin cures insomnia. It is sold without a prescription."),
    ]
    after = [
        Block("paragraph", intro),
        Block(
            "paragraph",
            "Melatonin cures insomnia and anxiety in just one week. "
            "It is sold without a prescription.",
        ),
    ]
    claims, _ = compare_blocks(before, after)
    assert [(c.text, c.type) for c in claims.removed] == [
        ("Taking 4000 IU per day is completely safe for everyone.", ClaimType.safety)
    ]
    assert claims.added == ()
    (change,) = claims.modified
    assert (change.before.text, change.after.text, change.change) == (
        "Melatonin cures insomnia.",
        "Melatonin cures insomnia and anxiety in just one week.",
        ClaimChangeKind.strengthened,
    )
    assert {"outcome added: anxiety", "time-frame added: 7 days"} <= set(change.reasons)


def _labelled_sentences() -> list[str]:
    sets = ("claims-dev", "claims-dev2", "claims-dev3", "heldout", "heldout2")
    return [
        _lower(s["text"])
        for name in sets
        for s in json.loads((LABELLED / f"{name}.json").read_text("utf-8"))["sentences"]
    ]


def test_pattern_needles_are_in_every_match() -> None:
    # The rules skip a pattern on a sentence that holds none of its needles: sound only if every
    # match of the pattern holds one.
    guarded = [
        (lx.RELEASE, _RELEASE_NEEDLES),
        (lx.SUFFICIENCY, ("get ",)),
        (lx.DOSE_FREQUENCY, _FREQUENCY_NEEDLES),
        (lx.UNKNOWN, _UNKNOWN_NEEDLES),
        (lx.DOSE, tuple("0123456789")),
        *_DROPPING,
        *((pattern, needles) for pattern, _, needles in _NOT_CLAIMS if needles),
    ]
    texts = _labelled_sentences()
    assert len(texts) > 800
    for pattern, needles in guarded:
        matches = [m.group(0) for t in texts for m in pattern.finditer(t)]
        assert [m for m in matches if not any(n in m for n in needles)] == [], pattern.pattern


def test_present_needles_are_the_needles_the_sentence_holds() -> None:
    texts = [*_labelled_sentences(), "it has no side-effects and works better than as much."]
    for text in texts:
        assert present_needles(text) == {n for n in _NEEDLES if n in text}, text
    assert {"effect", "better", "as ", "safe"} - present_needles(texts[-1]) == {"safe"}


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Therapy for Rare Bone Disorder Shows Promise in NIH Clinical Trial", "heading"),
        ("Improving Sleep Problems", "heading"),
        ("Myth: Herbs such as valerian and kava are effective for insomnia.", "myth"),
    ],
)
def test_not_claims_round_4(sentence: str, reason: str) -> None:
    # docs/claims.md §8: headlines left in running text, and statements given as myths
    assert rule_features(sentence).reason == reason
    assert not claim_features(sentence).is_claim


@pytest.mark.parametrize(
    "sentence",
    [
        "Boosts circulation",  # a list item: sentence case, not a headline
        "Vitamin D Helps the body absorb calcium.",  # a final stop: running text
        "Our stress may be passed on to the children in this way.",  # transmission
    ],
)
def test_claims_round_4(sentence: str) -> None:
    assert claim_features(sentence).is_claim
