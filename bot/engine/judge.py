"""Whether to answer, and how likely the answer is right: two small logistic models over retrieval features.

Features of the best entry for a question: the share of the question's domain meaning it holds and the share
the knowledge base holds elsewhere (each word weighted by how much more this domain uses it than general
English, so "year", "aunt" or "tiktok" weigh little and "WRO" or "UFLPA" a lot), that found meaning in absolute
terms (about three specific words found is full evidence), the idf coverage, the BM25 score against the best
possible, the overlap with the entry's nearest curated question, whether it holds the field's jargon, and the
ranker's margin over the runner-up. One model gives the probability that the question is in the knowledge
base's domain (answer when it is at least `threshold`); the other the probability that the entry it picked is
the right one, which is the `confidence` users see. Both are fitted on tests/eval/dev only (`python -m bot eval
--tune`), never on the frozen test set, and kept in judge.json; features were chosen by cross-validation on dev
(`python -m bot eval --cv`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.logistic import Logistic
from bot.engine.ranker import RANK_FEATURES, Ranker
from bot.engine.retrieval import Evidence, SearchResult
from bot.engine.word_odds import WordOdds

FEATURES = ("found", "missing_known", "mass", "coverage", "normalized", "question_match", "jargon", "rank_margin",
            "unmentioned_place", "out_of_scope_word")
WEIGHTS_FILE = Path(__file__).with_name("judge.json")
DIGITS = 9  # saved weights: float sums in another order differ past here, and a refit should not churn the file
MASS_CAP = 3.0  # found domain words beyond about three specific ones add no more evidence
HIGH, MEDIUM = 0.8, 0.5  # confidence labels: high from 0.8, medium from 0.5, low below


def features(result: SearchResult, odds: WordOdds | None = None) -> list[float]:
    top = result.top
    evidence = result.evidence or Evidence()
    return [
        evidence.found,
        evidence.missing_known,
        min(evidence.mass, MASS_CAP) / MASS_CAP,
        result.coverage,
        min(result.normalized_top, 1.0),
        top.question_match if top else 0.0,
        float(evidence.jargon),
        math.tanh(result.rank_margin),
        float(result.unmentioned_place),
        odds.strongest(result.unfound_terms) if odds else 0.0,
    ]


@dataclass(frozen=True)
class Judge:
    in_domain: Logistic
    correct: Logistic
    threshold: float = 0.5
    ranker: Ranker | None = None
    word_odds: WordOdds = field(default_factory=WordOdds)
    # Dev questions by the entry they expect: searched like curated questions (see train.py).
    learned_questions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def answers(self, result: SearchResult) -> bool:
        return result.top is not None and self.in_domain.probability(features(result, self.word_odds)) >= self.threshold

    def confidence(self, result: SearchResult) -> float:
        return round(self.correct.probability(features(result, self.word_odds)), 3) if result.top is not None else 0.0

    def to_json(self) -> dict:
        return {
            "features": list(FEATURES),
            "in_domain": {"weights": _rounded(self.in_domain.weights), "bias": round(self.in_domain.bias, DIGITS)},
            "correct": {"weights": _rounded(self.correct.weights), "bias": round(self.correct.bias, DIGITS)},
            "threshold": self.threshold,
            **({"ranker": {"features": list(RANK_FEATURES), "weights": _rounded(self.ranker.model.weights)}}
               if self.ranker else {}),
            "word_odds": self.word_odds.odds,
            "learned_questions": {entry_id: list(texts) for entry_id, texts in self.learned_questions.items()},
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
        odds = WordOdds({str(term): float(value) for term, value in (data.get("word_odds") or {}).items()})
        learned = {str(entry_id): tuple(str(text) for text in texts)
                   for entry_id, texts in (data.get("learned_questions") or {}).items()}
        return cls(*models, threshold=float(data["threshold"]), ranker=ranker, word_odds=odds, learned_questions=learned)

    @classmethod
    def untrained(cls) -> Judge:
        """A judge that answers everything at even confidence: what tuning starts from (a saved judge may have
        been fitted on other features)."""
        flat = Logistic((0.0,) * len(FEATURES), 0.0)
        return cls(flat, flat, threshold=0.5)

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> Judge:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path = WEIGHTS_FILE) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")


def _rounded(weights: tuple[float, ...]) -> list[float]:
    return [round(w, DIGITS) for w in weights]


def confidence_label(confidence: float) -> str:
    return "high" if confidence >= HIGH else "medium" if confidence >= MEDIUM else "low"
