"""The whole pipeline, end to end, as `make run` runs it: real Airflow (`airflow dags test`), real
Great Expectations, real dbt on DuckDB and a published report — on a small sample site generated
from a fixed seed, in a temporary warehouse. Then the same run again, which must change nothing."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e

SEED = 7
POSTINGS = 800
RUN_DATE = "2026-11-02"
MARTS = {
    "regional_indicators": "indicator_id",
    "talent_demand_monthly": "demand_id",
    "talent_supply_yearly": "supply_id",
    "supply_demand_gap": "gap_id",
}
PHONE_OR_ID = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)\d{17}[\dXx](?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def talent_run(home: Path, port: int) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "TALENT_WAREHOUSE_DIR": str(home / "warehouse"),
        "TALENT_AIRFLOW_HOME": str(home / "airflow"),
        # Both runs serve the sample site on the same port, as `make run` does on 8765.
        "TALENT_SAMPLE_PORT": str(port),
    }
    env.pop("TALENT_DUCKDB_PATH", None)
    env.pop("TALENT_SOURCE_BASE_URL", None)
    cmd = [
        str(Path(sys.executable).with_name("talent")),
        "run",
        "--date",
        RUN_DATE,
        "--seed",
        str(SEED),
        "--postings",
        str(POSTINGS),
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"talent run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def files_digest(folder: Path) -> dict[str, str]:
    """Every file (and symlink target) under a folder, by relative path."""
    digest = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            digest[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            digest[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def marts_digest(db_path: Path) -> dict[str, str]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {
            mart: hashlib.sha256(
                repr(con.execute(f"select * from marts.{mart} order by {key}").fetchall()).encode()
            ).hexdigest()
            for mart, key in MARTS.items()
        }


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    home = tmp_path_factory.mktemp("pipeline")
    warehouse = home / "warehouse"
    port = free_port()
    first = talent_run(home, port)
    state_after_first = {
        "raw": files_digest(warehouse / "raw"),
        "quarantine": files_digest(warehouse / "quarantine"),
        "reports": files_digest(warehouse / "reports"),
        "marts": marts_digest(warehouse / "talent.duckdb"),
    }
    second = talent_run(home, port)
    state_after_second = {
        "raw": files_digest(warehouse / "raw"),
        "quarantine": files_digest(warehouse / "quarantine"),
        "reports": files_digest(warehouse / "reports"),
        "marts": marts_digest(warehouse / "talent.duckdb"),
    }
    truth = json.loads((warehouse / "sample_site" / "truth.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(warehouse / "talent.duckdb"), read_only=True)
    yield {
        "home": home,
        "warehouse": warehouse,
        "first": first,
        "second": second,
        "before": state_after_first,
        "after": state_after_second,
        "truth": truth,
        "con": con,
    }
    con.close()


def test_run_prints_where_the_warehouse_and_report_are(pipeline):
    out = pipeline["first"].stdout
    assert f"warehouse: {pipeline['warehouse'] / 'talent.duckdb'}" in out
    assert re.search(r"report:\s+\S+/reports/\d{4}-\d{2}/v1", out)
    for dag_id in (
        "ingest_bulletins",
        "ingest_job_boards",
        "ingest_schools",
        "transform_warehouse",
        "publish_monthly_report",
    ):
        assert f"{dag_id} ok" in out


def test_every_mart_has_a_unique_non_null_primary_key(pipeline):
    con = pipeline["con"]
    for mart, key in MARTS.items():
        rows, keys, nulls = con.execute(
            f"select count(*), count(distinct {key}), count(*) - count({key}) from marts.{mart}"
        ).fetchone()
        assert rows > 0, mart
        assert (keys, nulls) == (rows, 0), mart


def test_regional_indicators_carry_the_published_2024_figures(pipeline):
    con = pipeline["con"]
    figures = dict(
        con.execute(
            "select indicator, coalesce(cast(value as varchar), value_text) from marts.regional_indicators "
            "where region = '巴中市' and year = 2024"
        ).fetchall()
    )
    assert float(figures["gdp"]) == 870.51
    assert float(figures["gdp_growth_pct"]) == 6.3
    assert float(figures["resident_population"]) == 261.30
    assert float(figures["urbanization_rate_pct"]) == 48.91
    years = [
        r[0]
        for r in con.execute(
            "select year from marts.regional_indicators where indicator = 'gdp' order by year"
        ).fetchall()
    ]
    assert years == pipeline["truth"]["bulletin_years"]


def test_demand_counts_each_bazhong_ad_once_as_the_generator_made_them(pipeline):
    truth = pipeline["truth"]["postings"]
    con = pipeline["con"]
    by_month = dict(
        con.execute(
            "select strftime(month, '%Y-%m'), sum(postings) from marts.talent_demand_monthly group by 1"
        ).fetchall()
    )
    expected = {m: n for m, n in truth["unique_in_region_by_month"].items() if n}
    assert by_month == expected
    assert len(by_month) == 36


def test_supply_holds_every_school_row_and_graduate(pipeline):
    truth = pipeline["truth"]["schools"]
    rows, graduates = (
        pipeline["con"].execute("select count(*), sum(graduates) from marts.talent_supply_yearly").fetchone()
    )
    assert (rows, graduates) == (truth["rows"], truth["graduates_total"])


def test_gap_mart_joins_supply_and_demand_per_year_and_industry(pipeline):
    con = pipeline["con"]
    mismatches = con.execute(
        """
        with demand as (
            select year(month) as year, industry, sum(postings) as postings
            from marts.talent_demand_monthly group by 1, 2
        )
        select gap.gap_id
        from marts.supply_demand_gap as gap
        left join demand using (year, industry)
        where coalesce(demand.postings, 0) != gap.demand_postings
        """
    ).fetchall()
    assert mismatches == []


def test_malformed_rows_are_quarantined_with_a_reason_not_dropped(pipeline):
    quarantine = pipeline["warehouse"] / "quarantine"
    records = [
        json.loads(line)
        for path in quarantine.rglob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert records, "the sample site carries malformed ads; they must show up in quarantine"
    for record in records:
        assert record["reason"] and record["field"] and record["row"] >= 1
    quarantined_ids = {r["record"].get("source_id") for r in records if r["source"].startswith("job_board")}
    malformed = pipeline["truth"]["postings"]["malformed"]
    expected_ids = {i for ids in malformed.values() for i in (ids if isinstance(ids, list) else ids["ids"])}
    assert expected_ids <= quarantined_ids


def test_report_is_published_with_checksums_that_match(pipeline):
    reports = pipeline["warehouse"] / "reports"
    (month_dir,) = [p for p in reports.iterdir() if p.is_dir()]
    latest = month_dir / "latest"
    assert latest.is_symlink() and os.readlink(latest) == "v1"
    manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    names = {f["path"] for f in manifest["files"]}
    assert "report.html" in names and any(n.endswith(".csv") for n in names)
    for entry in manifest["files"]:
        data = (latest / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    html = (latest / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "巴中" in html


def test_no_personal_data_reaches_marts_or_reports(pipeline):
    con = pipeline["con"]
    for mart in MARTS:
        text = repr(con.execute(f"select * from marts.{mart}").fetchall())
        assert not PHONE_OR_ID.search(text), mart
        assert not EMAIL.search(text), mart
    for path in (pipeline["warehouse"] / "reports").rglob("*"):
        if path.is_file() and path.suffix in {".html", ".csv", ".json"}:
            text = path.read_text(encoding="utf-8-sig")
            assert not PHONE_OR_ID.search(text), path
            assert not EMAIL.search(text), path


def test_a_second_run_changes_nothing(pipeline):
    before, after = pipeline["before"], pipeline["after"]
    assert after["raw"].keys() == before["raw"].keys()
    # Validation results are rewritten byte for byte; landings are never touched again.
    assert after["raw"] == before["raw"]
    assert after["quarantine"] == before["quarantine"]
    assert after["reports"] == before["reports"]
    assert after["marts"] == before["marts"]
