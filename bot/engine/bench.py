"""`python -m bot bench`: index build time, query latency and peak memory, ours versus rank-bm25.

Each measurement runs in a fresh interpreter (spawn) so peak RSS belongs to that index alone. Synthetic
corpora are drawn from the shipped knowledge base's own vocabulary, term frequencies and passage lengths;
queries are the evaluation questions' analyzed tokens, identical for both scorers.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import resource
import statistics
import time
from collections import Counter
from pathlib import Path

TOP_K = 10
CHECK_QUERIES = 40


def _kb_material(kb_dir: str, prompts_dir: str):
    from bot.engine.analysis import analyze
    from bot.engine.evaluate import load_questions
    from bot.engine.service import Engine
    from bot.settings import PROJECT_ROOT

    started = time.perf_counter()
    engine = Engine.load(Path(kb_dir), Path(prompts_dir))
    startup = time.perf_counter() - started
    questions = [q.text for q in load_questions([PROJECT_ROOT / "tests" / "eval"])]
    queries = [t for t in (analyze(q) for q in questions) if t]
    return engine, startup, queries


def _synthetic(engine, size: int, seed: int = 7) -> list[list[str]]:
    from bot.engine.retrieval import passage_tokens

    documents = [
        passage_tokens(engine.kb.entries[p.entry_id], engine.kb.entries[p.entry_id].passages()[p.index].text,
                       engine.kb.entries[p.entry_id].passages()[p.index].pinpoint, engine.retriever.questions[p.entry_id])
        for p in engine.retriever.passages
    ]
    counts = Counter(t for doc in documents for t in doc)
    vocab, weights = zip(*counts.items(), strict=True)
    lengths = [len(d) for d in documents]
    rng = random.Random(seed)
    return [rng.choices(vocab, weights, k=rng.choice(lengths)) for _ in range(size)]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


def _measure(job: tuple) -> dict:
    """Runs in a child process: build one index over one corpus and time queries."""
    scorer, size, n_queries, kb_dir, prompts_dir = job
    engine, startup, queries = _kb_material(kb_dir, prompts_dir)
    base_rss = _rss_mb()
    documents = None if size is None else _synthetic(engine, size)
    rng = random.Random(11)
    workload = [queries[i % len(queries)] for i in range(n_queries)]
    rng.shuffle(workload)
    check = queries[:CHECK_QUERIES]
    result: dict = {"startup_s": startup}
    if scorer == "ours":
        from bot.engine.index import BM25Index

        if documents is None:
            index = engine.retriever.index
            started = time.perf_counter()
            BM25Index([_tokens_of(engine, i) for i in range(len(engine.retriever.passages))])
            build = time.perf_counter() - started
        else:
            started = time.perf_counter()
            index = BM25Index(documents)
            build = time.perf_counter() - started
        timings = []
        for query in workload:
            started = time.perf_counter()
            index.top(query, TOP_K)
            timings.append(time.perf_counter() - started)
        result["top"] = [index.top(q, TOP_K) for q in check]
    else:
        import numpy as np
        from rank_bm25 import BM25Okapi

        docs = documents if documents is not None else [
            _tokens_of(engine, i) for i in range(len(engine.retriever.passages))
        ]
        started = time.perf_counter()
        model = BM25Okapi(docs)
        build = time.perf_counter() - started

        def top(query):
            scores = model.get_scores(query)
            keep = np.argsort(-scores, kind="stable")[:TOP_K]
            return [(int(i), float(scores[i])) for i in keep if scores[i] > 0]

        timings = []
        for query in workload:
            started = time.perf_counter()
            top(query)
            timings.append(time.perf_counter() - started)
        result["top"] = [top(q) for q in check]
    result["passages"] = len(documents) if documents is not None else len(engine.retriever.passages)
    result["build_s"] = build
    result["p50_ms"], result["p99_ms"] = _percentiles(timings)
    result["queries"] = len(timings)
    result["rss_mb"] = _rss_mb()
    result["rss_over_base_mb"] = result["rss_mb"] - base_rss
    return result


def _tokens_of(engine, doc_id: int) -> list[str]:
    from bot.engine.retrieval import passage_tokens

    passage = engine.retriever.passages[doc_id]
    entry = engine.kb.entries[passage.entry_id]
    excerpt = entry.passages()[passage.index]
    return passage_tokens(entry, excerpt.text, excerpt.pinpoint, engine.retriever.questions[entry.id])


def _agree(ours: list, reference: list) -> bool:
    """Top-10 agree: same scores in the same order (ids may differ only among exact ties)."""
    for mine, theirs in zip(ours, reference, strict=True):
        if len(mine) != len(theirs):
            return False
        for (id_a, score_a), (id_b, score_b) in zip(mine, theirs, strict=True):
            if abs(score_a - score_b) > 1e-9:
                return False
            if id_a != id_b and not any(abs(s - score_a) <= 1e-9 for i, s in theirs if i == id_a):
                return False
    return True


def run_bench(settings, quick: bool = False) -> list[dict]:
    corpora = [("shipped KB", None), ("synthetic 2k", 2_000), ("synthetic 10k", 10_000)] if quick else [
        ("shipped KB", None), ("synthetic 10k", 10_000), ("synthetic 100k", 100_000)
    ]
    ours_queries = 1000 if quick else 2000
    context = mp.get_context("spawn")
    rows = []
    started = time.perf_counter()
    with context.Pool(1, maxtasksperchild=1) as pool:
        for name, size in corpora:
            ref_queries = 1000 if (size or 0) <= 10_000 else 60
            if quick and size and size > 2_000:
                ref_queries = 200
            ours = pool.apply(_measure, (("ours", size, ours_queries, str(settings.kb_dir), str(settings.prompts_dir)),))
            ref = pool.apply(_measure, (("rank_bm25", size, ref_queries, str(settings.kb_dir), str(settings.prompts_dir)),))
            rows.append({"corpus": name, "ours": ours, "ref": ref, "agree": _agree(ours["top"], ref["top"])})
            if len(rows) == 1:
                print(_header(), flush=True)
            print(_row(rows[-1]), flush=True)
    startup = rows[0]["ours"]["startup_s"]
    print(f"\nstart-up (load, validate and index the shipped KB): {startup * 1000:.0f} ms")
    print(f"bench finished in {time.perf_counter() - started:.1f} s")
    return rows


def _header() -> str:
    return (f"{'corpus':16} {'passages':>9} | {'build s':>8} {'p50 ms':>8} {'p99 ms':>8} {'RSS MB':>7} | "
            f"{'rank-bm25 build':>15} {'p50 ms':>8} {'p99 ms':>8} {'RSS MB':>7} {'(n)':>5} | {'speed-up p50':>12} {'top10':>6}")


def _row(row: dict) -> str:
    ours, ref = row["ours"], row["ref"]
    speedup = ref["p50_ms"] / ours["p50_ms"] if ours["p50_ms"] else float("inf")
    return (f"{row['corpus']:16} {ours['passages']:>9,} | {ours['build_s']:>8.2f} {ours['p50_ms']:>8.3f} {ours['p99_ms']:>8.3f} "
            f"{ours['rss_mb']:>7.0f} | {ref['build_s']:>15.2f} {ref['p50_ms']:>8.2f} {ref['p99_ms']:>8.2f} {ref['rss_mb']:>7.0f} "
            f"{ref['queries']:>5} | {speedup:>11.0f}x {'agree' if row['agree'] else 'DIFFER':>6}")
