"""Knowledge base update notes (/config updates-channel) and /kb changes, end to end against the emulator."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.discord_app.bot import LawBot
from bot.discord_app.runner import reload_from_signal
from bot.settings import Settings
from bot.testing.discord_emulator import ChannelArg, DiscordEmulator
from bot.testing.harness import running_bot
from tests.exts.conftest import ROOT
from tests.exts.helpers import CHANNEL_MESSAGES, assert_safe_message, is_ephemeral, message_body, settle
from tests.storage.outages import sqlite_write_locked

REGISTRY_KB = ROOT / "tests" / "fixtures" / "kb_registry"
OLD_TOTAL = "187 entities (reported since 3 August 2026)"
NEW_TOTAL = "190 entities (reported since 3 August 2026)"
CHANGE_LINE = f"**Number of entities on the UFLPA Entity List**: {OLD_TOTAL} → {NEW_TOTAL}, as of 15 December 2026"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A private copy of the knowledge base with a values registry (entity_list_total used by two entries)."""
    target = tmp_path / "kb"
    shutil.copytree(REGISTRY_KB, target)
    return target


def edit_total(kb_dir: Path, old: tuple[str, str] = ("187 entities", "2026-11-29"),
               new: tuple[str, str] = ("190 entities", "2026-12-15")) -> None:
    """The registry's Entity List total (and its literal pattern) and as_of, edited from `old` to `new`."""
    values = kb_dir / "values.yaml"
    text = values.read_text().replace(old[0], new[0]).replace(f"as_of: {old[1]}", f"as_of: {new[1]}")
    values.write_text(text)


def notes_in(emulator: DiscordEmulator, channel: str = "general", *, status: int = 200) -> list[dict]:
    channel_id = str(emulator.channel_ids[channel])
    return [r.json for r in emulator.requests_for(CHANNEL_MESSAGES, status=status) if r.params["channel_id"] == channel_id]


async def set_updates_channel(emulator: DiscordEmulator, channel: str = "general") -> dict:
    interaction = await emulator.slash("config updates-channel", {"channel": ChannelArg(emulator.channel_ids[channel])},
                                       user="admin")
    return message_body(await emulator.wait_for_callback(interaction))


async def reload(emulator: DiscordEmulator) -> str:
    return message_body(await emulator.wait_for_followup(await emulator.slash("kb reload", user="admin")))["content"]


async def kb_changes(emulator: DiscordEmulator) -> dict:
    body = message_body(await emulator.wait_for_callback(await emulator.slash("kb changes", user="admin")))
    assert is_ephemeral(body)
    assert_safe_message(body)
    return body["embeds"][0]


async def test_value_change_posts_one_note_with_old_new_and_as_of(emulator: DiscordEmulator, lawbot: LawBot,
                                                                  kb_dir: Path) -> None:
    """A reload that changes a registry value posts one note in the updates channel: old → new, as of the new day."""
    await set_updates_channel(emulator)
    edit_total(kb_dir)
    report = await reload(emulator)
    assert f"Update note posted in <#{emulator.channel_ids['general']}>" in report
    [note] = notes_in(emulator)
    assert_safe_message(note)
    assert CHANGE_LINE in note["content"]
    assert "Topics updated: How many entities are on the UFLPA Entity List, What the UFLPA Entity List is" in note["content"]


async def test_kb_changes_lists_the_change_with_its_note(emulator: DiscordEmulator, lawbot: LawBot, kb_dir: Path) -> None:
    """/kb changes shows the latest change with old → new and whether this server's note went out."""
    await set_updates_channel(emulator)
    edit_total(kb_dir)
    await reload(emulator)
    edit_total(kb_dir, ("190 entities", "2026-12-15"), ("191 entities", "2026-12-20"))
    await reload(emulator)
    embed = await kb_changes(emulator)
    newest, older = embed["fields"][:2]
    assert "190 entities (reported since 3 August 2026) → 191 entities" in newest["value"]
    assert CHANGE_LINE in older["value"]
    assert "Note posted in" in newest["value"] and "Note posted in" in older["value"]


