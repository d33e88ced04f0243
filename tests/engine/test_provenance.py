import shutil
from datetime import date

from bot.engine import validate
from bot.engine.models import Source
from bot.engine.provenance import date_mentions, dates_after_source
from tests.conftest import FIXTURES

SOURCE = Source(id="s", title="S", citation="S", publisher="P", kind="report", url="https://x", date=date(2024, 5, 1),
                date_label="2024-05")


def with_broken(tmp_path, name):
    kb = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "kb_registry", kb)
    shutil.copy(FIXTURES / "kb_broken" / name, kb / name)
    _, problems = validate(kb)
    return problems


def test_date_mentions_reads_day_month_year_month_year_and_iso():
    """'18 March 2025', 'March 2025' and '2025-03-18' are all read as dates."""
    found = date_mentions("On 18 March 2025, in April 2025, and on 2025-03-19.")
    assert [m.earliest for m in found] == [date(2025, 3, 18), date(2025, 4, 1), date(2025, 3, 19)]


def test_a_month_only_source_date_covers_the_whole_month():
    """A source dated 2024-05 can report 31 May 2024 but not 1 June 2024."""
    assert dates_after_source("It happened on 31 May 2024.", SOURCE) == []
    assert [m.text for m in dates_after_source("It happened on 1 June 2024.", SOURCE)] == ["1 June 2024"]


def test_a_scheduled_date_is_not_a_reported_event():
    """A source may set a future date ('applies from', 'due by', 'would ... on')."""
    text = "It applies from 14 December 2027. Guidelines are due by 14 June 2026. It would start on 2 July 2025."
    assert dates_after_source(text, SOURCE) == []


def test_later_date_in_sourced_excerpt_is_rejected_at_file_line(tmp_path):
    """An excerpt dated after its source is reported; the source's own effective date is not."""
    [problem] = with_broken(tmp_path, "later_date.yaml")
    assert (problem.file, problem.line) == ("knowledge/later_date.yaml", 12)
    assert "'18 March 2025', later than its source 'uflpa'" in problem.message


def test_curator_wording_in_sourced_excerpt_is_rejected_at_file_line(tmp_path):
    """'this knowledge base' inside text attributed to a source must become a note."""
    [problem] = with_broken(tmp_path, "note_in_sourced.yaml")
    assert (problem.file, problem.line, problem.entry_id) == ("knowledge/note_in_sourced.yaml", 8, "remark-in-excerpt")
    assert "curator wording ('this knowledge base')" in problem.message


def test_source_without_kind_is_rejected(tmp_path):
    """Every source needs a kind."""
    [problem] = with_broken(tmp_path, "source_without_kind.yaml")
    assert problem.entry_id == "no-kind" and "missing required key 'kind'" in problem.message


def test_source_without_standing_is_rejected(tmp_path):
    """Every source says whether it is official or secondary."""
    [problem] = with_broken(tmp_path, "source_without_standing.yaml")
    assert problem.entry_id == "no-standing" and "missing required key 'standing'" in problem.message


def test_note_cannot_name_a_source(tmp_path):
    """A note is never attributed, so a source on it is an error."""
    [problem] = with_broken(tmp_path, "note_with_source.yaml")
    assert problem.line == 14 and "a note has no 'source'" in problem.message
