"""Benchmark: /ask interactions from concurrent simulated users through the local Discord emulator.

The real bot (LawBot, real discord.py client, real websocket and HTTP) answers; latency is measured from the
moment the emulator sends INTERACTION_CREATE to the moment the interaction callback reaches it. The emulator
and the simulated users run in a separate process, as Discord is remote; users ask back to back with no
think time, which is the worst case for queueing.

With --escalation-share, that share of the interactions are /escalation (a ladder diagram, drawn on the picture
cache's thread the first time each is asked for, then cached). The /ask figures are then those of the other
interactions, and the run also reports the /ask answers and event-loop lag seen while a drawing was running.

    python -m bot.discord_app.bench [--n 1000] [--users 50] [--escalation-share 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import multiprocessing
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bot.discord_app.bot import LawBot
from bot.ops import eventloop
from bot.render.pictures.attach import picture_cache
from bot.render.pictures.cache import PictureCache
from bot.settings import Settings
from bot.testing.discord_emulator import DiscordEmulator
from bot.testing.harness import running_bot_at

DISCORD_DEADLINE_SECONDS = 3.0
LAG_PROBE_SECONDS = 0.005
# Questions no knowledge base covers, mixed in as people really ask them.
OFF_TOPIC = ("What is the weather in Paris tomorrow?", "Who won the football last night?", "How do I bake bread?")


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not values:
        return 0.0
    rank = max(1, round(fraction * len(values) + 0.5 - 1e-9))
    return values[min(rank, len(values)) - 1]


class LoopLagProbe:
    """Measures how late the event loop wakes a task that asked to sleep LAG_PROBE_SECONDS."""

    def __init__(self) -> None:
        self.max_lag = 0.0
        self.samples: list[tuple[float, float]] = []  # (time.perf_counter() at wake-up, lag), to set beside drawings
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(LAG_PROBE_SECONDS)
            lag = loop.time() - started - LAG_PROBE_SECONDS
            self.max_lag = max(self.max_lag, lag)
            self.samples.append((time.perf_counter(), lag))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="bench-loop-lag-probe")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@contextlib.contextmanager
def _quiet_discord_logs() -> Iterator[None]:
    logger = logging.getLogger("discord")
    previous = logger.level
    logger.setLevel(logging.ERROR)  # e.g. "PyNaCl is not installed": noise for a benchmark
    try:
        yield
    finally:
        logger.setLevel(previous)


def _questions(bot: LawBot) -> list[str]:
    asked = [q for entry in bot.engine.kb.entries.values() for q in entry.questions]
    return asked + list(OFF_TOPIC)


class DrawingWindows:
    """When the bot's picture cache really drew a picture (not a cache hit), from the request to the PNG's return."""

    def __init__(self, cache: PictureCache) -> None:
        self.windows: list[tuple[float, float]] = []  # time.perf_counter() at start and end of each drawing
        draw = cache._draw_off_loop

        async def timed_draw(kb: Any, kind: str, key: str, today: Any) -> Any:
            started = time.perf_counter()
            try:
                return await draw(kb, kind, key, today)
            finally:
                self.windows.append((started, time.perf_counter()))

        cache._draw_off_loop = timed_draw  # type: ignore[method-assign]

    def overlaps(self, start: float, end: float) -> bool:
        return any(start < drawn_end and drawn_start < end for drawn_start, drawn_end in self.windows)


async def _drive_users(
    emulator: DiscordEmulator,
    work: dict[str, list[str]],
    n: int,
    user_ids: list[int],
    think_seconds: float,
    escalation_share: float = 0.0,
) -> tuple[dict[str, list[tuple[float, float]]], dict[str, int]]:
    """Every simulated user sends its share of interactions, pausing a random 0..2*think_seconds between them
    (0: back to back, the worst case for queueing); `escalation_share` of them are /escalation, the rest /ask.
    Returns (sent, answered) times per command; time.perf_counter() is CLOCK_MONOTONIC on Linux, so the bot's
    process can set them beside its own clock."""
    pause = random.Random(4)
    mix = random.Random(11)
    users = len(user_ids)
    questions, ladders = work["questions"], work["ladders"]
    timings: dict[str, list[tuple[float, float]]] = {"ask": [], "escalation": []}
    outcomes = {"answered": 0, "not_answered": 0, "escalations_with_picture": 0}

    async def simulated_user(index: int) -> None:
        share = n // users + (1 if index < n % users else 0)
        for turn in range(share):
            if think_seconds:
                await asyncio.sleep(pause.uniform(0, 2 * think_seconds))
            if ladders and mix.random() < escalation_share:
                ladder = ladders[(index + turn) % len(ladders)]
                interaction = await emulator.slash("escalation", {"ladder": ladder}, user=user_ids[index])
                callback = await emulator.wait_for_callback(interaction, timeout=30)
                timings["escalation"].append((interaction.sent_at, callback.time))
                outcomes["escalations_with_picture"] += bool((callback.json or {}).get("_files"))
                continue
            question = questions[(index * 7 + turn) % len(questions)]
            interaction = await emulator.slash("ask", {"question": question}, user=user_ids[index])
            callback = await emulator.wait_for_callback(interaction, timeout=30)
            timings["ask"].append((interaction.sent_at, callback.time))
            embeds = (callback.json or {}).get("data", {}).get("embeds")
            outcomes["answered" if embeds else "not_answered"] += 1

    await asyncio.gather(*(simulated_user(i) for i in range(users)))
    return timings, outcomes


def _discord_side(connection: Connection, n: int, users: int, think_seconds: float, escalation_share: float = 0.0) -> None:
    """Child process: the emulator and the simulated users, like Discord itself, away from the bot's loop."""
    # The emulator records every frame and request, so full garbage collections in this short-lived process
    # grow with the run and would show up as bot latency; Discord's side has no such pauses.
    gc.disable()
    # Discord's own processing is not the bot's latency: the fastest loop keeps the stand-in's share small.
    eventloop.run(_discord_side_async(connection, n, users, think_seconds, escalation_share))


