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
# The second run is on a later day: "nothing changes" must hold across days, not only within one
# (a source that serves a full snapshot, like the schools, must not land again under the new date).
LATER_DATE = "2026-11-09"
MARTS = {
    "regional_indicators": "indicator_id",
    "talent_demand_monthly": "demand_id",
    "talent_supply_yearly": "supply_id",
    "supply_demand_gap": "gap_id",
    "job_postings": "posting_key",
    "skill_demand_monthly": "skill_demand_id",
}
PHONE_OR_ID = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)\d{17}[\dXx](?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
SHA256_HEX = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def talent_run(home: Path, port: int, date: str = RUN_DATE) -> subprocess.CompletedProcess:
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
        date,
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
    second = talent_run(home, port, LATER_DATE)
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
            "where region = '巴中市' and year = 2024 and is_latest_vintage"
        ).fetchall()
    )
    assert float(figures["gdp"]) == 870.51
    assert float(figures["gdp_growth_pct"]) == 6.3
    assert float(figures["resident_population"]) == 261.30
    assert float(figures["urbanization_rate_pct"]) == 48.91
    # bulletins issue: the mart holds every vintage and the counties too; the city's current figures
    # are its latest vintages
    years = [
        r[0]
        for r in con.execute(
            "select year from marts.regional_indicators where region = '巴中市' and indicator = 'gdp' "
            "and is_latest_vintage order by year"
        ).fetchall()
    ]
    assert years == pipeline["truth"]["bulletin_years"]
    by_region = dict(
        con.execute(
            "select region, count(distinct year) from marts.regional_indicators "
            "where indicator = 'gdp' and is_latest_vintage group by region"
        ).fetchall()
    )
    assert by_region == {region: 8 for region in pipeline["truth"]["bulletins"]["regions"]}
    revised = con.execute(
        "select count(*) from marts.regional_indicators where region = '巴中市' and indicator = 'gdp' "
        "and not is_latest_vintage"
    ).fetchone()[0]
    assert revised == 1  # the corrected re-publication of one year keeps the first figure as history


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


