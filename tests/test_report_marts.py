"""The report's marts (dbt_project/models/marts/report/) built for real by `dbt build` on a small
warehouse, and checked against figures computed here independently with pandas.

The base marts are the hand-built ones of test_publish (random but seeded) plus a few skill mentions; the
forecast tables are written by hand into schema `forecast` for one run month (2025-10), so 2025-10's
oversupply rows use the forecast and every other month falls back to actual headcount. The "as of its
month" rules (dbt_project/macros/report_as_of.sql) are restated here independently: demand up to the
month, graduates of year Y known from September of Y, bulletins published by the month's last day."""

from __future__ import annotations

import statistics
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from talent.forecast.store import ACCURACY_COLUMNS, FORECAST_COLUMNS

RUN_MONTH = "2025-10"
FORECAST_INDUSTRIES = {"文旅康养": 7.5, "生物医药": 2.25}  # member -> point for every horizon 1..36
ACCURACY = (  # series_id, model, chosen, mase, coverage80
    ("postings/industry/文旅康养", "AutoETS", True, 0.5, 0.75),
    ("postings/industry/文旅康养", "SeasonalNaive", False, 1.0, 0.5),
    ("postings/industry/生物医药", "AutoARIMA", True, 1.5, 1.0),
    ("postings/industry/生物医药", "SeasonalNaive", False, 1.25, 0.25),
    ("headcount/industry/生物医药", "AutoETS", True, 9.0, 0.5),  # no benchmark: not in the MASE means
)


def _ym(value) -> str:
    return value.strftime("%Y-%m")


def _cohorts_through(month: str) -> int:
    """The supply rule restated: graduates of year Y are known from September of Y."""
    return int(month[:4]) - (int(month[5:]) < 9)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> dict:
    from test_dbt_project import run_dbt
    from test_publish import REPORT_MODELS, _months, build_marts

    home = tmp_path_factory.mktemp("report_marts")
    marts = build_marts(home)
    con = duckdb.connect(str(marts["path"]))
    con.execute("create schema forecast")
    for table, columns in (("demand_forecast", FORECAST_COLUMNS), ("forecast_accuracy", ACCURACY_COLUMNS)):
        con.execute(f"create table forecast.{table} ({', '.join(f'{c} {t}' for c, t in columns)})")
    rows = []
    for measure in ("headcount", "postings"):
        for member, point in FORECAST_INDUSTRIES.items():
            for horizon in range(1, 37):
                index = 2025 * 12 + 9 + horizon
                target = f"{index // 12:04d}-{index % 12 + 1:02d}-01"
                sid = f"{measure}/industry/{member}"
                value = point if measure == "headcount" else 1000.0  # postings must not be used
                rows.append(
                    (
                        f"{RUN_MONTH}/{sid}/{target[:7]}",
                        f"{RUN_MONTH}-01",
                        sid,
                        measure,
                        "industry",
                        member,
                        member,
                        target,
                        horizon,
                        value,
                        value,
                        value,
                        value,
                        value,
                        "AutoETS",
                        None,
                        None,
                        "base",
                        30,
                        "x",
                    )
                )
    con.executemany(f"insert into forecast.demand_forecast values ({', '.join('?' * 20)})", rows)
    con.executemany(
        "insert into forecast.forecast_accuracy (accuracy_id, run_month, series_id, measure, dimension, member, "
        "model, chosen, mase, coverage80, coverage95, backtest_horizon, windows, inputs_sha256) "
        "values (?, ?, ?, ?, 'industry', ?, ?, ?, ?, ?, ?, 12, 4, 'x')",
        [
            (f"{RUN_MONTH}/{sid}/{model}", f"{RUN_MONTH}-01", sid, sid.split("/")[0], sid.split("/")[2])
            + (model, chosen, mase, cov, cov)
            for sid, model, chosen, mase, cov in ACCURACY
        ],
    )
    skills = [(m, "生物医药", "GMP", 3 + m.month) for m in _months()] + [
        (m, "文旅康养", "导游", 6) for m in _months()
    ]
    con.executemany("insert into marts.skill_demand_monthly values (?, ?, ?, ?)", skills)
    con.close()
    proc = run_dbt(marts["path"], home, "build", "--select", *REPORT_MODELS)
    assert proc.returncode == 0, proc.stdout[-4000:]
    with duckdb.connect(str(marts["path"]), read_only=True) as con:
        tables = {
            name: con.execute(f"select * from marts.{name}").df()
            for name in REPORT_MODELS
            if name not in ("demand_forecast", "forecast_accuracy")
        }
    return {**marts, **tables, "skills": skills}


