"""Turn text into index terms: the one analyzer used for passages and questions alike.

Steps: Unicode normalisation (NFKC) and case folding, removal of control and zero-width characters,
legal references turned into single terms ("art 26", "Article 26" -> art_26; "§ 3(b)" -> sec_3, sec_3_b;
"19 CFR 12.42" -> cfr_12_42), British spellings folded to American (labour -> labor), stopwords dropped,
Snowball stemming. Query expansion (acronyms from the KB's aliases, curated synonyms) is weighted so an
expansion never outweighs the words a person actually typed.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Container, Iterable
from functools import lru_cache

import Stemmer

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before being below
    between both but by can could did do does doing don down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is isn it its itself just let me more most
    my myself no nor not of off on once only or other ought our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your yours yourself
    yourselves s t d ll m re ve y im ive id u ur pls plz please hi hey hello thanks thank bot tell explain know
    anyone someone something anything get got gonna wanna like really actually also mean means say says said
    whats hows wat wht ok okay so rn lol lmao btw tbh idk ya yeah yep yup nah hmm hm guys bro um uh even thing
    things stuff everyone keep keeps talking basically literally kinda sorta exactly now pls thx ty omg ever
    still yet already maybe probably wondering anyway quick lemme gimme take takes took taking
    ngl wtf smh fr istg imo imho tho af lmk ikr fyi bruh dude yall gotta kinda idc iirc afaik tl dr tldr pls
    omfg ffs wth jk lowkey highkey deadass isnt dont doesnt cant wont didnt wasnt arent havent hasnt wouldnt
    shouldnt couldnt teh n r
    """.split()
)

# British -> American spellings the corpus and users mix; applied to both sides, so the mapping only
# needs to be consistent, not linguistically perfect.
SPELLINGS = {
    "labour": "labor", "labours": "labors", "labourer": "laborer", "labourers": "laborers",
    "harbour": "harbor", "harbouring": "harboring", "favour": "favor", "behaviour": "behavior",
    "colour": "color", "defence": "defense", "offence": "offense", "licence": "license",
    "programme": "program", "programmes": "programs", "centre": "center", "judgement": "judgment",
    "aluminium": "aluminum", "tonnes": "tons", "enquiry": "inquiry", "enquiries": "inquiries",
    "catalogue": "catalog", "practise": "practice", "cheque": "check",
}
# Chat shorthand seen in community questions, expanded before stopwords and stemming.
SHORTHAND = {
    "govt": "government", "gov": "government", "govts": "governments", "ppl": "people", "any1": "anyone",
    "diff": "difference", "info": "information", "org": "organization", "orgs": "organizations",
    "intl": "international", "reg": "regulation", "regs": "regulations", "co": "company", "cos": "companies",
    "abt": "about", "bc": "because", "cuz": "because", "b4": "before", "w": "with", "wo": "without",
    "jan": "january", "feb": "february", "apr": "april", "jun": "june", "jul": "july", "aug": "august",
    "sep": "september", "sept": "september", "oct": "october", "nov": "november", "dec": "december",
    "mins": "minutes", "yr": "year", "yrs": "years", "req": "requirement", "reqs": "requirements",
}
_ISE = re.compile(r"(?<=\w{3})(is)(e|es|ed|ing|ation|ations|er|ers)$")

_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}

# Legal references. Order matters: U.S.C. and CFR first so their numbers are not read as plain sections.
_USC = re.compile(r"\b(\d{1,2})\s*u\.?\s?s\.?\s?c\.?\s*(?:§+\s*|sec(?:tion)?\.?\s*)?(\d{1,5}[a-z]?)\b")
_CFR = re.compile(r"\b(\d{1,2})\s*c\.?\s?f\.?\s?r\.?\s*(?:§+\s*|part\s*|sec(?:tion)?\.?\s*)?(\d{1,4})(?:\.(\d{1,4}))?")
_ARTICLE = re.compile(r"\b(?:articles?|arts?)\s*\.?\s*(\d{1,3})(?:\s*\(\s*([a-z0-9]{1,3})\s*\))?")
_SECTION = re.compile(r"(?:§+|\bsec(?:tions?)?\b\.?|\bss?\.(?=\s*\d)|\b(?:ss?|sec|section)(?=\d))"  # "s54" too
                      r"\s*(\d{1,4})(?:\s*\(\s*([a-z0-9]{1,3})\s*\))?")