async def test_reload_without_change_posts_nothing(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A reload of unchanged files posts no note and records no change."""
    await set_updates_channel(emulator)
    report = await reload(emulator)
    assert "Update note" not in report
    assert notes_in(emulator) == []
    assert (await kb_changes(emulator))["fields"] == []


async def test_second_reload_does_not_repeat_the_note(emulator: DiscordEmulator, lawbot: LawBot, kb_dir: Path) -> None:
    """After a change has been announced, reloading the same files again posts nothing more."""
    await set_updates_channel(emulator)
    edit_total(kb_dir)
    await reload(emulator)
    await reload(emulator)
    assert len(notes_in(emulator)) == 1


async def test_restart_after_a_change_posts_nothing_twice(emulator: DiscordEmulator, settings: Settings,
                                                          kb_dir: Path) -> None:
    """A restart after an announced change (same files) posts no second note."""
    async with running_bot(LawBot(settings, guild_ready_timeout=0.01), emulator):
        await set_updates_channel(emulator)
        edit_total(kb_dir)
        await reload(emulator)
    async with running_bot(LawBot(settings, guild_ready_timeout=0.01), emulator):
        await settle(emulator)  # start-up's version check has run
    assert len(notes_in(emulator)) == 1


async def test_files_changed_while_down_are_announced_once_at_start(emulator: DiscordEmulator, settings: Settings,
                                                                    kb_dir: Path) -> None:
    """Files edited while the bot was down are compared with the stored snapshot and announced once, at start-up."""
    async with running_bot(LawBot(settings, guild_ready_timeout=0.01), emulator):
        await set_updates_channel(emulator)
        await settle(emulator)
    edit_total(kb_dir)
    for _ in range(2):
        async with running_bot(LawBot(settings, guild_ready_timeout=0.01), emulator):
            await settle(emulator)
    [note] = notes_in(emulator)
    assert CHANGE_LINE in note["content"]


async def test_missing_permission_is_reported_not_raised(emulator: DiscordEmulator, lawbot: LawBot, kb_dir: Path) -> None:
    """Without Send Messages in the updates channel the reload still works and both its reply and /kb changes say why."""
    await set_updates_channel(emulator)
    await emulator.deny_bot_in_channel("general", send_messages=True)
    edit_total(kb_dir)
    report = await reload(emulator)
    assert report.startswith("Reloaded:")
    assert "Update note **not posted**: I'm missing permission to send messages in" in report
    assert notes_in(emulator) == [] and len(notes_in(emulator, status=403)) == 1
    [field] = (await kb_changes(emulator))["fields"]
    assert "Note **not posted**: I'm missing permission" in field["value"]


async def test_setting_a_channel_without_send_permission_warns(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/config updates-channel on a channel the bot cannot post in saves it and says which permissions to grant."""
    await emulator.deny_bot_in_channel("general", send_messages=True)
    await settle(emulator)  # the bot has seen the CHANNEL_UPDATE
    reply = await set_updates_channel(emulator)
    assert "grant me **View Channel** and **Send Messages**" in reply["content"]
    assert (await lawbot.database.guild_config(emulator.guild_id)).updates_channel_id == emulator.channel_ids["general"]


async def test_clearing_the_updates_channel_stops_notes(emulator: DiscordEmulator, lawbot: LawBot, kb_dir: Path) -> None:
    """/config updates-channel with no channel turns notes off: the next change posts nothing."""
    await set_updates_channel(emulator)
    cleared = await emulator.slash("config updates-channel", user="admin")
    assert "notes off" in message_body(await emulator.wait_for_callback(cleared))["content"]
    edit_total(kb_dir)
    await reload(emulator)
    assert notes_in(emulator) == []


async def test_sighup_reload_posts_the_note(emulator: DiscordEmulator, lawbot: LawBot, kb_dir: Path) -> None:
    """The SIGHUP reload path announces a change just as /kb reload does."""
    await set_updates_channel(emulator)
    edit_total(kb_dir)
    await reload_from_signal(lawbot)
    [note] = notes_in(emulator)
    assert CHANGE_LINE in note["content"]


async def test_storage_outage_during_reload_is_reported_not_raised(emulator: DiscordEmulator, lawbot: LawBot,
                                                                   settings: Settings, kb_dir: Path) -> None:
    """With SQLite's write lock held elsewhere the reload still succeeds and its reply says the update was not recorded."""
    await set_updates_channel(emulator)
    edit_total(kb_dir)
    with sqlite_write_locked(settings.database_path):
        report = await reload(emulator)
    assert report.startswith("Reloaded:") and "Update note: storage is unavailable" in report
    assert notes_in(emulator) == []
