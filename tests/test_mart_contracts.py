"""The marts as a contract (issue 11, "Marts as a contract"), checked on a real two-step dbt build.

The fixture writes the raw tables of test_dbt_project, runs the pipeline's first `dbt build`, writes two
forecast runs by hand into schema `forecast` and runs the second step (`--select source:forecast+`),
as talent.tasks does. The tests then read dbt's manifest and the DuckDB catalog: every mart has an
enforced contract with a type per column and the database has exactly those types (no HUGEINT), the
descriptions reached the database as comments, code columns agree with the seeds' labels, the indicator
catalogue matches the bulletin parser, demand_forecast_latest is one run, and the exposures list what
the report and the dashboard read.
"""

from __future__ import annotations

import csv
import json
import re

import duckdb
import pytest
from test_dbt_project import BEFORE_FORECAST, PROJECT_DIR, ROOT, run_dbt, write_raw

from talent.forecast.store import ACCURACY_COLUMNS, FORECAST_COLUMNS

MARTS_PATH = "models/marts/"
# Two forecast runs: the older one must not reach demand_forecast_latest.
RUNS = ("2025-09-01", "2025-10-01")
# dimension -> member: a county without a division code (巴中经开区) and a skill (no code at all).
SERIES = (
    ("city", "巴中市"),
    ("industry", "生物医药"),
    ("county", "巴州区"),
    ("county", "巴中经开区"),
    ("occupation", "6-12-03-00"),
    ("skill", "GMP"),
)


def _forecast_rows() -> list[tuple]:
    rows = []
    for run in RUNS:
        year, month = int(run[:4]), int(run[5:7])
        for measure in ("postings", "headcount"):
            for dimension, member in SERIES:
                series_id = f"{measure}/{dimension}/{member}"
                for horizon in (1, 2, 3):
                    index = year * 12 + month - 1 + horizon
                    target = f"{index // 12:04d}-{index % 12 + 1:02d}-01"
                    point = float(horizon + (run == RUNS[1]))
                    rows.append(
                        (
                            f"{run[:7]}/{series_id}/{target[:7]}",
                            run,
                            series_id,
                            measure,
                            dimension,
                            member,
                            member,
                            target,
                            horizon,
                            point,
                            point * 0.9,
                            point * 1.1,
                            point * 0.8,
                            point * 1.2,
                            "AutoETS",
                            None,
                            None,
                            "none",
                            30,
                            "x" * 64,
                        )
                    )
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("mart_contracts")
    db_path = work / "talent.duckdb"
    write_raw(db_path)
    first = run_dbt(db_path, work, "build", *BEFORE_FORECAST)
    assert first.returncode == 0, first.stdout[-6000:]
    with duckdb.connect(str(db_path)) as con:
        con.execute("create schema forecast")
        for table, columns in (
            ("demand_forecast", FORECAST_COLUMNS),
            ("forecast_accuracy", ACCURACY_COLUMNS),
        ):
            con.execute(f"create table forecast.{table} ({', '.join(f'{c} {t}' for c, t in columns)})")
        rows = _forecast_rows()
        con.executemany(
            f"insert into forecast.demand_forecast values ({', '.join('?' * len(rows[0]))})", rows
        )
    second = run_dbt(db_path, work, "build", "--select", "source:forecast+")
    assert second.returncode == 0, second.stdout[-6000:]
    manifest = json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(db_path), read_only=True)
    yield {"con": con, "manifest": manifest}
    con.close()


def _marts(manifest: dict) -> dict[str, dict]:
    return {
        node["alias"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith(MARTS_PATH)
    }


def _database_types(con) -> dict[str, dict[str, str]]:
    types: dict[str, dict[str, str]] = {}
    for table, column, kind in con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position"
    ).fetchall():
        types.setdefault(table, {})[column] = kind
    return types


def test_every_mart_has_an_enforced_contract_with_a_type_per_column(built):
    marts = _marts(built["manifest"])
    assert {"regional_indicators", "report_headline_monthly", "demand_forecast_latest"} <= set(marts)
    database = _database_types(built["con"])
    for name, node in marts.items():
        assert node["config"]["contract"]["enforced"], name
        declared = {column: spec.get("data_type") for column, spec in node["columns"].items()}
        assert all(declared.values()), f"{name}: no data_type for {[c for c, t in declared.items() if not t]}"
        assert set(declared) == set(database[name]), name
        for column, kind in declared.items():
            # the declared name as DuckDB spells it (double precision -> DOUBLE, varchar -> VARCHAR)
            expected = built["con"].execute(f"select typeof(cast(null as {kind}))").fetchone()[0]
            assert database[name][column] == expected, (name, column, kind)


