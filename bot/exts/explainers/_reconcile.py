"""Start-up reconciliation of explainer cards with their records, after a crash or an outage mid-post.

`/explainer post` records a pending explainer before it sends anything. A pending record left over from an earlier
run means the post was cut short: if its card is out (found by the message id noted after sending, or among the
channel's pins), it is recorded; if not, the pending record is deleted. A pinned explainer card of the bot's that no
record accounts for is reported in the log with its link, so a moderator can remove it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import discord

from bot.render.discord import HELPFUL
from bot.storage import PendingExplainer

if TYPE_CHECKING:
    from bot.discord_app.bot import LawBot

log = logging.getLogger(__name__)

PINS_SCANNED = 250  # Discord's pin limit per channel


@dataclass
class ReconcileReport:
    recorded: list[int] = field(default_factory=list)  # message ids of cards recorded from pending records
    cleaned: list[int] = field(default_factory=list)  # pending records deleted: their card never went out
    unrecorded: list[int] = field(default_factory=list)  # pinned cards no record accounts for (reported)


def card_entry_id(message: discord.Message, bot_user_id: int) -> str | None:
    """The entry an explainer card of the bot's shows, or None for any other message (not the bot's, an interaction
    reply such as an /ask answer, or a message without the feedback buttons)."""
    if message.author.id != bot_user_id or message.interaction_metadata is not None:
        return None
    prefix = f"{HELPFUL}:"
    for row in message.components:
        for item in getattr(row, "children", []):
            custom_id = getattr(item, "custom_id", None) or ""
            if custom_id.startswith(prefix):
                return custom_id[len(prefix):]
    return None


async def _pinned_cards(bot: LawBot, channel_id: int) -> dict[int, str]:
    """message id -> entry id of the bot's explainer cards pinned in a channel ({} if it cannot be read)."""
    channel = bot.get_channel(channel_id)
    if not isinstance(channel, discord.TextChannel | discord.Thread) or bot.user is None:
        return {}
    cards: dict[int, str] = {}
    try:
        async for message in channel.pins(limit=PINS_SCANNED):
            entry_id = card_entry_id(message, bot.user.id)
            if entry_id is not None:
                cards[message.id] = entry_id
    except discord.HTTPException:
        log.warning("could not read the pins of channel %s to reconcile explainers", channel_id)
    return cards


async def _sent_card(bot: LawBot, pending: PendingExplainer) -> discord.Message | None:
    if pending.message_id is None:
        return None
    channel = bot.get_channel(pending.channel_id)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        return None
    try:
        return await channel.fetch_message(pending.message_id)
    except discord.NotFound:
        return None


async def reconcile_explainers(bot: LawBot, *, started_at: str) -> ReconcileReport:
    """Settle pending records from runs before `started_at` in the guilds this process serves, and report pinned
    cards without a record in the channels that hold explainers."""
    report = ReconcileReport()
    database = bot.db
    if database is None:
        return report
    pending = [p for p in await database.pending_explainers(created_before=started_at) if bot.get_guild(p.guild_id)]
    records = await database.explainers()
    recorded = {r.message_id for r in records}
    channels = {p.channel_id for p in pending} | {r.channel_id for r in records if bot.get_guild(r.guild_id)}
    pinned = {channel_id: await _pinned_cards(bot, channel_id) for channel_id in sorted(channels)}

    for item in pending:
        card = await _sent_card(bot, item)
        message_id = card.id if card is not None else None
        is_pinned = card.pinned if card is not None else False
        if message_id is None:
            # Not noted (the run stopped right after sending): the pinned card of that entry no record claims.
            candidates = [m for m, entry in pinned.get(item.channel_id, {}).items() if entry == item.entry_id]
            message_id = next((m for m in sorted(candidates) if m not in recorded), None)
            is_pinned = message_id is not None
        if message_id is None or message_id in recorded:
            await database.discard_pending_explainer(item.id)
            report.cleaned.append(item.id)
            log.info("removed pending explainer %s (%s): its card was never posted", item.id, item.entry_id)
            continue
        # An empty fingerprint makes the refresh that follows re-render the card from the current entry.
        await database.complete_explainer(item.id, message_id=message_id, fingerprint="", pinned=is_pinned)
        recorded.add(message_id)
        report.recorded.append(message_id)
        log.warning("recorded explainer card %s (%s) left unrecorded by an interrupted post", message_id, item.entry_id)

    for channel_id, cards in pinned.items():
        for message_id in sorted(set(cards) - recorded):
            report.unrecorded.append(message_id)
            channel = bot.get_channel(channel_id)
            guild_id = getattr(getattr(channel, "guild", None), "id", 0)
            log.warning(
                "pinned explainer card without a record (%s): https://discord.com/channels/%s/%s/%s; remove it by hand"
                " or post the explainer again", cards[message_id], guild_id, channel_id, message_id,
                extra={"fields": {"event": "unrecorded_explainer", "message_id": message_id, "channel_id": channel_id}},
            )
    return report
