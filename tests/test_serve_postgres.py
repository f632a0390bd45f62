"""`talent serve postgres`: the snapshot's marts in PostgreSQL for BI tools, against the server at
127.0.0.1:5432 (trust auth; each test gets its own database, dropped afterwards)."""

from __future__ import annotations

import threading
import time
import uuid

import duckdb
import pytest
from serving_support import built_warehouse, make_source, small_warehouse

from talent import tasks
from talent.cli import main
from talent.serve_postgres import ServeError, postgres_type, serve_postgres
from talent.serving import publish_snapshot, read_snapshot, served_tables

psycopg2 = pytest.importorskip("psycopg2")

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def connect(url: str):
    return psycopg2.connect(url, connect_timeout=5)


@pytest.fixture
def database():
    try:
        admin = connect(ADMIN_URL)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432 (database test): {exc}")
    admin.autocommit = True
    name = f"talent_serve_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def fetch(url: str, query: str, args=None) -> list[tuple]:
    with connect(url) as con, con.cursor() as cur:
        cur.execute(query, args)
        return cur.fetchall()


def test_types_map_to_what_bi_tools_read():
    assert postgres_type("HUGEINT", (0, 10**6)) == "bigint"  # a sum of counts
    assert postgres_type("HUGEINT", (0, 2**70)) == "numeric(39,0)"
    assert postgres_type("DECIMAL(18,3)") == "numeric(18,3)"
    assert postgres_type("DOUBLE") == "double precision"
    assert postgres_type("VARCHAR") == "text"
    assert postgres_type("TIMESTAMP WITH TIME ZONE") == "timestamptz"
    assert postgres_type("VARCHAR[]") == "jsonb"


def test_the_dag_task_does_nothing_without_a_serving_url(monkeypatch, caplog):
    monkeypatch.delenv("TALENT_SERVING_POSTGRES_URL", raising=False)
    with caplog.at_level("INFO"):
        assert tasks.serve_postgres() == {"status": "not_configured"}
    assert "TALENT_SERVING_POSTGRES_URL" in caplog.text


@pytest.mark.postgres
def test_serve_copies_types_keys_and_comments_and_skips_a_build_already_served(
    tmp_path, monkeypatch, database, capsys
):
    small_warehouse(tmp_path, monkeypatch)
    build = publish_snapshot()
    assert main(["serve", "postgres", "--url", database]) == 0
    assert f'"build_id": "{build["build_id"]}"' in capsys.readouterr().out
    types = dict(
        fetch(
            database,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'demand'",
        )
    )
    assert types == {"demand_id": "text", "month": "date", "county": "text", "postings": "bigint"}
    assert fetch(database, "select county, sum(postings)::int from marts.demand group by 1 order by 1") == [
        ("巴州区", 6),
        ("恩阳区", 6),
    ]
    assert fetch(
        database,
        "select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid "
        "and a.attnum = any(i.indkey) where i.indrelid = 'marts.demand'::regclass and i.indisprimary",
    ) == [("demand_id",)]
    assert fetch(database, "select obj_description('marts.demand'::regclass, 'pg_class')")[0][0].startswith(
        "各县需求"
    )
    assert fetch(database, "select col_description('marts.demand'::regclass, 3)") == [("县区，如巴州区。",)]
    assert fetch(database, "select count(*) from reference.counties") == [(1,)]
    # The same build again: nothing to do; a new build: served.
    assert serve_postgres(database)["status"] == "unchanged"
    make_source(tmp_path / "warehouse" / "talent.duckdb", months=4)
    publish_snapshot()
    assert serve_postgres(database)["status"] == "served"
    assert fetch(database, "select count(*) from marts.demand") == [(8,)]
    assert fetch(database, "select count(*) from pg_namespace where nspname like '%incoming'") == [(0,)]


