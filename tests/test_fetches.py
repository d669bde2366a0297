"""The fetch record, sync state, withdrawals and the hand-over of fetched files to importers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import world_store

from peacemonitor.fetches import (
    FetchRecord,
    SyncState,
    list_fetches,
    record,
    save_sync_state,
    sync_state,
    withdraw,
)
from peacemonitor.handover import import_fetched
from peacemonitor.store import Store

TERRITORIES = Path(__file__).parent / "data" / "territories"
UCDP = Path(__file__).parent / "data" / "imports" / "ucdp" / "ged_49_small.csv"


def _item(source: str, url: str) -> FetchRecord:
    return FetchRecord(source=source, dataset="d", url=url, fetched_at=dt.datetime(2026, 11, 1))


def test_records_are_kept_in_order_without_credentials(store: Store) -> None:
    saved = record(store, [
        _item("ucdp", "https://ucdp.example/x.csv?token=T0K&version=25.1"),
        _item("acled", "https://acled.example/read?email=me%40x.org&country=Colombia"),
    ])  # fmt: skip
    assert [r.fetch_id for r in saved] == [1, 2]
    assert [r.url for r in list_fetches(store)] == [
        "https://ucdp.example/x.csv?version=25.1",
        "https://acled.example/read?country=Colombia",
    ]
    assert [r.source for r in list_fetches(store, "acled")] == ["acled"]


def test_sync_state_round_trip(store: Store) -> None:
    assert sync_state(store, "acled", "Colombia") == SyncState("acled", "Colombia")
    save_sync_state(store, SyncState("acled", "Colombia", 17, 18))
    save_sync_state(store, SyncState("acled", "Colombia", 19, 20))
    state = sync_state(store, "acled", "Colombia")
    assert (state.last_timestamp, state.last_deleted_timestamp) == (19, 20)


def test_withdraw_and_an_unread_layout(tmp_path: Path) -> None:
    store = world_store(tmp_path / "w.duckdb", TERRITORIES / "dl_municipios.csv", registry=True)
    (report,) = import_fetched(store, "ucdp", [UCDP]).reports
    assert report.rows_stored == 5
    assert withdraw(store, "ucdp", {"900001": 1_700_000_000, "nope": None}) == 1
    with store.read() as db:
        left = db.execute("SELECT count(*) FROM observations WHERE record_id = '900001'")
        assert left.fetchone() == (0,)
        assert db.execute("SELECT record_id FROM withdrawals").fetchall() == [("900001",)]
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n", "utf-8")
    handover = import_fetched(store, "ucdp", [odd])
    assert handover.reports == [] and handover.failures == []
    assert handover.unread[0].startswith("odd.csv: fetched; `import ucdp` does not read this")
