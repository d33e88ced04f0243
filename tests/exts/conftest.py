"""Fixtures: the emulator, and the product bot (LawBot) connected to it over a copy of the small fixture KB."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.discord_app.bot import LawBot
from bot.settings import Settings
from bot.testing.discord_emulator import DiscordEmulator
from bot.testing.harness import leftover_tasks, running_bot

ROOT = Path(__file__).resolve().parents[2]
SMALL_KB = ROOT / "tests" / "fixtures" / "kb_small"


# One entry with five excerpts, so an answer has "More sources" to show.
MANY_EXCERPTS_YAML = """
entries:
  - id: uflpa-enforcement-steps
    title: How CBP enforces the UFLPA at the border
    area: uflpa
    questions: ["How does CBP enforce the UFLPA at the border?"]
    summary: CBP detains shipments, asks importers for documents, and excludes goods it finds covered.
    excerpts:
""" + "".join(
    f"""      - text: Enforcement step {n} of the border process under the UFLPA, described for importers.
        source: uflpa
        pinpoint: § 3(c)({n})
        quote: false
"""
    for n in range(1, 6)
) + """    last_reviewed: 2026-11-27
"""

ANSWERED_QUESTION = "What does the UFLPA presume about goods from Xinjiang?"
NOT_COVERED_QUESTION = "What is the weather in Paris tomorrow?"
MANY_EXCERPTS_QUESTION = "How does CBP enforce the UFLPA at the border?"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A private copy of the small KB (plus one entry with many excerpts), so a test may edit it and reload."""
    target = tmp_path / "kb"
    shutil.copytree(SMALL_KB, target)
    (target / "many.yaml").write_text(MANY_EXCERPTS_YAML, encoding="utf-8")
    return target


@pytest.fixture
def settings(tmp_path: Path, kb_dir: Path) -> Settings:
    return Settings(
        discord_token=DiscordEmulator().token,
        data_dir=tmp_path / "data",
        kb_dir=kb_dir,
        prompts_dir=ROOT / "prompts",
        ask_cooldown_per_minute=5,
        max_question_chars=1000,
        message_content_intent=True,
    )


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as emu:
        yield emu


@pytest_asyncio.fixture
async def lawbot(emulator: DiscordEmulator, settings: Settings) -> AsyncIterator[LawBot]:
    client = LawBot(settings, guild_ready_timeout=0.01)
    async with running_bot(client, emulator):
        yield client
    leaked = await leftover_tasks()
    assert not leaked, f"tasks still running after the bot closed: {leaked}"
