"""Which words come with questions the knowledge base does not cover: log-odds learned from the dev set.

Near-domain questions ("what's the US tariff on cotton shirts", "how is the ILO funded") match an entry well on their
legal words; what gives them away is the word the entry lacks (tariff, budget, asylum). For each term, the log-odds of
appearing in an out-of-scope rather than an in-scope dev question, with add-SMOOTHING counts so a word seen once says
little. The judge reads the strongest of these among the question's terms that its best entry does not hold.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

SMOOTHING = 3.0  # chosen by cross-validation on dev (0.5 to 10 tried)
SCALE = 5.0  # log-odds are divided by this to sit near the other features' range


@dataclass(frozen=True)
class WordOdds:
    odds: dict[str, float] = field(default_factory=dict)

    def strongest(self, terms: Iterable[str]) -> float:
        """The largest out-of-scope log-odds among the terms (0 when none is known), scaled."""
        odds = self.odds
        return max((odds.get(term, 0.0) for term in terms), default=0.0) / SCALE

    @classmethod
    def fit(cls, examples: Iterable[tuple[Iterable[str], bool]]) -> WordOdds:
        """From (a question's terms, whether it is in scope) pairs."""
        inside, outside = Counter(), Counter()
        n_in = n_out = 0
        for terms, in_scope in examples:
            unique = set(terms)
            if in_scope:
                inside.update(unique)
                n_in += 1
            else:
                outside.update(unique)
                n_out += 1
        a = SMOOTHING
        odds = {
            term: round(math.log((outside[term] + a) / (n_out + 2 * a)) - math.log((inside[term] + a) / (n_in + 2 * a)), 3)
            for term in sorted(set(inside) | set(outside))
        }
        return cls(odds)
