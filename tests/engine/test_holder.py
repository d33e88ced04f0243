import shutil

import pytest

from bot.engine.holder import EngineHolder
from tests.conftest import FIXTURES, ROOT
from tests.engine.hostile_yaml import billion_laughs


@pytest.fixture
def kb_dir(tmp_path):
    target = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_small", target)
    return target


async def test_reload_swaps_in_edited_knowledge_and_names_changed_entries(kb_dir):
    """A good edit is served after reload, and only the edited entry is reported as changed."""
    holder = EngineHolder(kb_dir, ROOT / "prompts")
    path = kb_dir / "entries.yaml"
    path.write_text(path.read_text().replace("A CBP order telling ports", "An order from CBP telling ports"))
    result = await holder.reload()
    assert result.ok and result.changed == {"glossary-wro"}
    assert holder.engine.explain("glossary-wro").lead.startswith("An order from CBP")


async def test_broken_reload_keeps_the_last_good_knowledge_base(kb_dir):
    """A reload with broken YAML reports file:line and keeps answering from the previous knowledge base."""
    holder = EngineHolder(kb_dir, ROOT / "prompts")
    before = holder.engine
    (kb_dir / "entries.yaml").write_text("entries:\n  - id: [broken\n")
    result = await holder.reload()
    assert not result.ok and "entries.yaml:" in result.problems[0]
    assert holder.engine is before and holder.engine.ask("what is a wro").answered


async def test_broken_prompt_reload_keeps_serving(kb_dir, tmp_path):
    """A broken prompt template fails the reload without replacing the engine."""
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    holder = EngineHolder(kb_dir, prompts)
    (prompts / "answer.txt").write_text("$nothing")
    result = await holder.reload()
    assert not result.ok and any("answer.txt" in p for p in result.problems)


async def test_billion_laughs_reload_fails_with_one_problem_in_little_memory(kb_dir):
    """A hostile file fails the reload with one file:line problem; its reader stays small; the old KB serves."""
    holder = EngineHolder(kb_dir, ROOT / "prompts")
    before = holder.engine
    (kb_dir / "laughs.yaml").write_text(billion_laughs(6))
    result = await holder.reload()
    assert not result.ok and result.problems == (
        "kb/laughs.yaml:2: YAML anchors are not allowed in knowledge files (found &a); write the value out in full",
    )
    assert holder.engine is before and holder.last_reload is result and 0 < result.reader_peak_mb < 200


async def test_reload_reports_the_child_readers_peak_memory(kb_dir):
    """A good reload says how much memory reading the files took, well under the child's limit."""
    holder = EngineHolder(kb_dir, ROOT / "prompts")
    result = await holder.reload()
    assert result.ok and 0 < result.reader_peak_mb < 200


async def test_reload_past_the_time_limit_fails_and_keeps_serving(kb_dir):
    """A reader that does not finish in time is stopped: one problem, and the previous engine serves on."""
    holder = EngineHolder(kb_dir, ROOT / "prompts")
    holder.time_limit = 0.001
    before = holder.engine
    result = await holder.reload()
    assert not result.ok and len(result.problems) == 1 and "took longer than 0.001 s" in result.problems[0]
    assert holder.engine is before


async def test_reload_past_the_memory_limit_fails_and_keeps_serving(kb_dir):
    """A reader that runs out of its memory limit is one problem, not a crash of the bot."""
    holder = EngineHolder(kb_dir, ROOT / "prompts")
    holder.memory_limit = 32 << 20
    before = holder.engine
    result = await holder.reload()
    assert not result.ok and len(result.problems) == 1 and "needed more than 32 MiB" in result.problems[0]
    assert holder.engine is before


@pytest.mark.parametrize("error", [MemoryError, RuntimeError])
async def test_an_error_while_indexing_is_a_failed_reload(kb_dir, monkeypatch, error):
    """MemoryError or any unexpected exception while indexing the new knowledge base fails the reload cleanly."""
    holder = EngineHolder(kb_dir, ROOT / "prompts")
    before = holder.engine

    def fail(*args, **kwargs):
        raise error("index")

    monkeypatch.setattr("bot.engine.holder.Engine", fail)
    result = await holder.reload()
    assert not result.ok and len(result.problems) == 1 and holder.engine is before
    assert holder.last_reload.summary()["problems"] == 1


async def test_last_reload_summary_names_the_first_problems(kb_dir):
    """The summary /readyz shows: finish time, ok, the problem count and the first few problems."""
    holder = EngineHolder(kb_dir, ROOT / "prompts")
    assert holder.last_reload is None
    (kb_dir / "entries.yaml").write_text("entries:\n  - id: Bad_One\n  - id: Bad_Two\n  - id: Bad_Three\n  - id: Bad_Four\n")
    await holder.reload()
    summary = holder.last_reload.summary(first=3)
    assert summary["ok"] is False and summary["problems"] > 3 and len(summary["first_problems"]) == 3
    assert summary["first_problems"][0].startswith("kb/entries.yaml:2:") and summary["finished_at"].endswith("+00:00")
