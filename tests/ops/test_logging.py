import io
import json
import logging

from bot.ops.logging import configure_logging

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GAbcde.abcdefghijklmnopqrstuvwxyz0123456789"


def capture(fmt: str) -> tuple[io.StringIO, logging.Handler]:
    stream = io.StringIO()
    return stream, configure_logging("INFO", fmt, secrets=[TOKEN], stream=stream)


def teardown_function():
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)


def test_json_format_writes_one_object_per_line_with_fields():
    """LOG_FORMAT=json gives one JSON object per line with extra fields merged in."""
    stream, _ = capture("json")
    logging.getLogger("flx.test").info("question answered", extra={"fields": {"latency_ms": 3.1, "outcome": "answered"}})
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert record["message"] == "question answered" and record["outcome"] == "answered" and record["latency_ms"] == 3.1


def test_token_is_never_logged():
    """The configured token and token-shaped strings are redacted, in messages and tracebacks."""
    stream, _ = capture("text")
    log = logging.getLogger("flx.test")
    log.info("connecting with %s", TOKEN)
    try:
        raise RuntimeError(f"bad token {TOKEN}")
    except RuntimeError:
        log.exception("failed")
    output = stream.getvalue()
    assert TOKEN not in output and "[redacted]" in output
