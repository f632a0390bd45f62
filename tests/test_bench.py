"""`talent bench`: its bare-DuckDB yardstick must compute the same marts as dbt, or the ratio it reports
compares dbt with something else; and its CLI must say what it measures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
# Incremental models stamp rows with the build's clock (int_postings_signatures_indexed,
# int_postings_near_duplicates_linked): equal data, different times.
BUILD_CLOCK_COLUMNS = {"indexed_at", "compared_through"}


@pytest.mark.e2e
def test_bare_script_rebuilds_every_model_row_for_row(tmp_path_factory, tmp_path):
    from serving_support import built_warehouse

    from talent.bench.bare import bare_script

    built = built_warehouse(tmp_path_factory)
    dbt_side = tmp_path / "dbt" / "talent.duckdb"
    bare_side = tmp_path / "bare" / "talent.duckdb"
    for copy in (dbt_side, bare_side):
        copy.parent.mkdir()
        shutil.copyfile(built.warehouse / "talent.duckdb", copy)
    env = {
        **built.env,
        "TALENT_DUCKDB_PATH": str(dbt_side),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    # compile (not build): the manifest of the pipeline's last dbt call holds the forecast models only;
    # --full-refresh so incremental models compile to their whole-table SQL, as on a first build.
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [
            str(dbt),
            "compile",
            "--full-refresh",
            "--project-dir",
            str(ROOT / "dbt_project"),
            "--profiles-dir",
            str(ROOT / "dbt_project"),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    script, models = bare_script(tmp_path / "target" / "manifest.json")
    assert models >= 30, script[:500]

    with duckdb.connect(str(bare_side)) as con:
        con.execute("create schema if not exists bench_before")
        relations = con.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_schema in ('staging', 'intermediate', 'marts')"
        ).fetchall()
        # Empty the dbt-built relations first, so a statement the script misses cannot pass unseen.
        for schema, name, kind in relations:
            con.execute(f'drop {"view" if kind == "VIEW" else "table"} {schema}."{name}"')
        con.execute(script)
        con.execute(f"attach '{dbt_side}' as built (read_only)")
        differing = []
        for schema, name, _ in relations:
            # When a row was indexed or compared is the build's clock, not data: every other column counts.
            # Doubles to 9 places: a mean summed in another order may differ in its last bit.
            columns = ", ".join(
                f'round("{column}", 9)' if kind in ("DOUBLE", "FLOAT") else f'"{column}"'
                for column, kind in con.execute(
                    "select column_name, data_type from information_schema.columns where table_catalog = "
                    "current_database() and table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, name],
                ).fetchall()
                if column not in BUILD_CLOCK_COLUMNS
            )
            for left, right in (
                (f'{schema}."{name}"', f'built.{schema}."{name}"'),
                (f'built.{schema}."{name}"', f'{schema}."{name}"'),
            ):
                extra = con.execute(
                    f"select count(*) from (select {columns} from {left} except all select {columns} from {right})"
                ).fetchone()[0]
                if extra:
                    differing.append((schema, name, extra))
    assert relations and not differing, differing


def test_bench_help_names_every_measure():
    out = subprocess.run(
        [str(Path(sys.executable).with_name("talent")), "bench", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    ).stdout
    for option in ("--postings", "--json", "--keep", "--forecast-series", "--day-ads"):
        assert option in out
    assert "--boards" not in out  # a measuring aid, not a target run


def test_bench_refuses_an_unknown_board_before_working(tmp_path):
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("talent")),
            "bench",
            "--boards",
            "zhaopin,nope",
            "--keep",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    assert done.returncode == 2 and "--boards" in done.stderr
    assert not any(tmp_path.iterdir())
