"""Rolling-origin backtest, error measures and the choice of model per series, the forecast with
the chosen model, and what ``talent forecast evaluate FILE.csv`` prints.

The only arithmetic done here is the equal-weight combination of ETS, ARIMA and Theta and the error
measures; the models themselves are statsforecast's (talent.forecast.models). The backtest scores
the clipped values, i.e. what is published."""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from talent.forecast.measures import choose, mean, score
from talent.forecast.models import (
    BENCHMARK,
    COMBINATION,
    COMBINED,
    FALLBACK_MEAN,
    FORECAST_HORIZON,
    LEVELS,
    NAIVE,
    SEASON,
    clip,
    frame,
    mean_columns,
    model,
    output_columns,
    rounded,
    statsforecast,
)
from talent.forecast.nested import NESTED, Nested, calibrate, honest_summary, nested_selection
from talent.forecast.series import ForecastError, Series, read_series_csv
from talent.units import to_number

log = logging.getLogger(__name__)

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
    nested: Nested | None = None  # the nested rolling origin (talent.forecast.nested)
    # model (or NESTED) -> mase_outer, coverage80/95 and coverage80/95_calibrated on the outer origins
    honest: dict[str, dict[str, Any]] = field(default_factory=dict)


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


def _scale(train: Sequence[float], lag: int) -> float | None:
    diffs = [abs(train[i] - train[i - lag]) for i in range(lag, len(train))]
    if not diffs:
        return None
    value = sum(diffs) / len(diffs)
    return value if value > 0 else None


def backtest(series: Series, horizon: int = BACKTEST_HORIZON) -> Evaluation:
    """Rolling-origin backtest of each model of the series' plan (statsforecast cross_validation)."""
    plan = plan_for(series, horizon)
    ev = Evaluation(series=series, plan=plan)
    if plan.horizon == 0:
        ev.chosen = FALLBACK_MEAN
        return ev
    sf = statsforecast()
    df = frame(series)
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
                out = sf.StatsForecast(models=[model(name, plan.seasonal)], freq="MS").cross_validation(
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
        ev.cv[name] = {
            key: clip([to_number(v) for v in out[col]], floor) for key, col in output_columns(name).items()
        }

    parts = [m for m in COMBINED if m in ev.cv]
    if COMBINATION in plan.models and parts:
        ev.cv[COMBINATION] = {key: mean_columns([ev.cv[m][key] for m in parts]) for key in ev.cv[parts[0]]}
        if len(parts) < len(COMBINED):
            ev.errors[COMBINATION] = f"combines only {', '.join(parts)}"
    for name, cols in ev.cv.items():
        ev.metrics[name] = score(ev.cv_actual, cols, ev.cv_scale)
    ev.chosen = choose(ev.metrics)
    ev.nested = nested_selection(ev)
    return ev


# ------------------------------------------------------------------------------------------ forecast


def forecast_series(ev: Evaluation, horizon: int = FORECAST_HORIZON) -> dict[str, list[float | None]]:
    """Fit the chosen model on the whole history and forecast ``horizon`` months with 80/95% intervals."""
    sf = statsforecast()
    series, plan = ev.series, ev.plan
    floor = min(series.values) >= 0
    df = frame(series)
    chosen = ev.chosen
    names = list(COMBINED) if chosen == COMBINATION else [chosen]
    if chosen == FALLBACK_MEAN:
        names = [FALLBACK_MEAN]
    outputs: dict[str, dict[str, list[float | None]]] = {}
    for name in names:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = sf.StatsForecast(models=[model(name, plan.seasonal)], freq="MS").forecast(
                    df=df, h=horizon, level=list(LEVELS)
                )
        except Exception as exc:  # noqa: BLE001
            log.warning("series %s: %s failed to forecast: %s", series.series_id, name, exc)
            ev.errors[f"forecast:{name}"] = f"{type(exc).__name__}: {exc}"
            continue
        out = out.sort_values("ds")
        outputs[name] = {
            k: clip([to_number(v) for v in out[c]], floor)
            for k, c in output_columns(name).items()
            if c in out
        }
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
    return {key: mean_columns([p[key] for p in parts]) for key in parts[0]}


# ------------------------------------------------------------------------- talent forecast evaluate


def evaluate_series(series: list[Series], horizon: int = BACKTEST_HORIZON) -> dict[str, Any]:
    """Backtest every series and summarise: the JSON ``talent forecast evaluate`` prints."""
    if horizon < 1:
        raise ForecastError(f"--horizon must be at least 1 month, got {horizon}")
    started = time.monotonic()
    result: dict[str, Any] = {}
    chosen_mase, bench_mase, combo_mase, beaten = [], [], [], 0
    evaluations = [backtest(s, horizon) for s in series]
    calibration = calibrate(evaluations)
    for s, ev in zip(series, evaluations, strict=True):
        models = {
            name: {
                "mase": rounded(m["mase"]),
                "smape": rounded(m["smape"]),
                "coverage80": rounded(m["coverage80"]),
                "coverage95": rounded(m["coverage95"]),
            }
            for name, m in ev.metrics.items()
        }
        result[s.series_id] = {
            "chosen": ev.chosen,
            "models": models,
            "months": len(s.values),
            "fallback": ev.plan.fallback,
            "backtest": {"horizon": ev.plan.horizon, "windows": ev.plan.windows, "scale": ev.scale_kind},
            "nested": _nested_entry(ev),
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
        "mase_chosen_mean": rounded(mean(chosen_mase)),
        "mase_seasonal_naive_mean": rounded(mean(bench_mase)),
        # The choice is made on the same backtest it is scored on (optimistic); the combination involves
        # no choice, so it is a yardstick next to the chosen models; mase_nested_mean is the honest one.
        "mase_combination_mean": rounded(mean(combo_mase)),
        "series": len(series),
        "series_compared": len(chosen_mase),
        "series_chosen_beats_seasonal_naive": beaten,
        "horizon": horizon,
        **honest_summary([(ev, ev.chosen) for ev in evaluations], calibration, BENCHMARK),
    }
    log.info("backtested %d series in %.1f s", len(series), time.monotonic() - started)
    return {"series": result, "summary": summary}


def _nested_entry(ev: Evaluation) -> dict[str, Any] | None:
    """Per series: the nested choice at each outer origin, its score, and every model's MASE and
    calibrated coverage on the same (outer) points."""
    if ev.nested is None:
        return None
    honest = ev.honest.get(NESTED, {})
    return {
        "mase": rounded(ev.nested.metrics["mase"]),
        "smape": rounded(ev.nested.metrics["smape"]),
        "choices": dict(ev.nested.choices),
        "points": len(ev.nested.indices),
        **{key: rounded(value) for key, value in honest.items() if key != "mase_outer"},
        "mase_outer": {name: rounded(h["mase_outer"]) for name, h in ev.honest.items() if name != NESTED},
    }


def evaluate_csv(path: Path, horizon: int = BACKTEST_HORIZON) -> dict[str, Any]:
    """``talent forecast evaluate FILE.csv [--horizon H]``: backtest the series in a CSV."""
    return evaluate_series(read_series_csv(Path(path)), horizon)
