"""Plain questions about the US facts that changed in the fact sheet's update of 29 November 2026 get the current
value and its "as of" date (issue 10, point 3).

Each test asks through the shipped engine and reads what a user is shown: the lead plus the cited excerpts.
"""

import pytest


def shown(engine, question: str) -> str:
    answer = engine.ask(question)
    assert answer.answered, f"not answered: {question}"
    return " ".join([answer.lead, *(citation.excerpt for citation in answer.citations)])


def test_entity_list_total_is_the_reported_187_of_august_2026(shipped_engine):
    """The Entity List total is the reported 187, dated August 2026."""
    text = shown(shipped_engine, "how many companies are on the uflpa entity list")
    assert "187" in text and "August 2026" in text


def test_entity_list_largest_batch_is_the_43_of_july_2026(shipped_engine):
    """The largest Entity List batch is the 43 announced in July 2026, no longer the 37 of January 2025."""
    text = shown(shipped_engine, "what was the biggest batch of uflpa entity list additions")
    assert "43" in text and "July 2026" in text


def test_entity_list_growth_names_the_missing_2023_and_2024_notices(shipped_engine):
    """The additions notice by notice include the 27 September 2023 and 1 November 2024 notices and their totals."""
    text = shown(shipped_engine, "list every uflpa entity list addition since 2023")
    assert "27 September 2023" in text and "(27)" in text
    assert "1 November 2024" in text and "(78)" in text


@pytest.mark.parametrize(
    "question", ["how do i report forced labor to cbp", "where do i send a tip to cbp about uyghur forced labour"]
)
def test_reporting_goes_to_the_allegation_portal_since_june_2025(shipped_engine, question):
    """Reporting forced-labour goods names the Allegation Portal and its June 2025 start, before any e-Allegations."""
    text = shown(shipped_engine, question)
    assert "flallegation.cbp.gov" in text and "20 June 2025" in text
    if "e-Allegations" in text:
        assert text.index("flallegation.cbp.gov") < text.index("e-Allegations")


def test_detention_answer_names_the_forced_labor_portal_of_january_2026(shipped_engine):
    """What to do after a UFLPA detention names the mandatory Forced Labor Portal, dated 21 January 2026."""
    text = shown(shipped_engine, "got a uflpa detention notice, what do i do next")
    assert "flportal.cbp.gov" in text and "21 January 2026" in text


def test_wro_modification_petitions_go_through_the_forced_labor_portal(shipped_engine):
    """Petitions to modify a WRO name the June 2025 guide and the Forced Labor Portal of 21 January 2026."""
    text = shown(shipped_engine, "how does a company get a wro lifted")
    assert "Modifications Guide" in text and "June 2025" in text
    assert "flportal.cbp.gov" in text and "21 January 2026" in text


def test_the_two_portals_are_told_apart(shipped_engine):
    """Asking which portal is which names both current addresses."""
    text = shown(shipped_engine, "allegation portal vs forced labor portal what's the difference")
    assert "flallegation.cbp.gov" in text and "flportal.cbp.gov" in text


def test_current_guidance_is_publication_5560_0526_of_june_2026(shipped_engine):
    """CBP's current guidance is Publication No. 5560-0526 of June 2026, replacing 1793-0522."""
    text = shown(shipped_engine, "what is cbp's current operational guidance for importers on forced labor")
    assert "5560-0526" in text and "June 2026" in text and "1793-0522" in text


def test_old_guidance_question_is_told_it_was_replaced(shipped_engine):
    """Asking about the 2022 guidance says it was replaced in June 2026 by 5560-0526."""
    text = shown(shipped_engine, "cbp publication 1793-0522 what is it")
    assert "5560-0526" in text and "June 2026" in text


def test_fletf_observers_are_marked_historical_since_usaid_closed(shipped_engine):
    """The FLETF answer says USAID was closed on 1 July 2025, so the 2022 observer list is historical."""
    text = shown(shipped_engine, "who's on the forced labor enforcement task force")
    assert "1 July 2025" in text and "historical" in text


def test_enforcement_figures_are_dated_1_august_2025(shipped_engine):
    """The latest UFLPA enforcement figures carry their 1 August 2025 date."""
    text = shown(shipped_engine, "how many shipments has cbp stopped under the uflpa")
    assert "16,700" in text and "1 August 2025" in text


def test_calendar_2024_figures_are_given_with_who_reports_them(shipped_engine):
    """Calendar-2024 detentions give 6,049 with the reporter and its data date."""
    text = shown(shipped_engine, "how many shipments did cbp detain under the uflpa in 2024")
    assert "6,049" in text and "Zhonglun" in text and "21 February 2025" in text


def test_latest_wro_is_taepyung_salt_of_april_2025(shipped_engine):
    """The latest WRO found is Taepyung Salt Farm, 2 April 2025, with CBP's count of 52."""
    text = shown(shipped_engine, "what is the most recent wro cbp has issued")
    assert "Taepyung" in text and "2 April 2025" in text and "52" in text


def test_wro_count_is_dated(shipped_engine):
    """The number of active WROs is CBP's latest count, dated 2 April 2025."""
    text = shown(shipped_engine, "how many forced labor findings are active right now")
    assert "52 WROs" in text and "2 April 2025" in text


def test_hoshine_case_stage_is_the_2025_remand_and_stay(shipped_engine):
    """The Hoshine CIT case answer gives the 2025 standing ruling, remand and stay."""
    text = shown(shipped_engine, "what happened in the hoshine court case")
    assert "22 April 2025" in text and "14 May 2025" in text and "26 November 2025" in text


def test_hr_1724_status_is_the_senate_referral_of_may_2025(shipped_engine):
    """H.R. 1724 is in the Senate since 6 May 2025 and not law."""
    text = shown(shipped_engine, "what happened to the no dollars to uyghur forced labor act")
    assert "6 May 2025" in text and "not law" in text


def test_uhrpa_extension_to_2030_is_stated_as_reported(shipped_engine):
    """The UHRPA extension to 2030 is given as reported by Turkistan Press."""
    text = shown(shipped_engine, "was the uyghur human rights policy act extended")
    assert "2030" in text and "Turkistan Press" in text


def test_strategy_update_latest_is_2025_with_no_2026_update(shipped_engine):
    """The latest Strategy update is the 19 August 2025 one, and no 2026 update is claimed."""
    text = shown(shipped_engine, "is there a 2026 uflpa strategy update yet")
    assert "19 August 2025" in text and "no 2026 update was found" in text
