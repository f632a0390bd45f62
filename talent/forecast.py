"""Monthly talent-demand forecasts: series, models, rolling-origin backtest, reconciliation, marts.

Docs: docs/forecast.md (methods, choices and measured accuracy); contract: docs/contracts.md section 5b.

Two entry points:

* ``evaluate_csv(path, horizon)`` — what ``talent forecast evaluate FILE.csv`` prints: a rolling-origin
  backtest of every model on each series of a ``series_id,month,value`` CSV, with the model chosen per
  series by MASE.
* ``ensure_forecast(duckdb_path, run_month=None)`` — the pipeline step: builds the demand series from
  ``marts.talent_demand_monthly`` (and the occupation/skill marts when they exist), backtests, forecasts
  36 months ahead with the chosen model per series, reconciles industries and counties with the city
  total, and writes ``marts.demand_forecast`` and ``marts.forecast_accuracy`` in one transaction.

Design choices, and why:

* Every model comes from statsforecast (SeasonalNaive, AutoETS, AutoARIMA, AutoTheta); the only
  arithmetic done here is the equal-weight combination of ETS, ARIMA and Theta (point and interval
  bounds averaged) and the error measures. statsforecast is imported inside functions: it costs a
  few seconds to import and would slow every DAG parse and CLI call that never forecasts.
* The numba functions statsforecast JIT-compiles are cached on disk (``NIXTLA_NUMBA_CACHE`` +
  ``NUMBA_CACHE_DIR`` under the warehouse), so only the first run on a machine pays the compile time.
* A forecast run is keyed by its *run month* (the last month of history used), never by the clock, and
  skipped when its inputs are unchanged (a sha256 of the series is stored with it): the same data gives
  the same rows, and a re-run of the pipeline does no work.
* Demand counts cannot be negative, so forecasts and interval bounds are clipped at zero whenever the
  history is non-negative; the backtest scores the clipped values, i.e. what is published.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import math
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Bump when the method changes in a way that changes numbers: stored runs made by an older method are
# then recomputed instead of being skipped as "unchanged".
METHOD_VERSION = "1"

SEASON = 12
LEVELS = (80, 95)
FORECAST_HORIZON = 36  # months ahead written to marts.demand_forecast (the report reads 12, 24 and 36)
REPORT_HORIZONS = (12, 24, 36)
BACKTEST_HORIZON = 12
# The first training window of the backtest: 18 months (a season and a half) is the least that lets
# AutoETS/AutoARIMA try a seasonal fit and gives the lag-12 MASE scale six differences. With the
# 36 months the sample boards hold this leaves room for four 12-month-ahead origins.
MIN_TRAIN_SEASONAL = 18
# Below that, non-seasonal variants are backtested on a shorter horizon from 8 months of training.
MIN_TRAIN_SHORT = 8
# Fewer months than this: no backtest at all, the forecast is the historical mean (marked).
MIN_HISTORY = 3
MAX_WINDOWS = 4
WINDOW_STEP = 2
# A series with more than half of its months at zero is intermittent: seasonal models only chase noise.
SPARSE_ZERO_SHARE = 0.5
TOP_N = 10  # occupations and skills forecast (largest by the last 12 months)

BENCHMARK = "SeasonalNaive"
NAIVE = "Naive"  # the benchmark of non-seasonal (short or sparse) series
COMBINATION = "Combination"
BOTTOM_UP = "BottomUp"
FALLBACK_MEAN = "HistoricAverage"
COMBINED = ("AutoETS", "AutoARIMA", "AutoTheta")
# Order matters only to break exact ties in the choice: simpler first.
MODEL_ORDER = (BENCHMARK, NAIVE, "AutoTheta", "AutoETS", "AutoARIMA", COMBINATION)

CITY = "巴中市"
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class ForecastError(ValueError):
    """Input that cannot be forecast (malformed CSV, unknown run month); the message says where and why."""


# ------------------------------------------------------------------------------------ statsforecast


def _numba_cache_dir() -> Path:
    from talent.settings import get_settings

    candidates = [get_settings().warehouse_dir / "cache" / "numba"]
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    candidates.append(Path(tempfile.gettempdir()) / f"talent-numba-{uid}")
    for path in candidates:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(path, os.W_OK):
            return path
    return candidates[-1]


def _statsforecast():
    """Import statsforecast with its numba cache switched on (the env must be set before the import)."""
    if "statsforecast" not in sys.modules:
        os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")
        if "NUMBA_CACHE_DIR" not in os.environ:
            os.environ["NUMBA_CACHE_DIR"] = str(_numba_cache_dir())
            if "numba" in sys.modules:  # numba read its config already; tell it directly
                import numba

                numba.config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]
    import statsforecast
    import statsforecast.models

    return statsforecast


def _model(name: str, seasonal: bool):
    models = _statsforecast().models
    season = SEASON if seasonal else 1
    if name == BENCHMARK:  # always seasonal: it is the yardstick every series is compared with
        return models.SeasonalNaive(season_length=SEASON, alias=name)
    if name == NAIVE:
        return models.SeasonalNaive(season_length=1, alias=name)
    if name == "AutoETS":
        return models.AutoETS(season_length=season, alias=name)
    if name == "AutoARIMA":
        return models.AutoARIMA(season_length=season, alias=name)
    if name == "AutoTheta":
        return models.AutoTheta(season_length=season, alias=name)
    if name == FALLBACK_MEAN:
        return models.HistoricAverage(alias=name)
    raise ValueError(f"unknown model {name}")


# ------------------------------------------------------------------------------------------ series


@dataclass
class Series:
    """One monthly series: consecutive months from ``start`` (YYYY-MM), no gaps."""

    series_id: str
    start: str
    values: list[float]
    measure: str = "value"
    dimension: str = "series"
    member: str = ""
    label: str = ""

    @property
    def months(self) -> list[str]:
        return [shift_month(self.start, i) for i in range(len(self.values))]

    @property
    def end(self) -> str:
        return shift_month(self.start, len(self.values) - 1)


@dataclass
class Plan:
    """How a series is backtested and forecast."""

    seasonal: bool
    fallback: str | None  # None | "short" | "sparse" | "too_short"
    horizon: int  # backtest horizon (0: no backtest)
    windows: int
    models: tuple[str, ...]


@dataclass
class Evaluation:
    series: Series
    plan: Plan
    metrics: dict[str, dict[str, float | None]] = field(default_factory=dict)
    cv: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # model -> column -> values
    cv_actual: list[float] = field(default_factory=list)
    cv_scale: list[float] = field(default_factory=list)  # the MASE scale of each point's window
    cv_keys: list[tuple[str, str]] = field(default_factory=list)  # (cutoff, month) of each point
    chosen: str = ""
    scale_kind: str = "seasonal_naive"
    errors: dict[str, str] = field(default_factory=dict)


def shift_month(month: str, months: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_key(value: Any) -> str:
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    return str(value)[:7]


def plan_for(series: Series, horizon: int) -> Plan:
    n = len(series.values)
    zeros = sum(1 for v in series.values if v == 0)
    sparse = n > 0 and zeros / n > SPARSE_ZERO_SHARE
    full = (BENCHMARK, "AutoETS", "AutoARIMA", "AutoTheta", COMBINATION)
    plain = (NAIVE, "AutoETS", "AutoARIMA", "AutoTheta", COMBINATION)
    if n >= MIN_TRAIN_SEASONAL + horizon:
        windows = min(MAX_WINDOWS, (n - horizon - MIN_TRAIN_SEASONAL) // WINDOW_STEP + 1)
        if sparse:
            # Seasonal naive stays as the yardstick; the fitted models drop the season they cannot see.
            return Plan(False, "sparse", horizon, windows, full)
        return Plan(True, None, horizon, windows, full)
    if n >= MIN_TRAIN_SHORT + 1:
        h = min(horizon, n - MIN_TRAIN_SHORT)
        windows = min(MAX_WINDOWS, (n - h - MIN_TRAIN_SHORT) // WINDOW_STEP + 1)
        return Plan(False, "sparse" if sparse else "short", h, windows, plain)
    return Plan(False, "too_short", 0, 0, (FALLBACK_MEAN,))


# ------------------------------------------------------------------------------------------ backtest


def _frame(series: Series, upto: int | None = None):
    import pandas as pd

    values = series.values if upto is None else series.values[:upto]
    return pd.DataFrame(
        {
            "unique_id": series.series_id,
            "ds": pd.date_range(f"{series.start}-01", periods=len(values), freq="MS"),
            "y": [float(v) for v in values],
        }
    )


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _scale(train: Sequence[float], lag: int) -> float | None:
    diffs = [abs(train[i] - train[i - lag]) for i in range(lag, len(train))]
    if not diffs:
        return None
    value = sum(diffs) / len(diffs)
    return value if value > 0 else None


def _clip(values: list[float | None], floor: bool) -> list[float | None]:
    if not floor:
        return values
    return [None if v is None else max(0.0, v) for v in values]


def backtest(series: Series, horizon: int = BACKTEST_HORIZON) -> Evaluation:
    """Rolling-origin backtest of each model of the series' plan (statsforecast cross_validation)."""
    plan = plan_for(series, horizon)
    ev = Evaluation(series=series, plan=plan)
    if plan.horizon == 0:
        ev.chosen = FALLBACK_MEAN
        return ev
    sf = _statsforecast()
    df = _frame(series)
    floor = min(series.values) >= 0
    n = len(series.values)
    # Cutoffs as statsforecast places them: the last window ends at the last observation.
    cutoffs = [n - plan.horizon - (plan.windows - 1 - w) * WINDOW_STEP for w in range(plan.windows)]
    lag = SEASON if min(cutoffs) > SEASON else 1
    ev.scale_kind = "seasonal_naive" if lag == SEASON else "naive"
    for cut in cutoffs:
        scale = _scale(series.values[:cut], lag)
        for k in range(plan.horizon):
            ev.cv_actual.append(float(series.values[cut + k]))
            ev.cv_scale.append(scale if scale is not None else math.nan)
            ev.cv_keys.append((series.months[cut - 1], series.months[cut + k]))

    for name in plan.models:
        if name == COMBINATION:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = sf.StatsForecast(models=[_model(name, plan.seasonal)], freq="MS").cross_validation(
                    df=df,
                    h=plan.horizon,
                    n_windows=plan.windows,
                    step_size=WINDOW_STEP,
                    level=list(LEVELS),
                )
        except Exception as exc:  # noqa: BLE001 - one model failing must not sink the series
            log.warning("series %s: %s failed in the backtest: %s", series.series_id, name, exc)
            ev.errors[name] = f"{type(exc).__name__}: {exc}"
            continue
        out = out.sort_values(["cutoff", "ds"])
        if len(out) != len(ev.cv_actual):
            ev.errors[name] = f"backtest returned {len(out)} points, expected {len(ev.cv_actual)}"
            continue
        cols = {
            "point": name,
            **{f"{side}{lv}": f"{name}-{side}-{lv}" for lv in LEVELS for side in ("lo", "hi")},
        }
        ev.cv[name] = {key: _clip([_finite(v) for v in out[col]], floor) for key, col in cols.items()}

    parts = [m for m in COMBINED if m in ev.cv]
    if COMBINATION in plan.models and parts:
        ev.cv[COMBINATION] = {key: _mean_columns([ev.cv[m][key] for m in parts]) for key in ev.cv[parts[0]]}
        if len(parts) < len(COMBINED):
            ev.errors[COMBINATION] = f"combines only {', '.join(parts)}"
    for name, cols in ev.cv.items():
        ev.metrics[name] = score(ev.cv_actual, cols, ev.cv_scale)
    ev.chosen = choose(ev.metrics)
    return ev


