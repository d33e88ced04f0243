"""Discord-ready messages as plain dicts (embeds and components), testable without a connection.

Every limit Discord enforces is applied here, so a long knowledge-base entry can never make a send fail:
message content 2000, embed title 256, description 4096, field name 256, field value 1024, footer 2048,
25 fields, 6000 characters per embed in total; 5 buttons per row, button label 80, custom_id 100.
"""

from __future__ import annotations

from bot.engine.answer import Answer, Citation, Topic
from bot.engine.models import Entry

CONTENT_MAX, TITLE_MAX, DESCRIPTION_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX = 2000, 256, 4096, 256, 1024
FOOTER_MAX, FIELDS_MAX, EMBED_TOTAL_MAX, LABEL_MAX, CUSTOM_ID_MAX = 2048, 25, 6000, 80, 100
COLOUR = 0x2F6F9F
ELLIPSIS = "…"

# custom_id prefixes shared with the Discord cogs that handle the clicks.
MORE, HELPFUL, NOT_HELPFUL, TOPIC, LADDER = "flx:more", "flx:helpful", "flx:unhelpful", "flx:topic", "flx:ladder"
BUTTON_PRIMARY, BUTTON_SECONDARY, BUTTON_SUCCESS, BUTTON_DANGER = 1, 2, 3, 4


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def escape_markdown(text: str) -> str:
    """Neutralise Markdown and mention syntax in text that came from a user."""
    text = text.replace("@", "@\u200b").replace("<#", "<\u200b#")
    for char in "\\*_~`|>[]()#-":
        text = text.replace(char, "\\" + char)
    return text


def _excerpt_block(citation: Citation) -> str:
    body = f"“{citation.excerpt}”" if citation.quote else citation.excerpt
    return f"**[{citation.rank}]** {body}"


def _source_line(citation: Citation) -> str:
    date = f" ({citation.date})" if citation.date else ""
    return f"[{citation.rank}] [{citation.label()}]({citation.url}){date}"


