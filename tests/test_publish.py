"""Tests for talent.publish: the report files, their determinism, versioning and the DuckDB lock handling.

The marts are built by hand here (not by dbt) so the expected headline figures can be computed
independently from the very rows inserted.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import random
import re
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import talent
from talent.report import PublishError, latest_data_month, publish_report
from talent.report import read as report_read

ROOT = Path(__file__).resolve().parent.parent
# The dbt models the report reads, in build order (the forecast's only over a forecast).
REPORT_MODELS = (
    "report_headline_monthly",
    "report_top_industries_monthly",
    "report_as_of",
    "report_regional_indicators",
    "report_supply_demand_gap",
    "report_gap_by_industry",
    "report_shortage_occupations",
    "report_graduates",
    "report_skill_demand",
    "report_industry_trend",
    "demand_forecast",
    "forecast_accuracy",
    "oversupply_majors",
    "report_forecast_series",
    "report_forecast_history",
    "report_forecast_accuracy",
)
# Built only over a forecast run (oversupply_majors is built over an empty forecast without one).
FORECAST_MODELS = (
    "demand_forecast",
    "forecast_accuracy",
    "report_forecast_series",
    "report_forecast_history",
    "report_forecast_accuracy",
)
# The one classified occupation of the hand-built marts: every 生物医药 ad and graduate.
OCCUPATION = ("6-12-01-00", "化学合成制药工", "生物医药")

EVIL = "<script>alert(1)</script>"
INDUSTRIES = ["文旅康养", "生物医药", EVIL]
COUNTIES = ["巴州区", "恩阳区"]
FIRST_MONTH = (2023, 5)
N_MONTHS = 30  # 2023-05 … 2025-10
MONTH = "2025-10"
TITLE = "《巴中市重点产业人才需求动态预测报告》（2025年10月）"


def _months(first: tuple[int, int] = FIRST_MONTH, n_months: int = N_MONTHS) -> list[date]:
    year, mon = first
    out = []
    for i in range(n_months):
        index = year * 12 + mon - 1 + i
        out.append(date(index // 12, index % 12 + 1, 1))
    return out


def _demand_rows(first: tuple[int, int] = FIRST_MONTH, n_months: int = N_MONTHS) -> list[tuple]:
    rng = random.Random(20251)
    rows = []
    for month in _months(first, n_months):
        for county in COUNTIES:
            for industry in INDUSTRIES:
                # Leave some cells out, as the real mart has no row for a month with no postings.
                if rng.random() < 0.1:
                    continue
                postings = rng.randint(3, 60)
                with_salary = rng.randint(0, postings)
                median = None if with_salary == 0 else float(rng.randrange(3000, 9000, 50))
                rows.append(
                    (
                        f"{month:%Y-%m}-{county}-{industry}",
                        month,
                        county,
                        industry,
                        postings,
                        postings + rng.randint(0, 40),
                        with_salary,
                        median,
                        rng.randint(1, 2),
                    )
                )
    return rows


def _supply_rows() -> list[tuple]:
    rng = random.Random(7)
    majors = [
        ("720201", "药品生产技术", "生物医药"),
        ("740101", "旅游服务与管理", "文旅康养"),
        ("999999", "特殊专业", EVIL),
    ]
    rows = []
    for year in range(2021, 2026):
        for school in ("巴中市职业中学", "巴中职业技术学院"):
            for code, major, industry in majors:
                graduates = rng.randint(40, 200)
                not_placed = rng.randint(0, 20)
                military = rng.randint(0, 3)
                further = rng.randint(0, 30)
                employed = graduates - not_placed - military - further
                local = rng.randint(0, employed)
                rows.append(
                    (
                        f"{year}-{school}-{code}",
                        year,
                        school,
                        code,
                        major,
                        industry,
                        graduates + 10,
                        graduates,
                        employed,
                        further,
                        military,
                        not_placed,
                        rng.randint(0, employed),
                        local,
                        (graduates - not_placed) / graduates,
                        None,
                        local / employed,
                    )
                )
    return rows


def _indicator_rows() -> list[tuple]:
    data = {
        2023: {
            "gdp": (818.97, "818.97", "亿元"),
            "gdp_growth_pct": (5.8, "5.8", "%"),
            "resident_population": (262.1, "262.10", "万人"),
            "urbanization_rate_pct": (47.9, "47.90", "%"),
        },
        2024: {
            "gdp": (870.51, "870.51", "亿元"),
            "gdp_growth_pct": (6.3, "6.3", "%"),
            "resident_population": (261.3, "261.30", "万人"),
            "urbanization_rate_pct": (48.91, "48.91", "%"),
            "industry_structure": (None, "22.3:20.0:57.7", "a:b:c"),
        },
    }
    return [
        (
            f"巴中市-{year}-{name}",
            "巴中市",
            year,
            name,
            value,
            text,
            unit,
            f"{name} {text}",
            f"http://stats.example/{year}.html",
            date(year + 1, 3, 15),  # the bulletin's vintage: published in March of the next year
            True,
        )
        for year, indicators in data.items()
        for name, (value, text, unit) in indicators.items()
    ]


def _gap_rows(demand: list[tuple], supply: list[tuple]) -> list[tuple]:
    rows = []
    for year in sorted({r[1].year for r in demand}):  # every year with postings, as the real mart
        for industry in INDUSTRIES:
            d = [r for r in demand if r[1].year == year and r[3] == industry]
            s = [r for r in supply if r[1] == year and r[5] == industry]
            postings, headcount = sum(r[4] for r in d), sum(r[5] for r in d)
            graduates, local = sum(r[7] for r in s), sum(r[13] for r in s)
            ratio = headcount / graduates if graduates else None
            code, name = OCCUPATION[:2] if industry == OCCUPATION[2] else ("unclassified", "未分类")
            rows.append(
                (
                    f"{year}-{industry}",
                    year,
                    industry,
                    code,
                    name,
                    postings,
                    headcount,
                    graduates,
                    local,
                    ratio,
                    headcount - graduates,
                    ratio is not None and ratio >= 1.5,
                )
            )
    return rows


SCHEMA = """
CREATE SCHEMA marts;
CREATE TABLE marts.talent_demand_monthly (demand_id VARCHAR, month DATE, county VARCHAR, industry VARCHAR,
    postings INTEGER, headcount INTEGER, postings_with_salary INTEGER, salary_mid_median DOUBLE, boards INTEGER,
    occupation_code VARCHAR, occupation_name VARCHAR);
