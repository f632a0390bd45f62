"""Tests for talent.forecast: the error measures, the backtest and model choice, the CSV contract of
`talent forecast evaluate`, the pipeline step that writes forecast.demand_forecast/forecast_accuracy
(with DuckDB closed while it computes), and the dbt marts built over those tables.

Series are few and short on purpose (the machine has two cores); statsforecast's numba code is
cached on disk after the first run.
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import shutil
import subprocess
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pytest

from talent import forecast as F
from talent.forecast import panel, pipeline
from talent.units import shift_month

ROOT = Path(__file__).resolve().parent.parent


def _month(start: str, i: int) -> str:
    return shift_month(start, i)


def _write_csv(path: Path, series: dict[str, list[float]], start: str = "2023-11") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["series_id", "month", "value"])
        for sid, values in series.items():
            for i, v in enumerate(values):
                writer.writerow([sid, _month(start, i), v])
    return path


# ------------------------------------------------------------------------------------ measures


def test_score_matches_hand_computation() -> None:
    actual = [10.0, 20.0, 0.0]
    cols = {
        "point": [12.0, 18.0, 0.0],
        "lo80": [11.0, 15.0, 0.0],
        "hi80": [13.0, 19.0, 1.0],
        "lo95": [5.0, 15.0, 0.0],
        "hi95": [15.0, 25.0, 2.0],
    }
    m = F.score(actual, cols, [2.0, 4.0, 1.0])
    assert m["mase"] == pytest.approx((2 / 2 + 2 / 4 + 0 / 1) / 3)
    # sMAPE with 0/0 counted as a perfect forecast.
    assert m["smape"] == pytest.approx((200 * 2 / 22 + 200 * 2 / 38 + 0) / 3)
    assert m["coverage80"] == pytest.approx(1 / 3)  # 10 is outside [11, 13]; 20 outside [15, 19]
    assert m["coverage95"] == pytest.approx(1.0)
    assert m["mae"] == pytest.approx(4 / 3)


def test_flat_history_has_no_mase_and_choice_falls_back_to_mae() -> None:
    m = F.score([5.0], {"point": [5.0], "lo80": [None], "hi80": [None], "lo95": [4], "hi95": [6]}, [math.nan])
    assert m["mase"] is None and m["coverage80"] is None and m["coverage95"] == 1.0
    choice = F.choose({"AutoETS": {"mase": None, "mae": 2.0}, "AutoTheta": {"mase": None, "mae": 1.0}})
    assert choice == "AutoTheta"
    # Exact ties go to the simpler model.
    tie = {"SeasonalNaive": {"mase": 1.0, "mae": 1.0}, "Combination": {"mase": 1.0, "mae": 1.0}}
    assert F.choose(tie) == "SeasonalNaive"


def test_plan_marks_short_sparse_and_too_short_series() -> None:
    def plan(values):
        return F.plan_for(F.Series("s", "2024-01", values), 12)

    full = plan([5.0] * 36)
    assert (full.seasonal, full.fallback, full.horizon, full.windows) == (True, None, 12, 4)
    assert "SeasonalNaive" in full.models and "Combination" in full.models
    sparse = plan([0.0, 0.0, 3.0] * 12)
    assert (sparse.seasonal, sparse.fallback) == (False, "sparse")
    short = plan([4.0] * 14)  # a new occupation: 14 months
    assert (short.fallback, short.horizon, short.windows) == ("short", 6, 1)
    assert "Naive" in short.models and "SeasonalNaive" not in short.models
    tiny = plan([1.0, 2.0, 3.0, 4.0])
    assert (tiny.fallback, tiny.horizon, tiny.models) == ("too_short", 0, ("HistoricAverage",))


# -------------------------------------------------------------------------------- evaluate (CSV)


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory) -> dict:
    rng = random.Random(3)
    trend = [10.0 + 2.0 * t for t in range(36)]
    seasonal = [
        round(40 + 15 * math.sin(2 * math.pi * t / 12) + 0.4 * t + rng.gauss(0, 1.5), 1) for t in range(36)
    ]
    path = _write_csv(
        tmp_path_factory.mktemp("evaluate") / "series.csv",
        {
            "trend": trend,
            "seasonal": seasonal,
            "new_occupation": [3, 5, 4, 6, 5, 7, 6, 8, 7, 9, 8, 10, 9, 11],
        },
    )
    return F.evaluate_csv(path, horizon=12)


def test_evaluate_output_follows_the_contract(evaluated: dict) -> None:
    assert set(evaluated) == {"series", "summary"}
    assert set(evaluated["series"]) == {"trend", "seasonal", "new_occupation"}
    for sid, entry in evaluated["series"].items():
        assert entry["chosen"] in entry["models"], sid
        for name, m in entry["models"].items():
            assert set(m) == {"mase", "smape", "coverage80", "coverage95"}, (sid, name)
            for key in ("coverage80", "coverage95"):
                assert m[key] is None or 0 <= m[key] <= 1
        # The chosen model is the one with the lowest MASE.
        mases = {n: m["mase"] for n, m in entry["models"].items() if m["mase"] is not None}
        assert entry["models"][entry["chosen"]]["mase"] == min(mases.values())
    json.dumps(evaluated)  # plain JSON, no NaN objects
    summary = evaluated["summary"]
    compared = [e for e in evaluated["series"].values() if "SeasonalNaive" in e["models"]]
    assert summary["mase_chosen_mean"] == pytest.approx(
        sum(e["models"][e["chosen"]]["mase"] for e in compared) / len(compared), abs=1e-5
    )
    assert summary["mase_seasonal_naive_mean"] == pytest.approx(
        sum(e["models"]["SeasonalNaive"]["mase"] for e in compared) / len(compared), abs=1e-5
    )
    # The nested score (talent.forecast.nested) beside them, over the series with an outer origin.
    nested = {sid: e["nested"] for sid, e in evaluated["series"].items() if e["nested"]}
    assert set(nested) == {"trend", "seasonal"}  # the 14-month series has a single origin
    assert summary["series_nested_compared"] == 2
    assert summary["mase_nested_mean"] == pytest.approx(sum(n["mase"] for n in nested.values()) / 2, abs=1e-5)
    for n in nested.values():
        assert len(n["choices"]) == 3 and n["points"] == 36
        assert n["mase"] >= min(n["mase_outer"].values()) - 1e-9  # no choice beats the best on its points
    for key in ("coverage80_calibrated", "coverage95_calibrated", "coverage80_uncalibrated"):
        assert 0 <= summary[key] <= 1, key


def test_a_trend_is_caught_by_the_models_and_not_by_seasonal_naive(evaluated: dict) -> None:
    trend = evaluated["series"]["trend"]
    # Seasonal naive repeats last year: on y = 10 + 2t every error is exactly 24, as is the scale.
    assert trend["models"]["SeasonalNaive"]["mase"] == pytest.approx(1.0)
    assert trend["chosen"] != "SeasonalNaive"
    assert trend["models"][trend["chosen"]]["mase"] < 0.1
    # The trend is clear from the first origin on: the nested choice never picks seasonal naive either.
    assert "SeasonalNaive" not in trend["nested"]["choices"].values()
    assert trend["nested"]["mase"] < 0.1
    seasonal = evaluated["series"]["seasonal"]
    assert seasonal["backtest"] == {"horizon": 12, "windows": 4, "scale": "seasonal_naive"}


def test_short_series_falls_back_and_says_so(evaluated: dict) -> None:
    entry = evaluated["series"]["new_occupation"]
    assert entry["fallback"] == "short" and entry["months"] == 14
    assert "Naive" in entry["models"] and "SeasonalNaive" not in entry["models"]
    assert entry["backtest"]["horizon"] == 6


def test_the_panel_gives_each_series_what_it_gets_alone(monkeypatch) -> None:
    """One statsforecast call over the panel, in two worker processes, must not mix series up: series
    of different lengths and starts in one plan group, and a short one in another, get the same
    backtest, choice and forecast as when each is run on its own."""
    monkeypatch.setenv("TALENT_FORECAST_JOBS", "2")
    rng = random.Random(11)
    series = [
        F.Series(
            f"s{i}",
            _month("2023-01", i % 3),
            [
                round(20 + 3 * i + 8 * math.sin(2 * math.pi * t / 12) + rng.gauss(0, 2), 1)
                for t in range(30 + i % 2)
            ],
        )
        for i in range(8)
    ]
    series.append(F.Series("short", "2024-01", [3.0, 5, 4, 6, 5, 7, 6, 8, 7, 9, 8, 10, 9, 11]))
    assert panel.jobs(8) == 2
    monkeypatch.delenv("TALENT_FORECAST_JOBS")
    assert panel.jobs(8) == 1  # a pool is opt-in: forked from an Airflow task process it can hang
    monkeypatch.setenv("TALENT_FORECAST_JOBS", "2")
    together = F.backtest_panel(series)
    fitted = F.forecast_panel(together)
    for i in (0, 7, 8):  # the ends of the panel's one group, and the short series' own group
        s, ev = series[i], together[i]
        alone = F.backtest(s)
        assert ev.series is s and ev.cv_keys == alone.cv_keys
        assert ev.cv == alone.cv and ev.chosen == alone.chosen, s.series_id
        assert fitted[s.series_id] == F.forecast_series(alone), s.series_id
    # The equal-weight combination is the mean of its clipped members, computed over the whole panel.
    ev = together[0]
    members = [ev.cv[m]["point"] for m in ("AutoETS", "AutoARIMA", "AutoTheta")]
    assert ev.cv["Combination"]["point"] == pytest.approx([sum(v) / 3 for v in zip(*members, strict=True)])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("series_id,month\na,2024-01\n", r"row 1 \(header\): missing column\(s\) value"),
        (
            "series_id,month,value\na,2024-01,3\na,2024/02,4\n",
            r"row 3: field 'month': expected YYYY-MM, got '2024/02'",
        ),
        (
            "series_id,month,value\na,2024-01,3\na,2024-02,lots\n",
            r"row 3: field 'value': not a number: 'lots'",
        ),
        (
            "series_id,month,value\na,2024-01,3\na,2024-01,4\n",
            r"row 3: field 'month': 2024-01 repeats .*row 2",
        ),
        ("series_id,month,value\n,2024-01,3\n", r"row 2: field 'series_id' is empty"),
        ("series_id,month,value\n", r"no data rows"),
        ("", r"empty"),
    ],
)
def test_bad_csv_names_file_row_and_field(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(F.ForecastError, match=expected) as info:
        F.evaluate_csv(path, 12)
    assert str(path) in str(info.value)


def test_cli_reports_a_bad_csv_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("series_id,month,value\na,2024-13,1\n", encoding="utf-8")
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("talent")), "forecast", "evaluate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert f"{path}: row 2: field 'month'" in proc.stderr and "Traceback" not in proc.stderr


def test_gaps_between_months_count_as_zero(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("series_id,month,value\na,2024-01,3\na,2024-04,5\n", encoding="utf-8")
    (series,) = F.read_series_csv(path)
    assert (series.start, series.values) == ("2024-01", [3.0, 0.0, 0.0, 5.0])


# ------------------------------------------------------------------------------- the pipeline step


INDUSTRIES = ("文旅康养", "生物医药")
COUNTIES = ("巴州区", "恩阳区")
N_MONTHS = 30
FIRST = "2024-03"


def _build_warehouse(path: Path, *, extra: int = 0) -> None:
    """talent_demand_monthly (with an occupation column) and skill_demand_monthly, by hand."""
    rng = random.Random(11)
    con = duckdb.connect(str(path))
    con.execute(
        "create schema marts; create table marts.talent_demand_monthly (demand_id varchar, month date, "
        "county varchar, industry varchar, occupation_code varchar, occupation_name varchar, "
        "postings integer, headcount integer)"
    )
    con.execute(
        "create table marts.skill_demand_monthly (month date, industry varchar, skill varchar, postings integer)"
    )
    rows, skills = [], []
    for t in range(N_MONTHS):
        ym = shift_month(FIRST, t)
        month = date.fromisoformat(f"{ym}-01")
        for county in COUNTIES:
            for k, industry in enumerate(INDUSTRIES):
                base = 12 + 6 * k + 4 * math.sin(2 * math.pi * t / 12) + 0.2 * t
                n = max(1, int(round(base + rng.gauss(0, 2)))) + (extra if t == N_MONTHS - 1 else 0)
                # A new occupation appears 14 months before the end; the old one carries the rest.
                new = t >= N_MONTHS - 14 and industry == "生物医药"
                code, name = ("2-05-07-99", "新职业<b>") if new else ("4-10-01-01", "养老护理员")
                rows.append((f"{ym}-{county}-{industry}", month, county, industry, code, name, n, n + 2))
        skills.append((month, "生物医药", "GMP", 5 + t % 4))
        skills.append((month, "文旅康养", "新媒体运营", 3 + t // 6))
    con.executemany("insert into marts.talent_demand_monthly values (?,?,?,?,?,?,?,?)", rows)
    con.executemany("insert into marts.skill_demand_monthly values (?,?,?,?)", skills)
    con.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("forecast") / "talent.duckdb"
    _build_warehouse(path)
    first = F.ensure_forecast(path)
    return {"path": path, "first": first}


def _query(path: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_step_writes_both_marts_for_the_latest_month(warehouse: dict) -> None:
    run = warehouse["first"]
    last = shift_month(FIRST, N_MONTHS - 1)
    assert run.status == "written" and run.run_month == last
    series = {
        r[0] for r in _query(warehouse["path"], "select distinct series_id from forecast.demand_forecast")
    }
    expected = {
        "postings/city/巴中市",
        "headcount/city/巴中市",
        *(f"{m}/industry/{i}" for m in ("postings", "headcount") for i in INDUSTRIES),
        *(f"postings/county/{c}" for c in COUNTIES),
        "postings/occupation/4-10-01-01",
        "postings/occupation/2-05-07-99",
        "postings/skill/GMP",
        "postings/skill/新媒体运营",
    }
    assert series == expected
    (bad,) = _query(
        warehouse["path"],
        "select count(*) from forecast.demand_forecast where not (lo95 <= lo80 and lo80 <= point and "
        "point <= hi80 and hi80 <= hi95 and lo95 >= 0)",
    )[0:1]
    assert bad == (0,)
    horizons = _query(
        warehouse["path"],
        "select series_id, min(horizon), max(horizon), count(*), min(target_month) from forecast.demand_forecast group by 1",
    )
    for sid, lo, hi, n, first_target in horizons:
        assert (lo, hi, n) == (1, 36, 36), sid
        assert first_target == date.fromisoformat(f"{shift_month(last, 1)}-01")
    ids = _query(
        warehouse["path"], "select count(*), count(distinct forecast_id) from forecast.demand_forecast"
    )
    assert ids[0][0] == ids[0][1]


def test_new_occupation_is_a_short_series_and_marked(warehouse: dict) -> None:
    rows = _query(
        warehouse["path"],
        "select distinct fallback, history_months, label from forecast.demand_forecast "
        "where series_id = 'postings/occupation/2-05-07-99'",
    )
    assert rows == [("short", 14, "新职业<b>")]


def test_industries_and_counties_add_up_to_the_city(warehouse: dict) -> None:
    for measure, dims in (("postings", ("industry", "county")), ("headcount", ("industry",))):
        for dim in dims:
            rows = _query(
                warehouse["path"],
                f"""
                select f.target_month, c.point, sum(f.point)
                from forecast.demand_forecast f
                join forecast.demand_forecast c
                  on c.series_id = '{measure}/city/巴中市' and c.target_month = f.target_month
                where f.measure = '{measure}' and f.dimension = '{dim}'
                group by 1, 2
                """,
            )
            assert len(rows) == 36
            for target, city, total in rows:
                assert total == pytest.approx(city, abs=1e-4), (measure, dim, target)
    models = _query(
        warehouse["path"],
        "select distinct dimension, reconciliation, model = 'BottomUp' from forecast.demand_forecast "
        "where dimension in ('city', 'industry', 'county') order by 1",
    )
    assert set(models) >= {("city", "bottom_up", True), ("county", "scaled_to_city", False)}


def test_accuracy_has_one_chosen_model_per_series_and_it_is_the_published_one(warehouse: dict) -> None:
    chosen = _query(
        warehouse["path"],
        "select series_id, count(*) filter (where chosen), any_value(model) filter (where chosen) "
        "from forecast.forecast_accuracy group by 1",
    )
    published = dict(
        _query(warehouse["path"], "select distinct series_id, model from forecast.demand_forecast")
    )
    assert {sid for sid, _, _ in chosen} == set(published)
    for sid, n, model in chosen:
        assert n == 1 and model == published[sid], sid
    # The bottom-up city forecast is scored in the same backtest as the models it replaces.
    assert _query(
        warehouse["path"],
        "select count(*) from forecast.forecast_accuracy where series_id = 'postings/city/巴中市' and model = 'BottomUp'",
    ) == [(1,)]
    # 30 months leave one backtest origin: nothing to choose from before it, so no nested score.
    assert _query(
        warehouse["path"], "select count(*) from forecast.forecast_accuracy where model = 'NestedSelection'"
    ) == [(0,)]


def test_rows_carry_the_nested_score_and_the_calibrated_intervals() -> None:
    """Two 34-month series (three origins): each gets a NestedSelection row, never the published one,
    and every model row its outer-origin MASE and interval factor."""
    rng = random.Random(9)
    series = [
        F.Series(
            sid, "2023-01", [round(20 + k * 5 + 6 * math.sin(t / 2) + rng.gauss(0, 3), 1) for t in range(34)]
        )
        for k, sid in enumerate(("a", "b"))
    ]
    forecast_rows, accuracy_rows, summary = pipeline.compute("2025-10", series, "sha")
    names = [c for c, _ in F.store.ACCURACY_COLUMNS]
    rows = [dict(zip(names, r, strict=True)) for r in accuracy_rows]
    nested = [r for r in rows if r["model"] == "NestedSelection"]
    assert [r["series_id"] for r in nested] == ["a", "b"]
    for r in nested:
        assert not r["chosen"] and r["windows"] == 2 and r["points"] == 24
        assert r["mase"] == r["mase_outer"] and len(r["nested_choices"].split(", ")) == 2
        assert 0 <= r["coverage80_calibrated"] <= 1
    for r in rows:
        if r["model"] != "NestedSelection":
            assert r["mase_outer"] is not None and (r["interval_scale80"] or 0) > 0, r["model"]
    assert summary["series_nested_compared"] == 2 and summary["mase_nested_mean"] is not None
    fnames = [c for c, _ in F.store.FORECAST_COLUMNS]
    for row in (dict(zip(fnames, r, strict=True)) for r in forecast_rows):
        assert row["lo95"] <= row["lo80"] <= row["point"] <= row["hi80"] <= row["hi95"]


def test_rerun_on_same_data_is_a_no_op_and_changed_data_rewrites_only_its_run_month(
    warehouse: dict, tmp_path: Path
) -> None:
    path = warehouse["path"]
    before = _query(path, "select * from forecast.demand_forecast order by forecast_id")
    again = F.ensure_forecast(path)
    assert again.status == "unchanged" and again.inputs_sha256 == warehouse["first"].inputs_sha256
    assert _query(path, "select * from forecast.demand_forecast order by forecast_id") == before

    # A copy, so the module's warehouse stays as the other tests expect it.
    copy = tmp_path / "copy.duckdb"
    _build_warehouse(copy)
    earlier = F.ensure_forecast(copy, shift_month(FIRST, N_MONTHS - 4))
    assert earlier.status == "written"
    latest = F.ensure_forecast(copy)
    con = duckdb.connect(str(copy))
    con.execute(
        "update marts.talent_demand_monthly set postings = postings + 7 where month = (select max(month) from marts.talent_demand_monthly)"
    )
    con.close()
    changed = F.ensure_forecast(copy)
    assert changed.status == "written" and changed.inputs_sha256 != latest.inputs_sha256
    runs = dict(
        _query(
            copy, "select run_month, count(distinct inputs_sha256) from forecast.demand_forecast group by 1"
        )
    )
    assert set(runs) == {
        date.fromisoformat(f"{shift_month(FIRST, N_MONTHS - 4)}-01"),
        date.fromisoformat(f"{shift_month(FIRST, N_MONTHS - 1)}-01"),
    }
    assert set(runs.values()) == {1}  # the changed run replaced its rows; the earlier run kept its own


def test_month_beyond_the_data_is_a_clear_error(warehouse: dict) -> None:
    with pytest.raises(F.ForecastError, match=r"data only up to"):
        F.ensure_forecast(warehouse["path"], "2099-01")


def test_export_then_evaluate_reproduces_the_series(warehouse: dict, tmp_path: Path) -> None:
    out = tmp_path / "series.csv"
    assert F.export_series_csv(warehouse["path"], out) == 12
    series = {s.series_id: s for s in F.read_series_csv(out)}
    assert len(series["postings/city/巴中市"].values) == N_MONTHS
    assert len(series["postings/occupation/2-05-07-99"].values) == 14
    # The same through the one CLI (`talent forecast export`), reading the warehouse the settings name.
    cli_out = tmp_path / "cli.csv"
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("talent")), "forecast", "export", str(cli_out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TALENT_DUCKDB_PATH": str(warehouse["path"])},
    )
    assert proc.returncode == 0, proc.stderr
    assert cli_out.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------ locking


PROBE = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: fails with a lock error if another process holds the file
con.execute("create schema probe; create table probe.written_during_compute as select 1 as n")
con.close()
"""


