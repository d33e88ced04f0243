import shutil
import textwrap
from pathlib import Path

import pytest

from bot.engine import KnowledgeBaseError, load_knowledge_base, validate
from tests.conftest import FIXTURES, ROOT


def write_kb(tmp_path: Path, files: dict[str, str]) -> Path:
    kb = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "kb_small", kb)
    for name, text in files.items():
        target = kb / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return kb


ENTRY = """\
entries:
  - id: {id}
    title: A title
    area: uflpa
    questions: ["a question"]
    summary: A summary.
    excerpts:
      - text: Some text.
        source: {source}
        pinpoint: § 2
        quote: false
    last_reviewed: {reviewed}
"""


def test_shipped_knowledge_base_is_valid():
    """The shipped knowledge base passes every check."""
    kb, problems = validate(ROOT / "knowledge")
    assert problems == [], "\n".join(map(str, problems))
    assert len(kb.entries) >= 40


def test_fixture_loads_entries_ladders_and_sources():
    """Entries, ladders and sources all load from the fixture."""
    kb = load_knowledge_base(FIXTURES / "kb_small")
    assert "uflpa-exception" in kb.entries
    assert kb.ladders["ladder-ilo-supervision"].steps[1].pinpoint == "Art. 33"
    assert kb.sources["uflpa"].effective.isoformat() == "2022-06-21"


def test_unknown_source_is_reported_with_file_line_and_id(tmp_path):
    """An excerpt citing a source that does not exist names the file, line and entry."""
    kb = write_kb(tmp_path, {"extra.yaml": ENTRY.format(id="new-entry", source="no-such-source", reviewed="2026-01-01")})
    _, problems = validate(kb)
    [problem] = problems
    assert problem.file.endswith("extra.yaml")
    assert problem.line == 9
    assert problem.entry_id == "new-entry"
    assert "unknown source id 'no-such-source'" in problem.message


def test_duplicate_id_is_reported_across_files(tmp_path):
    """An id used in two files is a problem that points to the first definition."""
    kb = write_kb(tmp_path, {"extra.yaml": ENTRY.format(id="uflpa-exception", source="uflpa", reviewed="2026-01-01")})
    _, problems = validate(kb)
    assert any("duplicate entry id" in p.message and "entries.yaml" in p.message for p in problems)


def test_bad_date_is_a_problem_not_a_crash(tmp_path):
    """A date that does not exist is reported at its line."""
    kb = write_kb(tmp_path, {"extra.yaml": ENTRY.format(id="dated", source="uflpa", reviewed="2026-13-45")})
    _, problems = validate(kb)
    [problem] = problems
    assert problem.line == 12 and "not a valid date" in problem.message


def test_typo_key_is_reported_with_suggestion(tmp_path):
    """An unknown key such as a typo is reported with the closest known key."""
    text = ENTRY.format(id="typo", source="uflpa", reviewed="2026-01-01").replace("summary:", "sumary:")
    kb = write_kb(tmp_path, {"extra.yaml": text})
    _, problems = validate(kb)
    messages = [p.message for p in problems]
    assert "unknown entry key 'sumary' (did you mean 'summary'?)" in messages
    assert "missing required key 'summary'" in messages


def test_all_problems_are_reported_in_one_run(tmp_path):
    """Several broken files give several problems, not just the first."""
    kb = write_kb(tmp_path, {
        "a.yaml": ENTRY.format(id="a-entry", source="nowhere", reviewed="2026-01-01"),
        "b.yaml": ENTRY.format(id="b-entry", source="uflpa", reviewed="yesterday"),
        "c.yaml": "entries:\n  - id: c\n    title: [unclosed\n",
    })
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb)
    files = {Path(p.file).name for p in caught.value.problems}
    assert files == {"a.yaml", "b.yaml", "c.yaml"}


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    """Malformed YAML is reported with the line where parsing failed."""
    kb = write_kb(tmp_path, {"broken.yaml": "entries:\n  - id: x\n    title: \"unterminated\n    area: uflpa\n"})
    _, problems = validate(kb)
    [problem] = problems
    assert problem.file.endswith("broken.yaml") and problem.line >= 3
    assert "YAML syntax error" in problem.message


def test_dangling_related_id_is_reported(tmp_path):
    """A related id that names no entry is a problem."""
    text = ENTRY.format(id="rel", source="uflpa", reviewed="2026-01-01") + "    related: [ghost-entry]\n"
    kb = write_kb(tmp_path, {"extra.yaml": text})
    _, problems = validate(kb)
    assert [p.message for p in problems] == ["related id 'ghost-entry' does not exist"]


def test_empty_excerpt_text_and_missing_citation_are_reported(tmp_path):
    """Empty text and a source without a citation are both problems."""
    text = ENTRY.format(id="empty", source="uflpa", reviewed="2026-01-01").replace("Some text.", '""')
    kb = write_kb(tmp_path, {"extra.yaml": text})
    (kb / "sources.yaml").write_text((kb / "sources.yaml").read_text().replace(
        "    citation: ILO Constitution (1919, as amended)\n", ""))
    _, problems = validate(kb)
    messages = {(p.entry_id, p.message) for p in problems}
    assert ("empty", "'text' is empty") in messages
    assert ("ilo-constitution", "missing required key 'citation'") in messages


def test_new_file_is_loaded_without_code_change(tmp_path):
    """Any YAML file dropped anywhere under the directory is loaded."""
    kb = write_kb(tmp_path, {"deep/nested/more.yml": ENTRY.format(id="nested", source="uflpa", reviewed="2026-01-01")})
    assert "nested" in load_knowledge_base(kb).entries


def test_timeline_entry_requires_event_date(tmp_path):
    """A timeline entry without event_date is a problem."""
    text = ENTRY.format(id="when", source="uflpa", reviewed="2026-01-01").replace("area: uflpa", "area: timeline")
    kb = write_kb(tmp_path, {"extra.yaml": text})
    _, problems = validate(kb)
    assert [p.message for p in problems] == ["missing required key 'event_date'"]


def test_month_only_dates_are_accepted_and_kept_as_written(tmp_path):
    """A timeline event known only to the month keeps '2018-03' as its label and sorts at the month's start."""
    text = ENTRY.format(id="month-only", source="uflpa", reviewed="2026-01-01").replace(
        "area: uflpa", "area: timeline\n    event_date: 2018-03")
    kb = load_knowledge_base(write_kb(tmp_path, {"extra.yaml": text}))
    entry = kb.entries["month-only"]
    assert entry.event_label == "2018-03" and entry.event_date.isoformat() == "2018-03-01"
    assert kb.timeline[0].id == "month-only"


def test_impossible_month_is_reported(tmp_path):
    """'2018-13' is a problem at its line, not a crash."""
    text = ENTRY.format(id="bad-month", source="uflpa", reviewed="2026-01-01").replace(
        "area: uflpa", "area: timeline\n    event_date: 2018-13")
    _, problems = validate(write_kb(tmp_path, {"extra.yaml": text}))
    assert [p.message for p in problems] == ["'event_date' is not a valid date: '2018-13'"]
