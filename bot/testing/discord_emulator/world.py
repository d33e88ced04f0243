"""The emulated world: users, one guild with roles, channels and members, DM channels, and permissions."""

from __future__ import annotations

import time
from typing import Any

import discord
import discord.gateway
import discord.http

from bot.testing.discord_emulator.protocol import DISCORD_EPOCH_MS, snowflake_time_iso


def permission_bits(**flags: bool) -> int:
    return discord.Permissions(**flags).value


EVERYONE_PERMISSIONS = permission_bits(
    view_channel=True,
    send_messages=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_application_commands=True,
    create_public_threads=True,
    send_messages_in_threads=True,
)
MODERATOR_PERMISSIONS = permission_bits(manage_messages=True, pin_messages=True, manage_threads=True)
ADMIN_PERMISSIONS = permission_bits(manage_guild=True, manage_messages=True, pin_messages=True, manage_channels=True)
BOT_PERMISSIONS = permission_bits(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
    embed_links=True,
    pin_messages=True,
    add_reactions=True,
)


class WorldMixin:
    """Builds and changes the world (mixed into DiscordEmulator)."""

    def new_id(self) -> int:
        """A realistic, unique snowflake."""
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (now_ms << 22) | (next(self._ids) & 0x3FFFFF)

    def _make_user(self, name: str, *, bot: bool = False) -> dict[str, Any]:
        user = {
            "id": str(self.new_id()),
            "username": name,
            "global_name": name.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
            "flags": 0,
        }
        self.users[int(user["id"])] = user
        return user

    def _build_world(self) -> None:
        self.bot_user = self._make_user("lawbot", bot=True)
        self.bot_user.update({"verified": True, "mfa_enabled": False, "locale": "en-US", "email": None})
        self.application_id = int(self.bot_user["id"])  # as on Discord: the bot user id is the application id
        self.user_ids: dict[str, int] = {}
        for name in ("owner", "alice", "bob", "mod", "admin"):
            self.user_ids[name] = int(self._make_user(name)["id"])

        self.guild_id = self.new_id()
        self.role_ids = {
            "everyone": self.guild_id,
            "moderator": self.new_id(),
            "admin": self.new_id(),
            "bot": self.new_id(),
        }
        roles = [
            self._role(self.role_ids["everyone"], "@everyone", EVERYONE_PERMISSIONS, 0),
            self._role(self.role_ids["moderator"], "Moderator", MODERATOR_PERMISSIONS, 1),
            self._role(self.role_ids["admin"], "Admin", ADMIN_PERMISSIONS, 2),
            self._role(self.role_ids["bot"], "lawbot", BOT_PERMISSIONS, 3, managed=True),
        ]
        self.channel_ids: dict[str, int] = {}
        channels = []
        for position, name in enumerate(("general", "ask", "explainers")):
            channel = self._text_channel(name, position)
            channels.append(channel)
            self.channel_ids[name] = int(channel["id"])
        self.guilds[self.guild_id] = {
            "id": str(self.guild_id),
            "name": "Forced Labour Law Test Guild",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.user_ids["owner"]),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": roles,
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "large": False,
            "unavailable": False,
            "member_count": 0,
            "joined_at": snowflake_time_iso(),
            "voice_states": [],
            "presences": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
        for channel in channels:
            self.channels[int(channel["id"])] = channel
        member_roles = {
            "owner": [],
            "alice": [],
            "bob": [],
            "mod": [self.role_ids["moderator"]],
            "admin": [self.role_ids["admin"]],
        }
        for name, role_ids in member_roles.items():
            self._add_member(self.user_ids[name], role_ids)
        self._add_member(self.application_id, [self.role_ids["bot"]])

    @staticmethod
    def _role(role_id: int, name: str, permissions: int, position: int, *, managed: bool = False) -> dict[str, Any]:
        return {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": managed,
            "mentionable": False,
            "flags": 0,
        }

    def _text_channel(self, name: str, position: int) -> dict[str, Any]:
        return {
            "id": str(self.new_id()),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": position,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
        }

    def _add_member(self, user_id: int, role_ids: list[int]) -> None:
        self.members[(self.guild_id, user_id)] = {
            "user": self.users[user_id],
            "nick": None,
            "avatar": None,
            "roles": [str(r) for r in role_ids],
            "joined_at": snowflake_time_iso(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
        }
        self.guilds[self.guild_id]["member_count"] = sum(1 for key in self.members if key[0] == self.guild_id)

    def add_member(self, name: str, roles: tuple[str, ...] = ()) -> int:
        """A new user who is a member of the guild (with these role names); returns the user id."""
        user_id = int(self._make_user(name)["id"])
        self.user_ids[name] = user_id
        self._add_member(user_id, [self.role_ids[role] for role in roles])
        return user_id

    def user_id(self, who: str | int) -> int:
        return who if isinstance(who, int) else self.user_ids[who]

    def channel_id(self, where: str | int) -> int:
        return where if isinstance(where, int) else self.channel_ids[where]

    def member_permissions(self, user_id: int, guild_id: int | None = None) -> int:
        guild_id = guild_id or self.guild_id
        guild = self.guilds[guild_id]
        if str(user_id) == guild["owner_id"]:
            return discord.Permissions.all().value
        if user_id == self.application_id:
            return self.bot_permissions
        member = self.members[(guild_id, user_id)]
        by_id = {int(role["id"]): int(role["permissions"]) for role in guild["roles"]}
        value = by_id[guild_id]
        for role_id in member["roles"]:
            value |= by_id.get(int(role_id), 0)
        if value & discord.Permissions(administrator=True).value:
            return discord.Permissions.all().value
        return value

    def set_member_roles(self, who: str | int, role_names: list[str]) -> None:
        member = self.members[(self.guild_id, self.user_id(who))]
        member["roles"] = [str(self.role_ids[name]) for name in role_names]

    def dm_channel(self, who: str | int) -> dict[str, Any]:
        """The DM channel between the bot and a user (created on first use)."""
        user = self.users[self.user_id(who)]
        for channel in self.channels.values():
            if channel["type"] == 1 and channel["recipients"][0]["id"] == user["id"]:
                return channel
        channel = {"id": str(self.new_id()), "type": 1, "last_message_id": None, "recipients": [user], "flags": 0}
        self.channels[int(channel["id"])] = channel
        return channel

    def add_text_channel(self, name: str) -> int:
        channel = self._text_channel(name, len(self.channel_ids))
        self.channels[int(channel["id"])] = channel
        self.channel_ids[name] = int(channel["id"])
        return int(channel["id"])