def _demand(marts: dict) -> pd.DataFrame:
    columns = [
        "demand_id",
        "month",
        "county",
        "industry",
        "postings",
        "headcount",
        "with_salary",
        "median",
        "boards",
    ]
    demand = pd.DataFrame(marts["demand"], columns=columns)
    demand["ym"] = demand["month"].map(lambda d: d.strftime("%Y-%m"))
    return demand


def test_headline_matches_independent_computation(warehouse: dict) -> None:
    demand = _demand(warehouse)
    headline = warehouse["report_headline_monthly"].set_index("headline_id")
    months = sorted(demand["ym"].unique())
    assert list(headline.index) == months  # every month, first to last
    by_month = demand.groupby("ym")["postings"].sum()
    for ym in months:
        row, cells = headline.loc[ym], demand[demand["ym"] == ym]
        assert row["postings"] == cells["postings"].sum()
        assert row["headcount"] == cells["headcount"].sum()
        assert row["postings_with_salary"] == cells["with_salary"].sum()
        # The weighted median by expanding each cell's median `weight` times: a different algorithm.
        expanded = [
            m for m, w in zip(cells["median"], cells["with_salary"], strict=True) if w > 0 for _ in range(w)
        ]
        assert row["salary_median"] == statistics.median_low(expanded)
        year, mon = int(ym[:4]), int(ym[5:])
        previous = f"{year - (mon == 1):04d}-{(mon - 2) % 12 + 1:02d}"
        last_year = f"{year - 1:04d}-{mon:02d}"
        for base_month, base_col, change_col, pct_col in (
            (previous, "previous_month_postings", "mom_change", "mom_change_pct"),
            (last_year, "last_year_postings", "yoy_change", "yoy_change_pct"),
        ):
            if base_month < months[0]:
                assert pd.isna(row[base_col]) and pd.isna(row[change_col]), (ym, base_col)
            else:
                base = by_month[base_month]
                assert row[base_col] == base and row[change_col] == row["postings"] - base
                assert row[pct_col] == pytest.approx((row["postings"] - base) / base)


def test_top_industries_rank_and_share(warehouse: dict) -> None:
    demand = _demand(warehouse)
    top = warehouse["report_top_industries_monthly"]
    assert top["top_industry_id"].is_unique
    for ym, cells in demand.groupby("ym"):
        sums = cells.groupby("industry")[["postings", "headcount"]].sum()
        expected = sorted(sums.index, key=lambda name: (-sums.loc[name, "postings"], name))
        rows = top[top["month"].map(lambda d: d.strftime("%Y-%m")) == ym].sort_values("industry_rank")
        assert list(rows["industry"]) == expected
        assert list(rows["industry_rank"]) == list(range(1, len(expected) + 1))
        for _, r in rows.iterrows():
            assert r["postings"] == sums.loc[r["industry"], "postings"]
            assert r["headcount"] == sums.loc[r["industry"], "headcount"]
            assert r["postings_share"] == pytest.approx(r["postings"] / cells["postings"].sum())


