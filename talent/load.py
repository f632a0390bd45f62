"""Load validated raw landings into DuckDB schema `raw` (contract section 4).

For every source, `load_raw` takes the landings whose `validation/result.json` says success, keeps
the newest vintage per partition (by manifest `landed_at`; a newer vintage that failed or was never
validated is skipped with a warning, so the last good data stays: `extractors.landing.list_landings`
and `newest_validated`, the same selection the job-board high-water marks and the report's
data-quality section use), and rebuilds its `raw` table
from their `validation/accepted.jsonl` with DuckDB's `read_json` and explicit column types.

Lineage columns:
- `_landing`: landing path relative to RAW_DIR (`<source>/<partition>/<sha12>`);
- `_partition`: the partition (run date) as text, as in the path;
- `_landed_at`: manifest `landed_at` as a UTC timestamp;
- `_row`: the 1-based line in the landing's **records.jsonl** (not in accepted.jsonl), so a row can
  be traced to the raw file and matches the row numbers of quarantine records. accepted.jsonl keeps
  the original lines byte for byte, so the validator writes `validation/accepted_rows.json` (a JSON
  list: the records.jsonl line of each accepted.jsonl line) and the loader looks it up by position
  (`read_json ... WITH ORDINALITY`).

All tables are replaced inside one transaction, so a reader sees either the old or the new load,
never a mix; a source with no landings still gets its (zero-row) table so dbt always finds it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from expectations.suites import bulletins, job_board, school_records
from extractors.landing import (
    Landing,
    LandingTampered,
    file_sha256,
    list_landings,
    newest_validated,
    verify_landing,
)

log = logging.getLogger(__name__)

# table -> (sources, record columns with DuckDB types). The column types live with the suites
# (expectations.suites.*.COLUMNS), which check that every accepted value casts to them.
TABLES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "bulletin_indicators": (("bulletins",), bulletins.COLUMNS),
    "job_postings": (("job_board_zhaopin", "job_board_rencai"), job_board.COLUMNS),
    "school_records": (("school_records",), school_records.COLUMNS),
}

LINEAGE_COLUMNS = {
    "_landing": "varchar",
    "_partition": "varchar",
    "_landed_at": "timestamp",
    "_row": "integer",
}


def _sql_str(value: str | os.PathLike[str]) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def table_of(source: str) -> str | None:
    """The raw table a source loads into: its TABLES entry, or `job_postings` for any other
    `job_board_<board>` (a board added in the sources config lands there without a code change)."""
    for table, (sources, _) in TABLES.items():
        if source in sources:
            return table
    return "job_postings" if source.startswith("job_board_") else None


def _select_sql(landing: Landing, columns: dict[str, str]) -> str:
    validation = landing.path / "validation"
    json_columns = "{" + ", ".join(f"{_sql_str(c)}: {_sql_str(t.upper())}" for c, t in columns.items()) + "}"
    names = ", ".join(f'a."{c}"' for c in columns)
    # WITH ORDINALITY numbers accepted.jsonl lines in file order; accepted_rows.json maps that
    # position back to the records.jsonl line. Both files are written together by the validator.
    return f"""
        select {names},
               {_sql_str(landing.relative)} as _landing,
               {_sql_str(landing.partition)} as _partition,
               timestamp {_sql_str(landing.landed_at.isoformat(sep=" "))} as _landed_at,
               m.rows[a.ordinality]::integer as _row
        from (
            select * from read_json(
                {_sql_str(validation / "accepted.jsonl")},
                format = 'newline_delimited',
                columns = {json_columns},
                maximum_object_size = 67108864
            ) with ordinality
        ) as a
        cross join (
            select from_json(content, '["INTEGER"]') as rows
            from read_text({_sql_str(validation / "accepted_rows.json")})
        ) as m"""


def _empty_table_sql(table: str, columns: dict[str, str]) -> str:
    cols = ", ".join(f'"{c}" {t.upper()}' for c, t in {**columns, **LINEAGE_COLUMNS}.items())
    return f"create or replace table raw.{table} ({cols})"


def verify_loadable(landing: Landing) -> None:
    """The checksums first: a landing or its accepted rows changed by hand stop the load, naming the file."""
    verify_landing(landing.path, landing.manifest)
    result = json.loads((landing.path / "validation" / "result.json").read_text(encoding="utf-8"))
    recorded = result.get("accepted_sha256")  # validations before it was recorded have none
    accepted = landing.path / "validation" / "accepted.jsonl"
    if recorded and file_sha256(accepted) != recorded:
        raise LandingTampered(
            f"{accepted}: the accepted rows changed after validation (sha256 differs from result.json); "
            f"validate the landing again (talent extract, or the ingest DAG) before loading"
        )


def load_raw(duckdb_path: str | os.PathLike[str], raw_dir: str | os.PathLike[str]) -> dict[str, int]:
    """Replace `raw.bulletin_indicators`, `raw.job_postings` and `raw.school_records` from the
    validated landings under `raw_dir`; returns {table: rows}. See the module docstring."""
    import duckdb

    plan: dict[str, list[Landing]] = {table: [] for table in TABLES}
    for landing in newest_validated(list_landings(raw_dir)):
        table = table_of(landing.source)
        if table is not None:
            verify_loadable(landing)
            plan[table].append(landing)
    Path(duckdb_path).parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(duckdb_path))
    try:
        con.execute("begin transaction")
        try:
            con.execute("create schema if not exists raw")
            for table, (_, columns) in TABLES.items():
                landings = plan[table]
                if landings:
                    union = "\nunion all\n".join(_select_sql(landing, columns) for landing in landings)
                    # Ordered so that a re-load of the same landings gives identical table contents.
                    con.execute(
                        f"create or replace table raw.{table} as select * from ({union}) "
                        "order by _landing, _row"
                    )
                else:
                    con.execute(_empty_table_sql(table, columns))
                counts[table] = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.close()
    for table, rows in counts.items():
        log.info("raw.%s: %d rows from %d landings", table, rows, len(plan[table]))
    return counts