CREATE TABLE marts.talent_supply_yearly (supply_id VARCHAR, year INTEGER, school VARCHAR, major_code VARCHAR,
    major_name VARCHAR, industry VARCHAR, enrolment INTEGER, graduates INTEGER, employed INTEGER,
    further_study INTEGER, military INTEGER, not_placed INTEGER, in_field INTEGER, employed_local INTEGER,
    placement_rate DOUBLE, in_field_rate DOUBLE, local_retention_rate DOUBLE);
CREATE TABLE marts.supply_demand_gap (gap_id VARCHAR, year INTEGER, industry VARCHAR, occupation_code VARCHAR,
    occupation_name VARCHAR, demand_postings INTEGER, demand_headcount INTEGER, supply_graduates INTEGER,
    supply_employed_local INTEGER, demand_supply_ratio DOUBLE, gap INTEGER, shortage_flag BOOLEAN,
    resident_population_10k DOUBLE, rural_labour_outflow_10k DOUBLE);
CREATE TABLE marts.regional_indicators (indicator_id VARCHAR, region VARCHAR, year INTEGER, indicator VARCHAR,
    value DOUBLE, value_text VARCHAR, unit VARCHAR, source_sentence VARCHAR, source_url VARCHAR,
    growth_pct DOUBLE, vintage DATE, is_latest_vintage BOOLEAN, is_derived BOOLEAN, fetched_at TIMESTAMP,
    previous_year_value DOUBLE, yoy_change DOUBLE, yoy_change_pct DOUBLE);
