"""The JSON shape of `ask --json`: a stable interface, so field names never change."""

from __future__ import annotations

from bot.engine.answer import Answer


def answer_to_dict(answer: Answer) -> dict:
    return {
        "question": answer.question,
        "answered": answer.answered,
        "confidence": answer.confidence,
        "answer": answer.lead if answer.answered else answer.message,
        "citations": [
            {
                "rank": c.rank,
                "entry_id": c.entry_id,
                "title": c.title,
                "excerpt": c.excerpt,
                "source_id": c.source_id,
                "source_title": c.source_title,
                "pinpoint": c.pinpoint,
                "url": c.url,
                "score": c.score,
            }
            for c in answer.citations
        ],
        "suggestions": [{"entry_id": t.entry_id, "title": t.title} for t in answer.suggestions],
        # Additions after the fields above; consumers may ignore them.
        "reason": answer.reason,
        "entry_id": answer.entry_id,
        "last_reviewed": answer.last_reviewed,
        "disclaimer": answer.disclaimer,
        "alternatives": [{"entry_id": a.entry_id, "title": a.title, "score": a.score} for a in answer.alternatives],
        "confidence_label": answer.confidence_label,
        "notes": list(answer.notes),  # curators' notes: never attributed to a source
        "attribution": answer.attribution,
    }
