"""A crash at start-up goes through the configured logging: JSON under LOG_FORMAT=json, with the token redacted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GAbcde.abcdefghijklmnopqrstuvwxyz0123456789"

# `python -m bot run`, with serve() crashing on an error whose message carries the token.
CRASHING_RUN = """
import sys
import bot.discord_app.runner as runner
from bot.cli import main

async def crash(settings, **kwargs):
    raise RuntimeError("start-up failed with token " + settings.discord_token)

runner.serve = crash
sys.exit(main(["run"]))
"""


def test_start_up_crash_is_json_with_the_token_redacted(tmp_path: Path) -> None:
    """Every line on stderr is a JSON object; the crash is logged with its traceback and the token is redacted."""
    env = {**os.environ, "DISCORD_TOKEN": TOKEN, "LOG_FORMAT": "json", "DATA_DIR": str(tmp_path), "HEALTH_PORT": "-1"}
    result = subprocess.run([sys.executable, "-c", CRASHING_RUN], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert TOKEN not in result.stderr + result.stdout
    records = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    [crash] = [r for r in records if r["level"] == "CRITICAL"]
    assert "RuntimeError: start-up failed with token [redacted]" in crash["exception"]
