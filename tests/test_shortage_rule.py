"""The shortage rule (docs/shortage_rule.md) on generated data where the truth is known.

The list's models are compiled by dbt once and run on small hand-built warehouses, so the SQL is the
project's own; what they should flag is restated here independently in Python (`expected`) from the
published rule: compare each year's demand with the latest cohort that has graduates, at least 5 ads,
graduates mapped > 0, people wanted >= 1.5 x graduates. Each test asserts exactly which occupations are
flagged, so a change to a threshold, the cohort choice or the zero-supply case makes one fail."""

from __future__ import annotations

import random
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from talent.dashboard import layout, queries
from talent.report.read import Table
from talent.report.sections import shortage as section

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("shortage_occupations", "report_shortage_occupations")
INDUSTRIES = ("文旅康养", "生物医药", "食品饮料", "其他")
RATIO, MIN_ADS, STRONG_ADS = 1.5, 5, 20
LATEST = 2026  # its cohort is not reported: the rule must fall back to 2025


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> dict[str, str]:
    from test_dbt_project import run_dbt

    work = tmp_path_factory.mktemp("shortage_compile")
    proc = run_dbt(work / "talent.duckdb", work, "compile", "--select", *MODELS)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return {name: next((work / "target" / "compiled").rglob(f"{name}.sql")).read_text() for name in MODELS}


def generated_gap(seed: int) -> pd.DataFrame:
    """supply_demand_gap rows: 24 occupations over 2023-2026, demand of 0-30 ads, graduates for
    2023-2025 only; every fourth occupation has no major mapped (never any graduates)."""
    rng = random.Random(seed)
    rows = []
    for i in range(24):
        code = f"9-{i:02d}"
        for year in range(2023, LATEST + 1):
            for industry in rng.sample(INDUSTRIES, 2):
                ads = rng.choice([0, 0, 1, 3, 4, 5, 6, 8, 12, 20, 25, 30])
                graduates = 0.0
                if year < LATEST and i % 4 != 0 and rng.random() < 0.8:
                    graduates = round(rng.uniform(0.5, 60), 2)
                if ads or graduates:
                    rows.append(
                        (year, industry, code, ads, ads * rng.randint(1, 6), graduates, graduates / 3)
                    )
    rows.append((2025, "其他", "unclassified", 50, 200, 0.0, 0.0))  # never listed
    return pd.DataFrame(
        rows,
        columns=[
            "year",
            "industry",
            "occupation_code",
            "demand_postings",
            "demand_headcount",
            "supply_graduates",
            "supply_employed_local",
        ],
    )


def expected(gap: pd.DataFrame) -> pd.DataFrame:
    """The rule restated: one row per year x classified occupation with demand."""
    cohorts = sorted(gap.groupby("year")["supply_graduates"].sum().loc[lambda s: s > 0].index)
    occ = (
        gap[gap["occupation_code"] != "unclassified"]
        .groupby(["year", "occupation_code"])
        .sum(numeric_only=True)
    )
    out = []
    for (year, code), row in occ.iterrows():
        if row["demand_headcount"] <= 0:
            continue
        cohort = max((c for c in cohorts if c <= year), default=None)
        supply = occ["supply_graduates"].get((cohort, code), 0.0) if cohort else 0.0
        ads, wanted = row["demand_postings"], row["demand_headcount"]
        if cohort is None:
            status = "no_cohort"
        elif ads < MIN_ADS:
            status = "thin_demand"
        elif supply <= 0:
            status = "no_mapped_supply"
        else:
            status = "shortage" if wanted >= RATIO * supply else "not_short"
        verdict = status in ("shortage", "not_short")
        evidence = (
            "insufficient"
            if not verdict
            else "strong"
            if ads >= STRONG_ADS and cohort == year
            else "moderate"
        )
        out.append((year, code, cohort, round(supply, 2), status, evidence, wanted - supply))
    return pd.DataFrame(out, columns=["year", "code", "cohort", "supply", "status", "evidence", "gap"])