def _pack_lines(lines: list[str], limit: int) -> list[str]:
    """Group lines into chunks that each fit one field value."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def embed_length(embed: dict) -> int:
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("footer", {}).get("text", "")) + len(embed.get("author", {}).get("name", ""))
    total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    return total


def fit_embed(embed: dict) -> dict:
    """Drop trailing fields, then shorten the description, until the embed fits 6000 characters."""
    embed["fields"] = embed.get("fields", [])[:FIELDS_MAX]
    while embed_length(embed) > EMBED_TOTAL_MAX and len(embed["fields"]) > 1:
        embed["fields"].pop()
    overflow = embed_length(embed) - EMBED_TOTAL_MAX
    if overflow > 0:
        embed["description"] = clip(embed["description"], max(1, len(embed["description"]) - overflow))
    return embed


def _button(label: str, custom_id: str, style: int = BUTTON_SECONDARY, disabled: bool = False) -> dict:
    return {"type": 2, "style": style, "label": clip(label, LABEL_MAX), "custom_id": custom_id[:CUSTOM_ID_MAX],
            "disabled": disabled}


def _rows(buttons: list[dict]) -> list[dict]:
    return [{"type": 1, "components": buttons[i:i + 5]} for i in range(0, len(buttons), 5)][:5]


def topic_buttons(topics: tuple[Topic, ...] | list[Topic]) -> list[dict]:
    return [_button(t.title, f"{TOPIC}:{t.entry_id}", BUTTON_PRIMARY) for t in topics]


def answer_embed(answer: Answer, citations: tuple[Citation, ...] | None = None) -> dict:
    citations = answer.citations if citations is None else citations
    lead = f"{answer.lead} *{answer.attribution}*" if answer.attribution else answer.lead
    description = clip(lead, 1200)
    if citations:
        description += "\n\n" + "\n\n".join(_excerpt_block(c) for c in citations)
    if answer.notes:
        description += "\n\n" + "\n".join(clip(f"**Note:** {note}", 600) for note in answer.notes)
    embed = {
        "type": "rich",
        "title": clip(answer.title, TITLE_MAX),
        "description": clip(description, DESCRIPTION_MAX),
        "color": COLOUR,
        "fields": [],
        "footer": {"text": clip(f"{_confidence_text(answer)}Last reviewed {answer.last_reviewed} · {answer.disclaimer}",
                                FOOTER_MAX)},
    }
    for index, chunk in enumerate(_pack_lines([_source_line(c) for c in citations], FIELD_VALUE_MAX)):
        embed["fields"].append({"name": "Sources" if index == 0 else "Sources (cont.)", "value": chunk, "inline": False})
    return fit_embed(embed)


def _confidence_text(answer: Answer) -> str:
    return f"Confidence: {answer.confidence_label} · " if answer.confidence_label else ""


def topic_rows(answer: Answer) -> list[dict]:
    """Other matches, then related topics, as buttons that open each entry (one button per entry)."""
    seen = {answer.entry_id}
    rows = []
    for prefix, topics in (("Other match", answer.alternatives), ("Related", answer.related)):
        buttons = []
        for topic in topics:
            if topic.entry_id not in seen:
                seen.add(topic.entry_id)
                buttons.append(_button(f"{prefix}: {topic.title}", f"{TOPIC}:{topic.entry_id}"))
        rows += _rows(buttons[:5])
    return rows


def render_answer(answer: Answer) -> dict:
    """The reply to a question: an embed with buttons, or a short not-covered message with topic buttons."""
    if not answer.answered:
        return {
            "content": clip(answer.message, CONTENT_MAX),
            "embeds": [],
            "components": _rows(topic_buttons(answer.suggestions)),
            "allowed_mentions": {"parse": []},
        }
    buttons = [
        _button("More sources", f"{MORE}:{answer.entry_id}", disabled=not answer.more_citations),
        _button("Helpful", f"{HELPFUL}:{answer.entry_id}", BUTTON_SUCCESS),
        _button("Not helpful", f"{NOT_HELPFUL}:{answer.entry_id}", BUTTON_DANGER),
    ]
    return {
        "content": None,
        "embeds": [answer_embed(answer)],
        "components": (_rows(buttons) + topic_rows(answer))[:5],
        "allowed_mentions": {"parse": []},
    }


def render_more_sources(answer: Answer) -> dict:
    """The follow-up excerpts ("More sources"), numbered after the first ones."""
    if not answer.more_citations:
        return {"content": "No further excerpts for this topic.", "embeds": [], "components": [],
                "allowed_mentions": {"parse": []}}
    embed = answer_embed(answer, answer.more_citations)
    embed["title"] = clip(f"More sources: {answer.title}", TITLE_MAX)
    embed["description"] = clip("\n\n".join(_excerpt_block(c) for c in answer.more_citations), DESCRIPTION_MAX)
    return {"content": None, "embeds": [fit_embed(embed)], "components": [], "allowed_mentions": {"parse": []}}


def image_url(filename: str) -> str:
    """How an embed shows a file attached to the same message."""
    return f"attachment://{filename}"


def render_ladder_step(ladder: Entry, step_index: int, sources: dict, image: str | None = None) -> dict:
    """One step of an escalation ladder with Previous / Next buttons; `image`: the attached ladder picture, if any."""
    steps = ladder.steps
    step_index = max(0, min(step_index, len(steps) - 1))
    step = steps[step_index]
    source = sources.get(step.source_id)
    fields = [
        {"name": "Who can act", "value": clip(step.who, FIELD_VALUE_MAX), "inline": False},
        {"name": "What happens", "value": clip(step.what, FIELD_VALUE_MAX), "inline": False},
        {"name": "Time limits", "value": clip(step.time_limits, FIELD_VALUE_MAX), "inline": True},
    ]
    if step.precedent:
        fields.append({"name": "Precedent", "value": clip(step.precedent, FIELD_VALUE_MAX), "inline": True})
    if step.status:
        fields.append({"name": "Where things stand", "value": clip(step.status, FIELD_VALUE_MAX), "inline": False})
    if step.note:
        fields.append({"name": "Note", "value": clip(step.note, FIELD_VALUE_MAX), "inline": False})
    if source:
        date = f" ({source.date_label})" if source.date_label else ""
        citation = f"[{source.label}, {step.pinpoint}]({source.url}){date}"
        fields.append({"name": "Source", "value": clip(citation, FIELD_VALUE_MAX), "inline": False})
    embed = {
        "type": "rich",
        "title": clip(f"{ladder.title}: step {step_index + 1} of {len(steps)}", TITLE_MAX),
        "description": clip(f"**{step.title}**", DESCRIPTION_MAX),
        "color": COLOUR,
        "fields": fields,
        "footer": {"text": clip(f"Last reviewed {ladder.last_reviewed.isoformat()}", FOOTER_MAX)},
    }
    if image:
        embed["image"] = {"url": image_url(image)}
    buttons = [
        _button("Previous", f"{LADDER}:{ladder.id}:{step_index - 1}", disabled=step_index == 0),
        _button("Next", f"{LADDER}:{ladder.id}:{step_index + 1}", disabled=step_index >= len(steps) - 1),
    ]
    return {"content": None, "embeds": [fit_embed(embed)], "components": _rows(buttons),
            "allowed_mentions": {"parse": []}}
