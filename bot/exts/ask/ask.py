"""Questions: /ask, the "Explain this" message command, mentions, replies, thread follow-ups, ask channels, DMs.

Every entry point passes the cooldown (`may_ask`) before the bot sends or creates anything, then goes through
`deliver_answer`; they differ only in how the reply is delivered (a Responder). A burst from one user never
becomes a burst from the bot: questions past the cooldown open no thread and get at most one notice per window.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.messages import NO_MENTIONS, send_kwargs, text_kwargs
from bot.engine.answer import NOT_COVERED, Answer
from bot.lru import LRUCache
from bot.render.discord import clip
from bot.render.pictures.attach import done_in_time, start_attaching
from bot.render.pictures.cache import chart_for_entry
from bot.storage import StorageUnavailable

if TYPE_CHECKING:
    from bot.discord_app.bot import LawBot

log = logging.getLogger(__name__)

THREAD_NAME_MAX = 90
THREAD_CONTEXTS_KEPT = 2000
PRIVATE_REASONS = {"empty", "too_long"}  # refusals are only for the asker
COOLING_DOWN_REACTION = "\N{HOURGLASS WITH FLOWING SAND}"


class Responder(Protocol):
    async def send(self, kwargs: dict[str, Any], *, ephemeral: bool = False) -> int | None:
        """Deliver a message (discord.py send arguments); returns the id of the message sent, if known."""
        ...

    async def refuse(self, wait: float) -> None:
        """Tell the asker, once per cooldown window, that they must wait `wait` seconds."""
        ...


class InteractionResponder:
    def __init__(self, interaction: discord.Interaction) -> None:
        self.interaction = interaction

    async def send(self, kwargs: dict[str, Any], *, ephemeral: bool = False) -> int | None:
        if self.interaction.response.is_done():
            sent = await self.interaction.followup.send(**kwargs, ephemeral=ephemeral, wait=True)
            return sent.id
        callback = await self.interaction.response.send_message(**kwargs, ephemeral=ephemeral)
        return callback.message_id

    async def make_time(self) -> None:
        """Acknowledge now (Discord's 3 s deadline) when the reply needs slow work such as a first drawing."""
        if not self.interaction.response.is_done():
            await self.interaction.response.defer(thinking=True)

    async def refuse(self, wait: float) -> None:
        await self.send(plain(f"You're asking quickly. Please wait {math.ceil(wait)} s before the next question."),
                        ephemeral=True)


class MessageResponder:
    """Replies to a message, or posts into a thread when one was opened for the question."""

    def __init__(self, message: discord.Message, *, destination: discord.abc.Messageable | None = None) -> None:
        self.message = message
        self.destination = destination

    async def send(self, kwargs: dict[str, Any], *, ephemeral: bool = False) -> int | None:
        if self.destination is not None:
            sent = await self.destination.send(**kwargs)
        else:
            sent = await self.message.reply(**kwargs, mention_author=False)
        return sent.id

    async def refuse(self, wait: float) -> None:
        # A public "please wait" reply per message would let one user make the bot spam the channel.
        with contextlib.suppress(discord.HTTPException):
            await self.message.add_reaction(COOLING_DOWN_REACTION)


def plain(text: str) -> dict[str, Any]:
    return send_kwargs({"content": clip(text, 2000), "embeds": [], "components": []})


async def may_ask(bot: LawBot, *, user_id: int, guild_id: int | None, responder: Responder) -> bool:
    """Count a question against the user's cooldown; when refused, notify them at most once per window."""
    verdict = bot.cooldown.check(user_id, await bot.cooldown_per_minute(guild_id))
    if verdict.allowed:
        return True
    if verdict.notify:
        await responder.refuse(verdict.wait)
    return False


async def answer_question(
    bot: LawBot,
    question: str,
    *,
    user_id: int,
    guild_id: int | None,
    responder: Responder,
    context: str | None = None,
    on_answer: Callable[[Answer], None] | None = None,
) -> Answer | None:
    """Cooldown, then deliver_answer. None when cooled down."""
    if not await may_ask(bot, user_id=user_id, guild_id=guild_id, responder=responder):
        return None
    return await deliver_answer(
        bot, question, user_id=user_id, guild_id=guild_id, responder=responder, context=context, on_answer=on_answer
    )


async def deliver_answer(
    bot: LawBot,
    question: str,
    *,
    user_id: int,
    guild_id: int | None,
    responder: Responder,
    context: str | None = None,
    on_answer: Callable[[Answer], None] | None = None,
) -> Answer:
    """Ask the engine, reply, remember the question, log it if not covered (the cooldown was already passed).

    on_answer runs before the reply is sent, so a quick follow-up already finds the conversation's context.
    """
    question = question.strip()
    started = time.perf_counter()
    answer = bot.engine.ask(question, context=context)
    elapsed = time.perf_counter() - started
    if bot.metrics is not None:
        bot.metrics.record_answer(answer.reason, elapsed)
    log_question(bot, answer, elapsed, user_id=user_id, guild_id=guild_id, follow_up=context is not None)
    if on_answer is not None:
        on_answer(answer)
    kwargs = bot.payloads.kwargs(answer)
    chart = chart_for_entry(bot.engine.kb, answer.entry_id) if answer.answered else None
    if chart is not None:  # an entry with figures over time shows them as a chart
        drawing = start_attaching(bot, kwargs, "chart", chart)
        if not await done_in_time(drawing) and hasattr(responder, "make_time"):
            await responder.make_time()  # a slow first drawing must not miss Discord's deadline
        kwargs = await drawing
    message_id = await responder.send(kwargs, ephemeral=answer.reason in PRIVATE_REASONS)
    if answer.answered:
        bot.answer_log.remember(message_id, question, answer.entry_id)
    elif answer.reason == NOT_COVERED:
        await log_unanswered(bot, guild_id, question)
    return answer


def log_question(bot: LawBot, answer: Answer, seconds: float, *, user_id: int, guild_id: int | None,
                 follow_up: bool) -> None:
    """One log line per question: outcome and latency; user ids only when LOG_USER_IDS is on."""
    fields: dict[str, Any] = {
        "event": "question",
        "outcome": answer.reason,
        "entry_id": answer.entry_id or None,
        "confidence": answer.confidence,
        "latency_ms": round(seconds * 1000, 2),
        "follow_up": follow_up,
        "guild_id": guild_id,
    }
    if bot.settings.log_user_ids:
        fields["user_id"] = user_id
    log.info("question %s in %.1f ms%s", answer.reason, seconds * 1000,
             f" ({answer.entry_id})" if answer.entry_id else "", extra={"fields": fields})


async def log_unanswered(bot: LawBot, guild_id: int | None, question: str) -> None:
    if bot.db is None:
        return
    await bot.db.log_unanswered(question, guild_id=guild_id)  # best effort: a storage outage never fails the answer


class Ask(commands.Cog):
    """Answers questions wherever they are asked."""

    def __init__(self, bot: LawBot) -> None:
        self.bot = bot
        # Thread or DM channel id -> the last question answered there (context for follow-ups).
        self.conversation: LRUCache[int, str] = LRUCache(THREAD_CONTEXTS_KEPT)
        self.explain_this = app_commands.ContextMenu(name="Explain this", callback=self.explain_this_callback)
        self.bot.tree.add_command(self.explain_this)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.explain_this.name, type=self.explain_this.type)

    @app_commands.command(name="ask", description="Ask a question about forced-labour trade law")
    @app_commands.describe(question="Your question, in plain words")
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        await self._answer_interaction(interaction, question)

    async def explain_this_callback(self, interaction: discord.Interaction, message: discord.Message) -> None:
        question = message.content.strip()
        if not question:
            await interaction.response.send_message(
                "That message has no text I can explain.", ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        await self._answer_interaction(interaction, question)

    async def _answer_interaction(self, interaction: discord.Interaction, question: str) -> None:
        await answer_question(
            self.bot,
            question,
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            responder=InteractionResponder(interaction),
        )

    # -- messages -----------------------------------------------------------------------------------

    def _remember_conversation(self, channel_id: int, question: str, answer: Answer) -> None:
        if not answer.answered:
            return  # keep the last answered question as the context
        self.conversation.put(channel_id, question)

    def _question_text(self, message: discord.Message) -> str:
        me = self.bot.user
        text = message.content
        if me is not None:
            text = re.sub(rf"<@!?{me.id}>", "", text)
        return text.strip()

    def _is_own_thread(self, channel: Any) -> bool:
        me = self.bot.user
        return isinstance(channel, discord.Thread) and (
            channel.id in self.conversation or (me is not None and channel.owner_id == me.id)
        )

    def _replied_to_me(self, message: discord.Message) -> tuple[bool, str | None]:
        """Whether the message replies to one of the bot's messages, and the question that message answered."""
        reference = message.reference
        if reference is None or reference.message_id is None:
            return False, None
        remembered = self.bot.answer_log.get(reference.message_id)
        if remembered is not None:
            return True, remembered.question
        resolved = reference.resolved
        me = self.bot.user
        is_mine = isinstance(resolved, discord.Message) and me is not None and resolved.author.id == me.id
        return is_mine, None

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None or not self.bot.accepting_work:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        context = await self.bot.get_context(message)
        if context.valid:  # "@bot sync" and other owner tools (a refusal is a reply too, so they pass the cooldown)
            if await self._may_answer(message):
                await self.bot.invoke(context)
            return
        me = self.bot.user
        mentioned = me is not None and me in message.mentions
        replied, replied_question = self._replied_to_me(message)
        channel = message.channel

        if message.guild is None:
            await self._answer_message(message, context=self.conversation.get(channel.id, refresh=False) or replied_question)
        elif self._is_own_thread(channel):
            await self._answer_message(message, context=self.conversation.get(channel.id, refresh=False))
        elif replied:
            await self._answer_message(message, context=replied_question)
        elif mentioned:
            await self._answer_in_thread(message)
        elif await self._is_ask_channel(message):
            await self._answer_message(message, context=None)

    async def _is_ask_channel(self, message: discord.Message) -> bool:
        if message.guild is None or self.bot.db is None:
            return False
        try:
            config = await self.bot.db.guild_config(message.guild.id)
        except StorageUnavailable:
            return False  # storage is down: answer mentions and replies only, until it is back
        return message.channel.id in config.ask_channel_ids

    async def _may_answer(self, message: discord.Message) -> bool:
        return await may_ask(
            self.bot,
            user_id=message.author.id,
            guild_id=message.guild.id if message.guild else None,
            responder=MessageResponder(message),
        )

    async def _answer_message(self, message: discord.Message, *, context: str | None) -> None:
        if await self._may_answer(message):
            await self._reply(message, context=context, thread=None)

    async def _answer_in_thread(self, message: discord.Message) -> None:
        """A mention in a channel: open a thread on the question (follow-ups go there), or reply if we can't.

        The cooldown comes first: a refused question must not cost a thread."""
        if not await self._may_answer(message):
            return
        question = self._question_text(message)
        channel = message.channel
        guild = message.guild
        can_thread = (
            question
            and isinstance(channel, discord.TextChannel)
            and guild is not None
            and channel.permissions_for(guild.me).create_public_threads
        )
        thread = None
        if can_thread:
            try:
                thread = await message.create_thread(name=clip(question, THREAD_NAME_MAX), auto_archive_duration=1440)
            except discord.HTTPException:
                log.info("could not open a thread in channel %s; replying instead", channel.id)
        await self._reply(message, context=None, thread=thread)

    async def _reply(self, message: discord.Message, *, context: str | None, thread: discord.Thread | None) -> None:
        """Answer a message that has passed the cooldown: in the thread opened for it, or as a reply."""
        question = self._question_text(message)
        if not question:
            await message.reply(**text_kwargs(self.bot.engine.prompts.render("help")), mention_author=False)
            return
        conversation_id = thread.id if thread is not None else message.channel.id
        await deliver_answer(
            self.bot,
            question,
            user_id=message.author.id,
            guild_id=message.guild.id if message.guild else None,
            responder=MessageResponder(message, destination=thread),
            context=context,
            on_answer=functools.partial(self._remember_conversation, conversation_id, question),
        )


async def setup(bot: LawBot) -> None:
    await bot.add_cog(Ask(bot))
