"""Answers that hold on new wording: topic lookup, context that only helps, screening, alternatives, confidence."""

import json

import pytest

from bot.engine.evaluate import load_questions
from bot.engine.judge import confidence_label
from bot.engine.screening import is_junk, is_other_language
from bot.render.json import answer_to_dict
from tests.conftest import ROOT

MAIN_TOPICS = {
    "UFLPA": "uflpa-overview",
    "Uyghur Forced Labor Prevention Act": "uflpa-overview",
    "Uyghur Forced Labour Prevention Act": "uflpa-overview",
    "WRO": "wro",
    "Section 307": "section-307-overview",
    "C29": "ilo-c29",
    "commission of inquiry": "ilo-commissions-of-inquiry",
}


@pytest.mark.parametrize(("typed", "entry_id"), MAIN_TOPICS.items())
def test_bare_name_resolves_to_its_main_entry(shipped_engine, typed, entry_id):
    """A typed name resolves to the entry that explains the thing, first in autocomplete too."""
    assert shipped_engine.resolve_topic(typed) == entry_id
    assert shipped_engine.complete_topics(typed)[0][0] == entry_id


def test_every_alias_comes_first_in_autocomplete(shipped_engine):
    """Each entry's own title and aliases, typed exactly, put an entry with that exact name first."""
    from bot.engine.service import name_key

    wrong = []
    for entry in shipped_engine.kb.entries.values():
        for name in (entry.title, *entry.aliases):
            top = shipped_engine.kb.entries[shipped_engine.complete_topics(name, limit=1)[0][0]]
            if name_key(name) not in {name_key(n) for n in (top.title, *top.aliases)}:
                wrong.append((name, entry.id, top.id))
    assert wrong == []


def test_context_never_turns_an_answer_into_not_covered(shipped_engine):
    """Over the dev set, a question answered alone is still answered after any other dev question as context."""
    questions = [q for q in load_questions([ROOT / "tests" / "eval" / "dev"]) if q.expect]
    answered_alone = [q.text for q in questions if shipped_engine.ask(q.text).answered]
    contexts = [q.text for q in questions[::7]]
    lost = [
        (text, context)
        for index, text in enumerate(answered_alone)
        for context in (contexts[index % len(contexts)], contexts[(index * 3 + 1) % len(contexts)])
        if not shipped_engine.ask(text, context=context).answered
    ]
    assert lost == []


@pytest.mark.parametrize("text", [
    "ngl wtf is a WRO lol",
    "tbh is the uflpa presumption basically guilty until proven innocent or am i oversimplifying",
    "selling on etsy rn, can cbp hold my stuff under a withhold release order??",
])
def test_casual_words_around_a_domain_term_are_answered(shipped_engine, text):
    """Slang, filler and platform names don't sink a question whose domain words match an entry."""
    assert shipped_engine.ask(text).answered


@pytest.mark.parametrize("text", [
    "what year is it",
    "how many states are there in the us",
    "who is the president right now",
    "what time does the store close",
])
def test_everyday_questions_are_not_answered(shipped_engine, text):
    """A question made of everyday words is not answered because those words occur in some entry."""
    assert not shipped_engine.ask(text).answered


@pytest.mark.parametrize("text", [
    '{"entity": "uflpa", "count": 144}',
    "SELECT * FROM wro WHERE status = 'active';",
    "Traceback (most recent call last):\n  File \"bot.py\", line 3, in <module>\nKeyError: 'uflpa'",
    "https://www.cbp.gov/trade/forced-labor",
    "def presumption(x):\n    return x == 'uflpa';\n",
])
def test_junk_is_not_answered(shipped_engine, text):
    """Code, JSON, SQL, stack traces and bare links are turned away, even with a domain word inside."""
    assert is_junk(text)
    assert not shipped_engine.ask(text).answered


@pytest.mark.parametrize("text", ["¿Qué es la UFLPA?", "Was ist eine WRO und wer entscheidet?", "什么是维吾尔强迫劳动预防法",
                                  "UFLPA nedir ve nasıl çalışır?", "Qu'est-ce que la convention 29 de l'OIT ?"])