def _mean_columns(columns: list[list[float | None]]) -> list[float | None]:
    out: list[float | None] = []
    for values in zip(*columns, strict=True):
        known = [v for v in values if v is not None]
        # A bound is only averaged when every member has it: a partial mean is not the combination.
        out.append(sum(known) / len(known) if len(known) == len(values) else None)
    return out


def score(actual: list[float], cols: dict[str, list[float | None]], scales: list[float]) -> dict[str, Any]:
    """MASE (each point's error over its window's in-sample naive error), sMAPE (0–200) and coverage."""
    scaled, smape, abs_err = [], [], []
    for y, f, s in zip(actual, cols["point"], scales, strict=True):
        if f is None:
            continue
        err = abs(y - f)
        abs_err.append(err)
        if not math.isnan(s):
            scaled.append(err / s)
        denom = abs(y) + abs(f)
        smape.append(0.0 if denom == 0 else 200.0 * err / denom)
    result: dict[str, Any] = {
        "mase": _mean(scaled) if len(scaled) == len(actual) else None,
        "smape": _mean(smape) if len(smape) == len(actual) else None,
        "mae": _mean(abs_err) if len(abs_err) == len(actual) else None,
    }
    for lv in LEVELS:
        inside = [
            lo <= y <= hi
            for y, lo, hi in zip(actual, cols[f"lo{lv}"], cols[f"hi{lv}"], strict=True)
            if lo is not None and hi is not None
        ]
        result[f"coverage{lv}"] = sum(inside) / len(inside) if inside else None
    result["points"] = len(actual)
    return result


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def choose(metrics: dict[str, dict[str, Any]]) -> str:
    """Lowest MASE; where MASE is undefined (a flat history), lowest MAE; ties go to the simpler model."""

    def key(name: str) -> tuple:
        m = metrics[name]
        mase, mae = m.get("mase"), m.get("mae")
        return (mase is None, mase or 0.0, mae is None, mae or 0.0, MODEL_ORDER.index(name))

    candidates = [name for name in metrics if metrics[name].get("mae") is not None]
    return min(candidates, key=key) if candidates else FALLBACK_MEAN