def test_duckdb_is_closed_while_the_forecast_computes(tmp_path: Path, monkeypatch) -> None:
    """Another process can open the file read-write (and write) during the compute step: e.g. `talent
    publish` run by hand during a forecast does not give up on the lock."""
    path = tmp_path / "lock.duckdb"
    _build_warehouse(path)
    probes: list[subprocess.CompletedProcess] = []

    def compute_while_another_process_writes(run_month, series, sha):
        assert events == ["enter", "exit"], events
        probes.append(
            subprocess.run(
                [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, timeout=120
            )
        )
        return [], [], {}  # the real backtest is tested above; this test is about the lock

    events: list[str] = []

    @contextmanager
    def guard(warehouse_path: Path):  # e.g. a cross-process writer lock: held for the short phases only
        events.append("enter")
        yield warehouse_path
        events.append("exit")

    monkeypatch.setattr(pipeline, "compute", compute_while_another_process_writes)
    run = F.ensure_forecast(path, guard=guard)
    assert len(probes) == 1 and probes[0].returncode == 0, probes[0].stderr
    assert run.status == "written"
    assert events == ["enter", "exit", "enter", "exit"]  # read, then write; compute ran between them
    # The write after the compute still happened, and so did the other process's.
    assert _query(path, "select n from probe.written_during_compute") == [(1,)]
    assert _query(path, "select count(*) from forecast.demand_forecast") == [(0,)]


def test_a_warehouse_with_the_old_marts_tables_keeps_its_runs(warehouse: dict, tmp_path: Path) -> None:
    """Before, Python wrote marts.demand_forecast itself. On such a warehouse the first run copies those
    rows (every run month) into schema forecast, so nothing is lost when dbt replaces the marts, and an
    unchanged run is still skipped."""
    path = tmp_path / "old.duckdb"
    shutil.copy(warehouse["path"], path)
    before = _query(path, "select * from forecast.demand_forecast order by forecast_id")
    con = duckdb.connect(str(path))
    for table in ("demand_forecast", "forecast_accuracy"):
        con.execute(f"create table marts.{table} as select * from forecast.{table}")
    con.execute("drop schema forecast cascade")
    con.close()

    again = F.ensure_forecast(path)
    assert again.status == "unchanged" and again.inputs_sha256 == warehouse["first"].inputs_sha256
    assert _query(path, "select * from forecast.demand_forecast order by forecast_id") == before
    assert again.accuracy_rows == _query(path, "select count(*) from forecast.forecast_accuracy")[0][0] > 0


# ---------------------------------------------------------------------------- the dbt marts over it


def test_dbt_builds_and_tests_the_marts_over_the_forecast_tables(
    warehouse: dict, tmp_path: Path, monkeypatch
) -> None:
    """marts.demand_forecast and marts.forecast_accuracy are dbt models over source `forecast`: the same
    rows and columns, and their data tests (keys, lo95 ≤ lo80 ≤ point ≤ hi80 ≤ hi95 …) pass."""
    from talent.dbt import run_dbt

    path = tmp_path / "dbt.duckdb"
    shutil.copy(warehouse["path"], path)
    monkeypatch.setenv("TALENT_WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("TALENT_DUCKDB_PATH", str(path))
    # Only these two: the report marts downstream of them need marts this small warehouse lacks.
    result = run_dbt(["build", "--select", "demand_forecast", "forecast_accuracy"])
    assert "ERROR=0" in result["summary"] and "PASS=" in result["summary"], result
    for table in ("demand_forecast", "forecast_accuracy"):
        for left, right in (("marts", "forecast"), ("forecast", "marts")):
            diff = _query(path, f"select count(*) from (from {left}.{table} except all from {right}.{table})")
            assert diff == [(0,)], (table, left, right)
        columns = (
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position"
        )
        assert _query(path, columns, ["marts", table]) == _query(path, columns, ["forecast", table])
