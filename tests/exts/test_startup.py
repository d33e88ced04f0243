"""Start-up: explainers refreshed when their entry changed while the bot was down; `python -m bot sync`."""

from __future__ import annotations

from bot.discord_app.bot import LawBot
from bot.discord_app.runner import sync_registered_commands
from bot.settings import Settings
from bot.storage import Database
from bot.testing.discord_emulator import DiscordEmulator
from bot.testing.harness import running_bot
from tests.exts.helpers import eventually

EDIT = "PATCH /channels/{channel_id}/messages/{message_id}"


async def test_stale_explainer_refreshed_at_start(emulator: DiscordEmulator, settings: Settings) -> None:
    """An explainer recorded with an old fingerprint is edited to the current entry once the bot is ready."""
    channel_id = emulator.channel_ids["explainers"]
    card = emulator.new_message(channel_id, emulator.bot_user, {"content": "old card"})
    database = await Database.open_path(settings.database_path)
    await database.add_explainer(
        message_id=int(card["id"]), guild_id=emulator.guild_id, channel_id=channel_id,
        entry_id="glossary-wro", fingerprint="stale", pinned=True,
    )
    await database.close()
    async with running_bot(LawBot(settings, guild_ready_timeout=0.01), emulator) as bot:
        edit = await emulator.wait_for_request(EDIT)
        assert edit.params["message_id"] == card["id"]
        assert edit.json["embeds"][0]["title"] == "Withhold Release Order"
        current = bot.engine.entry_fingerprint("glossary-wro")  # type: ignore[attr-defined]

        async def fingerprint_updated() -> bool:
            [record] = await bot.database.explainers()  # type: ignore[attr-defined]
            return record.fingerprint == current

        await eventually(fingerprint_updated)


async def test_guild_config_is_loaded_when_the_guild_arrives(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """The guild's settings are read at GUILD_CREATE, so the first questions after a restart don't wait on the
    database."""
    await eventually(lambda: _true(lawbot.database.config_cached(emulator.guild_id)))


async def _true(value: bool) -> bool:
    return value


async def test_sync_command_registers_without_gateway(emulator: DiscordEmulator, settings: Settings) -> None:
    """`python -m bot sync --guild` logs in over HTTP only and PUTs the commands to that guild."""
    with emulator.patch_discord():
        assert await sync_registered_commands(settings, emulator.guild_id) == 0
    [put] = emulator.requests_for("PUT /applications/{application_id}/guilds/{guild_id}/commands")
    assert "ask" in {command["name"] for command in put.json}
    assert not any(frame.direction == "from_bot" for frame in emulator.frames.items)
