"""What the dashboard shows, as queries on the published snapshot (`talent.serving.read_snapshot`).

Every function takes an open read-only connection to one build, so one page update reads one
consistent build. Filters arrive as Chinese names (the marts' `county` / `industry` columns);
`ALL` (empty string) means no filter. Sums are cast to BIGINT/DOUBLE in SQL: DuckDB sums
integers to HUGEINT, which pandas would turn into objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

ALL = ""
PERIODS = {12: "近12个月", 24: "近24个月", 0: "全部月份"}


@dataclass(frozen=True)
class Filters:
    county: str = ALL
    industry: str = ALL
    months: int = 12  # 0: every month in the data

    @classmethod
    def of(cls, county: Any, industry: Any, months: Any) -> Filters:
        return cls(county=county or ALL, industry=industry or ALL, months=int(months or 0))


def _demand_where(f: Filters, latest_month: Any, alias: str = "") -> tuple[str, list[Any]]:
    """WHERE clause (and parameters) for county, industry and the period window ending at
    `latest_month`; `alias` prefixes columns when a query joins."""
    p = f"{alias}." if alias else ""
    clauses, params = ["true"], []
    if f.county:
        clauses.append(f"{p}county = ?")
        params.append(f.county)
    if f.industry:
        clauses.append(f"{p}industry = ?")
        params.append(f.industry)
    if f.months and latest_month is not None:
        clauses.append(f"{p}month > cast(? as date) - to_months(?)")
        params += [latest_month, f.months]
    return " and ".join(clauses), params


# The newest period each source's data reaches, read from the mart it feeds.
SOURCE_COVERAGE = {
    "bulletins": "select max(year) || '年' from marts.regional_indicators",
    "job_boards": "select strftime(max(month), '%Y-%m') from marts.talent_demand_monthly",
    "school_records": "select max(year) || '届' from marts.talent_supply_yearly",
}


def coverage(con) -> dict[str, str]:
    return {kind: con.execute(sql).fetchone()[0] or "—" for kind, sql in SOURCE_COVERAGE.items()}


def options(con) -> dict[str, Any]:
    """Filter choices and the data's time anchors, read from the reference tables."""
    industries = con.execute(
        "select name_zh, coalesce(is_leading_1plus3, false) from reference.industries order by sort_order, name_zh"
    ).fetchall()
    counties = con.execute(
        "select name_zh, coalesce(is_city_level, false) from reference.counties "
        # county choices are the county-level units, not 巴中市 or the labels 市本级/未注明/市外 (issue 12)
        "where unit_type in ('district', 'county', 'development_zone') order by sort_order, name_zh"
    ).fetchall()
    latest_month = con.execute("select max(month) from marts.talent_demand_monthly").fetchone()[0]
    return {
        "industries": [{"name": name, "leading": bool(leading)} for name, leading in industries],
        "counties": [{"name": name, "city_level": bool(city)} for name, city in counties],
        "latest_month": latest_month,
    }


def demand_by_industry_month(con, f: Filters, latest_month: Any) -> pd.DataFrame:
    where, params = _demand_where(f, latest_month)
    return con.execute(
        f"""
        select month, industry,
               cast(sum(postings) as bigint) as postings,
               cast(sum(headcount) as bigint) as headcount
        from marts.talent_demand_monthly
        where {where}
        group by month, industry
        order by month, industry
        """,
        params,
    ).df()


def demand_by_county(con, f: Filters, latest_month: Any) -> pd.DataFrame:
    """Totals per county over the period for the chosen industry (every county, so the chosen one
    can be highlighted among the others)."""
    where, params = _demand_where(Filters(ALL, f.industry, f.months), latest_month, alias="d")
    return con.execute(
        f"""
        select c.name_zh as county, c.sort_order,
               cast(coalesce(sum(d.postings), 0) as bigint) as postings,
               cast(coalesce(sum(d.headcount), 0) as bigint) as headcount
        from reference.counties c
        left join marts.talent_demand_monthly d on d.county = c.name_zh and {where}
        where c.unit_type in ('district', 'county', 'development_zone')
        group by c.name_zh, c.sort_order
        order by c.sort_order
        """,
        params,
    ).df()


