"""How ordinary a word is in general English, from wordfreq's frequency tables.

The abstention judge weighs a question's words by how much they say about this domain: "WRO" or
"presumption" say a lot, "year", "states" or "time" almost nothing even though the knowledge base uses them,
and an unknown word such as "tiktok" or "ngl" is ordinary chat, not a sign of an uncovered topic.
wordfreq is a maintained package with frequency data from many corpora. Its "small" English table (29,000
words down to Zipf 3) loads in about 10 ms, against 120 ms for the full one, and loses nothing here: every word
rarer than Zipf 3 is already fully specific (cross-validation on dev agreed). A lookup is a dictionary read.
"""

from __future__ import annotations

import math
from functools import lru_cache

SPECIFIC_BELOW = 3.0  # Zipf frequency (log10 per billion words): rarer words are fully specific
ORDINARY_ABOVE = 6.0  # commoner words carry almost no domain evidence
FLOOR = 0.05
LIFT_FOR_FULL = 2.0  # log10 of how much more often than in English makes a word fully a domain word


@lru_cache(maxsize=1)
def _english() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", wordlist="small")


def zipf(word: str) -> float:
    """Zipf frequency of a word in general English (0 for words rarer than Zipf 3 or never seen)."""
    frequency = _english().get(word)
    if not frequency:
        return 0.0
    return max(0.0, math.log10(frequency) + 9.0)


def specificity(word_zipf: float) -> float:
    """For a word the knowledge base never uses: from 1 (rare in general English, so perhaps a topic we don't
    cover) down to FLOOR (one of the commonest words), linear in Zipf frequency."""
    share = (ORDINARY_ABOVE - word_zipf) / (ORDINARY_ABOVE - SPECIFIC_BELOW)
    return min(1.0, max(FLOOR, share))


def domain_specificity(kb_rate: float, word_zipf: float) -> float:
    """For a word the knowledge base uses: how much more often it does than general English, from FLOOR (no
    more often: "year", "simple") to 1 (a hundred times more often: "labor", "presumption", "UFLPA")."""
    english_rate = 10 ** (word_zipf - 9.0) if word_zipf > 0 else 1e-9
    ratio = math.log10(kb_rate / english_rate)
    return min(1.0, max(FLOOR, ratio / LIFT_FOR_FULL))
