"""The comparison point for the README: plain rank-bm25 over each entry's concatenated text.

No analyzer beyond lower-casing and splitting on word characters, no fields, no expansion, no abstention.
"""

from __future__ import annotations

import re

from rank_bm25 import BM25Okapi

from bot.engine.models import KnowledgeBase

_WORD = re.compile(r"\w+")


def plain_tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def entry_text(entry) -> str:
    parts = [entry.title, *entry.aliases, *entry.questions, entry.summary]
    parts += [f"{p.pinpoint} {p.text}" for p in entry.passages()]
    return " ".join(parts)


def baseline_metrics(kb: KnowledgeBase, questions) -> dict[str, float]:
    ids = list(kb.entries)
    model = BM25Okapi([plain_tokens(entry_text(kb.entries[i])) for i in ids])
    hit1 = hit3 = mrr = 0.0
    in_scope = [q for q in questions if q.expect]
    for question in in_scope:
        scores = model.get_scores(plain_tokens(question.text))
        ranking = sorted(range(len(ids)), key=lambda i: -scores[i])[:10]
        rank = next((r for r, i in enumerate(ranking, start=1) if ids[i] in question.expect and scores[i] > 0), None)
        if rank:
            mrr += 1 / rank
            hit1 += rank == 1
            hit3 += rank <= 3
    n = len(in_scope) or 1
    return {"hit1": hit1 / n, "hit3": hit3 / n, "mrr": mrr / n}
