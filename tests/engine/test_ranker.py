"""The final reorder of the best entries: question intents and the pairwise fit."""

import pytest

from bot.engine.ranker import RANK_FEATURES, EntryTraits, Intents, Ranker, entry_places


@pytest.mark.parametrize(("question", "intent"), [
    ("when did the mexico mechanism take effect", "time"),
    ("what happened in 2023 with the entity list", "time"),
    ("define wro pls", "define"),
    ("what does FLETF stand for", "define"),
    ("what happens next after a detention notice", "steps"),
    ("cbp is holding my shipment of cotton shirts", "situation"),
    ("is a WRO the same as a Finding", "compare"),
    ("how many companies are on the list rn", "count"),
])
def test_question_intents(question, intent):
    """Each kind of question is recognised by its own wording."""
    assert getattr(Intents.of(question), intent)


def test_plain_question_has_no_intent():
    """A question asking about a thing itself carries no kind-of-entry intent."""
    intents = Intents.of("uflpa rebuttable presumption explained")
    assert not any((intents.time, intents.steps, intents.situation, intents.compare, intents.count))


def test_pairwise_fit_prefers_what_the_right_entries_share():
    """Fitted on pairs where the right entry is the timeline one for time questions, it scores that feature up."""
    width = len(RANK_FEATURES)
    time_x_timeline = RANK_FEATURES.index("time_x_timeline")
    right, wrong = [0.0] * width, [0.0] * width
    right[time_x_timeline] = 1.0
    wrong[RANK_FEATURES.index("strength")] = 0.0
    ranker = Ranker.fit([(right, wrong)] * 20)
    assert ranker.score(right) > ranker.score(wrong)


def test_shipped_judge_has_a_ranker(shipped_engine):
    """The shipped engine reorders with the ranker fitted on dev."""
    assert shipped_engine.retriever.ranker is not None


@pytest.mark.parametrize(("question", "places"), [
    ("where do i report forced labour goods in the US", {"us"}),
    ("can cbp hold my container", {"us"}),
    ("does the eu ban apply to shein", {"eu"}),
    ("is the uk modern slavery act an import ban", {"uk"}),
    ("how did canada's import ban work out", {"canada"}),
    ("what can the ilo do about china", {"ilo"}),
    ("tell us about forced labour", set()),
])
def test_question_places(question, places):
    """A question's jurisdiction is read from users' lowercase wording; "us" the pronoun is not the country."""
    assert Intents.of(question).places == places


def test_entry_places_read_curator_casing(shipped_engine):
    """An entry's jurisdiction comes from its title and aliases: the UK how-to is about the UK, not the US."""
    entries = shipped_engine.kb.entries
    assert entry_places(entries["howto-report-forced-labour-goods-uk"]) == {"uk"}
    assert "us" in entry_places(entries["how-to-report-forced-labour-goods"])


def test_other_jurisdiction_does_not_win(shipped_engine):
    """Asked about the US, the Canadian and UK reporting how-tos rank below the US ones."""
    ranked = [r.entry.id for r in shipped_engine.retriever.search("where do i report forced labour goods in the US").ranked]
    us_rank = min(ranked.index(i) for i in ("how-to-report-forced-labour-goods", "section-307-allegations"))
    assert us_rank < ranked.index("howto-report-forced-labour-goods-uk")
    assert us_rank < ranked.index("howto-report-forced-labour-goods-canada")


def test_named_entry_counts_whole_words(shipped_engine):
    """A question naming an entry's alias as whole words names it; a word inside another word does not."""
    retriever = shipped_engine.retriever
    assert retriever.named("wro", " is a withhold release order final ") == 1.0
    assert retriever.named("ilo-c29", " wats c29 ") > 0
    assert retriever.named("ilo-c29", " wats c290 ") == 0


@pytest.mark.parametrize(("question", "intent"), [
    ("who decides which companies go on the entity list", "who"),
    ("who's in charge of the strategy", "who"),
    ("how do i report forced labour goods", "ask_how"),
    ("can we send the container back", "ask_how"),
    ("where do i file the request", "ask_how"),
])
def test_who_and_ask_how_intents(question, intent):
    """Questions about who acts, and about what the asker can do, are recognised."""
    assert getattr(Intents.of(question), intent)


def test_entry_traits_name_bodies(shipped_engine):
    """An entry whose title names a body that acts (a task force, a committee) is marked as one; a date entry is not."""
    entries = shipped_engine.kb.entries
    assert EntryTraits.of(entries["fletf"]).body
    assert not EntryTraits.of(entries["timeline-2021-12-23-uflpa-signed"]).body


@pytest.mark.parametrize(("question", "entry_id"), [("uflpa meaning?", "uflpa-overview"), ("fletf meaning", "glossary-fletf")])
def test_a_definition_question_gets_the_entry_it_names(shipped_engine, question, entry_id):
    """'X meaning?' answers with X's own entry (its glossary card if it has one), not another glossary card."""
    assert shipped_engine.ask(question).entry_id == entry_id
