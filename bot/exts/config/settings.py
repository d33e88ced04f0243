"""/config (admins, Manage Server): ask channels, the question cooldown, the feedback log, the unanswered log, the
channel for knowledge base update notes."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import discord
from discord import app_commands

from bot.discord_app.checks import GuardedGroupCog
from bot.discord_app.messages import NO_MENTIONS

if TYPE_CHECKING:
    from bot.discord_app.bot import LawBot

COOLDOWN_MAX = 60


async def _say(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Config(GuardedGroupCog, group_name="config", group_description="Server settings for the bot"):
    ask_channels = app_commands.Group(name="ask-channels", description="Channels where every message is answered")

    required_permissions: ClassVar[dict[str, bool]] = {"manage_guild": True}

    @ask_channels.command(name="add", description="Answer every message in a channel (not only mentions)")
    async def ask_channels_add(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        added = await self.bot.database.add_ask_channel(interaction.guild_id or 0, channel.id)
        await _say(interaction, f"<#{channel.id}> is {'now' if added else 'already'} an ask channel.")

    @ask_channels.command(name="remove", description="Stop answering every message in a channel")
    async def ask_channels_remove(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        removed = await self.bot.database.remove_ask_channel(interaction.guild_id or 0, channel.id)
        await _say(interaction, f"<#{channel.id}> {'is no longer' if removed else 'was not'} an ask channel.")

    @ask_channels.command(name="list", description="List the ask channels")
    async def ask_channels_list(self, interaction: discord.Interaction) -> None:
        config = await self.bot.database.guild_config(interaction.guild_id or 0)
        if not config.ask_channel_ids:
            await _say(interaction, "No ask channels: I answer only when mentioned, in replies and in /ask.")
            return
        await _say(interaction, "Ask channels: " + ", ".join(f"<#{c}>" for c in sorted(config.ask_channel_ids)))

    @app_commands.command(name="cooldown", description="How many questions one person may ask per minute (0: no limit)")
    async def cooldown(self, interaction: discord.Interaction, per_minute: app_commands.Range[int, 0, COOLDOWN_MAX]) -> None:
        await self.bot.database.set_cooldown(interaction.guild_id or 0, per_minute)
        text = "Question cooldown off." if per_minute == 0 else f"Each person may ask {per_minute} question(s) a minute."
        await _say(interaction, text)

    @app_commands.command(name="feedback-log", description="Post feedback to a channel (leave empty to stop)")
    async def feedback_log(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        await self.bot.database.set_feedback_log_channel(interaction.guild_id or 0, channel.id if channel else None)
        await _say(interaction, f"Feedback goes to <#{channel.id}>." if channel else "Feedback log off.")

    @app_commands.command(name="updates-channel",
                          description="Post a short note here when the knowledge base changes (leave empty to stop)")
    async def updates_channel(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        await self.bot.database.set_updates_channel(interaction.guild_id or 0, channel.id if channel else None)
        if channel is None:
            await _say(interaction, "Knowledge base update notes off.")
            return
        text = f"Knowledge base update notes go to <#{channel.id}>, one per update that changes something."
        me = interaction.guild.me if interaction.guild else None
        if me is not None:
            granted = channel.permissions_for(me)
            if not (granted.view_channel and granted.send_messages):
                text += " I can't send messages there yet: grant me **View Channel** and **Send Messages** in it."
        await _say(interaction, text)

    @app_commands.command(name="unanswered-log", description="Keep unanswered questions (text and time only) for curators")
    async def unanswered_log(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self.bot.database.set_log_unanswered(interaction.guild_id or 0, enabled)
        await _say(interaction, "Unanswered questions are logged." if enabled else "Unanswered questions are not logged.")


async def setup(bot: LawBot) -> None:
    await bot.add_cog(Config(bot))
