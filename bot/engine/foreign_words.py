"""Words common in another language and rare in English, from wordfreq's tables: a question made largely of them is
in another language ("O que é a lista de entidades da UFLPA?"). Building the set reads 25 languages' tables (half a
second), so it is generated once into data/foreign_words.txt (`python -m bot.engine.foreign_words`); a test checks the
file matches what wordfreq gives today.
"""

from __future__ import annotations

import math
import sys
from functools import lru_cache
from pathlib import Path

# Latin-script languages wordfreq has (other scripts are caught by their letters alone).
LANGUAGES = ("es", "pt", "fr", "de", "it", "nl", "tr", "pl", "id", "vi", "ro", "sv", "cs", "fil", "ms", "ca", "da", "nb",
             "fi", "hu", "sk", "sl", "lv", "lt", "sh")
COMMON_THERE = 5.0  # Zipf in that language: among its most frequent words
RARE_IN_ENGLISH = 4.3  # and below this in English ("la", "de", "die" stay English enough)
MORE_COMMON_BY = 1.0  # and at least ten times more frequent there than in English
FILE = Path(__file__).with_name("data") / "foreign_words.txt"


def build() -> list[str]:
    from wordfreq import get_frequency_dict

    english = get_frequency_dict("en", wordlist="small")
    words: set[str] = set()
    for language in LANGUAGES:
        for word, frequency in get_frequency_dict(language, wordlist="small").items():
            there, here = _zipf(frequency), _zipf(english.get(word, 0.0))
            if there >= COMMON_THERE and here < RARE_IN_ENGLISH and there - here >= MORE_COMMON_BY and word.isalpha():
                words.add(word)
    return sorted(words)


@lru_cache(maxsize=1)
def foreign_words() -> frozenset[str]:
    return frozenset(FILE.read_text(encoding="utf-8").split())


def _zipf(frequency: float) -> float:
    return math.log10(frequency) + 9.0 if frequency else 0.0


if __name__ == "__main__":
    FILE.write_text("\n".join(build()) + "\n", encoding="utf-8")
    print(f"wrote {FILE} ({len(foreign_words.__wrapped__())} words)", file=sys.stderr)