# ------------------------------------------------------------------------------------------ forecast


def forecast_series(ev: Evaluation, horizon: int = FORECAST_HORIZON) -> dict[str, list[float | None]]:
    """Fit the chosen model on the whole history and forecast ``horizon`` months with 80/95% intervals."""
    sf = _statsforecast()
    series, plan = ev.series, ev.plan
    floor = min(series.values) >= 0
    df = _frame(series)
    chosen = ev.chosen
    names = list(COMBINED) if chosen == COMBINATION else [chosen]
    if chosen == FALLBACK_MEAN:
        names = [FALLBACK_MEAN]
    outputs: dict[str, dict[str, list[float | None]]] = {}
    for name in names:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = sf.StatsForecast(models=[_model(name, plan.seasonal)], freq="MS").forecast(
                    df=df, h=horizon, level=list(LEVELS)
                )
        except Exception as exc:  # noqa: BLE001
            log.warning("series %s: %s failed to forecast: %s", series.series_id, name, exc)
            ev.errors[f"forecast:{name}"] = f"{type(exc).__name__}: {exc}"
            continue
        out = out.sort_values("ds")
        cols = {
            "point": name,
            **{f"{side}{lv}": f"{name}-{side}-{lv}" for lv in LEVELS for side in ("lo", "hi")},
        }
        outputs[name] = {k: _clip([_finite(v) for v in out[c]], floor) for k, c in cols.items() if c in out}
    if not outputs and chosen != FALLBACK_MEAN:
        # The chosen model would not fit the full history: the mean is a forecast nobody can misread.
        ev.chosen = FALLBACK_MEAN
        ev.plan.fallback = ev.plan.fallback or "model_error"
        return forecast_series(ev, horizon)
    if not outputs:
        return {}
    parts = list(outputs.values())
    if len(parts) == 1:
        return parts[0]
    return {key: _mean_columns([p[key] for p in parts]) for key in parts[0]}


# ------------------------------------------------------------------------------------------ CSV input


