"""/escalation: an escalation path (the ILO ladder, the UFLPA detention path, the reporting path) step by step."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.checks import UserFacingError
from bot.discord_app.errors import reports_errors
from bot.discord_app.messages import NO_MENTIONS, send_kwargs
from bot.render.discord import LADDER, clip, render_ladder_step
from bot.render.pictures.attach import done_in_time, start_attaching

if TYPE_CHECKING:
    from bot.discord_app.bot import LawBot


def _bot(interaction: discord.Interaction) -> LawBot:
    return interaction.client  # type: ignore[return-value]


class LadderStepButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"{re.escape(LADDER)}:(?P<ladder_id>[A-Za-z0-9_.-]+):(?P<step>-?\d+)",
):
    """Previous / Next: the step to show is in the custom_id, so any old message keeps working."""

    def __init__(self, ladder_id: str, step: int) -> None:
        super().__init__(discord.ui.Button(label="Step", custom_id=f"{LADDER}:{ladder_id}:{step}"))
        self.ladder_id = ladder_id
        self.step = step

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> LadderStepButton:
        return cls(match["ladder_id"], int(match["step"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        engine = _bot(interaction).engine
        ladder = engine.kb.ladders.get(self.ladder_id)
        if ladder is None:
            await interaction.response.send_message(
                "That escalation path is no longer in the knowledge base.", ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        # The picture stays attached through edits; keep showing it in the embed when the message carries it.
        picture = f"ladder-{ladder.id}.png"
        attached = interaction.message is not None and any(a.filename == picture for a in interaction.message.attachments)
        rendered = render_ladder_step(ladder, self.step, engine.kb.sources, image=picture if attached else None)
        await interaction.response.edit_message(**send_kwargs(rendered, edit=True))


class Escalation(commands.Cog):
    def __init__(self, bot: LawBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(LadderStepButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(LadderStepButton)

    @app_commands.command(name="escalation", description="Walk through an escalation path step by step")
    @app_commands.describe(ladder="Which path: start typing, e.g. ILO or detention")
    async def escalation(self, interaction: discord.Interaction, ladder: str) -> None:
        ladders = self.bot.engine.kb.ladders
        chosen = ladders.get(ladder) or next(
            (entry for entry in ladders.values() if ladder.casefold() in entry.title.casefold()), None
        )
        if chosen is None:
            names = ", ".join(entry.title for entry in ladders.values()) or "none loaded"
            raise UserFacingError(f"I don't know that escalation path. Available: {names}.")
        rendered = render_ladder_step(chosen, 0, self.bot.engine.kb.sources)
        drawing = start_attaching(self.bot, send_kwargs(rendered), "ladder", chosen.id)
        if await done_in_time(drawing):
            await interaction.response.send_message(**drawing.result())
            return
        # A slow first drawing: acknowledge within Discord's 3 s, then send the message when it is ready.
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(**await drawing)

    @escalation.autocomplete("ladder")
    async def ladder_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = (current or "").casefold()
        return [
            app_commands.Choice(name=clip(entry.title, 100), value=entry.id[:100])
            for entry in self.bot.engine.kb.ladders.values()
            if not wanted or wanted in entry.title.casefold() or wanted in entry.id
        ][:25]


async def setup(bot: LawBot) -> None:
    await bot.add_cog(Escalation(bot))
