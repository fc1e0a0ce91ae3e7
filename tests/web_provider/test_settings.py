"""MAX_RECONNECT_ATTEMPTS and RECONNECT_INTERVAL, named and valued as in the seed's .env."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpline.config import ConfigError, load_settings


def test_reconnect_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAX_RECONNECT_ATTEMPTS", raising=False)
    monkeypatch.delenv("RECONNECT_INTERVAL", raising=False)
    settings = load_settings()
    assert (settings.max_reconnect_attempts, settings.reconnect_interval) == (5, 5000)
    assert settings.reconnect_interval_seconds == 5.0
    (tmp_path / ".env").write_text("MAX_RECONNECT_ATTEMPTS=8\nRECONNECT_INTERVAL=2500\n")
    settings = load_settings()
    assert (settings.max_reconnect_attempts, settings.reconnect_interval_seconds) == (8, 2.5)
    # milliseconds, as the seed's .env writes it: "5" (seconds) is refused, not read as 5 ms
    monkeypatch.setenv("RECONNECT_INTERVAL", "5")
    with pytest.raises(ConfigError, match="^RECONNECT_INTERVAL: "):
        load_settings()
