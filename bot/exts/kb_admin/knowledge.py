"""/kb reload|status|gaps|changes (admins, Manage Server): the knowledge base being served, what it is missing, and
what changed in it (also announced in each guild's updates channel: see _updates)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.checks import GuardedGroupCog
from bot.discord_app.messages import NO_MENTIONS, send_kwargs
from bot.engine.changes import ChangeSet
from bot.exts.kb_admin._updates import UpdateReport, announce_update, change_lines, fit_lines
from bot.render.discord import COLOUR, FIELD_VALUE_MAX, clip, escape_markdown, fit_embed
from bot.storage import ChangePost

if TYPE_CHECKING:
    from bot.discord_app.bot import LawBot
    from bot.engine.holder import ReloadResult

PROBLEMS_SHOWN = 25
STATUS_PROBLEMS_SHOWN = 3
CHANGES_SHOWN = 10


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


def note_status(post: ChangePost | None) -> str:
    """How this guild's update note for one change went (shown in /kb changes)."""
    if post is None:
        return "No note here (no updates channel was set)."
    where = f"<#{post.channel_id}>" if post.channel_id else "the updates channel"
    if post.status == "posted":
        return f"Note posted in {where}."
    if post.status == "failed":
        return f"Note **not posted**: {post.detail or 'Discord refused it'}."
    if post.status == "skipped":
        return "No note here (the updates channel was set after this change)."
    return f"Note to {where} was interrupted before it was confirmed."


def reload_note_line(report: UpdateReport, guild_id: int | None) -> str:
    """One line for the /kb reload reply about this guild's update note, or '' when there is nothing to say."""
    if report.problem:
        return f"\nUpdate note: {report.problem}."
    outcome = report.outcome(guild_id)
    if outcome is None:
        return ""
    if outcome.posted:
        return f"\nUpdate note posted in <#{outcome.channel_id}>."
    return f"\nUpdate note **not posted**: {outcome.detail}."


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class KnowledgeAdmin(GuardedGroupCog, group_name="kb", group_description="The knowledge base being served"):
    required_permissions: ClassVar[dict[str, bool]] = {"manage_guild": True}

    def __init__(self, bot: LawBot) -> None:
        super().__init__(bot)
        self._announcing = asyncio.Lock()  # start-up, /kb reload and SIGHUP record versions one at a time

    async def announce_update(self, *, first: int | None = None) -> UpdateReport:
        """Record the served knowledge base's version and post update notes where due; never raises."""
        async with self._announcing:
            return await announce_update(self.bot, first=first)

    @commands.Cog.listener()
    async def on_startup_ready(self) -> None:
        # Files edited while the bot was down are a change like any other; a version already announced is not.
        await self.announce_update()

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
            report = await self.announce_update(first=interaction.guild_id)
            text = (
                f"Reloaded: {result.entries} topics ({len(result.changed)} new or changed, {len(result.removed)} removed). "
                f"Explainers updated: {refreshed}." + reload_note_line(report, interaction.guild_id)
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

    @app_commands.command(name="changes", description="What the latest knowledge base updates changed, newest first")
    async def changes(self, interaction: discord.Interaction) -> None:
        database = self.bot.database
        guild_id = interaction.guild_id or 0
        versions = await database.knowledge_changes(CHANGES_SHOWN)
        posts = await database.notes(guild_id, [v.id for v in versions])
        channel = (await database.guild_config(guild_id)).updates_channel_id
        description = (f"Update notes go to <#{channel}>." if channel
                       else "No updates channel: set one with `/config updates-channel`.")
        if not versions:
            description += "\nNo changes recorded yet: they are recorded from the first reload that changes something."
        fields = []
        for version in versions:
            changes = ChangeSet.from_json(version.changes)
            status = note_status(posts.get(version.id))
            recorded = f"<t:{_timestamp(version.recorded_at)}:f>" if _timestamp(version.recorded_at) else version.recorded_at
            body = fit_lines(change_lines(changes) or ["(details unreadable)"], FIELD_VALUE_MAX - len(status) - 1,
                             more="… and {n} more")
            fields.append({"name": clip(f"Version {version.version[:8]}", 256),
                           "value": clip(f"{recorded}\n{body}\n{status}", FIELD_VALUE_MAX), "inline": False})
        embed = fit_embed({"type": "rich", "title": "Knowledge base changes", "description": description,
                           "color": COLOUR, "fields": fields})
        await interaction.response.send_message(**send_kwargs({"embeds": [embed]}), ephemeral=True)


def _timestamp(iso: str) -> int | None:
    try:
        return int(datetime.fromisoformat(iso).timestamp())
    except ValueError:
        return None


async def setup(bot: LawBot) -> None:
    await bot.add_cog(KnowledgeAdmin(bot))
