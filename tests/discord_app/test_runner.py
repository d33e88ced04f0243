"""The process around the bot: health over real HTTP, graceful shutdown on SIGTERM, reload on SIGHUP."""

import asyncio
import contextlib
import dataclasses
import json
import os
import resource
import signal
from pathlib import Path

import aiohttp
import pytest

from bot.discord_app.bench import LoopLagProbe
from bot.discord_app.bot import LawBot
from bot.discord_app.runner import serve
from bot.testing.discord_emulator import CALLBACK_ROUTE, DiscordEmulator
from tests.engine.hostile_yaml import billion_laughs


async def eventually(predicate, timeout: float = 5.0, every: float = 0.02):
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        await asyncio.sleep(every)
    raise AssertionError("condition not met in time")


@contextlib.asynccontextmanager
async def served(emulator: DiscordEmulator, settings):
    settings = dataclasses.replace(settings, health_port=0)
    client = LawBot(settings, guild_ready_timeout=0.05)
    with emulator.patch_discord():
        task = asyncio.create_task(serve(settings, client=client), name="serve-under-test")
        try:
            await eventually(lambda: client.is_ready() or task.done())
            assert not task.done(), task
            yield client, task, f"http://127.0.0.1:{client.health_server.port}"
        finally:
            if not task.done():
                await client.shutdown()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 10)


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_health_ready_and_metrics_over_http(emulator, settings):
    """/healthz, /readyz (gateway, knowledge base, database) and /metrics answer over real HTTP."""
    async with served(emulator, settings) as (client, _, base):
        assert await get(f"{base}/healthz") == (200, "ok\n")
        status, body = await get(f"{base}/readyz")
        assert status == 200 and '"gateway": true' in body and '"database": true' in body
        await emulator.wait_for_callback(await emulator.slash("ask", {"question": "what is a WRO"}))
        _, metrics = await get(f"{base}/metrics")
        assert 'flx_questions_total{outcome="answered"} 1.0' in metrics
        assert f"flx_kb_entries {float(len(client.engine.kb.entries))}" in metrics


async def test_readyz_turns_503_as_soon_as_shutdown_begins(emulator, settings):
    """While a graceful shutdown drains work in flight, /readyz is 503 so traffic moves elsewhere."""
    async with served(emulator, settings) as (client, _task, base):
        emulator.fail_next(CALLBACK_ROUTE, status=429, retry_after=0.5)
        interaction = await emulator.slash("ask", {"question": "what is a WRO"})
        await eventually(lambda: emulator.requests_for(CALLBACK_ROUTE, status=429))
        os.kill(os.getpid(), signal.SIGTERM)
        await eventually(lambda: not client.accepting_work)
        status, body = await get(f"{base}/readyz")
        assert status == 503 and '"accepting_work": false' in body
        await emulator.wait_for_callback(interaction, timeout=5)


async def test_sigterm_finishes_work_in_flight_then_stops_cleanly(emulator, settings):
    """SIGTERM while an answer is mid-flight: the answer is still delivered, then gateway and database close."""
    async with served(emulator, settings) as (client, task, _):
        emulator.fail_next(CALLBACK_ROUTE, status=429, retry_after=0.5)  # keeps the reply in flight for 0.5 s
        interaction = await emulator.slash("ask", {"question": "what is a WRO"})
        await eventually(lambda: emulator.requests_for(CALLBACK_ROUTE, status=429))
        os.kill(os.getpid(), signal.SIGTERM)
        callback = await emulator.wait_for_callback(interaction, timeout=5)
        assert callback.status == 200 and callback.json["data"]["embeds"]
        assert await asyncio.wait_for(task, 10) == 0
        assert client.is_closed() and client.db is None
        await eventually(lambda: not emulator.connected)


async def test_new_questions_during_shutdown_get_a_restarting_reply(emulator, settings):
    """After shutdown has begun, a new slash command is told the bot is restarting instead of being dropped."""
    async with served(emulator, settings) as (client, _, _):
        client.accepting_work = False  # the first step of shutdown()
        callback = await emulator.wait_for_callback(await emulator.slash("ask", {"question": "what is a WRO"}))
        assert "restarting" in callback.json["data"]["content"]
        assert callback.json["data"]["flags"] & 64  # ephemeral
        client.accepting_work = True


async def test_sighup_reloads_the_knowledge_base(emulator, settings, kb_dir):
    """SIGHUP swaps in an edited knowledge base without a restart."""
    async with served(emulator, settings) as (client, _, _):
        path = kb_dir / "entries.yaml"
        path.write_text(path.read_text().replace("A CBP order telling ports", "SIGHUP-reloaded, a CBP order"))
        os.kill(os.getpid(), signal.SIGHUP)
        await eventually(lambda: client.engine.explain("glossary-wro").lead.startswith("SIGHUP-reloaded"))


