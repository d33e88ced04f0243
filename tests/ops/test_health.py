import aiohttp
import pytest

from bot.ops.health import HealthServer
from bot.ops.metrics import Metrics


@pytest.fixture
async def server():
    state = {"gateway": True, "kb": True}

    async def database_ok() -> bool:
        return state.get("db", True)

    metrics = Metrics()
    health = HealthServer(metrics, {"gateway": lambda: state["gateway"], "kb": lambda: state["kb"],
                                    "database": database_ok}, port=0)
    port = await health.start()
    async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as session:
        yield session, state, metrics
    await health.stop()


async def test_healthz_answers_ok_over_http(server):
    """/healthz answers 200 while the process is alive."""
    session, _, _ = server
    async with session.get("/healthz") as response:
        assert response.status == 200 and (await response.text()).strip() == "ok"


async def test_readyz_is_200_when_every_check_passes(server):
    """/readyz is 200 with each check listed when all pass."""
    session, _, _ = server
    async with session.get("/readyz") as response:
        assert response.status == 200
        assert await response.json() == {"ready": True, "checks": {"gateway": True, "kb": True, "database": True}}


async def test_readyz_is_503_when_gateway_is_down(server):
    """/readyz is 503 and names the failing check when the gateway is disconnected."""
    session, state, _ = server
    state["gateway"] = False
    async with session.get("/readyz") as response:
        assert response.status == 503
        assert (await response.json())["checks"]["gateway"] is False


async def test_readyz_treats_a_raising_check_as_not_ready(server):
    """A check that raises makes /readyz 503 instead of a server error."""
    session, state, _ = server
    state.pop("kb")
    async with session.get("/readyz") as response:
        assert response.status == 503


async def test_metrics_exposes_prometheus_text(server):
    """/metrics serves the counters and the latency histogram in Prometheus text format."""
    session, _, metrics = server
    metrics.record_answer("answered", 0.004)
    metrics.record_answer("not_covered", 0.002)
    metrics.kb_entries.set(160)
    async with session.get("/metrics") as response:
        text = await response.text()
        assert response.headers["Content-Type"].startswith("text/plain")
    assert 'flx_questions_total{outcome="answered"} 1.0' in text
    assert 'flx_answer_latency_seconds_bucket{le="0.005"} 2.0' in text
    assert "flx_kb_entries 160.0" in text


async def test_readyz_body_carries_details_without_changing_readiness():
    """Details (such as the last reload's result) appear in /readyz's body; a failing one is null, still 200."""
    last_reload = {"ok": False, "problems": 2, "first_problems": ["kb/a.yaml:3: bad"]}

    def broken() -> dict:
        raise RuntimeError("detail")

    health = HealthServer(Metrics(), {"gateway": lambda: True}, port=0,
                          details={"last_reload": lambda: last_reload, "broken": broken})
    port = await health.start()
    try:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/readyz") as response:
            assert response.status == 200
            body = await response.json()
    finally:
        await health.stop()
    assert body["last_reload"] == last_reload and body["broken"] is None and body["ready"] is True
