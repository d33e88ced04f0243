"""Owner-only `@bot sync [here|global]`: register slash commands on request, never at start (Discord rate-limits it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord_app.messages import NO_MENTIONS

if TYPE_CHECKING:
    from bot.discord_app.bot import LawBot


class CommandSync(commands.Cog):
    def __init__(self, bot: LawBot) -> None:
        self.bot = bot

    @commands.command(name="sync")
    @commands.is_owner()
    async def sync(self, ctx: commands.Context[LawBot], scope: str = "global") -> None:
        """`sync` registers globally (may take a while to show); `sync here` copies them to this server at once."""
        if scope == "here":
            if ctx.guild is None:
                raise commands.UserInputError("`sync here` only works in a server.")
            self.bot.tree.copy_global_to(guild=discord.Object(ctx.guild.id))
            synced = await self.bot.tree.sync(guild=discord.Object(ctx.guild.id))
            where = "this server"
        else:
            synced = await self.bot.tree.sync()
            where = "all servers"
        await ctx.reply(f"Synced {len(synced)} command(s) to {where}.", allowed_mentions=NO_MENTIONS, mention_author=False)


async def setup(bot: LawBot) -> None:
    await bot.add_cog(CommandSync(bot))