@pytest.mark.parametrize("month", [RUN_MONTH, "2025-09", "2024-03"])
def test_oversupply_against_forecast_or_actual_demand(warehouse: dict, month: str) -> None:
    over = warehouse["oversupply_majors"]
    over = over[over["month"].map(lambda d: d.strftime("%Y-%m")) == month].sort_values("oversupply_rank")
    supply = pd.DataFrame(
        [(r[1], r[3], r[4], r[5], r[7]) for r in warehouse["supply"]],
        columns=["year", "major_code", "major_name", "industry", "graduates"],
    )
    year = supply[supply["year"] <= _cohorts_through(month)]["year"].max()
    cohort = (
        supply[supply["year"] == year].groupby(["major_code", "major_name", "industry"])["graduates"].sum()
    )
    industry_graduates = cohort.groupby(level="industry").sum()
    if month == RUN_MONTH:
        demand = {name: point * 12 for name, point in FORECAST_INDUSTRIES.items()}
        basis = "forecast_headcount"
    else:
        actual = _demand(warehouse)
        window = [
            f"{(int(month[:4]) * 12 + int(month[5:]) - 1 - i) // 12:04d}-"
            f"{(int(month[:4]) * 12 + int(month[5:]) - 1 - i) % 12 + 1:02d}"
            for i in range(12)
        ]
        demand = actual[actual["ym"].isin(window)].groupby("industry")["headcount"].sum().to_dict()
        basis = "actual_headcount_last12"
    assert len(over) == len(cohort) and set(over["year"]) == {year} and set(over["demand_basis"]) == {basis}
    expected = []
    for (code, name, industry), graduates in cohort.items():
        ratio = demand.get(industry, 0.0) / industry_graduates[industry]
        expected.append((ratio, -graduates, code, name, industry))
        row = over[(over["major_code"] == code) & (over["major_name"] == name)].iloc[0]
        assert row["graduates"] == graduates and row["industry_graduates"] == industry_graduates[industry]
        assert row["industry_demand_next12"] == pytest.approx(demand.get(industry, 0.0))
        assert row["demand_per_graduate"] == pytest.approx(ratio)
        assert row["oversupply_risk"] == ("high" if ratio < 0.5 else "medium" if ratio < 1 else "low")
    assert list(over["major_code"]) == [code for _, _, code, _, _ in sorted(expected)]


def test_report_reads_its_month_from_the_marts(warehouse: dict, tmp_path: Path) -> None:
    """A backfilled month's report quotes that month's rows (here 2024-03, before the forecast run)."""
    import re

    from talent.report import publish_report

    result = publish_report("2024-03", duckdb_path=warehouse["path"], reports_dir=tmp_path)
    page = (result.path / "report.html").read_text(encoding="utf-8")
    headline = warehouse["report_headline_monthly"].set_index("headline_id").loc["2024-03"]
    assert f'data-metric="postings" data-value="{headline["postings"]}"' in page
    assert re.search(r"同比（较2023年3月）", page)
    over = pd.read_csv(result.path / "oversupply_majors.csv", encoding="utf-8-sig")
    # the 2024 cohort is known from 2024-09 on: in March the report compares the 2023 cohort
    assert set(over["demand_basis"]) == {"actual_headcount_last12"} and set(over["year"]) == {2023}


# ---------------------------------------------------------------- issue 9/10: the report's own figures, as of


def _rows_of(table: pd.DataFrame, month: str, column: str = "report_month") -> pd.DataFrame:
    return table[table[column].map(_ym) == month]


def test_as_of_rules(warehouse: dict) -> None:
    as_of = warehouse["report_as_of"].set_index("report_as_of_id")
    assert list(as_of.index) == sorted(_demand(warehouse)["ym"].unique())
    for month, row in as_of.iterrows():
        assert _ym(row["demand_through"]) == month and _ym(row["demand_from"]) == "2023-05"
        assert row["supply_cohorts_through"] == _cohorts_through(month)
        assert row["supply_year"] == min(_cohorts_through(month), 2025)
        last_day = (pd.Timestamp(f"{month}-01") + pd.offsets.MonthEnd(0)).date()
        assert pd.Timestamp(row["indicators_published_by"]).date() == last_day
        # the fixture's bulletins of year Y are published on 15 March of Y + 1
        published = [y for y in (2023, 2024) if pd.Timestamp(f"{y + 1}-03-15").date() <= last_day]
        assert (pd.isna(row["indicators_year"]) and not published) or row["indicators_year"] == max(published)


