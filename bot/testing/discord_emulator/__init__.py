"""A local Discord API emulator for end-to-end tests with the real discord.py client.

It serves the gateway (a real websocket) and the REST routes a bot uses (real HTTP) on 127.0.0.1, keeps a
small world (one guild with channels, roles and members, DM channels, messages, pins, threads, registered
commands), records every request and every gateway frame, and can inject faults (429 with Discord's headers,
500) and drop the gateway connection. It enforces Discord's global limit (50 requests per second per bot,
interaction endpoints exempt) with a global 429, and counts what it served (``emulator.global_limit``).

discord.py builds REST URLs from ``discord.http.Route.BASE`` and connects to
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``; ``DiscordEmulator.patch_discord()`` points both here.

Typical use (see bot/testing/harness.py and tests/emulator/):

    async with DiscordEmulator() as emulator, running_bot(MyBot(guild_ready_timeout=0.01), emulator):
        interaction = await emulator.slash("ask", {"question": "What is a WRO?"}, user="alice")
        callback = await emulator.wait_for_callback(interaction)      # the recorded POST .../callback
        assert callback.json["data"]["allowed_mentions"] == {"parse": []}
        await emulator.click_button(callback.response["resource"]["message"], "Helpful")
        emulator.fail_next("POST /channels/{channel_id}/messages", status=429, retry_after=0.2)
        await emulator.drop_connection(4000)                          # the client RESUMEs; missed events replay

The world: one guild with channels "general", "ask", "explainers"; users "owner", "alice", "bob", "mod"
(Manage Messages) and "admin" (Manage Server); the bot member has BOT_PERMISSIONS (change
``emulator.bot_permissions`` to take one away). Unknown routes answer 404 and land in ``unknown_requests``;
messages over Discord's limits answer 400 and land in ``limit_violations``.

The package, one module per concern (DiscordEmulator in emulator.py mixes in one part from each):
protocol (wire constants, JSON answers), records (what is recorded), recording (waiting on it), world (users,
guild, channels, permissions), server (HTTP plumbing, arrival stamps, patch_discord), routes (route table,
identity, commands, guilds), messages (messages, pins, threads), interactions (callback and webhook routes),
gateway, users (simulated users), faults, rate_limits (the global limit), limits (message limits) and uploads
(multipart bodies and attachments). Everything is importable from ``bot.testing.discord_emulator``.
"""

from __future__ import annotations

from bot.testing.discord_emulator.emulator import DiscordEmulator
from bot.testing.discord_emulator.faults import Fault
from bot.testing.discord_emulator.gateway import (
    OP_DISPATCH,
    OP_HEARTBEAT,
    OP_HEARTBEAT_ACK,
    OP_HELLO,
    OP_IDENTIFY,
    OP_INVALID_SESSION,
    OP_PRESENCE,
    OP_RECONNECT,
    OP_REQUEST_MEMBERS,
    OP_RESUME,
    GatewayConnection,
    GatewaySession,
)
from bot.testing.discord_emulator.limits import (
    ACTION_ROWS,
    AUTOCOMPLETE_CHOICES,
    BUTTON_LABEL_LIMIT,
    BUTTONS_PER_ROW,
    CHOICE_NAME_LIMIT,
    CHOICE_VALUE_LIMIT,
    CUSTOM_ID_LIMIT,
    DEFAULT_PIN_LIMIT,
    EMBED_AUTHOR,
    EMBED_DESCRIPTION,
    EMBED_FIELD_NAME,
    EMBED_FIELD_VALUE,
    EMBED_FIELDS,
    EMBED_FOOTER,
    EMBED_TITLE,
    EMBED_TOTAL_CHARS,
    EMBEDS_PER_MESSAGE,
    MESSAGE_CONTENT_LIMIT,
    embed_problems,
    message_problems,
)
from bot.testing.discord_emulator.protocol import (
    API_PREFIX,
    CALLBACK_AUTOCOMPLETE,
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_DEFERRED_UPDATE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_PONG,
    CALLBACK_ROUTE,
    CALLBACK_UPDATE_MESSAGE,
    DEFAULT_TOKEN,
    DISCORD_EPOCH_MS,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMMAND,
    INTERACTION_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    INTERACTION_PING,
    JSON_CONTENT_TYPE,
    RETRIED_STATUSES,
    _error,
    _json_response,
    snowflake_time_iso,
)
from bot.testing.discord_emulator.rate_limits import GLOBAL_RATE_LIMIT, GLOBAL_WINDOW_SECONDS, GlobalRateLimit
from bot.testing.discord_emulator.records import (
    RECORDED,
    EmulatorTimeout,
    GatewayFrame,
    RecordedRequest,
    SentInteraction,
    _WaitableLog,
)
from bot.testing.discord_emulator.server import _ArrivalStampingProtocol, _ArrivalStampingSite, patch_discord
from bot.testing.discord_emulator.uploads import (
    ATTACHMENT_SIZE_LIMIT,
    ATTACHMENTS_PER_MESSAGE,
    BODY_CONTENT_TYPES,
    _read_multipart,
    attachment_problems,
    body_content_type_problem,
    stored_attachments,
)
from bot.testing.discord_emulator.users import ChannelArg, UserArg
from bot.testing.discord_emulator.world import (
    ADMIN_PERMISSIONS,
    BOT_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    MODERATOR_PERMISSIONS,
    permission_bits,
)

