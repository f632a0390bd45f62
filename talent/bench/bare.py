"""The yardstick for the transform: the same models as plain DuckDB SQL in one script, no dbt.

The script is written from dbt's own compiled SQL (target/manifest.json after the build), so it
computes exactly the same relations from the same raw tables; what it leaves out is everything dbt
adds around them (parsing, the graph, contracts, tests, one connection per node, metadata). The
benchmark compares how the two grow with the data, not their absolute times."""

from __future__ import annotations

import json
import shutil
import time
from graphlib import TopologicalSorter
from pathlib import Path

MATERIALIZED = {"table": "table", "incremental": "table", "view": "view"}


def bare_script(manifest_path: Path) -> tuple[str, int]:
    """Every compiled model of the last build, in dependency order, as create-or-replace statements."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    models = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node.get("compiled_code")
        and node["config"].get("materialized") in MATERIALIZED
    }
    graph = {uid: [d for d in node["depends_on"]["nodes"] if d in models] for uid, node in models.items()}
    statements = []
    for uid in TopologicalSorter(graph).static_order():
        node = models[uid]
        kind = MATERIALIZED[node["config"]["materialized"]]
        relation = f'"{node["schema"]}"."{node["alias"]}"'
        statements.append(f"create or replace {kind} {relation} as (\n{node['compiled_code']}\n);")
    return "\n\n".join(statements) + "\n", len(statements)


def run_bare(duckdb_path: Path, dbt_target: Path, work: Path) -> dict:
    """Copy the built warehouse (same file name: compiled SQL names its catalog) and run the script on it."""
    import duckdb

    work.mkdir(parents=True, exist_ok=True)
    script, models = bare_script(dbt_target / "manifest.json")
    (work / "bare.sql").write_text(script, encoding="utf-8")
    copy = work / duckdb_path.name
    shutil.copyfile(duckdb_path, copy)
    started = time.perf_counter()
    con = duckdb.connect(str(copy))
    try:
        con.execute(script)
    finally:
        con.close()
    seconds = round(time.perf_counter() - started, 3)
    copy.unlink()
    return {"seconds": seconds, "models": models, "script": str(work / "bare.sql")}
