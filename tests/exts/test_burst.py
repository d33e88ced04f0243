"""A burst from one user never becomes a burst from the bot, and many users at once stay under the global limit."""

from __future__ import annotations

from bot.discord_app.bot import LawBot
from bot.exts.ask.ask import COOLING_DOWN_REACTION
from bot.testing.discord_emulator import ChannelArg, DiscordEmulator, RecordedRequest
from tests.exts.conftest import ANSWERED_QUESTION
from tests.exts.helpers import CHANNEL_MESSAGES, is_ephemeral, message_body, settle

BURST = 200
PER_MINUTE = 5  # the settings fixture's cooldown
THREADS = "POST /channels/{channel_id}/messages/{message_id}/threads"
REACTIONS = "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"


def assert_under_global_limit(emulator: DiscordEmulator) -> None:
    assert emulator.global_limit.refused == 0
    assert emulator.global_limit.busiest_second() <= 50, emulator.global_limit.per_second()


def replies_in_ask_channel(emulator: DiscordEmulator) -> list[RecordedRequest]:
    ask = str(emulator.channel_ids["ask"])
    return [r for r in emulator.requests_for(CHANNEL_MESSAGES, status=200) if r.params["channel_id"] == ask]


async def make_ask_channel(emulator: DiscordEmulator) -> None:
    add = await emulator.slash("config ask-channels add", {"channel": ChannelArg(emulator.channel_ids["ask"])}, user="admin")
    await emulator.wait_for_callback(add)


async def test_mention_burst_opens_threads_only_for_admitted_questions(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """200 mentions in a second from one user: a thread and an answer per admitted question, nothing for the rest."""
    posted = [await emulator.post_message(ANSWERED_QUESTION, mention_bot=True) for _ in range(BURST)]
    await settle(emulator)
    threads = emulator.requests_for(THREADS, status=201)
    assert [r.params["message_id"] for r in threads] == [m["id"] for m in posted[:PER_MINUTE]]
    thread_ids = [r.response["id"] for r in threads]
    answered_in = [r.params["channel_id"] for r in emulator.requests_for(CHANNEL_MESSAGES) if r.params["channel_id"] in thread_ids]
    assert sorted(answered_in) == sorted(thread_ids)
    assert emulator.bot_messages("general") == []  # no public "please wait" notices
    assert_under_global_limit(emulator)


async def test_mention_burst_gets_one_reaction_as_its_only_notice(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """The first refused mention gets an hourglass reaction; the other 194 get nothing."""
    posted = [await emulator.post_message(ANSWERED_QUESTION, mention_bot=True) for _ in range(BURST)]
    await settle(emulator)
    reactions = emulator.requests_for(REACTIONS)
    assert [(r.params["message_id"], r.params["emoji"]) for r in reactions] == [
        (posted[PER_MINUTE]["id"], COOLING_DOWN_REACTION)
    ]


async def test_ask_channel_burst_gets_five_replies_and_one_reaction(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """200 ask-channel messages from one user: one reply per admitted question, one reaction, no other message."""
    await make_ask_channel(emulator)
    for _ in range(BURST):
        await emulator.post_message(ANSWERED_QUESTION, channel="ask")
    await settle(emulator)
    replies = replies_in_ask_channel(emulator)
    assert len(replies) == PER_MINUTE and all(r.json["embeds"] for r in replies)
    assert len(emulator.requests_for(REACTIONS)) == 1
    assert_under_global_limit(emulator)


async def test_slash_burst_gets_one_ephemeral_notice(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """200 /ask from one user: five answers, one ephemeral "please wait", no response to the rest."""
    sent = [await emulator.slash("ask", {"question": ANSWERED_QUESTION}) for _ in range(BURST)]
    await settle(emulator)
    bodies = [message_body(emulator.callbacks[i.id]) for i in sent if i.id in emulator.callbacks]
    answers = [b for b in bodies if b.get("embeds")]
    notices = [b for b in bodies if not b.get("embeds")]
    assert len(answers) == PER_MINUTE
    assert len(notices) == 1 and is_ephemeral(notices[0]) and "Please wait" in notices[0]["content"]
    assert_under_global_limit(emulator)


async def test_many_users_at_once_stay_under_the_global_limit(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """80 users asking in an ask channel at once: all answered, never over 50 requests a second, no 429."""
    await make_ask_channel(emulator)
    users = [emulator.add_member(f"user{n}") for n in range(80)]
    for user in users:
        await emulator.post_message(ANSWERED_QUESTION, user=user, channel="ask")
    await settle(emulator)
    replies = replies_in_ask_channel(emulator)
    assert len(replies) == len(users)
    assert_under_global_limit(emulator)
