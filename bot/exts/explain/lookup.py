"""Look-ups: /explain (with autocomplete), /cite, /define, /timeline, /sources, /about."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

import bot as bot_package
from bot.discord_app.checks import UserFacingError
from bot.discord_app.messages import send_kwargs
from bot.render.discord import (
    COLOUR,
    DESCRIPTION_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    clip,
    fit_embed,
    render_answer,
)
from bot.render.pictures.attach import attach
from bot.render.pictures.layout import TIMELINE_AREAS, timeline_events

if TYPE_CHECKING:
    from bot.discord_app.bot import LawBot

CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100


def topic_choices(bot: LawBot, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete from the engine's in-memory title/alias index (no I/O: well inside Discord's 3 s)."""
    return [
        app_commands.Choice(name=clip(title, CHOICE_NAME_MAX), value=entry_id[:CHOICE_VALUE_MAX])
        for entry_id, title in bot.engine.complete_topics(current or "", limit=CHOICES_MAX)
    ]


def resolve_topic(bot: LawBot, value: str) -> str:
    """The entry id for what the user picked or typed (an id from autocomplete, or a title/alias typed freely)."""
    entry_id = bot.engine.resolve_topic(value)
    if entry_id is not None:
        return entry_id
    raise UserFacingError("I couldn't find that topic. Start typing and pick one of the suggestions.")


def _embed(title: str, description: str, fields: list[dict[str, Any]], footer: str = "") -> dict[str, Any]:
    embed: dict[str, Any] = {
        "type": "rich",
        "title": clip(title, 256),
        "description": clip(description, DESCRIPTION_MAX),
        "color": COLOUR,
        "fields": fields[:FIELDS_MAX],
    }
    if footer:
        embed["footer"] = {"text": clip(footer, 2048)}
    return fit_embed(embed)


class Lookup(commands.Cog):
    def __init__(self, bot: LawBot) -> None:
        self.bot = bot

    @app_commands.command(name="explain", description="Explain a topic from the knowledge base")
    @app_commands.describe(topic="Start typing a topic, acronym or instrument")
    async def explain(self, interaction: discord.Interaction, topic: str) -> None:
        entry_id = resolve_topic(self.bot, topic)
        answer = self.bot.engine.explain(entry_id)
        callback = await interaction.response.send_message(**send_kwargs(render_answer(answer)))
        self.bot.answer_log.remember(callback.message_id, answer.question, answer.entry_id)

    @explain.autocomplete("topic")
    async def explain_topic_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return topic_choices(self.bot, current)

    @app_commands.command(name="cite", description="Show what the knowledge base quotes from one provision")
    @app_commands.describe(
        source='The instrument, e.g. "UFLPA" or "ILO Constitution"', pinpoint='Section or article, e.g. "3(b)" or "26"'
    )
    async def cite(self, interaction: discord.Interaction, source: str, pinpoint: str) -> None:
        answer = self.bot.engine.cite(source, pinpoint)
        await interaction.response.send_message(**send_kwargs(render_answer(answer)), ephemeral=not answer.answered)

    @cite.autocomplete("source")
    async def cite_source_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = (current or "").casefold()
        choices = []
        for source in self.bot.engine.kb.sources.values():
            name = source.short or source.title
            if not wanted or wanted in name.casefold() or wanted in source.title.casefold():
                choices.append(app_commands.Choice(name=clip(f"{name}: {source.title}", CHOICE_NAME_MAX), value=name[:100]))
        return choices[:CHOICES_MAX]

    @app_commands.command(name="define", description="Define a term from the glossary")
    @app_commands.describe(term="A term or acronym, e.g. WRO")
    async def define(self, interaction: discord.Interaction, term: str) -> None:
        answer = self.bot.engine.define(term)
        callback = await interaction.response.send_message(**send_kwargs(render_answer(answer)))
        if answer.answered:
            self.bot.answer_log.remember(callback.message_id, answer.question, answer.entry_id)

    @app_commands.command(name="timeline", description="Key dates, oldest first")
    @app_commands.describe(area="Only one area (default: all)")
    @app_commands.choices(area=[app_commands.Choice(name=label, value=key) for key, (label, _, _) in TIMELINE_AREAS.items()])
    async def timeline(self, interaction: discord.Interaction, area: str | None = None) -> None:
        kb = self.bot.engine.kb
        events = [entry for entry, _ in timeline_events(kb, area)] if area in TIMELINE_AREAS else kb.timeline
        lines = [f"**{e.event_label or '?'}**: {e.title}" for e in events]
        fields = []
        chunk = ""
        for line in lines:
            line = clip(line, FIELD_VALUE_MAX)
            if chunk and len(chunk) + 1 + len(line) > FIELD_VALUE_MAX:
                fields.append({"name": "\u200b", "value": chunk, "inline": False})
                chunk = line
            else:
                chunk = f"{chunk}\n{line}" if chunk else line
        if chunk:
            fields.append({"name": "\u200b", "value": chunk, "inline": False})
        description = "Use /explain for any of these." if events else "No timeline entries yet."
        title = f"Timeline: {TIMELINE_AREAS[area][0]}" if area in TIMELINE_AREAS else "Timeline"
        embed = _embed(title, description, fields, self.bot.engine.prompts.disclaimer)
        kwargs = send_kwargs({"embeds": [embed]})
        if events:
            kwargs = await attach(self.bot, kwargs, "timeline", area if area in TIMELINE_AREAS else "all")
        await interaction.response.send_message(**kwargs)

    @app_commands.command(name="sources", description="The instruments the knowledge base cites, with official links")
    async def sources(self, interaction: discord.Interaction) -> None:
        sources = sorted(self.bot.engine.kb.sources.values(), key=lambda s: (s.short or s.title).casefold())
        lines = [f"[{s.short or s.title}]({s.url}): {s.title}, {s.citation} ({s.date.isoformat()})" for s in sources]
        description = clip("\n".join(lines), DESCRIPTION_MAX) if lines else "No sources loaded."
        embed = _embed(f"Sources ({len(sources)})", description, [])
        await interaction.response.send_message(**send_kwargs({"embeds": [embed]}), ephemeral=True)

    @app_commands.command(name="about", description="What this bot is, its version and how current the knowledge base is")
    async def about(self, interaction: discord.Interaction) -> None:
        kb = self.bot.engine.kb
        reviewed = kb.last_reviewed
        fields = [
            {"name": "Version", "value": bot_package.__version__, "inline": True},
            {"name": "Knowledge base", "value": f"{len(kb.entries)} topics, {len(kb.sources)} sources", "inline": True},
            {"name": "Last reviewed", "value": reviewed.isoformat() if reviewed else "unknown", "inline": True},
        ]
        description = "I explain forced-labour trade law from a curated knowledge base and cite every excerpt."
        embed = _embed("About", description, fields, self.bot.engine.prompts.disclaimer)
        await interaction.response.send_message(**send_kwargs({"embeds": [embed]}), ephemeral=True)


async def setup(bot: LawBot) -> None:
    await bot.add_cog(Lookup(bot))