CREATE TABLE marts.skill_demand_monthly (month DATE, industry VARCHAR, skill VARCHAR, postings INTEGER);
CREATE SCHEMA reference;
CREATE TABLE reference.occupations (occupation_code VARCHAR, occupation_name VARCHAR, industry VARCHAR);
"""


def build_marts(tmp_path: Path, first: tuple[int, int] = FIRST_MONTH, n_months: int = N_MONTHS) -> dict:
    """A hand-built warehouse (the four marts) in tmp_path; other test files build on it too."""
    path = tmp_path / "talent.duckdb"
    demand, supply = _demand_rows(first, n_months), _supply_rows()
    data = {
        "demand": demand,
        "supply": supply,
        "indicators": _indicator_rows(),
        "gap": _gap_rows(demand, supply),
    }
    con = duckdb.connect(str(path))
    con.execute(SCHEMA)
    # the seeds the report marts join for their code and label columns, as dbt loads them
    for seed in ("industries", "counties", "indicators"):
        csv_path = ROOT / "dbt_project" / "seeds" / f"{seed}.csv"
        con.execute(
            f"CREATE TABLE reference.{seed} AS SELECT * FROM read_csv(?, all_varchar = true)", [str(csv_path)]
        )
    con.executemany(
        f"INSERT INTO marts.talent_demand_monthly VALUES ({', '.join('?' * 9)}, NULL, NULL)", demand
    )
    con.execute(
        "UPDATE marts.talent_demand_monthly SET occupation_code = ?, occupation_name = ? WHERE industry = ?",
        list(OCCUPATION),
    )
    con.execute("INSERT INTO reference.occupations VALUES (?, ?, ?)", list(OCCUPATION))
    con.executemany(
        "INSERT INTO marts.talent_supply_yearly VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", supply
    )
    con.executemany(
        f"INSERT INTO marts.supply_demand_gap VALUES ({', '.join('?' * 12)}, NULL, NULL)", data["gap"]
    )
    con.executemany(
        "INSERT INTO marts.regional_indicators (indicator_id, region, year, indicator, value, value_text, unit, "
        f"source_sentence, source_url, vintage, is_latest_vintage) VALUES ({', '.join('?' * 11)})",
        data["indicators"],
    )
    con.close()
    build_report_marts(path)
    return {"path": path, "reports": tmp_path / "reports", **data}


_COMPILED: dict[str, str] = {}


def _compiled_report_models() -> dict[str, str]:
    """The report models' SQL as dbt compiles it for a DuckDB file named talent.duckdb (catalog
    `talent`, as every warehouse built here), compiled once per test session."""
    if not _COMPILED:
        import tempfile

        from test_dbt_project import run_dbt

        with tempfile.TemporaryDirectory() as work:
            work_dir = Path(work)
            proc = run_dbt(work_dir / "talent.duckdb", work_dir, "compile", "--select", *REPORT_MODELS)
            assert proc.returncode == 0, proc.stdout[-3000:]
            for name in REPORT_MODELS:
                (compiled,) = (work_dir / "target" / "compiled").rglob(f"{name}.sql")
                _COMPILED[name] = compiled.read_text(encoding="utf-8")
    return _COMPILED


def build_report_marts(path: Path) -> None:
    """(Re)build the report's marts in the warehouse at ``path`` from the marts already there, as the
    pipeline's dbt steps would. Without a forecast, oversupply_majors is built over an empty forecast and
    the other marts over the forecast are not built."""
    compiled = _compiled_report_models()
    con = duckdb.connect(str(path))
    try:
        has_forecast = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'forecast'"
        ).fetchone()[0]
        if not has_forecast:
            con.execute(
                "create or replace table marts.demand_forecast (run_month date, series_id varchar, "
                "measure varchar, dimension varchar, member varchar, horizon integer, point double)"
            )
        for name in REPORT_MODELS:
            if name in FORECAST_MODELS and not has_forecast:
                continue
            con.execute(f"create or replace table marts.{name} as {compiled[name]}")
        if not has_forecast:
            con.execute("drop table marts.demand_forecast")
    finally:
        con.close()


@pytest.fixture()
def marts(tmp_path: Path) -> dict:
    return build_marts(tmp_path)


@pytest.fixture(autouse=True)
def _no_pdf(monkeypatch) -> None:
    # Printing starts Chromium (seconds per publish); report.pdf is tested in test_report_workbook.py.
    monkeypatch.setenv("TALENT_REPORT_PDF", "0")


def _publish(marts: dict, **kwargs):
    return publish_report(MONTH, duckdb_path=marts["path"], reports_dir=marts["reports"], **kwargs)


def _metric(page: str, key: str) -> tuple[str, str]:
    match = re.search(rf'data-metric="{key}" data-value="([^"]*)">([^<]*)<', page)
    assert match, f"no data-metric={key} in report.html"
    return match.group(1), html.unescape(match.group(2))


def test_publish_writes_complete_report(marts: dict) -> None:
    result = _publish(marts)
    month_dir = marts["reports"] / MONTH
    assert result.status == "published" and result.version == "v1"
    assert result.path == month_dir / "v1"
    assert os.readlink(month_dir / "latest") == "v1"  # relative link
    assert json.loads(json.dumps(result.to_dict()))["status"] == "published"
    expected = {
        "report.html",
        "report.xlsx",  # issue 12: the tables as one workbook (report.pdf is off here: _no_pdf)
        "manifest.json",
        "talent_demand_monthly.csv",
        "talent_supply_yearly.csv",
        "supply_demand_gap.csv",
        "regional_indicators.csv",
        # Issue 6: the oversupply table ships as CSV and Parquet (no forecast run in this fixture, so
        # no forecast tables; see test_report_with_forecast_sections), and so does the shortage list.
        "oversupply_majors.csv",
        "oversupply_majors.parquet",
        "shortage_occupations.csv",
        "shortage_occupations.parquet",
    }
    assert set(result.files) == expected
    assert {p.name for p in result.path.iterdir()} == expected
    assert result.path.stat().st_mode & 0o777 == 0o755

    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["month"] == MONTH and manifest["version"] == "v1"
    assert manifest["code_version"] == talent.__version__
    assert manifest["data_vintage"] == {
        "demand_month_max": MONTH,
        "supply_year_max": 2025,
        "indicators_year_max": 2024,
    }
    assert {f["path"] for f in manifest["files"]} == expected - {"manifest.json"}
    for entry in manifest["files"]:
        data = (result.path / entry["path"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()

    for name in expected - {"report.html", "manifest.json"}:
        raw = (result.path / name).read_bytes()
        if name.endswith(".parquet"):
            assert raw.startswith(b"PAR1"), name
        elif name.endswith(".xlsx"):
            assert raw.startswith(b"PK"), name
        else:
            assert raw.startswith(b"\xef\xbb\xbf"), name
        # No wall-clock anywhere (identical inputs must give identical bytes).
        assert not re.search(rb"\d{4}-\d\d-\d\dT\d\d:", raw)
    demand_csv = pd.read_csv(result.path / "talent_demand_monthly.csv", encoding="utf-8-sig")
    assert len(demand_csv) == len(marts["demand"])
    assert demand_csv["month"].max() == "2025-10-01"
    assert demand_csv["postings"].sum() == sum(r[4] for r in marts["demand"])
    assert EVIL in set(demand_csv["industry"])  # text survives the round trip verbatim
    indicators_csv = pd.read_csv(result.path / "regional_indicators.csv", encoding="utf-8-sig", dtype=str)
    assert "870.51" in set(indicators_csv["value"]) and "22.3:20.0:57.7" in set(indicators_csv["value_text"])

    page = (result.path / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page
    assert f"<title>{TITLE}</title>" in page and f"<h1>{TITLE}</h1>" in page
    assert "@media print" in page
    assert len(re.findall(r"<svg\b", page)) == 1
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert re.search(r"<text[^>]*>[^<]*[\u4e00-\u9fff]", svg), "Chinese labels must be SVG <text>"
    assert "<polyline" in svg and html.escape(EVIL, quote=False) in svg  # legend entry, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page  # neither the injected tag nor any script of ours
    assert not re.search(r'\b(src|href)="', page), "report must be self-contained"
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", page)


def test_headline_numbers_match_independent_computation(marts: dict) -> None:
    result = _publish(marts)
    page = (result.path / "report.html").read_text(encoding="utf-8")
    demand = pd.DataFrame(
        marts["demand"],
        columns=[
            "demand_id",
            "month",
            "county",
            "industry",
            "postings",
            "headcount",
            "with_salary",
            "median",
            "boards",
        ],
    )
    demand["ym"] = demand["month"].map(lambda d: d.strftime("%Y-%m"))
    cur, prev, last_year = (demand[demand["ym"] == m] for m in ("2025-10", "2025-09", "2024-10"))

    postings = int(cur["postings"].sum())
    assert _metric(page, "postings") == (str(postings), f"{postings:,}")
    assert _metric(page, "headcount") == (
        str(int(cur["headcount"].sum())),
        f"{int(cur['headcount'].sum()):,}",
    )
    mom = postings - int(prev["postings"].sum())
    yoy = postings - int(last_year["postings"].sum())
    assert _metric(page, "mom_change")[0] == str(mom)
    assert _metric(page, "yoy_change")[0] == str(yoy)
    pct = abs(mom) / int(prev["postings"].sum()) * 100
    assert (
        _metric(page, "mom_change")[1]
        == f"{'+' if mom >= 0 else '−'}{abs(mom):,}（{'+' if mom >= 0 else '−'}{pct:.1f}%）"
    )

    # Weighted median by expanding each cell's median `weight` times: a different algorithm, same definition.
    expanded = [m for m, w in zip(cur["median"], cur["with_salary"], strict=True) if w > 0 for _ in range(w)]
    median = int(round(statistics.median_low(expanded)))
    assert _metric(page, "salary_median") == (str(median), f"{median:,}")

    top = cur.groupby("industry")["postings"].sum().sort_values(ascending=False)
    table = page[page.index('<table id="top-industries">') : page.index("</table>")]
    first_row = re.search(r"<tbody>\s*<tr><td[^>]*>1</td><td>([^<]*)</td><td[^>]*>([^<]*)<", table)
    assert html.unescape(first_row.group(1)) == top.index[0]
    assert first_row.group(2) == f"{int(top.iloc[0]):,}"

    assert _metric(page, "gdp") == ("870.51", "870.51 亿元")
    assert _metric(page, "resident_population") == ("261.3", "261.30 万人")
    assert _metric(page, "urbanization_rate_pct") == ("48.91", "48.91%")
    supply_2025 = [r for r in marts["supply"] if r[1] == 2025]
    graduates = sum(r[7] for r in supply_2025)
    assert _metric(page, "graduates") == (str(graduates), f"{graduates:,} 人")
    placement = (graduates - sum(r[11] for r in supply_2025)) / graduates
    assert _metric(page, "placement_rate")[1] == f"{placement * 100:.1f}%"
    assert abs(float(_metric(page, "placement_rate")[0]) - placement) < 1e-6
    # Gap table: the latest complete year (2024), industries by demand/supply ratio, highest first.
    assert "四、人才供需缺口（2024年）" in page
    gap_2024 = sorted((r for r in marts["gap"] if r[1] == 2024), key=lambda r: -r[9])
    gap_table = page[
        page.index('<table id="gap-table">') : page.index("</table>", page.index('id="gap-table"'))
    ]
    shown = [html.unescape(name) for name in re.findall(r"<tr><td>([^<]*)</td>", gap_table)]
    assert shown == [r[2] for r in gap_2024]
    assert f'<td class="num">{gap_2024[0][9]:.2f}</td>' in gap_table


def test_republish_is_unchanged_and_byte_identical(marts: dict, tmp_path: Path) -> None:
    first = _publish(marts)
    before = {p.name: p.read_bytes() for p in first.path.iterdir()}
    again = _publish(marts)
    assert again.status == "unchanged" and again.version == "v1" and again.path == first.path
    assert sorted(p.name for p in (marts["reports"] / MONTH).iterdir() if not p.name.startswith(".")) == [
        "latest",
        "v1",
    ]
    assert not [p for p in (marts["reports"] / MONTH).iterdir() if p.name.startswith(".tmp")]
    assert {p.name: p.read_bytes() for p in first.path.iterdir()} == before
    # A fresh reports dir gets the very same bytes: nothing depends on time or run.
    elsewhere = publish_report(MONTH, duckdb_path=marts["path"], reports_dir=tmp_path / "other")
    assert {p.name: p.read_bytes() for p in elsewhere.path.iterdir()} == before


def test_changed_mart_publishes_new_version_and_keeps_old(marts: dict) -> None:
    v1 = _publish(marts)
    v1_bytes = {p.name: p.read_bytes() for p in v1.path.iterdir()}
    con = duckdb.connect(str(marts["path"]))
    con.execute(
        "UPDATE marts.talent_demand_monthly SET postings = postings + 5 "
        "WHERE month = DATE '2025-10-01' AND county = '巴州区' AND industry = '文旅康养'"
    )
    con.close()
    build_report_marts(marts["path"])
    v2 = _publish(marts)
    assert v2.status == "published" and v2.version == "v2"
    assert os.readlink(marts["reports"] / MONTH / "latest") == "v2"
    assert {p.name: p.read_bytes() for p in v1.path.iterdir()} == v1_bytes
    assert json.loads((v2.path / "manifest.json").read_text())["version"] == "v2"
    assert (v2.path / "report.html").read_bytes() != v1_bytes["report.html"]
    # A new code version alone is a new build too, since manifest.json records it.
    assert _publish(marts, code_version="9.9.9").version == "v3"


def test_month_beyond_data_or_malformed_is_a_clear_error(marts: dict) -> None:
    with pytest.raises(PublishError, match=r"2025-11.*2025-10"):
        publish_report("2025-11", duckdb_path=marts["path"], reports_dir=marts["reports"])
    with pytest.raises(PublishError, match=r"2023-04.*starts at 2023-05"):
        publish_report("2023-04", duckdb_path=marts["path"], reports_dir=marts["reports"])
    for bad in ("2025-13", "202510", "2025/10", ""):
        with pytest.raises(PublishError, match="YYYY-MM"):
            publish_report(bad, duckdb_path=marts["path"], reports_dir=marts["reports"])
    with pytest.raises(PublishError, match="does not exist"):
        publish_report(
            MONTH, duckdb_path=marts["path"].with_name("nope.duckdb"), reports_dir=marts["reports"]
        )
    assert not (marts["reports"] / "2025-11").exists()


def test_earlier_month_without_full_history(marts: dict) -> None:
    # 2023-06: no same month last year and only two months for the chart; must still render.
    result = publish_report("2023-06", duckdb_path=marts["path"], reports_dir=marts["reports"])
    page = (result.path / "report.html").read_text(encoding="utf-8")
    assert _metric(page, "yoy_change") == ("", "—")
    assert "不足 36 个月" in page
    demand_csv = pd.read_csv(result.path / "talent_demand_monthly.csv", encoding="utf-8-sig")
    assert demand_csv["month"].max() == "2023-06-01"
    assert "2024年统计公报" not in page  # no figures from after the report year
    # No complete year before 2023 in the gap mart: 2023 is shown, and said to be partial.
    assert (
        "（2023年）" in page
        # as of 2023-06: the demand of the months after the report month is not counted
        and "2023年需求仅含2023年5月至2023年6月的数据，不满全年。" in page
    )


def test_latest_data_month(marts: dict) -> None:
    assert latest_data_month(marts["path"]) == MONTH


@pytest.fixture()
def writer_holding(marts: dict):
    """Another process holding the DuckDB file read-write (as a running pipeline would)."""
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
        "sys.stdin.read(); c.close()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(marts["path"])],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        if proc.poll() is None:
            proc.stdin.close()
            proc.wait(timeout=30)


def test_locked_database_fails_clearly_after_retries(marts: dict, writer_holding, monkeypatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(report_read, "_sleep", sleeps.append)
    with pytest.raises(PublishError, match=r"write lock.*3 attempts"):
        _publish(marts, lock_retries=3, lock_backoff=0.01)
    assert sleeps == [0.01, 0.02]
    assert not (marts["reports"] / MONTH / "v1").exists()


def test_lock_released_during_retries_then_publishes(marts: dict, writer_holding, monkeypatch) -> None:
    def release(_seconds: float) -> None:
        # The "pipeline" finishes while we back off.
        if writer_holding.poll() is None:
            writer_holding.stdin.close()
            writer_holding.wait(timeout=30)

    monkeypatch.setattr(report_read, "_sleep", release)
    assert _publish(marts, lock_retries=3, lock_backoff=0.01).status == "published"


# ------------------------------------------------------------------ issue 6: forecast-driven sections


def _raw_landing(raw: Path, source: str, quarantined: int) -> None:
    """One landing with its manifest and validation result, shaped as contract sections 2 and 3 say."""
    landing = raw / source / "2025-11-02" / "abcdef012345"
    (landing / "validation").mkdir(parents=True)
    manifest = {"source": source, "partition": "2025-11-02", "sha256": "ab" * 32, "rows": 10}
    manifest["landed_at"] = "2025-11-02T03:04:05+00:00"
    (landing / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = {
        "success": True,
        "rows": 10,
        "accepted": 10 - quarantined,
        "quarantined": quarantined,
        "expectations": [
            {
                "name": "posted_at_present",
                "fields": ["posted_at"],
                "severity": "critical",
                "unexpected_count": quarantined,
            },
            {"name": "title_present", "fields": ["title"], "severity": "critical", "unexpected_count": 0},
        ],
    }
    (landing / "validation" / "result.json").write_text(json.dumps(result), encoding="utf-8")


@pytest.fixture()
def forecast_marts(marts: dict) -> dict:
    from talent.forecast import ensure_forecast

    run = ensure_forecast(marts["path"], MONTH)
    assert run.status == "written"
    build_report_marts(marts["path"])  # the pipeline's second dbt step: the marts over the forecast
    raw = marts["path"].parent / "raw"
    _raw_landing(raw, "job_board_zhaopin", 3)
    _raw_landing(raw, "school_records", 0)
    return {**marts, "raw": raw}


def test_report_with_forecast_sections(forecast_marts: dict, tmp_path: Path) -> None:
    m = forecast_marts
    result = publish_report(MONTH, duckdb_path=m["path"], reports_dir=m["reports"], raw_dir=m["raw"])
    files = set(result.files)
    for name in ("demand_forecast", "forecast_accuracy", "oversupply_majors"):
        assert {f"{name}.csv", f"{name}.parquet"} <= files
    assert {"shortage_occupations.csv", "shortage_occupations.parquet"} <= files

    page = (result.path / "report.html").read_text(encoding="utf-8")
    # The history chart plus one forecast chart per city, industry and county series.
    assert len(re.findall(r"<svg\b", page)) == 1 + 1 + len(INDUSTRIES) + len(COUNTIES)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;（招聘岗位数，条/月）" in page and "<script" not in page
    for heading in (
        "摘要",
        "二、招聘需求趋势与预测",
        "四、人才供需缺口",
        "九、预测方法与回测精度",
        "十、数据质量与时效",
    ):
        assert f"<h2>{heading}" in page
    # No skill mentions: said plainly, not failed.
    for section in ("skills",):
        body = page[
            page.index(f'<section id="{section}">') : page.index("</section>", page.index(f'id="{section}"'))
        ]
        assert "暂无数据" in body, section

    # The forecast CSV and Parquet hold the same rows: this month's run only.
    fc_csv = pd.read_csv(result.path / "demand_forecast.csv", encoding="utf-8-sig")
    fc_parquet = pd.read_parquet(result.path / "demand_forecast.parquet")
    # city and industries twice (postings, headcount), counties, and the one classified occupation
    assert len(fc_csv) == len(fc_parquet) == 36 * (2 + 2 * len(INDUSTRIES) + len(COUNTIES) + 1)
    assert set(fc_csv["run_month"]) == {"2025-10-01"}
    assert fc_parquet["point"].sum() == pytest.approx(fc_csv["point"].sum())

    # The accuracy figures on the page are the means of the chosen models' and seasonal naive's MASE.
    acc = pd.read_csv(result.path / "forecast_accuracy.csv", encoding="utf-8-sig")
    chosen = acc[acc["chosen"]].set_index("series_id")["mase"]
    bench = acc[acc["model"] == "SeasonalNaive"].set_index("series_id")["mase"]
    both = chosen.index.intersection(bench.index)
    assert _metric(page, "mase_chosen")[1] == f"{chosen[both].mean():,.3f}"
    assert _metric(page, "mase_seasonal_naive")[1] == f"{bench[both].mean():,.3f}"

    # Oversupply: graduates of the latest cohort against the industry's forecast headcount.
    over = pd.read_csv(result.path / "oversupply_majors.csv", encoding="utf-8-sig", dtype={"major_code": str})
    fc = fc_csv[
        (fc_csv["measure"] == "headcount") & (fc_csv["dimension"] == "industry") & (fc_csv["horizon"] <= 12)
    ]
    demand = fc.groupby("member")["point"].sum()
    row = over[over["major_code"] == "720201"].iloc[0]
    assert row["year"] == 2025 and row["industry"] == "生物医药"
    assert row["industry_demand_next12"] == pytest.approx(demand["生物医药"], abs=1e-3)
    grads = sum(r[7] for r in m["supply"] if r[1] == 2025 and r[5] == "生物医药")
    assert row["demand_per_graduate"] == pytest.approx(demand["生物医药"] / grads, abs=1e-4)

    # Data quality per source, from the landings' validation results.
    quality = page[
        page.index('<table id="quality-table">') : page.index("</table>", page.index("quality-table"))
    ]
    assert "巴中招聘网" in quality and "院校毕业生数据" in quality and "30.0%" in quality
    assert "发布日期缺失（posted_at，关键）3 行" in page and "posted_at_present" not in page

    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"[0-9a-f]{16}", manifest["run_id"]) and manifest["run_id"] in page
    assert manifest["source_vintage"]["job_board_zhaopin"]["partition_last"] == "2025-11-02"
    assert manifest["forecast_vintage"]["run_month"] == MONTH
    # Deterministic: another reports dir gets the very same bytes, run id included.
    again = publish_report(MONTH, duckdb_path=m["path"], reports_dir=tmp_path / "again", raw_dir=m["raw"])
    assert {p.name: p.read_bytes() for p in again.path.iterdir()} == {
        p.name: p.read_bytes() for p in result.path.iterdir()
    }


def test_skill_and_shortage_sections_render_when_their_marts_exist(forecast_marts: dict) -> None:
    m = forecast_marts
    con = duckdb.connect(str(m["path"]))
    rows = []
    for month in _months():
        rows.append((month, "生物医药", "GMP", 10 if month.year < 2025 else 20))
        rows.append((month, "文旅康养", EVIL, 6))
    con.executemany("INSERT INTO marts.skill_demand_monthly VALUES (?,?,?,?)", rows)
    con.close()
    build_report_marts(m["path"])
    result = publish_report(MONTH, duckdb_path=m["path"], reports_dir=m["reports"], raw_dir=m["raw"])
    page = (result.path / "report.html").read_text(encoding="utf-8")
    hot = page[page.index('<table id="hot-skills">') : page.index("</table>", page.index("hot-skills"))]
    assert re.findall(r"<tr><td class=\"num\">\d+</td><td>([^<]*)</td>", hot) == [
        "GMP",
        html.escape(EVIL, quote=False),
    ]
    # 2024-11..2025-10: 2 months at 10 and 10 at 20 (220) against 12 months at 10 (120).
    assert '<td class="num">220</td><td class="num">120</td><td class="num">+83.3%</td>' in hot
    start = page.index('<table id="shortage-table">')
    shortage = page[start : page.index("</table>", start)]
    assert OCCUPATION[1] in shortage and "紧缺职业目录（2025）：1 个有需求的职业中" in page
    assert "<script" not in page
    short_csv = pd.read_csv(result.path / "shortage_occupations.csv", encoding="utf-8-sig")
    assert (
        list(short_csv["year"]) == [2023, 2024, 2025]
        and (result.path / "shortage_occupations.parquet").exists()
    )


# ------------------------------------------------------------------ issue 10: a report as of its month

BACKFILL = (
    "2024-06"  # the 2024 cohort is not known yet (September), 2024's bulletin not published (March 2025)
)


def test_backfilled_report_is_as_of_its_month(marts: dict) -> None:
    early = publish_report(BACKFILL, duckdb_path=marts["path"], reports_dir=marts["reports"])
    late = _publish(marts)

    def csv(result, name: str) -> pd.DataFrame:
        return pd.read_csv(result.path / f"{name}.csv", encoding="utf-8-sig", dtype={"major_code": str})

    demand = csv(early, "talent_demand_monthly")
    assert demand["month"].max() == f"{BACKFILL}-01"
    assert len(demand) == sum(1 for r in marts["demand"] if f"{r[1]:%Y-%m}" <= BACKFILL)
    assert set(csv(early, "talent_supply_yearly")["year"]) == {2021, 2022, 2023}
    indicators = csv(early, "regional_indicators")
    assert set(indicators["year"]) == {2023} and indicators["vintage"].max() <= f"{BACKFILL}-30"
    gap = csv(early, "supply_demand_gap")
    assert set(gap["year"]) == {2023, 2024}
    this_year = gap[gap["year"] == 2024]
    assert this_year["demand_postings"].sum() == sum(
        r[4] for r in marts["demand"] if "2024-01" <= f"{r[1]:%Y-%m}" <= BACKFILL
    )
    assert (this_year["supply_graduates"] == 0).all()  # the 2024 cohort is known from September
    shortage = csv(early, "shortage_occupations")
    assert shortage["year"].max() == 2024
    assert shortage[shortage["year"] == 2024]["demand_headcount"].sum() == this_year[
        "demand_headcount"
    ].sum() - (this_year[this_year["occupation_code"] == "unclassified"]["demand_headcount"].sum())
    assert set(csv(early, "oversupply_majors")["year"]) == {2023}
    # The later month's data differ, and so do its files.
    for name in ("talent_demand_monthly", "talent_supply_yearly", "supply_demand_gap", "regional_indicators"):
        assert (early.path / f"{name}.csv").read_bytes() != (late.path / f"{name}.csv").read_bytes(), name
    assert (early.path / "shortage_occupations.csv").read_bytes() != (
        late.path / "shortage_occupations.csv"
    ).read_bytes()

    page = (early.path / "report.html").read_text(encoding="utf-8")
    assert "数据截至 2024年6月" in page and "2025年" not in page and "2024年统计公报" not in page
    assert "院校毕业生数据最新为 2023届" in page and "职业院校毕业生（2023届）" in page

    manifest = json.loads((early.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == {
        "month": BACKFILL,
        "demand_through": BACKFILL,
        "supply_cohorts_through": 2023,
        "indicators_published_by": f"{BACKFILL}-30",
        "forecast_run_month": None,
    }
    assert manifest["data_vintage"] == {
        "demand_month_max": BACKFILL,
        "supply_year_max": 2023,
        "indicators_year_max": 2023,
    }
    assert json.loads((late.path / "manifest.json").read_text(encoding="utf-8"))["as_of"] == {
        "month": MONTH,
        "demand_through": MONTH,
        "supply_cohorts_through": 2025,
        "indicators_published_by": f"{MONTH}-31",
        "forecast_run_month": None,
    }


def test_backfilled_report_is_unchanged_by_later_data(marts: dict) -> None:
    """What a month's report says depends on nothing after that month: new postings of a later month
    leave a republished backfill unchanged (and change the later month's report)."""
    early = publish_report(BACKFILL, duckdb_path=marts["path"], reports_dir=marts["reports"])
    con = duckdb.connect(str(marts["path"]))
    con.execute(
        "UPDATE marts.talent_demand_monthly SET postings = postings + 7 WHERE month > DATE '2024-06-01'"
    )
    con.close()
    build_report_marts(marts["path"])
    again = publish_report(BACKFILL, duckdb_path=marts["path"], reports_dir=marts["reports"])
    assert again.status == "unchanged" and again.version == early.version
    assert _publish(marts).status == "published"
