"""The emulator reads multipart uploads as Discord does and refuses what Discord refuses."""

from __future__ import annotations

import io
import json

import aiohttp
import discord

from bot.testing.discord_emulator import ATTACHMENT_SIZE_LIMIT, DiscordEmulator
from tests.emulator.minimal_bot import MinimalBot

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big") + b"\x08\x02"


async def _post(emulator: DiscordEmulator, data: aiohttp.FormData | bytes, content_type: str | None = None) -> tuple[int, dict]:
    url = f"{emulator.api_base}/channels/{emulator.channel_ids['general']}/messages"
    headers = {"Authorization": f"Bot {emulator.token}"}
    if content_type:
        headers["Content-Type"] = content_type
    async with aiohttp.ClientSession() as session, session.post(url, data=data, headers=headers) as response:
        return response.status, await response.json()


def _form(payload: dict, files: list[tuple[str, bytes, str]]) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("payload_json", json.dumps(payload), content_type="application/json")
    for name, data, filename in files:
        form.add_field(name, data, filename=filename, content_type="image/png")
    return form


async def test_discord_py_upload_is_stored_with_alt_text(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """A discord.py send with a File arrives as payload_json + files[0]; the message lists the attachment."""
    channel = bot.get_channel(emulator.channel_ids["general"])
    file = discord.File(io.BytesIO(PNG), filename="p.png", description="A test picture")
    sent = await channel.send(content="see picture", file=file)
    [attachment] = emulator.messages[sent.id]["attachments"]
    assert (attachment["filename"], attachment["description"], attachment["width"], attachment["height"]) == (
        "p.png", "A test picture", 640, 480)
    assert emulator.uploads[attachment["id"]] == PNG
    assert sent.attachments[0].description == "A test picture"


async def test_upload_over_the_size_limit_is_refused(emulator: DiscordEmulator) -> None:
    """Files over the 10 MiB bot upload limit get 413 / 40005, as from Discord."""
    big = PNG + b"\x00" * ATTACHMENT_SIZE_LIMIT
    status, body = await _post(emulator, _form({"content": "x", "attachments": [{"id": 0, "filename": "a.png"}]},
                                               [("files[0]", big, "a.png")]))
    assert (status, body["code"]) == (413, 40005)
    assert emulator.attachment_refusals == [413]


async def test_file_without_an_attachments_entry_is_refused(emulator: DiscordEmulator) -> None:
    """A files[n] part that payload_json's attachments does not describe is an invalid form body."""
    status, body = await _post(emulator, _form({"content": "x", "attachments": []}, [("files[0]", PNG, "a.png")]))
    assert (status, body["code"]) == (400, 50035)


async def test_wrongly_named_file_part_is_refused(emulator: DiscordEmulator) -> None:
    """File parts must be named files[n]."""
    status, _ = await _post(emulator, _form({"content": "x"}, [("picture", PNG, "a.png")]))
    assert status == 400


async def test_body_that_is_neither_json_nor_form_data_is_refused(emulator: DiscordEmulator) -> None:
    """A text/plain body is refused (Discord parses only JSON and multipart/form-data)."""
    status, body = await _post(emulator, b'{"content": "x"}', content_type="text/plain")
    assert (status, body["code"]) == (400, 50109)
    assert not [m for m in emulator.messages.values() if m["content"] == "x"]


async def test_edit_with_a_new_file_replaces_the_old_attachment(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """An edit whose attachments list only a new file removes the old attachment and stores the new one."""
    channel = bot.get_channel(emulator.channel_ids["general"])
    sent = await channel.send(content="v1", file=discord.File(io.BytesIO(PNG), filename="old.png"))
    newer = PNG + b"newer"
    await sent.edit(content="v2", attachments=[discord.File(io.BytesIO(newer), filename="new.png", description="Newer")])
    [attachment] = emulator.messages[sent.id]["attachments"]
    assert (attachment["filename"], attachment["description"]) == ("new.png", "Newer")
    assert emulator.uploads[attachment["id"]] == newer


async def test_edit_keeps_the_attachments_it_lists(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """An existing attachment named in an edit's attachments stays beside the new file."""
    channel = bot.get_channel(emulator.channel_ids["general"])
    sent = await channel.send(content="v1", file=discord.File(io.BytesIO(PNG), filename="old.png"))
    await sent.edit(attachments=[sent.attachments[0], discord.File(io.BytesIO(PNG), filename="new.png")])
    assert [a["filename"] for a in emulator.messages[sent.id]["attachments"]] == ["old.png", "new.png"]


async def test_edit_without_attachments_leaves_them(emulator: DiscordEmulator, bot: MinimalBot) -> None:
    """An edit of the text alone keeps the message's attachments."""
    channel = bot.get_channel(emulator.channel_ids["general"])
    sent = await channel.send(content="v1", file=discord.File(io.BytesIO(PNG), filename="old.png"))
    await sent.edit(content="v2")
    assert [a["filename"] for a in emulator.messages[sent.id]["attachments"]] == ["old.png"]
