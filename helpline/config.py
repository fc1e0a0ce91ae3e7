"""Settings from the environment and `.env`, keeping the seed's variable names."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

import phonenumbers
from dotenv import dotenv_values
from pydantic import Field, ValidationError, field_validator, model_validator
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


# Variables the seed systems read that mean nothing here: a seed `.env` that sets them gets
# a start-up warning naming each, instead of being silently ignored.
SEED_VARIABLES_WITHOUT_MEANING = {
    "WPP_HEADLESS": "WhatsApp Web runs without a browser here (neonize)",
    "WPP_AUTO_CLOSE": "sessions are started and stopped from the Channels screen",
    "PUPPETEER_EXECUTABLE_PATH": "WhatsApp Web runs without a browser here (neonize)",
    "JWT_EXPIRES_IN": "sessions last SESSION_MAX_AGE (milliseconds)",
    "STALE_CONNECTION_TIMEOUT": "sessions are leased and taken over automatically",
    "NODE_ENV": "set SESSION_COOKIE_SECURE=true behind HTTPS",
    "VITE_API_URL": "the console is served by the desk itself, on the same origin",
    "VITE_SOCKET_URL": "the console is served by the desk itself, on the same origin",
    "DASHBOARD_PORT": "the console is served by the desk itself, on PORT",
    "WPP_SESSION": "each channel has its own session, kept in WHATSAPP_SESSION_DIR",
    "WPP_AUTO_RUN": "sessions are started and stopped from the Channels screen",
}

# Rate limits: "N/s", "N/min" or "N/hour" (also "N/second", "N/minute", "N/h"...); "0",
# "off" or empty turn one off.
_RATE = re.compile(r"^\s*(\d+)\s*/\s*([a-z]+)\s*$", re.IGNORECASE)
_RATE_UNITS = {
    **dict.fromkeys(("s", "sec", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86_400),
}
_RATE_OFF = frozenset({"", "0", "off", "none", "false"})
# What each rate-limit class covers, for messages and the README.
RATE_LIMIT_CLASSES = ("connect", "disconnect", "status", "connections", "send", "messages")


@dataclass(frozen=True)
class Rate:
    """At most `limit` requests per `window` seconds."""

    limit: int
    window: int

    def __str__(self) -> str:
        unit = {1: "second", 60: "minute", 3600: "hour", 86_400: "day"}[self.window]
        return f"{self.limit} per {unit}"


@lru_cache(maxsize=64)
def parse_rate(value: str) -> Rate | None:
    """`200/min` -> Rate(200, 60); `off` or `0` -> None (no limit)."""
    text = value.strip().lower()
    if text in _RATE_OFF:
        return None
    match = _RATE.match(text)
    if match is None or match.group(2) not in _RATE_UNITS:
        raise ValueError("must be a rate such as 200/min, 5/s or 1000/hour, or off")
    limit = int(match.group(1))
    return Rate(limit, _RATE_UNITS[match.group(2)]) if limit else None


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


def size_in_mb(value: str) -> int:
    """A seed-style size (`10mb`, `512kb`, or bytes as a plain number) in whole megabytes."""
    match = _SIZE.match(value)
    if match is None:
        raise ValueError("must be a size such as 10mb, 512kb or a number of bytes")
    number, unit = float(match.group(1)), (match.group(2) or "b").lower()
    return max(1, round(number * _SIZE_UNITS[unit] / 1024**2))


def to_async_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("must look like scheme://..., e.g. postgresql://user@host/db")
    return f"{_ASYNC_DRIVERS.get(scheme, scheme)}://{rest}"


def phone_region(value: str) -> str:
    """A region numbers without a country code are read in: "" (none) or a known code."""
    region = value.strip().upper()
    if region and region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError("must be a two-letter country code such as AR, BR or ES")
    return region


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    port: int = Field(4000, ge=1, le=65535)
    database_url: str = DEFAULT_DATABASE_URL
    session_secret: str = ""
    # The ERP seed's name for SESSION_SECRET; used when SESSION_SECRET is not set (in the
    # environment nor in `.env`: a separate field, so our name wins across both sources).
    jwt_secret: str = Field("", repr=False)
    session_cookie_name: str = "helpline.sid"
    session_max_age: int = Field(43_200_000, gt=0, description="milliseconds")
    session_cleanup_interval: int = Field(60_000, gt=0, description="milliseconds")
    session_cookie_secure: bool = False
    session_cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    session_rolling: bool = False
    cors_origin: str = ""
    # The seeds' names for the same list; used when CORS_ORIGIN is not set.
    allowed_origins: str = ""
    client_url: str = ""
    auto_close_minutes: int = Field(30, ge=0)
    scheduler_interval_ms: int = Field(300_000, gt=0)
    # How often service-target deadlines are updated and breaches alerted (helpline.targets).
    targets_interval_seconds: float = Field(15, gt=0)
    auto_close_message: str = "Chat finalizado por inactividad"
    redis_url: str | None = None
    upload_dir: Path = Path("./data/uploads")
    max_upload_mb: int = Field(16, gt=0)
    # The ERP seed's `MAX_FILE_SIZE=10mb`; used when MAX_UPLOAD_MB is not set.
    max_file_size: str = ""
    # Downloads of inbound media (a Cloud API media id...) tried this often before failing.
    media_max_attempts: int = Field(5, ge=1)
    # Where WhatsApp Web sessions are kept, so a restart needs no new QR scan.
    whatsapp_session_dir: Path = Path("./data/whatsapp-sessions")
    # Key for channel secrets at rest; empty: derived from SESSION_SECRET.
    config_secret: str = ""
    config_secret_previous: str = ""
    delivery_max_attempts: int = Field(6, ge=1)
    # Outgoing webhooks: how long a receiver has to answer, and the first wait before a
    # failed delivery is tried again (doubled each time, at most an hour, for 24 hours).
    webhook_timeout_seconds: float = Field(10.0, gt=0, le=120)
    webhook_backoff_seconds: float = Field(10.0, gt=0, le=3600)
    # How long a send may take before another worker may take the message over (a process
    # killed mid-send gives its messages back after this); longer than a provider's timeout.
    delivery_lease_seconds: int = Field(60, ge=1)
    presence_grace_seconds: int = Field(120, ge=0)
    # WhatsApp Web channels: reconnect attempts after a lost connection, and the first wait
    # (milliseconds, as in the seed's .env; doubled after each failed attempt).
    max_reconnect_attempts: int = Field(5, ge=0)
    reconnect_interval: int = Field(5_000, ge=100, description="milliseconds")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # "json": one JSON object per log line, with the request id (X-Request-ID).
    log_format: Literal["text", "json"] = "text"
    # Login throttling: free failures per account and per client address, then waits that
    # double from 1 s up to LOGIN_MAX_DELAY seconds.
    login_free_attempts: int = Field(5, ge=1)
    login_ip_free_attempts: int = Field(20, ge=1)
    login_max_delay: int = Field(900, ge=1, description="seconds")
    # Proxies whose X-Forwarded-Proto / X-Forwarded-For are believed (addresses or CIDR
    # ranges, comma-separated; "*" trusts everyone, only behind a proxy that overwrites them).
    forwarded_allow_ips: str = "127.0.0.1"
    # HSTS on HTTPS answers; 0 sends none.
    hsts_max_age: int = Field(31_536_000, ge=0, description="seconds")
    # Who may show the console in a frame (CSP frame-ancestors): 'none', 'self' or origins.
    frame_ancestors: str = "'none'"
    # Largest body for the JSON API; uploads, the sandbox and webhooks carry media and get
    # MAX_UPLOAD_MB (plus base64's third).
    max_request_kb: int = Field(1024, ge=1)
    # The OpenAPI page (/docs, /redoc) and schema (/openapi.json).
    docs_enabled: bool = True
    # /metrics: with this bearer token from anywhere, or without one from these addresses.
    metrics_token: str = ""
    metrics_allow_ips: str = "127.0.0.1,::1"
    # The activity log (/api/audit) keeps entries this many days; 0 keeps them forever.
    audit_retention_days: int = Field(365, ge=0)
    # Where a phone typed without its country code is from (ISO 3166 code, e.g. AR) when a
    # contact is written or searched; empty: numbers must be international (+54 9 11...).
    default_phone_region: str = ""
    # Rate limits per API token (or per user, for the console), by class of route; see
    # helpline/auth/ratelimit.py for which routes each class covers.
    rate_limit_connect: str = "20/min"
    rate_limit_disconnect: str = "20/min"
    rate_limit_status: str = "100/min"
    rate_limit_connections: str = "50/min"
    rate_limit_send: str = "200/min"
    rate_limit_messages: str = "100/min"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return to_async_url(value)

    @field_validator("session_cookie_samesite", "log_level", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("redis_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("default_phone_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        return phone_region(value)

    @field_validator(*(f"rate_limit_{name}" for name in RATE_LIMIT_CLASSES))
    @classmethod
    def _readable_rate(cls, value: str) -> str:
        parse_rate(value)
        return value

    def rate_limit(self, name: str) -> Rate | None:
        """The limit of one class (`send`...), or None when it is off."""
        value: str = getattr(self, f"rate_limit_{name}")
        return parse_rate(value)

    @field_validator("max_file_size")
    @classmethod
    def _readable_size(cls, value: str) -> str:
        if value:
            size_in_mb(value)
        return value

    @model_validator(mode="after")
    def _seed_names(self) -> Self:
        if self.max_file_size and "max_upload_mb" not in self.model_fields_set:
            self.max_upload_mb = size_in_mb(self.max_file_size)
        if self.jwt_secret and "session_secret" not in self.model_fields_set:
            self.session_secret = self.jwt_secret
        return self

    @property
    def cors_origins(self) -> list[str]:
        listed = self.cors_origin or f"{self.allowed_origins},{self.client_url}"
        return list(dict.fromkeys(o.strip() for o in listed.split(",") if o.strip()))

    @property
    def forwarded_allow_list(self) -> list[str]:
        return [a.strip() for a in self.forwarded_allow_ips.split(",") if a.strip()]

    @property
    def metrics_allow_list(self) -> list[str]:
        return [a.strip() for a in self.metrics_allow_ips.split(",") if a.strip()]

    @property
    def reconnect_interval_seconds(self) -> float:
        return self.reconnect_interval / 1000

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class ConfigError(Exception):
    """A setting has a wrong value; the message is one line naming the variable."""


# Seed names read as one of ours (seed name -> ours): ours wins when both are set.
SEED_ALIASES = {
    "JWT_SECRET": "SESSION_SECRET",
    "ALLOWED_ORIGINS": "CORS_ORIGIN",
    "CLIENT_URL": "CORS_ORIGIN",
    "MAX_FILE_SIZE": "MAX_UPLOAD_MB",
}


def seed_variable_warnings(env_file: Path = Path(".env")) -> list[str]:
    """One line per seed variable set in the environment or `.env` that means nothing here,
    or that is overridden by our own name for it."""
    present = {name.upper() for name in os.environ} | {
        name.upper() for name in (dotenv_values(env_file) if env_file.is_file() else {})
    }
    meaningless = [
        f"{name} is set but has no meaning in Helpline ({why}); it is ignored"
        for name, why in SEED_VARIABLES_WITHOUT_MEANING.items()
        if name in present
    ]
    overridden = [
        f"{seed} is set but ignored: {ours} is set too, and wins"
        for seed, ours in SEED_ALIASES.items()
        if seed in present and ours in present
    ]
    return meaningless + overridden


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
