"""/kb reload|status|gaps (admins, Manage Server): the knowledge base being served, and what it is missing."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import discord
from discord import app_commands

from bot.discord_app.checks import GuardedGroupCog
from bot.discord_app.messages import NO_MENTIONS, send_kwargs
from bot.render.discord import COLOUR, FIELD_VALUE_MAX, clip, escape_markdown, fit_embed

if TYPE_CHECKING:
    from bot.discord_app.bot import LawBot
    from bot.engine.holder import ReloadResult

PROBLEMS_SHOWN = 25
STATUS_PROBLEMS_SHOWN = 3


def _problems_block(problems: list[str], shown_at_most: int = PROBLEMS_SHOWN, limit: int = 1700) -> str:
    shown = [p.replace("```", "'''") for p in problems[:shown_at_most]]
    more = f"\n… and {len(problems) - shown_at_most} more" if len(problems) > shown_at_most else ""
    return "```\n" + clip("\n".join(shown) + more, limit) + "\n```"


def _last_reload_fields(result: ReloadResult | None) -> list[dict]:
    """The last /kb reload or SIGHUP since start: when, and whether it worked; when it failed, the first problems."""
    if result is None:
        return [{"name": "Last reload", "value": "None since start", "inline": True}]
    when = f"<t:{int(result.finished_at.timestamp())}:R>"
    if result.ok:
        return [{"name": "Last reload", "value": f"{when}: OK", "inline": True}]
    summary = f"{when}: **failed**, {len(result.problems)} problem(s); still serving the previous knowledge base"
    block = _problems_block(list(result.problems), STATUS_PROBLEMS_SHOWN, FIELD_VALUE_MAX - 8)
    return [{"name": "Last reload", "value": summary, "inline": False},
            {"name": "Reload problems", "value": block, "inline": False}]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class KnowledgeAdmin(GuardedGroupCog, group_name="kb", group_description="The knowledge base being served"):
    required_permissions: ClassVar[dict[str, bool]] = {"manage_guild": True}

    @app_commands.command(name="reload", description="Load the knowledge base again (keeps the old one if it has errors)")
    async def reload(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.bot.reload_knowledge()
        if not result.ok:
            serving = len(self.bot.engine.kb.entries)
            text = (
                f"Reload failed: {len(result.problems)} problem(s). Still serving the previous knowledge base "
                f"({serving} topics).\n" + _problems_block(list(result.problems))
            )
        else:
            explainers = self.bot.get_cog("Explainers")
            refreshed = await explainers.refresh_explainers() if explainers is not None else 0  # type: ignore[attr-defined]
            text = (
                f"Reloaded: {result.entries} topics ({len(result.changed)} new or changed, {len(result.removed)} removed). "
                f"Explainers updated: {refreshed}."
            )
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="status", description="What is loaded and how current it is")
    async def status(self, interaction: discord.Interaction) -> None:
        kb = self.bot.engine.kb
        reviewed = kb.last_reviewed
        explainers = await self.bot.database.explainers(interaction.guild_id or 0)
        loaded = int(self.bot.kb_loaded_at.timestamp())
        fields = [
            {"name": "Topics", "value": str(len(kb.entries)), "inline": True},
            {"name": "Escalation paths", "value": str(len(kb.ladders)), "inline": True},
            {"name": "Sources", "value": str(len(kb.sources)), "inline": True},
            {"name": "Files", "value": str(len(kb.files)), "inline": True},
            {"name": "Last reviewed", "value": reviewed.isoformat() if reviewed else "unknown", "inline": True},
            {"name": "Loaded", "value": f"<t:{loaded}:R>", "inline": True},
            {"name": "Explainers here", "value": str(len(explainers)), "inline": True},
            {"name": "Unanswered logged", "value": str(await self.bot.database.unanswered_count()), "inline": True},
            *_last_reload_fields(self.bot.engines.last_reload if self.bot.engines else None),
        ]
        embed = fit_embed({"type": "rich", "title": "Knowledge base", "description": "", "color": COLOUR, "fields": fields})
        await interaction.response.send_message(**send_kwargs({"embeds": [embed]}), ephemeral=True)

    @app_commands.command(name="gaps", description="The most frequent unanswered questions and 'Not helpful' topics")
    async def gaps(self, interaction: discord.Interaction) -> None:
        report = await self.bot.database.gaps()
        unanswered = "\n".join(f"{count}× {escape_markdown(clip(q, 150))}" for q, count in report.unanswered)
        lines = []
        for entry_id, count, reasons in report.not_helpful:
            entry = self.bot.engine.kb.entries.get(entry_id)
            title = entry.title if entry else entry_id
            why = "; ".join(escape_markdown(clip(r, 80)) for r in reasons)
            lines.append(f"{count}× {title}" + (f": {why}" if why else ""))
        fields = [
            {"name": "Unanswered questions", "value": clip(unanswered or "None logged.", FIELD_VALUE_MAX), "inline": False},
            {"name": "Marked not helpful", "value": clip("\n".join(lines) or "None.", FIELD_VALUE_MAX), "inline": False},
        ]
        embed = fit_embed({"type": "rich", "title": "Knowledge gaps", "description": "", "color": COLOUR, "fields": fields})
        await interaction.response.send_message(**send_kwargs({"embeds": [embed]}), ephemeral=True)


async def setup(bot: LawBot) -> None:
    await bot.add_cog(KnowledgeAdmin(bot))
