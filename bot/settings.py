"""Every setting the bot reads from the environment (and an optional .env file), in one typed place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_int(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def _env_seconds(environ: dict[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number of seconds, got {raw!r}") from exc
    if not 0 < value < 3600:
        raise ValueError(f"{name} must be more than 0 and less than 3600 seconds, got {raw!r}")
    return value


def _env_flag(environ: dict[str, str], name: str, default: bool = False) -> bool:
    raw = (environ.get(name) or "").strip().lower()
    if not raw:
        return default
    return raw in {"1", "true", "yes", "on"}


def _env_ids(environ: dict[str, str], name: str) -> frozenset[int]:
    raw = environ.get(name, "")
    ids = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if part:
            if not part.isdigit():
                raise ValueError(f"{name} must be comma-separated Discord ids, got {part!r}")
            ids.add(int(part))
    return frozenset(ids)


@dataclass(frozen=True)
class Settings:
    discord_token: str = field(default="", repr=False)  # never printed
    data_dir: Path = PROJECT_ROOT / "data"
    kb_dir: Path = PROJECT_ROOT / "knowledge"
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    log_level: str = "INFO"
    owner_ids: frozenset[int] = frozenset()
    ask_cooldown_per_minute: int = 5
    max_question_chars: int = 1000
    log_format: str = "text"
    log_user_ids: bool = False
    health_host: str = "127.0.0.1"
    health_port: int = 8080
    database_url: str = ""  # empty: SQLite under data_dir; postgresql://... for scale-out
    # Longest wait for one database operation: under Discord's 3 s, so a command can still say "storage unavailable".
    database_timeout_seconds: float = 2.0
    database_open_timeout_seconds: float = 10.0  # connecting and migrating at start-up
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    sync_guild_id: int | None = None
    message_content_intent: bool = False  # privileged: needed only for ask channels and unmentioned follow-ups
    uvloop: bool = True  # run on uvloop (libuv) when it is installed; UVLOOP=0 for asyncio's own loop

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, *, load_dotenv: bool = True) -> Settings:
        if environ is None:
            if load_dotenv:
                from dotenv import load_dotenv as _load

                _load(PROJECT_ROOT / ".env", override=False)
            environ = dict(os.environ)
        return cls(
            discord_token=environ.get("DISCORD_TOKEN", "").strip(),
            data_dir=Path(environ.get("DATA_DIR") or cls.data_dir),
            kb_dir=Path(environ.get("KB_DIR") or cls.kb_dir),
            prompts_dir=Path(environ.get("PROMPTS_DIR") or cls.prompts_dir),
            log_level=(environ.get("LOG_LEVEL") or "INFO").upper(),
            owner_ids=_env_ids(environ, "OWNER_IDS"),
            ask_cooldown_per_minute=_env_int(environ, "ASK_COOLDOWN_PER_MINUTE", 5),
            max_question_chars=_env_int(environ, "MAX_QUESTION_CHARS", 1000),
            log_format=(environ.get("LOG_FORMAT") or "text").lower(),
            log_user_ids=_env_flag(environ, "LOG_USER_IDS"),
            health_host=environ.get("HEALTH_HOST") or "127.0.0.1",
            health_port=_env_int(environ, "HEALTH_PORT", 8080),
            database_url=(environ.get("DATABASE_URL") or "").strip(),
            database_timeout_seconds=_env_seconds(environ, "DATABASE_TIMEOUT_SECONDS", 2.0),
            database_open_timeout_seconds=_env_seconds(environ, "DATABASE_OPEN_TIMEOUT_SECONDS", 10.0),
            shard_count=_env_int(environ, "SHARD_COUNT", 0) or None,
            shard_ids=tuple(sorted(_env_ids(environ, "SHARD_IDS"))) or None,
            sync_guild_id=_env_int(environ, "SYNC_GUILD_ID", 0) or None,
            message_content_intent=_env_flag(environ, "MESSAGE_CONTENT_INTENT"),
            uvloop=_env_flag(environ, "UVLOOP", default=True),
        )

    @property
    def database_path(self) -> Path:
        return self.data_dir / "flx.sqlite3"
