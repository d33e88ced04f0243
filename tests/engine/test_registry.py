import re
import shutil
from datetime import date

import pytest

from bot.engine import load_knowledge_base, validate
from bot.engine.holder import EngineHolder
from bot.engine.loader import _LineLoader, yaml_files
from bot.engine.registry import REFERENCE, overdue
from tests.conftest import FIXTURES, ROOT

REGISTRY = FIXTURES / "kb_registry"
REVIEW_DAY = date(2026, 12, 1)  # the day the shipped registry must be current on


def with_broken(tmp_path, name):
    kb = tmp_path / "knowledge"
    shutil.copytree(REGISTRY, kb)
    shutil.copy(FIXTURES / "kb_broken" / name, kb / name)
    _, problems = validate(kb)
    return problems


def test_values_are_substituted_into_summaries_and_excerpts():
    """{{name}} and {{name.as_of}} are replaced by the registry's wording and date."""
    kb = load_knowledge_base(REGISTRY)
    entry = kb.entries["entity-list-total"]
    assert entry.summary == "As of 29 November 2026 the UFLPA Entity List holds 187 entities (reported since 3 August 2026)."
    assert "187 entities (reported" in entry.excerpts[0].text
    assert entry.values_used == ("entity_list_total",)


def test_literal_value_is_reported_with_file_and_line(tmp_path):
    """An entry that writes a registered value out instead of referring to it is rejected at file:line."""
    [problem] = with_broken(tmp_path, "literal_value.yaml")
    assert (problem.file, problem.line, problem.entry_id) == ("knowledge/literal_value.yaml", 6, "literal-total")
    assert "'entity_list_total' literally" in problem.message


def test_unknown_value_is_reported_with_file_and_line(tmp_path):
    """A reference to a value the registry does not hold is a problem at the text's line."""
    [problem] = with_broken(tmp_path, "unknown_value.yaml")
    assert (problem.file, problem.line) == ("knowledge/unknown_value.yaml", 6)
    assert "unknown value '{{entity_list_count}}'" in problem.message


def test_sourced_excerpt_cannot_use_a_value_from_another_source(tmp_path):
    """A value inside an excerpt must come from the excerpt's own source."""
    problems = with_broken(tmp_path, "value_from_other_source.yaml")
    assert any(p.line == 8 and "whose source is 'trade-press-2026'" in p.message for p in problems)


def test_reported_value_must_name_who_reports_it(tmp_path):
    """A value with status reported needs reported_by and wording that says it is reported."""
    problems = with_broken(tmp_path, "reported_value_unattributed.yaml")
    messages = sorted(p.message for p in problems)
    assert any("needs 'reported_by'" in m for m in messages)
    assert any("wording must say it is reported" in m for m in messages)


def test_overdue_lists_values_past_their_review_interval():
    """A value is overdue once as_of plus review_every days has passed."""
    kb = load_knowledge_base(REGISTRY)
    assert overdue(kb.values, date(2027, 2, 27)) == []
    assert [v.id for v in overdue(kb.values, date(2027, 2, 28))] == ["entity_list_total"]


# -- the shipped knowledge base --------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped_kb():
    return load_knowledge_base(ROOT / "knowledge")


def test_every_shipped_value_has_as_of_a_known_source_and_is_not_overdue(shipped_kb):
    """Each registry value names its source and was checked within its review interval of 2026-12-01."""
    assert len(shipped_kb.values) >= 10
    for value in shipped_kb.values.values():
        assert value.as_of > date(2026, 1, 1) and value.source_id in shipped_kb.sources, value.id
        assert value.review_every > 0
    assert overdue(shipped_kb.values, REVIEW_DAY) == []


def test_reported_shipped_values_rest_on_secondary_sources_and_say_so(shipped_kb):
    """Values graded secondary on the fact sheet are worded as reported and name who reports them."""
    reported = [v for v in shipped_kb.values.values() if v.status == "reported"]
    assert {"entity_list_total", "ilo_coi_count", "cbp_review_channel"} <= {v.id for v in reported}
    for value in reported:
        assert "reported" in value.value.lower() and value.reported_by, value.id


def test_no_shipped_entry_states_a_changing_value_literally(shipped_kb):
    """No raw entry text outside the registry matches any value's literal patterns."""
    patterns = [(v.id, p) for v in shipped_kb.values.values() for p in v.literal_patterns]
    assert patterns
    import yaml

    for path in yaml_files(ROOT / "knowledge"):
        if path.name == "values.yaml":
            continue
        data = yaml.load(path.read_text(), Loader=_LineLoader) or {}
        for item in data.get("entries", []) + data.get("ladders", []):
            texts = [item.get("title", ""), item.get("summary", "")]
            texts += [x.get("text", "") for x in item.get("excerpts", [])]
            texts += [str(v) for step in item.get("steps", []) for v in step.values()]
            for text in texts:
                bare = REFERENCE.sub(" ", text)
                for value_id, pattern in patterns:
                    assert not re.search(pattern, bare, re.IGNORECASE), (path.name, item["id"], value_id)


def test_shipped_entity_list_answer_gives_the_current_reported_total(shipped_engine):
    """Asking for the Entity List total gets the registry's current, reported figure."""
    answer = shipped_engine.ask("how many entities are on the uflpa entity list")
    assert "187 entities (reported by Caixin and US law firms, effective from 3 August 2026" in answer.lead


# -- reloads ---------------------------------------------------------------------------------------

async def test_registry_change_marks_every_using_entry_changed(tmp_path):
    """Editing one value changes every entry that uses it, and the reload reports the value old -> new."""
    kb = tmp_path / "kb"
    shutil.copytree(REGISTRY, kb)
    holder = EngineHolder(kb, ROOT / "prompts")
    values = kb / "values.yaml"
    values.write_text(values.read_text().replace("187 entities", "190 entities"))
    result = await holder.reload()
    assert result.ok and result.changed == {"entity-list-total", "entity-list-basics"}
    [change] = result.values
    assert (change.id, change.old, change.new) == (
        "entity_list_total", "187 entities (reported since 3 August 2026)", "190 entities (reported since 3 August 2026)")
    assert change.entries == ("entity-list-total", "entity-list-basics")
    assert "190 entities" in holder.engine.explain("entity-list-basics").lead


async def test_as_of_change_alone_refreshes_using_entries(tmp_path):
    """A new as_of counts as a change of every using entry, even one that does not print the date."""
    kb = tmp_path / "kb"
    shutil.copytree(REGISTRY, kb)
    holder = EngineHolder(kb, ROOT / "prompts")
    values = kb / "values.yaml"
    values.write_text(values.read_text().replace("as_of: 2026-11-29", "as_of: 2026-12-15"))
    result = await holder.reload()
    assert result.changed == {"entity-list-total", "entity-list-basics"}
    assert [(c.old_as_of, c.new_as_of) for c in result.values] == [(date(2026, 11, 29), date(2026, 12, 15))]
