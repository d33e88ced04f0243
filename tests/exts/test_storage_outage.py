"""The bot through a storage outage (PostgreSQL frozen with SIGSTOP or stopped, SQLite gone), against the emulator:
questions are still answered, commands that need storage say so within Discord's 3 s, and no explainer card is left
pinned without a record, during the outage or after a post cut short."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.discord_app.bot import LawBot
from bot.discord_app.errors import STORAGE_UNAVAILABLE
from bot.ops.metrics import Metrics
from bot.render.discord import render_answer
from bot.settings import Settings
from bot.storage import Database, StorageUnavailable
from bot.testing.discord_emulator import DiscordEmulator
from bot.testing.harness import running_bot
from tests.exts.conftest import NOT_COVERED_QUESTION
from tests.exts.helpers import eventually, is_ephemeral, message_body
from tests.storage.outages import OUTAGES, outage
from tests.storage.stores import Store, new_store

TOPIC = "uflpa-rebuttable-presumption"
DISCORD_DEADLINE = 3.0
FOLLOWUP = "POST /webhooks/{webhook_id}/{webhook_token}"


@dataclasses.dataclass
class Running:
    bot: LawBot
    store: Store
    kind: str

    def outage(self):
        return outage(self.kind, self.bot.database, self.store.url)


async def _store(kind: str, tmp_path: Path) -> Store:
    return await new_store("sqlite" if kind.startswith("sqlite") else "postgres", tmp_path / "data")


def _settings(settings: Settings, store: Store) -> Settings:
    return dataclasses.replace(settings, data_dir=store.data_dir, database_url=store.settings.database_url)


@pytest_asyncio.fixture(params=OUTAGES)
async def running(
    request: pytest.FixtureRequest, emulator: DiscordEmulator, settings: Settings, tmp_path: Path
) -> AsyncIterator[Running]:
    store = await _store(request.param, tmp_path)
    client = LawBot(_settings(settings, store), metrics=Metrics(), guild_ready_timeout=0.01)
    try:
        async with running_bot(client, emulator):
            await eventually(lambda: _true(client.database.config_cached(emulator.guild_id)))
            yield Running(client, store, request.param)
    finally:
        await store.aclose()


async def _true(value: bool) -> bool:
    return value


def _dropped(bot: LawBot, operation: str) -> float:
    return bot.metrics.registry.get_sample_value("flx_storage_writes_dropped_total", {"operation": operation}) or 0.0


async def test_not_covered_question_is_answered_without_an_error_follow_up(
    emulator: DiscordEmulator, running: Running
) -> None:
    """A question the knowledge base does not cover gets its reply; the unanswered log is dropped, not an error."""
    async with running.outage():
        interaction = await emulator.slash("ask", {"question": NOT_COVERED_QUESTION})
        body = message_body(await emulator.wait_for_callback(interaction))
        await eventually(lambda: _true(_dropped(running.bot, "log_unanswered") == 1), timeout=5)
    assert "Something went wrong" not in body.get("content", "")
    assert body["embeds"] or body["content"]
    assert emulator.requests_for(FOLLOWUP) == []


async def test_config_change_answers_in_time_with_the_storage_message(emulator: DiscordEmulator, running: Running) -> None:
    """/config cooldown during an outage answers within 3 s: storage unavailable, try again shortly."""
    async with running.outage():
        interaction = await emulator.slash("config cooldown", {"per_minute": 3}, user="admin")
        callback = await emulator.wait_for_callback(interaction)
    assert callback.time - interaction.sent_at < DISCORD_DEADLINE
    body = message_body(callback)
    assert is_ephemeral(body) and body["content"] == STORAGE_UNAVAILABLE


async def test_kb_status_answers_in_time_with_the_storage_message(emulator: DiscordEmulator, running: Running) -> None:
    """/kb status (two reads) during an outage answers within 3 s with the storage message."""
    async with running.outage():
        interaction = await emulator.slash("kb status", user="admin")
        callback = await emulator.wait_for_callback(interaction)
    assert callback.time - interaction.sent_at < DISCORD_DEADLINE
    assert message_body(callback)["content"] == STORAGE_UNAVAILABLE


async def test_explainer_post_during_an_outage_pins_nothing(emulator: DiscordEmulator, running: Running) -> None:
    """/explainer post during an outage posts and pins nothing and tells the moderator storage is unavailable."""
    async with running.outage():
        interaction = await emulator.slash("explainer post", {"topic": TOPIC}, user="mod", channel="explainers")
        await emulator.wait_for_callback(interaction)
        followup = message_body(await emulator.wait_for_followup(interaction))
    assert followup["content"] == STORAGE_UNAVAILABLE
    assert emulator.pinned_message_ids("explainers") == []
    posted = [m for m in emulator.bot_messages("explainers") if "interaction_metadata" not in m]  # not its replies
    assert posted == []


async def test_storage_failure_after_sending_takes_the_card_down(
    emulator: DiscordEmulator, lawbot: LawBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If storage fails between sending the card and recording it, the card is deleted (and so unpinned)."""
    async def storage_down(*args: object, **kwargs: object) -> None:
        raise StorageUnavailable("complete_explainer: TimeoutError")

    monkeypatch.setattr(lawbot.database, "complete_explainer", storage_down)
    interaction = await emulator.slash("explainer post", {"topic": TOPIC}, user="mod", channel="explainers")
    await emulator.wait_for_callback(interaction)
    assert message_body(await emulator.wait_for_followup(interaction))["content"] == STORAGE_UNAVAILABLE
    assert emulator.pinned_message_ids("explainers") == []
    assert await lawbot.database.pending_explainers() == []


