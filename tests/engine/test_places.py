"""Places a question names, and whether the chosen entry mentions them."""

import pytest

from bot.engine.places import mentions, named_places


@pytest.mark.parametrize(("text", "places"), [
    ("does australia have a forced labour import ban", {"australia"}),
    ("what's the dutch child labour due diligence act", {"netherlands"}),
    ("is there a law like this in South Korea or the Republic of Korea", {"south korea"}),
    ("how did kazakhstan vote? im kazakh", {"kazakhstan"}),
    ("tell us about the presumption", set()),
    ("what is a wro", set()),
])
def test_named_places(text, places):
    """Country names, short forms and demonyms are found as whole words; the pronoun "us" is not a country."""
    assert named_places(text) == places


def test_an_entry_mentions_a_place_by_any_of_its_names():
    """An entry holding "australian" mentions Australia; one holding only "austria" does not."""
    assert mentions("australia", {"australian", "law"})
    assert not mentions("australia", {"austria", "law"})


def test_question_about_an_uncovered_country_is_flagged(shipped_engine):
    """Asked about Australia's law, the best entry does not mention Australia, and the judge is told so."""
    assert shipped_engine.retriever.search("does australia have a forced labour import ban like the uflpa").unmentioned_place


def test_question_about_a_covered_country_is_not_flagged(shipped_engine):
    """A question naming a country the answer mentions is not flagged (Kazakhstan in the 2022 Council vote)."""
    result = shipped_engine.retriever.search("how did kazakhstan vote on the xinjiang debate at the human rights council")
    assert result.top.entry.id == "un-hrc-vote-2022" and not result.unmentioned_place
