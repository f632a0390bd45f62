"""Publish the snapshot's marts (and reference tables) into PostgreSQL, for BI tools that speak it.

`talent serve postgres --url postgresql://USER@HOST:PORT/DB` (and the transform DAG's `serve_postgres`
task when `TALENT_SERVING_POSTGRES_URL` is set) copies every table of the published snapshot into the
same-named schema of that database (`marts`, `reference`):

- same columns, PostgreSQL types a BI tool understands: HUGEINT sums become BIGINT when they fit
  (NUMERIC(38,0) otherwise), DECIMAL(p,s) NUMERIC(p,s), DOUBLE DOUBLE PRECISION, dates, timestamps,
  booleans and text as themselves, lists and structs JSONB;
- the table's key (dbt's primary key: its unique + not_null `*_id` column) as PRIMARY KEY;
- dbt's descriptions as COMMENT ON TABLE / COLUMN, Chinese and English as written;
- rows by COPY, all in ONE transaction: the new tables are built in `<schema>__incoming`, then the old
  schema is dropped and the new one renamed into place. Readers see the old version or the new one,
  never half: a reader that has read an old table keeps it until its transaction ends (the swap waits
  for it without blocking anyone meanwhile: its locks are tried with NOWAIT, and retried).

Serving the same build twice does nothing (the schema's comment names the build). Objects someone
else created inside `marts`, or views over its tables, make the swap fail with PostgreSQL's own list of
them rather than be dropped: the schema belongs to the pipeline."""

from __future__ import annotations

import logging
import re
import tempfile
import time
from pathlib import Path

from talent.serving import SERVED_SCHEMAS, read_snapshot, served_tables, snapshot_build_id

log = logging.getLogger(__name__)

INCOMING = "{}__incoming"
SWAP_WAIT_S = 600.0
BUILD_IN_COMMENT = re.compile(r"\bbuild ([0-9A-Za-z-]+)")
BIGINT_MAX = 2**63 - 1

SIMPLE_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "VARCHAR": "text",
}
DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


class ServeError(RuntimeError):
    pass


def postgres_type(duck_type: str, value_range: tuple[int | None, int | None] | None = None) -> str:
    """The PostgreSQL type for a DuckDB column type. 128-bit and unsigned 64-bit integers (sums of
    counts, mostly) become BIGINT when ``value_range`` (their min and max) fits, else NUMERIC(p,0)."""
    if duck_type in SIMPLE_TYPES:
        return SIMPLE_TYPES[duck_type]
    if duck_type in ("HUGEINT", "UHUGEINT", "UBIGINT"):
        low, high = value_range or (None, None)
        fits = all(v is None or -BIGINT_MAX - 1 <= v <= BIGINT_MAX for v in (low, high))
        return "bigint" if fits else ("numeric(20,0)" if duck_type == "UBIGINT" else "numeric(39,0)")
    if match := DECIMAL.fullmatch(duck_type):
        return f"numeric({match.group(1)},{match.group(2)})"
    if duck_type.endswith("]") or duck_type.startswith(("STRUCT", "MAP", "UNION", "JSON")):
        return "jsonb"
    if duck_type == "BLOB":
        return "bytea"
    return "text"


def _export_expr(column: str, duck_type: str, pg_type: str) -> str:
    quoted = f'"{column}"'
    if pg_type == "jsonb":
        return f"to_json({quoted})"
    if pg_type == "bytea":
        return f"'\\x' || hex({quoted})"
    return quoted


def served_build(cur) -> str | None:
    """The build id the database's `marts` schema holds, from its comment (None if never served)."""
    cur.execute("select obj_description(oid, 'pg_namespace') from pg_namespace where nspname = 'marts'")
    row = cur.fetchone()
    match = BUILD_IN_COMMENT.search(row[0] or "") if row else None
    return match.group(1) if match else None


def serve_postgres(url: str, *, read_role: str | None = None, force: bool = False) -> dict:
    """Publish the current snapshot into the database at ``url``. Returns a summary: the build, the
    tables and their row counts (or status ``unchanged`` when that build is already there)."""
    try:
        import psycopg2
    except ImportError as exc:  # the default install needs no server, nor its driver
        raise ServeError("psycopg2 is not installed: pip install '.[deploy]' (psycopg2-binary)") from exc

    started = time.monotonic()
    with read_snapshot() as duck:
        build_id = snapshot_build_id(duck)
        built_at = duck.execute("select cast(built_at as varchar) from main.snapshot_build").fetchone()[0]
        tables = [t for t in served_tables(duck) if t["schema"] in SERVED_SCHEMAS]
        try:
            pg = psycopg2.connect(url, connect_timeout=10, application_name="talent serve postgres")
        except psycopg2.OperationalError as exc:
            raise ServeError(f"cannot connect to PostgreSQL at {_redact(url)}: {exc}".strip()) from exc
        try:
            with pg.cursor() as cur:
                if not force and served_build(cur) == build_id:
                    pg.rollback()
                    log.info("PostgreSQL already serves build %s; nothing to do", build_id)
                    return {"status": "unchanged", "build_id": build_id, "url": _redact(url)}
            with tempfile.TemporaryDirectory(prefix="talent-serve-") as scratch:
                counts = _publish(pg, duck, tables, Path(scratch), build_id, built_at, read_role)
            pg.commit()
        except psycopg2.Error as exc:
            pg.rollback()
            raise ServeError(f"serving to {_redact(url)} failed, nothing changed: {exc}".strip()) from exc
        finally:
            pg.close()
    seconds = round(time.monotonic() - started, 1)
    log.info("served build %s to %s: %d tables in %.1fs", build_id, _redact(url), len(counts), seconds)
    return {
        "status": "served",
        "build_id": build_id,
        "url": _redact(url),
        "tables": counts,
        "seconds": seconds,
    }


