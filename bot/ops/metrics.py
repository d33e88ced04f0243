"""Prometheus metrics for the bot, on a registry of its own (tests and several bots never collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter("flx_questions", "Questions asked, by outcome (answered, not_covered, empty, "
                                 "too_long)", ["outcome"], registry=self.registry)
        self.answer_latency = Histogram("flx_answer_latency_seconds", "Time to compose an answer",
                                        buckets=LATENCY_BUCKETS, registry=self.registry)
        self.feedback = Counter("flx_feedback", "Feedback clicks, by kind (helpful, not_helpful)", ["kind"],
                                registry=self.registry)
        self.kb_entries = Gauge("flx_kb_entries", "Entries in the knowledge base being served", registry=self.registry)
        self.kb_reloads = Counter("flx_kb_reloads", "Knowledge base reloads, by result (ok, failed)", ["result"],
                                  registry=self.registry)
        self.gateway_latency = Gauge("flx_gateway_latency_seconds", "Discord gateway heartbeat latency",
                                     registry=self.registry)
        self.storage_errors = Counter("flx_storage_errors", "Database operations that failed because storage was "
                                      "unavailable (down, frozen, timed out), by operation", ["operation"],
                                      registry=self.registry)
        self.storage_writes_dropped = Counter("flx_storage_writes_dropped", "Best-effort writes (unanswered log, "
                                              "feedback) dropped during a storage outage, by operation", ["operation"],
                                              registry=self.registry)
        self.command_errors = Counter("flx_command_errors", "Unhandled errors, by command", ["command"],
                                      registry=self.registry)

    def record_answer(self, outcome: str, seconds: float) -> None:
        self.questions.labels(outcome=outcome).inc()
        self.answer_latency.observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
