"""The warehouse has one writer at a time, and a reader holding the file never fails a run.

Real DuckDB files and real processes: a reader is another Python process holding a read-only
connection, exactly what an analyst's notebook or a BI tool does."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from talent.writer import WriterLockTimeout, writable_warehouse, writer_lock

HOLD_READ_ONLY = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("select count(*) from t").fetchone()[0], flush=True)
sys.stdin.readline()  # hold the file until the test says so
print(con.execute("select count(*) from t").fetchone()[0], flush=True)
"""


def make_db(path: Path, rows: int = 1) -> None:
    con = duckdb.connect(str(path))
    con.execute(f"create or replace table t as select range as x from range({rows})")
    con.close()


@pytest.fixture
def reader(tmp_path):
    """Start a process holding ``path`` read-only; yields a function that starts it."""
    procs = []

    def start(path: Path) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLD_READ_ONLY, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout.readline().strip() == "1"  # it has the file open now
        return proc

    yield start
    for proc in procs:
        proc.kill()


def test_a_plain_write_fails_while_a_reader_holds_the_file(tmp_path, reader):
    # The problem this module solves: DuckDB refuses a writer while anyone reads.
    db = tmp_path / "w.duckdb"
    make_db(db)
    reader(db)
    with pytest.raises(duckdb.IOException, match="[Ll]ock"):
        duckdb.connect(str(db))


def test_writer_goes_through_a_copy_when_a_reader_holds_the_file(tmp_path, reader):
    db = tmp_path / "w.duckdb"
    make_db(db)
    holder = reader(db)
    with writable_warehouse(db, "load_raw") as path:
        assert path != db
        con = duckdb.connect(str(path))
        con.execute("insert into t values (41), (42)")
        con.close()
    # The reader keeps the version it opened; a new reader sees the new one.
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "1"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone()[0] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.writer.lock"]


def test_without_readers_the_writer_uses_the_file_itself(tmp_path):
    db = tmp_path / "w.duckdb"
    make_db(db)
    with writable_warehouse(db, "dbt_build") as path:
        assert path == db


def test_a_failed_step_leaves_the_warehouse_as_it_was(tmp_path, reader):
    db = tmp_path / "w.duckdb"
    make_db(db)
    reader(db)
    with pytest.raises(RuntimeError, match="boom"), writable_warehouse(db, "dbt_build") as path:
        con = duckdb.connect(str(path))
        con.execute("insert into t values (7)")
        con.close()
        raise RuntimeError("boom")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone()[0] == 1
    assert not list(tmp_path.glob(".*.tmp*"))


def test_writers_take_turns_across_processes(tmp_path):
    db = tmp_path / "w.duckdb"
    make_db(db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from talent.writer import writer_lock\n"
            f"with writer_lock({str(db)!r}, 'forecast'):\n"
            "    print('held', flush=True); time.sleep(2)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    with writer_lock(db, "publish"):
        waited = time.monotonic() - started
    holder.wait(timeout=10)
    assert waited > 1.0, "the second writer did not wait for the first"


def test_waiting_too_long_names_the_holder(tmp_path):
    db = tmp_path / "w.duckdb"
    release = threading.Event()
    held = threading.Event()

    def hold() -> None:
        # flock locks belong to the open file: another open file in this process is another holder.
        with writer_lock(db, "dbt_build"):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    try:
        with pytest.raises(WriterLockTimeout, match="dbt_build"), writer_lock(db, "publish", wait_s=0.6):
            pass
    finally:
        release.set()
        thread.join()
