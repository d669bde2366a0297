"""The user's own credentials for publishers' APIs: from the environment, or the system keyring.

They are read when a command needs them and kept in memory only: never written to the store,
the cache, a log or a message. A missing one is one clear line naming what to set.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from peacemonitor.errors import PeacemonitorError

KEYRING_SERVICE = "peacemonitor"


class CredentialsMissing(PeacemonitorError):
    """A command needs the user's account or token and none is configured."""


def secret(names: Sequence[str], keyring_user: str) -> str | None:
    """The first of the environment variables ``names`` that is set, else the keyring's entry
    ``peacemonitor`` / ``keyring_user`` when the ``keyring`` package is installed."""
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return _from_keyring(keyring_user)


def _from_keyring(user: str) -> str | None:
    try:
        import keyring  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        value = keyring.get_password(KEYRING_SERVICE, user)
    except Exception:  # noqa: BLE001 - a broken keyring backend means "not configured"
        return None
    return str(value) if value else None


def required(names: Sequence[str], keyring_user: str, what: str) -> str:
    """Like ``secret``, but a missing value is a CredentialsMissing that says what to set."""
    value = secret(names, keyring_user)
    if value is None:
        raise CredentialsMissing(
            f"{what} missing: set {' or '.join(names)} (or the keyring entry "
            f"{KEYRING_SERVICE}/{keyring_user}); see docs/fetch.md"
        )
    return value