def test_no_mart_column_is_a_hugeint(built):
    """DuckDB's sum() of integers is an int128 that BI drivers and PostgreSQL do not have."""
    database = _database_types(built["con"])
    assert len(database) == len(_marts(built["manifest"]))
    wide = [
        (table, column, kind)
        for table, columns in database.items()
        for column, kind in columns.items()
        if kind in ("HUGEINT", "UHUGEINT", "INT128") or kind.startswith("DECIMAL(38")
    ]
    assert not wide
    counts = {column: kind for column, kind in database["talent_demand_monthly"].items()}
    assert counts["postings"] == counts["education_unknown"] == counts["headcount"] == "BIGINT"
    assert database["shortage_occupations"]["demand_headcount"] == "BIGINT"


def test_descriptions_are_comments_in_the_database(built):
    con, manifest = built["con"], built["manifest"]
    nodes = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed") and node["config"].get("persist_docs")
    ]
    assert {node["schema"] for node in nodes} >= {"marts", "reference", "staging", "intermediate"}
    table_comments = {
        (schema, name): comment
        for schema, name, comment in con.execute(
            "select schema_name, table_name, comment from duckdb_tables() "
            "union all select schema_name, view_name, comment from duckdb_views()"
        ).fetchall()
    }
    column_comments = {
        (schema, table, column): comment
        for schema, table, column, comment in con.execute(
            "select schema_name, table_name, column_name, comment from duckdb_columns()"
        ).fetchall()
    }
    for node in nodes:
        relation = (node["schema"], node["alias"])
        assert table_comments[relation] == node["description"], relation
        for column, spec in node["columns"].items():
            assert column_comments[(*relation, column)] == spec["description"], (relation, column)
    # every mart column is described, Chinese text intact
    marts = [key for key in column_comments if key[0] == "marts"]
    assert marts and all(column_comments[key] for key in marts), [k for k in marts if not column_comments[k]]
    assert "指标中文名称" in column_comments[("marts", "regional_indicators", "indicator_name_cn")]


