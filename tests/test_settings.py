import re
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.conftest import ROOT

READ_PATTERNS = [
    re.compile(r"""environ(?:\.get)?\(\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""environ\[\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""getenv\(\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""_env_\w+\(\s*environ\s*,\s*["']([A-Z][A-Z0-9_]+)["']"""),
]


def variables_read_by_code() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in READ_PATTERNS:
            names.update(pattern.findall(text))
    return names


def test_every_environment_variable_is_documented():
    """Each variable the code reads appears in .env.example."""
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    read = variables_read_by_code()
    assert {"DISCORD_TOKEN", "DATA_DIR", "KB_DIR", "LOG_LEVEL"} <= read
    assert read - documented == set()


def test_settings_parse_types():
    """Numbers, id lists and flags are parsed from text."""
    settings = Settings.from_env({"ASK_COOLDOWN_PER_MINUTE": "3", "OWNER_IDS": "1, 2", "SHARD_IDS": "0,1",
                                  "SHARD_COUNT": "4", "LOG_USER_IDS": "true", "DATA_DIR": "/tmp/x"})
    assert settings.ask_cooldown_per_minute == 3 and settings.owner_ids == {1, 2}
    assert settings.shard_ids == (0, 1) and settings.shard_count == 4 and settings.log_user_ids
    assert settings.database_path == Path("/tmp/x/flx.sqlite3")


def test_bad_number_is_a_clear_error():
    """A non-number where a number is expected names the variable."""
    with pytest.raises(ValueError, match="ASK_COOLDOWN_PER_MINUTE must be a whole number"):
        Settings.from_env({"ASK_COOLDOWN_PER_MINUTE": "five"})


def test_token_is_not_in_repr():
    """The token never shows up when settings are printed or logged."""
    assert "secret-token" not in repr(Settings.from_env({"DISCORD_TOKEN": "secret-token"}))