@pytest.mark.parametrize("month", ["2024-03", "2024-09", "2025-10"])
def test_gap_counts_only_demand_and_cohorts_known_at_the_month(warehouse: dict, month: str) -> None:
    demand = _demand(warehouse)
    demand = demand[demand["ym"] <= month]
    demand["year"] = demand["month"].map(lambda d: d.year)
    known = demand.groupby(["year", "industry"])[["postings", "headcount"]].sum()
    gap = _rows_of(warehouse["report_supply_demand_gap"], month)
    assert gap["year"].max() <= int(month[:4]) and gap["report_gap_id"].is_unique
    base = {r[0]: r for r in warehouse["gap"]}  # gap_id -> the hand-built supply_demand_gap row
    for _, row in gap.iterrows():
        year, industry = row["year"], row["industry"]
        assert row["demand_postings"] == known.loc[(year, industry), "postings"]
        assert row["demand_headcount"] == known.loc[(year, industry), "headcount"]
        graduates = base[row["gap_id"]][7] if year <= _cohorts_through(month) else 0
        assert row["supply_graduates"] == graduates
        ratio = round(row["demand_headcount"] / graduates, 4) if graduates else None
        assert (ratio is None and pd.isna(row["demand_supply_ratio"])) or row["demand_supply_ratio"] == ratio
        # the shortage rule (docs/shortage_rule.md): 5+ ads, graduates to compare with, ratio >= 1.5
        assert row["shortage_flag"] == (ratio is not None and ratio >= 1.5 and row["demand_postings"] >= 5)
    assert len(gap) == len(known)  # every (year, industry) with known demand, nothing else
    by_industry = _rows_of(warehouse["report_gap_by_industry"], month).set_index(["year", "industry"])
    for (year, industry), sums in gap.groupby(["year", "industry"])[["demand_headcount", "supply_graduates"]]:
        assert by_industry.loc[(year, industry), "demand_headcount"] == sums["demand_headcount"].sum()
        assert by_industry.loc[(year, industry), "supply_graduates"] == pytest.approx(
            sums["supply_graduates"].sum()
        )


def test_at_the_latest_month_the_as_of_marts_equal_the_base_marts(warehouse: dict) -> None:
    gap = _rows_of(warehouse["report_supply_demand_gap"], "2025-10").set_index("gap_id")
    assert sorted(gap.index) == sorted(r[0] for r in warehouse["gap"])
    for r in warehouse["gap"]:  # the hand-built supply_demand_gap rows
        row = gap.loc[r[0]]
        assert (row["demand_postings"], row["demand_headcount"], row["supply_graduates"]) == r[5:8]
        assert row["shortage_flag"] == r[11]
    indicators = _rows_of(warehouse["report_regional_indicators"], "2025-10")
    assert sorted(indicators["indicator_id"]) == sorted(r[0] for r in warehouse["indicators"])
    assert _rows_of(warehouse["report_regional_indicators"], "2024-02").empty  # 2023's bulletin: March 2024


def test_graduates_cards_of_the_known_cohort(warehouse: dict) -> None:
    for month in ("2024-08", "2024-09"):
        row = _rows_of(warehouse["report_graduates"], month).iloc[0]
        cohort = [r for r in warehouse["supply"] if r[1] == _cohorts_through(month)]
        graduates = sum(r[7] for r in cohort)
        assert row["year"] == _cohorts_through(month) and row["graduates"] == graduates
        assert row["schools"] == len({r[2] for r in cohort})
        assert row["placement_rate"] == pytest.approx((graduates - sum(r[11] for r in cohort)) / graduates)
        assert row["local_rate"] == pytest.approx(sum(r[13] for r in cohort) / sum(r[8] for r in cohort))


