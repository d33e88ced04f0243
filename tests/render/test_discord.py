from dataclasses import replace

from bot.engine.answer import Citation
from bot.render.discord import (
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    TITLE_MAX,
    embed_length,
    escape_markdown,
    render_answer,
    render_ladder_step,
    render_more_sources,
)


def within_limits(message: dict) -> bool:
    if message.get("content") and len(message["content"]) > 2000:
        return False
    for embed in message["embeds"]:
        if len(embed.get("title", "")) > TITLE_MAX or len(embed.get("description", "")) > DESCRIPTION_MAX:
            return False
        if len(embed["fields"]) > FIELDS_MAX or any(len(f["value"]) > FIELD_VALUE_MAX for f in embed["fields"]):
            return False
        if embed_length(embed) > EMBED_TOTAL_MAX:
            return False
    return True


def test_answer_embed_has_markers_sources_footer_and_buttons(small_engine):
    """An answer renders lead, [n] excerpts, a sources field with links, the disclaimer and three buttons."""
    message = render_answer(small_engine.ask("what does the uflpa rebuttable presumption do"))
    embed = message["embeds"][0]
    assert "**[1]**" in embed["description"]
    sources = embed["fields"][0]
    assert sources["name"] == "Sources" and "](https://www.govinfo.gov/" in sources["value"] and "§ 3(a)" in sources["value"]
    assert "not legal advice" in embed["footer"]["text"] and "Last reviewed 2026-11-27" in embed["footer"]["text"]
    labels = [b["label"] for b in message["components"][0]["components"]]
    assert labels == ["More sources", "Helpful", "Not helpful"]
    assert message["allowed_mentions"] == {"parse": []}


def test_not_covered_renders_suggestion_buttons(shipped_engine):
    """Not covered gives short text and up to three topic buttons that open entries."""
    message = render_answer(shipped_engine.ask("how do i bake sourdough bread"))
    assert message["embeds"] == [] and "won't guess" in message["content"]
    buttons = message["components"][0]["components"]
    assert 1 <= len(buttons) <= 3 and all(b["custom_id"].startswith("flx:topic:") for b in buttons)


def test_every_shipped_entry_renders_within_discord_limits(shipped_engine):
    """Every explainer card and its 'more sources' follow-up fits Discord's limits."""
    for entry_id in shipped_engine.kb.entries:
        answer = shipped_engine.explain(entry_id)
        assert within_limits(render_answer(answer)), entry_id
        assert within_limits(render_more_sources(answer)), entry_id


def test_oversized_answer_is_clipped_to_limits(small_engine):
    """Absurdly long fields and many citations are clipped, never sent over the limits."""
    answer = small_engine.explain("uflpa-exception")
    huge = Citation(1, "x", "t" * 500, "e" * 5000, "uflpa", "S" * 300, "c", "§ 1" * 100, "https://x.test", "2020-01-01", 1.0, False)
    citations = tuple(replace(huge, rank=i) for i in range(1, 40))
    message = render_answer(replace(answer, title="T" * 1000, lead="L" * 9000, citations=citations))
    assert within_limits(message)


def test_ladder_step_has_previous_and_next(small_engine):
    """A ladder step shows who/what/time limits/precedent/source, with Previous disabled on step 1."""
    ladder = small_engine.kb.ladders["ladder-ilo-supervision"]
    message = render_ladder_step(ladder, 0, small_engine.kb.sources)
    fields = {f["name"] for f in message["embeds"][0]["fields"]}
    assert {"Who can act", "What happens", "Time limits", "Precedent", "Source"} <= fields
    previous, following = message["components"][0]["components"]
    assert previous["disabled"] and not following["disabled"]
    assert following["custom_id"] == "flx:ladder:ladder-ilo-supervision:1"


def test_escape_markdown_defuses_mentions_and_markup():
    """Echoed user text cannot ping or format."""
    escaped = escape_markdown("@everyone <@&123> **bold**")
    assert "@everyone" not in escaped and "\\*\\*bold\\*\\*" in escaped


def test_discord_answer_shows_notes_as_note_lines():
    """Notes appear in the embed as 'Note:' lines after the numbered excerpts."""
    from bot.engine import Engine
    from bot.render.discord import render_answer
    from tests.conftest import FIXTURES, ROOT

    engine = Engine.load(FIXTURES / "kb_registry", ROOT / "prompts")
    embed = render_answer(engine.explain("entity-list-total"))["embeds"][0]
    assert "**Note:** The official Entity List page was not read for this figure." in embed["description"]
    assert "*As reported by Trade Weekly" in embed["description"]
