"""Inputs to turn away before retrieval: questions in other languages, and code or data pasted as a question.

The bot answers in English only (its excerpts are English), so a question in another language gets a clear
"English only for now" rather than a wrong match on a shared acronym. Two signals, either enough:
most letters are in a non-Latin script (Chinese, Arabic-script Uyghur, Cyrillic Kazakh or Russian...), or the
question uses at least two function words of another language that are rare in English (wordfreq decides what
"rare in English" means, so "la", "el" or "comment" never count), or at least three words (and 30% of its words)
that are common in another language and rare in English (bot/engine/foreign_words.py). Junk is code, JSON, SQL, stack traces, bare
links and text that is mostly symbols or one word repeated.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache

from bot.engine.domain import zipf
from bot.engine.foreign_words import foreign_words

OTHER_LANGUAGE, JUNK = "other_language", "junk"

# Frequent function words of languages community members write in. Only those rare in English are used.
FUNCTION_WORDS = """
    le la les des du une est que qui quoi pourquoi comment quel quelle quels quelles dans pour avec sur pas sont
    cette ces mon nous vous ils elles aux où être ont fait peut entre loi travail forcé
    el los las del una es qué cómo cuál cuáles por para con está son esta este ley puedo mis sobre también pero
    muy hay dónde cuándo trabajo forzoso
    der die das ist ein eine einen und nicht wie wer warum mit für auf von zu den dem ich wir gibt kann können
    sind oder auch bei nach über gesetz zwangsarbeit
    os um uma não como qual quais são essa esse isso lei meu minha pode trabalho forçado
    il gli della delle che cosa perché sono questo questa legge dei degli lavoro
    het een wat hoe waarom niet zijn voor deze
    ve bir bu ne nedir nasıl neden için ile mi mı mu mü çok var yok olan gibi zorla çalıştırma
    apa yang dan adalah ini itu dengan untuk dari tidak bagaimana
    czy jest jak dlaczego się że ustawa praca przymusowa
""".split()
ENGLISH_COMMON = 4.3  # a word this common in English (Zipf) is not evidence of another language
FOREIGN_WORDS_NEEDED, FOREIGN_SHARE = 3, 0.3

_WORD = re.compile(r"[^\W\d_]+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_SQL = re.compile(r"\b(?:select|insert|update|delete|drop|create|alter)\b[\s\S]*\b(?:from|into|table|set|where|values)\b",
                  re.IGNORECASE)
_TRACE = re.compile(r"Traceback \(most recent call last\)|^\s*File \".*\", line \d+|^\s*at [\w.$]+\(.*\)$|"
                    r"\b\w+(?:Error|Exception): ", re.MULTILINE)
_CODE = re.compile(r"```|^\s*(?:def|class|import|from \S+ import|function|const|let|var|public|#include|<\?php|SELECT)\b|"
                   r"[;{}]\s*$|=>|\)\s*\{|</?\w+[^>]*>", re.IGNORECASE | re.MULTILINE)
_SYMBOLS = set("{}[]()<>=;:$#%^&*|\\/~`+\"'")


@lru_cache(maxsize=1)
def _foreign_words() -> frozenset[str]:
    return frozenset(w for w in FUNCTION_WORDS if zipf(w) < ENGLISH_COMMON)


def screen(text: str) -> str | None:
    """OTHER_LANGUAGE, JUNK, or None for a question to search on."""
    if is_other_language(text):
        return OTHER_LANGUAGE
    if is_junk(text):
        return JUNK
    return None


def is_other_language(text: str) -> bool:
    if not text.isascii():  # ASCII letters are all Latin: only other text needs the per-letter script check
        letters = [ch for ch in text if ch.isalpha()]
        if not letters:
            return False
        latin = sum("LATIN" in unicodedata.name(ch, "") for ch in letters)
        if latin < len(letters) / 2:
            return True
    words = [w.casefold() for w in _WORD.findall(text)]
    if sum(w in _foreign_words() for w in words) >= 2:
        return True
    # Or many words that are common in another language and rare in English (wordfreq's tables): Portuguese,
    # Vietnamese, Italian... without the hand-listed function words. Three at least, and a good share of the words:
    # on the dev set's English questions this never fires.
    common_elsewhere = sum(w in foreign_words() for w in words)
    return common_elsewhere >= FOREIGN_WORDS_NEEDED and common_elsewhere >= FOREIGN_SHARE * len(words)


def is_junk(text: str) -> bool:
    stripped = text.strip()
    if not stripped:
        return False
    if stripped[0] in "{[" and _parses_as_json(stripped):
        return True
    if _TRACE.search(stripped) or (_SQL.search(stripped) and re.search(r"[*;=()']", stripped)):
        return True
    words = _WORD.findall(_URL.sub(" ", stripped))
    if not words:  # links, numbers or symbols only
        return bool(_URL.search(stripped)) or sum(ch in _SYMBOLS for ch in stripped) >= 3
    symbols = sum(ch in _SYMBOLS for ch in stripped)
    if len(stripped) >= 12 and symbols / len(stripped) > 0.12 and len(_CODE.findall(stripped)) >= 2:
        return True
    if symbols / len(stripped) > 0.3:
        return True
    lowered = [w.casefold() for w in words]
    return len(lowered) >= 12 and len(set(lowered)) / len(lowered) < 0.2  # one phrase pasted over and over


def _parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
