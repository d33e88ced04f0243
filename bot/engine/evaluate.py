"""Evaluation on a question set: hit@1, hit@3, MRR, abstention precision and recall.

A question set is one or more YAML files with `in_scope: [{q, expect: [entry ids]}]` and
`out_of_scope: [text]`. Metrics use the ranking whether or not the engine abstains (hit@k, MRR),
plus the abstention decision itself (an in-scope question that abstains is a failure of its own).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.engine.retrieval import SearchResult
from bot.engine.service import Abstention, Engine


@dataclass(frozen=True)
class EvalQuestion:
    text: str
    expect: tuple[str, ...]  # empty: out of scope
    file: str = ""


@dataclass
class EvalReport:
    in_scope: int = 0
    out_of_scope: int = 0
    hit1: float = 0.0
    hit3: float = 0.0
    mrr: float = 0.0
    abstain_precision: float = 0.0  # of the questions it abstained on, the share that were out of scope
    abstain_recall: float = 0.0  # of the out-of-scope questions, the share it abstained on
    in_scope_abstained: float = 0.0  # share of in-scope questions it wrongly abstained on
    failures: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"questions: {self.in_scope} in scope, {self.out_of_scope} out of scope",
            f"hit@1 {self.hit1:.3f}  hit@3 {self.hit3:.3f}  MRR {self.mrr:.3f}",
            f"abstention precision {self.abstain_precision:.3f}  recall {self.abstain_recall:.3f}  "
            f"in-scope abstained {self.in_scope_abstained:.3f}",
        ]


def load_questions(paths: list[Path]) -> list[EvalQuestion]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    questions: list[EvalQuestion] = []
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for item in data.get("in_scope", []) or []:
            questions.append(EvalQuestion(str(item["q"]), tuple(item["expect"]), file.name))
        for text in data.get("out_of_scope", []) or []:
            questions.append(EvalQuestion(str(text), (), file.name))
    return questions


def _search(engine: Engine, question: EvalQuestion) -> SearchResult | None:
    from bot.engine.analysis import analyze

    if len(question.text) > engine.max_chars or not analyze(question.text):
        return None
    return engine.retriever.search(question.text)


def evaluate(engine: Engine, questions: list[EvalQuestion], abstention: Abstention | None = None,
             results: list[SearchResult | None] | None = None) -> EvalReport:
    abstention = abstention or engine.abstention
    results = results if results is not None else [_search(engine, q) for q in questions]
    report = EvalReport()
    reciprocal = hits1 = hits3 = 0.0
    abstained_in = abstained_out = 0
    for question, result in zip(questions, results, strict=True):
        answered = result is not None and abstention.answers(result)
        ranking = [r.entry.id for r in result.ranked] if result else []
        if not question.expect:
            report.out_of_scope += 1
            if answered:
                report.failures.append(f"answered out-of-scope: {question.text!r} -> {ranking[:1]}")
            else:
                abstained_out += 1
            continue
        report.in_scope += 1
        rank = next((i for i, eid in enumerate(ranking, start=1) if eid in question.expect), None)
        if rank:
            reciprocal += 1 / rank
            hits1 += rank == 1
            hits3 += rank <= 3
        if not answered:
            abstained_in += 1
            if result is not None:
                detail = f"cov {result.coverage:.2f} norm {result.normalized_top:.3f} margin {result.margin:.2f}"
            else:
                detail = "no search"
            report.failures.append(f"abstained in-scope: {question.text!r} (want {question.expect[0]}; {detail})")
        elif rank != 1:
            report.failures.append(
                f"rank {rank or '-'}: {question.text!r} want {list(question.expect)} got {ranking[:3]}"
            )
    if report.in_scope:
        report.hit1, report.hit3 = hits1 / report.in_scope, hits3 / report.in_scope
        report.mrr = reciprocal / report.in_scope
        report.in_scope_abstained = abstained_in / report.in_scope
    abstained = abstained_in + abstained_out
    report.abstain_precision = abstained_out / abstained if abstained else 1.0
    report.abstain_recall = abstained_out / report.out_of_scope if report.out_of_scope else 1.0
    return report


def tune(engine: Engine, questions: list[EvalQuestion]) -> tuple[Abstention, EvalReport]:
    """Grid-search the abstention rule; prefer rules that meet both floors, then the fewest mistakes."""
    results = [_search(engine, q) for q in questions]
    best: tuple[tuple, Abstention, EvalReport] | None = None
    grid = itertools.product(
        [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6],  # min_coverage
        [0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15],  # min_normalized
        [0.0, 0.05, 0.1, 0.15, 0.2, 0.3],  # min_margin_when_weak
        [0.7, 0.75, 0.8, 0.9, 1.01],  # strong_coverage
        [0.0, 0.5, 0.6, 0.7, 0.75, 0.8],  # min_known
    )
    for cov, norm, margin, strong, known in grid:
        if strong < cov:
            continue
        rule = Abstention(cov, norm, margin, strong, known)
        report = evaluate(engine, questions, rule, results)
        meets = report.abstain_recall >= 0.95 and report.in_scope_abstained <= 0.05
        errors = report.in_scope_abstained * report.in_scope + (1 - report.abstain_recall) * report.out_of_scope
        key = (not meets, errors, -cov)
        if best is None or key < best[0]:
            best = (key, rule, report)
    assert best is not None
    return best[1], best[2]
