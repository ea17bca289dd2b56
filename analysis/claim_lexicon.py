"""Word lists and patterns behind claim detection (analysis/claims.py), kept apart to be read.

Every pattern runs on lower-cased text with curly apostrophes folded to "'".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def words(text: str) -> frozenset[str]:
    """The space-separated words of `text` as a set."""
    return frozenset(text.split())


# Effect verbs by the direction they move their object. Irregular forms are listed in IRREGULAR.
INCREASE = _words(
    "boost increase raise enhance activate stimulate promote elevate strengthen improve heighten "
    "amplify accelerate trigger induce foster arouse sensitize rejuvenate regenerate rebuild "
    "restore renew heal repair encourage flood double triple quintuple assist spike extend "
    "lengthen speed sharpen energize detoxify"
)
DECREASE = _words(
    "lower reduce decrease suppress dampen inhibit diminish lessen block counteract combat fight "
    "prevent alleviate relieve soothe compromise tackle cut drop decline weaken impair cure "
    "ease burn disrupt damage harm kill destroy shorten shrink clear eliminate"
)
NEUTRAL = _words(
    "affect impact influence regulate cause help benefit transform rewire ensure "
    "modulate treat protect aggravate worsen support reverse balance normalize safeguard "
    "contribute predispose"
)
# Words that are nouns as often as verbs: their bare form counts only after a modal, "to",
# "do/does", a pronoun or "help".
AMBIGUOUS = frozenset(
    _words(
        "boost increase decrease drop cause help benefit support repair impact block cut fight "
        "spike trigger lower double triple decline treat flood ease burn damage harm speed "
        "clear balance reverse cure"
    )
)
# Words ending in "s" that are not plural nouns (a bare verb after a plural noun is a verb).
NOT_PLURAL = frozenset(
    _words(
        "is was has does this its his hers ours yours theirs us as thus less always plus across "
        "perhaps various previous serious numerous famous obvious nervous yes versus unless "
        "whereas towards afterwards regardless"
    )
)
IRREGULAR = {
    "fight": ("fought",),
    "speed": ("sped",),
    "shrink": ("shrank", "shrunk"),
    "rebuild": ("rebuilt",),
}

MODALS_BEFORE_BARE = frozenset(
    _words(
        "to can could may might will would should must does do did not n't also just "
        "it they we you i that which who help helps helped helping and doesn't don't didn't "
        "won't can't cannot wouldn't couldn't shouldn't never"
    )
)
# "to <verb>" counts only when governed by one of these (within three words before "to"), so
# purpose clauses ("we must respond ... to protect ourselves") are not read as effects.
TO_GOVERNORS = frozenset(
    _words(
        "help helps helped helping shown proven work works worked act acts acted able used "
        "administered seem seems seemed appear appears appeared predicted believed likely known "
        "thought way ability order found reported expected tend tends continue continues "
        "began begin begins needed"
    )
)
DETERMINERS = frozenset(
    _words(
        "the a an your my our their his her its this that these those no any some every each own"
    )
)
# Words before a sentence-final "benefits"/"causes" that make it a noun ("health benefits.").
NOUN_MODIFIERS = ("ed", "al", "ic", "health")
# Words after a plural noun that close its phrase: "organic causes, such as", "causes like".
NOUN_FOLLOWERS = frozenset(_words("such like including and or"))
AUXILIARIES = frozenset(
    _words("don't do did didn't are were have had can could will would may might is was")
)
PREPOSITIONS = frozenset(_words("of with in for on from into at than"))
NOUN_HEADS = frozenset(
    _words("code process effect effects hormone hormones properties power time factor")
)

_PHRASES: tuple[tuple[str, str, str], ...] = (
    # (pattern, direction, kind); NEEDLES below says which words a sentence needs for each
    (r"\bplay(?:s|ed|ing)? (?:a|an|the)?\s?(?:\w+ )?roles? in\b", "", "role"),
    (
        r"\b(?:is|are|was|were|be|been|being|'s) (?:\w+ )?(?:necessary|essential|indispensable"
        r"|vital|crucial|critical)(?: for| to| in)\b|\b(?:is|are|was|were|be|'s) (?:\w+ )?(?:needed"
        r"|required) for\b"
        r"|\b(?:is|are|be|'s) (?:\w+ )?important (?:for\b|in \w+ing\b)"
        r"|\b(?:is|are|be|'s|'re) (?:\w+ )?key (?:to|for|in)\b",
        "",
        "necessity",
    ),
    (r"\b(?:associated|linked|connected|correlated|tied) (?:with|to)\b", "", "association"),
    (r"\b(?:bio)?markers? (?:of|for)\b", "", "association"),
    (r"\bha(?:ve|s|d|ving) (?:\w+ ){0,2}to do with\b", "", "association"),
    (r"\b(?:is|are|was|were|be|been|'s) (?:\w+ )?involved in\b", "", "role"),
    (r"\bha(?:s|ve|d) (?:\w+ ){0,2}?roles? in\b", "", "role"),
    (
        r"\b(?:provides?|provided|offers?|offered|produces?|produced|yields?) (?:\w+ ){0,3}?"
        r"(?:recovery|improvements?|benefits?|relief|protection|reductions?|restoration)\b",
        "",
        "effect",
    ),
    (r"^without (?:enough|sufficient|adequate|regular) \w+", "", "effect"),
    (r"\bessential for\b", "", "necessity"),
    (r"\bresponsible for\b", "", "cause"),
    # transmission: "stress may be passed on to the children", "HIV can be transmitted to babies"
    (
        r"\b(?:be|been|is|are|was|were|gets?|got) (?:passed (?:on|down)|transmitted) to\b",
        "",
        "cause",
    ),
    (r"\b(?:lead|leads|leading|led) to\b", "", "cause"),
    (r"\bresult(?:s|ed|ing)? in\b", "", "cause"),
    (r"\b(?:effects?|impacts?|influence) (?:on|upon)\b", "", "effect"),
    (r"\bbenefit(?:s|ed|ting)? from\b", "increase", "benefit"),
    (r"\bbenefits? (?:for|to)\b", "increase", "benefit"),
    (
        r"\b(?:is|are|be|been|being) (?:\w+ )?beneficial\b|\bbeneficial effects?\b",
        "increase",
        "benefit",
    ),
    (
        r"\b(?:is|are|was|were|been|be|'s) (?:a |an )?(?:\w+ ){0,2}?(?:safe|potent|effective"
        r"|successful|efficacious)\b",
        "",
        "property",
    ),
    (r"\bimprovements? in\b", "increase", "change"),
    (r"\b(?:rises?|increases?|boosts?) in\b", "increase", "change"),
    (r"\b(?:reductions?|decreases?|declines?|drops?) in\b", "decrease", "change"),
    (r"\b(?:used|administered|prescribed) (?:to|for) (?!its |their )\w", "", "treatment"),
    (r"\b(?:treatment|cure|remedy|therapy|aid)(?: target)? (?:for|to)\b", "", "treatment"),
    (r"\b(?:enhancer|booster|reliever|reducer|stimulant|suppressant)\b", "increase", "property"),
    (
        r"\b(?:have|has|had|show|shows|showed) (?:a |an )?(?:\w+ )?(?:calming|relaxing|soothing"
        r"|positive|negative|protective|beneficial|healing|cumulative|therapeutic|lasting) effect",
        "",
        "effect-adj",
    ),
    (r"\b(?:tells?|told|telling|signals?) (?:your|the) (?:body|cells|brain|system)\b", "", "tell"),
    (
        r"\b(?:make|makes|making|made) (?:you|us|people|them|your \w+) (?:feel|melt|relax|calm"
        r"|happ\w*|heal|stronger|better)",
        "",
        "effect",
    ),
    (r"\bfeels? (?:more|less|better|calmer|happier|stronger)\b", "", "effect"),
    (
        r"\b(?:keep|keeps|kept|keeping) (?:\w+ ){1,3}?(?:together|from|away|healthy|calm|young)\b",
        "",
        "effect",
    ),
    (r"\b(?:wakes?|woke|waking) (?:\w+ )?up\b", "increase", "effect"),
    (r"\bslow(?:s|ed|ing)? down\b", "decrease", "effect"),
    (r"\bmaintain(?:s|ed|ing)? (?:a |your |their )?(?:healthy|strong|normal)\b", "", "effect"),
    (r"\bby (?:supplementing|taking|using|administering|stimulating)\b", "", "means"),
    (
        r"\b(?:had|have|has|with|showed|show|shows) (?:\w+ ){0,4}?(?:lower|higher|reduced|increased"
        r"|less|more|greater|fewer|elevated|decreased) (?:\w+ ){0,2}?(?:cortisol|levels?|spikes?"
        r"|blood pressure|stress|pain|anxiety|risks?|symptoms|inflammation|weight|libido|mood"
        r"|(?:\w+ )?attacks|infections|deaths|fractures|colds|cases|episodes|migraines|injuries"
        r"|mortality|survival|life expectanc\w+)\b",
        "",
        "group",
    ),
    (
        r"\b(?:were|was|is|are) (?:[\w%.–-]+ ){0,3}?(?:higher|lower|greater|reduced|increased"
        r"|shorter"
        r"|longer|better|worse) (?:\w+ ){0,4}?(?:in|among|for) (?:\w+ ){0,2}?(?:people|patients"
        r"|those|women|men|children|adults|participants|individuals|users|groups?)\b",
        "",
        "group-comparison",
    ),
    (
        r"\blevels? (?:of (?:the )?\w+ )?(?:\w+ )?(?:quintuple|double|triple|rise|rises|rose|fall"
        r"|falls|fell|drop|drops|dropped|become (?:\w+ )?(?:high|low)|are (?:\w+ )?(?:high|low))\b",
        "",
        "change",
    ),
    (r"\b(?:rises|rose|drops|dropped|falls|fell|plummets|soars|surges)\b", "", "change"),
)
# A phrase pattern runs only on sentences holding one of its needles: ten times faster.
_NEEDLES = (
    "role",
    "necessary essential indispensable vital crucial critical important needed required key",
    "associated linked connected correlated tied",
    "marker",
    "to do with",
    "involved",
    "role",
    "provide offer produce yield",
    "without",
    "essential",
    "responsible for",
    "passed transmitted",
    "lead led",
    "result",
    "effect impact influence",
    "benefit",
    "benefit",
    "beneficial",
    "safe potent effective successful efficacious",
    "improvement",
    "rise increase boost",
    "reduction decrease decline drop",
    "used administered prescribed",
    "treatment cure remedy therapy aid",
    "enhancer booster reliever reducer stimulant suppressant",
    "effect",
    "tell told signal",
    "make made",
    "feel",
    "keep kept",
    "wak woke",
    "slow",
    "maintain",
    "by ",
    "lower higher reduced increased less more greater fewer elevated decreased",
    "higher lower greater reduced increased shorter longer better worse",
    "level",
    "rise rose drop fell fall plummet soar surge",
)


PHRASES = tuple(
    (re.compile(p), d, k, frozenset(n.split(" ")) if n != "by " else frozenset({"by "}))
    for (p, d, k), n in zip(_PHRASES, _NEEDLES, strict=True)
)
DIRECTION_WORDS = {
    "increase": re.compile(
        r"\b(?:higher|more|greater|increased|elevated|rises?|rose|soars|surges"
        r"|quintuple|double|triple|high)\b"
    ),
    "decrease": re.compile(
        r"\b(?:lower|less|fewer|reduced|decreased|drops?|dropped|falls?|fell"
        r"|plummets|low)\b"
    ),
}

# Release of a hormone counts as an effect only with a trigger ("released with a warm hug",
# "when you trust") or an active subject ("Sex releases oxytocin"), not "released from the gland".
RELEASE = re.compile(
    r"\b(?:release|releases|released|releasing|secrete|secretes|secreted|experiences? oxytocin)\b"
)
RELEASE_ACTIVE = re.compile(
    r"\b(?:releases?|secretes?|experiences?) (?:the )?(?:oxytocin|hormone|endorphins|dopamine"
    r"|serotonin)\b"
)
TRIGGERS = re.compile(
    r"\b(?:when (?:you|we|we're|they|people|she|he|someone)|during|hugs?|hugging|touch(?:ed|ing)?"
    r"|kiss(?:es|ing)?|sex|lovemaking|intimate|intimacy|orgasms?|massage|exercise|safety"
    r"|meet and mate|childbirth|breastfeeding|nursing)\b"
)

HEALTH = re.compile(
    r"\b(?:oxytocin|hormones?|cortisol|stress\w*|drugs?|medications?|medicine|supplement\w*|spray"
    r"|therap\w+|treatments?|doses?|dosages?|injections?|vitamins?|diet|exercise|touch\w*|hug\w*"
    r"|massage|sex\w*|lovemaking|intima\w+|orgasms?|libido|arousal|desire|bond\w*|relationships?"
    r"|couples?|monogam\w*|trust|communication|behaviou?rs?|aggression|mood|depression|anxiety"
    r"|pain|sleep|appetite|weight|obesity|well-?being|health(?! ?care)\w*|immune|inflammation"
    r"|cancer"
    r"|tumou?rs?|diseases?|symptoms?|blood|heart|cardiac|cardiovascular|bones?|muscles?|joints?"
    r"|cartilage|tissues?|cells?|osteo\w+|brain|nerves?|body|bodies|mind|skin|aging|ageing"
    r"|regenerat\w+|repair|healing|recovery|contractions|labou?r|childbirth|breast\s?feeding"
    r"|milk|calm\w*|relax\w*|resilience|openness|connection|emotion\w*|feelings?|willingness"
    r"|hpa|endorphins|testosterone|genes?|fertility|memory|autis\w+|schizophrenia|dementia"
    r"|fibromyalgia|sarcopenia|menopause|diabetes|organs?|degeneration|defects|agility|pleasure"
    r"|closeness|bleeding|neurons?|system|wellness|pressure|risks?"
    # general body, condition and nutrient vocabulary
    r"|liver|kidneys?|lungs?|gut|stomach|digest\w*|intestin\w*|colon|bowel|microbiome|bacteria"
    r"|metabolism|metabolic|fat|belly|cholesterol|triglycerides|lipids|glucose|insulin|sugar"
    r"|absorption|circulation|arter\w+|veins?|stroke|heart attacks?|fractures?|injur\w+|cramps?"
    r"|fatigue|energy|focus|cognit\w+|alzheimer'?s|parkinson'?s|arthritis|asthma|allerg\w+"
    r"|infect\w*|viral|virus\w*|flu|colds?|fever|acne|hair|teeth|eyes?|vision|hearing"
    r"|immunity|insomnia|migraines?|headaches?|nausea|hormonal|thyroid|adrenal|estrogen"
    r"|fertility|pregnan\w+|longevity|lifespan|mortality|deaths?|inflammatory|antioxidants?"
    r"|probiotics?|antibiotics?|caffeine|coffee|alcohol|nicotine|smoking|fasting|nutrients?"
    r"|minerals?|magnesium|zinc|iron|calcium|potassium|omega-?3s?|fish oil|collagen|melatonin"
    r"|protein|fiber|fibre|calories|diets?|foods?|meals?|breakfast|herbs?|extracts?"
    r"|patients?|symptoms?|conditions?|disorders?"
    # clinical and public-health vocabulary of abstracts and health news
    r"|overweight|obese|underweight|mri|scans?|screening|diagnos\w+|compliance|adherence"
    r"|follow-up|infarction|blind\w*|visual|retina\w*|photoreceptors?|life expectanc\w+"
    r"|survival|morbidity|illness(?:es)?|sick\w*|hiv|aids|erecti\w+|intercourse|rickets"
    r"|tetany|folic acid|toxins?|tobacco|chemicals|radiation|pollution|sunlight|uv|tea|wine"
    r"|nuts|fruits?|vegetables|grains?|meat|dairy|salt|sodium|poverty|epidemic|outbreak"
    r"|dose|doses|iu|mg|mcg|drinkers|smokers|residence|literacy|green spaces?|amblyopia"
    r"|\w+(?:itis|osis|emia|aemia|omas?|pathy|pathies|algia|plasia|trophy|iasis))\b"
)
PRONOUN_SUBJECT = re.compile(
    r"(?:^|[:;—–-]\s*|\b(?:and|but|so)\s+|^\w+,\s*)(?:it|this|they|these|it's)\b"
)

IMPERATIVES = frozenset(
    _words(
        "hug laugh walk do express feel let let's try find contact click call subscribe leave "
        "read learn sign buy order get ask talk take make give share join remember consider "
        "imagine think stop start eat drink avoid use see visit book schedule discover download "
        "follow check go come don't please"
    )
)
INTENT = re.compile(
    r"\bto (?:look at|see if|see whether|test whether|determine|assess|evaluate|investigate"
    r"|identify|measure|compare|understand|learn (?:more )?about|study) "
    r"|\b(?:plans? to|planning to|our quest|quest is|aims? to|goal is|decided to"
    r"|underway|interested to know|want to know|to examine|to find out)\b"
    r"|\b(?:we|i)(?:'re|'m| are| am) going to\b"
)
UNKNOWN = re.compile(
    r"\b(?:not (?:yet )?known|unknown|unclear|(?:do|does|did) not know|don't know|wonder)"
    r" (?:\w+ ){0,2}?(?:when|what|whether|if|how|why|the ways)\b"
    r"|^(?:what|how|why|whether) .{0,80}\b(?:is|are|remains?)(?:n't| not)? (?:always |yet |fully "
    r"|well )?(?:not )?(?:known|unknown|understood|unclear)\b"
)
CONDITIONAL = re.compile(r"\b(?:if|whether)\b[^,;]*")
AGE_CHANGE = re.compile(r"\b\w+ with age\b")

HEDGES = re.compile(
    r"\b(?:may|might|could|perhaps|maybe|possibly|potentially|probably|likely|suggests?|suggested"
    r"|suggesting|(?:appears?|appeared) (?:to|that)|it appears|seems?|seemed|believed?|believes"
    r"|predicted|suspect|suspects"
    r"|thought to|to our knowledge|not known|mice|mouse|rats?|rodents?|animals?|voles?"
    r"|associated with|linked (?:to|with)|connected to|correlated with|to do with|biomarker"
    r"|indicates?|relation (?:to|between)|corresponded to"
    r"|indicated|indicating|associations? between|speculate"
    r"|(?:is|are|was|were|be|been|being|as|remains?) (?:\w+ ){0,3}?(?:risk|protective) factors?"
    r"|expected|potential|possible|unlikely|should be able to)\b"
)
CAN = re.compile(r"\bcan\b(?!'t| not)")
BOOSTERS = re.compile(
    r"\b(?:proven|definitely|literally|always|guaranteed|certainly|undoubtedly|clinically"
    r"|research shows|studies show|science shows|evidence shows|shown to|been shown|demonstrates?"
    r"|demonstrated|established|no doubt|clearly|completely|confirmed)\b"
)
NEGATORS = re.compile(
    r"\b(?:not|no|never|cannot|can't|won't|doesn't|don't|didn't|isn't|aren't|wasn't|weren't"
    r"|no longer|neither|nor)\b"
)
NOT_NEGATION = re.compile(r"(?:\bnot|n't) (?:just|only|merely|simply)\b")

# --- generalisation beyond the seed pages (issue 11) -------------------------------------------

# Association wording: a relationship stated without cause.
ASSOCIATION = re.compile(
    r"\b(?:is|are|was|were|be|been|being|as|remains?) (?:\w+ ){0,3}?(?:risk|protective|predictive"
    r"|prognostic) factors? (?:for|against|of|in)\b"
    r"|\bpredictors? of\b|\b(?:a|an|the|no|strong|significant|positive|inverse|negative|clear)"
    r" (?:\w+ )?associations? (?:between|with)\b|\b(?:less|more) likely to (?:die|develop|get"
    r"|have|be|suffer|experience|survive|report)\b"
)
# Causal phrases the verb list does not reach: "a leading cause of", "attributable to".
CAUSE_PHRASE = re.compile(
    r"\b(?:a|an|the|one) (?:leading |main |major |primary |prime |common |possible |likely )?"
    r"causes? of\b"
    r"|\battributable to\b|\bfactors? (?:determining|affecting|influencing)\b"
)
# Safety: a property (safe, harmful...) or a harm the agent has or causes.
SAFETY = re.compile(
    r"\b(?:safe|safety|unsafe|harmful|hazardous|toxic|toxicity|dangerous|well[- ]tolerated"
    r"|side[- ]effects?|adverse (?:effects?|events?|reactions?)|adversely|negative effects?"
    r"|health problems|medical problems|(?:liver|kidney|organ|nerve) damage)\b"
)
SAFETY_CLAIM = re.compile(
    r"\b(?:is|are|was|were|be|been|being|'s|'re|seems?|appears?|remains?) (?:\w+ ){0,3}?(?:safe"
    r"|unsafe|harmful|hazardous|toxic|dangerous|well[- ]tolerated)\b"
    r"|\b(?:most|very|more|less|quite) (?:\w+ ){0,2}?(?:dangerous|harmful|hazardous)\b"
    r"|\b(?:cause[sd]?|causing|pose[sd]?|posing|ha(?:ve|s|d)|experienced?|produce[sd]?|without"
    r"|do|does|did|doing"
    r"|no|lead to|leads to|linked to|associated with) (?:\w+ ){0,2}?(?:side[- ]effects?"
    r"|adverse effects?|negative effects?|harmful effects?|health problems|medical problems|risks"
    r"|toxicity|harm|injury|injuries|(?:liver|kidney) damage)\b"
    r"|\b(?:potential|risk) (?:for|of) (?:[\w-]+ ){0,3}?toxicity\b|\badversely affect"
    r"|\bsafety (?:record |profile )?of (?:\w+ ){1,4}?(?:has|have|is|was|are) (?:\w+ ){0,2}?"
    r"(?:good|excellent|poor|established|demonstrated)\b"
)
# Dosage: an amount with a unit, said to be needed, recommended, safe or to be taken.
DOSE = re.compile(
    r"\b\d[\d,.]*\s?(?:iu|mg|mcg|µg|micrograms?|milligrams?|grams?|g|ml|cups?|servings?"
    r"|glasses|drinks?|capsules?|tablets?|pills?|minutes|hours|steps)\b"
)
DOSE_ADVICE = re.compile(
    r"^(?:take|drink|eat|get|aim for|use|have|try)\b|\b(?:need|needs|should (?:take|get|have"
    r"|drink|eat)|recommends?|recommended|upper limit|rda|allowance|is enough|are enough"
    r"|no more than|at least|up to)\b"
)
# Efficacy comparisons: "works better than", "more effective than", "as important ... as".
COMPARISON = re.compile(
    r"\b(?:works?|worked|working|is|are|was|were|be) (?:\w+ ){0,2}?(?:better|worse|superior"
    r"|inferior)\b(?! (?:understand|know|manage|handle|prepare|learn)\b)"
    r"|\b(?:more|less) (?:effective|efficacious|suitable|beneficial|helpful|potent"
    r"|important)\b|\bas (?:important|effective|good|beneficial|helpful|safe) (?:\w+ ){0,5}?as\b"
    r"|\b(?:versus|vs\.?|compared (?:with|to)) (?:\w+ ){0,4}?(?:placebo|sugar pill|controls?)\b"
    r"|\bversus \d"
)
# Sentences about research, not about health: aims, methods, calls for more research.
RESEARCH = re.compile(
    r"^(?:\w+ ){0,3}?(?:we|this study|the study|this report|this article|this fact sheet"
    r"|the researchers|researchers|the authors?|the team|our study|they)(?: also)? (?:aimed|aim"
    r"|investigated|investigate|examined|examine|examines|assessed|evaluated|explored|sought"
    r"|analy[sz]ed|studied|compared|looked|developed|estimated|estimate|calculated|used|use"
    r"|compiled|coded|identified|obtained|conducted|collected|followed|provides?|reports?"
    r"|started|took|attempted|attempt)\b|\b(?:are|were|is) (?:looking at|studying|investigating"
    r"|examining|exploring|testing)\b|\banaly[sz]ed data\b"
    r"|^(?:\w+ ){1,2}(?:examines|examined|describes|described|discusses|discussed|reviews"
    r"|reviewed|explores|explored) (?:how|why|whether|what)\b"
    r"|\b(?:colleagues|researchers|investigators|scientists|authors|team) (?:also )?(?:examined"
    r"|investigated|assessed|evaluated|analy[sz]ed|studied|compared|looked at|estimated)\b"
    r"|\b(?:was|were) (?:\w+ )?(?:analy[sz]ed|collected|obtained|estimated|calculated|used"
    r"|followed|recruited|enrolled|randomi[sz]ed|measured|conducted|compiled|restricted)\b"
    r"|\b(?:need|needs|needed|require[sd]?) (?:more|further|additional) (?:research|study"
    r"|studies|investigation|trials)\b|^(?:\w+ ){0,3}?(?:more|further|additional) (?:\w+ )?"
    r"(?:research|studies|investigation|trials|testing|work) (?:is|are) (?:needed|required"
    r"|warranted)\b|\bis warranted\b"
)
UNCLEAR = re.compile(
    r"\b(?:has been|have been|remains?|is|are|was) (?:\w+ )?(?:unclear|unknown|poorly"
    r" (?:understood|characterized))\b|\bcan(?:'t|not) be sure\b"
    r"|\bthe (?:hope|fear|concern|worry|question) is\b"
)
# "'Natural' does not mean safe": a statement about a word, not about an agent.
META = re.compile(r"\b(?:does not|doesn't|don't|do not) (?:\w+ )?(?:mean|imply|equate)\b")
# A rate or count that rose or fell over time, with no agent: a trend, not a claim.
TREND = re.compile(
    r"\b(?:prevalence|rates?|incidence|numbers?|proportion|percentage|share|nmr|estimates?"
    r"|deaths|cases|trends?)\b[^;:]{0,160}?\b(?:increased|decreased|declined|rose|fell|dropped"
    r"|doubled|tripled|halved|remained|grew|increasing|decreasing|declining|rising|falling"
    r"|slowing|leveling|levelling)\b"
)
YEAR = re.compile(
    r"\btrends?\b|\b(?:1[89]|20)\d\d\b|\bover the (?:past|last) \w+ (?:years|decades)\b"
)
GROUP_RISK = re.compile(
    r"\b(?:had|have|has|with) (?:\w+ ){0,4}?(?:lower|higher|reduced|increased|greater) (?:\w+ )?"
    r"(?:risks?|mortality)\b"
)
# Wording that already marks an association as hedged (no extra hedge for the claim type).
ASSOCIATION_HEDGE = re.compile(
    r"\b(?:associated|associations?|linked|connected|correlated|tied|likely|risk factors?"
    r"|protective factors?|predictors?)\b"
)

# --- structure (round 2): an effect needs a health outcome in its own clause -------------------

# Health outcomes only: what a claim says is changed, caused, prevented or linked. Agents (drugs,
# supplements, foods, exercise) and populations (patients, children) are not outcomes, so "The FDA
# regulates dietary supplements" or "The lens helps focus light" state no health relationship.
OUTCOME = re.compile(
    r"\b(?:oxytocin|hormon\w*|cortisol|testosterone|estrogen|endorphins|dopamine|serotonin"
    r"|insulin|glucose|cholesterol|triglycerides|lipids|blood|heart|cardiac|cardiovascular|bones?"
    r"|muscles?|joints?|cartilage|tissues?|cells?|osteo\w+|brain|nerves?|neurons?|organs?|liver"
    r"|kidneys?|lungs?|gut|stomach|digest\w*|intestin\w*|colon|bowel|skin|hair|teeth|eyes?|vision"
    r"|visual|hearing|retina\w*|photoreceptors?|metabolism|metabolic|immun\w+|inflammat\w+"
    r"|circulation|arter\w+|veins?|absorption|(?:your|the body's|immune|nervous|digestive"
    r"|circulatory|reproductive|endocrine) system|hpa|body|bodies|mind|mood|emotion\w*|feelings?"
    r"|stress\w*|anxiety|depress\w*|pain|sleep\w*|insomnia|fatigue|energy|memory|cognit\w+"
    r"|attention|learning|mental|behaviou?rs?|aggression|calm\w*|relax\w*|resilience|well-?being"
    r"|wellness|health(?! ?care)\w*|fitness|strength|balance|flexibility|endurance|weight|obes\w+"
    r"|overweight|fat|belly|waist|bmi|appetite|libido|arousal|desire|fertility|pregnan\w+|birth"
    r"|labou?r|contractions|childbirth|lactation|milk|erecti\w+|aging|ageing|longevity|lifespan"
    r"|life expectanc\w+|mortality|deaths?|die|died|dying|survival|morbidity|recovery|healing"
    r"|repair|regenerat\w+|risks?|diseases?|disorders?|conditions?|illness(?:es)?|sick\w*"
    r"|symptoms?|syndromes?|infections?|viral|virus\w*|flu|colds?|fever|cancers?|tumou?rs?"
    r"|diabetes|stroke|heart attacks?|fractures?|injur\w+|damage|harm|cramps?|headaches?"
    r"|migraines?|nausea|diarrh\w+|acne|asthma|allerg\w+|arthritis|alzheimer'?s|parkinson'?s"
    r"|dementia|autis\w+|schizophrenia|fibromyalgia|sarcopenia|menopause|degeneration|defects"
    r"|rickets|tetany|hypertension|pressure|bleeding|seizures?|outcomes?|compliance|adherence"
    r"|follow-up|amblyopia|blind\w*|hiv|aids|addiction|abuse|euphoria|transmission"
    r"|complications?|deficien\w+|bond\w*|closeness|trust|pleasure|agility|intimacy|connection"
    r"|genes|dna|orgasms?|relationships?|couples|openness|concentration|wrinkles|asleep|bacteria"
    r"|microbiome|nutrients?|abilit(?:y|ies)|stomachs|unhealthy|fib(?:re|er)|vitamins?|minerals?"
    r"|calcium|iron|magnesium|zinc|potassium|protein|infarction|sepsis|pneumonia|asphyxia"
    r"|eclampsia|preeclampsia|atheroma|ulcers?|wounds?|lesions?|malaria|measles|influenza|covid"
    r"|epilepsy|psychosis|disabilit\w+|frailty|falls|mobility|cramping|spasms?|allergies|epidemic"
    r"|outbreaks?"
    r"|\w+(?:itis|osis|emia|aemia|omas?|pathy|pathies|algia|plasia|trophy|iasis))\b"
)
# Where the clause of a predicate ends (after it) or starts (before it).
CLAUSE_END = re.compile(r"[;:()]|,\s(?=(?:but|while|whereas|although|though|which|who)\b)| — | – ")
CLAUSE_START = re.compile(
    r"[;:()]|, |\b(?:that|which|who|whether|because|although|while|when|but)\b| — | – "
)
# A person as the object of an effect verb: "It could be healing you", "treats patients".
PERSON_OBJECT = re.compile(
    r"\s*(?:(?:some|many|most|older|younger|new|all) )?(?:you|yourself|us|people|patients|women|men"
    r"|adults|children|mothers)\b"
)
# Benefit wording implies a health outcome unless the benefit is money.
MONEY = re.compile(r"\b(?:financ\w*|econom\w*|commercial\w*|profit\w*|sales)\b")
THERAPY = re.compile(r"\b(?:therap\w+|treatments?)\b")
# "deficits, associated with the autistic spectrum, ...": an association set off by a comma is a
# side clause, not the sentence's predicate.
APPOSITIVE_ASSOCIATION = re.compile(r", (?:associated|linked|connected|correlated|tied) ")
# Association wording hedges a claim only as its predicate ("is strongly associated with"), not as
# a modifier in another clause ("oxytocin, a hormone associated with nurturing, is ...").
ASSOCIATION_WORDING = frozenset({"associated with", "linked to", "connected to", "correlated with"})
ASSOCIATION_VERB = re.compile(r"(?:associated|linked|connected|correlated|tied) ")
ASSOCIATION_PREDICATE = re.compile(
    r"\b(?:is|are|was|were|be|been|being|become|becomes|not|also|both|strongly|positively"
    r"|inversely|negatively|significantly|consistently|closely|independently|reliably|directly"
    r"|often|frequently|may|might|could|can|has|have|had)\s+$"
)
# Heads whose "of" + gerund states an effect: "the immediate health benefit of lowering stress".
BENEFIT_HEADS = words("benefit benefits effect effects power ability capacity")
# An -ed form after these is an adjective: "predicted reduced belief", "showed increased risk".
ADJECTIVE_AFTER = words("predicted predicts predict showed show shows found reported observed")
# Words skipped when looking back from a gerund for its preposition ("of just treating").
SOFT_ADVERBS = words("just only also even still not")
# "to" + gerund is an effect after these ("leads to lowering"), an object elsewhere ("applies to").
TO_GERUND_GOVERNORS = words("lead leads led leading contribute contributes contributed key")
# "It's defined as a reading of 130/80 mm Hg or higher": a definition, not a claim.
DEFINITION = re.compile(r"\b(?:is|are|was|were|be|it's) (?:\w+ )?defined as\b")
# "Mental health problems affect millions of children": a count of people, not an effect.
PREVALENCE = re.compile(
    r"\baffect(?:s|ed|ing)? (?:an estimated |about |nearly |over |more than |some |roughly )?"
    r"(?:\d[\d,.]*|millions|thousands|hundreds|one in|1 in|many|most)\b"
)
# A level that rises or falls says something about health only with a trigger ("When oxytocin
# rises, cortisol drops"); without one it is a trend ("treatment of hypertension has dropped").
CHANGE_TRIGGER = re.compile(
    r"\b(?:when|whenever|after|with|because|following|in response to|by|during|if|as)\b"
)
# Change verbs that also go without an object ("rates dropped among adults") and the words that
# follow them then.
CHANGE_VERBS = words("drop decline increase decrease worsen double triple spike improve")
AFTER_INTRANSITIVE = words(
    "among in by over from to since during for significantly sharply slightly steadily dramatically"
)
# "Manufacturers are responsible for ensuring that their products are safe": a duty, not a claim.
OBLIGATION = re.compile(
    r"\b(?:responsible for|required to|obliged to|must|have to|has to) (?:ensur\w+|make sure"
    r"|check|verify|show|prove)\b"
)
# How often, without an amount: "you need it in your diet every day", "take a daily supplement".
DOSE_FREQUENCY = re.compile(
    r"\b(?:need|needs|take|takes|taking|should (?:take|have|get))\b[^.;:]{0,30}?\b(?:every day"
    r"|each day|daily(?! (?:diet|life|lives|activities|routine|needs))|a day|per day|once a week"
    r"|twice a day|once a day|every week)\b"
)
# "get all the vitamin C you need from your daily diet": a source that meets a need.
SUFFICIENCY = re.compile(
    r"\bget (?:all |enough |most )?(?:of )?(?:the )?(?:\w+ ){0,3}?(?:you|they|we|people) need"
    r" (?:from|by|through)\b"
)


def needle_trie(needles: Iterable[str]) -> str:
    """A pattern matching each of `needles` (longest first where one is a prefix of another)."""
    trie: dict[str, Any] = {}
    for needle in needles:
        node = trie
        for char in needle:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # greedy: a longer needle is tried before the one that ends here
        return f"(?:{body})?" if "" in node else body

    return emit(trie)
