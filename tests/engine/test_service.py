import pytest

from bot.engine import Engine
from tests.conftest import FIXTURES, ROOT


def test_answer_cites_source_pinpoint_url_and_date(small_engine):
    """An answered question carries numbered citations with pinpoint, official URL and date."""
    answer = small_engine.ask("does the uflpa presumption reach inputs made elsewhere?")
    assert answer.answered and answer.entry_id == "uflpa-rebuttable-presumption"
    first = answer.citations[0]
    assert (first.rank, first.pinpoint, first.date) == (1, "§ 3(a)", "2021-12-23")
    assert first.url.startswith("https://www.govinfo.gov/")
    assert answer.last_reviewed == "2026-11-27"
    assert "not legal advice" in answer.disclaimer


def test_off_topic_question_is_not_covered_with_suggestions(shipped_engine):
    """A question outside the knowledge base abstains and offers up to three near topics."""
    answer = shipped_engine.ask("what is the best pizza in naples")
    assert not answer.answered and answer.reason == "not_covered"
    assert answer.citations == () and 1 <= len(answer.suggestions) <= 3
    assert all(t.entry_id in shipped_engine.kb.entries for t in answer.suggestions)


def test_empty_and_whitespace_ask_for_a_question(small_engine):
    """Empty or whitespace-only input gets the 'ask me something' reply."""
    for text in ("", "   \n\t", "\u200b\u200b"):
        answer = small_engine.ask(text)
        assert answer.reason == "empty" and "Ask me a question" in answer.message


def test_huge_input_is_refused_as_too_long(small_engine):
    """50,000 characters get a clear 'too long' reply naming the limit."""
    answer = small_engine.ask("forced labour " * 3600)
    assert answer.reason == "too_long" and "2,000" in answer.message


@pytest.mark.parametrize("text", [
    "@everyone <@&123> what is this", "🙂🙂🙂", "维吾尔族强迫劳动", "ئۇيغۇر ئەمگەك", "**bold** `code` ||x||", "\x00\x07\x1b[31m",
])
def test_odd_input_never_crashes_and_never_echoes(small_engine, text):
    """Mentions, emoji, other scripts, Markdown and control characters give a reply that does not echo them."""
    answer = small_engine.ask(text)
    assert answer.reason in {"not_covered", "empty", "answered", "other_language"}
    assert "@everyone" not in answer.message and "<@&" not in answer.message


def test_follow_up_uses_previous_question_as_context(shipped_engine):
    """'what about the exception?' after a UFLPA question means the UFLPA exception, not C29's exceptions."""
    answer = shipped_engine.ask("ok and what about the exception?", context="how does the uflpa presumption work")
    assert answer.answered and answer.entry_id == "uflpa-exception"


def test_follow_up_is_not_pulled_back_to_the_previous_topic(shipped_engine):
    """The previous question's entry does not outrank the entry the follow-up asks about."""
    answer = shipped_engine.ask("and what about the exception?", context="what is the uflpa rebuttable presumption")
    assert answer.entry_id == "uflpa-exception"


def test_follow_up_naming_a_new_topic_switches_to_it(shipped_engine):
    """'and what about C105?' after a C29 question answers about C105."""
    answer = shipped_engine.ask("and what about C105?", context="what does the forced labour convention c29 say")
    assert answer.answered and answer.entry_id == "ilo-c105"


def test_long_excerpt_is_trimmed_around_matching_sentence_with_ellipsis():
    """A long excerpt keeps the matching sentences whole and marks cuts with an ellipsis."""
    from bot.engine.analysis import analyze
    from bot.engine.answer import trim_excerpt

    sentences = [f"Sentence number {i} talks about filler material only." for i in range(12)]
    sentences[8] = "The presumption took effect on 21 June 2022."
    text = " ".join(sentences)
    trimmed = trim_excerpt(text, set(analyze("when did the presumption take effect")), max_chars=150)
    assert "The presumption took effect on 21 June 2022." in trimmed
    assert trimmed.startswith("…") and len(trimmed) <= 160


def test_quote_is_never_reworded_when_trimmed():
    """Every sentence kept from a quote appears verbatim in the source text."""
    from bot.engine.answer import split_sentences, trim_excerpt

    text = " ".join(f"Article {i} says exactly this wording here." for i in range(30))
    trimmed = trim_excerpt(text, {"art_12"}, max_chars=200).strip("… ")
    assert all(sentence in text for sentence in split_sentences(trimmed))


