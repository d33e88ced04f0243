"""Knowledge base versions and the update notes guilds asked for (/config updates-channel).

After every load (start-up, /kb reload, SIGHUP) the served knowledge base's version is recorded with what changed
since the last recorded one (compared with the stored snapshot, so files edited while the bot was down count too).
Each guild with an updates channel then gets one short note for that version: the note is claimed in the database
before it is sent, so a restart, a second reload or another shard process never posts it twice. Everything here is
best effort: storage outages and Discord refusals are logged and reported, never raised into a command or reload.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import discord

from bot.discord_app.messages import NO_MENTIONS
from bot.engine.changes import ChangeSet, Snapshot, compare
from bot.engine.registry import ValueChange, day_text
from bot.render.discord import CONTENT_MAX, clip
from bot.storage import Database, KnowledgeVersion, StorageUnavailable

if TYPE_CHECKING:
    from bot.discord_app.bot import LawBot
    from bot.engine.service import Engine

log = logging.getLogger(__name__)

RECORD_ATTEMPTS = 3  # another process may record a version between our read and our write
VALUE_TEXT_MAX = 300
TITLES_SHOWN = 10
MISSING_PERMISSIONS = 50013


@dataclass(frozen=True)
class NoteOutcome:
    guild_id: int
    channel_id: int
    posted: bool
    detail: str = ""  # why it was not posted


@dataclass
class UpdateReport:
    version: KnowledgeVersion | None = None
    changes: ChangeSet = field(default_factory=ChangeSet)
    outcomes: list[NoteOutcome] = field(default_factory=list)
    problem: str = ""  # storage or another failure that stopped the recording or the notes

    def outcome(self, guild_id: int | None) -> NoteOutcome | None:
        return next((o for o in self.outcomes if o.guild_id == guild_id), None)


# -- wording ----------------------------------------------------------------------------------------


def value_line(change: ValueChange, description: str) -> str:
    """"Number of entities on the UFLPA Entity List: 144 entities → 187 entities, as of 29 November 2026"."""
    old = clip(change.old or "", VALUE_TEXT_MAX)
    new = clip(change.new or "", VALUE_TEXT_MAX)
    as_of = f", as of {day_text(change.new_as_of)}" if change.new_as_of else ""
    if change.old is None:
        return f"**{description}** (new): {new}{as_of}"
    if change.new is None:
        return f"**{description}**: no longer tracked (was {old})"
    if change.old == change.new:
        was = f" (was as of {day_text(change.old_as_of)})" if change.old_as_of and change.old_as_of != change.new_as_of else ""
        return f"**{description}**: still {new}{as_of}{was}"
    return f"**{description}**: {old} → {new}{as_of}"


def _titles(changes: ChangeSet, ids: tuple[str, ...]) -> str:
    shown = ", ".join(clip(changes.title(i), 100) for i in ids[:TITLES_SHOWN])
    return shown + (f" and {len(ids) - TITLES_SHOWN} more" if len(ids) > TITLES_SHOWN else "")


def change_lines(changes: ChangeSet) -> list[str]:
    """One line per value changed, then one each for topics updated, added and removed."""
    lines = [f"- {value_line(c, changes.description(c.id))}" for c in changes.values]
    for label, ids in (("Topics updated", changes.changed), ("New topics", changes.added),
                       ("Removed topics", changes.removed)):
        if ids:
            lines.append(f"- {label}: {_titles(changes, ids)}")
    return lines


def fit_lines(lines: list[str], limit: int, *, more: str = "… and {n} more: see `/kb changes`") -> str:
    """As many whole lines as fit in `limit` characters, then a pointer to the rest."""
    whole = "\n".join(lines)
    if len(whole) <= limit:
        return whole
    reserve = len(more.format(n=len(lines))) + 1
    out: list[str] = []
    size = 0
    for line in lines:
        size += len(line) + (1 if out else 0)
        if size + reserve > limit:
            break
        out.append(line)
    if not out:
        out = [clip(lines[0], limit - reserve)]
    return "\n".join([*out, more.format(n=len(lines) - len(out))])


def change_note(changes: ChangeSet) -> str:
    """The message posted in a guild's updates channel (within Discord's 2,000 characters)."""
    header = "**Knowledge base updated**"
    return header + "\n" + fit_lines(change_lines(changes), CONTENT_MAX - len(header) - 1)


def refusal(error: discord.HTTPException, channel_id: int) -> str:
    """What an admin needs to know about a note Discord refused."""
    if isinstance(error, discord.Forbidden) or error.code == MISSING_PERMISSIONS:
        return f"I'm missing permission to send messages in <#{channel_id}> (View Channel and Send Messages)"
    if isinstance(error, discord.NotFound):
        return f"the channel <#{channel_id}> no longer exists"
    return f"Discord refused the note ({error.status} {clip(str(error.text or ''), 120)})"


# -- recording and posting --------------------------------------------------------------------------


async def record_version(database: Database, engine: Engine) -> tuple[KnowledgeVersion | None, ChangeSet]:
    """The recorded row for the served knowledge base (recording it, with its changes, if it is new)."""
    snapshot = await asyncio.to_thread(Snapshot.of, engine.kb)  # fingerprints every entry: keep it off the loop
    version = snapshot.version
    for _ in range(RECORD_ATTEMPTS):
        latest = await database.latest_knowledge_version()
        if latest is not None and latest.version == version:
            return latest, ChangeSet.from_json(latest.changes) if latest.has_changes else ChangeSet()
        previous = Snapshot.from_json(latest.snapshot) if latest is not None and latest.snapshot else None
        # Without a snapshot to compare with (the first start), the version is recorded and nothing announced.
        changes = compare(previous, snapshot) if previous is not None else ChangeSet()
        row = await database.add_knowledge_version(
            previous_id=latest.id if latest is not None else 0, version=version, snapshot=snapshot.to_json(),
            changes=changes.to_json() if previous is not None else "", has_changes=not changes.empty,
        )
        if row is not None:
            if not changes.empty:
                log.info("knowledge base version %s recorded: %d value(s) and %d topic(s) changed", version,
                         len(changes.values), len(changes.added) + len(changes.changed) + len(changes.removed))
            return row, changes
    log.warning("could not record knowledge base version %s: other processes kept recording versions", version)
    return None, ChangeSet()


async def post_notes(bot: LawBot, row: KnowledgeVersion, changes: ChangeSet, *, first: int | None) -> list[NoteOutcome]:
    """The change's note in every guild this process serves that has an updates channel and no note for it yet."""
    database = bot.database
    waiting = [(g, c) for g, c in await database.guilds_awaiting_note(row.id) if bot.get_guild(g) is not None]
    waiting.sort(key=lambda pair: pair[0] != first)  # the admin who ran /kb reload hears about theirs first
    text = change_note(changes)
    outcomes = []
    for guild_id, channel_id in waiting:
        if not await database.claim_note(row.id, guild_id, channel_id):
            continue  # another process (or an earlier run) has it
        outcome = await _send(bot, guild_id, channel_id, text)
        await database.finish_note(row.id, guild_id, status="posted" if outcome.posted else "failed", detail=outcome.detail)
        outcomes.append(outcome)
    return outcomes


async def _send(bot: LawBot, guild_id: int, channel_id: int, text: str) -> NoteOutcome:
    channel = bot.get_partial_messageable(channel_id, guild_id=guild_id)
    try:
        await channel.send(text, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        detail = refusal(exc, channel_id)
        log.warning("update note not posted in guild %s: %s", guild_id, detail)
        return NoteOutcome(guild_id, channel_id, False, detail)
    return NoteOutcome(guild_id, channel_id, True)


async def announce_update(bot: LawBot, *, first: int | None = None) -> UpdateReport:
    """Record the served version and post its note where it is due. Never raises."""
    report = UpdateReport()
    if bot.db is None or bot.engines is None:
        return report
    try:
        report.version, report.changes = await record_version(bot.database, bot.engine)
        if report.version is not None and report.version.has_changes:
            report.outcomes = await post_notes(bot, report.version, report.changes, first=first)
    except StorageUnavailable as exc:
        log.warning("knowledge base update not recorded or announced: %s", exc)
        report.problem = "storage is unavailable, so the update was not recorded and no notes were posted"
    except Exception:
        log.exception("recording or announcing the knowledge base update failed")
        report.problem = "recording or announcing the update failed (see the bot's log)"
    return report
