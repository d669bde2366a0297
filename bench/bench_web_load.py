"""Load test of the dashboard's JSON API while an import writes the store.

    python bench/bench_web_load.py [SHARED_DATA] [--seconds 60] [--clients 20]

Store: real DIVIPOLA, MGN boundaries, DANE population and the bundled registry, plus 1,000,000
SYNTHETIC homicide observations (source "synthetic-bench", random municipality and day 2003–2024;
never shown as real: the store is a temporary file deleted at the end). The app runs in its own
process (uvicorn, 127.0.0.1); a second process imports the real Police homicide files into the
same store in a loop for the whole run (DuckDB: one writing process; readers wait for the
importer to hand the file over between files). The client is bounded: ``--clients`` workers on
loopback only, each sending one request at a time on a keep-alive connection, for
``--seconds``, then it stops; a minimal HTTP/1.1 reader by default, or httpx (``--client
httpx``, whose own CPU on the shared cores adds to every latency). ``--http``/``--loop`` run the
server on uvicorn's pure-Python h11 and asyncio instead of httptools and uvloop.

Before the run, every URL the mix can produce is asked once (warm-up, timed and reported: the cold
cost); during the import the app serves an answer it computed before while the importer holds the
store, and recomputes between files. Mix: overview 30%, map 30% (random level and year),
territory 20% (30 municipalities and departments), table 10%, ceasefire 10% (random ids from the
registry); plus ``--indicator-share`` (default 0.1) of all requests to ``/api/indicator``
(random level and year), the five kinds keeping their proportions. Reports requests/s,
p50/p95/p99 per endpoint, errors (any non-200, 5xx counted apart), answers marked stale, and,
as the baseline asked of every bench, the time plain pandas takes to aggregate the same 1M rows
by department for one year.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MIX = {"overview": 0.3, "map": 0.3, "territory": 0.2, "table": 0.1, "ceasefire": 0.1}
# A stated addition to the mix: /api/indicator (random level and year) takes this share
# of all requests, the five page kinds share the rest in the proportions.
INDICATOR_SHARE = 0.1
ROWS = 1_000_000
SOURCE = "synthetic-bench"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    default = os.environ.get("PEACEMONITOR_SHARED_DATA") or str(
        Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("data", nargs="?", default=default)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--no-import", action="store_true", help="no import during the run (for comparison)"
    )
    parser.add_argument("--client", default="raw", choices=["raw", "httpx"])
    parser.add_argument("--http", default="auto", choices=["auto", "h11", "httptools"])
    parser.add_argument("--loop", default="auto", choices=["auto", "asyncio", "uvloop"])
    parser.add_argument(
        "--indicator-share", type=float, default=INDICATOR_SHARE, help="share of /api/indicator"
    )
    return parser.parse_args()


def build_store(path: Path, data: Path) -> None:
    """Reference data, registry, and 1M synthetic observations with their coverage span."""
    from peacemonitor.reference import load_path
    from peacemonitor.registry import bundled_directory, load, save
    from peacemonitor.store import Store

    store = Store(path, timeout=60)
    store.migrate()
    for folder in ("divipola", "boundaries_mgn2018", "population_dane"):
        load_path(store, data / folder)
    save(load(), store, bundled_directory())
    coverage = (
        '[{"category": "homicide", "unit": "victims", "territory_level": "municipality", '
        '"first": "2003-01-01", "last": "2024-12-31"}]'
    )
    with store.write() as db:
        db.execute(
            "CREATE TEMP TABLE codes AS SELECT row_number() OVER (ORDER BY code) - 1 AS i, code "
            "FROM territories WHERE level = 'municipality' AND successor IS NULL"
        )
        n = db.execute("SELECT count(*) FROM codes").fetchone()[0]  # type: ignore[index]
        db.execute(
            f"""INSERT INTO observations (source, record_id, part, import_id, row_number, category,
                unit, count, date_first, date_precision, territory_level, territory_code,
                resolution)
            SELECT '{SOURCE}', 'r' || r, '', NULL, r, 'homicide', 'victims', 1,
                   DATE '2003-01-01' + CAST(floor(random() * 8036) AS INTEGER), 'day',
                   'municipality', c.code, 'code'
            FROM range({ROWS}) t(r) JOIN codes c ON c.i = hash(r) % {n}"""
        )
        db.execute(
            "INSERT INTO imports (import_id, source, file_name, file_sha256, started_at, "
            "finished_at, rows_read, rows_stored, coverage) VALUES "
            f"(nextval('import_ids'), '{SOURCE}', 'synthetic', 'none', now(), now(), {ROWS}, "
            f"{ROWS}, ?)",
            [coverage],
        )


def pandas_baseline(path: Path) -> float:
    """Seconds for pandas to sum one year of the 1M rows by department (frame already loaded)."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as db:
        frame = db.execute(
            "SELECT territory_code, date_first, count FROM observations WHERE source = ?",
            [SOURCE],
        ).df()
    started = time.perf_counter()
    year = frame[frame["date_first"].dt.year == 2023]
    year.groupby(year["territory_code"].str.slice(0, 2))["count"].sum()
    return time.perf_counter() - started