async def _discord_side_async(
    connection: Connection, n: int, users: int, think_seconds: float, escalation_share: float
) -> None:
    async with DiscordEmulator() as emulator:
        user_ids = [emulator.add_member(f"bench-user-{i}") for i in range(users)]
        connection.send({"api_base": emulator.api_base, "gateway_url": emulator.gateway_url, "token": emulator.token})
        work = await asyncio.to_thread(connection.recv)  # sent once the bot is READY
        started, cpu_started = time.perf_counter(), time.process_time()
        timings, outcomes = await _drive_users(emulator, work, n, user_ids, think_seconds, escalation_share)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        connection.send({"timings": timings, "outcomes": outcomes, "wall": wall, "cpu": cpu})
        await asyncio.to_thread(connection.recv)  # the bot has closed; now the emulator may stop


async def run_bench(
    n: int = 1000,
    users: int = 50,
    *,
    think_seconds: float = 0.0,
    escalation_share: float = 0.0,
    kb_dir: Path | None = None,
    prompts_dir: Path | None = None,
) -> dict[str, Any]:
    """Send `n` interactions (/ask, and /escalation for `escalation_share` of them) from `users` concurrent
    simulated users; returns the figures.

    The emulator and the simulated users run in a child process (as Discord is remote), so the event-loop lag
    and the latencies are those of the bot's own process.
    """
    defaults = Settings()
    context = multiprocessing.get_context("spawn")
    bot_end, discord_end = context.Pipe()
    discord_side = context.Process(
        target=_discord_side, args=(discord_end, n, users, think_seconds, escalation_share), name="bench-discord",
        daemon=True,
    )
    discord_side.start()
    probe = LoopLagProbe()
    try:
        with tempfile.TemporaryDirectory(prefix="flx-bench-") as data_dir, _quiet_discord_logs():
            where = await asyncio.to_thread(bot_end.recv)
            settings = Settings(
                discord_token=where["token"],
                data_dir=Path(data_dir),
                kb_dir=kb_dir or defaults.kb_dir,
                prompts_dir=prompts_dir or defaults.prompts_dir,
                ask_cooldown_per_minute=0,  # each simulated user asks far more than 5 a minute
                message_content_intent=True,
            )
            bot = LawBot(settings, guild_ready_timeout=0.01)
            drawings = DrawingWindows(picture_cache(bot))
            async with running_bot_at(bot, ready_timeout=60, **where):
                probe.start()
                cpu_started = time.process_time()
                bot_end.send({"questions": _questions(bot), "ladders": sorted(bot.engine.kb.ladders)})
                result = await asyncio.to_thread(bot_end.recv)
                bot_cpu = time.process_time() - cpu_started
                await probe.stop()
            bot_end.send("stop")
    finally:
        await asyncio.to_thread(discord_side.join, 10)
        if discord_side.is_alive():
            discord_side.terminate()
    timings = result["timings"]
    latencies = sorted(answered - sent for sent, answered in timings["ask"])
    everything = latencies + [answered - sent for sent, answered in timings["escalation"]]
    wall = result["wall"]
    figures = {
        "interactions": len(everything),
        "users": users,
        "event_loop": eventloop.loop_name(asyncio.get_running_loop()),
        "think_seconds": think_seconds,
        "escalation_share": escalation_share,
        # p50/p99/max are those of /ask alone, so runs with and without the escalation mix compare directly.
        "p50_ms": _ms(percentile(latencies, 0.50)),
        "p99_ms": _ms(percentile(latencies, 0.99)),
        "max_ms": _ms(latencies[-1] if latencies else 0.0),
        "later_than_3s": sum(1 for latency in everything if latency > DISCORD_DEADLINE_SECONDS),
        "max_event_loop_lag_ms": _ms(probe.max_lag),
        "wall_seconds": round(wall, 2),
        "per_second": round(len(everything) / wall, 1) if wall else 0.0,
        # CPU per interaction on each side: shows whether the bot or the emulator limits throughput.
        "bot_cpu_ms_per_interaction": round(bot_cpu / max(1, len(everything)) * 1000, 3),
        "emulator_cpu_ms_per_interaction": round(result["cpu"] / max(1, len(everything)) * 1000, 3),
        **result["outcomes"],
    }
    if escalation_share:
        figures.update(_drawing_figures(timings, drawings, probe))
    return figures


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _drawing_figures(
    timings: dict[str, list[tuple[float, float]]], drawings: DrawingWindows, probe: LoopLagProbe
) -> dict[str, Any]:
    """/escalation latency, and /ask answers and event-loop lag while a drawing ran against the rest."""
    escalations = sorted(answered - sent for sent, answered in timings["escalation"])
    during = sorted(answered - sent for sent, answered in timings["ask"] if drawings.overlaps(sent, answered))
    lag_during = [lag for at, lag in probe.samples if drawings.overlaps(at - lag - LAG_PROBE_SECONDS, at)]
    lag_otherwise = [lag for at, lag in probe.samples if not drawings.overlaps(at - lag - LAG_PROBE_SECONDS, at)]
    return {
        "escalations": len(escalations),
        "escalation_p50_ms": _ms(percentile(escalations, 0.50)),
        "escalation_p99_ms": _ms(percentile(escalations, 0.99)),
        "drawings": len(drawings.windows),
        "drawing_ms": _ms(sum(end - start for start, end in drawings.windows)),
        "asks_during_drawing": len(during),
        "during_drawing_p50_ms": _ms(percentile(during, 0.50)),
        "during_drawing_max_ms": _ms(during[-1] if during else 0.0),
        "max_event_loop_lag_during_drawing_ms": _ms(max(lag_during, default=0.0)),
        "max_event_loop_lag_otherwise_ms": _ms(max(lag_otherwise, default=0.0)),
    }


