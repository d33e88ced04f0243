"""Pictures through Discord: /escalation, /timeline, a chart answer and a ladder explainer upload a real PNG."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.discord_app.bot import LawBot
from bot.render.pictures import cache as picture_cache
from bot.testing.discord_emulator import CALLBACK_UPDATE_MESSAGE, DiscordEmulator
from tests.exts.conftest import ANSWERED_QUESTION
from tests.exts.helpers import CHANNEL_MESSAGES, assert_safe_message, message_body

LADDER = "ladder-ilo-supervision"
SERIES_YAML = """
series:
  - id: presumption-count
    title: A count that illustrates the presumption entry
    entry: uflpa-rebuttable-presumption
    unit: things
    points:
      - {date: 2022-06-21, value: 3, source: uflpa, pinpoint: "§ 3(a)", status: official}
      - {date: 2024-05, value: 9, source: uflpa, pinpoint: "§ 3(a)", status: reported}
"""


@pytest.fixture
def kb_dir(kb_dir: Path) -> Path:
    """The small KB plus one series, so an answer has a chart."""
    (kb_dir / "series.yaml").write_text(SERIES_YAML, encoding="utf-8")
    return kb_dir


def _upload(request) -> tuple[dict, dict]:
    """The single uploaded file part of a recorded request, and the attachments entry describing it."""
    [upload] = request.json["_files"]
    [described] = message_body(request)["attachments"]
    return upload, described


def _assert_png_attached(request, filename: str) -> None:
    upload, described = _upload(request)
    assert upload["name"] == "files[0]" and upload["filename"] == filename
    assert upload["data"].startswith(b"\x89PNG\r\n\x1a\n")
    assert described["filename"] == filename and len(described["description"]) > 40  # alt text
    body = message_body(request)
    assert body["embeds"][0]["image"]["url"] == f"attachment://{filename}"
    assert_safe_message(body)


async def test_escalation_uploads_the_ladder_diagram(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/escalation's first step carries the ladder PNG as a multipart attachment with alt text, text unchanged."""
    callback = await emulator.wait_for_callback(await emulator.slash("escalation", {"ladder": LADDER}))
    assert callback.status == 200
    _assert_png_attached(callback, f"ladder-{LADDER}.png")
    message = callback.response["resource"]["message"]
    [attachment] = message["attachments"]
    assert attachment["description"].startswith("Diagram of 2 steps") and attachment["width"] == 800
    assert [f["name"] for f in message["embeds"][0]["fields"]][:2] == ["Who can act", "What happens"]


async def test_step_buttons_keep_the_picture(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """Next edits the step text; the attachment stays and the embed still shows it."""
    callback = await emulator.wait_for_callback(await emulator.slash("escalation", {"ladder": LADDER}))
    message = callback.response["resource"]["message"]
    forward = await emulator.wait_for_callback(await emulator.click_button(message, "Next"))
    assert forward.json["type"] == CALLBACK_UPDATE_MESSAGE
    stored = emulator.messages[int(message["id"])]
    assert stored["embeds"][0]["title"].endswith("step 2 of 2")
    assert stored["embeds"][0]["image"]["url"] == f"attachment://ladder-{LADDER}.png"
    assert [a["filename"] for a in stored["attachments"]] == [f"ladder-{LADDER}.png"]


async def test_timeline_uploads_the_timeline_for_the_chosen_area(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/timeline area:us attaches the US timeline and keeps the complete text list."""
    callback = await emulator.wait_for_callback(await emulator.slash("timeline", {"area": "us"}))
    _assert_png_attached(callback, "timeline-us.png")
    embed = message_body(callback)["embeds"][0]
    assert embed["title"] == "Timeline: UFLPA and Section 307"
    assert "UFLPA" in embed["fields"][0]["value"]


async def test_answer_with_a_series_shows_its_chart(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """An answer whose entry has a series shows the chart in its embed, drawn from the series' values."""
    callback = await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION}))
    _assert_png_attached(callback, "chart-presumption-count.png")
    _, described = _upload(callback)
    assert "9 (reported)" in described["description"]


async def test_ladder_explainer_carries_the_diagram(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A pinned explainer of a ladder is posted with the ladder picture."""
    interaction = await emulator.slash("explainer post", {"topic": LADDER}, user="mod", channel="explainers")
    await emulator.wait_for_callback(interaction)
    await emulator.wait_for_followup(interaction)
    [card] = emulator.requests_for(CHANNEL_MESSAGES)
    assert card.status == 200
    _assert_png_attached(card, f"ladder-{LADDER}.png")


async def test_render_failure_still_answers(emulator: DiscordEmulator, lawbot: LawBot, monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    """When drawing fails, the failure is logged and the step goes out without a picture."""
    def broken(layout):
        raise RuntimeError("forced drawing failure")

    monkeypatch.setattr(picture_cache, "render_png", broken)
    with caplog.at_level(logging.ERROR, logger="bot.render.pictures.cache"):
        callback = await emulator.wait_for_callback(await emulator.slash("escalation", {"ladder": LADDER}))
    assert callback.status == 200
    body = message_body(callback)
    assert body["embeds"][0]["title"].endswith("step 1 of 2") and "image" not in body["embeds"][0]
    assert not (callback.json or {}).get("_files")
    assert any("could not draw the ladder picture" in record.getMessage() for record in caplog.records)


async def test_second_request_is_served_from_the_cache(emulator: DiscordEmulator, lawbot: LawBot,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The second /escalation for the same ladder does not draw again."""
    drawn = []
    real = picture_cache.render_png
    monkeypatch.setattr(picture_cache, "render_png", lambda layout: drawn.append(layout.filename) or real(layout))
    for _ in range(2):
        await emulator.wait_for_callback(await emulator.slash("escalation", {"ladder": LADDER}))
    assert drawn == [f"ladder-{LADDER}.png"]


async def test_reload_draws_afresh(emulator: DiscordEmulator, lawbot: LawBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a knowledge-base reload the picture is drawn again from the new data."""
    drawn = []
    real = picture_cache.render_png
    monkeypatch.setattr(picture_cache, "render_png", lambda layout: drawn.append(layout.filename) or real(layout))
    await emulator.wait_for_callback(await emulator.slash("escalation", {"ladder": LADDER}))
    await lawbot.reload_knowledge()
    await emulator.wait_for_callback(await emulator.slash("escalation", {"ladder": LADDER}))
    assert drawn == [f"ladder-{LADDER}.png"] * 2


async def test_slow_first_drawing_defers_and_still_sends_the_picture(emulator: DiscordEmulator, lawbot: LawBot,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A drawing slower than the reply budget is acknowledged first (Discord's 3 s deadline), then sent with it."""
    import time

    from bot.render.pictures import attach as picture_attach

    real = picture_cache.render_png
    monkeypatch.setattr(picture_attach, "DRAW_BUDGET", 0.05)
    monkeypatch.setattr(picture_cache, "render_png", lambda layout: time.sleep(0.3) or real(layout))
    interaction = await emulator.slash("escalation", {"ladder": LADDER})
    callback = await emulator.wait_for_callback(interaction)
    assert callback.json["type"] == 5  # deferred: "the bot is thinking"
    followup = await emulator.wait_for_followup(interaction)
    _assert_png_attached(followup, f"ladder-{LADDER}.png")
    assert message_body(followup)["embeds"][0]["title"].endswith("step 1 of 2")
