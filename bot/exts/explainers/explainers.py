"""/explainer post|list|remove (moderators): canonical explainer cards, pinned, refreshed when their entry changes."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.checks import GuardedGroupCog, UserFacingError
from bot.discord_app.messages import NO_MENTIONS, send_kwargs
from bot.exts.explain.lookup import resolve_topic, topic_choices
from bot.exts.explainers._reconcile import reconcile_explainers
from bot.render.discord import clip, render_answer
from bot.render.pictures.attach import attach
from bot.storage import StorageUnavailable
from bot.storage.database import now_iso

if TYPE_CHECKING:
    from bot.discord_app.bot import LawBot

log = logging.getLogger(__name__)

MAX_PINS_ERROR = 30003
PIN_LIMIT = 250


def _jump_url(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def _replacing_attachments(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Edit arguments whose new picture replaces the card's old attachment (an edit takes no `file`). Without a
    picture (drawing failed) the old one is kept."""
    picture = kwargs.get("file")
    if picture is None:
        return kwargs
    return {**{key: value for key, value in kwargs.items() if key != "file"}, "attachments": [picture]}


@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class Explainers(GuardedGroupCog, group_name="explainer", group_description="Post and manage pinned explainer cards"):
    required_permissions: ClassVar[dict[str, bool]] = {"manage_messages": True}

    def __init__(self, bot: LawBot) -> None:
        super().__init__(bot)
        # Pending records older than this process are left-overs of an earlier run (newer ones may be in flight).
        self.started_at = now_iso()

    @app_commands.command(name="post", description="Post the explainer card for a topic in this channel")
    @app_commands.describe(topic="Start typing a topic", pin="Pin the card (default: yes)")
    async def post(self, interaction: discord.Interaction, topic: str, pin: bool = True) -> None:
        entry_id = resolve_topic(self.bot, topic)
        channel = interaction.channel
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise UserFacingError("Explainers can only be posted in a text channel or thread.")
        if pin and not interaction.app_permissions.pin_messages:
            raise UserFacingError(
                "I need the **Pin Messages** permission in this channel to pin an explainer. "
                "Grant it, or run the command again with `pin: False`."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer = self.bot.engine.explain(entry_id)
        database = self.bot.database
        # Recorded before anything is sent, so a card is never out (and pinned) without a record. With storage
        # down this raises StorageUnavailable and nothing is posted; a retry then cannot pin a duplicate.
        pending = await database.begin_explainer(
            guild_id=interaction.guild_id or 0, channel_id=channel.id, entry_id=entry_id, pinned=pin
        )
        kwargs = send_kwargs(render_answer(answer))
        if entry_id in self.bot.engine.kb.ladders:  # a ladder's card carries its diagram
            kwargs = await attach(self.bot, kwargs, "ladder", entry_id)
        try:
            message = await channel.send(**kwargs)
        except BaseException:
            await self._discard_pending(pending)
            raise
        self.bot.answer_log.remember(message.id, answer.question, entry_id)
        try:
            await database.note_pending_message(pending, message.id)
            if pin:
                problem = await self._pin(message)
                if problem is not None:
                    # Nothing half-done: take the card down again and say why.
                    await message.delete()
                    await self._discard_pending(pending)
                    await interaction.followup.send(problem, ephemeral=True, allowed_mentions=NO_MENTIONS)
                    return
            await database.complete_explainer(
                pending, message_id=message.id, fingerprint=self.bot.engine.entry_fingerprint(entry_id) or ""
            )
        except StorageUnavailable:
            await self._undo_post(message, pending)
            raise
        done = "Posted and pinned" if pin else "Posted"
        await interaction.followup.send(
            f"{done} the explainer for **{answer.title}**. It will be updated when the knowledge base changes.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    async def _undo_post(self, message: discord.Message, pending: int) -> None:
        """Storage failed after the card went out: take it down (deleting also unpins it), so no card is left that
        the bot cannot list, remove or refresh. Whatever cannot be undone now, start-up reconciles."""
        try:
            await message.delete()
        except discord.NotFound:
            pass
        except discord.HTTPException:
            log.warning("could not take down explainer %s after a storage failure; start-up will record it", message.id)
        await self._discard_pending(pending)

    async def _discard_pending(self, pending: int) -> None:
        try:
            await self.bot.database.discard_pending_explainer(pending)
        except StorageUnavailable:
            log.info("pending explainer %s left for start-up to clean up (storage unavailable)", pending)

    @staticmethod
    async def _pin(message: discord.Message) -> str | None:
        try:
            await message.pin(reason="explainer card")
        except discord.Forbidden:
            return "I couldn't pin the explainer: I'm missing the **Pin Messages** permission in this channel."
        except discord.HTTPException as exc:
            if exc.code == MAX_PINS_ERROR:
                return (
                    f"I couldn't pin the explainer: this channel already has the maximum of {PIN_LIMIT} pinned "
                    "messages. Unpin one and try again, or post with `pin: False`."
                )
            raise
        return None

    @post.autocomplete("topic")
    async def post_topic_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return topic_choices(self.bot, current)

    @app_commands.command(name="list", description="List the explainers posted in this server")
    async def list_explainers(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id or 0
        records = await self.bot.database.explainers(guild_id)
        if not records:
            text = "No explainers have been posted in this server yet. Use `/explainer post`."
        else:
            lines = []
            for record in records:
                entry = self.bot.engine.kb.entries.get(record.entry_id)
                title = entry.title if entry else f"{record.entry_id} (no longer in the knowledge base)"
                pinned = ", pinned" if record.pinned else ""
                url = _jump_url(guild_id, record.channel_id, record.message_id)
                lines.append(f"- **{title}** in <#{record.channel_id}>{pinned}: {url}")
            text = clip("\n".join(lines), 2000)
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="remove", description="Unpin and delete a posted explainer")
    @app_commands.describe(explainer="Pick the explainer to remove")
    async def remove(self, interaction: discord.Interaction, explainer: str) -> None:
        if not explainer.isdigit():
            raise UserFacingError("Pick an explainer from the list that appears as you type.")
        records = {r.message_id: r for r in await self.bot.database.explainers(interaction.guild_id or 0)}
        record = records.get(int(explainer))
        if record is None:
            raise UserFacingError("That explainer isn't recorded for this server.")
        await self.bot.database.remove_explainer(record.message_id)
        message = self.bot.get_partial_messageable(record.channel_id).get_partial_message(record.message_id)
        try:
            await message.delete()
        except discord.NotFound:
            pass  # already deleted by hand: the record was all that was left
        except discord.Forbidden:
            log.info("could not delete explainer message %s", record.message_id)
        entry = self.bot.engine.kb.entries.get(record.entry_id)
        title = entry.title if entry else record.entry_id
        await interaction.response.send_message(
            f"Removed the explainer for **{title}**.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @remove.autocomplete("explainer")
    async def remove_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = (current or "").casefold()
        choices = []
        for record in await self.bot.database.explainers(interaction.guild_id or 0):
            entry = self.bot.engine.kb.entries.get(record.entry_id)
            channel = self.bot.get_channel(record.channel_id)
            where = f"#{channel.name}" if isinstance(channel, discord.abc.GuildChannel) else str(record.channel_id)
            name = f"{entry.title if entry else record.entry_id} in {where}"
            if not wanted or wanted in name.casefold():
                choices.append(app_commands.Choice(name=clip(name, 100), value=str(record.message_id)))
        return choices[:25]

    # -- refresh ------------------------------------------------------------------------------------

    async def refresh_explainers(self) -> int:
        """Edit every posted explainer whose entry changed since it was posted; returns how many were edited."""
        if self.bot.db is None:
            return 0
        engine = self.bot.engine
        refreshed = 0
        for record in await self.bot.db.explainers():
            fingerprint = engine.entry_fingerprint(record.entry_id)
            if fingerprint is None or fingerprint == record.fingerprint:
                continue  # unchanged, or the entry was removed (the card stays as it was)
            message = self.bot.get_partial_messageable(record.channel_id).get_partial_message(record.message_id)
            kwargs = send_kwargs(render_answer(engine.explain(record.entry_id)), edit=True)
            if record.entry_id in engine.kb.ladders:  # the diagram again, so the new embed shows it inside
                kwargs = _replacing_attachments(await attach(self.bot, kwargs, "ladder", record.entry_id))
            try:
                await message.edit(**kwargs)
            except discord.NotFound:
                await self.bot.db.remove_explainer(record.message_id)
                continue
            except discord.HTTPException:
                log.warning("could not refresh explainer %s", record.message_id, exc_info=True)
                continue
            await self.bot.db.update_explainer_fingerprint(record.message_id, fingerprint)
            refreshed += 1
        if refreshed:
            log.info("refreshed %d explainer(s)", refreshed)
        return refreshed

    @commands.Cog.listener()
    async def on_startup_ready(self) -> None:
        try:
            await reconcile_explainers(self.bot, started_at=self.started_at)
        except StorageUnavailable as exc:
            log.warning("could not reconcile explainers at start-up: %s", exc)
        except Exception:
            log.exception("reconciling explainers at start-up failed")
        try:
            await self.refresh_explainers()
        except StorageUnavailable as exc:
            log.warning("could not refresh explainers at start-up: %s", exc)
        except Exception:
            log.exception("refreshing explainers at start-up failed")


async def setup(bot: LawBot) -> None:
    await bot.add_cog(Explainers(bot))
