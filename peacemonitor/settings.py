"""Settings as data: CLI flag → environment variable → default, passed down explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peacemonitor.store import Store, default_db_path


@dataclass(frozen=True)
class Settings:
    db: Path
    lock_timeout: float = 30.0

    @classmethod
    def from_env(cls, db: Path | None = None) -> Settings:
        return cls(db=db or default_db_path())

    def store(self) -> Store:
        return Store(self.db, timeout=self.lock_timeout)
