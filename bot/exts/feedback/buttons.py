"""The buttons under answers: More sources, Helpful, Not helpful (with an optional reason), suggested topics.

They are DynamicItems matched by custom_id, so they keep working on old messages and after a restart.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.discord_app.errors import reports_errors
from bot.discord_app.messages import NO_MENTIONS, send_kwargs
from bot.render.discord import HELPFUL, MORE, NOT_HELPFUL, TOPIC, escape_markdown, render_answer, render_more_sources
from bot.storage import StorageUnavailable

if TYPE_CHECKING:
    from bot.discord_app.bot import LawBot

log = logging.getLogger(__name__)

ENTRY_ID = r"(?P<entry_id>[A-Za-z0-9_.-]+)"
REASON_MAX = 200
GONE = "That topic is no longer in the knowledge base."


def _bot(interaction: discord.Interaction) -> LawBot:
    return interaction.client  # type: ignore[return-value]


def _question_for(interaction: discord.Interaction, entry_id: str) -> str:
    message = interaction.message
    remembered = _bot(interaction).answer_log.get(message.id if message else None)
    return remembered.question if remembered and remembered.entry_id == entry_id else ""


async def _private(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


class MoreSourcesButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"{re.escape(MORE)}:{ENTRY_ID}"):
    def __init__(self, entry_id: str) -> None:
        super().__init__(discord.ui.Button(label="More sources", custom_id=f"{MORE}:{entry_id}"))
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> MoreSourcesButton:
        return cls(match["entry_id"])

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        engine = _bot(interaction).engine
        if self.entry_id not in engine.kb.entries:
            await _private(interaction, GONE)
            return
        question = _question_for(interaction, self.entry_id)
        # The same question gives the same ordering as the answer above, so "next" really is next.
        answer = engine.ask(question) if question else engine.explain(self.entry_id)
        if not answer.answered or answer.entry_id != self.entry_id:
            answer = engine.explain(self.entry_id)
        await interaction.response.send_message(**send_kwargs(render_more_sources(answer)), ephemeral=True)


class HelpfulButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"{re.escape(HELPFUL)}:{ENTRY_ID}"):
    def __init__(self, entry_id: str) -> None:
        super().__init__(discord.ui.Button(label="Helpful", custom_id=f"{HELPFUL}:{entry_id}"))
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> HelpfulButton:
        return cls(match["entry_id"])

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        await bot.database.add_feedback(
            guild_id=interaction.guild_id,
            entry_id=self.entry_id,
            question=_question_for(interaction, self.entry_id),
            helpful=True,
        )
        if bot.metrics is not None:
            bot.metrics.feedback.labels(kind="helpful").inc()
        await _private(interaction, "Thanks, glad it helped.")
        await post_to_feedback_log(bot, interaction.guild_id, f"👍 Helpful: `{self.entry_id}`")


class ReasonModal(discord.ui.Modal, title="What was missing?"):
    reason: discord.ui.TextInput[ReasonModal] = discord.ui.TextInput(
        label="Optional: one line for the curators",
        custom_id="reason",
        required=False,
        max_length=REASON_MAX,
        style=discord.TextStyle.short,
    )

    def __init__(self, feedback_id: int, entry_id: str) -> None:
        super().__init__(custom_id=f"flx:reason:{feedback_id}")
        self.feedback_id = feedback_id
        self.entry_id = entry_id

    @reports_errors
    async def on_submit(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        reason = self.reason.value.strip()
        if reason:
            await bot.database.set_feedback_reason(self.feedback_id, reason)
        await _private(interaction, "Thanks, the curators will see this.")
        line = f"👎 Not helpful: `{self.entry_id}`"
        if reason:
            line += f": {escape_markdown(reason)}"
        await post_to_feedback_log(bot, interaction.guild_id, line)


class NotHelpfulButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"{re.escape(NOT_HELPFUL)}:{ENTRY_ID}"):
    def __init__(self, entry_id: str) -> None:
        super().__init__(discord.ui.Button(label="Not helpful", custom_id=f"{NOT_HELPFUL}:{entry_id}"))
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> NotHelpfulButton:
        return cls(match["entry_id"])

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        # The vote counts even if the reason box is dismissed.
        feedback_id = await bot.database.add_feedback(
            guild_id=interaction.guild_id,
            entry_id=self.entry_id,
            question=_question_for(interaction, self.entry_id),
            helpful=False,
        )
        if bot.metrics is not None:
            bot.metrics.feedback.labels(kind="not_helpful").inc()
        await interaction.response.send_modal(ReasonModal(feedback_id, self.entry_id))


class TopicButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"{re.escape(TOPIC)}:{ENTRY_ID}"):
    def __init__(self, entry_id: str) -> None:
        super().__init__(discord.ui.Button(label="Topic", custom_id=f"{TOPIC}:{entry_id}"))
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> TopicButton:
        return cls(match["entry_id"])

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        if self.entry_id not in bot.engine.kb.entries:
            await _private(interaction, GONE)
            return
        answer = bot.engine.explain(self.entry_id)
        callback = await interaction.response.send_message(**send_kwargs(render_answer(answer)), ephemeral=True)
        bot.answer_log.remember(callback.message_id, answer.question, answer.entry_id)


async def post_to_feedback_log(bot: LawBot, guild_id: int | None, line: str) -> None:
    """Mirror feedback into the guild's feedback-log channel, if one is configured (best effort)."""
    if guild_id is None or bot.db is None:
        return
    try:
        channel_id = (await bot.db.guild_config(guild_id)).feedback_log_channel_id
    except StorageUnavailable:
        log.warning("feedback not mirrored to the feedback log: storage unavailable")
        return
    if channel_id is None:
        return
    try:
        await bot.get_partial_messageable(channel_id).send(line[:2000], allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("could not post to the feedback log channel %s", channel_id)


class Feedback(commands.Cog):
    def __init__(self, bot: LawBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(MoreSourcesButton, HelpfulButton, NotHelpfulButton, TopicButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(MoreSourcesButton, HelpfulButton, NotHelpfulButton, TopicButton)


async def setup(bot: LawBot) -> None:
    await bot.add_cog(Feedback(bot))
