"""/explainer post|list|remove: moderators only, pinned, refreshed after a reload, clear errors."""

from __future__ import annotations

from pathlib import Path

from bot.discord_app.bot import LawBot
from bot.testing.discord_emulator import BOT_PERMISSIONS, DiscordEmulator, permission_bits
from tests.exts.helpers import CHANNEL_MESSAGES, assert_safe_message, is_ephemeral, message_body

PIN = "PUT /channels/{channel_id}/messages/pins/{message_id}"
EDIT = "PATCH /channels/{channel_id}/messages/{message_id}"
DELETE = "DELETE /channels/{channel_id}/messages/{message_id}"
TOPIC = "uflpa-rebuttable-presumption"


async def _post(emulator: DiscordEmulator, *, user: str = "mod", **options: object) -> dict:
    interaction = await emulator.slash("explainer post", {"topic": TOPIC, **options}, user=user, channel="explainers")
    await emulator.wait_for_callback(interaction)
    followup = await emulator.wait_for_followup(interaction)
    return message_body(followup)


async def test_post_pins_and_records_the_explainer(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A moderator's /explainer post sends the card to the channel, pins it, and records it."""
    confirmation = await _post(emulator)
    assert is_ephemeral(confirmation) and "pinned" in confirmation["content"]
    card = emulator.requests_for(CHANNEL_MESSAGES)[0]
    assert card.params["channel_id"] == str(emulator.channel_ids["explainers"])
    assert_safe_message(card.json)
    assert card.json["embeds"][0]["title"] == "The UFLPA rebuttable presumption"
    [pin] = emulator.requests_for(PIN)
    assert pin.status == 204 and pin.params["message_id"] == card.response["id"]
    [record] = await lawbot.database.explainers(emulator.guild_id)
    assert (record.message_id, record.entry_id, record.pinned) == (int(card.response["id"]), TOPIC, True)


async def test_non_moderator_is_refused(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """Without Manage Messages the bot itself refuses /explainer post (ephemeral) and posts nothing."""
    interaction = await emulator.slash("explainer post", {"topic": TOPIC}, user="alice", channel="explainers")
    body = message_body(await emulator.wait_for_callback(interaction))
    assert is_ephemeral(body) and "Manage Messages" in body["content"]
    assert emulator.requests_for(CHANNEL_MESSAGES) == []


async def test_explainer_commands_refused_in_dms(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """Guild commands are refused in DMs with a clear message."""
    body = message_body(await emulator.wait_for_callback(await emulator.slash("explainer list", dm=True, user="mod")))
    assert "only works in a server" in body["content"]


async def test_full_pin_list_gives_clear_error_and_leaves_nothing(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """With 250 pins already, the card is taken down again and the moderator is told why."""
    emulator.fill_pins("explainers", 250)
    confirmation = await _post(emulator)
    assert is_ephemeral(confirmation) and "maximum of 250 pinned" in confirmation["content"]
    assert emulator.requests_for(PIN)[0].status == 400
    assert emulator.requests_for(DELETE)[0].status == 204
    assert await lawbot.database.explainers(emulator.guild_id) == []


async def test_missing_pin_permission_gives_clear_error(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """Without Pin Messages the bot refuses up front (from app_permissions) and posts nothing."""
    emulator.bot_permissions = BOT_PERMISSIONS & ~permission_bits(pin_messages=True)
    interaction = await emulator.slash("explainer post", {"topic": TOPIC}, user="mod", channel="explainers")
    body = message_body(await emulator.wait_for_callback(interaction))
    assert is_ephemeral(body) and "Pin Messages" in body["content"]
    assert emulator.requests_for(CHANNEL_MESSAGES) == []


async def test_post_without_pin(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """pin: False posts and records the card without pinning."""
    await _post(emulator, pin=False)
    assert emulator.requests_for(PIN) == []
    [record] = await lawbot.database.explainers(emulator.guild_id)
    assert record.pinned is False


async def test_explainer_refreshed_after_reload(emulator: DiscordEmulator, lawbot: LawBot, kb_dir: Path) -> None:
    """When the entry changes and an admin runs /kb reload, the posted card is edited in place."""
    await _post(emulator)
    card_id = emulator.requests_for(CHANNEL_MESSAGES)[0].response["id"]
    entries = kb_dir / "entries.yaml"
    entries.write_text(entries.read_text().replace("may not enter the United States", "are barred at the border"))
    reload = await emulator.slash("kb reload", user="admin")
    report = message_body(await emulator.wait_for_followup(reload))
    assert "Explainers updated: 1" in report["content"]
    edit = emulator.requests_for(EDIT)[0]
    assert edit.params["message_id"] == card_id
    assert "are barred at the border" in edit.json["embeds"][0]["description"]
    assert_safe_message(edit.json)
    assert "are barred at the border" in emulator.messages[int(card_id)]["embeds"][0]["description"]


async def test_unchanged_explainers_are_not_edited(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A reload that does not change the entry leaves the card alone."""
    await _post(emulator)
    await emulator.wait_for_followup(await emulator.slash("kb reload", user="admin"))
    assert emulator.requests_for(EDIT) == []


async def test_list_and_remove(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/explainer list shows the card with a jump link; /explainer remove deletes it and its record."""
    await _post(emulator)
    card_id = emulator.requests_for(CHANNEL_MESSAGES)[0].response["id"]
    listed = message_body(await emulator.wait_for_callback(await emulator.slash("explainer list", user="mod")))
    assert card_id in listed["content"] and "pinned" in listed["content"]
    choices = await emulator.wait_for_callback(
        await emulator.autocomplete("explainer remove", {"explainer": ""}, "explainer", user="mod")
    )
    assert [c["value"] for c in choices.json["data"]["choices"]] == [card_id]
    remove = await emulator.slash("explainer remove", {"explainer": card_id}, user="mod")
    removed = message_body(await emulator.wait_for_callback(remove))
    assert "Removed" in removed["content"]
    assert emulator.requests_for(DELETE)[0].params["message_id"] == card_id
    assert await lawbot.database.explainers(emulator.guild_id) == []