def read_series_csv(path: Path) -> list[Series]:
    """Read ``series_id,month,value`` rows; gaps between a series' first and last month count as 0."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ForecastError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ForecastError(f"{path}: not UTF-8 text ({exc})") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise ForecastError(f"{path}: the file is empty; expected a header series_id,month,value")
    header = [h.strip() for h in header]
    missing = [c for c in ("series_id", "month", "value") if c not in header]
    if missing:
        raise ForecastError(
            f"{path}: row 1 (header): missing column(s) {', '.join(missing)}; expected series_id,month,value"
        )
    idx = {c: header.index(c) for c in ("series_id", "month", "value")}
    data: dict[str, dict[str, float]] = {}
    seen_at: dict[tuple[str, str], int] = {}
    for rowno, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise ForecastError(f"{path}: row {rowno}: expected {len(header)} fields, found {len(row)}")
        sid = row[idx["series_id"]].strip()
        month = row[idx["month"]].strip()
        raw = row[idx["value"]].strip()
        if not sid:
            raise ForecastError(f"{path}: row {rowno}: field 'series_id' is empty")
        if not MONTH_RE.match(month):
            raise ForecastError(f"{path}: row {rowno}: field 'month': expected YYYY-MM, got {month!r}")
        try:
            value = float(raw)
        except ValueError:
            raise ForecastError(f"{path}: row {rowno}: field 'value': not a number: {raw!r}") from None
        if not math.isfinite(value):
            raise ForecastError(f"{path}: row {rowno}: field 'value': not a finite number: {raw!r}")
        if (sid, month) in seen_at:
            raise ForecastError(
                f"{path}: row {rowno}: field 'month': {month} repeats series {sid!r} "
                f"(first given on row {seen_at[(sid, month)]})"
            )
        seen_at[(sid, month)] = rowno
        data.setdefault(sid, {})[month] = value
    if not data:
        raise ForecastError(f"{path}: no data rows under the header")
    out = []
    for sid in sorted(data):
        months = data[sid]
        start, end = min(months), max(months)
        values, cursor = [], start
        while cursor <= end:
            values.append(months.get(cursor, 0.0))
            cursor = shift_month(cursor, 1)
        out.append(Series(series_id=sid, start=start, values=values))
    return out


def _round(value: Any, digits: int = 6) -> Any:
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, digits)
    return value


def evaluate_series(series: list[Series], horizon: int = BACKTEST_HORIZON) -> dict[str, Any]:
    """Backtest every series and summarise: the JSON ``talent forecast evaluate`` prints."""
    if horizon < 1:
        raise ForecastError(f"--horizon must be at least 1 month, got {horizon}")
    started = time.monotonic()
    result: dict[str, Any] = {}
    chosen_mase, bench_mase, combo_mase, beaten = [], [], [], 0
    for s in series:
        ev = backtest(s, horizon)
        models = {
            name: {
                "mase": _round(m["mase"]),
                "smape": _round(m["smape"]),
                "coverage80": _round(m["coverage80"]),
                "coverage95": _round(m["coverage95"]),
            }
            for name, m in ev.metrics.items()
        }
        result[s.series_id] = {
            "chosen": ev.chosen,
            "models": models,
            "months": len(s.values),
            "fallback": ev.plan.fallback,
            "backtest": {"horizon": ev.plan.horizon, "windows": ev.plan.windows, "scale": ev.scale_kind},
        }
        chosen = ev.metrics.get(ev.chosen, {}).get("mase")
        bench = ev.metrics.get(BENCHMARK, {}).get("mase")
        combo = ev.metrics.get(COMBINATION, {}).get("mase")
        if chosen is not None and bench is not None:
            chosen_mase.append(chosen)
            bench_mase.append(bench)
            beaten += chosen < bench
        if combo is not None and bench is not None:
            combo_mase.append(combo)
    summary = {
        # Means over the series that have both a chosen-model and a seasonal-naive MASE, so the two
        # numbers compare like with like.
        "mase_chosen_mean": _round(_mean(chosen_mase)),
        "mase_seasonal_naive_mean": _round(_mean(bench_mase)),
        # The choice is made on the same backtest it is scored on (optimistic); the combination involves
        # no choice, so it is the honest yardstick next to the chosen models.
        "mase_combination_mean": _round(_mean(combo_mase)),
        "series": len(series),
        "series_compared": len(chosen_mase),
        "series_chosen_beats_seasonal_naive": beaten,
        "horizon": horizon,
    }
    log.info("backtested %d series in %.1f s", len(series), time.monotonic() - started)
    return {"series": result, "summary": summary}


def evaluate_csv(path: Path, horizon: int = BACKTEST_HORIZON) -> dict[str, Any]:
    """``talent forecast evaluate FILE.csv [--horizon H]``: backtest the series in a CSV."""
    return evaluate_series(read_series_csv(Path(path)), horizon)


# ------------------------------------------------------------------------------ series from the marts


def _columns(con, table: str) -> list[str] | None:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows] or None


def _pick(columns: Sequence[str], *names: str) -> str | None:
    return next((n for n in names if n in columns), None)


def _dense(start: str, end: str, by_month: dict[str, float]) -> list[float]:
    values, cursor = [], start
    while cursor <= end:
        values.append(float(by_month.get(cursor, 0.0)))
        cursor = shift_month(cursor, 1)
    return values


def build_series(con, run_month: str | None = None) -> tuple[str, list[Series], dict[str, Any]]:
    """Demand series up to ``run_month`` (default: the latest month in the mart) from the marts.

    Returns (run_month, series, notes). City, industry and county series share one time range (the
    mart's first month to the run month, empty months as 0) so they can be reconciled; occupation and
    skill series start at their own first month, so a new occupation is a short series, not a long
    run of zeros.
    """
    cols = _columns(con, "talent_demand_monthly")
    if cols is None:
        raise ForecastError("marts.talent_demand_monthly does not exist; build the marts (dbt build) first")
    postings_col = _pick(cols, "postings", "unique_postings")
    if postings_col is None or "month" not in cols:
        raise ForecastError(
            f"marts.talent_demand_monthly lacks month/postings columns (has {', '.join(cols)})"
        )
    headcount_col = _pick(cols, "headcount")
    occupation_col = _pick(cols, "occupation_code", "occupation")
    occupation_label = _pick(cols, "occupation_name", "occupation_title")
    notes: dict[str, Any] = {"occupations": occupation_col is not None, "skills": False}

    bounds = con.execute(
        "select strftime(min(month), '%Y-%m'), strftime(max(month), '%Y-%m') from marts.talent_demand_monthly"
    ).fetchone()
    if bounds[0] is None:
        raise ForecastError("marts.talent_demand_monthly is empty: nothing to forecast")
    first, latest = bounds
    run_month = run_month or latest
    if not MONTH_RE.match(run_month):
        raise ForecastError(f"run month must look like YYYY-MM, got {run_month!r}")
    if run_month > latest:
        raise ForecastError(
            f"cannot forecast from {run_month}: marts.talent_demand_monthly has data only up to {latest}"
        )
    if run_month < first:
        raise ForecastError(
            f"cannot forecast from {run_month}: marts.talent_demand_monthly starts at {first}"
        )

    measures = [("postings", postings_col)] + ([("headcount", headcount_col)] if headcount_col else [])
    select = ", ".join(f"sum({c}) as {m}" for m, c in measures)
    series: list[Series] = []

    def add(
        dimension: str,
        key_sql: str | None,
        measure_names: Sequence[str],
        members: Sequence[str] | None = None,
    ):
        group = f"{key_sql}, " if key_sql else ""
        rows = con.execute(
            f"select {group}strftime(month, '%Y-%m') as ym, {select} from marts.talent_demand_monthly "
            f"where month <= cast(? as date) {'and ' + key_sql + ' is not null' if key_sql else ''} "
            f"group by all order by all",
            [f"{run_month}-01"],
        ).fetchall()
        data: dict[str, dict[str, dict[str, float]]] = {}
        for row in rows:
            member = str(row[0]) if key_sql else CITY
            offset = 1 if key_sql else 0
            ym = row[offset]
            for i, (m, _) in enumerate(measures):
                data.setdefault(m, {}).setdefault(member, {})[ym] = float(row[offset + 1 + i] or 0)
        for m in measure_names:
            for member in sorted(data.get(m, {})) if members is None else members:
                by_month = data.get(m, {}).get(member, {})
                start = (
                    first if dimension in ("city", "industry", "county") else min(by_month, default=run_month)
                )
                series.append(
                    Series(
                        series_id=f"{m}/{dimension}/{member}",
                        start=start,
                        values=_dense(start, run_month, by_month),
                        measure=m,
                        dimension=dimension,
                        member=member,
                        label=member,
                    )
                )

    all_measures = [m for m, _ in measures]
    add("city", None, all_measures)
    add("industry", "industry", all_measures)
    # Headcount by county is left out: nothing reads it, and each series costs a backtest.
    add("county", "county", ["postings"])

    window_start = f"{shift_month(run_month, -11)}-01"
    if occupation_col:
        top = con.execute(
            f"select {occupation_col}, {('any_value(' + occupation_label + ')') if occupation_label else 'null'} "
            f"from marts.talent_demand_monthly where {occupation_col} is not null "
            f"and cast({occupation_col} as varchar) <> '' "
            f"and month between cast(? as date) and cast(? as date) "
            f"group by 1 order by sum({postings_col}) desc, 1 limit {TOP_N}",
            [window_start, f"{run_month}-01"],
        ).fetchall()
        members = [str(r[0]) for r in top]
        labels = {str(r[0]): (str(r[1]) if r[1] is not None else str(r[0])) for r in top}
        if members:
            add("occupation", f"cast({occupation_col} as varchar)", ["postings"], members)
            for s in series:
                if s.dimension == "occupation":
                    s.label = labels.get(s.member, s.member)
    skill_cols = _columns(con, "skill_demand_monthly")
    if skill_cols and "month" in skill_cols and "skill" in skill_cols:
        count_col = _pick(skill_cols, "postings", "unique_postings", "mentions", "postings_mentioning")
        if count_col:
            notes["skills"] = True
            rows = con.execute(
                f"with s as (select skill, strftime(month, '%Y-%m') as ym, sum({count_col}) as n "
                f"from marts.skill_demand_monthly where skill is not null and month <= cast(? as date) "
                f"group by all), "
                f"top as (select skill from s where ym >= ? group by skill order by sum(n) desc, skill "
                f"limit {TOP_N}) "
                f"select s.skill, s.ym, s.n from s join top using (skill) order by all",
                [f"{run_month}-01", window_start[:7]],
            ).fetchall()
            by_skill: dict[str, dict[str, float]] = {}
            for skill, ym, n in rows:
                by_skill.setdefault(str(skill), {})[ym] = float(n or 0)
            for skill in sorted(by_skill):
                start = min(by_skill[skill])
                series.append(
                    Series(
                        series_id=f"postings/skill/{skill}",
                        start=start,
                        values=_dense(start, run_month, by_skill[skill]),
                        measure="postings",
                        dimension="skill",
                        member=skill,
                        label=skill,
                    )
                )
        else:
            log.info("marts.skill_demand_monthly has no count column I know; skill series skipped")
    else:
        log.info("marts.skill_demand_monthly not available; skill series skipped")
    if not occupation_col:
        log.info("marts.talent_demand_monthly has no occupation column; occupation series skipped")
    return run_month, series, notes


def inputs_sha256(run_month: str, series: list[Series]) -> str:
    payload = {
        "method": METHOD_VERSION,
        "run_month": run_month,
        "series": [[s.series_id, s.start, [round(v, 9) for v in s.values]] for s in series],
        "config": [FORECAST_HORIZON, BACKTEST_HORIZON, MIN_TRAIN_SEASONAL, MAX_WINDOWS, WINDOW_STEP, TOP_N],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


# ------------------------------------------------------------------------------------ reconciliation


def reconcile(forecasts: dict[str, dict[str, Any]], series: list[Series]) -> None:
    """Make industries and counties add up to the city total, in place.

    Bottom-up over industries: the city point forecast is the sum of the industry forecasts, with the
    city model's own interval widths around it (summing bounds would assume perfectly correlated
    errors and give intervals far too wide). County forecasts are then scaled, month by month, so they
    add up to the same city total: industries and counties are two partitions of the same postings,
    and only one of them can be the bottom level.
    """
    by_id = {s.series_id: s for s in series}
    for measure in sorted({s.measure for s in series}):
        city_id = f"{measure}/city/{CITY}"
        if city_id not in forecasts:
            continue
        industries = [sid for sid, s in by_id.items() if s.measure == measure and s.dimension == "industry"]
        counties = [sid for sid, s in by_id.items() if s.measure == measure and s.dimension == "county"]
        if not industries or any(sid not in forecasts for sid in industries):
            continue
        city = forecasts[city_id]
        base = city["values"]
        horizon = len(base["point"])
        bottom = [
            sum(forecasts[sid]["values"]["point"][t] or 0.0 for sid in industries) for t in range(horizon)
        ]
        new: dict[str, list[float | None]] = {"point": bottom}
        for key in base:
            if key == "point":
                continue
            out = []
            for t in range(horizon):
                b, p = base[key][t], base["point"][t]
                out.append(None if b is None or p is None else max(0.0, bottom[t] + (b - p)))
            new[key] = out
        city["values"] = new
        city["base_model"] = city["model"]
        city["model"] = BOTTOM_UP
        city["reconciliation"] = "bottom_up"
        for sid in industries:
            forecasts[sid]["reconciliation"] = "base"
        if counties and all(sid in forecasts for sid in counties):
            _scale_to_total(forecasts, counties, bottom, by_id)
            for sid in counties:
                forecasts[sid]["reconciliation"] = "scaled_to_city"


def _scale_to_total(
    forecasts: dict[str, dict[str, Any]], members: list[str], total: list[float], by_id: dict[str, Series]
) -> None:
    """Scale each member's forecast (point and bounds) so the points add up to ``total`` month by month."""
    # Where every member forecasts zero, share the total by the last 12 months of history instead.
    recent = [sum(by_id[sid].values[-SEASON:]) for sid in members]
    weights = [r / sum(recent) for r in recent] if sum(recent) > 0 else [1 / len(members)] * len(members)
    for t, target in enumerate(total):
        current = sum(forecasts[sid]["values"]["point"][t] or 0.0 for sid in members)
        for i, sid in enumerate(members):
            vals = forecasts[sid]["values"]
            if current > 0:
                factor = target / current
                for key in vals:
                    if vals[key][t] is not None:
                        vals[key][t] = vals[key][t] * factor
            else:
                shift = target * weights[i]
                for key in vals:
                    if vals[key][t] is not None:
                        vals[key][t] = vals[key][t] + shift


