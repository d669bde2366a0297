"""The dashboard in real Chromium (Debian's package, driven by Playwright) over the real data in
../shared/data: every page type without console errors and without a request to any host but
127.0.0.1; the map draws the departments with the values of ``indicator``; the language switch
leaves no English label behind; a filter changes the chart and the URL."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from peacemonitor.indicators import Level, Period, Query, indicator, records
from peacemonitor.model import Category, PartialDate
from peacemonitor.settings import Settings
from peacemonitor.store import Store

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.shared_data,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def real_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """DIVIPOLA, MGN boundaries, DANE population, the bundled registry and three years of
    Police homicides (2022–2024: enough for a series, quick to import)."""
    from conftest import world_store

    from peacemonitor.gazetteer import Gazetteer
    from peacemonitor.runner import import_files

    store = world_store(
        tmp_path_factory.mktemp("browser") / "real.duckdb",
        shared_data / "divipola",
        shared_data / "boundaries_mgn2018",
        shared_data / "population_dane",
    )
    files = [
        shared_data / "policia_homicidios_raw" / f"homicidios_{y}.xls" for y in (2022, 2023, 2024)
    ]
    import_files(store, "police", files, Gazetteer.from_store(store))
    return store


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(real_store: Store) -> Iterator[str]:
    import uvicorn

    from peacemonitor.web import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(Settings(db=real_store.path)), host="127.0.0.1", port=port, log_level="error"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


class Watch:
    """Console errors, page errors and requests to hosts other than 127.0.0.1 (aborted)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []

    def route(self, route: Any) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def check(self) -> None:
        assert self.foreign == [], f"requests to other hosts: {self.foreign}"
        assert self.errors == [], f"console errors: {self.errors}"


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    watch = Watch()
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.route("**/*", watch.route)
    tab = context.new_page()
    tab.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: watch.errors.append(str(e)))
    yield tab, watch
    context.close()
    watch.check()


PAGE_TYPES = [
    "/",
    "/map?level=municipality",
    "/territory/19001",
    "/territory/19",
    "/actors",
    "/actor/eln",
    "/actor/emc",
    "/actor/comuneros-del-sur",
    "/tables",
    "/table/gov-eln",
    "/ceasefires",
    "/ceasefire/{ceasefire}",
    "/sources",
    "/coverage",
    "/search?q=cauca",
    "/api/docs",
    "/implementation",
    "/scorecard",
    "/published",
    "/priorities",
    "/network",
]


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_every_page_type_loads_clean_and_offline(
    path: str, server: str, page: tuple[Any, Watch]
) -> None:
    import httpx

    tab, _ = page
    if "{ceasefire}" in path:
        first = httpx.get(server + "/api/ceasefires").json()["ceasefires"][0]["id"]
        path = path.format(ceasefire=first)
    response = tab.goto(server + path, wait_until="networkidle")
    assert response is not None and response.status == 200
    assert tab.locator("h1").inner_text().strip()
    if tab.locator(".chart").count():
        tab.wait_for_selector(".chart .main-svg")  # plotly drew it


def test_the_map_draws_the_departments_with_the_indicator_values(
    server: str, page: tuple[Any, Watch], real_store: Store
) -> None:
    from PIL import Image

    tab, _ = page
    tab.goto(server + "/map?category=homicide&source=police&period=2023", wait_until="networkidle")
    shapes = tab.locator("svg.map path")
    codes = shapes.evaluate_all("ps => ps.map(p => p.dataset.code)")
    drawn = dict(zip(codes, shapes.evaluate_all("ps => ps.map(p => p.dataset.value)"), strict=True))
    assert len(drawn) == 33  # 32 departments and Bogotá
    year = PartialDate.parse("2023")
    frame = indicator(
        real_store, Query(Category.HOMICIDE, Level.DEPARTMENT, Period.YEAR, year, year, "police")
    )
    expected = {r["territory_code"]: r["count"] for r in records(frame)}
    assert {code: float(value) for code, value in drawn.items()} == {
        code: float(expected[code]) for code in drawn
    }
    picture = Image.open(io.BytesIO(tab.locator("svg.map").screenshot())).convert("RGB")
    colours = picture.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 20  # filled departments, not a blank box
    white = max(count for count, rgb in colours if rgb == (255, 255, 255)) if colours else 0
    assert white < 0.8 * picture.width * picture.height


VISIBLE_TEXTS = """() => { const out = []; const walk = document.createTreeWalker(document.body,
    NodeFilter.SHOW_TEXT); while (walk.nextNode()) { const t = walk.currentNode.textContent
    .trim(); if (t && !walk.currentNode.parentElement.closest('script,code,svg')) out.push(t); }
    return out.concat(Array.from(document.querySelectorAll('[aria-label]'))
    .map(e => e.getAttribute('aria-label'))); }"""


