"""How ordinary a word is in general English, from wordfreq's frequency tables.

The abstention judge weighs a question's words by how much they say about this domain: "WRO" or
"presumption" say a lot, "year", "states" or "time" almost nothing even though the knowledge base uses them,
and an unknown word such as "tiktok" or "ngl" is ordinary chat, not a sign of an uncovered topic.
wordfreq is a maintained package with frequency data from many corpora; its English table loads once
(about 0.2 s) and a lookup is a dictionary read.
"""

from __future__ import annotations

from functools import lru_cache

SPECIFIC_BELOW = 3.0  # Zipf frequency (log10 per billion words): rarer words are fully specific
ORDINARY_ABOVE = 6.0  # commoner words carry almost no domain evidence
FLOOR = 0.05


@lru_cache(maxsize=1)
def _english() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", wordlist="best")


def zipf(word: str) -> float:
    """Zipf frequency of a word in general English (0 for words wordfreq has never seen)."""
    frequency = _english().get(word)
    if not frequency:
        return 0.0
    import math

    return max(0.0, math.log10(frequency) + 9.0)


def specificity(word_zipf: float) -> float:
    """From 1 (rare in general English) down to FLOOR (one of the commonest words), linear in Zipf frequency."""
    share = (ORDINARY_ABOVE - word_zipf) / (ORDINARY_ABOVE - SPECIFIC_BELOW)
    return min(1.0, max(FLOOR, share))