async def test_sighup_with_broken_files_keeps_serving_the_old_knowledge_base(emulator, settings, kb_dir):
    """A broken edit followed by SIGHUP leaves the previous knowledge base answering."""
    async with served(emulator, settings) as (client, _, _):
        before = client.engine
        failures = client.metrics.kb_reloads.labels(result="failed")
        (kb_dir / "entries.yaml").write_text("entries:\n  - id: [broken\n")
        os.kill(os.getpid(), signal.SIGHUP)
        await eventually(lambda: failures._value.get() >= 1)
        assert client.engine is before
        callback = await emulator.wait_for_callback(await emulator.slash("ask", {"question": "what is a WRO"}))
        assert callback.json["data"]["embeds"]


@contextlib.contextmanager
def address_space_cap(extra: int = 1 << 30):
    """Cap this process's memory growth, so a regression to the billion-laughs blow-up fails instead of taking gigabytes."""
    status = Path("/proc/self/status").read_text()
    size_kb = int(next(line for line in status.splitlines() if line.startswith("VmSize:")).split()[1])
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (size_kb * 1024 + extra, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.mark.parametrize("levels", [9, 6])
async def test_sighup_with_a_billion_laughs_file_keeps_answering(emulator, settings, kb_dir, caplog, levels):
    """SIGHUP with a billion-laughs file: the reload fails in under 2 s with one problem, reading it stays under
    200 MB, the event loop never lags 100 ms, /ask keeps answering and /readyz shows the failed reload."""
    caplog.set_level("WARNING", logger="bot.discord_app.bot")
    with address_space_cap():
        async with served(emulator, settings) as (client, _, base):
            before = client.engine
            loop = asyncio.get_running_loop()
            probe = LoopLagProbe()
            probe.start()
            (kb_dir / "laughs.yaml").write_text(billion_laughs(levels))
            started = loop.time()
            os.kill(os.getpid(), signal.SIGHUP)
            interaction = await emulator.slash("ask", {"question": "what is a WRO"})
            await eventually(lambda: client.engines.last_reload is not None, timeout=15)
            elapsed = loop.time() - started
            callback = await emulator.wait_for_callback(interaction)
            await probe.stop()
            result = client.engines.last_reload
            expected = "kb/laughs.yaml:2: YAML anchors are not allowed in knowledge files (found &a); write the value out in full"
            assert not result.ok and result.problems == (expected,)
            assert elapsed < 2 and result.reader_peak_mb < 200 and probe.max_lag < 0.1, (elapsed, result, probe.max_lag)
            assert client.engine is before and callback.json["data"]["embeds"]
            status, body = await get(f"{base}/readyz")
            assert status == 200 and json.loads(body)["last_reload"]["first_problems"] == [expected]
    [logged] = [r for r in caplog.records if "reload failed" in r.getMessage()]
    assert expected in logged.getMessage()


@pytest.mark.parametrize("signum", [signal.SIGINT])
async def test_sigint_also_shuts_down_gracefully(emulator, settings, signum):
    """Ctrl-C (SIGINT) takes the same graceful path as SIGTERM."""
    async with served(emulator, settings) as (client, task, _):
        os.kill(os.getpid(), signum)
        assert await asyncio.wait_for(task, 10) == 0
        assert client.is_closed()


@pytest.mark.parametrize("log_user_ids", [False, True])
async def test_one_log_line_per_question_with_latency_and_outcome(emulator, settings, caplog, log_user_ids):
    """Each question logs outcome and latency; the user id only when LOG_USER_IDS is on."""
    settings = dataclasses.replace(settings, log_user_ids=log_user_ids)
    caplog.set_level("INFO", logger="bot.exts.ask.ask")
    async with served(emulator, settings):
        await emulator.wait_for_callback(await emulator.slash("ask", {"question": "what is a WRO"}))
    [record] = [r for r in caplog.records if getattr(r, "fields", {}).get("event") == "question"]
    assert record.fields["outcome"] == "answered" and record.fields["latency_ms"] >= 0
    assert ("user_id" in record.fields) is log_user_ids


async def test_unreachable_database_at_start_up_is_reported_as_the_database(emulator, settings, caplog):
    """A DATABASE_URL nobody listens on stops start-up with a message naming the database, never "cannot reach Discord"."""
    settings = dataclasses.replace(settings, health_port=-1, database_url="postgresql://flx:s3cret@127.0.0.1:1/flx")
    caplog.set_level("ERROR", logger="bot.discord_app.runner")
    with emulator.patch_discord():
        assert await serve(settings, client=LawBot(settings, guild_ready_timeout=0.05)) == 1
    [record] = [r for r in caplog.records if r.name == "bot.discord_app.runner" and r.levelname == "ERROR"]
    message = record.getMessage()
    assert "PostgreSQL at 127.0.0.1:1/flx" in message and "Discord" not in message and "s3cret" not in message
