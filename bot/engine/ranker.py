"""Final order of the best few entries: which kind of entry the question asks for.

Siblings share words: an overview, its glossary card, its ladder, its how-to and the dated timeline entry of the
same event all match "mexico forced labor import rules". What tells them apart is what the question asks for: a
date ("when", a year), a definition ("define", "what does X stand for"), steps ("what happens next"), or help in
the asker's own situation ("my shipment"), a comparison ("is X the same as Y"), or a figure ("how many"). A
linear model over the retrieval strength (relative to the best),
coverage, curated-question match, the entry's kind and those kinds crossed with the question's intent reorders
the first entries. It is fitted on the dev set only, from pairs (right entry, a wrong one ranked near it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import NamedTuple

from bot.engine.analysis import clean
from bot.engine.logistic import Logistic
from bot.engine.models import Entry

RANK_FEATURES = ("strength", "coverage", "question_match", "named", "place_match", "place_conflict", "title_share",
                 "mentions_places", "timeline", "glossary", "ladder", "how_to",
                 "time_x_timeline", "define_x_glossary", "steps_x_ladder", "situation_x_how_to",
                 "compare_x_comparison", "count_x_figures", "who_x_body", "ask_how_x_how_to", "define_x_named")
RERANKED = 8  # how many of the best entries the model may reorder

_TIME = re.compile(r"\b(?:when|what year|which year|dates?|since|ago|happened|timeline|(?:19|20)\d\d)\b")
_DEFINE = re.compile(r"\b(?:define|definition|meaning|means?|stands? for|acronym|abbreviation|what(?:'s| is| does)? an?)\b")
_STEPS = re.compile(r"\b(?:steps?|process|stages?|escalat\w*|ladder|what happens (?:next|after|if)|then what)\b")
_COMPARE = re.compile(r"\b(?:same as|same thing|difference|differ\w*|vs\.?|versus|compared?|or is it|instead of)\b")
_COUNT = re.compile(r"\b(?:how many|how much|number of|total|count|stats?|statistics|figures?|grown|growth)\b")
# Where a question is set and what an entry is about: the same words in users' lowercase and curators' casing.
# "Report forced labour goods in the US" must not get the UK or Canadian how-to, however well the rest matches.
PLACES = {
    "us": (re.compile(r"\b(?:u\.s\.|usa|united states|america|american|cbp|dhs|congress|uflpa|section 307|"
                      r"(?:the|in|into|to) us\b|us (?:law|customs|gov\w*|imports?|ban|market|border|ports?|court))"),
           re.compile(r"\b(?:US|U\.S\.|United States|American?|CBP|DHS|UFLPA|Tariff Act|Section 307|U\.S\.C\.)")),
    "eu": (re.compile(r"\b(?:eu|european|europe|brussels)\b"), re.compile(r"\b(?:EU|European|Europe)\b")),
    "uk": (re.compile(r"\b(?:uk|united kingdom|britain|british|england)\b"),
           re.compile(r"\b(?:UK|United Kingdom|British)\b")),
    "canada": (re.compile(r"\b(?:canada|canadian|cbsa)\b"), re.compile(r"\b(?:Canada|Canadian|CBSA)\b")),
    "ilo": (re.compile(r"\b(?:ilo|international labou?r)\b"), re.compile(r"\b(?:ILO|International Labour)\b")),
    "un": (re.compile(r"\b(?:un|united nations|ohchr|human rights council|hrc)\b"),
           re.compile(r"\b(?:UN|United Nations|OHCHR|Human Rights Council)\b")),
}
_WHO = re.compile(r"\bwho(?:'s| is| are| does| do| decides?| runs?| checks?| signs?| leads?)?\b")
_ASK_HOW = re.compile(r"\b(?:how (?:do|can|should|would) (?:i|we)|(?:can|should|do) (?:i|we)|where (?:do|can|should) (?:i|we)|"
                      r"what (?:do|can|should) (?:i|we) do)\b")
_BODY_ENTRY = re.compile(r"\b(?:committee|task force|commission|council|governing body|agency|agencies|director|experts|"
                         r"conference|court|secretary|department|dhs|cbp|fletf|ceacr|office)\b")
_COMPARISON_ENTRY = re.compile(r"\b(?:vs\.?|versus|difference|compared?|or)\b")
_FIGURES_ENTRY = re.compile(r"\d|\b(?:how many|figures|statistics|numbers|growth|total|count)\b")
_SITUATION = re.compile(r"\b(?:my|our|i|we|me|im|i'm)\b[\s\S]*\b(?:shipment|goods|container|supplier|shop|store|"
                        r"company|business|imports?|cargo|products?)\b")


@dataclass(frozen=True)
class Intents:
    time: bool
    define: bool
    steps: bool
    situation: bool
    compare: bool
    count: bool
    places: frozenset[str] = frozenset()  # the jurisdictions or bodies the question names (us, eu, uk, ilo...)
    who: bool = False  # asks who does or decides something
    ask_how: bool = False  # asks what the asker can do ("how do i", "can we", "where do i")

    @classmethod
    def of(cls, question: str) -> Intents:
        text = clean(question)
        return cls(bool(_TIME.search(text)), bool(_DEFINE.search(text)), bool(_STEPS.search(text)),
                   bool(_SITUATION.search(text)), bool(_COMPARE.search(text)), bool(_COUNT.search(text)),
                   frozenset(place for place, (asked, _) in PLACES.items() if asked.search(text)),
                   bool(_WHO.search(text)), bool(_ASK_HOW.search(text)))


class EntryTraits(NamedTuple):
    """What the ranker knows of an entry before any question: its kind and what it is about (computed once)."""

    timeline: bool
    glossary: bool
    ladder: bool
    how_to: bool
    comparison: bool  # its title compares two things ("X vs Y", "the difference between")
    figures: bool  # its title holds numbers or statistics
    places: frozenset[str]  # the jurisdictions or bodies it is about
    body: bool = False  # its title names a body that acts or decides (a committee, task force, agency, council)

    @classmethod
    def of(cls, entry: Entry) -> EntryTraits:
        title = entry.title.casefold()
        return cls(entry.area == "timeline", entry.area == "glossary", entry.is_ladder, entry.area == "how-to",
                   bool(_COMPARISON_ENTRY.search(title)), bool(_FIGURES_ENTRY.search(title)), entry_places(entry),
                   bool(_BODY_ENTRY.search(title)))


def entry_places(entry: Entry) -> frozenset[str]:
    """The jurisdictions or bodies an entry is about, from its title and aliases (as written, so "US" is the
    country and not the pronoun)."""
    text = " ".join((entry.title, *entry.aliases))
    return frozenset(place for place, (_, named) in PLACES.items() if named.search(text))


def rank_features(traits: EntryTraits, relative_strength: float, coverage: float, match: float, named: float,
                  title_share: float, mentions_places: float, intents: Intents) -> list[float]:
    places = traits.places
    return [
        math.log(max(relative_strength, 1e-3)),
        coverage,
        match,
        named,
        float(bool(intents.places & places)),
        float(bool(intents.places) and bool(places) and not intents.places & places),
        title_share,
        mentions_places,
        float(traits.timeline),
        float(traits.glossary),
        float(traits.ladder),
        float(traits.how_to),
        float(traits.timeline and intents.time),
        float(traits.glossary and intents.define),
        float(traits.ladder and intents.steps),
        float(traits.how_to and intents.situation),
        float(intents.compare and traits.comparison),
        float(intents.count and traits.figures),
        float(intents.who and traits.body),
        float(intents.ask_how and traits.how_to),
        float(intents.define and named > 0),  # "uflpa meaning?" wants the entry it names, glossary card or not
    ]


@dataclass(frozen=True)
class Ranker:
    model: Logistic

    def score(self, features: list[float]) -> float:
        return sum(w * x for w, x in zip(self.model.weights, features, strict=True))

    @classmethod
    def fit(cls, pairs: list[tuple[list[float], list[float]]]) -> Ranker:
        """Pairwise: the right entry's features minus a wrong one's should score above zero (and the reverse below)."""
        rows = [[a - b for a, b in zip(right, wrong, strict=True)] for right, wrong in pairs]
        rows += [[-x for x in row] for row in rows]
        labels = [True] * len(pairs) + [False] * len(pairs)
        fitted = Logistic.fit(rows, labels, l2=1.0)
        return cls(Logistic(fitted.weights, 0.0))
