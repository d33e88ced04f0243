"""Discord's documented message limits (content, embeds, components, choices) and the checks against them."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.testing.discord_emulator.protocol import _error

# Discord's documented limits, enforced so that a bot exceeding them fails in tests as it would in production.
MESSAGE_CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL_CHARS = 6000
EMBED_TITLE, EMBED_DESCRIPTION, EMBED_FIELDS = 256, 4096, 25
EMBED_FIELD_NAME, EMBED_FIELD_VALUE, EMBED_FOOTER, EMBED_AUTHOR = 256, 1024, 2048, 256
ACTION_ROWS, BUTTONS_PER_ROW, CUSTOM_ID_LIMIT, BUTTON_LABEL_LIMIT = 5, 5, 100, 80
AUTOCOMPLETE_CHOICES, CHOICE_NAME_LIMIT, CHOICE_VALUE_LIMIT = 25, 100, 100
DEFAULT_PIN_LIMIT = 250


def embed_problems(embed: dict[str, Any]) -> list[str]:
    """Discord's per-embed limits; returns human-readable violations."""
    problems: list[str] = []

    def check(label: str, value: Any, limit: int) -> int:
        text = value or ""
        if not isinstance(text, str):
            problems.append(f"{label} is not a string")
            return 0
        if len(text) > limit:
            problems.append(f"{label} has {len(text)} chars > {limit}")
        return len(text)

    total = check("title", embed.get("title"), EMBED_TITLE)
    total += check("description", embed.get("description"), EMBED_DESCRIPTION)
    total += check("footer.text", (embed.get("footer") or {}).get("text"), EMBED_FOOTER)
    total += check("author.name", (embed.get("author") or {}).get("name"), EMBED_AUTHOR)
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS:
        problems.append(f"{len(fields)} fields > {EMBED_FIELDS}")
    for position, embed_field in enumerate(fields):
        if not embed_field.get("name") or not embed_field.get("value"):
            problems.append(f"fields[{position}] has an empty name or value")
        total += check(f"fields[{position}].name", embed_field.get("name"), EMBED_FIELD_NAME)
        total += check(f"fields[{position}].value", embed_field.get("value"), EMBED_FIELD_VALUE)
    if total > EMBED_TOTAL_CHARS:
        problems.append(f"embed has {total} chars in total > {EMBED_TOTAL_CHARS}")
    return problems


def message_problems(body: dict[str, Any]) -> list[str]:
    """Discord's message limits (content, embeds, components); returns violations."""
    problems: list[str] = []
    content = body.get("content")
    if content is not None and len(content) > MESSAGE_CONTENT_LIMIT:
        problems.append(f"content has {len(content)} chars > {MESSAGE_CONTENT_LIMIT}")
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds > {EMBEDS_PER_MESSAGE}")
    grand_total = 0
    for position, embed in enumerate(embeds):
        problems.extend(f"embeds[{position}]: {p}" for p in embed_problems(embed))
        grand_total += sum(
            len(embed.get(key) or "") for key in ("title", "description")
        ) + sum(len(f.get("name") or "") + len(f.get("value") or "") for f in embed.get("fields") or [])
    if grand_total > EMBED_TOTAL_CHARS:
        problems.append(f"all embeds together have {grand_total} chars > {EMBED_TOTAL_CHARS}")
    rows = body.get("components") or []
    if len(rows) > ACTION_ROWS:
        problems.append(f"{len(rows)} action rows > {ACTION_ROWS}")
    for row_position, row in enumerate(rows):
        children = row.get("components") or []
        if row.get("type") == 1 and len(children) > BUTTONS_PER_ROW:
            problems.append(f"components[{row_position}] has {len(children)} items > {BUTTONS_PER_ROW}")
        for child in children:
            custom_id = child.get("custom_id")
            if custom_id is not None and len(custom_id) > CUSTOM_ID_LIMIT:
                problems.append(f"custom_id {custom_id!r} longer than {CUSTOM_ID_LIMIT}")
            label = child.get("label")
            if label is not None and len(label) > BUTTON_LABEL_LIMIT:
                problems.append(f"label {label!r} longer than {BUTTON_LABEL_LIMIT}")
    return problems


class MessageLimitsMixin:
    """Refuses message bodies over Discord's limits (mixed into DiscordEmulator)."""

    def _check_limits(self, route: str, body: dict[str, Any]) -> web.Response | None:
        problems = message_problems(body)
        if problems:
            self.limit_violations.append((route, problems))
            return _error(400, 50035, "Invalid Form Body", {"_errors": [{"code": "LIMIT", "message": p} for p in problems]})
        return None
