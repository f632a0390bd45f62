"""The published snapshot: what analysts, notebooks, the dashboard and `talent sql` read.

The pipeline is the only writer of `warehouse/talent.duckdb`. After each successful build (dbt tests
passed, forecast written) it copies every table of schemas `marts` and `reference` into a new,
immutable file `warehouse/serving/builds/<build_id>.duckdb`, then points the link
`warehouse/serving/talent.duckdb` at it with one atomic rename. So:

- a reader never blocks a run and a run never breaks a reader: readers open a file the pipeline never
  writes again (an old build stays readable for as long as someone has it open, even once pruned);
- a reader never sees marts from two builds: one file is one build, and it says which
  (`main.snapshot_build`), with each table's row count, key and grain (`main.snapshot_tables`);
- DuckDB 1.x clients (many BI drivers bundle 1.2–1.4) can open it: it is written with storage
  version v1.2.0, which DuckDB 1.2 and later read (the pipeline's own file uses 2.0's format);
- dbt's descriptions travel with it as `COMMENT ON TABLE/COLUMN` (DBeaver shows them).

`warehouse/serving/current.json` names the build, when it was made, and each table's row count; the
same manifest sits beside each build as `builds/<build_id>.json`, written before the link moves."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from talent.settings import get_settings

log = logging.getLogger(__name__)

SERVED_SCHEMAS = ("marts", "reference")
STORAGE_VERSION = "v1.2.0"
KEEP_BUILDS = 3


class SnapshotMissing(RuntimeError):
    pass


def serving_dir() -> Path:
    return get_settings().warehouse_dir / "serving"


def snapshot_path() -> Path:
    """The link readers open; it always names one complete build."""
    return serving_dir() / "talent.duckdb"


def _tables(con, catalog: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = ? and table_schema in (select unnest(?)) order by 1, 2",
        [catalog, list(SERVED_SCHEMAS)],
    ).fetchall()
    return [(schema, name) for schema, name in rows]


def publish_snapshot(
    duckdb_path: str | os.PathLike[str] | None = None, manifest: str | os.PathLike[str] | None = None
) -> dict:
    """Copy the served schemas into a new build file and switch the link to it. Returns the
    build's manifest. The caller holds the writer lock, so the source is consistent. ``manifest`` is
    dbt's manifest.json for the descriptions (default: the warehouse's dbt target)."""
    import duckdb

    from talent.mart_catalog import load_catalog

    source = Path(duckdb_path or get_settings().duckdb_path)
    docs = load_catalog(Path(manifest) if manifest else None)
    builds = serving_dir() / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    build_id = f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{secrets.token_hex(3)}"
    built_at = now.isoformat(timespec="seconds")
    target = builds / f"{build_id}.duckdb"
    counts: dict[str, int] = {}
    con = duckdb.connect()
    try:
        con.execute(f"attach '{_sql_path(source)}' as src (read_only)")
        con.execute(f"attach '{_sql_path(target)}' as snap (storage_version '{STORAGE_VERSION}')")
        for schema in SERVED_SCHEMAS:
            con.execute(f"create schema if not exists snap.{schema}")
        described = []
        for schema, name in _tables(con, "src"):
            table = f'snap.{schema}."{name}"'
            con.execute(f'create table {table} as select * from src.{schema}."{name}"')
            counts[f"{schema}.{name}"] = con.execute(f"select count(*) from {table}").fetchone()[0]
            doc = docs.get(f"{schema}.{name}")
            if doc:
                _comment(con, table, doc)
            described.append(
                (
                    schema,
                    name,
                    counts[f"{schema}.{name}"],
                    doc.key if doc else None,
                    doc.grain if doc else None,
                    doc.description if doc else None,
                )
            )
        con.execute(
            "create table snap.main.snapshot_build as "
            "select ? as build_id, cast(? as timestamptz) as built_at, ? as storage_version",
            [build_id, built_at, STORAGE_VERSION],
        )
        con.execute(
            "create table snap.main.snapshot_tables (table_schema varchar, table_name varchar, "
            "row_count bigint, primary_key varchar, grain varchar, description varchar)"
        )
        if described:
            con.executemany("insert into snap.main.snapshot_tables values (?, ?, ?, ?, ?, ?)", described)
        con.execute("detach snap")
    except BaseException:
        con.close()
        target.unlink(missing_ok=True)  # an unfinished build is never linked, nor kept
        raise
    con.close()
    build = {
        "build_id": build_id,
        "built_at": built_at,
        "file": f"builds/{target.name}",
        "storage_version": STORAGE_VERSION,
        "tables": counts,
    }
    text = json.dumps(build, ensure_ascii=False, indent=2)
    _write_atomic(target.with_suffix(".json"), text)
    _switch_link(target)
    _write_atomic(serving_dir() / "current.json", text)
    _prune(builds, keep=target)
    log.info("published snapshot %s (%d tables) at %s", build_id, len(counts), snapshot_path())
    return build


def _comment(con, table: str, doc) -> None:
    if doc.description:
        con.execute(f"comment on table {table} is {_sql_text(doc.description)}")
    present = {row[0] for row in con.execute(f"describe {table}").fetchall()}
    for column, text in doc.columns.items():
        if text and column in present:
            con.execute(f'comment on column {table}."{column}" is {_sql_text(text)}')


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _switch_link(target: Path) -> None:
    link = snapshot_path()
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("builds") / target.name)
    os.replace(tmp, link)  # atomic: a reader resolves either the old build or the new one


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _prune(builds: Path, keep: Path) -> None:
    """Keep the newest few builds. Deleting a file a reader still has open is safe on POSIX: the
    reader keeps its build until it closes; new readers only ever see the link's target."""
    files = sorted(builds.glob("*.duckdb"))
    for old in files[:-KEEP_BUILDS]:
        if old != keep:
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)


def current_build() -> dict | None:
    try:
        return json.loads((serving_dir() / "current.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@contextmanager
def read_snapshot(link: str | os.PathLike[str] | None = None) -> Iterator:
    """A read-only DuckDB connection to the current build (resolved once, so a switch during the
    block does not change what this reader sees). ``link``: another warehouse's
    `serving/talent.duckdb` (default: this one's)."""
    import duckdb

    link = Path(link) if link else snapshot_path()
    if not link.exists():
        raise SnapshotMissing(
            f"no published snapshot at {link}: run the pipeline (`talent run`, or `talent transform`) first"
        )
    con = duckdb.connect(str(link.resolve()), read_only=True)
    try:
        yield con
    finally:
        con.close()


def snapshot_build_id(con) -> str:
    """The build an open snapshot connection reads (from inside the file, not from the link)."""
    return con.execute("select build_id from main.snapshot_build").fetchone()[0]


def served_tables(con) -> list[dict]:
    """Every served table of an open snapshot: schema, name, rows, key, grain, description and
    column comments, in schema/name order."""
    rows = con.execute(
        "select table_schema, table_name, row_count, primary_key, grain, description "
        "from main.snapshot_tables order by 1, 2"
    ).fetchall()
    tables = []
    for schema, name, count, key, grain, description in rows:
        columns = con.execute(
            "select column_name, data_type, comment from duckdb_columns() "
            "where schema_name = ? and table_name = ? and database_name = current_database() order by column_index",
            [schema, name],
        ).fetchall()
        tables.append(
            {
                "schema": schema,
                "name": name,
                "rows": count,
                "key": key,
                "grain": grain or "",
                "description": description or "",
                "columns": [{"name": c, "type": t, "description": d or ""} for c, t, d in columns],
            }
        )
    return tables