def import_loop(db: str, data: str, stop_at: float) -> None:
    """Re-import real Police files until ``stop_at`` (re-imports take the write lock too)."""
    from peacemonitor.gazetteer import Gazetteer
    from peacemonitor.runner import import_files
    from peacemonitor.store import Store

    store = Store(Path(db), timeout=120)
    gazetteer = Gazetteer.from_store(store)
    files = sorted((Path(data) / "policia_homicidios_raw").glob("homicidios_20*.xls*"))
    rounds = 0
    while time.time() < stop_at:
        for path in files:
            if time.time() >= stop_at:
                break
            import_files(store, "police", [path], gazetteer)
        rounds += 1
    print(f"import process: {rounds} pass(es) over {len(files)} Police files", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(db: Path, port: int, http: str, loop: str) -> subprocess.Popen[bytes]:
    """The app under uvicorn, as ``peacemonitor serve`` runs it (``auto``: httptools and uvloop
    when installed), or with the pure-Python ``h11`` and ``asyncio`` for comparison."""
    code = (
        "import uvicorn; from pathlib import Path; from peacemonitor.settings import Settings; "
        "from peacemonitor.web import create_app; "
        f"uvicorn.run(create_app(Settings(db=Path({str(db)!r}), lock_timeout=60)), "
        f"host='127.0.0.1', port={port}, log_level='error', http={http!r}, loop={loop!r})"
    )
    return subprocess.Popen([sys.executable, "-c", code])


def urls(registry: dict[str, list[str]]) -> dict[str, object]:
    """For each kind, a function drawing one of its URLs (path and query)."""
    territories = registry["territories"]
    return {
        "overview": lambda: "/api/overview",
        "map": lambda: (
            f"/api/map?level={random.choice(['department', 'municipality'])}"
            f"&period={random.randint(2015, 2024)}&source={SOURCE}"
        ),
        "territory": lambda: f"/api/territory/{random.choice(territories)}",
        "table": lambda: f"/api/table/{random.choice(registry['tables'])}",
        "ceasefire": lambda: f"/api/ceasefire/{random.choice(registry['ceasefires'])}",
        "indicator": lambda: indicator_url(
            random.choice(["department", "municipality"]), random.randint(2015, 2024)
        ),
    }


def indicator_url(level: str, year: int) -> str:
    return f"/api/indicator?category=homicide&level={level}&start={year}&end={year}&source={SOURCE}"


def mix(indicator_share: float) -> dict[str, float]:
    """The issue's mix scaled to ``1 - indicator_share``, plus the indicator's share."""
    weights = {name: share * (1 - indicator_share) for name, share in MIX.items()}
    return {**weights, "indicator": indicator_share} if indicator_share else weights


class Connection:
    """One keep-alive HTTP/1.1 connection to the app on 127.0.0.1. A minimal client (GET, a
    Content-Length or chunked body): the load generator shares the machine's two cores with the
    server, so the less CPU it takes per request, the more the figures measure the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, target: str) -> tuple[int, bool]:
        """(status, marked stale) of ``GET target``."""
        if self.streams is None:
            self.streams = await asyncio.open_connection("127.0.0.1", self.port)  # loopback only
        reader, writer = self.streams
        writer.write(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        fields = dict(line.lower().split(": ", 1) for line in head[1:] if line)
        if "content-length" in fields:
            await reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        if fields.get("connection") == "close":
            self.close()
        return int(head[0].split()[1]), "x-peacemonitor-stale" in fields

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


class HttpxConnection:
    """The same through httpx (``--client httpx``, as earlier runs measured): its per-request
    CPU in the one client process shows up as latency when the cores are busy."""

    def __init__(self, port: int) -> None:
        import httpx

        self.base = f"http://127.0.0.1:{port}"  # loopback only
        self.http = httpx.AsyncClient(timeout=120)

    async def get(self, target: str) -> tuple[int, bool]:
        response = await self.http.get(self.base + target)
        return response.status_code, "x-peacemonitor-stale" in response.headers

    def close(self) -> None:
        pass  # one client per worker, dropped with the process


async def client(
    connect: Callable[[int], Connection | HttpxConnection],
    port: int,
    weights: dict[str, float],
    make: dict[str, object],
    until: float,
    results: list[tuple[str, float, int, bool]],
) -> None:
    """One client: a request, its answer read whole, the next, until ``until``."""
    names, shares = list(weights), list(weights.values())
    connection = connect(port)
    try:
        while time.monotonic() < until:
            name = random.choices(names, shares)[0]
            target = make[name]()  # type: ignore[operator]
            started = time.perf_counter()
            try:
                status, stale = await connection.get(target)
            except Exception:  # noqa: BLE001 - a request that failed counts as no answer
                connection.close()
                status, stale = 0, False
            results.append((name, time.perf_counter() - started, status, stale))
    finally:
        connection.close()


def registry_ids(base: str) -> dict[str, list[str]]:
    import httpx

    tables = [t["id"] for t in httpx.get(f"{base}/api/tables", timeout=120).json()["tables"]]
    cfs = [c["id"] for c in httpx.get(f"{base}/api/ceasefires", timeout=120).json()["ceasefires"]]
    codes = ["05001", "76001", "11001", "19001", "52835", "76109", "54001", "81001", "68001"]
    codes += ["05", "19", "52", "76", "54", "81", "18", "27", "13", "50", "23", "20", "44", "47"]
    codes += ["19698", "52001", "19573", "05154", "54810", "81736", "27001"]
    return {"tables": tables, "ceasefires": cfs, "territories": codes}


def warm_up(base: str, ids: dict[str, list[str]]) -> tuple[int, float]:
    """Ask every URL the mix can produce once, before the import starts (a dashboard that has
    been open a while); returns (requests, seconds)."""
    import httpx

    every = [f"{base}/api/overview"]
    every += [
        f"{base}/api/map?level={level}&period={year}&source={SOURCE}"
        for level in ("department", "municipality")
        for year in range(2015, 2025)
    ]
    every += [f"{base}/api/territory/{code}" for code in ids["territories"]]
    every += [f"{base}/api/table/{t}" for t in ids["tables"]]
    every += [f"{base}/api/ceasefire/{c}" for c in ids["ceasefires"]]
    every += [
        f"{base}{indicator_url(level, year)}"
        for level in ("department", "municipality")
        for year in range(2015, 2025)
    ]
    started = time.perf_counter()
    for url in every:
        httpx.get(url, timeout=120)
    return len(every), time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(
    results: list[tuple[str, float, int, bool]], seconds: float, weights: dict[str, float]
) -> None:
    shares = ", ".join(f"{name} {share:.0%}" for name, share in weights.items())
    print(f"\nmix: {shares}")
    print(f"{len(results)} requests in {seconds:.0f} s: {len(results) / seconds:.1f} requests/s")
    header = ("endpoint", "n", "p50 ms", "p95 ms", "p99 ms", "non-200", "5xx", "stale")
    print("{:<10} {:>6} {:>8} {:>8} {:>8} {:>8} {:>5} {:>6}".format(*header))
    for name in weights:
        rows = [r for r in results if r[0] == name]
        if not rows:
            continue
        times = [r[1] for r in rows]
        bad = sum(1 for r in rows if r[2] != 200)
        server = sum(1 for r in rows if r[2] >= 500 or r[2] == 0)
        stale = sum(1 for r in rows if r[3])
        print(
            f"{name:<10} {len(rows):>6} {percentile(times, 0.5):>8.1f} "
            f"{percentile(times, 0.95):>8.1f} {percentile(times, 0.99):>8.1f} {bad:>8} {server:>5}"
            f" {stale:>6}"
        )
    bad = sum(1 for r in results if r[2] != 200)
    server = sum(1 for r in results if r[2] >= 500 or r[2] == 0)
    print(f"errors: {bad} non-200, of which {server} 5xx or no answer")


def main() -> None:
    args = arguments()
    connect = HttpxConnection if args.client == "httpx" else Connection
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "load.duckdb"
        started = time.perf_counter()
        build_store(db, Path(args.data))
        took = time.perf_counter() - started
        print(f"store with {ROWS:,} synthetic observations built in {took:.1f} s")
        baseline = pandas_baseline(db)
        port = free_port()
        server = serve(db, port, args.http, args.loop)
        print(
            f"server: uvicorn --http {args.http} --loop {args.loop}; "
            f"clients: {args.clients} ({args.client})"
        )
        base = f"http://127.0.0.1:{port}"
        try:
            time.sleep(1)
            while True:
                try:
                    ids = registry_ids(base)
                    break
                except Exception:  # noqa: BLE001 - the server is still starting
                    time.sleep(0.5)
            count, took = warm_up(base, ids)
            print(f"warm-up: {count} distinct URLs in {took:.1f} s (cold answers)")
            stop_at = time.time() + args.seconds
            importer = multiprocessing.Process(
                target=import_loop, args=(str(db), args.data, stop_at + 5)
            )
            if not args.no_import:
                importer.start()
            results: list[tuple[str, float, int, bool]] = []
            until = time.monotonic() + args.seconds
            make, weights = urls(ids), mix(args.indicator_share)

            async def run() -> None:
                await asyncio.gather(
                    *(
                        client(connect, port, weights, make, until, results)
                        for _ in range(args.clients)
                    )
                )

            asyncio.run(run())
            report(results, args.seconds, weights)
            if not args.no_import:
                importer.join()
            maps = sorted(r[1] for r in results if r[0] == "map")
            if maps:
                p50 = percentile(maps, 0.5) / 1000
                print(
                    f"\nbaseline: pandas sums one year of the 1M rows by department in "
                    f"{baseline * 1000:.1f} ms (frame in memory); map p50 / baseline = "
                    f"{p50 / baseline:.2f}"
                )
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