def test_cite_finds_excerpts_by_source_and_pinpoint(small_engine):
    """/cite UFLPA 3(b) returns the section 3(b) excerpts and nothing from 3(a)."""
    answer = small_engine.cite("UFLPA", "3(b)")
    assert answer.answered
    assert [c.pinpoint for c in answer.citations] == ["§ 3(b)(1)(B)", "§ 3(b)(2)"]


def test_cite_article_number_does_not_match_longer_numbers(small_engine):
    """'ILO Constitution' '3' does not match Art. 33."""
    assert not small_engine.cite("ILO Constitution", "3").answered
    assert small_engine.cite("ilo constitution", "Art. 33").citations[0].pinpoint == "Art. 33"


def test_define_prefers_exact_glossary_match(small_engine):
    """/define WRO returns the glossary entry."""
    assert small_engine.define("WRO").entry_id == "glossary-wro"


def test_autocomplete_prefers_prefix_matches_and_caps_at_25(shipped_engine):
    """Autocomplete returns at most 25 choices, prefix matches first."""
    assert len(shipped_engine.complete_topics("")) <= 25
    assert len(shipped_engine.complete_topics("i", limit=25)) <= 25
    choices = shipped_engine.complete_topics("withhold")
    assert choices and "withhold" in choices[0][1].lower()


def test_fingerprint_changes_when_entry_changes(tmp_path):
    """An edited entry gets a new fingerprint; an untouched one keeps it."""
    import shutil

    kb = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_small", kb)
    before = Engine.load(kb, ROOT / "prompts")
    path = kb / "entries.yaml"
    path.write_text(path.read_text().replace("There is no de minimis threshold", "No de minimis threshold applies"))
    after = Engine.load(kb, ROOT / "prompts")
    assert before.entry_fingerprint("uflpa-rebuttable-presumption") != after.entry_fingerprint("uflpa-rebuttable-presumption")
    assert before.entry_fingerprint("glossary-wro") == after.entry_fingerprint("glossary-wro")


def test_ladder_steps_are_searchable_and_cited(small_engine):
    """A ladder answers with its steps as citations."""
    answer = small_engine.ask("ilo article 33 measures")
    assert answer.entry_id == "ladder-ilo-supervision"
    assert any(c.pinpoint == "Art. 33" for c in answer.citations)


@pytest.mark.parametrize(("question", "context", "topic"), [
    ("and how is it enforced?", "What does the UFLPA presume about goods from Xinjiang?", "uflpa"),
    ("when did it take effect?", "what is the EU forced labour regulation", "eu forced labour regulation"),
    ("how long does it take?", "cbp detained my shipment under uflpa", "detention"),
    ("who can file one?", "what is an ILO representation", "representation"),
])
def test_vague_follow_up_stays_on_the_conversation_topic(shipped_engine, question, context, topic):
    """A follow-up with only generic words is answered by an entry about the previous question's topic."""
    answer = shipped_engine.ask(question, context=context)
    entry = shipped_engine.kb.entries[answer.entry_id] if answer.answered else None
    assert entry is not None and topic in " ".join((entry.title, entry.summary, *entry.aliases)).casefold()


def test_repeated_question_is_served_from_the_answer_cache(small_engine):
    """Asking the same question twice returns the same immutable answer without searching again."""
    first = small_engine.ask("what is a wro, asked twice")
    calls = []
    original = small_engine.retriever.search
    small_engine.retriever.search = lambda *a, **k: calls.append(a) or original(*a, **k)
    try:
        assert small_engine.ask("what is a wro, asked twice") is first
        assert calls == []
        small_engine.ask("what is a wro, asked twice", context="uflpa")  # context is part of the key
        assert calls and all(call[0] == "what is a wro, asked twice" for call in calls)
    finally:
        small_engine.retriever.search = original


def test_too_long_input_is_not_kept_in_the_cache(small_engine):
    """A 50,000-character input is answered but never cached."""
    huge = "x" * 50_000
    small_engine.ask(huge)
    assert (huge, None) not in small_engine._answers


def test_zero_width_characters_inside_an_acronym_still_find_the_entry(small_engine):
    """"What is a W\u200bR\u200bO?" is answered from the WRO entry, as "What is a WRO?" is."""
    answer = small_engine.ask("What is a W\u200bR\u200bO?")
    assert answer.answered and answer.entry_id == "glossary-wro"
