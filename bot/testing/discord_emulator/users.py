"""Simulated users: slash commands, autocomplete, context menus, button clicks, modal submits and messages."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from bot.testing.discord_emulator.protocol import (
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMMAND,
    INTERACTION_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
)
from bot.testing.discord_emulator.records import RecordedRequest, SentInteraction
from bot.testing.discord_emulator.uploads import ATTACHMENT_SIZE_LIMIT
from bot.testing.discord_emulator.world import EVERYONE_PERMISSIONS


@dataclass(frozen=True)
class ChannelArg:
    """A channel option value for a slash command (sent as type 7 with resolved data)."""

    channel_id: int


@dataclass(frozen=True)
class UserArg:
    """A user/member option value for a slash command (sent as type 6 with resolved data)."""

    user_id: int


class SimulatedUsersMixin:
    """What simulated users do (mixed into DiscordEmulator)."""

    def _member_payload(self, user_id: int) -> dict[str, Any]:
        member = dict(self.members[(self.guild_id, user_id)])
        member["permissions"] = str(self.member_permissions(user_id))
        return member

    def _interaction_base(
        self, interaction_type: int, data: dict[str, Any], *, user: str | int, channel: str | int | None, dm: bool
    ) -> dict[str, Any]:
        user_id = self.user_id(user)
        interaction_id = self.new_id()
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": interaction_type,
            "data": data,
            "token": f"itoken-{interaction_id}-{secrets.token_urlsafe(16)}",
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "app_permissions": str(self.bot_permissions),
        }
        if dm:
            dm_channel = self.dm_channel(user_id)
            payload.update(
                {
                    "channel_id": dm_channel["id"],
                    "channel": dm_channel,
                    "user": self.users[user_id],
                    "context": 1,
                    "authorizing_integration_owners": {"0": str(user_id)},
                }
            )
        else:
            channel_payload = self.channels[self.channel_id(channel or "general")]
            payload.update(
                {
                    "guild_id": str(self.guild_id),
                    "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
                    "guild_locale": "en-US",
                    "channel_id": channel_payload["id"],
                    "channel": channel_payload,
                    "member": self._member_payload(user_id),
                    "context": 0,
                    "authorizing_integration_owners": {"0": str(self.guild_id)},
                }
            )
        return payload

    async def _send_interaction(self, payload: dict[str, Any]) -> SentInteraction:
        interaction = SentInteraction(id=int(payload["id"]), token=payload["token"], type=payload["type"], payload=payload)
        self.interactions[interaction.id] = interaction
        self._interactions_by_token[interaction.token] = interaction
        interaction.sent_at = time.perf_counter()  # provisional, so a callback racing the send is not "late"
        interaction.sent_at = await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    def _registered_command(self, name: str, command_type: int) -> dict[str, Any] | None:
        candidates = self.guild_commands.get(self.guild_id, []) + self.global_commands
        for command in candidates:
            if command["name"] == name and command.get("type", 1) == command_type:
                return command
        return None

    def _options_payload(
        self, options: dict[str, Any] | None, resolved: dict[str, Any], focused: str | None
    ) -> list[dict[str, Any]]:
        result = []
        for name, value in (options or {}).items():
            option: dict[str, Any] = {"name": name}
            if isinstance(value, bool):
                option.update(type=5, value=value)
            elif isinstance(value, int):
                option.update(type=4, value=value)
            elif isinstance(value, float):
                option.update(type=10, value=value)
            elif isinstance(value, ChannelArg):
                channel = self.channels[value.channel_id]
                resolved.setdefault("channels", {})[str(value.channel_id)] = {
                    **channel,
                    "permissions": str(EVERYONE_PERMISSIONS),
                }
                option.update(type=7, value=str(value.channel_id))
            elif isinstance(value, UserArg):
                resolved.setdefault("users", {})[str(value.user_id)] = self.users[value.user_id]
                member = self._member_payload(value.user_id)
                member.pop("user", None)
                resolved.setdefault("members", {})[str(value.user_id)] = member
                option.update(type=6, value=str(value.user_id))
            else:
                option.update(type=3, value=str(value))
            if name == focused:
                option["focused"] = True
            result.append(option)
        return result

    def _command_data(
        self, name: str, options: dict[str, Any] | None, *, focused: str | None = None
    ) -> dict[str, Any]:
        """`name` may include subcommand group and subcommand: "config ask-channels add"."""
        top, *subcommands = name.split()
        registered = self._registered_command(top, 1)
        resolved: dict[str, Any] = {}
        leaf_options = self._options_payload(options, resolved, focused)
        if len(subcommands) == 2:
            leaf = [{"name": subcommands[0], "type": 2, "options": [{"name": subcommands[1], "type": 1, "options": leaf_options}]}]
        elif len(subcommands) == 1:
            leaf = [{"name": subcommands[0], "type": 1, "options": leaf_options}]
        else:
            leaf = leaf_options
        data: dict[str, Any] = {
            "id": registered["id"] if registered else str(self.new_id()),
            "name": top,
            "type": 1,
            "options": leaf,
        }
        if resolved:
            data["resolved"] = resolved
        if registered and registered.get("guild_id"):
            data["guild_id"] = registered["guild_id"]
        return data

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: str | int = "alice",
        channel: str | int | None = None,
        dm: bool = False,
    ) -> SentInteraction:
        """A user runs a slash command (INTERACTION_CREATE type 2)."""
        data = self._command_data(name, options)
        return await self._send_interaction(
            self._interaction_base(INTERACTION_COMMAND, data, user=user, channel=channel, dm=dm)
        )

    async def autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user: str | int = "alice",
        channel: str | int | None = None,
    ) -> SentInteraction:
        """A user types into an option with autocomplete (INTERACTION_CREATE type 4)."""
        data = self._command_data(name, options, focused=focused)
        return await self._send_interaction(
            self._interaction_base(INTERACTION_AUTOCOMPLETE, data, user=user, channel=channel, dm=False)
        )

    async def message_command(
        self, name: str, target: dict[str, Any], *, user: str | int = "alice", channel: str | int | None = None
    ) -> SentInteraction:
        """A user runs a message context-menu command on `target`."""
        registered = self._registered_command(name, 3)
        data: dict[str, Any] = {
            "id": registered["id"] if registered else str(self.new_id()),
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        if registered and registered.get("guild_id"):
            data["guild_id"] = registered["guild_id"]
        where = channel if channel is not None else int(target["channel_id"])
        return await self._send_interaction(
            self._interaction_base(INTERACTION_COMMAND, data, user=user, channel=where, dm=False)
        )

    def _message_for(self, message: dict[str, Any] | int | str) -> dict[str, Any]:
        if isinstance(message, dict):
            return self.messages.get(int(message["id"]), message)
        return self.messages[int(message)]

    async def click(
        self, message: dict[str, Any] | int | str, custom_id: str, *, user: str | int = "alice", component_type: int = 2
    ) -> SentInteraction:
        """A user clicks a button (or other component) on a message the bot sent."""
        stored = self._message_for(message)
        data = {"custom_id": custom_id, "component_type": component_type}
        if component_type != 2:
            data["values"] = []
        channel = self.channels.get(int(stored["channel_id"]))
        dm = channel is not None and channel["type"] == 1
        payload = self._interaction_base(
            INTERACTION_COMPONENT, data, user=user, channel=int(stored["channel_id"]) if not dm else None, dm=dm
        )
        payload["message"] = stored
        return await self._send_interaction(payload)

    def find_button(self, message: dict[str, Any] | int | str, label: str) -> dict[str, Any]:
        """The button component with this label on a stored message."""
        stored = self._message_for(message)
        for row in stored.get("components") or []:
            for child in row.get("components") or []:
                if child.get("label") == label:
                    return child
        labels = [c.get("label") for row in stored.get("components") or [] for c in row.get("components") or []]
        raise AssertionError(f"no button labelled {label!r}; buttons: {labels}")

    async def click_button(
        self, message: dict[str, Any] | int | str, label: str, *, user: str | int = "alice"
    ) -> SentInteraction:
        button = self.find_button(message, label)
        return await self.click(message, button["custom_id"], user=user)

    async def submit_modal(
        self,
        modal_request: RecordedRequest,
        values: dict[str, str],
        *,
        user: str | int = "alice",
        channel: str | int | None = None,
    ) -> SentInteraction:
        """Submit the modal the bot opened (its type 9 callback) with `values` by text-input custom_id."""
        modal = modal_request.json["data"]

        def fill(component: dict[str, Any]) -> dict[str, Any]:
            if component.get("type") == 1:
                return {"type": 1, "components": [fill(c) for c in component.get("components", [])]}
            if component.get("type") == 18:
                return {"type": 18, "component": fill(component["component"])}
            custom_id = component.get("custom_id")
            return {"type": component.get("type"), "custom_id": custom_id, "value": values.get(custom_id, "")}

        data = {"custom_id": modal["custom_id"], "components": [fill(c) for c in modal.get("components", [])]}
        origin = self.interactions.get(int(modal_request.params["interaction_id"]))
        payload = self._interaction_base(INTERACTION_MODAL_SUBMIT, data, user=user, channel=channel, dm=False)
        if origin is not None:
            payload["channel"] = origin.payload.get("channel", payload.get("channel"))
            payload["channel_id"] = payload["channel"]["id"]
            if "message" in origin.payload:
                payload["message"] = self._message_for(origin.payload["message"])
        return await self._send_interaction(payload)

    async def post_message(
        self,
        content: str,
        *,
        user: str | int = "alice",
        channel: str | int | None = None,
        dm: bool = False,
        mention_bot: bool = False,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A user posts a message (MESSAGE_CREATE); mention_bot prefixes <@bot> and lists the bot in mentions."""
        user_id = self.user_id(user)
        channel_id = int(self.dm_channel(user_id)["id"]) if dm else self.channel_id(channel or "general")
        text = f"<@{self.application_id}> {content}" if mention_bot else content
        body: dict[str, Any] = {"content": text, "_mentions": [self.bot_user] if mention_bot else []}
        if reply_to is not None:
            body["message_reference"] = {"message_id": reply_to["id"], "channel_id": reply_to["channel_id"]}
            if reply_to["author"]["id"] == self.bot_user["id"]:
                body["_mentions"] = [self.bot_user]  # a reply pings its author by default
        message = self.new_message(channel_id, self.users[user_id], body)
        await self.dispatch("MESSAGE_CREATE", self._message_event(message))
        return message
