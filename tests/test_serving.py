"""The published snapshot (talent/serving.py): readers never block a run, never see half a build, and
DuckDB 1.x clients can open it. The acceptance test polls the snapshot during a real `talent run`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from serving_support import MANIFEST, POLL_EVERY_S, built_warehouse, make_source, small_warehouse

from talent.mart_catalog import load_catalog
from talent.serving import (
    KEEP_BUILDS,
    SnapshotMissing,
    current_build,
    publish_snapshot,
    read_snapshot,
    served_tables,
    snapshot_build_id,
    snapshot_path,
)


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Path:
    return small_warehouse(tmp_path, monkeypatch)


def test_publish_makes_one_complete_described_build(warehouse):
    build = publish_snapshot()
    link = snapshot_path()
    assert link.is_symlink() and link.resolve() == (link.parent / build["file"]).resolve()
    assert current_build() == build
    assert build["tables"] == {"marts.demand": 6, "reference.counties": 1}  # staging is not served
    with read_snapshot() as con:
        assert snapshot_build_id(con) == build["build_id"]
        (demand,) = [t for t in served_tables(con) if t["name"] == "demand"]
        assert (demand["rows"], demand["key"], demand["grain"]) == (6, "demand_id", "month × county")
        comments = dict(
            con.execute(
                "select column_name, comment from duckdb_columns() where table_name = 'demand'"
            ).fetchall()
        )
        assert comments["county"] == "县区，如巴州区。"
        assert (
            con.execute("select comment from duckdb_tables() where table_name = 'demand'").fetchone()[0]
            == (MANIFEST["nodes"]["model.talent_warehouse.demand"]["description"])
        )
        with pytest.raises(duckdb.Error):
            con.execute("delete from marts.demand")


def test_a_reader_keeps_its_build_across_publishes_and_new_readers_see_the_new_one(warehouse):
    first = publish_snapshot()
    with read_snapshot() as held:
        make_source(warehouse / "talent.duckdb", months=5)
        # Enough builds that the held one's file is pruned while it is open.
        later = [publish_snapshot() for _ in range(KEEP_BUILDS + 1)]
        assert not (snapshot_path().parent / first["file"]).exists()
        assert snapshot_build_id(held) == first["build_id"]
        assert held.execute("select count(*) from marts.demand").fetchone()[0] == 6
        with read_snapshot() as fresh:
            assert snapshot_build_id(fresh) == later[-1]["build_id"]
            assert fresh.execute("select count(*) from marts.demand").fetchone()[0] == 10
    assert len(list((snapshot_path().parent / "builds").glob("*.duckdb"))) == KEEP_BUILDS


def test_a_failed_publish_leaves_the_current_build_and_no_partial_file(warehouse):
    good = publish_snapshot()
    before = sorted((snapshot_path().parent / "builds").iterdir())
    with pytest.raises(duckdb.Error):
        publish_snapshot(warehouse / "missing.duckdb")
    assert current_build() == good and snapshot_path().resolve().name == Path(good["file"]).name
    assert sorted((snapshot_path().parent / "builds").iterdir()) == before


def test_no_snapshot_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TALENT_WAREHOUSE_DIR", str(tmp_path / "empty"))
    with pytest.raises(SnapshotMissing, match="talent run"), read_snapshot():
        pass


def test_descriptions_come_from_the_dbt_yaml_without_a_manifest(tmp_path, monkeypatch):
    monkeypatch.setenv("TALENT_WAREHOUSE_DIR", str(tmp_path))  # no dbt/target/manifest.json there
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    catalog = load_catalog()
    demand = catalog["marts.talent_demand_monthly"]
    assert demand.key == "demand_id"
    assert "month" in demand.grain and "county" in demand.grain
    assert demand.description and "{{" not in demand.description  # doc() blocks resolved
    assert demand.columns["postings"]
    assert "reference.industries" in catalog


@pytest.fixture(scope="session")
def duckdb_1x(tmp_path_factory) -> Path:
    """A DuckDB 1.4 client, as many BI drivers bundle, in a throwaway venv from the package registry."""
    venv = tmp_path_factory.mktemp("duckdb-1x")
    python = venv / "bin" / "python"
    try:
        subprocess.run(["python3.11", "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "duckdb==1.4.4"],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"could not install duckdb==1.4.4 into a venv from the package registry: {exc}")
    return python


def test_a_duckdb_1x_client_reads_the_snapshot(warehouse, duckdb_1x):
    publish_snapshot()
    script = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(json.dumps({'version': duckdb.__version__,"
        " 'rows': con.execute('select county, sum(postings) from marts.demand group by 1 order by 1').fetchall(),"
        " 'comment': con.execute(\"select comment from duckdb_tables() where table_name = 'demand'\").fetchone()[0]},"
        " ensure_ascii=False))\n"
    )
    proc = subprocess.run(
        [str(duckdb_1x), "-c", script, str(snapshot_path())], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["version"].startswith("1.4")
    assert answer["rows"] == [["巴州区", 6], ["恩阳区", 6]]
    assert answer["comment"].startswith("各县需求")


@pytest.mark.e2e
def test_a_reader_polling_during_a_whole_run_sees_no_error_and_only_complete_builds(tmp_path_factory):
    built = built_warehouse(tmp_path_factory)
    polls = built.polls
    errors = [p["error"] for p in polls if "error" in p]
    assert errors == []
    # Five times a second for the whole run (allowing for slow polls while the run loads the CPUs).
    assert len(polls) >= built.run_seconds / POLL_EVERY_S * 0.5, (len(polls), built.run_seconds)
    for poll in polls:
        assert poll["counts"] == poll["expected"], poll["build"]  # every table of one build, all of them
    seen = list(dict.fromkeys(p["build"] for p in polls))
    final = json.loads((built.warehouse / "serving" / "current.json").read_text(encoding="utf-8"))
    assert len(seen) >= 2 and seen[-1] == final["build_id"]  # lived through the run's switch(es)
    assert final["tables"]["marts.talent_demand_monthly"] > 0
    assert os.readlink(built.warehouse / "serving" / "talent.duckdb") == final["file"]
