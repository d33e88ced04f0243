"""Discord's wire constants (API prefix, interaction and callback types, flags) and JSON answers as Discord sends them."""

from __future__ import annotations

import datetime
from typing import Any

import orjson
from aiohttp import web

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1420070400000
JSON_CONTENT_TYPE = "application/json"  # discord.py parses a body as JSON only for exactly this value
DEFAULT_TOKEN = "emulator-bot-token"


# Interaction types and callback types
INTERACTION_PING, INTERACTION_COMMAND, INTERACTION_COMPONENT = 1, 2, 3
INTERACTION_AUTOCOMPLETE, INTERACTION_MODAL_SUBMIT = 4, 5
CALLBACK_PONG, CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE = 1, 4, 5
CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE, CALLBACK_AUTOCOMPLETE, CALLBACK_MODAL = 6, 7, 8, 9

FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7


RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504, 524})
CALLBACK_ROUTE = "POST /interactions/{interaction_id}/{interaction_token}/callback"


def snowflake_time_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


def _json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    all_headers = {"Content-Type": JSON_CONTENT_TYPE}
    all_headers.update(headers or {})
    return web.Response(body=orjson.dumps(payload), status=status, headers=all_headers)


def _error(status: int, code: int, message: str, errors: Any = None) -> web.Response:
    payload: dict[str, Any] = {"message": message, "code": code}
    if errors is not None:
        payload["errors"] = errors
    return _json_response(payload, status)