def warehouse(
    path: Path, gap: pd.DataFrame, report_gap: pd.DataFrame | None = None
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema reference")
    con.register("gap_df", gap)
    con.execute("create table marts.supply_demand_gap as select * from gap_df")
    if report_gap is not None:
        con.register("report_df", report_gap)
        con.execute("create table marts.report_supply_demand_gap as select * from report_df")
    codes = sorted(set(gap["occupation_code"]) - {"unclassified"})
    con.execute(
        "create table reference.occupations (occupation_code varchar, occupation_name varchar, industry varchar)"
    )
    con.executemany(
        "insert into reference.occupations values (?, ?, '其他')", [(c, f"职业{c}") for c in codes]
    )
    seed = ROOT / "dbt_project" / "seeds" / "industries.csv"
    con.execute(
        "create table reference.industries as select * from read_csv(?, all_varchar = true)", [str(seed)]
    )
    return con


def test_flags_exactly_what_the_rule_says(compiled, tmp_path) -> None:
    for seed in (1, 2, 3):
        gap = generated_gap(seed)
        truth = expected(gap)
        con = warehouse(_fresh(tmp_path, seed), gap)
        con.execute(f"create table marts.shortage_occupations as {compiled['shortage_occupations']}")
        mart = con.execute("select * from marts.shortage_occupations").df()
        con.close()

        flagged = set(
            mart.loc[mart["shortage_flag"], ["year", "occupation_code"]].itertuples(index=False, name=None)
        )
        want = set(
            truth.loc[truth["status"] == "shortage", ["year", "code"]].itertuples(index=False, name=None)
        )
        assert want and flagged == want, seed
        got = mart.set_index(["year", "occupation_code"]).sort_index()
        truth = truth.set_index(["year", "code"]).sort_index()
        assert list(got.index) == list(truth.index)
        assert list(got["shortage_status"]) == list(truth["status"])
        assert list(got["evidence"]) == list(truth["evidence"])
        assert list(got["supply_graduates"]) == pytest.approx(list(truth["supply"]))
        assert list(got["supply_cohort_year"].astype("Int64")) == list(truth["cohort"].astype("Int64"))

        latest = got.loc[LATEST]
        # the acceptance bar: the year without its own cohort is judged against 2025, never on zero supply
        assert set(latest["supply_cohort_year"]) == {LATEST - 1}
        assert latest["shortage_flag"].sum() < len(latest) / 2
        assert not (latest["shortage_flag"] & (latest["supply_graduates"] == 0)).any()
        assert (latest.loc[latest["supply_graduates"] == 0, "shortage_status"] != "shortage").all()
        assert not (latest["evidence"] == "strong").any()  # an earlier cohort is at most moderate

        # order: status first, then gap; ranks 1..n per year
        order = {"shortage": 1, "no_mapped_supply": 2, "not_short": 3, "thin_demand": 4, "no_cohort": 5}
        for year, rows in mart.groupby("year"):
            rows = rows.sort_values("shortage_rank")
            assert list(rows["shortage_rank"]) == list(range(1, len(rows) + 1))
            keys = [(order[s], -g) for s, g in zip(rows["shortage_status"], rows["gap"], strict=True)]
            assert keys == sorted(keys), year


def _fresh(tmp_path: Path, seed: int) -> Path:
    folder = tmp_path / f"seed{seed}"
    folder.mkdir()
    return folder / "talent.duckdb"


def test_demand_without_graduates_is_listed_to_verify_not_flagged(compiled, tmp_path) -> None:
    # Known truth: 40 ads for 300 people and no major mapped is not evidence of a shortage; 6 ads for 30
    # people against 10 graduates is (ratio 3); 4 ads for 400 people is too thin a sample; 20 ads for 29
    # people against 20 graduates (1.45) is not short.
    gap = pd.DataFrame(
        [
            (2025, "其他", "1-no-supply", 40, 300, 0.0, 0.0),
            (2025, "文旅康养", "2-short", 6, 30, 10.0, 2.0),
            (2025, "生物医药", "3-thin", 4, 400, 5.0, 1.0),
            (2025, "生物医药", "4-balanced", 20, 29, 20.0, 1.0),
            (2026, "其他", "1-no-supply", 10, 50, 0.0, 0.0),
            (2026, "文旅康养", "2-short", 5, 15, 0.0, 0.0),
        ],
        columns=list(generated_gap(0).columns),
    )
    con = warehouse(tmp_path / "talent.duckdb", gap)
    mart = con.execute(compiled["shortage_occupations"]).df().set_index("shortage_id")
    con.close()
    assert sorted(mart.index[mart["shortage_flag"]]) == ["2025-2-short", "2026-2-short"]
    assert mart.loc["2025-1-no-supply", "shortage_status_label"] == "无对口供给（待核实）"
    assert mart.loc["2025-1-no-supply", "shortage_rank"] == 2  # right after the flagged one
    assert pd.isna(mart.loc["2025-1-no-supply", "demand_supply_ratio"])
    assert mart.loc["2025-3-thin", "shortage_status"] == "thin_demand"
    assert mart.loc["2025-4-balanced", "shortage_status"] == "not_short"
    assert mart.loc["2025-4-balanced", "evidence"] == "strong"
    assert mart.loc["2026-2-short", "supply_cohort_year"] == 2025
    assert mart.loc["2026-2-short", "demand_supply_ratio"] == 1.5  # 15 / the 2025 cohort's 10
    assert mart.loc["2026-2-short", "evidence_label"] == "证据一般"


def test_report_month_uses_the_cohort_known_then_and_equals_the_base_list(compiled, tmp_path) -> None:
    gap = generated_gap(4)
    # Two report months over the same rows: in 2025-06 the 2025 cohort is not known (its graduates come
    # as 0), in 2026-10 everything is.
    early = gap[gap["year"] <= 2025].assign(report_month=pd.Timestamp("2025-06-01"))
    early.loc[early["year"] == 2025, ["supply_graduates", "supply_employed_local"]] = 0.0
    late = gap.assign(report_month=pd.Timestamp("2026-10-01"))
    con = warehouse(tmp_path / "talent.duckdb", gap, pd.concat([early, late], ignore_index=True))
    base = con.execute(compiled["shortage_occupations"]).df()
    report = con.execute(compiled["report_shortage_occupations"]).df()
    con.close()

    at_latest = report[report["report_month"] == pd.Timestamp("2026-10-01")]
    columns = list(base.columns)
    pd.testing.assert_frame_equal(
        at_latest[columns].sort_values("shortage_id").reset_index(drop=True),
        base.sort_values("shortage_id").reset_index(drop=True),
    )
    then = report[(report["report_month"] == pd.Timestamp("2025-06-01")) & (report["year"] == 2025)]
    assert set(then["supply_cohort_year"]) == {2024}
    truth = expected(early.drop(columns="report_month")).query("year == 2025")
    assert sorted(then.loc[then["shortage_flag"], "occupation_code"]) == sorted(
        truth.loc[truth["status"] == "shortage", "code"]
    )


def test_section_eight_and_dashboard_show_the_rule(compiled, tmp_path) -> None:
    con = warehouse(tmp_path / "talent.duckdb", generated_gap(5))
    con.execute(f"create table marts.shortage_occupations as {compiled['shortage_occupations']}")
    cursor = con.execute("select * from marts.shortage_occupations order by year, shortage_rank")
    table = Table(tuple(c[0] for c in cursor.description), tuple(cursor.fetchall()))

    part = section.shortage_section("2026-10", table)
    latest = [r for r in table.records() if r["year"] == LATEST]
    assert part["period"] == str(LATEST) and part["count"] == len(latest)
    assert part["flagged"] == sum(r["shortage_flag"] for r in latest) < len(latest) / 2
    head = part["headers"]
    graduates = [row[head.index("对口毕业生数")] for row in part["rows"]]
    assert all(re.fullmatch(r"\d[\d,]*", g) for g in graduates), graduates  # whole numbers
    ratios = [row[head.index("求人倍率")] for row in part["rows"]]
    assert all(re.fullmatch(r"\d+\.\d\d|无对口毕业生", r) for r in ratios), ratios
    assert f"对比{LATEST - 1}届毕业生" in part["rule"] and "1—10月" in part["rule"]
    assert "判为紧缺" in part["rule"] and "≥ 1.5" in part["rule"]

    year, rows = queries.shortage_list(con, queries.Filters("", "", 12), limit=100)
    assert year == LATEST and list(rows["shortage_rank"]) == list(range(1, len(latest) + 1))
    assert f"对比{LATEST - 1}届毕业生" in layout.shortage_sub(year, rows, "")
    con.close()


def test_the_report_states_the_thresholds_the_macros_use() -> None:
    macros = (ROOT / "dbt_project" / "macros" / "shortage_rule.sql").read_text(encoding="utf-8")

    def value(name: str) -> float:
        return float(re.search(rf"macro {name}\(\) -%}}\s*([\d.]+)", macros).group(1))

    assert (
        value("shortage_ratio_threshold"),
        value("shortage_min_postings"),
        value("shortage_strong_postings"),
    ) == (
        section.RATIO_THRESHOLD,
        section.MIN_POSTINGS,
        section.STRONG_POSTINGS,
    )
    assert (RATIO, MIN_ADS, STRONG_ADS) == (
        section.RATIO_THRESHOLD,
        section.MIN_POSTINGS,
        section.STRONG_POSTINGS,
    )