def _publish(pg, duck, tables, scratch: Path, build_id: str, built_at: str, read_role: str | None) -> dict:
    from psycopg2 import sql

    cur = pg.cursor()
    schemas = sorted({t["schema"] for t in tables} | {"marts"})
    for schema in schemas:
        incoming = sql.Identifier(INCOMING.format(schema))
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(incoming))
        cur.execute(sql.SQL("create schema {}").format(incoming))
    counts = {}
    for table in tables:
        counts[f"{table['schema']}.{table['name']}"] = _copy_table(cur, duck, table, scratch)
    _swap(pg, cur, schemas)
    comment = f"巴中人才数据仓库 {{}} · Bazhong talent warehouse, build {build_id} ({built_at})"
    for schema in schemas:
        cur.execute(
            sql.SQL("comment on schema {} is %s").format(sql.Identifier(schema)), [comment.format(schema)]
        )
        if read_role:
            cur.execute(
                sql.SQL("grant usage on schema {} to {}").format(*map(sql.Identifier, (schema, read_role)))
            )
            cur.execute(
                sql.SQL("grant select on all tables in schema {} to {}").format(
                    *map(sql.Identifier, (schema, read_role))
                )
            )
    return counts


def _copy_table(cur, duck, table: dict, scratch: Path) -> int:
    from psycopg2 import sql

    schema, name = table["schema"], table["name"]
    source = f'{schema}."{name}"'
    target = sql.Identifier(INCOMING.format(schema), name)
    definitions, exports = [], []
    for column in table["columns"]:
        duck_type = column["type"]
        value_range = None
        if duck_type in ("HUGEINT", "UHUGEINT", "UBIGINT"):
            value_range = duck.execute(
                f'select min("{column["name"]}"), max("{column["name"]}") from {source}'
            ).fetchone()
        pg_type = postgres_type(duck_type, value_range)
        definitions.append(sql.SQL("{} {}").format(sql.Identifier(column["name"]), sql.SQL(pg_type)))
        exports.append(_export_expr(column["name"], duck_type, pg_type))
    cur.execute(sql.SQL("create table {} ({})").format(target, sql.SQL(", ").join(definitions)))
    csv = scratch / f"{schema}.{name}.csv"
    duck.execute(
        f"copy (select {', '.join(exports)} from {source}) to '{_sql_path(csv)}' (format csv, header false)"
    )
    with csv.open("rb") as data:
        cur.copy_expert(sql.SQL("copy {} from stdin with (format csv)").format(target).as_string(cur), data)
    csv.unlink()
    rows = cur.rowcount
    if rows != table["rows"]:
        raise ServeError(f"{schema}.{name}: copied {rows} rows, the snapshot has {table['rows']}")
    key = table.get("key")
    if key and key in {c["name"] for c in table["columns"]}:
        cur.execute(sql.SQL("alter table {} add primary key ({})").format(target, sql.Identifier(key)))
    if table.get("description"):
        cur.execute(sql.SQL("comment on table {} is %s").format(target), [table["description"]])
    for column in table["columns"]:
        if column["description"]:
            cur.execute(
                sql.SQL("comment on column {}.{} is %s").format(target, sql.Identifier(column["name"])),
                [column["description"]],
            )
    return rows


def _swap(pg, cur, schemas: list[str]) -> None:
    """Drop the old schemas and rename the incoming ones into place, inside the caller's transaction.
    The old tables are locked with NOWAIT and retried: waiting on one reader while holding the others
    would queue every new reader behind us, and could deadlock a reader that reads several tables."""
    from psycopg2 import errors, sql

    cur.execute(
        "select schemaname, tablename from pg_tables where schemaname = any(%s) order by 1, 2", [schemas]
    )
    old = [sql.Identifier(s, t) for s, t in cur.fetchall()]
    deadline = time.monotonic() + SWAP_WAIT_S
    while old:
        cur.execute("savepoint swap_locks")
        try:
            cur.execute(
                sql.SQL("lock table {} in access exclusive mode nowait").format(sql.SQL(", ").join(old))
            )
            break
        except errors.LockNotAvailable:
            cur.execute("rollback to savepoint swap_locks")
            if time.monotonic() > deadline:
                raise ServeError(
                    f"readers held the old tables for over {SWAP_WAIT_S:.0f}s; nothing changed"
                ) from None
            time.sleep(0.2)
    if old:
        cur.execute(sql.SQL("drop table {}").format(sql.SQL(", ").join(old)))
    for schema in schemas:
        cur.execute(sql.SQL("drop schema if exists {}").format(sql.Identifier(schema)))
        cur.execute(
            sql.SQL("alter schema {} rename to {}").format(
                sql.Identifier(INCOMING.format(schema)), sql.Identifier(schema)
            )
        )


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _redact(url: str) -> str:
    """The URL without its password, for logs and messages."""
    return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", url)
