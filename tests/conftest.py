from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shipped_engine():
    """The engine over the shipped knowledge base and prompts (loaded once per test run)."""
    from bot.engine import Engine

    return Engine.load(ROOT / "knowledge", ROOT / "prompts")


@pytest.fixture(scope="session")
def small_engine():
    """The engine over the small fixture knowledge base."""
    from bot.engine import Engine

    return Engine.load(FIXTURES / "kb_small", ROOT / "prompts")
