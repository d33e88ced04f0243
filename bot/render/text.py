"""Plain-text rendering for the terminal."""

from __future__ import annotations

import textwrap

from bot.engine.answer import Answer
from bot.engine.prompts import Prompts


def excerpt_line(citation) -> str:
    quoted = f"“{citation.excerpt}”" if citation.quote else citation.excerpt
    return f"[{citation.rank}] {quoted}"


def source_line(citation) -> str:
    detail = f" ({citation.detail()})" if citation.detail() else ""
    return f"[{citation.rank}] {citation.label()}{detail} {citation.url}"


def note_line(note: str) -> str:
    return f"Note: {note}"


def render_text(answer: Answer, prompts: Prompts, width: int = 100) -> str:
    if not answer.answered:
        return answer.message
    wrap = lambda text: textwrap.fill(text, width=width, break_long_words=False, break_on_hyphens=False)  # noqa: E731
    lead = f"{answer.lead} {answer.attribution}" if answer.attribution else answer.lead
    blocks = [wrap(excerpt_line(c)) for c in answer.citations] + [wrap(note_line(n)) for n in answer.notes]
    body = prompts.render(
        "answer",
        title=answer.title,
        lead=wrap(lead),
        excerpts="\n\n".join(blocks),
        sources="\n".join(source_line(c) for c in answer.citations),
        last_reviewed=answer.last_reviewed,
        disclaimer=answer.disclaimer,
    )
    if answer.confidence_label:
        body += f"\n\nConfidence: {answer.confidence_label}"
    if answer.alternatives:
        body += "\nOther matches: " + "; ".join(topic.title for topic in answer.alternatives)
    if answer.related:
        body += "\n\nRelated: " + "; ".join(topic.title for topic in answer.related)
    return body
