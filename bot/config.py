"""Settings from the environment (and `.env`), checked once with one clear error each.

A bad value stops start-up with a single line naming the variable and what would be
valid, never a traceback: people set these by hand.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.lifecycle import Timings

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """One line for the person starting the bot: what is wrong and how to fix it."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str | None
    api_base_url: str = DEFAULT_API_BASE_URL
    data_dir: Path = Path("data")
    default_tz: str = "UTC"
    log_level: str = "INFO"
    allowed_users: frozenset[int] = field(default_factory=frozenset)
    timings: Timings = field(default_factory=Timings)
    # postgresql://... selects the PostgreSQL store; None keeps TinyDB in data_dir.
    database_url: str | None = None

    def secrets(self) -> tuple[str, ...]:
        """What the log formatter must never print: the token and the database password."""
        return (self.token or "", database_password(self.database_url))


def load_dotenv_file(path: Path = Path(".env")) -> None:
    """Read `.env` without overriding variables already set in the environment."""
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)


def load_settings(env: Mapping[str, str] | None = None, *, require_token: bool) -> Settings:
    env = os.environ if env is None else env
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if require_token and token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set.")
    if token is not None and (":" not in token or any(c.isspace() for c in token)):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected '123456:ABC...')."
        )
    base_url = env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"TELEGRAM_API_BASE_URL must start with http:// or https://: {base_url!r}"
        )
    default_tz = env.get("KEEPWORD_TIMEZONE", "").strip() or "UTC"
    try:
        ZoneInfo(default_tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"KEEPWORD_TIMEZONE={default_tz!r} is not an IANA time zone (e.g. Europe/Berlin)."
        ) from None
    log_level = (env.get("KEEPWORD_LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"KEEPWORD_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}.")
    return Settings(
        token=token,
        api_base_url=base_url,
        data_dir=Path(env.get("KEEPWORD_DATA_DIR", "").strip() or "data"),
        default_tz=default_tz,
        log_level=log_level,
        allowed_users=_user_ids(env.get("KEEPWORD_ALLOWED_USERS", "")),
        timings=_timings(env.get("KEEPWORD_TIMINGS", "")),
        database_url=_database_url(env.get("KEEPWORD_DATABASE_URL", "")),
    )


def _database_url(raw: str) -> str | None:
    url = raw.strip()
    if not url:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            "KEEPWORD_DATABASE_URL must start with postgresql:// "
            "(e.g. postgresql://keepword:password@localhost/keepword); unset it to use files."
        )
    return url


def database_password(url: str | None) -> str:
    """The password inside a database URL ('' if none), so logs can redact it."""
    if not url:
        return ""
    try:
        return unquote(urlsplit(url).password or "")
    except ValueError:
        return ""


def _user_ids(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit():
            raise ConfigError(
                f"KEEPWORD_ALLOWED_USERS must be comma-separated numeric user ids, got {part!r}."
            )
        ids.add(int(part))
    return frozenset(ids)


def _timings(raw: str) -> Timings:
    """`snooze=2,nudge=3,expire=6,late=1` in seconds: for demos and tests that can't wait."""
    if not raw.strip():
        return Timings()
    names = {
        "snooze": "snooze",
        "nudge": "nudge_after",
        "expire": "expire_after",
        "late": "late_delivery",
        "retry": "retry",
    }
    values: dict[str, timedelta] = {}
    for part in raw.split(","):
        key, _, value = part.partition("=")
        key = key.strip()
        if key not in names or not value.strip().replace(".", "", 1).isdigit():
            raise ConfigError(
                "KEEPWORD_TIMINGS must look like 'snooze=600,nudge=1800,expire=86400' (seconds)."
            )
        values[names[key]] = timedelta(seconds=float(value))
    return Timings(**values)


class RedactingFormatter(logging.Formatter):
    """Belt and braces: whatever a library logs (tracebacks included), no token gets out."""

    def __init__(self, fmt: str, secrets: tuple[str, ...]) -> None:
        super().__init__(fmt)
        forms = set()
        for secret in filter(None, secrets):
            # As written, URL-encoded (":" -> "%3A"), and the secret half after the bot id.
            forms |= {secret, quote(secret, safe=""), secret.partition(":")[2]}
        # A fragment too short to be secret would only garble the log.
        self.secrets = tuple(sorted((f for f in forms if len(f) >= 8), key=len, reverse=True))

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "[token]")
        return text


def configure_logging(level: str, secrets: tuple[str, ...] = ()) -> None:
    logging.basicConfig(level=getattr(logging, level))
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