def bottom_up_backtest(evaluations: dict[str, Evaluation], series: list[Series]) -> dict[str, dict[str, Any]]:
    """Score the bottom-up city forecast in the same backtest: the sum of each industry's chosen model."""
    out = {}
    for measure in sorted({s.measure for s in series}):
        city = evaluations.get(f"{measure}/city/{CITY}")
        parts = [
            ev
            for ev in evaluations.values()
            if ev.series.measure == measure and ev.series.dimension == "industry"
        ]
        if city is None or not parts or city.chosen not in city.cv:
            continue
        if any(ev.cv_keys != city.cv_keys or ev.chosen not in ev.cv for ev in parts):
            continue  # different backtest windows (should not happen: same time range)
        points = len(city.cv_actual)
        bu = [sum(ev.cv[ev.chosen]["point"][i] or 0.0 for ev in parts) for i in range(points)]
        base = city.cv[city.chosen]
        cols: dict[str, list[float | None]] = {"point": bu}
        for key in base:
            if key != "point":
                cols[key] = [
                    None
                    if base[key][i] is None or base["point"][i] is None
                    else max(0.0, bu[i] + base[key][i] - base["point"][i])
                    for i in range(points)
                ]
        city.cv[BOTTOM_UP] = cols
        metrics = score(city.cv_actual, cols, city.cv_scale)
        city.metrics[BOTTOM_UP] = metrics
        out[city.series.series_id] = metrics
    return out