def test_job_board_dedup_against_the_generators_answer_key(pipeline):
    """Pairwise precision and recall of "these two postings are one vacancy" (exact keys, then
    MinHash near-duplicates), and unique never above total anywhere (job-board issue)."""
    con = pipeline["con"]
    site = pipeline["warehouse"] / "sample_site"
    answer_file = site / pipeline["truth"]["postings"]["truth_file"]
    answer = {t["id"]: t["ad"] for t in map(json.loads, answer_file.read_text(encoding="utf-8").splitlines())}
    malformed = {i for m in pipeline["truth"]["postings"]["malformed"].values() for i in m["ids"]}
    rows = con.execute(
        "select s.source_id, f.dedup_key from intermediate.int_postings_near_duplicates_flagged f "
        "join staging.stg_job_boards__postings s using (posting_id)"
    ).fetchall()
    vacancy = {sid: key for sid, key in rows if sid not in malformed}
    assert set(vacancy) == set(answer) - malformed  # every good item loaded, every broken one kept out

    def pairs(groups) -> int:
        return sum(n * (n - 1) // 2 for n in groups)

    from collections import Counter

    true_positive = pairs(Counter((vacancy[i], answer[i]) for i in vacancy).values())
    precision = true_positive / pairs(Counter(vacancy.values()).values())
    recall = true_positive / pairs(Counter(answer[i] for i in vacancy).values())
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    assert (
        con.execute(
            "select count(*) from marts.talent_demand_monthly where postings > postings_total"
        ).fetchone()[0]
        == 0
    )
    assert (
        con.execute("select count(*) from marts.job_postings").fetchone()[0]
        == pipeline["truth"]["postings"]["unique_total"]
    )


def test_supply_holds_every_school_row_and_graduate(pipeline):
    # Published exports (2021-2025) plus the inbox (2019-2020 archive, a correction, a student list),
    # less the rows the pipeline must quarantine: the truth's `inbox.supply` (school-records issue).
    truth = pipeline["truth"]["schools"]["inbox"]["supply"]
    rows, graduates = (
        pipeline["con"].execute("select count(*), sum(graduates) from marts.talent_supply_yearly").fetchone()
    )
    assert (rows, graduates) == (truth["rows"], truth["graduates_total"])
    by_year = dict(
        pipeline["con"]
        .execute("select cast(year as varchar), sum(graduates) from marts.talent_supply_yearly group by 1")
        .fetchall()
    )
    assert by_year == truth["graduates_by_year"]


def test_school_inbox_corrections_and_personal_data(pipeline):
    inbox = pipeline["truth"]["schools"]["inbox"]
    con = pipeline["con"]
    corrected = {
        r[0]
        for r in con.execute("select supply_id from marts.talent_supply_yearly where is_corrected").fetchall()
    }
    assert corrected == set(inbox["corrected"])
    quarantine = [
        json.loads(line)
        for path in (pipeline["warehouse"] / "quarantine" / "school_records").rglob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert sorted((r["record"]["school"], r["record"]["year"]) for r in quarantine) == sorted(
        (q["school"], q["year"]) for q in inbox["quarantined"]
    )
    # The student list's names, ID and phone numbers never reach the warehouse: numbers are searched
    # everywhere, names (common words elsewhere) in the school landings and quarantine.
    personal = inbox["student_level"]
    numbers = [n.encode() for n in (*personal["id_numbers"], *personal["phones"])]
    names = [n.encode() for n in personal["names"]]
    assert len(numbers) > 500 and len(names) > 100
    for folder in ("raw", "quarantine", "reports"):
        for path in (pipeline["warehouse"] / folder).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not any(n in data for n in numbers), path
                if "school_records" in path.parts:
                    assert not any(n in data for n in names), path
    database = (pipeline["warehouse"] / "talent.duckdb").read_bytes()
    assert not any(n in database for n in numbers)


def test_gap_mart_joins_supply_and_demand_per_year_and_industry(pipeline):
    # The gap mart is per year x industry x occupation (school-records issue): summed over
    # occupations, its demand per year x industry equals talent_demand_monthly's.
    con = pipeline["con"]
    mismatches = con.execute(
        """
        with demand as (
            select year(month) as year, industry, sum(postings) as postings
            from marts.talent_demand_monthly group by 1, 2
        ),
        gap as (
            select year, industry, sum(demand_postings) as demand_postings
            from marts.supply_demand_gap group by 1, 2
        )
        select gap.year, gap.industry
        from gap
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
            # sha256 digests (manifest.json) are hex: a run of 18 decimal digits inside one is not an ID
            text = SHA256_HEX.sub("", path.read_text(encoding="utf-8-sig"))
            assert not PHONE_OR_ID.search(text), path
            assert not EMAIL.search(text), path


def test_a_second_run_on_a_later_day_changes_nothing(pipeline):
    before, after = pipeline["before"], pipeline["after"]
    assert after["raw"].keys() == before["raw"].keys()
    # Validation results are rewritten byte for byte; landings are never touched again.
    assert after["raw"] == before["raw"]
    assert after["quarantine"] == before["quarantine"]
    assert after["reports"] == before["reports"]
    assert after["marts"] == before["marts"]


# What people handed us as they received it: the sample site stands for the sources themselves, the
# inbox for the e-mailed school files. Everything else under warehouse/ is ours and must be clean.
INPUTS = ("sample_site", "inbox")
# Third-party files vendored into the Data Docs site (fonts and scripts carry their authors' e-mails).
VENDORED = ("quality/static/",)
# md5/sha1/sha256 digests (dbt node names, page and landing checksums): long hex runs, not numbers.
HEX_DIGEST = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{32,64}(?![0-9A-Fa-f])")
# Run ids, timestamps (20261202T130939.187812Z, 2026-12-02T13:09:39.18Z, Unix time) and UUIDs (Airflow's
# correlation ids in the logs) are digit runs too, and identifiers, not people.
TIMESTAMP = re.compile(
    r"\d{8}T\d{6}(?:\.\d+)?Z?|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|(?<![\d.])1\d{9}\.\d+"  # Unix time with a fraction (dbt's created_at: 1796218710.901022)
)
BINARY = {".duckdb", ".wal", ".parquet", ".xlsx", ".pdf", ".png", ".lock", ".gz", ".woff", ".woff2"}


def _sqlite_text(path: Path) -> str:
    """A cache database's text values, read as SQLite stores them (its pages are binary)."""
    import sqlite3

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        values = []
        for (table,) in db.execute("select name from sqlite_master where type = 'table'").fetchall():
            for row in db.execute(f'select * from "{table}"'):
                values.extend(v for v in row if isinstance(v, str))
                values.extend(v.decode("utf-8", "replace") for v in row if isinstance(v, bytes))
        return "\n".join(values)
    finally:
        db.close()


def test_no_personal_data_in_any_file_or_table_under_the_warehouse(pipeline):
    """The same detector the landing gate uses, over every text file and every text column."""
    from extractors.privacy import find_personal_data

    warehouse = pipeline["warehouse"]
    found: list[tuple[str, list[str]]] = []
    scanned = 0
    for path in sorted(warehouse.rglob("*")):
        relative = path.relative_to(warehouse)
        if (
            not path.is_file()
            or relative.parts[0] in INPUTS
            or relative.as_posix().startswith(VENDORED)
            or path.suffix.lower() in BINARY
            or path.name.endswith(("-wal", "-shm", "-journal"))  # read through the database itself
        ):
            continue
        if path.suffix in (".sqlite3", ".sqlite", ".db"):
            raw_text = _sqlite_text(path)
        else:
            raw_text = path.read_bytes().decode("utf-8", errors="replace")
        text = TIMESTAMP.sub("", HEX_DIGEST.sub("", raw_text))
        scanned += 1
        for start in range(0, len(text), 10_000):
            hits = find_personal_data(text[start : start + 10_050])
            if hits:
                found.append((str(relative), hits[:3]))
                break
    assert scanned > 50
    con = pipeline["con"]
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_catalog = current_database()"
    ).fetchall()
    for schema, table, column in columns:
        for (value,) in con.execute(
            f'select distinct "{column}" from {schema}."{table}" where "{column}" is not null'
        ).fetchall():
            hits = find_personal_data(TIMESTAMP.sub("", HEX_DIGEST.sub("", value)))
            if hits:
                found.append((f"{schema}.{table}.{column}", hits[:3]))
                break
    assert not found, found