async def _card_left_pinned(emulator: DiscordEmulator, settings: Settings, *, pending: bool) -> tuple[int, Database]:
    """What a run killed between pinning a card and recording it leaves: a pinned card (and its pending record)."""
    database = await Database.open_path(settings.database_path)
    if pending:
        await database.begin_explainer(guild_id=emulator.guild_id, channel_id=emulator.channel_ids["explainers"],
                                       entry_id=TOPIC, pinned=True)
    from bot.engine.holder import EngineHolder

    engine = EngineHolder(settings.kb_dir, settings.prompts_dir).engine
    body = render_answer(engine.explain(TOPIC))
    card = emulator.add_pinned_bot_message("explainers", body)
    return int(card["id"]), database


async def test_start_up_records_a_pinned_card_left_by_an_interrupted_post(
    emulator: DiscordEmulator, settings: Settings
) -> None:
    """A pending record and its pinned card from a killed run: at start-up the card is recorded (and refreshed)."""
    card_id, database = await _card_left_pinned(emulator, settings, pending=True)
    await database.close()
    client = LawBot(settings, guild_ready_timeout=0.01)
    async with running_bot(client, emulator):
        async def recorded() -> bool:
            return [r.message_id for r in await client.database.explainers(emulator.guild_id)] == [card_id]

        await eventually(recorded, timeout=5)
        assert await client.database.pending_explainers() == []


async def test_start_up_reports_a_pinned_card_without_any_record(
    emulator: DiscordEmulator, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A pinned card of the bot's in an explainer channel that nothing records is reported with its link."""
    card_id, database = await _card_left_pinned(emulator, settings, pending=False)
    other = emulator.add_pinned_bot_message("explainers", {"content": "not a card"})
    await database.add_explainer(message_id=int(other["id"]), guild_id=emulator.guild_id,
                                 channel_id=emulator.channel_ids["explainers"], entry_id=TOPIC, fingerprint="",
                                 pinned=True)
    await database.close()
    client = LawBot(settings, guild_ready_timeout=0.01)
    with caplog.at_level(logging.WARNING, logger="bot.exts.explainers"):
        async with running_bot(client, emulator):
            await eventually(lambda: _true(any(str(card_id) in r.getMessage() for r in caplog.records)), timeout=5)
    [report] = [r for r in caplog.records if str(card_id) in r.getMessage()]
    assert "without a record" in report.getMessage()


async def test_start_up_removes_a_pending_record_whose_card_never_went_out(
    emulator: DiscordEmulator, settings: Settings
) -> None:
    """A pending record with no card in the channel (the run stopped before sending) is deleted at start-up."""
    database = await Database.open_path(settings.database_path)
    await database.begin_explainer(guild_id=emulator.guild_id, channel_id=emulator.channel_ids["explainers"],
                                   entry_id=TOPIC, pinned=True)
    await database.close()
    client = LawBot(settings, guild_ready_timeout=0.01)
    async with running_bot(client, emulator):
        async def cleaned() -> bool:
            return await client.database.pending_explainers() == []

        await eventually(cleaned, timeout=5)
        assert await client.database.explainers() == []
