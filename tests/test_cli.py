import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.engine.hostile_yaml import billion_laughs


def run_cli(*args: str, stdin: str | None = None, kb=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DISCORD_TOKEN": ""}
    if kb:
        env["KB_DIR"] = str(kb)
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)


def test_ask_json_prints_one_object():
    """`ask --json` prints one JSON object with the stable fields."""
    result = run_cli("ask", "--json", "what is a wro", kb=FIXTURES / "kb_small")
    data = json.loads(result.stdout)
    assert data["answered"] and data["citations"][0]["entry_id"] == "glossary-wro"


def test_ask_json_stdin_answers_each_line():
    """`ask --json -` answers one question per input line."""
    result = run_cli("ask", "--json", "-", stdin="what is a wro\npizza recipes\n", kb=FIXTURES / "kb_small")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["answered"] for d in lines] == [True, False]


def test_ask_does_not_import_discord():
    """Answering a question never imports discord (fast start, no connection)."""
    code = (
        "import sys; from bot.cli import main; main(['ask', 'what is a wro']); "
        "assert not any(m == 'discord' or m.startswith('discord.') for m in sys.modules), 'discord imported'"
    )
    env = {**os.environ, "KB_DIR": str(FIXTURES / "kb_small")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 0, result.stderr


def test_kb_check_fails_with_file_line_on_broken_kb(tmp_path):
    """`kb check` exits non-zero and prints file:line for each problem."""
    broken = tmp_path / "kb"
    broken.mkdir()
    (broken / "bad.yaml").write_text("entries:\n  - id: Bad_Id\n    title: x\n")
    result = run_cli("kb", "check", kb=broken)
    assert result.returncode == 1
    assert "kb/bad.yaml:2: [Bad_Id] entry id must be a lowercase slug" in result.stderr


def test_kb_stats_lists_areas():
    """`kb stats` prints entries per area and the review and quote counts."""
    result = run_cli("kb", "stats", kb=FIXTURES / "kb_small")
    assert "entries per area:" in result.stdout and "glossary" in result.stdout
    assert "entries without a verbatim quote:" in result.stdout


def test_chat_answers_and_quits():
    """The terminal chat answers a question and leaves on 'quit'."""
    result = run_cli("chat", stdin="what is a wro\nquit\n", kb=FIXTURES / "kb_small")
    assert result.returncode == 0 and "Withhold Release Order" in result.stdout


def test_run_without_token_starts_terminal_chat():
    """`run` without DISCORD_TOKEN says so and starts the chat."""
    result = run_cli("run", stdin="quit\n", kb=FIXTURES / "kb_small")
    assert result.returncode == 0 and "DISCORD_TOKEN is not set" in result.stdout


# Runs `kb check` as its only child, so RUSAGE_CHILDREN's peak RSS is that run's own. The address-space cap
# makes a regression fail fast instead of taking the machine's memory.
MEASURED_RUN = """
import json, resource, subprocess, sys, time
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
started = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=15)
print(json.dumps({"seconds": time.monotonic() - started, "returncode": done.returncode, "stderr": done.stderr,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


@pytest.mark.parametrize("levels", [9, 6])
def test_kb_check_refuses_billion_laughs_fast_and_small(tmp_path, levels):
    """`kb check` on a billion-laughs file: one file:line problem, under 2 s and 200 MB peak (main: 52 s, 4 GB)."""
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_small", kb)
    (kb / "laughs.yaml").write_text(billion_laughs(levels))
    env = {**os.environ, "DISCORD_TOKEN": "", "KB_DIR": str(kb)}
    measured = subprocess.run([sys.executable, "-c", MEASURED_RUN, sys.executable, "-m", "bot", "kb", "check"],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert measured.returncode == 0, measured.stderr[-2000:]
    run = json.loads(measured.stdout)
    assert run["returncode"] == 1
    assert run["stderr"].splitlines() == [
        "kb/laughs.yaml:2: YAML anchors are not allowed in knowledge files (found &a); write the value out in full",
        "kb check: 1 problem(s) in 3 file(s)",
    ]
    assert run["peak_mb"] < 200 and run["seconds"] < 2, run


def test_eval_never_prints_a_frozen_test_file_failures():
    """`eval` on a file of the frozen test set prints its figures and hash but no failures, however it is named."""
    result = run_cli("eval", str(ROOT / "tests" / "eval" / "test" / "blind-2.yaml"))
    assert result.returncode == 0
    assert "hit@1" in result.stdout and "hash" in result.stdout
    assert "failures" not in result.stdout and "abstained in-scope:" not in result.stdout
