"""End-to-end checks of the Discord API emulator with the real discord.py client (a minimal bot)."""

from __future__ import annotations

import asyncio
import time

import discord
import pytest

from bot.testing.discord_emulator import (
    CALLBACK_AUTOCOMPLETE,
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_UPDATE_MESSAGE,
    OP_HEARTBEAT,
    OP_HEARTBEAT_ACK,
    OP_IDENTIFY,
    OP_RESUME,
    DiscordEmulator,
    _ArrivalStampingProtocol,
)
from bot.testing.harness import running_bot
from tests.emulator.minimal_bot import MinimalBot

CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
CHANNEL_MESSAGES = "POST /channels/{channel_id}/messages"


async def test_bot_gets_ready_with_guild_from_guild_create(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """IDENTIFY gets READY then GUILD_CREATE: the bot knows itself, the guild, its channels and its own permissions."""
    assert bot.user is not None and bot.user.id == emulator.application_id
    guild = bot.get_guild(emulator.guild_id)
    assert guild is not None and not guild.unavailable
    assert {c.name for c in guild.text_channels} >= {"general", "ask", "explainers"}
    assert guild.me.guild_permissions.pin_messages
    identify = await emulator.wait_for_frame(direction="from_bot", op=OP_IDENTIFY)
    assert identify.d["token"] == emulator.token


async def test_startup_rest_calls_recorded(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """Login fetches users/@me and oauth2/applications/@me, authorised with the bot token."""
    me = await emulator.wait_for_request("GET /users/@me")
    await emulator.wait_for_request("GET /oauth2/applications/@me", status=200)
    assert me.headers["Authorization"] == f"Bot {emulator.token}"
    assert bot.application_id == emulator.application_id


async def test_heartbeats_are_acknowledged() -> None:
    """With a short heartbeat interval the client keeps beating and every beat is ACKed."""
    async with DiscordEmulator(heartbeat_interval_ms=30) as emulator:
        async with running_bot(MinimalBot(guild_id=emulator.guild_id), emulator):
            for _ in range(3):
                await emulator.wait_for_frame(direction="from_bot", op=OP_HEARTBEAT, after=emulator.frame_mark())
            await emulator.wait_for_frame(direction="to_bot", op=OP_HEARTBEAT_ACK, after=emulator.frame_mark() - 1)
        beats = [f for f in emulator.frames.items if f.op == OP_HEARTBEAT]
        acks = [f for f in emulator.frames.items if f.op == OP_HEARTBEAT_ACK]
        assert len(beats) >= 3 and len(acks) >= len(beats) - 1


async def test_slash_command_callback_payload(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A slash interaction gets a type 4 callback with the content and allowed_mentions parse []."""
    interaction = await emulator.slash("echo", {"text": "hello @everyone", "loud": True})
    callback = await emulator.wait_for_callback(interaction)
    assert callback.query == {"with_response": "1"}
    assert callback.json["type"] == CALLBACK_MESSAGE
    assert callback.json["data"]["content"] == "HELLO @EVERYONE"
    assert callback.json["data"]["allowed_mentions"] == {"parse": []}
    assert callback.status == 200
    assert callback.response["interaction"]["id"] == str(interaction.id)
    assert callback.response["resource"]["message"]["content"] == "HELLO @EVERYONE"


async def test_deferred_command_sends_followup(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A deferred command acknowledges with type 5 and then posts a webhook follow-up."""
    interaction = await emulator.slash("later")
    callback = await emulator.wait_for_callback(interaction)
    assert callback.json["type"] == CALLBACK_DEFERRED_MESSAGE
    followup = await emulator.wait_for_followup(interaction)
    assert followup.route == "POST /webhooks/{webhook_id}/{webhook_token}"
    assert followup.params["webhook_id"] == str(emulator.application_id)
    assert followup.json["content"] == "done later"


async def test_autocomplete_returns_choices(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """An autocomplete interaction gets a type 8 callback with the matching choices."""
    await bot.tree.sync(guild=discord.Object(emulator.guild_id))  # /fruit is a guild command
    interaction = await emulator.autocomplete("fruit", {"name": "ap"}, focused="name")
    callback = await emulator.wait_for_callback(interaction)
    assert callback.json["type"] == CALLBACK_AUTOCOMPLETE
    assert [c["value"] for c in callback.json["data"]["choices"]] == ["apple", "apricot"]


async def test_button_click_updates_message(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """Clicking a button on the bot's message dispatches to its View, which edits the message (type 7)."""
    shown = await emulator.wait_for_callback(await emulator.slash("confirm"))
    message = shown.response["resource"]["message"]
    click = await emulator.click_button(message, "Confirm", user="bob")
    callback = await emulator.wait_for_callback(click)
    assert callback.json["type"] == CALLBACK_UPDATE_MESSAGE
    assert emulator.messages[int(message["id"])]["content"] == "confirmed"
    assert emulator.messages[int(message["id"])]["components"] == []


async def test_modal_open_and_submit(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A command opens a modal (type 9); submitting it (type 5 interaction) reaches on_submit with the value."""
    opened = await emulator.wait_for_callback(await emulator.slash("why"))
    assert opened.json["type"] == CALLBACK_MODAL
    submitted = await emulator.submit_modal(opened, {"reason": "too vague"})
    reply = await emulator.wait_for_callback(submitted)
    assert reply.json["data"]["content"] == "thanks"
    assert bot.modal_answers == ["too vague"]


async def test_message_context_menu(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A message context-menu command receives the target message from resolved data."""
    target = await emulator.post_message("quiet words", user="bob")
    callback = await emulator.wait_for_callback(await emulator.message_command("Shout", target))
    assert callback.json["data"]["content"] == "QUIET WORDS"


async def test_rest_message_send_recorded(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A message sent through REST is recorded with its body, and stored as a bot message."""
    channel = bot.get_channel(emulator.channel_ids["general"])
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("hello there")
    request = await emulator.wait_for_request(CHANNEL_MESSAGES)
    assert request.json["content"] == "hello there"
    assert request.json["allowed_mentions"] == {"parse": []}
    assert emulator.messages[sent.id]["author"]["id"] == str(emulator.application_id)


async def test_mention_gets_reply(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """MESSAGE_CREATE mentioning the bot reaches on_message and the reply references the message."""
    asked = await emulator.post_message("are you there?", user="alice", mention_bot=True)
    request = await emulator.wait_for_request(CHANNEL_MESSAGES)
    assert str(request.json["message_reference"]["message_id"]) == asked["id"]
    assert request.json["content"].startswith("pong:")


async def test_dm_message_gets_reply(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A DM mentioning the bot is answered in the DM channel."""
    await emulator.post_message("hi", user="bob", dm=True, mention_bot=True)
    request = await emulator.wait_for_request(CHANNEL_MESSAGES)
    assert request.params["channel_id"] == emulator.dm_channel("bob")["id"]


async def test_slash_command_in_dm(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A slash command from a DM (user instead of member, no guild_id) is answered."""
    callback = await emulator.wait_for_callback(await emulator.slash("echo", {"text": "dm"}, dm=True))
    assert callback.json["data"]["content"] == "dm"


async def test_pin_and_thread_routes(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """Pinning uses PUT messages/pins/{id}; a thread from a message is created and announced by THREAD_CREATE."""
    interaction = await emulator.slash("thread")
    await emulator.wait_for_followup(interaction)
    pin = emulator.requests_for("PUT /channels/{channel_id}/messages/pins/{message_id}")
    assert len(pin) == 1 and pin[0].status == 204
    assert emulator.pins[emulator.channel_ids["general"]] == [int(pin[0].params["message_id"])]
    thread = emulator.requests_for("POST /channels/{channel_id}/messages/{message_id}/threads")[0]
    assert thread.status == 201 and thread.json["name"] == "discussion"
    await emulator.wait_for_frame(direction="to_bot", event="THREAD_CREATE")


async def test_pins_listing(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """GET messages/pins returns the pinned messages in discord.py 2.7's shape."""
    channel = bot.get_channel(emulator.channel_ids["general"])
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("pin me")
    await message.pin()
    pinned = [m async for m in channel.pins()]
    assert [m.id for m in pinned] == [message.id]


async def test_command_sync_registers_commands(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """tree.sync() PUTs global commands and guild sync PUTs guild commands; slash uses the registered id."""
    synced = await bot.tree.sync()
    guild_synced = await bot.tree.sync(guild=discord.Object(emulator.guild_id))
    assert {c.name for c in synced} >= {"echo", "later", "Shout"}
    assert [c.name for c in guild_synced] == ["fruit"]
    assert emulator.requests_for("PUT /applications/{application_id}/commands")
    interaction = await emulator.slash("fruit", {"name": "cherry"})
    assert interaction.payload["data"]["guild_id"] == str(emulator.guild_id)
    callback = await emulator.wait_for_callback(interaction)
    assert callback.json["data"]["content"] == "you picked cherry"


async def test_gateway_drop_resumes_and_replays(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """Dropped with 4000, the client RESUMEs on resume_gateway_url and gets the events missed meanwhile."""
    session_id = bot.ws.session_id
    mark = emulator.frame_mark()
    await emulator.drop_connection(4000)
    missed = await emulator.slash("echo", {"text": "sent while offline"})
    resume = await emulator.wait_for_frame(direction="from_bot", op=OP_RESUME, after=mark)
    assert resume.d["session_id"] == session_id
    assert emulator.connections[-1].path == "/gateway-resume"
    await emulator.wait_for_frame(direction="to_bot", event="RESUMED", after=mark)
    callback = await emulator.wait_for_callback(missed)
    assert callback.json["data"]["content"] == "sent while offline"
    assert not [f for f in emulator.frames.items[mark:] if f.op == OP_IDENTIFY]


async def test_invalid_session_reidentifies(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """When RESUME is refused (op 9, false) the client IDENTIFYs again and keeps answering."""
    mark = emulator.frame_mark()
    await emulator.drop_connection(4000, invalidate=True)
    await emulator.wait_for_frame(direction="from_bot", op=OP_IDENTIFY, after=mark, timeout=10)
    await emulator.wait_for_frame(direction="to_bot", event="GUILD_CREATE", after=mark)
    callback = await emulator.wait_for_callback(await emulator.slash("echo", {"text": "still here"}))
    assert callback.json["data"]["content"] == "still here"


async def test_reconnect_opcode_resumes(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """Opcode 7 (RECONNECT) makes the client reconnect and RESUME."""
    mark = emulator.frame_mark()
    await emulator.send_reconnect()
    await emulator.wait_for_frame(direction="to_bot", event="RESUMED", after=mark)
    callback = await emulator.wait_for_callback(await emulator.slash("echo", {"text": "back"}))
    assert callback.json["data"]["content"] == "back"


async def test_rate_limited_send_is_retried_and_delivered_once(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A 429 with retry_after is honoured: the client waits, retries, and the message arrives exactly once."""
    emulator.fail_next(CHANNEL_MESSAGES, status=429, retry_after=0.2)
    channel = bot.get_channel(emulator.channel_ids["general"])
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("after the rate limit")
    limited, delivered = emulator.requests_for(CHANNEL_MESSAGES)
    assert limited.status == 429 and delivered.status == 200
    assert limited.response == {"message": "You are being rate limited.", "retry_after": 0.2, "global": False}
    assert delivered.time - limited.time >= 0.2
    assert [m["content"] for m in emulator.bot_messages("general")] == ["after the rate limit"]
    assert sent.content == "after the rate limit"


async def test_rate_limited_interaction_callback_is_retried(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A 429 on the interaction callback is retried through the webhook adapter and still answered in time."""
    emulator.fail_next(CALLBACK, status=429, retry_after=0.1)
    interaction = await emulator.slash("echo", {"text": "eventually"})
    callback = await emulator.wait_for_callback(interaction, timeout=3)
    assert callback.status == 200
    assert [r.status for r in emulator.requests_for(CALLBACK)] == [429, 200]


async def test_server_error_is_retried(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A 500 is retried by the client and the message is delivered once."""
    emulator.fail_next(CHANNEL_MESSAGES, status=500)
    channel = bot.get_channel(emulator.channel_ids["general"])
    assert isinstance(channel, discord.TextChannel)
    await channel.send("survived a 500")
    assert [r.status for r in emulator.requests_for(CHANNEL_MESSAGES)] == [500, 200]
    assert [m["content"] for m in emulator.bot_messages("general")] == ["survived a 500"]


async def test_command_exception_reaches_error_handler(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """An exception in a command goes to the tree's error handler; the bot keeps answering."""
    failed = await emulator.wait_for_callback(await emulator.slash("boom"))
    assert failed.json["data"]["content"] == "Something went wrong."
    assert failed.json["data"]["flags"] == 64
    assert isinstance(bot.errors[0].__cause__, RuntimeError)
    ok = await emulator.wait_for_callback(await emulator.slash("echo", {"text": "alive"}))
    assert ok.json["data"]["content"] == "alive"


async def test_unknown_route_is_404_and_recorded(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A route the emulator does not implement answers 404 JSON and is listed in unknown_requests."""
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/guilds/{guild_id}/audit-logs", guild_id=emulator.guild_id))
    assert [r.path for r in emulator.unknown_requests] == [f"/guilds/{emulator.guild_id}/audit-logs"]


async def test_discord_limits_enforced(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A message over 2000 characters is refused with 400 and the violation is recorded."""
    channel = bot.get_channel(emulator.channel_ids["general"])
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send("x" * 2001)
    assert raised.value.status == 400
    assert "content has 2001 chars" in emulator.limit_violations[0][1][0]


async def test_late_interaction_response_rejected(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A callback after the interaction deadline is refused with Unknown interaction (10062)."""
    emulator.interaction_deadline = 0.0
    interaction = await emulator.slash("echo", {"text": "too late"})
    callback = await emulator.wait_for_callback(interaction)
    assert callback.status == 404 and callback.response["code"] == 10062
    # the bot's error handler tries once more to tell the user; wait for it so teardown does not cut it off
    retry = await emulator.wait_for_request(CALLBACK, after=callback.index + 1)
    assert retry.status == 404


async def test_wrong_token_fails_login() -> None:
    """A client with the wrong token gets 401 on users/@me and fails to log in."""
    async with DiscordEmulator() as emulator:
        client = MinimalBot(guild_id=emulator.guild_id)
        with emulator.patch_discord(), pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
        await client.close()
        assert emulator.requests_for("GET /users/@me", status=401)


async def test_concurrent_interactions_all_answered(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """Fifty interactions dispatched at once are all answered, each to its own callback."""
    interactions = await asyncio.gather(*(emulator.slash("echo", {"text": f"n{i}"}) for i in range(50)))
    callbacks = await asyncio.gather(*(emulator.wait_for_callback(i) for i in interactions))
    assert [c.json["data"]["content"] for c in callbacks] == [f"n{i}" for i in range(50)]


class _RecordingProtocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.calls: list[str] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.calls.append("made")

    def data_received(self, data: bytes) -> None:
        self.calls.append(f"data:{data.decode()}")

    def connection_lost(self, exc: Exception | None) -> None:
        self.calls.append("lost")


def test_requests_are_timed_when_their_bytes_arrive() -> None:
    """The emulator notes arrival as bytes come in (its own busy loop is not the bot's latency), forwards every
    event to aiohttp's protocol unchanged, and forgets the connection when it closes."""
    inner, arrivals = _RecordingProtocol(), {}
    wrapper = _ArrivalStampingProtocol(inner, arrivals)
    wrapper.connection_made(None)  # type: ignore[arg-type]
    before = time.perf_counter()
    wrapper.data_received(b"GET / HTTP/1.1")
    assert before <= arrivals[inner] <= time.perf_counter()
    wrapper.connection_lost(None)
    assert inner.calls == ["made", "data:GET / HTTP/1.1", "lost"]
    assert inner not in arrivals

