"""Permission checks done in the bot itself (Discord's default_permissions can be changed by server admins)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

# Cogs import UserFacingError from here too; it lives in errors so that errors needs nothing from checks.
from bot.discord_app.errors import UserFacingError as UserFacingError

if TYPE_CHECKING:
    from bot.discord_app.bot import LawBot

T = TypeVar("T")


def _guild_member_check(**permissions: bool) -> Callable[[discord.Interaction], bool]:
    def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        granted = interaction.permissions
        missing = [name for name, wanted in permissions.items() if getattr(granted, name) != wanted]
        if missing and not granted.administrator:
            raise app_commands.MissingPermissions(missing)
        return True

    return predicate


def moderator_only() -> Callable[[T], T]:
    """Manage Messages, checked by the bot, refused in DMs."""
    check = app_commands.check(_guild_member_check(manage_messages=True))
    defaults = app_commands.default_permissions(manage_messages=True)
    guild_only = app_commands.guild_only()
    return lambda func: guild_only(defaults(check(func)))


def admin_only() -> Callable[[T], T]:
    """Manage Server, checked by the bot, refused in DMs."""
    check = app_commands.check(_guild_member_check(manage_guild=True))
    defaults = app_commands.default_permissions(manage_guild=True)
    guild_only = app_commands.guild_only()
    return lambda func: guild_only(defaults(check(func)))


def require_guild_permissions(interaction: discord.Interaction, **permissions: bool) -> None:
    """The same check for group callbacks (app_commands.Group.interaction_check)."""
    _guild_member_check(**permissions)(interaction)


class GuardedGroupCog(commands.GroupCog):
    """A slash-command group whose commands all need `required_permissions`, checked by the bot for every
    command in it (autocomplete only suggests topics, so it is not checked)."""

    required_permissions: ClassVar[dict[str, bool]] = {}

    def __init__(self, bot: LawBot, *args: Any, **kwargs: Any) -> None:
        self.bot = bot
        super().__init__(*args, **kwargs)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        if interaction.type is not discord.InteractionType.autocomplete:
            require_guild_permissions(interaction, **self.required_permissions)
        return True
