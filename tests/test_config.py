from __future__ import annotations

import pytest

from helpline.config import (
    SEED_VARIABLES_WITHOUT_MEANING,
    ConfigError,
    Rate,
    load_settings,
    parse_rate,
    seed_variable_warnings,
    size_in_mb,
    to_async_url,
)


def test_seed_urls_map_to_async_drivers() -> None:
    assert (
        to_async_url("mysql://root:pw@localhost:3306/desk")
        == "mysql+aiomysql://root:pw@localhost:3306/desk"
    )
    assert to_async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert to_async_url("sqlite:///./data/x.db") == "sqlite+aiosqlite:///./data/x.db"
    assert to_async_url("postgresql+asyncpg://u@h/db") == "postgresql+asyncpg://u@h/db"


def test_defaults_follow_the_seed(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in (
        "PORT",
        "DATABASE_URL",
        "SESSION_MAX_AGE",
        "AUTO_CLOSE_MINUTES",
        "SESSION_COOKIE_NAME",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    settings = load_settings()
    assert settings.port == 4000
    assert settings.session_cookie_name == "helpline.sid"
    assert settings.session_max_age == 43_200_000
    assert settings.auto_close_minutes == 30
    assert settings.scheduler_interval_ms == 300_000
    assert settings.auto_close_message == "Chat finalizado por inactividad"
    assert settings.database_url == "sqlite+aiosqlite:///./data/helpline.db"


def test_env_file_is_read_and_errors_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path))
    monkeypatch.chdir(path)
    monkeypatch.delenv("PORT", raising=False)
    (path / ".env").write_text("PORT=4100\nCORS_ORIGIN=https://a.example, https://b.example\n")
    settings = load_settings()
    assert settings.port == 4100
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    monkeypatch.setenv("SESSION_MAX_AGE", "-5")
    with pytest.raises(ConfigError, match="^SESSION_MAX_AGE: "):
        load_settings()


def test_seed_names_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    """A `.env` written for the seed systems configures the same things here."""
    from pathlib import Path

    path = Path(str(tmp_path))
    monkeypatch.chdir(path)
    for name in ("CORS_ORIGIN", "SESSION_SECRET", "MAX_UPLOAD_MB", "JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    (path / ".env").write_text(
        "JWT_SECRET=from-the-erp-seed\n"
        "ALLOWED_ORIGINS=http://localhost:3000,http://localhost:3001\n"
        "CLIENT_URL=http://localhost:3000\n"
        "MAX_FILE_SIZE=10mb\n"
    )
    settings = load_settings()
    assert settings.session_secret == "from-the-erp-seed"
    assert settings.cors_origins == ["http://localhost:3000", "http://localhost:3001"]
    assert settings.max_upload_mb == 10


def test_own_names_win_over_seed_names(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.chdir(str(tmp_path))
    monkeypatch.setenv("CORS_ORIGIN", "https://desk.example")
    monkeypatch.setenv("ALLOWED_ORIGINS", "http://localhost:3000")
    monkeypatch.setenv("MAX_UPLOAD_MB", "32")
    monkeypatch.setenv("MAX_FILE_SIZE", "10mb")
    settings = load_settings()
    assert settings.cors_origins == ["https://desk.example"]
    assert settings.max_upload_mb == 32


@pytest.mark.parametrize(
    ("value", "megabytes"), [("10mb", 10), ("512kb", 1), ("1gb", 1024), ("20971520", 20)]
)
def test_seed_file_sizes(value: str, megabytes: int) -> None:
    assert size_in_mb(value) == megabytes


def test_bad_seed_file_size_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.chdir(str(tmp_path))
    monkeypatch.delenv("MAX_UPLOAD_MB", raising=False)
    monkeypatch.setenv("MAX_FILE_SIZE", "ten megs")
    with pytest.raises(ConfigError, match="^MAX_FILE_SIZE: "):
        load_settings()


def test_meaningless_seed_variables_are_named_at_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path))
    monkeypatch.chdir(path)
    monkeypatch.setenv("WPP_HEADLESS", "true")
    (path / ".env").write_text("PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium\n")
    warnings = seed_variable_warnings(path / ".env")
    assert any(w.startswith("WPP_HEADLESS is set") for w in warnings)
    assert any(w.startswith("PUPPETEER_EXECUTABLE_PATH is set") for w in warnings)