def _seed(name: str) -> list[dict]:
    with (PROJECT_DIR / "seeds" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# label column -> (code column, seed, the seed's label field, the seed's code field)
PAIRS = {
    "county": ("county_code", "counties", "name_zh", "admin_code"),
    "region": ("region_code", "counties", "name_zh", "admin_code"),
    "industry": ("industry_code", "industries", "name_zh", "code"),
    "occupation_name": ("occupation_code", "occupations", "occupation_name", "occupation_code"),
    "indicator_name_cn": ("indicator", "indicators", "indicator_name_cn", "indicator"),
}


def test_code_and_label_columns_agree_with_the_seeds(built):
    con = built["con"]
    database = _database_types(con)
    checked = set()
    for table, columns in database.items():
        for label, (code, seed, seed_label, seed_code) in PAIRS.items():
            if label not in columns:
                continue
            assert code in columns, f"marts.{table} has {label} but no {code}"
            by_label = {row[seed_label]: row[seed_code] or None for row in _seed(seed)}
            if label == "occupation_name":  # the gap marts' bucket for ads and majors without one
                by_label["未分类"] = "unclassified"
            pairs = con.execute(
                f"select distinct {label}, {code} from marts.{table} where {label} is not null"
            )
            for label_value, code_value in pairs.fetchall():
                # a label the seed lacks (job_postings' places outside 巴中) has no code
                assert code_value == by_label.get(label_value), (table, label, label_value, code_value)
                if table != "job_postings":
                    assert label_value in by_label, (table, label, label_value)
                checked.add((table, label))
    assert {("talent_demand_monthly", "county"), ("job_postings", "industry")} <= checked
    assert {("regional_indicators", "indicator_name_cn"), ("supply_demand_gap", "occupation_name")} <= checked


def test_forecast_members_carry_their_codes(built):
    counties = {row["name_zh"]: row["admin_code"] or None for row in _seed("counties")}
    industries = {row["name_zh"]: row["code"] for row in _seed("industries")}
    expected = {
        "city": counties,
        "county": counties,
        "industry": industries,
        "occupation": {member: member for _, member in SERIES},
    }
    con = built["con"]
    rows = con.execute(
        "select distinct dimension, member, member_code from marts.demand_forecast_latest"
    ).fetchall()
    assert len(rows) == len(SERIES)
    for dimension, member, member_code in rows:
        assert member_code == expected.get(dimension, {}).get(member), (dimension, member)
    # demand_forecast itself stays 1:1 with its source, forecast.demand_forecast
    source = con.execute("select count(*) from forecast.demand_forecast").fetchone()[0]
    assert con.execute("select count(*) from marts.demand_forecast").fetchone()[0] == source


def test_indicator_catalogue_seed_matches_the_bulletin_parser():
    from extractors.bulletin_parser import CATALOGUE
    from extractors.bulletins import EXTRA_ROWS, WAREHOUSE_INDICATORS

    seed = {row["indicator"]: row for row in _seed("indicators")}
    assert set(seed) == set(WAREHOUSE_INDICATORS)
    for key, indicator in CATALOGUE.items():
        assert (seed[key]["indicator_name_cn"], seed[key]["unit"]) == (indicator.label, indicator.unit), key
    for key, unit in EXTRA_ROWS.values():
        assert seed[key]["unit"] == unit and seed[key]["indicator_name_cn"], key
    spec = (PROJECT_DIR / "models" / "marts" / "regional_indicators.yml").read_text(encoding="utf-8")
    accepted = set(re.findall(r"^ {18}- (\w+)$", spec, re.M))
    assert accepted == set(WAREHOUSE_INDICATORS), "regional_indicators' accepted_values lag the catalogue"


def test_regional_indicators_carry_the_chinese_name_and_catalogue_unit(built):
    rows = (
        built["con"]
        .execute(
            "select r.indicator, r.unit, r.indicator_name_cn, r.region_code from marts.regional_indicators r"
        )
        .fetchall()
    )
    seed = {row["indicator"]: row for row in _seed("indicators")}
    assert rows
    for indicator, unit, name, region_code in rows:
        assert name == seed[indicator]["indicator_name_cn"] and unit == seed[indicator]["unit"], indicator
        assert region_code == "511900"  # the fixture's bulletins are all 巴中市's


def test_latest_forecast_is_the_newest_run_once(built):
    con = built["con"]
    runs = con.execute("select distinct run_month from marts.demand_forecast_latest").fetchall()
    assert [str(r[0]) for r in runs] == [RUNS[1]]
    total, distinct = con.execute(
        "select count(*), count(distinct (series_id, target_month)) from marts.demand_forecast_latest"
    ).fetchone()
    newest = con.execute(
        "select count(*) from marts.demand_forecast where run_month = (select max(run_month) from marts.demand_forecast)"
    ).fetchone()[0]
    assert total == distinct == newest == 2 * len(SERIES) * 3
    # the documented way to read it: one measure and one dimension, no double counting
    city_postings = con.execute(
        "select sum(point) from marts.demand_forecast_latest where measure = 'postings' and dimension = 'city'"
    ).fetchone()[0]
    assert city_postings == pytest.approx(2 + 3 + 4)


def test_exposures_list_what_the_report_and_the_dashboard_read(built):
    from talent.report.read import OPTIONAL, REQUIRED

    exposures = {e["name"]: e for e in built["manifest"]["exposures"].values()}
    depends = {
        name: {built["manifest"]["nodes"][node]["name"] for node in exposure["depends_on"]["nodes"]}
        for name, exposure in exposures.items()
    }
    assert set(REQUIRED) | set(OPTIONAL) <= depends["monthly_report"]
    assert (
        exposures["data_cockpit"]["type"] == "dashboard"
        and exposures["data_cockpit"]["label"] == "数据驾驶舱"
    )
    read = set()
    for source in (ROOT / "talent" / "dashboard").glob("*.py"):
        read |= set(re.findall(r"\bmarts\.(\w+)", source.read_text(encoding="utf-8")))
    assert read <= depends["data_cockpit"], read - depends["data_cockpit"]
    assert {"talent_demand_monthly", "demand_forecast_latest", "shortage_occupations"} <= depends[
        "data_cockpit"
    ]


def test_versioned_marts_keep_the_reader_facing_name(built):
    """The versions policy (dbt_project/README.md): the latest version of a versioned mart is built under
    the mart's own name, older ones as `<name>_v<N>`, and at most one older version is kept."""
    versioned: dict[str, list[dict]] = {}
    for node in _marts(built["manifest"]).values():
        if node.get("version") is not None:
            versioned.setdefault(node["name"], []).append(node)
    for name, nodes in versioned.items():
        latest = nodes[0]["latest_version"]
        assert len(nodes) <= 2, name
        for node in nodes:
            expected = name if node["version"] == latest else f"{name}_v{node['version']}"
            assert node["alias"] == expected, (name, node["version"])


def test_readme_lists_every_mart(built):
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    missing = [name for name in _marts(built["manifest"]) if not re.search(rf"\b{name}\b", readme)]
    assert not missing, f"dbt_project/README.md does not list {missing}"
