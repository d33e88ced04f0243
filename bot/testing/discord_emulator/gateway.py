"""The gateway: a real websocket with HELLO, IDENTIFY, RESUME with replay, heartbeats, dispatch and dropped connections."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
from aiohttp import web

from bot.testing.discord_emulator.records import GatewayFrame

# Gateway opcodes
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE = 0, 1, 2, 3
OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION = 6, 7, 8, 9
OP_HELLO, OP_HEARTBEAT_ACK = 10, 11


@dataclass
class GatewaySession:
    session_id: str
    user_id: int
    seq: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)  # dispatch frames, for RESUME replay
    connection: GatewayConnection | None = None


@dataclass
class GatewayConnection:
    id: int
    ws: web.WebSocketResponse
    path: str
    session: GatewaySession | None = None
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    heartbeats: int = 0


class GatewayMixin:
    """Gateway sessions and dispatch (mixed into DiscordEmulator)."""

    def _live_session(self) -> GatewaySession | None:
        for session in reversed(list(self.sessions.values())):
            return session
        return None

    @property
    def connected(self) -> bool:
        session = self._live_session()
        return session is not None and session.connection is not None and not session.connection.ws.closed

    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        connection = GatewayConnection(id=next(self._connection_ids), ws=ws, path=request.path)
        self.connections.append(connection)
        try:
            await self._send_frame(connection, {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                frame = orjson.loads(msg.data)
                self._record_frame(connection, "from_bot", frame)
                await self._handle_client_frame(connection, frame)
        finally:
            if connection.session is not None and connection.session.connection is connection:
                connection.session.connection = None
        return ws

    async def _send_frame(self, connection: GatewayConnection, frame: dict[str, Any]) -> None:
        async with connection.send_lock:
            await self._send_frame_locked(connection, frame)

    async def _send_frame_locked(self, connection: GatewayConnection, frame: dict[str, Any]) -> None:
        frame.setdefault("s", None)
        frame.setdefault("t", None)
        self._record_frame(connection, "to_bot", frame)
        await connection.ws.send_str(orjson.dumps(frame).decode())

    async def _handle_client_frame(self, connection: GatewayConnection, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        data = frame.get("d")
        if op == OP_HEARTBEAT:
            connection.heartbeats += 1
            await self._send_frame(connection, {"op": OP_HEARTBEAT_ACK, "d": None})
        elif op == OP_IDENTIFY:
            await self._identify(connection, data or {})
        elif op == OP_RESUME:
            await self._resume(connection, data or {})
        elif op == OP_REQUEST_MEMBERS:
            await self._members_chunk(connection, data or {})
        elif op == OP_PRESENCE:
            pass  # recorded; nothing to answer

    async def _identify(self, connection: GatewayConnection, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        session = GatewaySession(session_id=secrets.token_hex(16), user_id=self.application_id)
        self.sessions[session.session_id] = session
        connection.session = session
        session.connection = connection
        ready = {
            "v": 10,
            "user": self.bot_user,
            "user_settings": {},
            "guilds": [{"id": str(guild_id), "unavailable": True} for guild_id in self.guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["discord-emulator"],
        }
        shard = data.get("shard")
        guild_ids = list(self.guilds)
        if shard:
            # Discord routes a guild to shard (guild_id >> 22) % shard_count.
            ready["shard"] = shard
            guild_ids = [g for g in guild_ids if (g >> 22) % shard[1] == shard[0]]
            ready["guilds"] = [{"id": str(g), "unavailable": True} for g in guild_ids]
        async with connection.send_lock:
            await self._dispatch_locked(session, "READY", ready)
            for guild_id in guild_ids:
                await self._dispatch_locked(session, "GUILD_CREATE", self.guild_create_payload(guild_id))

    def guild_create_payload(self, guild_id: int) -> dict[str, Any]:
        guild = dict(self.guilds[guild_id])
        guild["channels"] = [
            {k: v for k, v in c.items() if k != "guild_id"}
            for c in self.channels.values()
            if c.get("guild_id") == str(guild_id) and c["type"] not in (11, 12)
        ]
        guild["threads"] = [c for c in self.channels.values() if c.get("guild_id") == str(guild_id) and c["type"] in (11, 12)]
        guild["members"] = [m for (g, _), m in self.members.items() if g == guild_id]
        return guild

    async def _resume(self, connection: GatewayConnection, data: dict[str, Any]) -> None:
        session = self.sessions.get(data.get("session_id") or "")
        if self._invalidate_resumes or session is None or data.get("token") != self.token:
            self._invalidate_resumes = False
            await self._send_frame(connection, {"op": OP_INVALID_SESSION, "d": False})
            return
        last_seen = data.get("seq") or 0
        async with connection.send_lock:
            connection.session = session
            session.connection = connection
            for frame in session.history:
                if frame["s"] > last_seen:
                    await self._send_frame_locked(connection, dict(frame))
            await self._dispatch_locked(session, "RESUMED", {"_trace": ["discord-emulator"]})

    async def _members_chunk(self, connection: GatewayConnection, data: dict[str, Any]) -> None:
        guild_id = int(data.get("guild_id", self.guild_id))
        members = [m for (g, _), m in self.members.items() if g == guild_id]
        chunk = {
            "guild_id": str(guild_id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": data.get("nonce"),
        }
        session = connection.session
        if session is not None:
            await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def _dispatch_locked(self, session: GatewaySession, event: str, data: dict[str, Any]) -> float:
        session.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.history.append(frame)
        connection = session.connection
        sent_at = time.perf_counter()
        if connection is not None and not connection.ws.closed:
            # If the connection just dropped, the frame stays in history for RESUME replay.
            with contextlib.suppress(ConnectionResetError, RuntimeError):
                await self._send_frame_locked(connection, dict(frame))
        return sent_at

    async def dispatch(self, event: str, data: dict[str, Any]) -> float:
        """Send a DISPATCH event to the bot (buffered for replay if it is reconnecting); returns send time."""
        session = self._live_session()
        if session is None:
            raise RuntimeError("no gateway session: the bot has not identified")
        connection = session.connection
        if connection is None:
            return await self._dispatch_locked(session, event, data)
        async with connection.send_lock:
            return await self._dispatch_locked(session, event, data)

    async def drop_connection(self, code: int = 4000, *, invalidate: bool = False) -> None:
        """Close the bot's gateway websocket (4000 is resumable); invalidate=True refuses the next RESUME."""
        self._invalidate_resumes = invalidate
        session = self._live_session()
        if session is None or session.connection is None:
            raise RuntimeError("the bot is not connected")
        connection = session.connection
        session.connection = None
        await connection.ws.close(code=code, message=b"emulator dropped the connection")

    async def send_reconnect(self) -> None:
        """Ask the bot to reconnect (opcode 7), as Discord does before maintenance."""
        session = self._live_session()
        if session is None or session.connection is None:
            raise RuntimeError("the bot is not connected")
        await self._send_frame(session.connection, {"op": OP_RECONNECT, "d": None})

    def malformed_events(self) -> list[tuple[str, Any]]:
        """Dispatch events with missing or ill-typed fields, as a misbehaving Discord-compatible server sent them."""
        channel_id = str(self.channel_ids["general"])
        return [
            ("MESSAGE_CREATE", {"id": str(self.new_id()), "content": "no channel, no author"}),
            ("MESSAGE_CREATE", {"id": "not-a-snowflake", "channel_id": channel_id, "author": "someone", "content": 7}),
            ("INTERACTION_CREATE", {"id": str(self.new_id()), "type": "two", "token": None, "data": []}),
            ("GUILD_CREATE", {"id": "garbage", "channels": 7, "roles": "none"}),
            ("GUILD_CREATE", "garbage"),
            ("THREAD_CREATE", [1, 2, 3]),
        ]

    async def send_raw_frame(self, text: str) -> None:
        """Send text the bot's gateway client must read as a frame (not recorded in the session's replay history)."""
        session = self._live_session()
        if session is None or session.connection is None:
            raise RuntimeError("the bot is not connected")
        async with session.connection.send_lock:
            self.frames.append(
                GatewayFrame(len(self.frames), session.connection.id, "to_bot", -1, None, None, text, time.perf_counter())
            )
            await session.connection.ws.send_str(text)
