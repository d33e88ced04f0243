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
                      stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
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
    return handler


def log_summary(logger: logging.Logger, level: int, headline: str, lines: Sequence[str], first: int = 5) -> None:
    """One record for many lines (e.g. 4,000 knowledge base problems): the headline, the first few, how many more.

    JSON logs also get the count and the first lines as fields.
    """
    shown = [str(line) for line in lines[:first]]
    more = len(lines) - len(shown)
    text = headline + "".join(f"\n  {line}" for line in shown) + (f"\n  … and {more:,} more" if more > 0 else "")
    logger.log(level, "%s", text, extra={"fields": {"count": len(lines), "first": shown}})
