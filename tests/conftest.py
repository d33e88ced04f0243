import asyncio
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


# The bot runs on uvloop in production (bot/ops/eventloop.py): the paths most sensitive to the loop (sockets,
# reconnects, rate limits, signals) also run on it, besides asyncio's own loop.
BOTH_LOOPS_MODULES = {"test_runner.py", "test_ask.py", "test_resilience.py", "test_messages.py"}


def pytest_asyncio_loop_factories(config, item):
    factories = {"asyncio": asyncio.new_event_loop}
    if item.path.name in BOTH_LOOPS_MODULES:
        from bot.ops.eventloop import loop_factory

        uvloop_factory = loop_factory(use_uvloop=True)
        if uvloop_factory is not None:
            factories["uvloop"] = uvloop_factory
    return factories


@pytest.fixture(autouse=True)
def _fresh_view_cache():
    """discord.py Views hold futures of the event loop they were first used on; each test runs its own loop."""
    yield
    from bot.discord_app import messages

    messages._VIEW_CACHE.clear()


@pytest.fixture(autouse=True)
def _pictures_drawn_in_process(monkeypatch):
    """Tests draw pictures on a thread, so they may replace render_png; test_cache_process.py covers the process."""
    from bot.render.pictures.cache import PictureCache

    monkeypatch.setattr(PictureCache, "drawing_process", False)
