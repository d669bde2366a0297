"""Credentials from the environment (the keyring is optional and absent here)."""

from __future__ import annotations

import pytest

from peacemonitor.credentials import CredentialsMissing, required, secret


def test_the_first_variable_set_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PM_A", raising=False)
    monkeypatch.setenv("PM_B", " b-value ")
    assert secret(["PM_A", "PM_B"], "user") == "b-value"
    monkeypatch.setenv("PM_A", "a-value")
    assert required(["PM_A", "PM_B"], "user", "thing") == "a-value"


def test_missing_is_one_line_naming_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PM_A", raising=False)
    monkeypatch.setitem(__import__("sys").modules, "keyring", None)  # as if not installed
    with pytest.raises(CredentialsMissing) as missing:
        required(["PM_A"], "pm-user", "Some token")
    assert str(missing.value) == (
        "Some token missing: set PM_A (or the keyring entry peacemonitor/pm-user); "
        "see docs/fetch.md"
    )