_CONVENTION = re.compile(r"\b(?:convention|conv\.?)\s*(?:no\.?\s*|number\s*|#\s*)?(\d{2,3})\b")
_PROTOCOL = re.compile(r"\bprotocol\s*(?:of\s*)?2014\b")
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


# Discord markup that carries no meaning for a question: user, role and channel mentions, custom emoji,
# timestamps, @everyone/@here.
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|<t:\d+(?::\w)?>|@(?:everyone|here)\b")


NAME_WORD = re.compile(r"\w+")


def name_key(text: str) -> str:
    """A topic name as typed or stored, compared without case, punctuation or British/American spelling."""
    return " ".join(SPELLINGS.get(word, word) for word in NAME_WORD.findall(clean(text)))


def clean(text: str) -> str:
    """NFKC, case-folded, zero-width (format) characters removed, control characters and Discord markup made spaces."""
    if "<" in text or "@" in text:
        text = _DISCORD_MARKUP.sub(" ", text)
    if text.isascii() and text.isprintable():  # the common case needs no per-character pass
        return text.casefold()
    text = unicodedata.normalize("NFKC", text)
    text = "".join("" if (cat := unicodedata.category(ch)) == "Cf" else " " if cat in _INVISIBLE_CATEGORIES else ch for ch in text)
    return text.casefold()


def reference_terms(text: str) -> list[str]:
    """Legal references in already-cleaned text, as single terms."""
    terms: list[str] = []
    if not _DIGIT.search(text):
        return terms  # every reference has a number in it
    rest = text
    for match in _USC.finditer(rest):
        terms += [f"usc_{match[1]}_{match[2]}", f"sec_{match[2]}"]
    rest = _USC.sub(" ", rest)
    for match in _CFR.finditer(rest):
        terms.append(f"cfr_{match[1]}_{match[2]}")
        if match[3]:
            terms.append(f"cfr_{match[1]}_{match[2]}_{match[3]}")
    rest = _CFR.sub(" ", rest)
    for match in _ARTICLE.finditer(rest):
        terms.append(f"art_{match[1]}")
        if match[2]:
            terms.append(f"art_{match[1]}_{match[2]}")
    for match in _SECTION.finditer(rest):
        terms.append(f"sec_{match[1]}")
        if match[2]:
            terms.append(f"sec_{match[1]}_{match[2]}")
    for match in _CONVENTION.finditer(rest):
        terms.append(f"c{match[1]}")
    if _PROTOCOL.search(rest):
        terms.append("p29")
    return terms


def _fold_spelling(word: str) -> str:
    word = SHORTHAND.get(word, word)
    word = SPELLINGS.get(word, word)
    return _ISE.sub(lambda m: "iz" + m[2], word) if "is" in word else word


def content_words(text: str) -> list[str]:
    """Spelling-folded content words of cleaned text, stopwords removed (not yet stemmed)."""
    words = [_fold_spelling(w) for w in _WORD.findall(text) if w not in STOPWORDS and w.replace("_", "")]
    return [w for w in words if w not in STOPWORDS]


def word_terms(text: str, correct: Callable[[str], str] | None = None) -> list[str]:
    """Stemmed content words of cleaned text; `correct` may replace misspelt words first."""
    words = content_words(text)
    if correct is not None:
        words = [correct(w) for w in words]
    return _stemmer().stemWords(words)


def analyze(text: str, correct: Callable[[str], str] | None = None) -> list[str]:
    """All index terms of a text, in order: words, then references."""
    cleaned = clean(text)
    return word_terms(cleaned, correct) + reference_terms(cleaned)


def analyze_with_words(text: str, correct: Callable[[str], str] | None = None) -> tuple[list[str], dict[str, str]]:
    """`analyze`, plus the word each stemmed term came from (after correction): how ordinary a term is in general
    English is a property of words, not stems."""
    cleaned = clean(text)
    words = content_words(cleaned)
    if correct is not None:
        words = [correct(w) for w in words]
    stems = _stemmer().stemWords(words)
    return stems + reference_terms(cleaned), dict(zip(stems, words, strict=True))


MAX_REMEMBERED_CORRECTIONS = 50_000


