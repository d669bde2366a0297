"""Regenerate the dashboard screenshots in docs/screenshots/ (overview, a territory, a table).

    python scripts/screenshots.py [SHARED_DATA]

Builds a temporary store from the real files in ../shared/data (DIVIPOLA, MGN boundaries, DANE
population, Police homicides 2015–2024, the bundled registry), serves it on 127.0.0.1 and takes
full-page pictures in Debian's Chromium (/usr/bin/chromium) through Playwright. Any request to
another host is refused.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
SHOTS = {
    "overview.png": "/?lang=en&start=2015",
    "territory.png": "/territory/19?lang=en&start=2015",
    "table.png": "/table/gov-eln?lang=en",
}
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def shared_data() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    configured = os.environ.get("PEACEMONITOR_SHARED_DATA")
    return Path(configured) if configured else REPO.parent / "shared" / "data"


def build_store(path: Path, data: Path, years: range) -> Path:
    """A store with the reference files, the bundled registry and Police homicides."""
    from peacemonitor.gazetteer import Gazetteer
    from peacemonitor.reference import load_path
    from peacemonitor.registry import bundled_directory, load, save
    from peacemonitor.runner import import_files
    from peacemonitor.store import Store

    store = Store(path, timeout=60)
    store.migrate()
    for folder in ("divipola", "boundaries_mgn2018", "population_dane"):
        load_path(store, data / folder)
    save(load(), store, bundled_directory())
    files = [
        p
        for p in sorted((data / "policia_homicidios_raw").glob("homicidios_*.xls*"))
        if any(str(year) in p.name for year in years)
    ]
    import_files(store, "police", files, Gazetteer.from_store(store))
    return path


@contextmanager
def serving(db: Path) -> Iterator[str]:
    """The app on a free loopback port, in a thread, for the duration of the block."""
    import uvicorn

    from peacemonitor.settings import Settings
    from peacemonitor.web import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(Settings(db=db)), host="127.0.0.1", port=port)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def shoot(base: str) -> list[Path]:
    from playwright.sync_api import Route, sync_playwright

    def local_only(route: Route) -> None:
        ok = route.request.url.startswith("http://127.0.0.1:")
        route.continue_() if ok else route.abort()

    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/*", local_only)
        for name, path in SHOTS.items():
            page.goto(base + path, wait_until="networkidle")
            page.screenshot(path=OUT / name, full_page=True)
            written.append(OUT / name)
        browser.close()
    return written


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = build_store(Path(folder) / "shots.duckdb", shared_data(), range(2015, 2025))
        with serving(db) as base:
            for path in shoot(base):
                print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
