"""A refreshed ladder explainer carries its diagram again, shown inside the new embed."""

from __future__ import annotations

from pathlib import Path

from bot.discord_app.bot import LawBot
from bot.testing.discord_emulator import DiscordEmulator
from tests.exts.helpers import CHANNEL_MESSAGES, assert_safe_message, message_body

LADDER = "ladder-ilo-supervision"
EDIT = "PATCH /channels/{channel_id}/messages/{message_id}"


async def _post_ladder_card(emulator: DiscordEmulator) -> dict:
    interaction = await emulator.slash("explainer post", {"topic": LADDER}, user="mod", channel="explainers")
    await emulator.wait_for_callback(interaction)
    await emulator.wait_for_followup(interaction)
    [card] = emulator.requests_for(CHANNEL_MESSAGES)
    return card.response


async def _change_ladder_and_reload(emulator: DiscordEmulator, kb_dir: Path) -> str:
    entries = kb_dir / "entries.yaml"
    entries.write_text(entries.read_text().replace("a tripartite committee examines it", "a committee of three examines it"))
    reload = await emulator.slash("kb reload", user="admin")
    return message_body(await emulator.wait_for_followup(reload))["content"]


async def test_refreshed_ladder_card_uploads_the_diagram_again(
    emulator: DiscordEmulator, lawbot: LawBot, kb_dir: Path
) -> None:
    """The edit after a reload uploads the ladder PNG with alt text and points the embed's image at it."""
    await _post_ladder_card(emulator)
    assert "Explainers updated: 1" in await _change_ladder_and_reload(emulator, kb_dir)
    [edit] = emulator.requests_for(EDIT)
    assert edit.status == 200
    [upload] = edit.json["_files"]
    [described] = message_body(edit)["attachments"]
    assert upload["filename"] == described["filename"] == f"ladder-{LADDER}.png"
    assert upload["data"].startswith(b"\x89PNG\r\n\x1a\n") and len(described["description"]) > 40
    assert message_body(edit)["embeds"][0]["image"]["url"] == f"attachment://ladder-{LADDER}.png"
    assert_safe_message(message_body(edit))


async def test_refreshed_ladder_card_keeps_one_attachment_the_new_diagram(
    emulator: DiscordEmulator, lawbot: LawBot, kb_dir: Path
) -> None:
    """After the refresh the card has exactly one attachment, the newly drawn one, and its embed shows it."""
    card = await _post_ladder_card(emulator)
    [old] = card["attachments"]
    await _change_ladder_and_reload(emulator, kb_dir)
    stored = emulator.messages[int(card["id"])]
    [new] = stored["attachments"]
    assert new["id"] != old["id"] and new["filename"] == f"ladder-{LADDER}.png"
    assert stored["embeds"][0]["image"]["url"] == f"attachment://{new['filename']}"
    assert "a committee of three examines it" in str(stored["embeds"][0])
