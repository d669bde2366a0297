import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from peacemonitor.errors import SchemaOutdated, SchemaTooNew, StoreBusy, StoreMissing
from peacemonitor.store import Store, migrations, schema_version


def test_migrations_are_numbered_and_applied_once(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    versions = [m.version for m in migrations()]
    assert versions == sorted(set(versions)) and versions[0] == 1
    assert store.migrate() == versions
    assert store.migrate() == []
    with store.read() as db:
        assert db.execute("SELECT max(version) FROM schema_migrations").fetchone() == (
            schema_version(),
        )


def test_an_older_file_is_upgraded(tmp_path):
    path = tmp_path / "old.duckdb"
    db = duckdb.connect(str(path))
    db.execute(
        "CREATE TABLE schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)"
    )
    db.execute(migrations()[0].sql)
    db.execute("INSERT INTO schema_migrations VALUES (1, 'core', now())")
    db.close()
    store = Store(path)
    if schema_version() > 1:
        with pytest.raises(SchemaOutdated, match="run `peacemonitor init`"):
            with store.read():
                pass
    assert store.migrate() == [m.version for m in migrations()[1:]]
    with store.read():
        pass


def test_a_newer_file_is_refused(tmp_path, store):
    with duckdb.connect(str(store.path)) as db:
        db.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')")
    with pytest.raises(SchemaTooNew, match="schema version 999"):
        with store.read():
            pass
    with pytest.raises(SchemaTooNew):
        store.migrate()


def test_reading_a_missing_store_says_what_to_do(tmp_path):
    with pytest.raises(StoreMissing, match="run `peacemonitor init` first"):
        with Store(tmp_path / "none.duckdb").read():
            pass


def test_a_failed_write_leaves_the_store_as_it_was(store):
    with pytest.raises(KeyboardInterrupt):
        with store.write() as db:
            db.execute("INSERT INTO sources VALUES ('s', 'p', 't', NULL, NULL, NULL, '{}')")
            raise KeyboardInterrupt
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM sources").fetchone() == (0,)


HOLDER = textwrap.dedent(
    """
    import sys, time, duckdb
    from pathlib import Path
    db = duckdb.connect(sys.argv[1], read_only=sys.argv[3] == "ro")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    db.close()
    Path(sys.argv[1] + ".released").touch()
    """
)


def test_a_lock_held_too_long_is_a_clear_error(store):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store.path), "3", "rw"], stdout=subprocess.PIPE
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
    try:
        with pytest.raises(StoreBusy, match="stayed locked by another process"):
            with Store(store.path, timeout=0.3).read():
                pass
    finally:
        holder.wait()


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from peacemonitor.store import Store
    store = Store(Path(sys.argv[1]), timeout=30)
    for i in range(int(sys.argv[2])):
        with store.write() as db:
            row = [f"s{i}"]
            db.execute("INSERT INTO sources VALUES (?, 'p', 't', NULL, NULL, NULL, '{}')", row)
            time.sleep(0.15)  # a write transaction that takes a while, like an import
        time.sleep(0.02)
    print("writer done", flush=True)
    """
)


def test_readers_keep_answering_while_another_process_writes(store):
    """Two real processes: a writer commits 15 slow transactions while this process reads."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store.path), "15"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    while writer.poll() is None:
        with store.read() as db:
            seen.append(db.execute("SELECT count(*) FROM sources").fetchone()[0])
        time.sleep(0.01)
    assert writer.stdout is not None and writer.stderr is not None
    assert writer.returncode == 0, writer.stderr.read()
    assert writer.stdout.read().strip() == "writer done"
    assert len(seen) >= 5, "the reader was starved"
    assert seen == sorted(seen), "a reader saw a write go backwards"
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM sources").fetchone() == (15,)


def test_a_writer_waits_for_readers_in_another_process(store):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store.path), "0.5", "ro"], stdout=subprocess.PIPE
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
    with store.write() as db:
        # the write could only open once the reader in the other process had closed the file
        assert Path(str(store.path) + ".released").exists()
        db.execute("INSERT INTO sources VALUES ('x', 'p', 't', NULL, NULL, NULL, '{}')")
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM sources").fetchone() == (1,)


def test_a_session_commits_each_transaction_and_rolls_back_only_the_failed_one(store):
    with store.session() as session:
        with session.transaction() as db:
            db.execute("INSERT INTO sources VALUES ('a', 'p', 't', NULL, NULL, NULL, '{}')")
        with pytest.raises(RuntimeError):
            with session.transaction() as db:
                db.execute("INSERT INTO sources VALUES ('b', 'p', 't', NULL, NULL, NULL, '{}')")
                raise RuntimeError("bad file")
        with session.transaction() as db:
            db.execute("INSERT INTO sources VALUES ('c', 'p', 't', NULL, NULL, NULL, '{}')")
    with store.read() as db:
        assert db.execute("SELECT list(id ORDER BY id) FROM sources").fetchone() == (["a", "c"],)