# ------------------------------------------------------------------------------------ the pipeline step


FORECAST_COLUMNS = (
    ("forecast_id", "varchar"),
    ("run_month", "date"),
    ("series_id", "varchar"),
    ("measure", "varchar"),
    ("dimension", "varchar"),
    ("member", "varchar"),
    ("label", "varchar"),
    ("target_month", "date"),
    ("horizon", "integer"),
    ("point", "double"),
    ("lo80", "double"),
    ("hi80", "double"),
    ("lo95", "double"),
    ("hi95", "double"),
    ("model", "varchar"),
    ("base_model", "varchar"),
    ("fallback", "varchar"),
    ("reconciliation", "varchar"),
    ("history_months", "integer"),
    ("inputs_sha256", "varchar"),
)
ACCURACY_COLUMNS = (
    ("accuracy_id", "varchar"),
    ("run_month", "date"),
    ("series_id", "varchar"),
    ("measure", "varchar"),
    ("dimension", "varchar"),
    ("member", "varchar"),
    ("label", "varchar"),
    ("model", "varchar"),
    ("chosen", "boolean"),
    ("mase", "double"),
    ("smape", "double"),
    ("mae", "double"),
    ("coverage80", "double"),
    ("coverage95", "double"),
    ("backtest_horizon", "integer"),
    ("windows", "integer"),
    ("points", "integer"),
    ("mase_scale", "varchar"),
    ("fallback", "varchar"),
    ("inputs_sha256", "varchar"),
)


