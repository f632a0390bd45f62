"""Shared by the serving tests (test_serving, test_serve_postgres, test_readme_examples): one warehouse
built once per test session by a real `talent run` on the small sample, while a reader polls the
published snapshot five times a second. The polls are the acceptance evidence test_serving.py checks;
the built warehouse is what the PostgreSQL and README tests read.

Before the run a tiny snapshot is published, so the reader has something to read from the first
poll and must live through every switch the run makes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

SEED = 7
POSTINGS = 400
POLL_EVERY_S = 0.2


@dataclass
class BuiltWarehouse:
    home: Path
    warehouse: Path
    env: dict
    polls: list = field(default_factory=list)
    run_seconds: float = 0.0


MANIFEST = {
    "nodes": {
        "model.talent_warehouse.demand": {
            "resource_type": "model",
            "schema": "marts",
            "name": "demand",
            "alias": "demand",
            "description": "各县需求 demand: one row per month × county (`demand_id`).",
            "primary_key": ["demand_id"],
            "columns": {
                "demand_id": {"description": "主键 Primary key, `YYYY-MM-county`."},
                "county": {"description": "县区，如巴州区。"},
                "postings": {"description": "Unique ads (岗位数)."},
            },
        },
        "seed.talent_warehouse.counties": {
            "resource_type": "seed",
            "schema": "reference",
            "name": "counties",
            "description": "County-level units of 巴中市.",
            "columns": {"name_zh": {"description": "中文名"}},
        },
    }
}


def make_source(path: Path, months: int) -> None:
    """A warehouse file with a mart whose counts are a HUGEINT sum, as dbt's sum() makes them."""
    with duckdb.connect(str(path)) as con:
        for schema in ("marts", "reference", "staging"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            "create or replace table marts.demand as "
            "select strftime(m, '%Y-%m') || '-' || c as demand_id, m::date as month, c as county, "
            "sum(n)::hugeint as postings from (select date '2026-01-01' + to_months(i) as m, "
            "unnest(['巴州区', '恩阳区']) as c, i + 1 as n from range(?) t(i)) group by all",
            [months],
        )
        con.execute("create or replace table reference.counties as select '巴州区' as name_zh")
        con.execute("create or replace table staging.not_served as select 1 as x")


def small_warehouse(tmp_path: Path, monkeypatch) -> Path:
    """A tiny warehouse (one mart, one reference table, a dbt manifest) in tmp_path, set as the current one."""
    wh = tmp_path / "warehouse"
    monkeypatch.setenv("TALENT_WAREHOUSE_DIR", str(wh))
    for name in ("TALENT_DUCKDB_PATH", "DBT_TARGET_PATH"):
        monkeypatch.delenv(name, raising=False)
    (wh / "dbt" / "target").mkdir(parents=True)
    (wh / "dbt" / "target" / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), "utf-8")
    make_source(wh / "talent.duckdb", months=3)
    return wh


_BUILT: BuiltWarehouse | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def warehouse_env(home: Path) -> dict:
    env = {
        **os.environ,
        "TALENT_WAREHOUSE_DIR": str(home / "warehouse"),
        "TALENT_AIRFLOW_HOME": str(home / "airflow"),
        "TALENT_SAMPLE_PORT": str(free_port()),
    }
    for name in (
        "TALENT_DUCKDB_PATH",
        "TALENT_SOURCE_BASE_URL",
        "DBT_TARGET_PATH",
        "TALENT_SERVING_POSTGRES_URL",
    ):
        env.pop(name, None)
    return env


def talent_cmd() -> str:
    return str(Path(sys.executable).with_name("talent"))


class SnapshotPoller(threading.Thread):
    """Reads the whole snapshot (every served table's row count, and which build it is) every
    POLL_EVERY_S seconds, as an analyst's notebook or a dashboard would, and records what it saw."""

    def __init__(self, warehouse: Path):
        super().__init__(daemon=True)
        self.link = warehouse / "serving" / "talent.duckdb"
        self.builds = warehouse / "serving" / "builds"
        self.polls: list[dict] = []
        self.manifests: dict[str, dict] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        from talent.serving import read_snapshot, snapshot_build_id

        while not self.stop.is_set():
            started = time.monotonic()
            poll: dict = {"at": time.time()}
            try:
                with read_snapshot(self.link) as con:
                    poll["build"] = snapshot_build_id(con)
                    tables = con.execute(
                        "select table_schema, table_name from information_schema.tables "
                        "where table_schema in ('marts', 'reference') and table_catalog = current_database()"
                    ).fetchall()
                    poll["counts"] = {
                        f"{s}.{t}": con.execute(f'select count(*) from {s}."{t}"').fetchone()[0]
                        for s, t in tables
                    }
                build = poll["build"]
                if build not in self.manifests:
                    # Written before the link moved to it, and kept for the next few builds.
                    self.manifests[build] = json.loads(
                        (self.builds / f"{build}.json").read_text(encoding="utf-8")
                    )
            except Exception as exc:  # noqa: BLE001 - every failure a reader could meet is the finding
                poll["error"] = f"{type(exc).__name__}: {exc}"
            self.polls.append(poll)
            self.stop.wait(max(0.0, POLL_EVERY_S - (time.monotonic() - started)))


def _prepublish(warehouse: Path) -> None:
    """A tiny first build, so the poller has a snapshot before the run makes its own."""

    warehouse.mkdir(parents=True)
    seed_db = warehouse.parent / "before_the_run.duckdb"
    with duckdb.connect(str(seed_db)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.before_the_run as select range as before_id from range(3)")
    code = f"from talent.serving import publish_snapshot; publish_snapshot({str(seed_db)!r})"
    subprocess.run(
        [sys.executable, "-c", code], env=warehouse_env(warehouse.parent), check=True, capture_output=True
    )


def built_warehouse(tmp_path_factory) -> BuiltWarehouse:
    """The session's built warehouse (built on first use, ~3-5 minutes)."""
    global _BUILT
    if _BUILT is None:
        home = tmp_path_factory.getbasetemp() / "serving-built-warehouse"
        home.mkdir()
        env = warehouse_env(home)
        warehouse = home / "warehouse"
        _prepublish(warehouse)
        poller = SnapshotPoller(warehouse)
        poller.start()
        started = time.monotonic()
        try:
            proc = subprocess.run(
                [talent_cmd(), "run", "--seed", str(SEED), "--postings", str(POSTINGS)],
                env=env,
                capture_output=True,
                text=True,
                timeout=1500,
            )
        finally:
            poller.stop.set()
            poller.join(timeout=30)
        if proc.returncode != 0:
            raise RuntimeError(f"talent run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        for poll in poller.polls:
            if "build" in poll and "error" not in poll:
                poll["expected"] = poller.manifests[poll["build"]]["tables"]
        _BUILT = BuiltWarehouse(home, warehouse, env, poller.polls, time.monotonic() - started)
    return _BUILT