def kpis(con, f: Filters, latest_month: Any) -> dict[str, Any]:
    """Headline numbers for the filters: postings and headcount over the period, the change against
    the period before it, the median monthly salary of those postings, and shortage occupations."""
    where, params = _demand_where(f, latest_month)
    postings, headcount, months = con.execute(
        f"select cast(sum(postings) as bigint), cast(sum(headcount) as bigint), count(distinct month) "
        f"from marts.talent_demand_monthly where {where}",
        params,
    ).fetchone()
    previous = None
    if f.months and latest_month is not None:
        prev_where, prev_params = _demand_where(Filters(f.county, f.industry, 0), None)
        previous = con.execute(
            f"select cast(sum(postings) as bigint) from marts.talent_demand_monthly where {prev_where} "
            "and month <= cast(? as date) - to_months(?) and month > cast(? as date) - to_months(?)",
            [*prev_params, latest_month, f.months, latest_month, 2 * f.months],
        ).fetchone()[0]
    # job_postings holds every vacancy; the demand marts count those in the region.
    salary_where, salary_params = _demand_where(f, latest_month)
    salary = con.execute(
        f"select median(salary_mid) from marts.job_postings where in_region and {salary_where}",
        salary_params,
    ).fetchone()[0]
    year = shortage_year(con)
    shortages = con.execute(
        "select count(*) filter (where shortage_flag and (? = '' or industry = ?)) "
        "from marts.shortage_occupations where year = ?",
        [f.industry, f.industry, year],
    ).fetchone()[0]
    return {
        "postings": int(postings or 0),
        "headcount": int(headcount or 0),
        "months": int(months or 0),
        "previous_postings": None if previous is None else int(previous),
        "salary_median": salary,
        "shortage_year": year,
        "shortages": int(shortages or 0),
    }


def forecast_series(con, f: Filters, measure: str) -> dict[str, Any]:
    """The latest forecast run for the series the filters point at (industry first, then county,
    else the whole city), with its recent history. Forecasts are made per single dimension, so with
    both filters set the industry series is shown and the note says so. A measure the series does
    not have (headcount is forecast for the city and industries only) falls back to postings."""
    if f.industry:
        dimension, member = "industry", f.industry
    elif f.county:
        dimension, member = "county", f.county
    else:
        dimension, member = "city", None
    notes = []
    if f.industry and f.county:
        notes.append("预测按产业口径，县区筛选不适用")
    run_month = con.execute("select max(run_month) from marts.demand_forecast").fetchone()[0]

    def rows(measure_: str) -> pd.DataFrame:
        return con.execute(
            """
            select target_month, point, lo80, hi80, lo95, hi95, model
            from marts.demand_forecast
            where run_month = ? and dimension = ? and measure = ? and (? is null or member = ?)
            order by target_month
            """,
            [run_month, dimension, measure_, member, member],
        ).df()

    points = rows(measure)
    if points.empty and measure != "postings":
        notes.append("该序列无招聘人数预测，改示岗位数")
        measure = "postings"
        points = rows(measure)
    where, params = _demand_where(Filters(f.county if dimension == "county" else ALL, f.industry, 0), None)
    history = con.execute(
        f"""
        select month, cast(sum({"headcount" if measure == "headcount" else "postings"}) as bigint) as value
        from marts.talent_demand_monthly
        where {where} and (? is null or month <= ?)
        group by month order by month
        """,
        [*params, run_month, run_month],
    ).df()
    return {
        "dimension": dimension,
        "member": member,
        "measure": measure,
        "run_month": run_month,
        "points": points,
        "history": history.tail(24),
        "notes": notes,
    }


def shortage_year(con) -> Any:
    """The latest year of the shortage list: the report's section 八 at the latest month shows the same
    year. The mart compares it with the latest graduate cohort reported (supply_cohort_year), so the
    current year is judged too, not flagged wholesale for having no graduates of its own yet."""
    return con.execute("select max(year) from marts.shortage_occupations").fetchone()[0]


def shortage_list(con, f: Filters, limit: int = 15) -> tuple[Any, pd.DataFrame]:
    """The shortage list (the city's 最缺工 list, docs/shortage_rule.md), optionally one industry's part,
    of the latest year, in the mart's order: flagged occupations first, then those with demand and no
    mapped graduates (to verify), then the rest."""
    year = shortage_year(con)
    table = con.execute(
        """
        select shortage_rank, occupation_name, industry,
               cast(demand_postings as bigint) as demand_postings,
               cast(demand_headcount as bigint) as demand_headcount,
               supply_graduates, gap, demand_supply_ratio, previous_rank, rank_change, shortage_flag,
               supply_cohort_year, shortage_status, shortage_status_label, evidence, evidence_label
        from marts.shortage_occupations
        where year = ? and (? = '' or industry = ?)
        order by shortage_rank
        limit ?
        """,
        [year, f.industry, f.industry, limit],
    ).df()
    return year, table


def majors_vs_demand(con, f: Filters, limit: int = 12) -> tuple[Any, Any, pd.DataFrame]:
    """Graduates per major against the demand of the major's industry (the report's oversupply
    mart, latest report month). An industry's demand is shared out over its majors in proportion
    to their graduates, so bars of one chart compare like with like."""
    month, year = con.execute(
        "select max(month), max(year) filter (where month = (select max(month) from marts.oversupply_majors)) "
        "from marts.oversupply_majors"
    ).fetchone()
    table = con.execute(
        """
        -- one bar per major name and industry: old and new catalogue codes of one major add up
        select major_name, industry, sum(graduates) as graduates,
               sum(graduates * coalesce(demand_per_graduate, 0)) as demand_share
        from marts.oversupply_majors
        where month = ? and (? = '' or industry = ?) and graduates > 0
        group by major_name, industry
        order by graduates desc, major_name, industry
        limit ?
        """,
        [month, f.industry, f.industry, limit],
    ).df()
    return month, year, table
