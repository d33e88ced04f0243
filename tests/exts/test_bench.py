"""The Discord benchmark runs end to end (a small run; the real figures come from `python -m bot.discord_app.bench`)."""

from __future__ import annotations

from bot.discord_app.bench import percentile, run_bench, summarize
from tests.exts.conftest import ROOT, SMALL_KB


async def test_small_bench_run_reports_figures() -> None:
    """A 20-interaction run answers everything in time and reports latency and event-loop lag."""
    figures = await run_bench(20, 4, kb_dir=SMALL_KB, prompts_dir=ROOT / "prompts")
    assert figures["interactions"] == 20
    assert figures["answered"] + figures["not_answered"] == 20
    assert figures["later_than_3s"] == 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert figures["max_event_loop_lag_ms"] >= 0


async def test_escalation_mix_draws_and_reports_the_drawings() -> None:
    """With an escalation share, some interactions are /escalation with the diagram, drawn once per ladder and timed."""
    figures = await run_bench(20, 4, escalation_share=0.5, kb_dir=SMALL_KB, prompts_dir=ROOT / "prompts")
    assert figures["interactions"] == 20
    assert 0 < figures["escalations"] == figures["escalations_with_picture"] < 20
    assert figures["answered"] + figures["not_answered"] + figures["escalations"] == 20
    assert figures["drawings"] == 1  # the small KB has one ladder; later requests come from the cache
    assert figures["drawing_ms"] > 0 and figures["asks_during_drawing"] >= 0


def test_percentile_nearest_rank() -> None:
    """p50 and p99 use the nearest-rank definition."""
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (50.0, 99.0, 100.0)


def test_summary_gives_median_and_range_of_runs() -> None:
    """Several runs are summarised by median, minimum and maximum, and any late answer in any run counts."""
    runs = [
        {"p50_ms": p50, "p99_ms": p99, "max_ms": p99 + 1, "max_event_loop_lag_ms": 1.0, "per_second": 100.0,
         "bot_cpu_ms_per_interaction": 0.5, "later_than_3s": late}
        for p50, p99, late in ((10.0, 40.0, 0), (12.0, 60.0, 1), (11.0, 45.0, 0))
    ]
    summary = summarize(runs)
    assert summary["p99_ms"] == {"median": 45.0, "min": 40.0, "max": 60.0}
    assert summary["p50_ms"]["median"] == 11.0
    assert summary["later_than_3s"] == 1 and summary["runs"] == 3
