"""Shared fixtures: the real third-party data folder, a fresh store, an in-process CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peacemonitor.store import Store

REPO = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path | None:
    """``$PEACEMONITOR_SHARED_DATA`` or ../shared/data beside the repository, if present."""
    configured = os.environ.get("PEACEMONITOR_SHARED_DATA")
    path = Path(configured) if configured else REPO.parent / "shared" / "data"
    return path if path.is_dir() else None


def require_shared_data() -> bool:
    """CI sets ``PEACEMONITOR_REQUIRE_SHARED_DATA=1`` so that missing real data fails the run."""
    return os.environ.get("PEACEMONITOR_REQUIRE_SHARED_DATA", "").strip().lower() in {"1", "on"}


def missing_shared(what: str) -> None:
    """Skip a test whose real input is absent, or fail it when CI requires real data."""
    message = f"real data not present: {what}"
    if require_shared_data():
        pytest.fail(f"{message} (PEACEMONITOR_REQUIRE_SHARED_DATA is set)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data folder; tests that need it skip cleanly without it, unless CI requires it."""
    path = shared_data_dir()
    if path is None:
        missing_shared("../shared/data or $PEACEMONITOR_SHARED_DATA")
    assert path is not None
    return path


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """An empty, migrated store in a temporary directory."""
    fresh = Store(tmp_path / "test.duckdb", timeout=10)
    fresh.migrate()
    return fresh


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., tuple[int, str]]:
    """Run the CLI in-process against a temporary store; returns (exit code, output)."""
    from peacemonitor.cli import app

    runner = CliRunner()
    db = str(tmp_path / "cli.duckdb")

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["--db", db, *args], catch_exceptions=False)
        return result.exit_code, result.output

    return run


def world_store(
    path: Path, *references: Path, boundary_detail: str | None = None, registry: bool = True
) -> Store:
    """A migrated store at ``path`` with reference files loaded (DIVIPOLA, boundaries — each
    recognised by content) and the bundled registry: what every importer test starts from."""
    from peacemonitor.gazetteer import load_path
    from peacemonitor.registry import bundled_directory, load, save

    store = Store(path, timeout=10)
    store.migrate()
    for reference in references:
        load_path(store, reference, boundary_detail)
    if registry:
        save(load(), store, bundled_directory())
    return store


@pytest.fixture
def busy_machine() -> Iterator[None]:
    """Every core kept busy by another process while the test runs: errors that surface from a
    streaming thread only under load (a parser a batch ahead) must surface the same way then."""
    import subprocess
    import sys

    spin = "import time\nend = time.monotonic() + 120\nwhile time.monotonic() < end: pass\n"
    workers = [
        subprocess.Popen([sys.executable, "-c", spin]) for _ in range(max(2, os.cpu_count() or 2))
    ]
    try:
        yield
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
