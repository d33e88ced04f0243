"""Each outdated international item in the fact sheet's update of 29 November 2026, asked in plain words through the
engine: the answer (lead plus cited excerpts) gives the current value and its "as of" date."""

import pytest

AS_OF = "29 November 2026"

# (question, phrases the answer must contain besides the "as of" date)
CURRENT = [
    pytest.param("how many commissions of inquiry has the ilo set up so far", ["15", "18 March 2025", "14"], id="coi-count"),
    pytest.param("did the ilo open an inquiry into nicaragua in 2025", ["18 March 2025", "C111"], id="nicaragua-coi"),
    pytest.param("has nicaragua left the ilo", ["27 February 2025"], id="nicaragua-withdrawal"),
    pytest.param("how many times has article 33 been used", ["three times", "5 June 2025", "2023"], id="article-33"),
    pytest.param("did an ilo mission go to xinjiang", ["August 2023"], id="xinjiang-mission"),
    pytest.param("has the ilo looked at china again after 2022", ["2023, 2024, 2025 or 2026"], id="china-cas-absence"),
    pytest.param("how many fundamental ilo conventions has china ratified", ["7 of the 10"], id="china-fundamentals"),
    pytest.param("what has the un said about xinjiang since the 2022 report", ["27 February 2026", "27 August 2024"],
                 id="ohchr-follow-up"),
    pytest.param("did the eu publish its forced labour guidelines", ["June 2026", "30 June"], id="eu-guidelines"),
    pytest.param("is the eu forced labour single portal live", ["June 2026"], id="eu-portal"),
    pytest.param("is the csddd omnibus change final", ["24 February 2026", "July 2029"], id="csddd-omnibus"),
    pytest.param("does bafa still check lksg reports", ["1 October 2025", "21/2474"], id="lksg"),
    pytest.param("is canada's bill c-251 law", ["21 October 2025", "not law"], id="canada-c-251"),
    pytest.param("did mexico amend its forced labour import rules", ["29 October 2025"], id="mexico-acuerdo"),
    pytest.param("is the uk reforming modern slavery statements", ["30 June 2026", "not law"], id="uk-bill"),
]


def answer_text(answer) -> str:
    """What a reader sees: the lead and the excerpts of the citations."""
    return " ".join([answer.lead, *(citation.excerpt for citation in answer.citations)])


@pytest.mark.parametrize(("question", "phrases"), CURRENT)
def test_answer_gives_the_current_value_and_its_date(shipped_engine, question, phrases):
    """The answer states the value current on 29 November 2026 and says it is current as of that date."""
    answer = shipped_engine.ask(question)
    assert answer.answered, answer.message
    text = " ".join(answer_text(answer).split())
    missing = [phrase for phrase in [*phrases, AS_OF] if phrase not in text]
    assert not missing, (answer.entry_id, missing, text[:600])


def test_eu_flr_entry_into_force_is_13_december_2024(shipped_engine):
    """Asked when the EU forced labour regulation entered into force, the answer says 13 December 2024 and 2027."""
    text = answer_text(shipped_engine.ask("when did the eu forced labour regulation enter into force"))
    assert "13 December 2024" in text and "14 December 2027" in text


def test_superseded_coi_count_is_not_given_as_current(shipped_engine):
    """The answer on the number of commissions of inquiry never presents 14 as the current total."""
    text = answer_text(shipped_engine.ask("how many commissions of inquiry has the ilo set up so far"))
    assert "14 to date" not in text and "none later" not in text.lower()
