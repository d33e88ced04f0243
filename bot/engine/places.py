"""Countries and other places a question names ("does australia have an import ban?"), from pycountry's ISO 3166
names plus the demonyms and short forms people type. A question about a place the chosen entry never mentions is
usually about a law we do not cover (Australia's Modern Slavery Act is not the UK's)."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.engine.analysis import analyze, clean

# Short forms and demonyms people type, each with the country it names. ISO names cover the rest.
EXTRA_NAMES = {
    "australian": "australia", "aussie": "australia", "japanese": "japan", "dutch": "netherlands",
    "holland": "netherlands", "german": "germany", "french": "france", "british": "united kingdom",
    "britain": "united kingdom", "uk": "united kingdom", "england": "united kingdom", "english law": "united kingdom",
    "american": "united states", "america": "united states", "usa": "united states",
    "canadian": "canada", "chinese": "china", "prc": "china", "indian": "india", "korean": "south korea",
    "south korea": "south korea", "north korea": "north korea", "mexican": "mexico", "italian": "italy",
    "spanish": "spain", "turkish": "turkey", "russian": "russia", "russia": "russia", "brazilian": "brazil",
    "vietnamese": "vietnam", "vietnam": "vietnam", "thai": "thailand", "indonesian": "indonesia",
    "malaysian": "malaysia", "pakistani": "pakistan", "bangladeshi": "bangladesh", "kazakh": "kazakhstan",
    "uzbek": "uzbekistan", "swiss": "switzerland", "swedish": "sweden", "norwegian": "norway",
    "danish": "denmark", "belgian": "belgium", "irish": "ireland", "polish": "poland", "new zealand": "new zealand",
    "kiwi": "new zealand", "taiwan": "taiwan", "taiwanese": "taiwan", "iran": "iran", "syria": "syria",
    "venezuela": "venezuela", "bolivia": "bolivia", "tanzania": "tanzania", "burma": "myanmar", "burmese": "myanmar",
    "belarusian": "belarus", "nicaraguan": "nicaragua", "filipino": "philippines", "egyptian": "egypt",
    "saudi": "saudi arabia", "emirati": "united arab emirates", "uae": "united arab emirates",
    "california": "california", "californian": "california", "quebec": "quebec", "ontario": "ontario",
}
_COMMA_FORM = re.compile(r"^([^,(]+?)\s*(?:,|\()")
_WORD = re.compile(r"[^\W_]+")
LONGEST_NAME = 4  # words: "saint vincent and the grenadines" is matched by its first four


@lru_cache(maxsize=1)
def _names() -> dict[tuple[str, ...], str]:
    """Every place name as typed (lowercase words) -> the place it names."""
    import pycountry

    names: dict[tuple[str, ...], str] = {}
    for country in pycountry.countries:
        forms = {getattr(country, field, None) for field in ("name", "common_name", "official_name")} - {None}
        canonical = clean(getattr(country, "common_name", None) or country.name)
        for form in forms:
            form = clean(form)
            short = _COMMA_FORM.match(form)
            for name in {form, short[1] if short else form}:
                words = tuple(_WORD.findall(name))
                if 0 < len(words) <= LONGEST_NAME:
                    names.setdefault(words, canonical)
    names.update({tuple(_WORD.findall(name)): place for name, place in EXTRA_NAMES.items()})
    return names


@lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    return frozenset(words[0] for words in _names())


@lru_cache(maxsize=1)
def _forms() -> dict[str, tuple[frozenset[str], ...]]:
    """Each place -> the analyzed forms of all its names; an entry mentions the place if it holds every term of one."""
    forms: dict[str, set[frozenset[str]]] = {}
    for words, place in _names().items():
        terms = frozenset(analyze(" ".join(words)))
        if terms:
            forms.setdefault(place, set()).add(terms)
    return {place: tuple(found) for place, found in forms.items()}


def named_places(text: str) -> set[str]:
    """The places a text names, as whole words ("south korea", "australian", "the Netherlands")."""
    words = _WORD.findall(clean(text))
    names, first_words = _names(), _first_words()
    found: set[str] = set()
    for start in range(len(words)):
        if words[start] not in first_words:
            continue
        for length in range(min(LONGEST_NAME, len(words) - start), 0, -1):
            place = names.get(tuple(words[start:start + length]))
            if place is not None:
                found.add(place)
                break
    return found


def mentions(place: str, terms: frozenset[str] | set[str]) -> bool:
    """Whether a set of index terms (an entry's) holds one of the place's names."""
    return any(form <= terms for form in _forms().get(place, ()))