@dataclass
class ForecastRun:
    run_month: str
    status: str  # "written" | "unchanged"
    series: int
    forecast_rows: int
    accuracy_rows: int
    seconds: float
    inputs_sha256: str
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_month": self.run_month,
            "status": self.status,
            "series": self.series,
            "forecast_rows": self.forecast_rows,
            "accuracy_rows": self.accuracy_rows,
            "seconds": round(self.seconds, 1),
            "inputs_sha256": self.inputs_sha256,
            "summary": self.summary,
        }


def compute(
    run_month: str, series: list[Series], sha: str
) -> tuple[list[tuple], list[tuple], dict[str, Any]]:
    """Backtest, forecast and reconcile: the rows of both marts (as tuples in column order)."""
    evaluations = {s.series_id: backtest(s) for s in series if len(s.values) >= MIN_HISTORY}
    skipped = [s.series_id for s in series if len(s.values) < MIN_HISTORY]
    if skipped:
        log.info("fewer than %d months of history, not forecast: %s", MIN_HISTORY, ", ".join(skipped))
    bottom_up_backtest(evaluations, series)
    forecasts: dict[str, dict[str, Any]] = {}
    for sid, ev in evaluations.items():
        values = forecast_series(ev)
        if not values:
            continue
        forecasts[sid] = {
            "values": values,
            "model": ev.chosen,
            "base_model": None,
            "reconciliation": "none",
        }
    reconcile(forecasts, [ev.series for ev in evaluations.values()])

    run_date = date.fromisoformat(f"{run_month}-01")
    forecast_rows = []
    for sid in sorted(forecasts):
        ev, fc = evaluations[sid], forecasts[sid]
        s = ev.series
        for t, point in enumerate(fc["values"]["point"]):
            target = shift_month(run_month, t + 1)
            forecast_rows.append(
                (
                    f"{run_month}/{sid}/{target}",
                    run_date,
                    sid,
                    s.measure,
                    s.dimension,
                    s.member,
                    s.label,
                    date.fromisoformat(f"{target}-01"),
                    t + 1,
                    _round(point),
                    *(
                        _round(fc["values"].get(k, [None] * (t + 1))[t])
                        for k in ("lo80", "hi80", "lo95", "hi95")
                    ),
                    fc["model"],
                    fc["base_model"],
                    ev.plan.fallback,
                    fc["reconciliation"],
                    len(s.values),
                    sha,
                )
            )
    accuracy_rows = []
    for sid in sorted(evaluations):
        ev = evaluations[sid]
        s = ev.series
        chosen = forecasts.get(sid, {}).get("model", ev.chosen)
        for name in sorted(
            ev.metrics,
            key=lambda n: (n not in MODEL_ORDER, MODEL_ORDER.index(n) if n in MODEL_ORDER else 0, n),
        ):
            m = ev.metrics[name]
            accuracy_rows.append(
                (
                    f"{run_month}/{sid}/{name}",
                    run_date,
                    sid,
                    s.measure,
                    s.dimension,
                    s.member,
                    s.label,
                    name,
                    name == chosen,
                    _round(m["mase"]),
                    _round(m["smape"]),
                    _round(m["mae"]),
                    _round(m["coverage80"]),
                    _round(m["coverage95"]),
                    ev.plan.horizon,
                    ev.plan.windows,
                    m["points"],
                    ev.scale_kind,
                    ev.plan.fallback,
                    sha,
                )
            )
    chosen = [
        ev.metrics[forecasts[sid]["model"]]["mase"]
        for sid, ev in evaluations.items()
        if sid in forecasts
        and forecasts[sid]["model"] in ev.metrics
        and BENCHMARK in ev.metrics
        and ev.metrics[forecasts[sid]["model"]]["mase"] is not None
        and ev.metrics[BENCHMARK]["mase"] is not None
    ]
    bench = [
        ev.metrics[BENCHMARK]["mase"]
        for sid, ev in evaluations.items()
        if sid in forecasts
        and forecasts[sid]["model"] in ev.metrics
        and BENCHMARK in ev.metrics
        and ev.metrics[forecasts[sid]["model"]]["mase"] is not None
        and ev.metrics[BENCHMARK]["mase"] is not None
    ]
    summary = {
        "mase_chosen_mean": _round(_mean(chosen)),
        "mase_seasonal_naive_mean": _round(_mean(bench)),
        "fallbacks": sorted(sid for sid, ev in evaluations.items() if ev.plan.fallback),
        "skipped": skipped,
    }
    return forecast_rows, accuracy_rows, summary