@pytest.mark.postgres
def test_a_reader_sees_all_old_or_all_new_during_a_reserve(tmp_path, monkeypatch, database):
    warehouse = small_warehouse(tmp_path, monkeypatch)
    publish_snapshot()
    serve_postgres(database)
    old = (6, 1)
    make_source(warehouse / "talent.duckdb", months=5)
    with duckdb.connect(str(warehouse / "talent.duckdb")) as con:
        con.execute("insert into reference.counties values ('恩阳区')")
    publish_snapshot()
    new = (10, 2)

    seen, errors, polls, stop = set(), [], [0], threading.Event()

    def poll() -> None:  # a dashboard refreshing: one statement reading both tables, autocommit
        con = connect(database)
        con.autocommit = True
        try:
            while not stop.is_set():
                with con.cursor() as cur:
                    cur.execute(
                        "select (select count(*) from marts.demand), (select count(*) from reference.counties)"
                    )
                    seen.add(cur.fetchone())
                polls[0] += 1
                time.sleep(0.01)
        except Exception as exc:  # noqa: BLE001 - any error a reader meets is the finding
            errors.append(exc)
        finally:
            con.close()

    poller = threading.Thread(target=poll)
    poller.start()
    reader = connect(database)  # an analyst's transaction reading one table, then the other
    cur = reader.cursor()
    cur.execute("select count(*) from marts.demand")
    in_transaction = [cur.fetchone()[0]]
    result = {}
    serving = threading.Thread(target=lambda: result.update(serve_postgres(database)))
    serving.start()
    polls_before = polls[0]
    time.sleep(1.5)
    assert serving.is_alive()  # waits for the reader's transaction, without blocking the poller
    polls_while_waiting = polls[0] - polls_before
    cur.execute("select count(*) from reference.counties")
    in_transaction.append(cur.fetchone()[0])
    reader.commit()
    reader.close()
    serving.join(timeout=60)
    time.sleep(0.3)
    stop.set()
    poller.join(timeout=10)
    assert result["status"] == "served"
    assert tuple(in_transaction) == old
    assert errors == []
    assert seen == {old, new}, seen
    assert polls_while_waiting >= 10  # other readers went on reading the old tables meanwhile
    assert (
        tuple(
            fetch(
                database,
                "select (select count(*) from marts.demand), (select count(*) from reference.counties)",
            )[0]
        )
        == new
    )


@pytest.mark.postgres
def test_a_view_over_the_marts_stops_the_swap_instead_of_being_dropped(tmp_path, monkeypatch, database):
    small_warehouse(tmp_path, monkeypatch)
    publish_snapshot()
    serve_postgres(database)
    with connect(database) as con, con.cursor() as cur:
        cur.execute("create view public.my_demand as select * from marts.demand")
    with pytest.raises(ServeError, match="(?s)nothing changed.*my_demand"):
        serve_postgres(database, force=True)
    assert fetch(database, "select count(*) from public.my_demand") == [(6,)]


@pytest.mark.e2e
@pytest.mark.postgres
def test_every_mart_of_a_real_build_arrives_whole(tmp_path_factory, monkeypatch, database):
    built = built_warehouse(tmp_path_factory)
    monkeypatch.setenv("TALENT_WAREHOUSE_DIR", str(built.warehouse))
    result = serve_postgres(database)
    with read_snapshot() as con:
        snapshot = {f"{t['schema']}.{t['name']}": t for t in served_tables(con)}
    marts = {k: t for k, t in snapshot.items() if t["schema"] == "marts"}
    assert len(marts) >= 9
    assert result["tables"] == {k: t["rows"] for k, t in snapshot.items()}
    for name, table in snapshot.items():
        assert fetch(database, f"select count(*) from {name}") == [(table["rows"],)], name
    columns = fetch(
        database,
        "select table_schema || '.' || table_name, column_name, data_type, numeric_scale "
        "from information_schema.columns where table_schema in ('marts', 'reference')",
    )
    duck_types = {(k, c["name"]): c["type"] for k, t in snapshot.items() for c in t["columns"]}
    assert len(columns) == len(duck_types)
    for table, column, pg_type, scale in columns:
        if duck_types[(table, column)] in ("HUGEINT", "BIGINT", "INTEGER"):
            assert pg_type in ("bigint", "integer"), (table, column, pg_type)  # counts stay integers
        assert not (pg_type == "numeric" and scale is None), (table, column)
    keys = dict(
        fetch(
            database,
            "select c.conrelid::regclass::text, a.attname from pg_constraint c join pg_attribute a "
            "on a.attrelid = c.conrelid and a.attnum = any(c.conkey) where c.contype = 'p'",
        )
    )
    for name, table in marts.items():
        if table["key"]:
            assert keys.get(name) == table["key"], name
    assert keys["marts.talent_demand_monthly"] == "demand_id"
    described = fetch(
        database,
        "select count(*) filter (where obj_description(c.oid, 'pg_class') is not null), count(*) "
        "from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'marts' and c.relkind = 'r'",
    )[0]
    assert described[0] == described[1]
    comment = fetch(
        database,
        "select col_description(attrelid, attnum) from pg_attribute "
        "where attrelid = 'marts.talent_demand_monthly'::regclass and attname = 'county'",
    )[0][0]
    assert comment and "巴中" in comment  # county: Chinese as written in the dbt YAML
