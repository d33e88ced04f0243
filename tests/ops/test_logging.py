import io
import json
import logging

from bot.ops.logging import configure_logging, log_summary

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


def test_many_problems_log_as_one_summary_record():
    """4,381 problems become one record: the count, the first five and how many more, not 4,381 lines."""
    stream, _ = capture("json")
    problems = [f"kb/big.yaml:{n}: unknown entry key 'titel'" for n in range(1, 4382)]
    log_summary(logging.getLogger("flx.test"), logging.WARNING, f"reload failed: {len(problems):,} problem(s)", problems)
    [line] = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["count"] == 4381 and record["first"] == problems[:5]
    assert record["message"].splitlines() == ["reload failed: 4,381 problem(s)", *(f"  {p}" for p in problems[:5]),
                                              "  … and 4,376 more"]