def _english_labels() -> set[str]:
    from peacemonitor.web.i18n import read_catalogue

    spanish = read_catalogue("es")
    return {english for english, translated in spanish.items() if translated != english}


def test_the_language_switch_leaves_no_untranslated_label(
    server: str, page: tuple[Any, Watch]
) -> None:
    tab, _ = page
    tab.goto(server + "/?lang=en", wait_until="networkidle")
    assert tab.locator("html").get_attribute("lang") == "en"
    assert tab.locator("nav").inner_text().split("\n")[0].strip() == "Overview"
    tab.locator("#lang-switch").click()
    tab.wait_for_load_state("networkidle")
    assert tab.locator("html").get_attribute("lang") == "es"
    texts = tab.evaluate(VISIBLE_TEXTS)
    english = _english_labels()
    left = sorted({t for t in texts if t.rstrip(":.") in english})
    assert left == []


def test_a_filter_changes_the_chart_and_the_url(server: str, page: tuple[Any, Watch]) -> None:
    tab, _ = page
    tab.goto(server + "/?lang=en&outcome=homicide", wait_until="networkidle")
    tab.wait_for_selector("#chart-national .main-svg")
    yearly = tab.locator("#chart-national").get_attribute("data-points")
    tab.locator("#filter-by").focus()
    tab.keyboard.press("ArrowDown")  # keyboard only: year → month
    tab.wait_for_url("**by=month**")
    tab.wait_for_selector("#chart-national .main-svg")
    monthly = tab.locator("#chart-national").get_attribute("data-points")
    assert "by=month" in tab.url and "start=" not in tab.url
    assert (int(yearly or 0), int(monthly or 0)) == (3, 36)


def _ranking(tab: Any) -> list[str]:
    codes: list[str] = tab.locator("#priority-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.code)"
    )
    return codes


def test_a_weight_changed_in_the_form_changes_the_ranking_and_the_url(
    server: str, page: tuple[Any, Watch]
) -> None:
    import httpx

    tab, _ = page
    tab.goto(server + "/priorities?lang=en", wait_until="networkidle")
    before = _ranking(tab)
    assert len(before) == 33 and tab.locator("svg.map path").count() == 33
    tab.locator("#weight-population").fill("10")
    tab.locator("#weight-population").press("Enter")  # the keyboard submits the form
    tab.wait_for_url("**w_population=10**")
    after = _ranking(tab)
    assert after != before and sorted(after) == sorted(before)
    weights = "violence=0.3,population=10,fragmentation=0.15,tables=0.15"
    weights += ",seriousness=0.15,implementation=0.1"
    report = httpx.get(server + "/api/priorities", params={"priority_weights": weights}).json()[
        "report"
    ]
    assert after == [r["code"] for r in report["rows"]]
    drawn = tab.locator("svg.map path.area").evaluate_all(
        "ps => Object.fromEntries(ps.map(p => [p.dataset.code, Number(p.dataset.value)]))"
    )
    assert drawn == {r["code"]: r["index"] for r in report["rows"] if r["index"] is not None}
    assert tab.locator("#weight-population").input_value() == "10.0"


def test_published_shows_the_police_homicides_beside_the_published_counts(
    server: str, page: tuple[Any, Watch], real_store: Store
) -> None:
    """2022 homicides on the real Police files: the store computes 13,537, the Ministry of
    Defence published 13,537 and Medicina Legal 13,939 (the Police leave some deaths out)."""
    from peacemonitor.published import reconcile
    from peacemonitor.registry import from_store

    rows = {r.statistic: r for r in reconcile(real_store, from_store(real_store)).rows}
    expected = {
        "mindefensa-homicides-2022": (13537, 0),
        "medicina-legal-homicides-2022": (13939, 402),
    }
    tab, _ = page
    tab.goto(server + "/published?lang=en", wait_until="networkidle")
    for statistic, (published, difference) in expected.items():
        computed = rows[statistic].computed
        assert [(c.source, c.value, c.difference) for c in computed] == [
            ("police", 13537, difference)
        ]
        row = tab.locator(f'tr[data-statistic="{statistic}"]')
        assert row.locator(".published-value strong").inner_text() == f"{published:,}"
        assert row.locator(".computed-value").inner_text().startswith("13,537")
        assert row.locator(".difference").inner_text() == f"{difference:,}"


