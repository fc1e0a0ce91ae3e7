"""Settings from the environment and `.env`, keeping the seed's variable names."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/helpline.db"

# Seeds wrote plain `mysql://` and `postgresql://` URLs (Prisma style); we map them to the
# async drivers so a seed `.env` keeps working.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "mysql": "mysql+aiomysql",
    "mariadb": "mysql+aiomysql",
}


def to_async_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("must look like scheme://..., e.g. postgresql://user@host/db")
    return f"{_ASYNC_DRIVERS.get(scheme, scheme)}://{rest}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    port: int = Field(4000, ge=1, le=65535)
    database_url: str = DEFAULT_DATABASE_URL
    session_secret: str = ""
    session_cookie_name: str = "helpline.sid"
    session_max_age: int = Field(43_200_000, gt=0, description="milliseconds")
    session_cleanup_interval: int = Field(60_000, gt=0, description="milliseconds")
    session_cookie_secure: bool = False
    session_cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    session_rolling: bool = False
    cors_origin: str = ""
    auto_close_minutes: int = Field(30, ge=0)
    scheduler_interval_ms: int = Field(300_000, gt=0)
    auto_close_message: str = "Chat finalizado por inactividad"
    redis_url: str | None = None
    upload_dir: Path = Path("./data/uploads")
    max_upload_mb: int = Field(16, gt=0)
    # Downloads of inbound media (a Cloud API media id...) tried this often before failing.
    media_max_attempts: int = Field(5, ge=1)
    # Where WhatsApp Web sessions are kept, so a restart needs no new QR scan.
    whatsapp_session_dir: Path = Path("./data/whatsapp-sessions")
    # Key for channel secrets at rest; empty: derived from SESSION_SECRET.
    config_secret: str = ""
    config_secret_previous: str = ""
    delivery_max_attempts: int = Field(6, ge=1)
    # How long a send may take before another worker may take the message over (a process
    # killed mid-send gives its messages back after this); longer than a provider's timeout.
    delivery_lease_seconds: int = Field(60, ge=1)
    presence_grace_seconds: int = Field(120, ge=0)
    # WhatsApp Web channels: reconnect attempts after a lost connection, and the first wait
    # (milliseconds, as in the seed's .env; doubled after each failed attempt).
    max_reconnect_attempts: int = Field(5, ge=0)
    reconnect_interval: int = Field(5_000, ge=100, description="milliseconds")
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return to_async_url(value)

    @field_validator("session_cookie_samesite", "log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("redis_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip() for o in self.cors_origin.split(",") if o.strip()]

    @property
    def reconnect_interval_seconds(self) -> float:
        return self.reconnect_interval / 1000

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class ConfigError(Exception):
    """A setting has a wrong value; the message is one line naming the variable."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "configuration"
        raise ConfigError(f"{name}: {err['msg']} (got {err.get('input')!r})") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
