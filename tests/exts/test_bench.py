"""The Discord benchmark runs end to end (a small run; the real figures come from `python -m bot.discord_app.bench`)."""

from __future__ import annotations

from bot.discord_app.bench import percentile, run_bench
from tests.exts.conftest import ROOT, SMALL_KB


async def test_small_bench_run_reports_figures() -> None:
    """A 20-interaction run answers everything in time and reports latency and event-loop lag."""
    figures = await run_bench(20, 4, kb_dir=SMALL_KB, prompts_dir=ROOT / "prompts")
    assert figures["interactions"] == 20
    assert figures["answered"] + figures["not_answered"] == 20
    assert figures["later_than_3s"] == 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert figures["max_event_loop_lag_ms"] >= 0


def test_percentile_nearest_rank() -> None:
    """p50 and p99 use the nearest-rank definition."""
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (50.0, 99.0, 100.0)