class SpellingCorrector:
    """Maps a misspelt word to the closest word of the knowledge base ("presumtion" -> "presumption").

    Only words whose stem the index does not know are corrected, and only to a close match sharing the first
    letter and nearly the same length, which keeps the candidate list short enough for every query.
    """

    def __init__(self, vocabulary: Iterable[str], known_stems: Container[str], cutoff: float = 0.85):
        self.known_stems = known_stems
        self.cutoff = cutoff
        self.vocabulary = frozenset(vocabulary)
        self._by_initial: dict[str, list[str]] = {}
        # Chat repeats its unknown words ("ngl", "tbh", brand names): each is compared with the vocabulary once.
        self._seen: dict[str, str] = {}
        for word in sorted(self.vocabulary):
            if len(word) >= 3 and word.isalpha():
                self._by_initial.setdefault(word[0], []).append(word)

    def __call__(self, word: str) -> str:
        if len(word) < 4 or not word.isalpha() or word in self.vocabulary:
            return word
        corrected = self._seen.get(word)
        if corrected is None:
            corrected = self._correct(word)
            if len(self._seen) < MAX_REMEMBERED_CORRECTIONS:  # bounded: users type endless new words
                self._seen[word] = corrected
        return corrected

    def _correct(self, word: str) -> str:
        # A word whose stem is known is probably an inflection we lack, so it needs a closer match to change.
        cutoff = 0.9 if _stemmer().stemWord(word) in self.known_stems else self.cutoff
        candidates = [w for w in self._by_initial.get(word[0], ()) if abs(len(w) - len(word)) <= 2]
        match = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
        return match[0] if match else word


class QueryExpander:
    """Adds weighted alternative forms of phrases found in a question.

    Groups come from the knowledge base: each entry's aliases pair acronyms with their spelled-out forms
    (WRO <-> withhold release order), and the `synonyms:` lists add curated equivalents (held <-> detained).
    """

    def __init__(self, groups: Iterable[Iterable[str]], weight: float = 0.5):
        self.weight = weight
        self._alternatives: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        for group in groups:
            forms = {tuple(analyze(text)) for text in group}
            forms.discard(())
            for form in forms:
                self._alternatives.setdefault(form, set()).update(forms - {form})
        # Every term a phrase's alternatives bring in, and the phrase lengths that begin with each term.
        # Sorted, so a question's expansion weights come out in the same order in every process.
        self._expansion_terms = {
            form: tuple(sorted({t for alternative in alternatives for t in alternative}))
            for form, alternatives in self._alternatives.items()
        }
        self._sizes_by_first: dict[str, tuple[int, ...]] = {}
        for form in self._alternatives:
            sizes = {*self._sizes_by_first.get(form[0], ()), len(form)}
            self._sizes_by_first[form[0]] = tuple(sorted(sizes))

    @classmethod
    def from_knowledge_base(cls, kb) -> QueryExpander:
        groups: list[list[str]] = [list(group) for group in kb.synonyms]
        for entry in kb.entries.values():
            acronyms = [a for a in entry.aliases if _looks_like_acronym(a)]
            spelled = [a for a in (*entry.aliases, entry.title) if not _looks_like_acronym(a)]
            if acronyms:
                groups.append(acronyms + spelled[:2])
        for source in kb.sources.values():
            names = [n for n in (source.short, *source.aliases) if n]
            if names:
                groups.append([*names, source.title])
        return cls(groups)

    def single_term_alternatives(self) -> dict[str, frozenset[str]]:
        """Every one-term phrase that has alternatives, with them (coverage: "wro" is covered by a passage on WROs)."""
        return {form[0]: frozenset(terms) for form, terms in self._expansion_terms.items() if len(form) == 1}

    def expand(self, terms: list[str]) -> Counter:
        """The question's own terms at weight 1 each, plus alternatives at the expansion weight."""
        weights: Counter = Counter(terms)
        added: dict[str, float] = {}
        for start, first in enumerate(terms):
            # Only phrases that begin with this term can match here (most terms begin none).
            for size in self._sizes_by_first.get(first, ()):
                offered = self._expansion_terms.get(tuple(terms[start:start + size]))
                if not offered:
                    continue
                new_terms = [t for t in offered if t not in weights]
                if not new_terms:
                    continue
                # One phrase adds at most one term's worth of weight, however many alternatives it has.
                share = min(self.weight, 1.0 / len(new_terms))
                for term in new_terms:
                    if share > added.get(term, 0.0):
                        added[term] = share
        weights.update(added)
        return weights


def _looks_like_acronym(text: str) -> bool:
    compact = text.replace(".", "").replace(" ", "")
    return len(compact) <= 8 and " " not in text.strip() and any(ch.isupper() or ch.isdigit() for ch in compact)
