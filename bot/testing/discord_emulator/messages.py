"""REST routes for channels: messages, edits, pins and threads."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.testing.discord_emulator.protocol import (
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    INTERACTION_COMMAND,
    _error,
    _json_response,
    snowflake_time_iso,
)
from bot.testing.discord_emulator.records import RECORDED, SentInteraction
from bot.testing.discord_emulator.world import permission_bits


class MessagesMixin:
    """Channel, message, pin and thread handlers (mixed into DiscordEmulator)."""

    def _channel_or_none(self, request: web.Request) -> dict[str, Any] | None:
        return self.channels.get(int(request.match_info["channel_id"]))

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel_or_none(request)
        return _json_response(channel) if channel else _error(404, 10003, "Unknown Channel")

    def new_message(
        self,
        channel_id: int,
        author: dict[str, Any],
        body: dict[str, Any],
        *,
        webhook_id: int | None = None,
        interaction: SentInteraction | None = None,
        extra_flags: int = 0,
    ) -> dict[str, Any]:
        """Create and store a message as Discord would return it."""
        channel = self.channels.get(channel_id, {})
        reference = body.get("message_reference")
        message: dict[str, Any] = {
            "id": str(self.new_id()),
            "channel_id": str(channel_id),
            "type": 0,
            "content": body.get("content") or "",
            "embeds": [dict(embed, type=embed.get("type", "rich")) for embed in body.get("embeds") or []],
            "components": body.get("components") or [],
            "attachments": [],
            "timestamp": snowflake_time_iso(),
            "edited_timestamp": None,
            "pinned": False,
            "mention_everyone": False,
            "tts": bool(body.get("tts", False)),
            "mentions": list(body.get("_mentions", [])),
            "mention_roles": [],
            "author": author,
            "flags": (body.get("flags") or 0) | extra_flags,
            "allowed_mentions": body.get("allowed_mentions"),  # kept only for assertions; Discord does not echo it
        }
        if channel.get("guild_id"):
            message["guild_id"] = channel["guild_id"]
        if webhook_id is not None:
            message["webhook_id"] = str(webhook_id)
            message["application_id"] = str(self.application_id)
        if interaction is not None:
            message["type"] = 20 if interaction.type == INTERACTION_COMMAND else 0
            message["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": self._interaction_user(interaction.payload),
                "authorizing_integration_owners": {},
            }
        if reference and reference.get("message_id"):
            referenced = self.messages.get(int(reference["message_id"]))
            message["type"] = 19
            message["message_reference"] = {
                "type": 0,
                "message_id": str(reference["message_id"]),
                "channel_id": str(reference.get("channel_id") or channel_id),
                "guild_id": channel.get("guild_id"),
            }
            message["referenced_message"] = referenced
        self.messages[int(message["id"])] = message
        if channel:
            channel["last_message_id"] = message["id"]
        return message

    @staticmethod
    def _interaction_user(payload: dict[str, Any]) -> dict[str, Any]:
        return payload["member"]["user"] if "member" in payload else payload["user"]

    async def _create_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_none(request)
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        if self._bot_denied_in(channel, send_messages=True):
            return _error(403, 50013, "Missing Permissions")
        body = request[RECORDED].json or {}
        if not body.get("content") and not body.get("embeds") and not body.get("components") and not body.get("_files"):
            return _error(400, 50006, "Cannot send an empty message")
        invalid = self._check_limits(request[RECORDED].route, body) or self._check_attachments(body, body)
        if invalid is not None:
            return invalid
        message = self.new_message(int(channel["id"]), self.bot_user, body)
        self._attach(message, body, body)
        await self._echo_message(message)
        return _json_response(message)

    async def _echo_message(self, message: dict[str, Any]) -> None:
        if self.echo_own_messages and not message["flags"] & FLAG_EPHEMERAL and self._live_session() is not None:
            await self.dispatch("MESSAGE_CREATE", self._message_event(message))

    def _message_event(self, message: dict[str, Any]) -> dict[str, Any]:
        event = {key: value for key, value in message.items() if key != "allowed_mentions"}
        guild_id = message.get("guild_id")
        author_id = int(message["author"]["id"])
        if guild_id and (int(guild_id), author_id) in self.members:
            member = dict(self.members[(int(guild_id), author_id)])
            member.pop("user", None)
            event["member"] = member
        return event

    def _message_from_request(self, request: web.Request) -> dict[str, Any] | None:
        message = self.messages.get(int(request.match_info["message_id"]))
        if message is None or message["channel_id"] != request.match_info["channel_id"]:
            return None
        return message

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self._message_from_request(request)
        return _json_response(message) if message else _error(404, 10008, "Unknown Message")

    async def _get_messages(self, request: web.Request) -> web.Response:
        channel_id = request.match_info["channel_id"]
        limit = int(request.query.get("limit", 50))
        found = [m for m in self.messages.values() if m["channel_id"] == channel_id]
        return _json_response(list(reversed(found))[:limit])

    def _apply_edit(self, message: dict[str, Any], body: dict[str, Any]) -> None:
        for key in ("content", "embeds", "components", "allowed_mentions"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        if "flags" in body and body["flags"] is not None:
            message["flags"] = (message["flags"] & FLAG_EPHEMERAL) | body["flags"]
        message["flags"] &= ~FLAG_LOADING
        message["edited_timestamp"] = snowflake_time_iso()

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self._message_from_request(request)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if message["author"]["id"] != self.bot_user["id"]:
            return _error(403, 50005, "Cannot edit a message authored by another user")
        return self._edit_within_limits(request, message)

    def _edit_within_limits(self, request: web.Request, message: dict[str, Any]) -> web.Response:
        """Apply an edit (channel message or webhook message) unless the result breaks Discord's limits."""
        body = request[RECORDED].json or {}
        invalid = self._check_limits(request[RECORDED].route, {**message, **body}) or self._check_attachments(body, body)
        if invalid is not None:
            return invalid
        self._apply_edit(message, body)
        self._reattach(message, body)
        return _json_response(message)

    async def _delete_message(self, request: web.Request) -> web.Response:
        message = self._message_from_request(request)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        del self.messages[int(message["id"])]
        pins = self.pins.get(int(message["channel_id"]), [])
        if int(message["id"]) in pins:
            pins.remove(int(message["id"]))
        return web.Response(status=204)

    async def deny_bot_in_channel(self, where: str | int, **flags: bool) -> None:
        """A permission overwrite on one channel that denies the bot these permissions (e.g. send_messages=True),
        as a moderator would set it; the bot hears of it by CHANNEL_UPDATE when connected."""
        channel = self.channels[self.channel_id(where)]
        channel["permission_overwrites"] = [
            *channel["permission_overwrites"],
            {"id": str(self.role_ids["bot"]), "type": 0, "allow": "0", "deny": str(permission_bits(**flags))},
        ]
        if self._live_session() is not None:
            await self.dispatch("CHANNEL_UPDATE", channel)

    def _bot_denied_in(self, channel: dict[str, Any], **flags: bool) -> bool:
        """Whether the channel's overwrites for the bot's role or member deny any of these permissions."""
        needed = permission_bits(**flags)
        own = {str(self.role_ids["bot"]), str(self.application_id)}
        denied = 0
        for overwrite in channel.get("permission_overwrites") or []:
            if overwrite["id"] in own:
                denied |= int(overwrite["deny"]) & ~int(overwrite["allow"])
        return bool(denied & needed)

    def _bot_has(self, **flags: bool) -> bool:
        needed = permission_bits(**flags)
        return self.bot_permissions & needed == needed

    async def _pin(self, request: web.Request) -> web.Response:
        message = self._message_from_request(request)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if not self._bot_has(pin_messages=True):
            return _error(403, 50013, "Missing Permissions")
        pins = self.pins.setdefault(int(message["channel_id"]), [])
        if int(message["id"]) not in pins:
            if len(pins) >= self.pin_limit:
                return _error(400, 30003, f"Maximum number of pins reached ({self.pin_limit})")
            pins.append(int(message["id"]))
        message["pinned"] = True
        return web.Response(status=204)

    async def _unpin(self, request: web.Request) -> web.Response:
        message = self._message_from_request(request)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if not self._bot_has(pin_messages=True):
            return _error(403, 50013, "Missing Permissions")
        pins = self.pins.get(int(message["channel_id"]), [])
        if int(message["id"]) in pins:
            pins.remove(int(message["id"]))
        message["pinned"] = False
        return web.Response(status=204)

    def fill_pins(self, where: str | int, count: int) -> None:
        """Pretend `count` other messages are already pinned in a channel."""
        channel_id = self.channel_id(where)
        self.pins.setdefault(channel_id, []).extend(self.new_id() for _ in range(count))

    def pinned_message_ids(self, where: str | int) -> list[int]:
        """The ids of the messages pinned in a channel, oldest pin first."""
        return list(self.pins.get(self.channel_id(where), []))

    def add_pinned_bot_message(self, where: str | int, body: dict[str, Any]) -> dict[str, Any]:
        """A message of the bot's, already pinned, as an earlier run of the bot might have left it."""
        channel_id = self.channel_id(where)
        message = self.new_message(channel_id, self.bot_user, body)
        message["pinned"] = True
        self.pins.setdefault(channel_id, []).append(int(message["id"]))
        return message

    async def _get_pins(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        items = [
            {"pinned_at": snowflake_time_iso(), "message": self.messages[mid]}
            for mid in reversed(self.pins.get(channel_id, []))
            if mid in self.messages
        ]
        limit = int(request.query.get("limit", 50))
        return _json_response({"items": items[:limit], "has_more": len(items) > limit})

    async def _get_pins_legacy(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        pinned = [self.messages[m] for m in reversed(self.pins.get(channel_id, [])) if m in self.messages]
        return _json_response(pinned)

    def _thread_payload(self, thread_id: int, parent: dict[str, Any], name: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(thread_id),
            "guild_id": parent.get("guild_id"),
            "parent_id": parent["id"],
            "owner_id": self.bot_user["id"],
            "name": name,
            "type": int(body.get("type") or 11),
            "last_message_id": None,
            "rate_limit_per_user": int(body.get("rate_limit_per_user") or 0),
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": int(body.get("auto_archive_duration") or 1440),
                "archive_timestamp": snowflake_time_iso(),
                "locked": False,
                "create_timestamp": snowflake_time_iso(),
            },
            "member": {"id": str(thread_id), "user_id": self.bot_user["id"], "join_timestamp": snowflake_time_iso(), "flags": 0},
        }

    async def _register_thread(self, thread: dict[str, Any]) -> web.Response:
        self.channels[int(thread["id"])] = thread
        if self._live_session() is not None:
            await self.dispatch("THREAD_CREATE", dict(thread, newly_created=True))
        return _json_response(thread, 201)

    async def _create_thread_from_message(self, request: web.Request) -> web.Response:
        parent = self._channel_or_none(request)
        message = self._message_from_request(request)
        if parent is None or message is None:
            return _error(404, 10008, "Unknown Message")
        if int(message["id"]) in self.channels:
            return _error(400, 160004, "A thread has already been created for this message")
        body = request[RECORDED].json or {}
        # On Discord a thread started from a message has the message's id.
        thread = self._thread_payload(int(message["id"]), parent, body.get("name") or "thread", body)
        message["thread"] = thread
        return await self._register_thread(thread)

    async def _create_thread(self, request: web.Request) -> web.Response:
        parent = self._channel_or_none(request)
        if parent is None:
            return _error(404, 10003, "Unknown Channel")
        body = request[RECORDED].json or {}
        return await self._register_thread(self._thread_payload(self.new_id(), parent, body.get("name") or "thread", body))
