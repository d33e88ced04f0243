import shutil

import pytest

from bot.engine.holder import EngineHolder
from tests.conftest import FIXTURES, ROOT


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
