"""Settings: the sensitive-data switch opens only on an explicit "on" value."""

from __future__ import annotations

import pytest

from peacemonitor.settings import Settings


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", " ON "])
def test_sensitive_data_shows_on_an_explicit_on(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEACEMONITOR_SHOW_SENSITIVE", value)
    assert Settings.from_env().show_sensitive is True


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off", "maybe"])
def test_sensitive_data_stays_hidden_otherwise(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEACEMONITOR_SHOW_SENSITIVE", value)
    assert Settings.from_env().show_sensitive is False


def test_sensitive_data_hidden_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEACEMONITOR_SHOW_SENSITIVE", raising=False)
    assert Settings.from_env().show_sensitive is False
