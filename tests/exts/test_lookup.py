"""/explain with autocomplete, /cite, /define, /escalation, /timeline, /sources, /about."""

from __future__ import annotations

from bot.discord_app.bot import LawBot
from bot.testing.discord_emulator import CALLBACK_AUTOCOMPLETE, DiscordEmulator
from tests.exts.helpers import assert_safe_message, is_ephemeral, message_body


async def test_explain_autocomplete_is_fast_and_bounded(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """Autocomplete answers with at most 25 matching choices, well inside Discord's 3 s."""
    interaction = await emulator.autocomplete("explain", {"topic": "wro"}, "topic")
    callback = await emulator.wait_for_callback(interaction)
    assert callback.json["type"] == CALLBACK_AUTOCOMPLETE
    choices = callback.json["data"]["choices"]
    assert choices[0] == {"name": "Withhold Release Order", "value": "glossary-wro"}
    assert len(choices) <= 25
    assert callback.time - interaction.sent_at < 0.5


async def test_explain_autocomplete_empty_text_lists_topics(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """With nothing typed yet, autocomplete still offers topics (never more than 25)."""
    callback = await emulator.wait_for_callback(await emulator.autocomplete("explain", {"topic": ""}, "topic"))
    assert 1 <= len(callback.json["data"]["choices"]) <= 25


async def test_explain_topic_card(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/explain with a picked topic shows that topic's card with citations."""
    body = message_body(await emulator.wait_for_callback(await emulator.slash("explain", {"topic": "uflpa-exception"})))
    assert_safe_message(body)
    embed = body["embeds"][0]
    assert embed["title"] == "The exception to the UFLPA presumption"
    assert "§ 3(b)(1)(B)" in embed["fields"][0]["value"]


async def test_explain_typed_title_is_resolved(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A title typed without picking a suggestion is still resolved."""
    body = message_body(await emulator.wait_for_callback(await emulator.slash("explain", {"topic": "Withhold Release Order"})))
    assert body["embeds"][0]["title"] == "Withhold Release Order"


async def test_explain_unknown_topic_is_a_clear_ephemeral_error(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """An unknown topic gets a short private hint, not an exception."""
    body = message_body(await emulator.wait_for_callback(await emulator.slash("explain", {"topic": "zzzz qqqq"})))
    assert is_ephemeral(body) and "couldn't find that topic" in body["content"]


async def test_cite_source_and_pinpoint(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/cite UFLPA 3(b) shows the excerpts at that provision."""
    body = message_body(await emulator.wait_for_callback(await emulator.slash("cite", {"source": "UFLPA", "pinpoint": "3(b)"})))
    assert_safe_message(body)
    assert body["embeds"][0]["title"] == "UFLPA 3(b)"
    assert "§ 3(b)(1)(B)" in body["embeds"][0]["fields"][0]["value"]


async def test_define_term(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/define WRO shows the glossary entry."""
    body = message_body(await emulator.wait_for_callback(await emulator.slash("define", {"term": "WRO"})))
    assert body["embeds"][0]["title"] == "Withhold Release Order"


async def test_escalation_autocomplete_lists_ladders(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """The ladder option autocompletes from the loaded escalation paths."""
    callback = await emulator.wait_for_callback(await emulator.autocomplete("escalation", {"ladder": "ilo"}, "ladder"))
    assert callback.json["data"]["choices"] == [{"name": "The ILO supervisory ladder", "value": "ladder-ilo-supervision"}]


async def test_timeline_sources_about(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/timeline, /sources and /about answer within Discord's limits."""
    timeline = message_body(await emulator.wait_for_callback(await emulator.slash("timeline")))
    assert "2021-12-23" in timeline["embeds"][0]["fields"][0]["value"]
    sources = message_body(await emulator.wait_for_callback(await emulator.slash("sources")))
    assert "UFLPA" in sources["embeds"][0]["description"]
    about = message_body(await emulator.wait_for_callback(await emulator.slash("about")))
    fields = {f["name"]: f["value"] for f in about["embeds"][0]["fields"]}
    assert fields["Version"] and fields["Last reviewed"] == "2026-11-27"
    for body in (timeline, sources, about):
        assert_safe_message(body)