__all__ = [
    "ACTION_ROWS",
    "ADMIN_PERMISSIONS",
    "API_PREFIX",
    "ATTACHMENTS_PER_MESSAGE",
    "ATTACHMENT_SIZE_LIMIT",
    "AUTOCOMPLETE_CHOICES",
    "BODY_CONTENT_TYPES",
    "BOT_PERMISSIONS",
    "BUTTONS_PER_ROW",
    "BUTTON_LABEL_LIMIT",
    "CALLBACK_AUTOCOMPLETE",
    "CALLBACK_DEFERRED_MESSAGE",
    "CALLBACK_DEFERRED_UPDATE",
    "CALLBACK_MESSAGE",
    "CALLBACK_MODAL",
    "CALLBACK_PONG",
    "CALLBACK_ROUTE",
    "CALLBACK_UPDATE_MESSAGE",
    "CHOICE_NAME_LIMIT",
    "CHOICE_VALUE_LIMIT",
    "CUSTOM_ID_LIMIT",
    "DEFAULT_PIN_LIMIT",
    "DEFAULT_TOKEN",
    "DISCORD_EPOCH_MS",
    "EMBEDS_PER_MESSAGE",
    "EMBED_AUTHOR",
    "EMBED_DESCRIPTION",
    "EMBED_FIELDS",
    "EMBED_FIELD_NAME",
    "EMBED_FIELD_VALUE",
    "EMBED_FOOTER",
    "EMBED_TITLE",
    "EMBED_TOTAL_CHARS",
    "EVERYONE_PERMISSIONS",
    "FLAG_EPHEMERAL",
    "FLAG_LOADING",
    "GLOBAL_RATE_LIMIT",
    "GLOBAL_WINDOW_SECONDS",
    "INTERACTION_AUTOCOMPLETE",
    "INTERACTION_COMMAND",
    "INTERACTION_COMPONENT",
    "INTERACTION_MODAL_SUBMIT",
    "INTERACTION_PING",
    "JSON_CONTENT_TYPE",
    "MESSAGE_CONTENT_LIMIT",
    "MODERATOR_PERMISSIONS",
    "OP_DISPATCH",
    "OP_HEARTBEAT",
    "OP_HEARTBEAT_ACK",
    "OP_HELLO",
    "OP_IDENTIFY",
    "OP_INVALID_SESSION",
    "OP_PRESENCE",
    "OP_RECONNECT",
    "OP_REQUEST_MEMBERS",
    "OP_RESUME",
    "RECORDED",
    "RETRIED_STATUSES",
    "ChannelArg",
    "DiscordEmulator",
    "EmulatorTimeout",
    "Fault",
    "GatewayConnection",
    "GatewayFrame",
    "GatewaySession",
    "GlobalRateLimit",
    "RecordedRequest",
    "SentInteraction",
    "UserArg",
    "_ArrivalStampingProtocol",
    "_ArrivalStampingSite",
    "_WaitableLog",
    "_error",
    "_json_response",
    "_read_multipart",
    "attachment_problems",
    "body_content_type_problem",
    "embed_problems",
    "message_problems",
    "patch_discord",
    "permission_bits",
    "snowflake_time_iso",
    "stored_attachments",
]
