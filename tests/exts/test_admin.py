"""/kb reload|status|gaps, /config permissions and the owner-only sync command."""

from __future__ import annotations

from pathlib import Path

from bot.discord_app.bot import LawBot
from bot.testing.discord_emulator import DiscordEmulator
from tests.engine.hostile_yaml import billion_laughs
from tests.exts.conftest import ANSWERED_QUESTION, NOT_COVERED_QUESTION
from tests.exts.helpers import CHANNEL_MESSAGES, assert_safe_message, eventually, is_ephemeral, message_body

SYNC_GLOBAL = "PUT /applications/{application_id}/commands"


async def test_broken_reload_keeps_old_knowledge_base(emulator: DiscordEmulator, lawbot: LawBot, kb_dir: Path) -> None:
    """A reload with a broken file reports file:line problems and the bot keeps answering from the old KB."""
    (kb_dir / "broken.yaml").write_text("entries:\n  - id: broken-entry\n    title: Missing everything\n")
    reload = await emulator.slash("kb reload", user="admin")
    report = message_body(await emulator.wait_for_followup(reload))
    assert is_ephemeral(report)
    assert "Reload failed" in report["content"] and "broken.yaml:2" in report["content"] and "[broken-entry]" in report["content"]
    answer = message_body(await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION})))
    assert answer["embeds"][0]["title"] == "The UFLPA rebuttable presumption"


async def test_kb_reload_refused_without_manage_server(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A moderator without Manage Server cannot reload."""
    body = message_body(await emulator.wait_for_callback(await emulator.slash("kb reload", user="mod")))
    assert is_ephemeral(body) and "Manage Server" in body["content"]


async def test_kb_status(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/kb status reports topics, sources and the last-reviewed date."""
    body = message_body(await emulator.wait_for_callback(await emulator.slash("kb status", user="admin")))
    fields = {f["name"]: f["value"] for f in body["embeds"][0]["fields"]}
    assert fields["Topics"] == str(len(lawbot.engine.kb.entries))
    assert fields["Last reviewed"] == "2026-11-27"


async def test_kb_status_shows_a_failed_reload_and_its_first_problems(emulator: DiscordEmulator, lawbot: LawBot,
                                                                      kb_dir: Path) -> None:
    """After a failed reload, /kb status says when it failed, how many problems, the first ones, and what still serves."""
    before = message_body(await emulator.wait_for_callback(await emulator.slash("kb status", user="admin")))
    assert {f["name"]: f["value"] for f in before["embeds"][0]["fields"]}["Last reload"] == "None since start"
    (kb_dir / "laughs.yaml").write_text(billion_laughs(6))  # the full 9 levels run in tests/discord_app/test_runner.py
    await emulator.wait_for_followup(await emulator.slash("kb reload", user="admin"))
    body = message_body(await emulator.wait_for_callback(await emulator.slash("kb status", user="admin")))
    assert_safe_message(body)
    fields = {f["name"]: f["value"] for f in body["embeds"][0]["fields"]}
    finished = int(lawbot.engines.last_reload.finished_at.timestamp())
    assert fields["Last reload"] == (f"<t:{finished}:R>: **failed**, 1 problem(s); still serving the previous knowledge base")
    assert "kb/laughs.yaml:2: YAML anchors are not allowed" in fields["Reload problems"]
    assert fields["Topics"] == str(len(lawbot.engine.kb.entries))


async def test_kb_status_shows_a_good_reload(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """After a successful reload, /kb status says it worked and when."""
    await emulator.wait_for_followup(await emulator.slash("kb reload", user="admin"))
    body = message_body(await emulator.wait_for_callback(await emulator.slash("kb status", user="admin")))
    fields = {f["name"]: f["value"] for f in body["embeds"][0]["fields"]}
    assert fields["Last reload"] == f"<t:{int(lawbot.engines.last_reload.finished_at.timestamp())}:R>: OK"
    assert "Reload problems" not in fields


async def test_kb_gaps_lists_unanswered_questions(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/kb gaps lists the most frequent unanswered questions for curators."""
    await emulator.wait_for_callback(await emulator.slash("ask", {"question": NOT_COVERED_QUESTION}))

    async def logged() -> bool:
        return await lawbot.database.unanswered_count() == 1

    await eventually(logged)
    body = message_body(await emulator.wait_for_callback(await emulator.slash("kb gaps", user="admin")))
    unanswered = body["embeds"][0]["fields"][0]["value"]
    assert "1× what is the weather in paris tomorrow?" in unanswered


async def test_config_refused_for_non_admin(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/config needs Manage Server, checked by the bot."""
    body = message_body(await emulator.wait_for_callback(await emulator.slash("config ask-channels list", user="alice")))
    assert "Manage Server" in body["content"]


async def test_owner_sync_registers_commands(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """The owner's "@bot sync" registers the slash commands; nothing is registered at start-up."""
    assert emulator.requests_for(SYNC_GLOBAL) == []
    lawbot.owner_ids = {emulator.user_ids["owner"]}
    await emulator.post_message("sync", user="owner", mention_bot=True)
    sync = await emulator.wait_for_request(SYNC_GLOBAL)
    names = {command["name"] for command in sync.json}
    assert {"ask", "explain", "cite", "define", "escalation", "timeline", "sources", "about", "explainer", "config", "kb"} <= names
    assert "Explain this" in names
    reply = await emulator.wait_for_request(CHANNEL_MESSAGES)
    assert "Synced" in reply.json["content"]


async def test_sync_refused_for_non_owner(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """Anyone else's "@bot sync" is refused and registers nothing."""
    lawbot.owner_ids = {emulator.user_ids["owner"]}
    await emulator.post_message("sync", user="admin", mention_bot=True)
    reply = await emulator.wait_for_request(CHANNEL_MESSAGES)
    assert "Only the bot owner" in reply.json["content"]
    assert emulator.requests_for(SYNC_GLOBAL) == []
