"""Settings as data: CLI flag → environment variable → default, passed down explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from peacemonitor.store import Store, default_db_path


@dataclass(frozen=True)
class Settings:
    db: Path
    lock_timeout: float = 30.0
    # Personal data (victims' names) leaves the store only when the operator says so:
    # PEACEMONITOR_SHOW_SENSITIVE=1 (or true, yes, on). Off by default and for any other value.
    show_sensitive: bool = False

    @classmethod
    def from_env(cls, db: Path | None = None) -> Settings:
        allowed = os.environ.get("PEACEMONITOR_SHOW_SENSITIVE", "").strip().lower()
        return cls(db=db or default_db_path(), show_sensitive=allowed in ("1", "true", "yes", "on"))

    def store(self) -> Store:
        return Store(self.db, timeout=self.lock_timeout)
