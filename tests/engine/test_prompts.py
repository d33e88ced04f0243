import shutil

import pytest

from bot.engine import PromptError, Prompts
from tests.conftest import ROOT


@pytest.fixture
def prompts_dir(tmp_path):
    target = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", target)
    return target


def test_shipped_prompts_load():
    """The shipped templates load and render the disclaimer."""
    assert "not legal advice" in Prompts.load(ROOT / "prompts").disclaimer


def test_missing_template_is_a_clear_error(prompts_dir):
    """A deleted template fails at start, naming the file."""
    (prompts_dir / "not_covered.txt").unlink()
    with pytest.raises(PromptError, match=r"not_covered\.txt: cannot read template"):
        Prompts.load(prompts_dir)


def test_unknown_placeholder_is_a_clear_error(prompts_dir):
    """A misspelled placeholder fails at start and lists the allowed ones."""
    (prompts_dir / "too_long.txt").write_text("Too long: $lenght of $limit")
    with pytest.raises(PromptError, match=r"unknown placeholder \$lenght \(allowed: length, limit\)"):
        Prompts.load(prompts_dir)


def test_missing_required_placeholder_is_a_clear_error(prompts_dir):
    """The answer layout must keep its excerpts."""
    (prompts_dir / "answer.txt").write_text("$lead $sources $disclaimer")
    with pytest.raises(PromptError, match=r"required placeholder \$excerpts is missing"):
        Prompts.load(prompts_dir)


def test_edited_wording_is_used(prompts_dir):
    """Changing a prompt file changes what the bot says, without code changes."""
    (prompts_dir / "empty.txt").write_text("Say something!")
    assert Prompts.load(prompts_dir).render("empty") == "Say something!"