SUMMARY_KEYS = ("p50_ms", "p99_ms", "max_ms", "max_event_loop_lag_ms", "per_second", "bot_cpu_ms_per_interaction")
DRAWING_SUMMARY_KEYS = ("escalation_p50_ms", "escalation_p99_ms", "drawing_ms", "asks_during_drawing",
                        "during_drawing_p50_ms", "during_drawing_max_ms", "max_event_loop_lag_during_drawing_ms",
                        "max_event_loop_lag_otherwise_ms")


def _summary_keys(runs: list[dict[str, Any]]) -> tuple[str, ...]:
    return SUMMARY_KEYS + tuple(key for key in DRAWING_SUMMARY_KEYS if all(key in run for run in runs))


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median and range of each run's figures: this machine's speed swings by up to half between runs."""
    summary: dict[str, Any] = {"runs": len(runs), "later_than_3s": sum(run["later_than_3s"] for run in runs)}
    for key in _summary_keys(runs):
        values = sorted(run[key] for run in runs)
        summary[key] = {"median": round(statistics.median(values), 2), "min": values[0], "max": values[-1]}
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="interactions in total (default 1000)")
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated users (default 50)")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between a user's questions, seconds")
    parser.add_argument("--runs", type=int, default=1, help="repeat with a fresh bot and emulator; print each and the median")
    parser.add_argument("--escalation-share", type=float, default=0.0,
                        help="share of the interactions that are /escalation (drawing ladder diagrams), e.g. 0.1")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    use_uvloop = Settings.from_env().uvloop  # the loop `python -m bot run` would use
    runs = []
    for _ in range(max(1, args.runs)):
        bench = run_bench(args.n, args.users, think_seconds=args.think, escalation_share=args.escalation_share)
        runs.append(eventloop.run(bench, use_uvloop=use_uvloop))
        if not args.json:
            _print_run(runs[-1])
    summary = summarize(runs)
    if args.json:
        print(json.dumps(runs[0] if len(runs) == 1 else {"runs": runs, "summary": summary}))
    elif len(runs) > 1:
        print(f"over {len(runs)} runs (median, min-max):")
        for key in _summary_keys(runs):
            figure = summary[key]
            print(f"  {key:38s} {figure['median']}  ({figure['min']}-{figure['max']})")
    return 0 if summary["later_than_3s"] == 0 else 1


def _print_run(figures: dict[str, Any]) -> None:
    print(
        f"/ask through the Discord emulator: {figures['interactions']} interactions, {figures['users']} users, "
        f"mean think time {figures['think_seconds']} s, bot on {figures['event_loop']}"
    )
    print(f"  /ask p50 {figures['p50_ms']} ms   p99 {figures['p99_ms']} ms   max {figures['max_ms']} ms")
    if "escalations" in figures:
        print(f"  /escalation: {figures['escalations']} ({figures['escalations_with_picture']} with the diagram), "
              f"p50 {figures['escalation_p50_ms']} ms   p99 {figures['escalation_p99_ms']} ms; "
              f"{figures['drawings']} drawings took {figures['drawing_ms']} ms")
        print(f"  /ask while a drawing ran: {figures['asks_during_drawing']}, p50 {figures['during_drawing_p50_ms']} ms, "
              f"max {figures['during_drawing_max_ms']} ms; event-loop lag during drawings "
              f"{figures['max_event_loop_lag_during_drawing_ms']} ms, otherwise {figures['max_event_loop_lag_otherwise_ms']} ms")
    print(f"  answered later than 3 s: {figures['later_than_3s']}")
    print(f"  largest event-loop lag: {figures['max_event_loop_lag_ms']} ms")
    print(f"  {figures['per_second']} interactions/s over {figures['wall_seconds']} s; "
          f"CPU per interaction: bot {figures['bot_cpu_ms_per_interaction']} ms, "
          f"emulator {figures['emulator_cpu_ms_per_interaction']} ms")


if __name__ == "__main__":
    raise SystemExit(main())