def test_other_languages_get_the_english_only_reply(shipped_engine, text):
    """A question in another language is told the bot answers in English for now."""
    answer = shipped_engine.ask(text)
    assert is_other_language(text)
    assert answer.reason == "other_language" and "English" in answer.message


def test_other_language_question_naming_a_known_term_suggests_its_english_topic(shipped_engine):
    """A recognised acronym in a foreign-language question still points to the English topic."""
    answer = shipped_engine.ask("¿Qué es la UFLPA?")
    assert any(topic.entry_id.startswith("uflpa") for topic in answer.suggestions)


@pytest.mark.parametrize("text", ["is the uflpa presumption rebuttable", "whats a wro", "de minimis uflpa", "art 33 ilo"])
def test_english_with_domain_terms_is_not_taken_for_another_language(text):
    """Short English questions full of acronyms are English."""
    assert not is_other_language(text)


def test_answer_json_keeps_every_field_and_adds_alternatives(shipped_engine):
    """ask --json keeps its stable fields and adds alternatives (above a floor, at most 3) and confidence_label."""
    payload = json.loads(json.dumps(answer_to_dict(shipped_engine.ask("is a WRO the same as a Finding?"))))
    for name in ("question", "answered", "confidence", "answer", "citations", "suggestions", "reason", "entry_id",
                 "last_reviewed", "disclaimer", "alternatives", "confidence_label"):
        assert name in payload
    assert 1 <= len(payload["alternatives"]) <= 3
    assert all(set(a) == {"entry_id", "title", "score"} and 0 < a["score"] <= 1 for a in payload["alternatives"])
    assert payload["entry_id"] not in {a["entry_id"] for a in payload["alternatives"]}
    assert payload["confidence_label"] == confidence_label(payload["confidence"])


def test_low_confidence_answer_says_so_in_its_lead(shipped_engine):
    """An answer labelled low confidence opens with the low-confidence line."""
    line = shipped_engine.prompts.render("low_confidence")
    answers = [shipped_engine.ask(q.text) for q in load_questions([ROOT / "tests" / "eval" / "dev"])[:200]]
    for answer in answers:
        if answer.answered:
            assert answer.lead.startswith(line) == (answer.confidence_label == "low")


@pytest.mark.parametrize(("value", "label"), [(0.95, "high"), (0.8, "high"), (0.79, "medium"), (0.5, "medium"), (0.2, "low")])
def test_confidence_labels(value, label):
    """High from 0.8, medium from 0.5, low below."""
    assert confidence_label(value) == label


def test_a_domain_word_used_everywhere_outweighs_an_everyday_word_never_used(shipped_engine):
    """As evidence, "UFLPA" (in many entries, so low idf) weighs more than "aunt" (in none): weights are by
    domain specificity, not idf."""
    evidence = shipped_engine.retriever.search("ngl what even is the uflpa, my aunt keeps posting about it").evidence
    assert evidence.found > evidence.missing_unknown


@pytest.mark.parametrize("text", ["O que é a lista de entidades da UFLPA?",
                                  "Luật UFLPA có ảnh hưởng đến hàng dệt may Việt Nam không?",
                                  "Il regolamento UE sul lavoro forzato vale anche per le vendite online?"])
def test_latin_script_languages_without_listed_function_words_are_recognised(text):
    """Portuguese, Vietnamese or Italian are told apart by words common there and rare in English."""
    assert is_other_language(text)


@pytest.mark.parametrize("text", ["wen did canadas supply chain act come in2 force", "ngl wats a wro lol",
                                  "de minimis and the uflpa", "is the xpcc con or pro china"])
def test_casual_english_is_not_taken_for_another_language(text):
    """Typos, slang and a stray foreign-looking word keep an English question English."""
    assert not is_other_language(text)


def test_foreign_words_file_matches_wordfreq():
    """The generated word list is what wordfreq's tables give today (regenerate with python -m bot.engine.foreign_words)."""
    from bot.engine.foreign_words import build, foreign_words

    assert set(build()) == foreign_words()