def _stored_sha(con, run_month: str) -> str | None:
    if _columns(con, "demand_forecast") is None or _columns(con, "forecast_accuracy") is None:
        return None
    rows = con.execute(
        "select distinct inputs_sha256 from marts.demand_forecast where run_month = cast(? as date)",
        [f"{run_month}-01"],
    ).fetchall()
    return rows[0][0] if len(rows) == 1 else None


def write_tables(con, run_month: str, forecast_rows: list[tuple], accuracy_rows: list[tuple]) -> None:
    """Replace this run month's rows of both marts in one transaction, keeping other run months.

    Earlier run months stay: they are what a later, real out-of-sample check of the forecasts needs,
    and what a report re-published for an earlier month reads.
    """
    con.execute("begin transaction")
    try:
        con.execute("create schema if not exists marts")
        for table, columns, rows in (
            ("demand_forecast", FORECAST_COLUMNS, forecast_rows),
            ("forecast_accuracy", ACCURACY_COLUMNS, accuracy_rows),
        ):
            names = [c for c, _ in columns]
            ddl = ", ".join(f"{c} {t}" for c, t in columns)
            con.execute(f"create temp table _new ({ddl})")
            if rows:
                con.executemany(f"insert into _new values ({', '.join('?' for _ in names)})", rows)
            existing = _columns(con, table)
            keep = ""
            if existing == names:
                keep = f"select * from marts.{table} where run_month <> cast(? as date) union all "
            elif existing is not None:
                log.warning("marts.%s has an older layout; its earlier run months are dropped", table)
            con.execute(
                f"create temp table _all as {keep}select * from _new", [f"{run_month}-01"] if keep else []
            )
            order = (
                "run_month, series_id, target_month"
                if table == "demand_forecast"
                else "run_month, series_id, model"
            )
            con.execute(f"create or replace table marts.{table} as select * from _all order by {order}")
            con.execute("drop table _new")
            con.execute("drop table _all")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def ensure_forecast(
    duckdb_path: str | os.PathLike[str], run_month: str | None = None, *, force: bool = False
) -> ForecastRun:
    """Forecast from ``run_month`` (default: the latest month with demand) unless already done on the same data."""
    import duckdb

    started = time.monotonic()
    path = Path(duckdb_path)
    if not path.exists():
        raise ForecastError(f"DuckDB file {path} does not exist; run the pipeline (talent run) first")
    con = duckdb.connect(str(path))
    try:
        run_month, series, notes = build_series(con, run_month)
        sha = inputs_sha256(run_month, series)
        if not force and _stored_sha(con, run_month) == sha:
            log.info("forecast for %s unchanged (inputs %s): nothing to do", run_month, sha[:12])
            counts = [
                con.execute(
                    f"select count(*) from marts.{t} where run_month = cast(? as date)", [f"{run_month}-01"]
                ).fetchone()[0]
                for t in ("demand_forecast", "forecast_accuracy")
            ]
            return ForecastRun(
                run_month, "unchanged", len(series), counts[0], counts[1], time.monotonic() - started, sha
            )
        # The marts are read; compute without holding anything open that others wait for longer than needed.
        forecast_rows, accuracy_rows, summary = compute(run_month, series, sha)
        summary.update(notes)
        write_tables(con, run_month, forecast_rows, accuracy_rows)
    finally:
        con.close()
    seconds = time.monotonic() - started
    log.info(
        "forecast %s: %d series, %d forecast rows, %d accuracy rows in %.1f s (MASE chosen %s vs seasonal naive %s)",
        run_month,
        len(series),
        len(forecast_rows),
        len(accuracy_rows),
        seconds,
        summary.get("mase_chosen_mean"),
        summary.get("mase_seasonal_naive_mean"),
    )
    return ForecastRun(
        run_month, "written", len(series), len(forecast_rows), len(accuracy_rows), seconds, sha, summary
    )


def export_series_csv(duckdb_path: str | os.PathLike[str], out: Path, run_month: str | None = None) -> int:
    """Write the demand series the pipeline forecasts as a ``series_id,month,value`` CSV (for evaluate)."""
    import duckdb

    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        _, series, _ = build_series(con, run_month)
    finally:
        con.close()
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["series_id", "month", "value"])
        for s in series:
            for month, value in zip(s.months, s.values, strict=True):
                writer.writerow([s.series_id, month, _round(value)])
    return len(series)


if __name__ == "__main__":  # python -m talent.forecast export DUCKDB OUT.csv [RUN_MONTH]
    logging.basicConfig(level=logging.INFO)
    if len(sys.argv) >= 4 and sys.argv[1] == "export":
        print(export_series_csv(sys.argv[2], Path(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None))
    else:
        print("usage: python -m talent.forecast export DUCKDB OUT.csv [RUN_MONTH]", file=sys.stderr)
        sys.exit(2)
