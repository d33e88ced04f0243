"""Whether to answer, and how likely the answer is right: two small logistic models over retrieval features.

Features of the best entry for a question: how much of the question's domain meaning it holds (terms weighted
by idf x how rare the word is in general English, so "year" or "tiktok" weigh little and "WRO" a lot), the
domain meaning it misses (split into words the knowledge base has elsewhere and words it never uses), that
found meaning in absolute terms, the plain idf coverage, the BM25 score against the best possible, the margin
over the runner-up, and the overlap with the entry's nearest curated question. One model gives the probability
that the question is in the knowledge base's domain (answer when it is at least `threshold`); the other the
probability that the entry it picked is the right one, which is the `confidence` users see. Both are fitted
on tests/eval/dev only (`python -m bot eval --tune`), never on the frozen test set, and kept in judge.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot.engine.logistic import Logistic
from bot.engine.ranker import RANK_FEATURES, Ranker
from bot.engine.retrieval import Evidence, SearchResult

FEATURES = ("found", "missing_known", "missing_unknown", "mass", "coverage", "normalized", "margin",
            "question_match", "known", "jargon")
WEIGHTS_FILE = Path(__file__).with_name("judge.json")
HIGH, MEDIUM = 0.8, 0.5  # confidence labels: high from 0.8, medium from 0.5, low below


def features(result: SearchResult) -> list[float]:
    top = result.top
    evidence = result.evidence or Evidence()
    return [
        evidence.found,
        evidence.missing_known,
        evidence.missing_unknown,
        min(evidence.mass, 3.0) / 3.0,
        result.coverage,
        min(result.normalized_top, 1.0),
        result.margin,
        top.question_match if top else 0.0,
        result.known,
        float(evidence.jargon),
    ]


@dataclass(frozen=True)
class Judge:
    in_domain: Logistic
    correct: Logistic
    threshold: float = 0.5
    ranker: Ranker | None = None

    def answers(self, result: SearchResult) -> bool:
        return result.top is not None and self.in_domain.probability(features(result)) >= self.threshold

    def confidence(self, result: SearchResult) -> float:
        return round(self.correct.probability(features(result)), 3) if result.top is not None else 0.0

    def to_json(self) -> dict:
        return {
            "features": list(FEATURES),
            "in_domain": {"weights": list(self.in_domain.weights), "bias": self.in_domain.bias},
            "correct": {"weights": list(self.correct.weights), "bias": self.correct.bias},
            "threshold": self.threshold,
            **({"ranker": {"features": list(RANK_FEATURES), "weights": list(self.ranker.model.weights)}}
               if self.ranker else {}),
        }

    @classmethod
    def from_json(cls, data: dict) -> Judge:
        if tuple(data["features"]) != FEATURES:
            raise ValueError("judge.json was fitted on other features; run `python -m bot eval --tune`")
        models = [Logistic(tuple(data[name]["weights"]), float(data[name]["bias"])) for name in ("in_domain", "correct")]
        ranker = None
        if "ranker" in data:
            if tuple(data["ranker"]["features"]) != RANK_FEATURES:
                raise ValueError("judge.json's ranker was fitted on other features; run `python -m bot eval --tune`")
            ranker = Ranker(Logistic(tuple(data["ranker"]["weights"]), 0.0))
        return cls(*models, threshold=float(data["threshold"]), ranker=ranker)

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> Judge:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path = WEIGHTS_FILE) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")


def confidence_label(confidence: float) -> str:
    return "high" if confidence >= HIGH else "medium" if confidence >= MEDIUM else "low"
