"""Global error handlers: an exception in one command or event never takes the bot down.

The user gets a short message; the log gets the traceback.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.messages import NO_MENTIONS
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)

GENERIC_FAILURE = "Something went wrong on my side and it has been logged. Please try again in a moment."
# The database is down or not answering: nothing is wrong with the command, and retrying soon will work.
STORAGE_UNAVAILABLE = "My storage is unavailable right now, so I couldn't do that. Please try again shortly."
PERMISSION_NAMES = {"manage_messages": "Manage Messages", "manage_guild": "Manage Server", "pin_messages": "Pin Messages"}


class UserFacingError(app_commands.AppCommandError):
    """An error whose message is safe and useful to show the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _permission_list(names: list[str]) -> str:
    return ", ".join(PERMISSION_NAMES.get(name, name.replace("_", " ").title()) for name in names)


def describe_app_command_error(error: app_commands.AppCommandError) -> str | None:
    """The message for errors the user can act on, or None for a bug (logged with its traceback)."""
    if isinstance(error, UserFacingError):
        return error.message
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server, not in direct messages."
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {_permission_list(error.missing_permissions)} permission to use this command."
    if isinstance(error, app_commands.BotMissingPermissions):
        return f"I need the {_permission_list(error.missing_permissions)} permission here to do that."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    if isinstance(error, app_commands.TransformerError):
        return f"I couldn't understand {error.value!r} for that option."
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, UserFacingError):
        return error.original.message
    if storage_outage(error) is not None:
        return STORAGE_UNAVAILABLE
    return None


def storage_outage(error: BaseException) -> StorageUnavailable | None:
    """The storage outage behind an error (a command's, or one raised directly), if that is what it is."""
    original = getattr(error, "original", error)
    return original if isinstance(original, StorageUnavailable) else None


def _note_storage_outage(where: str, outage: StorageUnavailable) -> None:
    log.warning("%s could not finish: storage unavailable (%s)", where, outage)


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Tell the user something privately, whether or not the interaction was already answered."""
    with contextlib.suppress(discord.HTTPException):
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def on_app_command_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    message = describe_app_command_error(error)
    outage = storage_outage(error)
    if outage is not None:
        _note_storage_outage(f"/{interaction.command.qualified_name if interaction.command else '?'}", outage)
    if message is None:
        command = interaction.command.qualified_name if interaction.command else "?"
        original = getattr(error, "original", error)
        log.error("unhandled error in /%s", command, exc_info=(type(original), original, original.__traceback__))
        metrics = getattr(interaction.client, "metrics", None)
        if metrics is not None:
            metrics.command_errors.labels(command=command).inc()
        message = GENERIC_FAILURE
    if interaction.type is discord.InteractionType.autocomplete:
        return  # autocomplete cannot show a message; an empty list is already the visible outcome
    await send_ephemeral(interaction, message)


async def on_command_error(ctx: commands.Context[commands.Bot], error: commands.CommandError) -> None:
    """Prefix/mention commands (only owner tools use them)."""
    if isinstance(error, commands.CommandNotFound):
        return
    if isinstance(error, commands.NotOwner):
        text = "Only the bot owner can do that."
    elif isinstance(error, commands.UserInputError):
        text = f"{error}"
    else:
        original = getattr(error, "original", error)
        log.error("unhandled error in command %s", ctx.command, exc_info=(type(original), original, original.__traceback__))
        text = GENERIC_FAILURE
    with contextlib.suppress(discord.HTTPException):
        await ctx.reply(text, allowed_mentions=NO_MENTIONS, mention_author=False)


def reports_errors(
    callback: Callable[[Any, discord.Interaction], Awaitable[None]],
) -> Callable[[Any, discord.Interaction], Awaitable[None]]:
    """For component and modal callbacks, which the app-command error handler does not see."""

    @functools.wraps(callback)
    async def wrapper(self: Any, interaction: discord.Interaction) -> None:
        try:
            await callback(self, interaction)
        except StorageUnavailable as outage:
            _note_storage_outage(type(self).__name__, outage)
            await send_ephemeral(interaction, STORAGE_UNAVAILABLE)
        except Exception:
            log.exception("unhandled error in %s", type(self).__name__)
            await send_ephemeral(interaction, GENERIC_FAILURE)

    return wrapper
