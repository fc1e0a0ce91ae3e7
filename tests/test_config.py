from __future__ import annotations

import pytest

from helpline.config import ConfigError, load_settings, to_async_url


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