def test_the_analytics_pages_leave_no_label_untranslated(
    server: str, page: tuple[Any, Watch]
) -> None:
    tab, _ = page
    english = _english_labels()
    for path in ("/implementation", "/scorecard?subject=eln", "/published"):
        tab.goto(
            server + path + ("&" if "?" in path else "?") + "lang=es", wait_until="networkidle"
        )
        assert tab.locator("html").get_attribute("lang") == "es"
        left = sorted({t for t in tab.evaluate(VISIBLE_TEXTS) if t.rstrip(":.") in english})
        assert (path, left) == (path, [])


def test_the_scorecard_says_why_red_lines_have_no_data_on_the_real_data(
    server: str, page: tuple[Any, Watch], real_store: Store
) -> None:
    """No imported source names armed groups (the Police files do not), so the ELN's red lines
    in 2024 are "no data" with the reason, apart from its measured gestures score of 0."""
    from peacemonitor.registry import from_store
    from peacemonitor.scorecard import scorecard

    card = scorecard(real_store, from_store(real_store), "eln", range(2024, 2025))
    parts = {c.name: c for c in card.years[0].components}
    assert parts["red-lines"].status == "no data"
    assert parts["red-lines"].detail.endswith("no source naming armed groups covers 2024")
    assert (parts["gestures"].status, parts["gestures"].score) == ("measured", 0.0)
    tab, _ = page
    tab.goto(
        server + "/scorecard?lang=en&subject=eln&start=2024&end=2024", wait_until="networkidle"
    )
    row = tab.locator('tr[data-year="2024"]')
    red = row.locator('td[data-component="red-lines"]')
    assert red.get_attribute("data-status") == "no data"
    assert red.locator(".swatch.nodata").count() == 1
    assert parts["red-lines"].detail in red.inner_text()
    gestures = row.locator('td[data-component="gestures"]')
    assert gestures.locator("strong").inner_text() == "0.00"
    assert tab.locator("#why-no-data").is_visible()


def test_a_group_page_draws_its_lineage_tree_and_strength_chart(
    server: str, page: tuple[Any, Watch]
) -> None:
    """The EMC has both: a family tree (FARC-EP's dissidents) and published strength figures."""
    import httpx

    tab, _ = page
    data = httpx.get(server + "/api/actor/emc").json()
    assert data["tree"]["edges"] and data["strength"]
    tab.goto(server + "/actor/emc?lang=en", wait_until="networkidle")
    tab.wait_for_selector("#chart-strength .main-svg")
    chart = tab.locator("#chart-strength")
    assert chart.get_attribute("data-points") == str(len(data["strength"]))
    assert tab.locator("#chart-strength .scatterlayer .point").count() == len(data["strength"])
    tree = tab.locator("svg.lineage")
    box = tree.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    assert tree.locator("path.edge").count() == len(data["tree"]["edges"])
    assert tree.locator("g.node").count() == len(data["tree"]["nodes"])
    assert tree.locator("g.node[aria-current=page]").get_attribute("data-actor") == "emc"
    tree.locator('a[aria-label="Segunda Marquetalia"]').focus()
    tab.keyboard.press("Enter")  # a node is a link, reachable from the keyboard
    tab.wait_for_url("**/actor/segunda-marquetalia**")
    current = tab.locator("svg.lineage g.node[aria-current=page]")
    assert current.get_attribute("data-actor") == "segunda-marquetalia"


def test_the_eln_ceasefire_page_draws_its_effect(
    server: str, page: tuple[Any, Watch], real_store: Store
) -> None:
    """The bilateral ELN ceasefire on Police homicides: the interrupted time series drawn with
    the library's fit (observed, fitted, counterfactual, months in force shaded)."""
    from peacemonitor.effects import ceasefire_effect
    from peacemonitor.registry import from_store
    from peacemonitor.web.negotiation import METHODS

    tab, _ = page
    tab.goto(server + "/ceasefire/cf-eln-2023-2024?lang=en", wait_until="networkidle")
    tab.wait_for_selector("#chart-its .main-svg")
    names = tab.evaluate("() => document.getElementById('chart-its').data.map(t => t.name)")
    assert names[:3] == ["observed", "fitted model", "without the ceasefire (counterfactual)"]
    observed = tab.evaluate("() => document.getElementById('chart-its').data[0].y")
    shaded = tab.evaluate("() => document.getElementById('chart-its').layout.shapes.length")
    effect = ceasefire_effect(
        real_store, from_store(real_store), "cf-eln-2023-2024", "homicide", "police", METHODS
    )
    start = effect.estimates[0]
    assert observed == [p.observed for p in start.fit] and len(observed) == 36
    assert shaded >= 1  # August 2023 – August 2024
    headline = tab.locator("#effect .headline").inner_text()
    assert f"{start.rate_ratio:.2f} ({start.ci_low:.2f}–{start.ci_high:.2f})" in headline