def test_trend_totals_and_legend_order(warehouse: dict) -> None:
    demand = _demand(warehouse)
    for month, start in (("2025-10", "2022-11"), ("2023-08", "2023-05")):
        window = demand[(demand["ym"] >= start) & (demand["ym"] <= month)]
        totals = window.groupby("industry")["postings"].sum()
        rows = _rows_of(warehouse["report_industry_trend"], month).sort_values("legend_rank")
        assert list(rows["industry"]) == sorted(totals.index, key=lambda n: (-totals[n], n))
        assert list(rows["window_postings"]) == [totals[n] for n in rows["industry"]]
        assert {_ym(d) for d in rows["window_start"]} == {max(start, "2023-05")}


def test_skill_windows_and_rankings(warehouse: dict) -> None:
    skills = pd.DataFrame(warehouse["skills"], columns=["month", "industry", "skill", "postings"])
    skills["ym"] = skills["month"].map(_ym)
    rows = _rows_of(warehouse["report_skill_demand"], "2025-10").set_index("skill")
    current = (
        skills[(skills["ym"] >= "2024-11") & (skills["ym"] <= "2025-10")].groupby("skill")["postings"].sum()
    )
    previous = (
        skills[(skills["ym"] >= "2023-11") & (skills["ym"] <= "2024-10")].groupby("skill")["postings"].sum()
    )
    for skill in current.index:
        assert rows.loc[skill, "postings_last12"] == current[skill]
        assert rows.loc[skill, "postings_previous12"] == previous[skill]
        assert rows.loc[skill, "change_pct"] == pytest.approx(current[skill] / previous[skill] - 1)
    # GMP: 3 + month each month (a year's sum is the same in both windows): not rising; 导游 flat too.
    assert list(rows.sort_values("hot_rank").index) == ["GMP", "导游"]
    assert rows["rising_rank"].isna().all()


def test_forecast_series_and_accuracy_summary(warehouse: dict) -> None:
    demand = _demand(warehouse)
    window = demand[(demand["ym"] >= "2024-11") & (demand["ym"] <= RUN_MONTH)]
    series = warehouse["report_forecast_series"].set_index("series_id")
    assert {_ym(d) for d in series["run_month"]} == {RUN_MONTH}
    for measure in ("headcount", "postings"):
        for member, point in FORECAST_INDUSTRIES.items():
            row = series.loc[f"{measure}/industry/{member}"]
            last12 = window[window["industry"] == member]["postings"].sum()  # postings for either measure
            next12 = 12 * (point if measure == "headcount" else 1000.0)
            assert row["last12"] == last12 and row["next12"] == pytest.approx(next12)
            assert row["change_pct"] == pytest.approx(next12 / last12 - 1)
    summary = warehouse["report_forecast_accuracy"].iloc[0]
    assert summary["mase_chosen"] == pytest.approx((0.5 + 1.5) / 2)
    assert summary["mase_bench"] == pytest.approx((1.0 + 1.25) / 2)
    assert summary["coverage80"] == pytest.approx((0.75 + 1.0 + 0.5) / 3)
    assert (summary["series_beating_benchmark"], summary["series_compared"]) == (1, 2)


def test_forecast_history_is_the_charted_actuals(warehouse: dict) -> None:
    demand = _demand(warehouse)
    history = warehouse["report_forecast_history"]
    # The fixture's run has industry series only: one chart per industry forecast (postings measure).
    assert set(history["series_id"]) == {f"postings/industry/{m}" for m in FORECAST_INDUSTRIES}
    for member in FORECAST_INDUSTRIES:
        rows = history[history["series_id"] == f"postings/industry/{member}"]
        months = sorted(rows["month"].map(_ym))
        assert months == sorted(m for m in demand["ym"].unique() if "2022-11" <= m <= RUN_MONTH)
        sums = demand[demand["industry"] == member].groupby("ym")["postings"].sum()
        for _, row in rows.iterrows():
            assert row["postings"] == sums.get(_ym(row["month"]), 0)