def test_session_secret_wins_over_jwt_secret_whichever_source_sets_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path))
    monkeypatch.chdir(path)
    monkeypatch.delenv("SESSION_SECRET", raising=False)
    monkeypatch.setenv("JWT_SECRET", "seed-secret")
    assert load_settings().session_secret == "seed-secret"
    (path / ".env").write_text("SESSION_SECRET=our-secret\n")
    assert load_settings().session_secret == "our-secret"
    monkeypatch.setenv("SESSION_SECRET", "env-secret")
    assert load_settings().session_secret == "env-secret"
    warnings = seed_variable_warnings(path / ".env")
    assert "JWT_SECRET is set but ignored: SESSION_SECRET is set too, and wins" in warnings


def test_client_url_alone_is_the_cors_origin(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.chdir(str(tmp_path))
    for name in ("CORS_ORIGIN", "ALLOWED_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLIENT_URL", "https://crm.example")
    assert load_settings().cors_origins == ["https://crm.example"]


def test_every_meaningless_seed_variable_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """The seeds' .env examples (WPPConnect desk, ERP, CRM): each variable that means nothing
    here gets its own line, and the ones we read get none."""
    from pathlib import Path

    path = Path(str(tmp_path))
    monkeypatch.chdir(path)
    for name in SEED_VARIABLES_WITHOUT_MEANING:
        monkeypatch.delenv(name, raising=False)
    lines = [f"{name}=x" for name in SEED_VARIABLES_WITHOUT_MEANING]
    (path / ".env").write_text("\n".join([*lines, "PORT=4000", "AUTO_CLOSE_MINUTES=30"]) + "\n")
    warnings = seed_variable_warnings(path / ".env")
    assert len(warnings) == len(SEED_VARIABLES_WITHOUT_MEANING)
    for name in ("WPP_HEADLESS", "WPP_AUTO_CLOSE", "DASHBOARD_PORT", "JWT_EXPIRES_IN"):
        assert any(w.startswith(f"{name} is set but has no meaning") for w in warnings)


def test_start_up_prints_the_warnings(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from typer.testing import CliRunner

    from helpline.cli import app

    monkeypatch.chdir(str(tmp_path))
    monkeypatch.setenv("WPP_HEADLESS", "true")
    result = CliRunner().invoke(app, ["serve"], env={"SESSION_SECRET": ""})
    assert "Warning: WPP_HEADLESS is set but has no meaning in Helpline" in result.output


@pytest.mark.parametrize(
    ("value", "rate"),
    [
        ("200/min", Rate(200, 60)),
        ("5/s", Rate(5, 1)),
        ("1000/hour", Rate(1000, 3600)),
        (" 20 / minute ", Rate(20, 60)),
        ("0", None),
        ("0/min", None),
        ("off", None),
        ("", None),
    ],
)
def test_rate_limits_are_read(value: str, rate: Rate | None) -> None:
    assert parse_rate(value) == rate


def test_a_bad_rate_limit_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.chdir(str(tmp_path))
    monkeypatch.setenv("RATE_LIMIT_SEND", "lots")
    with pytest.raises(ConfigError, match="^RATE_LIMIT_SEND: .*200/min"):
        load_settings()
    monkeypatch.setenv("RATE_LIMIT_SEND", "50/fortnight")
    with pytest.raises(ConfigError, match="^RATE_LIMIT_SEND: "):
        load_settings()
    monkeypatch.setenv("RATE_LIMIT_SEND", "50/s")
    assert str(load_settings().rate_limit("send")) == "50 per second"
