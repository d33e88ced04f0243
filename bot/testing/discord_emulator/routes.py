"""REST routes: the route table, and identity, application, command and guild endpoints."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.testing.discord_emulator.protocol import API_PREFIX, _error, _json_response
from bot.testing.discord_emulator.records import RECORDED


class RestRoutesMixin:
    """The route table and the identity, command and guild handlers (mixed into DiscordEmulator)."""

    def _add_rest_routes(self, app: web.Application) -> None:
        routes: list[tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = [
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/users/@me", self._get_me),
            ("GET", "/users/{user_id}", self._get_user),
            ("POST", "/users/@me/channels", self._create_dm),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/@me", self._get_application),
            ("GET", "/applications/{application_id}/commands", self._get_global_commands),
            ("PUT", "/applications/{application_id}/commands", self._put_global_commands),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self._get_guild_commands),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._put_guild_commands),
            ("GET", "/guilds/{guild_id}", self._get_guild),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
            ("GET", "/channels/{channel_id}", self._get_channel),
            # pins before /messages/{message_id}, which would otherwise swallow them
            ("GET", "/channels/{channel_id}/messages/pins", self._get_pins),
            ("PUT", "/channels/{channel_id}/messages/pins/{message_id}", self._pin),
            ("DELETE", "/channels/{channel_id}/messages/pins/{message_id}", self._unpin),
            ("GET", "/channels/{channel_id}/pins", self._get_pins_legacy),
            ("GET", "/channels/{channel_id}/messages", self._get_messages),
            ("POST", "/channels/{channel_id}/messages", self._create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message),
            ("POST", "/channels/{channel_id}/messages/{message_id}/threads", self._create_thread_from_message),
            ("POST", "/channels/{channel_id}/threads", self._create_thread),
            ("POST", "/channels/{channel_id}/typing", self._no_content),
            ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self._no_content),
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self._interaction_callback),
            ("POST", "/webhooks/{webhook_id}/{webhook_token}", self._execute_webhook),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self._get_webhook_message),
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self._edit_webhook_message),
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self._delete_webhook_message),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API_PREFIX + path, handler)


    async def _get_gateway(self, request: web.Request) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}
        return _json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_me(self, request: web.Request) -> web.Response:
        return _json_response(self.bot_user)

    async def _get_user(self, request: web.Request) -> web.Response:
        user = self.users.get(int(request.match_info["user_id"]))
        return _json_response(user) if user else _error(404, 10013, "Unknown User")

    async def _create_dm(self, request: web.Request) -> web.Response:
        body = request[RECORDED].json or {}
        recipient = int(body.get("recipient_id", 0))
        if recipient not in self.users:
            return _error(404, 10013, "Unknown User")
        return _json_response(self.dm_channel(recipient))

    def application_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": "lawbot",
            "icon": None,
            "description": "Explains forced-labour trade law.",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": secrets.token_hex(32),
            "flags": 0,
            "owner": self.users[self.user_ids["owner"]],
            "team": None,
            "bot": self.bot_user,
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "approximate_guild_count": 1,
        }

    async def _get_application(self, request: web.Request) -> web.Response:
        return _json_response(self.application_payload())

    def _store_commands(self, body: Any, guild_id: int | None) -> list[dict[str, Any]]:
        stored = []
        for command in body or []:
            record = dict(command)
            record.setdefault("type", 1)
            record.setdefault("description", "")
            record.setdefault("options", [])
            record.update({"id": str(self.new_id()), "application_id": str(self.application_id), "version": "1"})
            record.setdefault("default_member_permissions", None)
            record.setdefault("nsfw", False)
            if guild_id is not None:
                record["guild_id"] = str(guild_id)
            stored.append(record)
        return stored

    async def _get_global_commands(self, request: web.Request) -> web.Response:
        return _json_response(self.global_commands)

    async def _put_global_commands(self, request: web.Request) -> web.Response:
        self.global_commands = self._store_commands(request[RECORDED].json, None)
        return _json_response(self.global_commands)

    async def _get_guild_commands(self, request: web.Request) -> web.Response:
        return _json_response(self.guild_commands.get(int(request.match_info["guild_id"]), []))

    async def _put_guild_commands(self, request: web.Request) -> web.Response:
        guild_id = int(request.match_info["guild_id"])
        self.guild_commands[guild_id] = self._store_commands(request[RECORDED].json, guild_id)
        return _json_response(self.guild_commands[guild_id])

    async def _get_guild(self, request: web.Request) -> web.Response:
        guild = self.guilds.get(int(request.match_info["guild_id"]))
        return _json_response(self._guild_rest_payload(guild)) if guild else _error(404, 10004, "Unknown Guild")

    @staticmethod
    def _guild_rest_payload(guild: dict[str, Any]) -> dict[str, Any]:
        skip = {"members", "channels", "threads", "presences", "voice_states", "joined_at", "large", "member_count"}
        return {key: value for key, value in guild.items() if key not in skip}

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        guild_id = request.match_info["guild_id"]
        return _json_response([c for c in self.channels.values() if c.get("guild_id") == guild_id])

    async def _get_member(self, request: web.Request) -> web.Response:
        key = (int(request.match_info["guild_id"]), int(request.match_info["user_id"]))
        member = self.members.get(key)
        return _json_response(member) if member else _error(404, 10007, "Unknown Member")

    async def _no_content(self, request: web.Request) -> web.Response:
        return web.Response(status=204)
