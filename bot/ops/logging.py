"""Logging setup: JSON lines when LOG_FORMAT=json, readable text otherwise; secrets never reach the output."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

# Discord bot tokens: three dot-separated base64url parts.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}")


class RedactSecrets(logging.Filter):
    """Replaces the configured token, and anything shaped like a Discord token, with [redacted]."""

    def __init__(self, secrets: list[str] | None = None):
        super().__init__()
        self.secrets = [s for s in (secrets or []) if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return _TOKEN_SHAPE.sub("[redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = self.redact(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        return True


# Discord ids (users, guilds, channels, messages, interactions): snowflakes of 17 to 20 digits.
_SNOWFLAKE = re.compile(r"(?<![0-9])[0-9]{15,21}(?![0-9])")
PAYLOAD_HIDDEN = "<payload hidden: LOG_USER_IDS=false>"


class HideDiscordPayloads(logging.Filter):
    """With LOG_USER_IDS=false, discord.py's own log lines (at DEBUG they dump every gateway event and HTTP body)
    carry no payloads, so no user ids and no message text, and no Discord ids at all."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("discord"):
            return True
        args = record.args if isinstance(record.args, tuple) else (record.args,) if record.args else ()
        hidden = tuple(PAYLOAD_HIDDEN if _is_payload(arg) else arg for arg in args)
        try:
            message = record.msg % hidden if hidden else str(record.msg)
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = _SNOWFLAKE.sub("[id]", message), None
        return True


def _is_payload(value: object) -> bool:
    if isinstance(value, dict | list | tuple | bytes | bytearray):
        return True
    return isinstance(value, str) and value.lstrip()[:1] in {"{", "["}  # a JSON body


def log_uncaught_exceptions() -> None:
    """Uncaught exceptions (a crash at start-up) go through logging, so they are JSON under LOG_FORMAT=json and
    pass the secret filter, instead of Python's plain traceback on stderr."""

    def hook(kind: type[BaseException], error: BaseException, traceback: object) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, traceback)  # type: ignore[arg-type]
            return
        logging.getLogger("bot").critical("the bot stopped on an unexpected error", exc_info=(kind, error, traceback))

    sys.excepthook = hook


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update(getattr(record, "fields", {}) or {})
        if record.exc_text or record.exc_info:
            payload["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", fmt: str = "text", secrets: list[str] | None = None,
                      stream=None, *, user_ids: bool = False) -> logging.Handler:
    """`user_ids` (LOG_USER_IDS): when False, discord.py's log lines are stripped of payloads and ids."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if not user_ids:
        handler.addFilter(HideDiscordPayloads())  # before redaction, which renders the message
    handler.addFilter(RedactSecrets(secrets))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    log_uncaught_exceptions()
    return handler


def log_summary(logger: logging.Logger, level: int, headline: str, lines: Sequence[str], first: int = 5) -> None:
    """One record for many lines (e.g. 4,000 knowledge base problems): the headline, the first few, how many more.

    JSON logs also get the count and the first lines as fields.
    """
    shown = [str(line) for line in lines[:first]]
    more = len(lines) - len(shown)
    text = headline + "".join(f"\n  {line}" for line in shown) + (f"\n  … and {more:,} more" if more > 0 else "")
    logger.log(level, "%s", text, extra={"fields": {"count": len(lines), "first": shown}})
